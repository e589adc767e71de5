//! Writing the cases a caller may see: CSV, XLSX, NDJSON and FollowTheMoney entities.

use std::io::{Cursor, Write};

use cordon_app::CaseView;
use serde_json::{json, Value};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::TransferError;

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One case per line, as the API shows it.
    Ndjson,
    /// One row per case, flat.
    Csv,
    /// An Excel workbook, one row per case, the same columns as CSV.
    Xlsx,
    /// FollowTheMoney entities, one per line (Event for the case; Person, Company, Vehicle, Vessel for parties).
    Ftm,
}

impl ExportFormat {
    /// By name: `ndjson`, `csv`, `xlsx`, `ftm`.
    pub fn from_name(name: &str) -> Option<ExportFormat> {
        match name.to_ascii_lowercase().as_str() {
            "ndjson" | "jsonl" => Some(ExportFormat::Ndjson),
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            "ftm" => Some(ExportFormat::Ftm),
            _ => None,
        }
    }

    /// The media type of the file.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Ndjson | ExportFormat::Ftm => "application/x-ndjson",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Ftm => "ftm.json",
        }
    }
}

/// Writes cases in a format.
pub fn write_cases(format: ExportFormat, cases: &[CaseView], out: &mut dyn Write) -> Result<(), TransferError> {
    match format {
        ExportFormat::Ndjson => {
            for c in cases {
                serde_json::to_writer(&mut *out, c).map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            w.write_record(TABLE_HEADER).map_err(csv_error)?;
            for c in cases {
                w.write_record(table_row(c).iter().map(Cell::text)).map_err(csv_error)?;
            }
            w.flush()?;
        }
        ExportFormat::Xlsx => out.write_all(&xlsx(cases)?)?,
        ExportFormat::Ftm => {
            for c in cases {
                for entity in ftm_entities(c) {
                    serde_json::to_writer(&mut *out, &entity).map_err(std::io::Error::from)?;
                    out.write_all(b"\n")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn csv_error(e: csv::Error) -> TransferError {
    TransferError::Io(std::io::Error::other(e.to_string()))
}

const TABLE_HEADER: [&str; 12] = [
    "reference",
    "external_ref",
    "case_type",
    "status",
    "title",
    "detected_at",
    "province",
    "port",
    "tlp",
    "total_value_vnd",
    "goods",
    "parties",
];

/// One cell of a table written as CSV or XLSX.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (an inline string in XLSX).
    Text(String),
    /// A whole number (a number in XLSX, so that spreadsheets can sum it).
    Number(i64),
    /// A decimal number.
    Decimal(f64),
    /// Nothing.
    Empty,
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(n) => n.to_string(),
            Cell::Decimal(x) => x.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

fn table_row(c: &CaseView) -> Vec<Cell> {
    let goods: Vec<&str> = c.goods.iter().map(|g| g.description.as_str()).collect();
    let parties: Vec<String> =
        c.parties.iter().map(|p| p.name.clone().unwrap_or_else(|| format!("({} held by {})", p.kind, p.held_by))).collect();
    let (y, m, d, hh, mm) = cordon_core::time::civil(c.detected_at);
    let text = |s: &str| Cell::Text(s.to_string());
    vec![
        text(&c.reference),
        text(c.external_ref.as_deref().unwrap_or("")),
        text(&c.case_type),
        text(&c.status),
        text(&c.title),
        Cell::Text(format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}+07:00")),
        text(c.province_code.as_deref().unwrap_or("")),
        text(c.port_code.as_deref().unwrap_or("")),
        text(&c.sharing.tlp),
        Cell::Number(c.total_value_vnd),
        Cell::Text(goods.join("; ")),
        Cell::Text(parties.join("; ")),
    ]
}

/// Text as XML character data: escaped, and without the control characters XML forbids.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A column letter: 0 → A, 25 → Z, 26 → AA.
fn column_name(mut i: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    name.reverse();
    String::from_utf8_lossy(&name).into_owned()
}

/// A minimal Office Open XML workbook: one sheet, inline strings, numbers as numbers.
fn xlsx(cases: &[CaseView]) -> Result<Vec<u8>, TransferError> {
    let header: Vec<Cell> = TABLE_HEADER.iter().map(|h| Cell::Text(h.to_string())).collect();
    xlsx_table("Cases", std::iter::once(header).chain(cases.iter().map(table_row)))
}

/// Writes rows (the first one the header, usually) as CSV.
pub fn csv_table(rows: impl IntoIterator<Item = Vec<Cell>>, out: &mut dyn Write) -> Result<(), TransferError> {
    let mut w = csv::Writer::from_writer(&mut *out);
    for row in rows {
        w.write_record(row.iter().map(Cell::text)).map_err(csv_error)?;
    }
    w.flush()?;
    Ok(())
}

/// A workbook of one sheet named `sheet_name` holding `rows`: the minimal Office Open XML a
/// spreadsheet opens, inline strings, numbers as numbers.
pub fn xlsx_table(sheet_name: &str, rows: impl IntoIterator<Item = Vec<Cell>>) -> Result<Vec<u8>, TransferError> {
    let mut sheet = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (r, row) in rows.into_iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let at = format!("{}{}", column_name(c), r + 1);
            match cell {
                Cell::Number(n) => sheet.push_str(&format!("<c r=\"{at}\"><v>{n}</v></c>")),
                Cell::Decimal(x) if x.is_finite() => sheet.push_str(&format!("<c r=\"{at}\"><v>{x}</v></c>")),
                Cell::Decimal(_) | Cell::Empty => {}
                Cell::Text(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    sheet.push_str(&format!("<c r=\"{at}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>", xml_text(t)))
                }
            }
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    let workbook = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
         <sheets><sheet name=\"{}\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        xml_text(sheet_name)
    );
    let parts: [(&str, &str); 5] = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             </Types>",
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>\
             </Relationships>",
        ),
        ("xl/workbook.xml", &workbook),
        (
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
             <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
             </Relationships>",
        ),
        ("xl/worksheets/sheet1.xml", &sheet),
    ];
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let zip_error = |e: zip::result::ZipError| TransferError::Io(std::io::Error::other(e.to_string()));
    for (name, body) in parts {
        zip.start_file(name, options).map_err(zip_error)?;
        zip.write_all(body.as_bytes())?;
    }
    Ok(zip.finish().map_err(zip_error)?.into_inner())
}

/// FollowTheMoney entities for a case: an `Event` for the case and one entity per party
/// whose identity the viewer may see (withheld parties are not exported).
pub fn ftm_entities(c: &CaseView) -> Vec<Value> {
    let (y, m, d, ..) = cordon_core::time::civil(c.detected_at);
    let mut out = Vec::new();
    let mut involved = Vec::new();
    for p in c.parties.iter().filter(|p| !p.withheld) {
        let Some(id) = &p.entity_id else { continue };
        let name = p.name.clone().unwrap_or_default();
        let id = format!("cordon-{id}");
        let (schema, mut props) = match p.kind.as_str() {
            "person" => ("Person", json!({ "name": [name] })),
            "company" => ("Company", json!({ "name": [name] })),
            "vehicle" => ("Vehicle", json!({ "name": [name] })),
            "vessel" => ("Vessel", json!({ "name": [name] })),
            _ => ("LegalEntity", json!({ "name": [name] })),
        };
        for (scheme, value) in &p.identifiers {
            let prop = match (schema, scheme.as_str()) {
                ("Person", "cccd" | "cmnd") => "idNumber",
                ("Person", "passport") => "passportNumber",
                ("Person" | "Company" | "LegalEntity", "phone") => "phone",
                ("Company" | "LegalEntity", "tax_code") => "taxNumber",
                ("Vehicle", "plate") => "registrationNumber",
                ("Vessel", "imo") => "imoNumber",
                ("Vessel", "mmsi") => "mmsi",
                _ => continue,
            };
            props[prop] = json!([value]);
        }
        if schema == "Person" || schema == "Company" {
            props["country"] = json!(["vn"]);
        }
        involved.push(id.clone());
        out.push(json!({ "id": id, "schema": schema, "properties": props }));
    }
    let event = json!({
        "id": format!("cordon-case-{}", c.id),
        "schema": "Event",
        "properties": {
            "name": [c.title],
            "summary": [c.summary],
            "date": [format!("{y:04}-{m:02}-{d:02}")],
            "country": ["vn"],
            "location": [c.province_code.clone().unwrap_or_default()],
            "involved": involved,
            "recordId": [c.reference],
        }
    });
    out.insert(0, event);
    // FollowTheMoney has no empty values: drop them (an empty summary, an unknown province).
    for e in &mut out {
        if let Some(props) = e["properties"].as_object_mut() {
            for values in props.values_mut() {
                if let Some(list) = values.as_array_mut() {
                    list.retain(|v| v.as_str().is_none_or(|s| !s.trim().is_empty()));
                }
            }
            props.retain(|_, v| v.as_array().is_none_or(|l| !l.is_empty()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_escaping() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(xml_text("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
