//! The printable form of a request between administrations: what is asked, of whom, on what
//! basis and by when, with the answers so far, labelled in Vietnamese and English so that it
//! serves a domestic unit and a foreign partner alike.

use cordon_app::RequestView;
use cordon_core::time::civil;

use crate::pdf::{Pdf, PdfError};

/// A date in Vietnam time, dd/mm/yyyy.
fn date(ms: i64) -> String {
    let (year, month, day, _, _) = civil(ms);
    format!("{day:02}/{month:02}/{year:04}")
}

/// The request as a PDF document.
pub fn request_pdf(r: &RequestView) -> Result<Vec<u8>, PdfError> {
    let mut pdf = Pdf::new(&format!("{} — {}", r.reference, r.subject))?;
    pdf.text(&format!("{} · {}", r.reference, tlp_line(r)), 9.0);
    pdf.space(6.0);
    pdf.text(&r.subject, 16.0);
    pdf.space(6.0);
    let direction = if r.direction == "outgoing" { "Gửi đi / Outgoing" } else { "Nhận được / Incoming" };
    let mut rows = vec![
        vec!["Loại yêu cầu / Kind".to_string(), r.kind.clone()],
        vec!["Chiều / Direction".to_string(), direction.to_string()],
        vec!["Đối tác / Counterpart".to_string(), format!("{} ({})", r.counterpart_name, r.counterpart)],
        vec!["Cơ sở pháp lý / Legal basis".to_string(), r.legal_basis.clone()],
        vec!["Hạn trả lời / Deadline".to_string(), date(r.deadline)],
        vec!["Trạng thái / Status".to_string(), r.status.clone()],
        vec!["Đơn vị / Unit".to_string(), format!("{} ({})", r.owner_unit_id, r.owner_agency_id)],
    ];
    if let Some(theirs) = &r.their_reference {
        rows.push(vec!["Số của đối tác / Their reference".to_string(), theirs.clone()]);
    }
    if !r.linked_cases.is_empty() {
        rows.push(vec!["Vụ việc liên quan / Linked cases".to_string(), r.linked_cases.join(", ")]);
    }
    pdf.table(&[1.0, 2.2], &["", ""], &rows);
    pdf.space(10.0);
    pdf.text("Nội dung / Details", 12.0);
    pdf.text(&r.details, 10.0);
    if !r.files.is_empty() {
        pdf.space(8.0);
        pdf.text("Tệp đính kèm / Attachments", 12.0);
        let files: Vec<Vec<String>> = r.files.iter().map(|f| vec![f.filename.clone(), f.media_type.clone(), f.sha256.clone()]).collect();
        pdf.table(&[1.4, 0.8, 2.4], &["Tên / Name", "Loại / Type", "SHA-256"], &files);
    }
    for a in &r.answers {
        pdf.space(10.0);
        let which = if a.is_final { "Trả lời / Final answer" } else { "Trả lời một phần / Partial answer" };
        pdf.text(&format!("{which} · {}", date(a.answered_at)), 12.0);
        pdf.text(&a.body, 10.0);
    }
    pdf.space(14.0);
    pdf.text(&format!("In từ Cordon ngày {} / Printed from Cordon on {}", date(r.updated_at), date(r.updated_at)), 8.0);
    pdf.finish()
}

fn tlp_line(r: &RequestView) -> String {
    let tlp = match r.sharing.tlp.as_str() {
        "red" => "TLP:RED",
        "amber_strict" => "TLP:AMBER+STRICT",
        "amber" => "TLP:AMBER",
        "green" => "TLP:GREEN",
        _ => "TLP:CLEAR",
    };
    if r.sharing.handling.is_empty() {
        tlp.to_string()
    } else {
        format!("{tlp} · {}", r.sharing.handling.join(", "))
    }
}
