//! File formats for bulk import and export: cases in CSV, XLSX and NDJSON in and CSV, XLSX, NDJSON and FollowTheMoney out; listings to screen in NDJSON and CSV; e-mailed tips (one message or an mbox); PDF reports.
//!
//! Reading turns a file into [`ImportRow`]s, each with the line (or sheet row) it came
//! from, and a line-numbered [`ImportProblem`] for every row that cannot be read; what
//! the rows mean (valid cases, duplicates, who may record them) is the application's to
//! decide. Writing turns the cases a caller may see into a file. No I/O beyond the reader
//! and writer handed in: the CLI gives files, the server request and response bodies.
//!
//! A mapping says which column of a table (or key of an NDJSON line) feeds which field of
//! a case, and gives defaults:
//!
//! ```toml
//! [columns]
//! external_ref = "so_vu"
//! title = "tieu_de"
//! detected_at = "ngay_phat_hien"     # dd/mm/yyyy [hh:mm] or yyyy-mm-dd[Thh:mm], Vietnam time
//! province = "tinh"                  # today's or a pre-2025 name
//! goods_description = "hang_hoa"
//! party_name = "doi_tuong"
//! [defaults]
//! case_type = "smuggling"
//! tlp = "amber"
//! distribution = "own_agency;agency:border-guard-vn"
//! ```
//!
//! Without a mapping, a table's columns are taken to be named after the fields, and each
//! NDJSON line is a case exactly as the API takes it.

mod listings;
mod mail;
mod mapping;
mod pdf;
mod read;
mod request_pdf;
mod write;

pub use listings::{read_listings, BadLine, CsvListings, ListingItem, NdjsonListings, ReadListings};
pub use mail::{parse_email, parse_form_data, split_mbox, FormPart, MailError};
pub use mapping::{Mapping, FIELDS};
pub use pdf::{format_figure, pdf_document, Block};
pub use read::{read_rows, ImportFormat, Rows, MAX_RECORD_BYTES, MAX_XLSX_BYTES};
pub use request_pdf::request_pdf;
pub use write::{csv_table, ftm_entities, write_cases, xlsx_table, Cell, ExportFormat};

use thiserror::Error;

pub use cordon_app::{ImportProblem, ImportRow};

/// A file that cannot be read at all (as opposed to a bad row, which is an [`ImportProblem`]).
#[derive(Debug, Error)]
pub enum TransferError {
    /// The mapping is not valid.
    #[error("the mapping is not valid: {0}")]
    Mapping(String),
    /// The file as a whole cannot be used (no header, a missing column, not a workbook).
    #[error("{0}")]
    File(String),
    /// Reading or writing failed.
    #[error("reading or writing: {0}")]
    Io(#[from] std::io::Error),
}
