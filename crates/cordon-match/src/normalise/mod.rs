//! Normalisers: each turns a value as an officer wrote it into the form matching compares.

pub mod address;
pub mod company;
pub mod date;
pub mod ident;
pub mod name;
pub mod phone;

pub use address::Address;
pub use company::{CompanyName, LegalForm};
pub use date::{parse_date, PartialDate};
pub use ident::{
    normalise_bank_account, normalise_imo, normalise_national_id, normalise_other_id, normalise_passport, normalise_plate,
    normalise_tax_code, NationalId, TaxCode,
};
pub use name::{MarkedSex, NameOrder, PersonName};
pub use phone::normalise_phone;
