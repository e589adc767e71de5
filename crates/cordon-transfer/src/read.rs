//! Reading CSV, NDJSON and XLSX into rows, with a line-numbered problem for every bad one.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};

use calamine::{Data, Reader, Xlsx};
use cordon_app::{CaseInput, ImportProblem, ImportRow};
use serde_json::Value;

use crate::{Mapping, TransferError};

/// Largest line or record accepted: a case is a few kilobytes; anything this big is an error.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Largest workbook accepted (compressed): a workbook is read whole, unlike a CSV file.
pub const MAX_XLSX_BYTES: u64 = 256 << 20;

/// What an import file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Ndjson,
    /// An Excel workbook; its first sheet, with a header row.
    Xlsx,
}

impl ImportFormat {
    /// By name: `csv`, `ndjson` (or `jsonl`), `xlsx`.
    pub fn from_name(name: &str) -> Option<ImportFormat> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(ImportFormat::Csv),
            "ndjson" | "jsonl" => Some(ImportFormat::Ndjson),
            "xlsx" => Some(ImportFormat::Xlsx),
            _ => None,
        }
    }
}

/// The rows read, and the rows that could not be.
#[derive(Debug, Default)]
pub struct Rows {
    /// Rows that read as cases (the application still checks them).
    pub rows: Vec<ImportRow>,
    /// Rows that did not, by line.
    pub problems: Vec<ImportProblem>,
}

impl Rows {
    fn problem(&mut self, line: usize, field: &str, reason: impl Into<String>) {
        self.problems.push(ImportProblem { line, field: field.into(), reason: reason.into() });
    }

    fn push(&mut self, line: usize, parsed: Result<CaseInput, (String, String)>) {
        match parsed {
            Ok(input) => self.rows.push(ImportRow { line, input }),
            Err((field, reason)) => self.problem(line, &field, reason),
        }
    }
}

/// Reads a whole import file. A file that cannot be used at all is an error; a bad row is a
/// problem in the answer, and reading goes on so that every bad row is reported at once.
pub fn read_rows<R: Read>(format: ImportFormat, input: R, mapping: Option<&Mapping>) -> Result<Rows, TransferError> {
    match format {
        ImportFormat::Csv => read_csv(input, mapping),
        ImportFormat::Ndjson => read_ndjson(input, mapping),
        ImportFormat::Xlsx => read_xlsx(input, mapping),
    }
}

fn clean_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_string()
}

/// The mapping to use for a table with this header.
fn table_mapping(mapping: Option<&Mapping>, headers: &[String]) -> Result<Mapping, TransferError> {
    let m = match mapping {
        Some(m) => m.clone(),
        None => Mapping::by_field_names(headers)?,
    };
    m.check_header(headers)?;
    Ok(m)
}

fn read_csv<R: Read>(input: R, mapping: Option<&Mapping>) -> Result<Rows, TransferError> {
    let mut out = Rows::default();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(BufReader::new(input));
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(|e| TransferError::File(format!("line 1: unreadable header: {e}")))?
        .iter()
        .map(|h| clean_header(&String::from_utf8_lossy(h)))
        .collect();
    let mapping = table_mapping(mapping, &headers)?;
    // Column positions by header, looked up once rather than a map of values built per row
    // (with a repeated header, the last column of that name wins).
    let column: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.problem(line, "row", format!("unreadable CSV: {e}"));
                continue;
            }
        }
        if record.as_slice().len() > MAX_RECORD_BYTES {
            out.problem(line, "row", format!("{} bytes: larger than the {MAX_RECORD_BYTES} bytes a row may have", record.as_slice().len()));
            continue;
        }
        if let Some(i) = record.iter().position(|v| std::str::from_utf8(v).is_err()) {
            out.problem(line, headers.get(i).map_or("row", String::as_str), "not valid UTF-8 (save the file as UTF-8)");
            continue;
        }
        // Every value was checked as UTF-8 above; a column the row lacks (a short row) is empty.
        let get = |col: &str| column.get(col).and_then(|&i| record.get(i)).and_then(|v| std::str::from_utf8(v).ok()).map(String::from);
        out.push(line, mapping.case(&get));
    }
    Ok(out)
}

fn read_ndjson<R: Read>(input: R, mapping: Option<&Mapping>) -> Result<Rows, TransferError> {
    let mut out = Rows::default();
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        buf.clear();
        line += 1;
        // Read at most one byte past the limit, so that a huge line is refused without being held whole.
        let n = (&mut reader).take(MAX_RECORD_BYTES as u64 + 1).read_until(b'\n', &mut buf)?;
        if n == 0 {
            break;
        }
        if buf.len() > MAX_RECORD_BYTES && !buf.ends_with(b"\n") {
            out.problem(line, "row", format!("longer than the {MAX_RECORD_BYTES} bytes a line may have"));
            // Skip the rest of the line, a bounded piece at a time.
            loop {
                buf.clear();
                let n = (&mut reader).take(MAX_RECORD_BYTES as u64).read_until(b'\n', &mut buf)?;
                if n == 0 || buf.ends_with(b"\n") {
                    break;
                }
            }
            continue;
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            out.problem(line, "row", "not valid UTF-8");
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                out.problem(line, "row", format!("not JSON: {e}"));
                continue;
            }
        };
        let parsed = match mapping {
            Some(m) => m.case(&|key: &str| value.get(key).map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))),
            None => serde_json::from_value::<CaseInput>(value).map_err(|e| ("row".to_string(), e.to_string())),
        };
        out.push(line, parsed);
    }
    Ok(out)
}

/// A cell as the text a mapping reads; dates become `yyyy-mm-ddThh:mm` (Vietnam time, as typed).
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Whole numbers come back as floats; "1234567.0" would not read as an amount.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string().replace('.', ","),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date_text(dt.as_f64()),
    }
}

/// An Excel serial date (days since 1899-12-30, wall-clock time) as `yyyy-mm-ddThh:mm`.
fn excel_date_text(serial: f64) -> String {
    let minutes = (serial * 1440.0).round() as i64;
    // Days 25 569 is 1970-01-01; the cell holds a wall clock, so undo the offset `civil` adds.
    let wall_ms = (minutes - 25_569 * 1440) * 60_000 - cordon_core::time::VN_OFFSET_MS;
    let (y, m, d, hh, mm) = cordon_core::time::civil(wall_ms);
    format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}")
}

fn read_xlsx<R: Read>(input: R, mapping: Option<&Mapping>) -> Result<Rows, TransferError> {
    let mut bytes = Vec::new();
    input.take(MAX_XLSX_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_XLSX_BYTES {
        return Err(TransferError::File(format!("the workbook is larger than {} MiB; split it, or save it as CSV", MAX_XLSX_BYTES >> 20)));
    }
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| TransferError::File(format!("not an Excel workbook (.xlsx): {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| TransferError::File("the workbook has no sheet".into()))?
        .map_err(|e| TransferError::File(format!("the first sheet cannot be read: {e}")))?;
    // Sheet rows are numbered from 1, as Excel shows them.
    let first_row = range.start().map_or(1, |(r, _)| r as usize + 1);
    let mut rows = range.rows();
    let headers: Vec<String> = match rows.next() {
        Some(h) => h.iter().map(|c| clean_header(&cell_text(c))).collect(),
        None => return Err(TransferError::File("the first sheet is empty".into())),
    };
    let mapping = table_mapping(mapping, &headers)?;
    let mut out = Rows::default();
    for (i, row) in rows.enumerate() {
        let line = first_row + 1 + i;
        if row.iter().all(|c| matches!(c, Data::Empty)) {
            continue;
        }
        let values: BTreeMap<&str, String> = headers.iter().map(String::as_str).zip(row.iter().map(cell_text)).collect();
        if values.values().map(String::len).sum::<usize>() > MAX_RECORD_BYTES {
            out.problem(line, "row", format!("larger than the {MAX_RECORD_BYTES} bytes a row may have"));
            continue;
        }
        out.push(line, mapping.case(&|col: &str| values.get(col).cloned()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_dates() {
        assert_eq!(excel_date_text(46_037.354_166_67), "2026-01-15T08:30");
        assert_eq!(excel_date_text(25_569.0), "1970-01-01T00:00");
        assert_eq!(excel_date_text(45_351.0), "2024-02-29T00:00");
    }

    #[test]
    fn every_bad_csv_row_is_reported_by_line() {
        let csv = "title,detected_at\nThu giữ,15/01/2026\n,\nKhác,hôm qua\n\"mở,15/01/2026\n";
        let rows = read_rows(ImportFormat::Csv, csv.as_bytes(), None).unwrap();
        assert_eq!(rows.rows.len(), 1);
        let lines: Vec<usize> = rows.problems.iter().map(|p| p.line).collect();
        assert_eq!(&lines[..2], &[3, 4], "{:?}", rows.problems);
    }

    #[test]
    fn a_huge_ndjson_line_is_refused_without_losing_the_next() {
        let mut data = vec![b'{'; MAX_RECORD_BYTES * 3];
        data.push(b'\n');
        data.extend_from_slice(b"{\"oops\": 1}\n");
        let rows = read_rows(ImportFormat::Ndjson, &data[..], None).unwrap();
        let lines: Vec<usize> = rows.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 2]);
    }
}
