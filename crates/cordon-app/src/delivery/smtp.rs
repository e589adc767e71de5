//! A small SMTP client (RFC 5321) over a plain TCP connection — EHLO, MAIL FROM, RCPT TO,
//! DATA, QUIT — and the e-mail a notice becomes. Why our own: one message per delivery to
//! one relay is all Cordon sends, and a mail library would bring TLS stacks and more.

use base64::Engine;
use cordon_core::delivery::DeliveryEvent;
use cordon_core::time::{civil, VN_OFFSET_MS};
use cordon_store::Notice;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::{delivery_key, SendError, SmtpSettings};

/// One message: the envelope and the text after DATA (headers, blank line, body; CRLF lines).
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub from: String,
    pub to: String,
    pub data: String,
}

/// Longest reply line read from a server: RFC 5321 allows 512 octets.
const MAX_REPLY_LINE: u64 = 2048;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A header value in RFC 2047 encoded words (UTF-8, base64), folded so no line is too long.
fn encoded_words(text: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        // 45 bytes of UTF-8 make 60 base64 characters: with the wrapper, under 76 per word.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(format!("=?UTF-8?B?{}?=", b64(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() || words.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", b64(chunk.as_bytes())));
    }
    words.join("\r\n ")
}

/// RFC 5322 date in Vietnam time, e.g. `Thu, 15 Jan 2026 08:00:00 +0700`.
fn rfc5322_date(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (y, m, d, h, min) = civil(ms);
    let weekday = ((ms + VN_OFFSET_MS).div_euclid(86_400_000) + 4).rem_euclid(7) as usize;
    let sec = ms.div_euclid(1000).rem_euclid(60);
    format!("{}, {d:02} {} {y} {h:02}:{min:02}:{sec:02} +0700", DAYS[weekday], MONTHS[(m - 1).clamp(0, 11) as usize])
}

/// `dd/mm/yyyy hh:mm`, Vietnam time, as officers read dates.
fn vn_time(ms: i64) -> String {
    let (y, m, d, h, min) = civil(ms);
    format!("{d:02}/{m:02}/{y} {h:02}:{min:02}")
}

/// Only what is safe inside a Message-ID's angle brackets.
fn id_part(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' }).collect()
}

/// The e-mail a notice becomes for one person. Its `Message-ID` is the same on every retry
/// of this delivery (notice, event, person), so a mail system can drop a second copy.
pub(crate) fn notice_message(
    smtp: &SmtpSettings,
    to: &str,
    recipient_name: &str,
    n: &Notice,
    event: DeliveryEvent,
    user_id: &str,
    now: i64,
) -> Message {
    let domain = smtp.from.rsplit_once('@').map_or("cordon.invalid", |(_, d)| d);
    let message_id = format!("<{}.{}.{}@{}>", id_part(&n.id), event.as_str(), id_part(user_id), id_part(domain));
    let prefix = match event {
        DeliveryEvent::Raise => "",
        DeliveryEvent::Escalate => "[CHUYỂN CẤP / ESCALATED] ",
    };
    let subject = format!("{prefix}[{}] {}: {}", n.priority.label(), n.kind.label(), n.title);
    let mut body = String::new();
    body.push_str(&format!("{} — {} priority\r\n", n.kind.label(), n.priority.label()));
    body.push_str(&format!("Từ đơn vị / From unit: {}\r\n", n.from_unit_id));
    body.push_str(&format!("Lúc / Raised: {} (giờ Việt Nam)\r\n", vn_time(n.created_at)));
    body.push_str(&format!("Xác nhận trước / Acknowledge by: {}\r\n", vn_time(n.ack_deadline)));
    if event == DeliveryEvent::Escalate {
        body.push_str("Chưa được xác nhận đúng hạn: chuyển đến anh/chị. / Not acknowledged in time: escalated to you.\r\n");
    }
    if let Some(case) = &n.case_id {
        body.push_str(&format!("Vụ việc / Case: {case}\r\n"));
    }
    body.push_str(&format!("Mã thông báo / Notice: {}\r\n\r\n{}\r\n\r\n{}\r\n", n.id, n.title, n.body.replace('\n', "\r\n")));
    let encoded = b64(body.as_bytes());
    let lines: Vec<&str> = encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    let to_header = if recipient_name.trim().is_empty() { format!("<{to}>") } else { format!("{} <{to}>", encoded_words(recipient_name)) };
    let data = format!(
        "Date: {}\r\nFrom: Cordon <{}>\r\nTo: {to_header}\r\nSubject: {}\r\nMessage-ID: {message_id}\r\nX-Cordon-Notice: {}\r\n\
         X-Cordon-Delivery-Key: {}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        rfc5322_date(now),
        smtp.from,
        encoded_words(&subject),
        n.id,
        delivery_key(&n.id, event, user_id),
        lines.join("\r\n"),
    );
    Message { from: smtp.from.clone(), to: to.to_string(), data }
}

/// A scheduled report's e-mail: a short text and the report attached (multipart/mixed, both
/// parts base64). Its `Message-ID` names the schedule, period and recipient, so a resend after a
/// failure on a later recipient is recognisable as the same message.
pub(crate) fn report_message(
    smtp: &SmtpSettings,
    to: &str,
    subject: &str,
    text: &str,
    file: (&str, &str, &[u8]),
    key: &str,
    now: i64,
) -> Message {
    let (filename, content_type, bytes) = file;
    let domain = smtp.from.rsplit_once('@').map_or("cordon.invalid", |(_, d)| d);
    let boundary = format!("cordon-{}", id_part(key));
    let wrap = |b: &[u8]| {
        let encoded = b64(b);
        encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or_default().to_string()).collect::<Vec<_>>().join("\r\n")
    };
    let data = format!(
        "Date: {}\r\nFrom: Cordon <{}>\r\nTo: <{to}>\r\nSubject: {}\r\nMessage-ID: <{}.{}@{}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Type: {content_type}\r\nContent-Disposition: attachment; filename=\"{}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--{boundary}--\r\n",
        rfc5322_date(now),
        smtp.from,
        encoded_words(subject),
        id_part(key),
        id_part(to),
        id_part(domain),
        wrap(text.replace('\n', "\r\n").as_bytes()),
        id_part(filename),
        wrap(bytes),
    );
    Message { from: smtp.from.clone(), to: to.to_string(), data }
}

/// A server's reply: its code and the text of its last line.
async fn reply<R: tokio::io::AsyncRead + Unpin>(r: &mut BufReader<R>) -> Result<(u16, String), SendError> {
    loop {
        let mut line = String::new();
        let n = (&mut *r).take(MAX_REPLY_LINE).read_line(&mut line).await.map_err(|e| SendError::transient(format!("SMTP read: {e}")))?;
        if n == 0 {
            return Err(SendError::transient("the SMTP server closed the connection"));
        }
        let line = line.trim_end();
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok()).ok_or_else(|| SendError::transient(format!("SMTP: {line:?}")))?;
        // "250-…" lines continue a reply; "250 …" (or a bare "250") ends it.
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok((code, line.to_string()));
        }
    }
}

/// Expects a reply in `ok`; a 5xx is permanent (the server refuses), anything else transient.
async fn expect<R: tokio::io::AsyncRead + Unpin>(r: &mut BufReader<R>, ok: &[u16], step: &str) -> Result<(), SendError> {
    let (code, text) = reply(r).await?;
    if ok.contains(&code) {
        Ok(())
    } else if (500..600).contains(&code) {
        Err(SendError::permanent(format!("SMTP {step}: {text}")))
    } else {
        Err(SendError::transient(format!("SMTP {step}: {text}")))
    }
}

async fn command<W: tokio::io::AsyncWrite + Unpin>(w: &mut W, line: &str) -> Result<(), SendError> {
    w.write_all(format!("{line}\r\n").as_bytes()).await.map_err(|e| SendError::transient(format!("SMTP write: {e}")))
}

/// Sends one message through the relay at `host:port`.
pub(crate) async fn send(host: &str, port: u16, m: &Message) -> Result<(), SendError> {
    let stream = TcpStream::connect((host, port)).await.map_err(|e| SendError::transient(format!("SMTP connect {host}:{port}: {e}")))?;
    let (read, mut w) = stream.into_split();
    let mut r = BufReader::new(read);
    expect(&mut r, &[220], "greeting").await?;
    command(&mut w, "EHLO cordon").await?;
    if let Err(e) = expect(&mut r, &[250], "EHLO").await {
        // An old server without ESMTP: say HELO instead.
        if !e.permanent {
            return Err(e);
        }
        command(&mut w, "HELO cordon").await?;
        expect(&mut r, &[250], "HELO").await?;
    }
    command(&mut w, &format!("MAIL FROM:<{}>", m.from)).await?;
    expect(&mut r, &[250], "MAIL FROM").await?;
    command(&mut w, &format!("RCPT TO:<{}>", m.to)).await?;
    expect(&mut r, &[250, 251], "RCPT TO").await?;
    command(&mut w, "DATA").await?;
    expect(&mut r, &[354], "DATA").await?;
    let mut data = String::with_capacity(m.data.len() + 16);
    for line in m.data.split("\r\n") {
        // Dot-stuffing: a line starting with "." would otherwise end the message early.
        if line.starts_with('.') {
            data.push('.');
        }
        data.push_str(line);
        data.push_str("\r\n");
    }
    // The message ends in CRLF already; ".\r\n" closes it.
    let data = data.trim_end_matches("\r\n").to_string() + "\r\n.\r\n";
    w.write_all(data.as_bytes()).await.map_err(|e| SendError::transient(format!("SMTP write: {e}")))?;
    expect(&mut r, &[250], "end of data").await?;
    // Accepted: a failed QUIT changes nothing.
    let _ = command(&mut w, "QUIT").await;
    let _ = reply(&mut r).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_headers_are_what_mail_systems_read() {
        // 2026-01-15 08:00 in Vietnam is a Thursday.
        assert_eq!(rfc5322_date(1_768_438_800_000), "Thu, 15 Jan 2026 08:00:00 +0700");
        let w = encoded_words("Truy đuổi xe tải 12C-001.23 rời khu vực cửa khẩu Hữu Nghị");
        assert!(w.lines().all(|l| l.len() <= 78) && w.starts_with("=?UTF-8?B?"), "{w}");
        let decoded: String = w
            .split("\r\n ")
            .map(|word| {
                let inner = word.trim_start_matches("=?UTF-8?B?").trim_end_matches("?=");
                String::from_utf8(base64::engine::general_purpose::STANDARD.decode(inner).unwrap()).unwrap()
            })
            .collect();
        assert_eq!(decoded, "Truy đuổi xe tải 12C-001.23 rời khu vực cửa khẩu Hữu Nghị");
        assert_eq!(id_part("a b<c>"), "a-b-c-");
    }
}
