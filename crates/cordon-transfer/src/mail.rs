//! E-mail as tips arrive in it: one message (RFC 5322 with MIME parts), or a whole mailbox file
//! (mbox). Only what a tip needs is read: Message-ID, sender, subject, the text (the first
//! plain-text part, else the HTML part without its tags) and attached files.

use base64::Engine;
use cordon_app::EmailTip;
use thiserror::Error;

/// Why a message cannot be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MailError {
    /// No blank line between header and body, or no header at all.
    #[error("not an e-mail message: no header")]
    NoHeader,
    /// A multipart message whose parts cannot be found.
    #[error("a multipart message without its boundary")]
    NoBoundary,
}

/// Deepest nesting of multipart parts followed (forwarded messages nest; bombs nest deeper).
const MAX_DEPTH: usize = 8;

/// The header and body of a message or part.
fn split_head(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    let crlf = find(raw, b"\r\n\r\n").map(|i| (i, 4));
    let lf = find(raw, b"\n\n").map(|i| (i, 2));
    let (i, n) = match (crlf, lf) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some((&raw[..i], &raw[i + n..]))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Header fields, unfolded, names lower-cased.
fn fields(head: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(head);
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A parameter of a structured field: `boundary` of `multipart/mixed; boundary="x"`.
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Text in a charset: UTF-8 and ASCII as they are, Latin-1 byte for byte, anything else
/// read as UTF-8 with replacement characters rather than refused.
fn decode_charset(bytes: &[u8], charset: &str) -> String {
    match charset.to_ascii_lowercase().as_str() {
        "iso-8859-1" | "latin1" | "latin-1" => bytes.iter().map(|&b| b as char).collect(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn quoted_printable(body: &[u8], header: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'=' if body.get(i + 1) == Some(&b'\r') && body.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' if body.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 2 < body.len() => match u8::from_str_radix(&String::from_utf8_lossy(&body[i + 1..i + 3]), 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                }
                Err(_) => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b'_' if header => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn base64_lenient(body: &[u8]) -> Vec<u8> {
    let clean: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(&clean).unwrap_or_default()
}

/// A header value with its RFC 2047 encoded words (`=?UTF-8?B?…?=`) decoded.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let (before, after) = rest.split_at(start);
        let decoded = (|| {
            let mut parts = after[2..].splitn(3, '?');
            let (charset, enc, tail) = (parts.next()?, parts.next()?, parts.next()?);
            let end = tail.find("?=")?;
            let text = &tail[..end];
            let bytes = match enc.to_ascii_uppercase().as_str() {
                "B" => base64_lenient(text.as_bytes()),
                "Q" => quoted_printable(text.as_bytes(), true),
                _ => return None,
            };
            Some((decode_charset(&bytes, charset), 2 + charset.len() + 1 + enc.len() + 1 + end + 2))
        })();
        match decoded {
            Some((text, used)) => {
                // Whitespace between two encoded words is not part of the text.
                if !(last_was_word && before.trim().is_empty()) {
                    out.push_str(before);
                }
                out.push_str(&text);
                rest = &after[used..];
                last_was_word = true;
            }
            None => {
                out.push_str(before);
                out.push_str("=?");
                rest = &after[2..];
                last_was_word = false;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text of an HTML part, without tags, script or style, entities for the common few.
fn strip_html(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut skip_until: Option<&str> = None;
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        if let Some(end) = skip_until {
            match lower[i..].find(end) {
                Some(j) => {
                    i += j + end.len();
                    skip_until = None;
                }
                None => break,
            }
            continue;
        }
        let Some(c) = html[i..].chars().next() else { break };
        if c == '<' {
            if lower[i..].starts_with("<script") {
                skip_until = Some("</script>");
            } else if lower[i..].starts_with("<style") {
                skip_until = Some("</style>");
            } else if lower[i..].starts_with("<br") || lower[i..].starts_with("<p") || lower[i..].starts_with("</p") {
                out.push('\n');
            }
            in_tag = true;
        } else if c == '>' && in_tag {
            in_tag = false;
        } else if !in_tag {
            out.push(c);
        }
        i += c.len_utf8();
    }
    out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
}

/// What a part holds once decoded.
#[derive(Default)]
struct Collected {
    plain: Option<String>,
    html: Option<String>,
    files: Vec<(String, Vec<u8>)>,
}

fn walk(raw: &[u8], depth: usize, acc: &mut Collected) -> Result<(), MailError> {
    let (head, body) = split_head(raw).unwrap_or((raw, &[]));
    let f = fields(head);
    let ctype = field(&f, "content-type").unwrap_or("text/plain; charset=us-ascii");
    let mime = ctype.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if mime.starts_with("multipart/") && depth < MAX_DEPTH {
        let boundary = param(ctype, "boundary").ok_or(MailError::NoBoundary)?;
        let delimiter = format!("--{boundary}");
        let text = body;
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut starts: Vec<usize> = Vec::new();
        let mut at = 0;
        while let Some(i) = find(&text[at..], delimiter.as_bytes()) {
            starts.push(at + i);
            at += i + delimiter.len();
        }
        for w in starts.windows(2) {
            let part = &text[w[0] + delimiter.len()..w[1]];
            // The delimiter line's own end, and the line break that belongs to the next delimiter.
            let part = part.strip_prefix(b"\r\n").or_else(|| part.strip_prefix(b"\n")).unwrap_or(part);
            let part = part.strip_suffix(b"\r\n").or_else(|| part.strip_suffix(b"\n")).unwrap_or(part);
            parts.push(part);
        }
        for p in parts {
            walk(p, depth + 1, acc)?;
        }
        return Ok(());
    }
    let encoding = field(&f, "content-transfer-encoding").unwrap_or("7bit").to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "base64" => base64_lenient(body),
        "quoted-printable" => quoted_printable(body, false),
        _ => body.to_vec(),
    };
    let disposition = field(&f, "content-disposition").unwrap_or("");
    let filename = param(disposition, "filename").or_else(|| param(ctype, "name")).map(|n| decode_words(&n));
    if disposition.to_ascii_lowercase().starts_with("attachment") || (filename.is_some() && !mime.starts_with("text/")) {
        acc.files.push((filename.unwrap_or_else(|| "attachment".into()), bytes));
        return Ok(());
    }
    let charset = param(ctype, "charset").unwrap_or_else(|| "utf-8".into());
    match mime.as_str() {
        "text/plain" if acc.plain.is_none() => acc.plain = Some(decode_charset(&bytes, &charset)),
        "text/html" if acc.html.is_none() => acc.html = Some(strip_html(&decode_charset(&bytes, &charset))),
        _ => {}
    }
    Ok(())
}

/// Reads one message. A message without a Message-ID is named by the SHA-256 of its bytes,
/// so importing it twice still makes one tip.
pub fn parse_email(raw: &[u8]) -> Result<EmailTip, MailError> {
    let (head, _) = split_head(raw).ok_or(MailError::NoHeader)?;
    let f = fields(head);
    if f.is_empty() {
        return Err(MailError::NoHeader);
    }
    let mut acc = Collected::default();
    walk(raw, 0, &mut acc)?;
    let message_id = match field(&f, "message-id").map(|m| m.trim().trim_start_matches('<').trim_end_matches('>').trim()) {
        Some(m) if !m.is_empty() => m.to_string(),
        _ => {
            use sha2::Digest;
            format!("sha256:{}", hex::encode(sha2::Sha256::digest(raw)))
        }
    };
    let body = acc.plain.or(acc.html).unwrap_or_default();
    Ok(EmailTip {
        message_id,
        from: decode_words(field(&f, "from").unwrap_or_default()),
        subject: decode_words(field(&f, "subject").unwrap_or_default()),
        body: body.replace("\r\n", "\n").trim().to_string(),
        files: acc.files,
    })
}

/// The messages of an mbox file, each with the line its "From " separator is on; `>From ` at a
/// line start inside a message is unescaped (mboxrd).
pub fn split_mbox(raw: &[u8]) -> Vec<(usize, Vec<u8>)> {
    let mut out: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut current: Option<(usize, Vec<u8>)> = None;
    for (i, line) in raw.split_inclusive(|&b| b == b'\n').enumerate() {
        if line.starts_with(b"From ") {
            if let Some(m) = current.take() {
                out.push(m);
            }
            current = Some((i + 1, Vec::new()));
            continue;
        }
        if let Some((_, msg)) = current.as_mut() {
            let unescaped = if line.starts_with(b">") && line.iter().skip_while(|&&b| b == b'>').take(5).eq(b"From ".iter()) {
                &line[1..]
            } else {
                line
            };
            msg.extend_from_slice(unescaped);
        }
    }
    out.extend(current);
    out
}

/// One field of a `multipart/form-data` body: its name, the file name if it is a file, and its bytes.
pub type FormPart = (String, Option<String>, Vec<u8>);

/// The fields of a `multipart/form-data` body (a web form with files: the same MIME parts as
/// mail), given the request's Content-Type; `None` when it is not such a body.
pub fn parse_form_data(content_type: &str, body: &[u8]) -> Option<Vec<FormPart>> {
    if !content_type.trim().to_ascii_lowercase().starts_with("multipart/form-data") {
        return None;
    }
    let boundary = param(content_type, "boundary")?;
    let delimiter = format!("--{boundary}");
    let mut starts: Vec<usize> = Vec::new();
    let mut at = 0;
    while let Some(i) = find(&body[at..], delimiter.as_bytes()) {
        starts.push(at + i);
        at += i + delimiter.len();
    }
    let mut out = Vec::new();
    for w in starts.windows(2) {
        let part = &body[w[0] + delimiter.len()..w[1]];
        let part = part.strip_prefix(b"\r\n").or_else(|| part.strip_prefix(b"\n")).unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").or_else(|| part.strip_suffix(b"\n")).unwrap_or(part);
        let (head, content) = split_head(part)?;
        let f = fields(head);
        let disposition = field(&f, "content-disposition").unwrap_or("");
        let Some(name) = param(disposition, "name") else { continue };
        let filename = param(disposition, "filename").filter(|n| !n.is_empty());
        out.push((name, filename, content.to_vec()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MULTIPART: &str = "From: =?UTF-8?B?Tmd1eeG7hW4gVsSDbiBBbg==?= <an@example.vn>\r\n\
Subject: =?UTF-8?Q?Tin_b=C3=A1o_bu=C3=B4n_l=E1=BA=ADu?=\r\n\
Message-ID: <abc123@example.vn>\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
\r\n\
preamble\r\n\
--XYZ\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Xe t=E1=BA=A3i ch=E1=BB=9F thu=E1=BB=91c l=C3=A1 qua T=C3=A2n Thanh =\r\n\
l=C3=BAc 2 gi=E1=BB=9D s=C3=A1ng.\r\n\
--XYZ\r\n\
Content-Type: image/png; name=\"anh.png\"\r\n\
Content-Disposition: attachment; filename=\"anh.png\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
iVBORw0KGgoAAAANSUhEUg==\r\n\
--XYZ--\r\n";

    #[test]
    fn a_multipart_message_gives_its_text_and_files() {
        let m = parse_email(MULTIPART.as_bytes()).unwrap();
        assert_eq!(m.message_id, "abc123@example.vn");
        assert_eq!(m.from, "Nguyễn Văn An <an@example.vn>");
        assert_eq!(m.subject, "Tin báo buôn lậu");
        assert_eq!(m.body, "Xe tải chở thuốc lá qua Tân Thanh lúc 2 giờ sáng.");
        assert_eq!(m.files.len(), 1);
        assert_eq!(m.files[0].0, "anh.png");
        assert!(m.files[0].1.starts_with(&[0x89, b'P', b'N', b'G']));
    }

    #[test]
    fn html_only_mail_is_read_without_its_tags_and_a_missing_id_is_stable() {
        let raw = "From: x@y\nSubject: hi\nContent-Type: text/html\n\n<html><style>p{}</style><p>B&aacute;n <b>h&agrave;ng gi&#7843;</b> &amp; lậu</p></html>\n";
        let m = parse_email(raw.as_bytes()).unwrap();
        assert!(m.body.contains("Bán") || m.body.contains("B&aacute;n"));
        assert!(m.body.contains("& lậu") && !m.body.contains("<b>") && !m.body.contains("p{}"), "{}", m.body);
        assert!(m.message_id.starts_with("sha256:"));
        assert_eq!(parse_email(raw.as_bytes()).unwrap().message_id, m.message_id);
    }

    #[test]
    fn a_web_form_with_files_is_read_like_mail() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nHàng lậu\r\n--b\r\n\
Content-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG!\r\n--b\r\n\
Content-Disposition: form-data; name=\"files\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--b--\r\n";
        let parts = parse_form_data("multipart/form-data; boundary=b", body.as_bytes()).unwrap();
        assert_eq!(parts[0], ("body".to_string(), None, "Hàng lậu".as_bytes().to_vec()));
        assert_eq!(parts[1].1.as_deref(), Some("a.png"));
        assert_eq!(parts[1].2, b"PNG!".to_vec());
        assert_eq!(parts[2], ("files".to_string(), None, Vec::new()), "an empty file input sends a nameless empty part");
        assert!(parse_form_data("application/x-www-form-urlencoded", b"a=b").is_none());
    }

    #[test]
    fn junk_is_refused() {
        assert_eq!(parse_email(b"no header here").unwrap_err(), MailError::NoHeader);
        assert_eq!(parse_email(b"Content-Type: multipart/mixed\n\nbody").unwrap_err(), MailError::NoBoundary);
    }

    #[test]
    fn an_mbox_splits_on_from_lines_and_unescapes() {
        let mbox = "From a@b Mon Jan  1 00:00:00 2026\nSubject: one\n\n>From the border\n\nFrom c@d Mon Jan  1 00:00:01 2026\nSubject: two\n\nbody\n";
        let msgs = split_mbox(mbox.as_bytes());
        assert_eq!(msgs.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![1, 6]);
        let first = parse_email(&msgs[0].1).unwrap();
        assert_eq!((first.subject.as_str(), first.body.as_str()), ("one", "From the border"));
        assert_eq!(parse_email(&msgs[1].1).unwrap().subject, "two");
    }
}
