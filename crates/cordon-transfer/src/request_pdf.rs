//! The printable form of a request between administrations: what is asked, of whom, on what
//! basis and by when, with the answers so far, labelled in Vietnamese and English so that it
//! serves a domestic unit and a foreign partner alike.

use cordon_app::RequestView;
use cordon_core::time::civil;

use crate::pdf::{pdf_document, Block};
use crate::TransferError;

/// A date in Vietnam time, dd/mm/yyyy.
fn date(ms: i64) -> String {
    let (year, month, day, _, _) = civil(ms);
    format!("{day:02}/{month:02}/{year:04}")
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

/// The request as a PDF document.
pub fn request_pdf(r: &RequestView) -> Result<Vec<u8>, TransferError> {
    let direction = if r.direction == "outgoing" { "Gửi đi / Outgoing" } else { "Nhận được / Incoming" };
    let mut facts: Vec<[String; 2]> = vec![
        ["Loại yêu cầu / Kind".to_string(), r.kind.clone()],
        ["Chiều / Direction".to_string(), direction.to_string()],
        ["Đối tác / Counterpart".to_string(), format!("{} ({})", r.counterpart_name, r.counterpart)],
        ["Cơ sở pháp lý / Legal basis".to_string(), r.legal_basis.clone()],
        ["Hạn trả lời / Deadline".to_string(), date(r.deadline)],
        ["Trạng thái / Status".to_string(), r.status.clone()],
        ["Đơn vị / Unit".to_string(), format!("{} ({})", r.owner_unit_id, r.owner_agency_id)],
    ];
    if let Some(theirs) = &r.their_reference {
        facts.push(["Số của đối tác / Their reference".to_string(), theirs.clone()]);
    }
    if !r.linked_cases.is_empty() {
        facts.push(["Vụ việc liên quan / Linked cases".to_string(), r.linked_cases.join(", ")]);
    }
    // Facts as lines, not a table: the report writer's tables are for short figures and cut
    // long cells, and a legal basis or a counterpart's name must print whole.
    let mut blocks = vec![Block::Paragraph(format!("{} · {}", r.reference, tlp_line(r))), Block::Title(r.subject.clone())];
    blocks.extend(facts.into_iter().map(|f| Block::Paragraph(format!("{}: {}", f[0], f[1]))));
    blocks.extend([Block::Heading("Nội dung / Details".into()), Block::Paragraph(r.details.clone())]);
    if !r.files.is_empty() {
        blocks.push(Block::Heading("Tệp đính kèm / Attachments".into()));
        blocks.extend(r.files.iter().map(|f| Block::Paragraph(format!("{} ({}), SHA-256 {}", f.filename, f.media_type, f.sha256))));
    }
    for a in &r.answers {
        let which = if a.is_final { "Trả lời / Final answer" } else { "Trả lời một phần / Partial answer" };
        blocks.push(Block::Heading(format!("{which} · {}", date(a.answered_at))));
        blocks.push(Block::Paragraph(a.body.clone()));
    }
    blocks.push(Block::Paragraph(format!("In từ Cordon ngày {0} / Printed from Cordon on {0}", date(r.updated_at))));
    pdf_document(&r.reference, &blocks)
}
