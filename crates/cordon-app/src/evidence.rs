//! Evidence files on cases: size- and type-checked, stored by SHA-256, read and written
//! only by those who may see the case, every upload and download audited.

use cordon_core::case::CaseEvent;
use cordon_core::Invalid;
use cordon_store::{Evidence, StoreError};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, CaseView, SharingInput};

/// Largest evidence file accepted: photos, scans and short videos of a seizure.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// An evidence file as listed on a case.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceView {
    /// SHA-256 of the content: its address.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// Media type, from the content.
    pub media_type: String,
    /// Name as uploaded.
    pub filename: String,
    /// Uploaded, ms.
    pub uploaded_at: i64,
    /// The file's own sharing, when narrower than the case's.
    pub sharing: Option<SharingInput>,
}

impl From<Evidence> for EvidenceView {
    fn from(e: Evidence) -> Self {
        EvidenceView {
            sha256: e.sha256,
            size: e.size,
            media_type: e.media_type,
            filename: e.filename,
            uploaded_at: e.uploaded_at,
            sharing: e.sharing.as_ref().map(crate::cases::sharing_view),
        }
    }
}

/// A file to attach to a case.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    /// The file's name as the officer knows it.
    pub filename: String,
    /// The type the uploader declared (checked against the content).
    pub declared_type: Option<String>,
    /// The file's own sharing, no wider than the case's; `None`: as the case.
    pub sharing: Option<SharingInput>,
    /// The content.
    pub bytes: Vec<u8>,
}

/// The media type the content really is, from its first bytes; `None` for kinds not accepted.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [b'%', b'P', b'D', b'F', b'-', ..] => Some("application/pdf"),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some("image/png"),
        [0xFF, 0xD8, 0xFF, ..] => Some("image/jpeg"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => Some("video/mp4"),
        _ => None,
    }
}

pub(crate) fn clean_filename(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > 200
        || name.chars().any(|c| c.is_control() || c == '/' || c == '\\')
        || name == "."
        || name == ".."
    {
        return Err(Invalid::new("filename", "1 to 200 characters, no path separators"));
    }
    Ok(name.to_string())
}

impl App {
    /// Attaches a file to a case the actor may work on, if the case is still at `expected_version`.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        case_id: &str,
        expected_version: i64,
        upload: NewEvidence,
    ) -> Result<CaseView, AppError> {
        let NewEvidence { filename, declared_type, sharing, bytes } = upload;
        let case = self.load_editable(actor, case_id).await?;
        if case.version != expected_version {
            return Err(AppError::Stale);
        }
        let filename = clean_filename(&filename)?;
        let sharing = crate::cases::parse_item_sharing("sharing", sharing.as_ref(), &case.sharing)?;
        if let Some(s) = &sharing {
            self.check_audiences(actor, s, &mut crate::cases::Lookups::default()).await?;
        }
        if bytes.is_empty() || bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(Invalid::new("file", format!("1 byte to {} MiB", MAX_EVIDENCE_BYTES >> 20)).into());
        }
        let media_type = sniff(&bytes).ok_or_else(|| Invalid::new("file", "only PDF, PNG, JPEG, WebP and MP4 files are accepted"))?;
        if let Some(declared) = declared_type.as_deref().map(|d| d.split(';').next().unwrap_or(d).trim()) {
            if declared != media_type && declared != "application/octet-stream" {
                return Err(Invalid::new("media_type", format!("declared {declared}, but the content is {media_type}")).into());
            }
        }
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let size = bytes.len() as i64;
        let files = self.files.clone();
        let key = sha256.clone();
        tokio::task::spawn_blocking(move || files.put(&key, &bytes))
            .await
            .map_err(|_| AppError::Store(StoreError::Open("evidence write interrupted".into())))??;
        let now = self.now_ms();
        let evidence = Evidence {
            case_id: case_id.to_string(),
            sha256: sha256.clone(),
            size,
            media_type: media_type.into(),
            filename: filename.clone(),
            uploaded_by: actor.user.id.clone(),
            uploaded_at: now,
            sharing,
        };
        let event = CaseEvent {
            seq: 0,
            at: now,
            actor_user_id: actor.user.id.clone(),
            actor_unit_id: actor.user.unit_id.clone(),
            kind: "evidence_added".into(),
            from_status: None,
            to_status: None,
            reason: String::new(),
            detail: json!({ "sha256": sha256, "filename": filename, "size": size }).to_string(),
        };
        let audit = actor.audit(now, "evidence.add", "case", case_id, "ok", json!({ "sha256": sha256, "size": size }));
        self.store.insert_evidence(&evidence, expected_version, &event, &[audit]).await.map_err(|e| match e {
            StoreError::Stale => AppError::Stale,
            other => other.into(),
        })?;
        self.case(actor, case_id).await
    }

    /// An evidence file of a case the actor may see, with its bytes; the download is audited.
    pub async fn evidence_file(&self, actor: &Actor, case_id: &str, sha256: &str) -> Result<(EvidenceView, Vec<u8>), AppError> {
        // The case view holds only the files the actor may see.
        let view = self.case(actor, case_id).await?;
        let Some(found) = view.evidence.into_iter().find(|e| e.sha256 == sha256) else {
            self.store
                .audit(&[actor.audit(self.now_ms(), "evidence.read", "case", case_id, "denied", json!({ "sha256": sha256 }))])
                .await?;
            return Err(AppError::NotFound("evidence"));
        };
        self.store.audit(&[actor.audit(self.now_ms(), "evidence.read", "case", case_id, "ok", json!({ "sha256": sha256 }))]).await?;
        let files = self.files.clone();
        let key = sha256.to_string();
        let bytes = tokio::task::spawn_blocking(move || files.get(&key))
            .await
            .map_err(|_| AppError::Store(StoreError::Open("evidence read interrupted".into())))??;
        Ok((found, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_type() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"MZ\x90\x00 an executable"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        assert!(clean_filename("../../etc/passwd").is_err());
        assert!(clean_filename("ảnh hiện trường.jpg").is_ok());
    }
}
