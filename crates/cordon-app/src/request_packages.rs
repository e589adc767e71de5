//! Signed, self-contained request packages for partners who have no Cordon.
//!
//! A package is one JSON document: `{"format", "body", "signature"}`. `body` holds the
//! request (or the answer) and its attachments base64-embedded; `signature` is an Ed25519
//! signature over the RFC 8785 (JCS) canonical form of `body` — keys sorted, no whitespace,
//! strings escaped minimally — so any JSON library can rebuild the signed bytes. An outgoing
//! request is exported signed by this node's key (the one that signs the audit log); a
//! partner's answer package is accepted only when signed by a key an administrator trusted
//! for that request's counterpart, and only whole: a package altered by one byte is refused
//! before anything is stored.

use base64::Engine;
use cordon_core::request::{Direction, RequestStatus};
use cordon_core::Invalid;
use ed25519_dalek::{Signer, Verifier};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, RequestView};

/// The format name every package carries.
pub const PACKAGE_FORMAT: &str = "cordon-request-package/1";

/// Most attachments one package carries.
pub const MAX_PACKAGE_ATTACHMENTS: usize = 20;

/// The RFC 8785 (JCS) canonical form of a JSON value: object keys sorted by their UTF-16 code
/// units, no whitespace, strings with only `"`, `\` and control characters escaped. Numbers
/// are written as JSON gives them; packages carry integers only, which JCS writes the same way.
pub fn canonical_json(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(k, out);
                out.push(b':');
                write_canonical(&map[k], out);
            }
            out.push(b'}');
        }
    }
}

fn write_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

/// Signs `body` with `key` and wraps it as a package.
pub fn sign_package(key: &ed25519_dalek::SigningKey, body: Value) -> Value {
    let signature = key.sign(&canonical_json(&body));
    json!({
        "format": PACKAGE_FORMAT,
        "body": body,
        "signature": {
            "algorithm": "Ed25519",
            "covers": "the RFC 8785 (JCS) canonical JSON of body",
            "public_key": hex::encode(key.verifying_key().as_bytes()),
            "value": hex::encode(signature.to_bytes()),
        },
    })
}

fn bad(field: &'static str, reason: impl Into<String>) -> AppError {
    Invalid::new(field, reason).into()
}

/// Checks a package's form and signature against the trusted keys; answers the body and the
/// key that signed it.
pub fn verify_package(bytes: &[u8], trusted: &[String]) -> Result<(Map<String, Value>, String), AppError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| bad("package", format!("not a JSON document: {e}")))?;
    if doc["format"] != PACKAGE_FORMAT {
        return Err(bad("package", format!("not a {PACKAGE_FORMAT} package")));
    }
    let Some(body) = doc["body"].as_object() else { return Err(bad("package", "the package has no body")) };
    let sig = &doc["signature"];
    if sig["algorithm"] != "Ed25519" {
        return Err(bad("signature", "only Ed25519 signatures are accepted"));
    }
    let key_hex = sig["public_key"].as_str().unwrap_or_default().to_ascii_lowercase();
    if !trusted.contains(&key_hex) {
        return Err(bad(
            "signature",
            "the package is not signed by a key trusted for this counterpart (an administrator adds partner keys)",
        ));
    }
    let key = hex::decode(&key_hex)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .and_then(|b| ed25519_dalek::VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| bad("signature", "the signing key is not a valid Ed25519 key"))?;
    let value = hex::decode(sig["value"].as_str().unwrap_or_default())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| bad("signature", "the signature is not 64 bytes in hex"))?;
    let signature = ed25519_dalek::Signature::from_bytes(&value);
    let signed = canonical_json(&Value::Object(body.clone()));
    key.verify(&signed, &signature).map_err(|_| {
        bad("signature", "the signature does not match the content: the package was altered after signing, or signed by another key")
    })?;
    Ok((body.clone(), key_hex))
}

fn attachment(filename: &str, media_type: &str, bytes: &[u8]) -> Value {
    json!({
        "filename": filename,
        "media_type": media_type,
        "sha256": hex::encode(Sha256::digest(bytes)),
        "size": bytes.len(),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

impl App {
    /// The signed package of a request for a partner without Cordon (the recording agency
    /// only): an outgoing request with its files, or for an incoming one, our latest answer
    /// with its files. The export is audited and recorded in the request's history.
    pub async fn export_request_package(&self, actor: &Actor, id: &str) -> Result<Value, AppError> {
        Self::require_request_worker(actor)?;
        let (r, _) = self.visible_request(actor, id, "request.package.export").await?;
        if r.owner_agency_id != actor.agency_id {
            return Err(AppError::Forbidden("the recording agency exports the request"));
        }
        if r.status == RequestStatus::Withdrawn {
            return Err(bad("status", "a withdrawn request is not sent"));
        }
        let files = self.store.request_files(&r.id).await?;
        let now = self.now_ms();
        let issuer = json!({ "agency": r.owner_agency_id, "unit": r.owner_unit_id, "node_key": hex::encode(self.audit_key.verifying_key().as_bytes()) });
        let (handling, tlp) = (crate::cases::sharing_view(&r.sharing).handling, r.sharing.tlp.label());
        let (body, chosen) = match r.direction {
            Direction::Outgoing => {
                let own: Vec<_> = files.iter().filter(|f| f.answer_id.is_none()).collect();
                (
                    json!({
                        "type": "request",
                        "issued_at": now,
                        "issuer": issuer,
                        "request": {
                            "reference": r.reference, "their_reference": r.their_reference, "kind": r.kind.as_str(),
                            "kind_label": r.kind.label(), "to": r.counterpart.to_code(), "to_name": crate::requests::counterpart_name(&r.counterpart),
                            "subject": r.subject, "details": r.details, "legal_basis": r.legal_basis, "deadline": r.deadline,
                            "sent_at": r.opened_at, "tlp": tlp, "handling": handling,
                        },
                        "reply": {
                            "how": "Answer with a package of this format whose body is {\"type\": \"answer\", \"in_reply_to\": REFERENCE, \
                                    \"answer\": {\"final\": true|false, \"text\": \"...\"}, \"attachments\": [...]}, signed with the key you gave us.",
                            "in_reply_to": r.reference,
                        },
                    }),
                    own,
                )
            }
            Direction::Incoming => {
                let answers = self.store.request_answers(&r.id).await?;
                let Some(a) = answers.iter().rev().find(|a| a.is_final).or(answers.last()) else {
                    return Err(bad("status", "an incoming request exports our answer: record one first"));
                };
                let own: Vec<_> = files.iter().filter(|f| f.answer_id.as_deref() == Some(a.id.as_str())).collect();
                (
                    json!({
                        "type": "answer",
                        "issued_at": now,
                        "issuer": issuer,
                        "in_reply_to": r.their_reference.clone().unwrap_or_else(|| r.reference.clone()),
                        "our_reference": r.reference,
                        "answer": { "final": a.is_final, "text": a.body, "answered_at": a.answered_at },
                        "tlp": tlp, "handling": handling,
                    }),
                    own,
                )
            }
        };
        let mut body = body;
        let mut attachments = Vec::with_capacity(chosen.len());
        for f in chosen {
            let store = self.files.clone();
            let key = f.sha256.clone();
            let bytes = tokio::task::spawn_blocking(move || store.get(&key))
                .await
                .map_err(|_| AppError::Store(cordon_store::StoreError::Open("file read interrupted".into())))??;
            attachments.push(attachment(&f.filename, &f.media_type, &bytes));
        }
        body["attachments"] = Value::Array(attachments);
        let package = sign_package(&self.audit_key, body);
        let detail = json!({ "signature": package["signature"]["value"] });
        let event = cordon_store::RequestEvent {
            seq: 0,
            at: now,
            actor_user_id: actor.user.id.clone(),
            actor_unit_id: actor.user.unit_id.clone(),
            kind: "package_exported".into(),
            from_status: None,
            to_status: None,
            reason: String::new(),
            detail: detail.to_string(),
        };
        let audit = actor.audit(now, "request.package.export", "request", id, "ok", detail);
        self.store.insert_request_note(id, &event, &[audit]).await?;
        Ok(package)
    }

    /// Imports a partner's signed answer package to one of our outgoing requests: its
    /// signature must verify with a key trusted for the request's counterpart, it must answer
    /// this request, and every attachment must pass the evidence checks — or nothing is stored.
    pub async fn import_answer_package(&self, actor: &Actor, id: &str, bytes: &[u8]) -> Result<RequestView, AppError> {
        Self::require_request_worker(actor)?;
        let (r, _) = self.visible_request(actor, id, "request.package.import").await?;
        if r.owner_agency_id != actor.agency_id {
            return Err(AppError::Forbidden("the recording agency imports answers to its requests"));
        }
        let recorded = match self.checked_answer(&r, bytes).await {
            Ok((is_final, text, files, key)) => self.record_answer(actor, &r, is_final, text, files, Some(key)).await,
            Err(e) => Err(e),
        };
        match recorded {
            Ok(_) => self.request(actor, id).await,
            Err(e) => {
                let outcome = json!({ "refused": e.to_string() });
                self.store.audit(&[actor.audit(self.now_ms(), "request.package.import", "request", id, "refused", outcome)]).await?;
                Err(e)
            }
        }
    }

    #[allow(clippy::type_complexity)]
    async fn checked_answer(
        &self,
        r: &cordon_store::Request,
        bytes: &[u8],
    ) -> Result<(bool, String, Vec<(String, &'static str, Vec<u8>)>, String), AppError> {
        if r.direction != Direction::Outgoing {
            return Err(bad("package", "an answer package answers a request we sent; this one was received"));
        }
        let trusted: Vec<String> =
            self.store.partner_keys(Some(&r.counterpart.to_code())).await?.into_iter().map(|k| k.public_key).collect();
        let (body, key) = verify_package(bytes, &trusted)?;
        if body.get("type").and_then(Value::as_str) != Some("answer") {
            return Err(bad("package", "not an answer package"));
        }
        if body.get("in_reply_to").and_then(Value::as_str) != Some(r.reference.as_str()) {
            return Err(bad("package", format!("the package answers another request, not {}", r.reference)));
        }
        let answer = body.get("answer").cloned().unwrap_or_default();
        let is_final = answer["final"].as_bool().ok_or_else(|| bad("package", "answer.final must be true or false"))?;
        let text = answer["text"].as_str().map(str::trim).unwrap_or_default().to_string();
        if text.is_empty() || text.chars().count() > 50_000 {
            return Err(bad("package", "answer.text is 1 to 50 000 characters"));
        }
        let list = match body.get("attachments") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => return Err(bad("package", "attachments must be a list")),
        };
        if list.len() > MAX_PACKAGE_ATTACHMENTS {
            return Err(bad("package", format!("at most {MAX_PACKAGE_ATTACHMENTS} attachments")));
        }
        let mut files = Vec::with_capacity(list.len());
        for (i, a) in list.iter().enumerate() {
            let content = base64::engine::general_purpose::STANDARD
                .decode(a["content_base64"].as_str().unwrap_or_default())
                .map_err(|_| bad("package", format!("attachment {}: content_base64 is not base64", i + 1)))?;
            let (filename, media_type) = Self::check_file(a["filename"].as_str().unwrap_or_default(), a["media_type"].as_str(), &content)
                .map_err(|e| bad("package", format!("attachment {}: {e}", i + 1)))?;
            if let Some(sum) = a["sha256"].as_str() {
                if !sum.eq_ignore_ascii_case(&hex::encode(Sha256::digest(&content))) {
                    return Err(bad("package", format!("attachment {}: its SHA-256 does not match its content", i + 1)));
                }
            }
            files.push((filename, media_type, content));
        }
        Ok((is_final, text, files, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_is_jcs() {
        let v: Value = serde_json::from_str(r#"{ "b": [1, "x\n\u0001é"], "a": {"z": null, "Z": true}, "€": -5, "\u00e9": 0 }"#).unwrap();
        assert_eq!(
            String::from_utf8(canonical_json(&v)).unwrap(),
            "{\"a\":{\"Z\":true,\"z\":null},\"b\":[1,\"x\\n\\u0001é\"],\"é\":0,\"€\":-5}"
        );
    }

    #[test]
    fn a_signed_package_verifies_and_any_change_breaks_it() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let trusted = vec![hex::encode(key.verifying_key().as_bytes())];
        let package = sign_package(
            &key,
            json!({ "type": "answer", "in_reply_to": "YC-2026-000001", "answer": { "final": true, "text": "Xác minh: C/O hợp lệ" } }),
        );
        let bytes = serde_json::to_vec_pretty(&package).unwrap();
        assert!(verify_package(&bytes, &trusted).is_ok(), "whitespace does not matter");
        assert!(verify_package(&bytes, &[]).is_err(), "an untrusted key");
        let text_at = bytes.windows(4).position(|w| w == b"C/O ").unwrap();
        for at in [text_at, text_at + 2] {
            let mut altered = bytes.clone();
            altered[at] ^= 0x01;
            assert!(verify_package(&altered, &trusted).is_err(), "byte {at} changed");
        }
    }
}
