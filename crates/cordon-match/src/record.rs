//! Records as agencies send them, and the prepared form that matching works on.

use cordon_core::text::fold_words;

use crate::error::NormaliseError;
use crate::normalise::{
    normalise_bank_account, normalise_imo, normalise_national_id, normalise_other_id, normalise_passport, normalise_phone, normalise_plate,
    normalise_tax_code, parse_date, Address, CompanyName, NationalId, PartialDate, PersonName, TaxCode,
};

/// A record's id, unique across everything resolved together.
pub type RecordId = u64;

/// What a record describes; records of different kinds are never compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EntityKind {
    /// A natural person.
    #[default]
    Person,
    /// A company, cooperative or household business.
    Company,
    /// A road vehicle.
    Vehicle,
    /// A ship or boat.
    Vessel,
}

/// A record as an agency wrote it; every field is optional and free text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// Unique id of the record.
    pub id: RecordId,
    /// What the record describes.
    pub kind: EntityKind,
    /// Person's full name, or company, vehicle owner's or vessel name.
    pub name: Option<String>,
    /// Date of birth (persons) or of registration (companies).
    pub birth_date: Option<String>,
    /// A phone number in any usual layout.
    pub phone: Option<String>,
    /// CMND or CCCD number.
    pub national_id: Option<String>,
    /// Passport number.
    pub passport: Option<String>,
    /// Tax code (mã số thuế).
    pub tax_code: Option<String>,
    /// Vehicle plate.
    pub plate: Option<String>,
    /// IMO ship number.
    pub imo: Option<String>,
    /// Bank account number.
    pub bank_account: Option<String>,
    /// Postal or residence address.
    pub address: Option<String>,
    /// Given name, when the source keeps it in its own column.
    pub given_name: Option<String>,
    /// Family name (surname), when the source keeps it in its own column.
    pub family_name: Option<String>,
    /// Any other identifier the source holds (a foreign social security or customer number).
    pub other_id: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// Suburb, town or commune, when the source keeps it in its own column.
    pub locality: Option<String>,
    /// State or province, when the source keeps it in its own column.
    pub region: Option<String>,
}

/// The fields matching compares, in the order of a [`crate::compare::ComparisonVector`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// A person's name.
    PersonName,
    /// A company's (or vessel's) name.
    CompanyName,
    /// Date of birth.
    BirthDate,
    /// Phone number.
    Phone,
    /// Old 9-digit identity card number.
    Cmnd,
    /// 12-digit personal identification number.
    Cccd,
    /// Passport number.
    Passport,
    /// Tax code.
    TaxCode,
    /// Vehicle plate.
    Plate,
    /// IMO ship number.
    Imo,
    /// Bank account.
    BankAccount,
    /// Address.
    Address,
    /// Given name kept in its own column.
    GivenName,
    /// Family name kept in its own column.
    FamilyName,
    /// Any other identifier.
    OtherId,
    /// Postcode.
    Postcode,
    /// Suburb, town or commune kept in its own column.
    Locality,
    /// State or province kept in its own column.
    Region,
}

/// How many fields are compared.
pub const FIELD_COUNT: usize = 18;

impl Field {
    /// Every field, in vector order.
    pub const ALL: [Field; FIELD_COUNT] = [
        Field::PersonName,
        Field::CompanyName,
        Field::BirthDate,
        Field::Phone,
        Field::Cmnd,
        Field::Cccd,
        Field::Passport,
        Field::TaxCode,
        Field::Plate,
        Field::Imo,
        Field::BankAccount,
        Field::Address,
        Field::GivenName,
        Field::FamilyName,
        Field::OtherId,
        Field::Postcode,
        Field::Locality,
        Field::Region,
    ];

    /// The field's position in a comparison vector.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The field's name as analysts see it.
    pub fn name(self) -> &'static str {
        match self {
            Field::PersonName => "person name",
            Field::CompanyName => "company name",
            Field::BirthDate => "date of birth",
            Field::Phone => "phone",
            Field::Cmnd => "CMND",
            Field::Cccd => "CCCD",
            Field::Passport => "passport",
            Field::TaxCode => "tax code",
            Field::Plate => "plate",
            Field::Imo => "IMO number",
            Field::BankAccount => "bank account",
            Field::Address => "address",
            Field::GivenName => "given name",
            Field::FamilyName => "family name",
            Field::OtherId => "other identifier",
            Field::Postcode => "postcode",
            Field::Locality => "locality",
            Field::Region => "state or province",
        }
    }

    /// Strong identifiers decide a match on their own when they agree exactly and weigh heavily against when they differ.
    pub fn is_strong(self) -> bool {
        matches!(self, Field::Cccd | Field::TaxCode | Field::Imo | Field::Plate)
    }
}

/// A record with every field normalised; values that could not be normalised are missing and listed in `rejected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRecord {
    /// The record's id.
    pub id: RecordId,
    /// What the record describes.
    pub kind: EntityKind,
    /// Person name (persons only).
    pub person_name: Option<PersonName>,
    /// Company, owner or vessel name (all kinds but persons).
    pub company_name: Option<CompanyName>,
    /// Date of birth or registration.
    pub birth_date: Option<PartialDate>,
    /// Phone in E.164.
    pub phone: Option<Box<str>>,
    /// CMND or CCCD.
    pub national_id: Option<NationalId>,
    /// Passport number.
    pub passport: Option<Box<str>>,
    /// Tax code.
    pub tax_code: Option<Box<TaxCode>>,
    /// Plate.
    pub plate: Option<Box<str>>,
    /// IMO number.
    pub imo: Option<Box<str>>,
    /// Bank account.
    pub bank_account: Option<Box<str>>,
    /// Address.
    pub address: Option<Address>,
    /// Fields that only some sources keep apart (boxed: most records have none).
    pub extra: Option<Box<ExtraFields>>,
    /// Fields whose written value could not be normalised, and why.
    pub rejected: Vec<(Field, NormaliseError)>,
}

/// Fields that sources keeping names and addresses in separate columns have; folded, spaces collapsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraFields {
    /// Given name.
    pub given_name: Option<Box<str>>,
    /// Family name.
    pub family_name: Option<Box<str>>,
    /// Other identifier, upper-case letters and digits.
    pub other_id: Option<Box<str>>,
    /// Postcode, upper-case letters and digits.
    pub postcode: Option<Box<str>>,
    /// Suburb, town or commune.
    pub locality: Option<Box<str>>,
    /// State or province.
    pub region: Option<Box<str>>,
}

impl ExtraFields {
    /// True when the name is kept as separate given and family names.
    pub fn has_name_parts(&self) -> bool {
        self.given_name.is_some() || self.family_name.is_some()
    }
}

/// Folded words joined by single spaces; `None` when nothing is left.
fn folded_text(raw: &str) -> Option<Box<str>> {
    let f = fold_words(raw);
    (!f.is_empty()).then(|| f.into_boxed_str())
}

fn raw(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn take<T>(rejected: &mut Vec<(Field, NormaliseError)>, field: Field, v: Option<Result<T, NormaliseError>>) -> Option<T> {
    match v {
        Some(Ok(x)) => Some(x),
        Some(Err(e)) => {
            rejected.push((field, e));
            None
        }
        None => None,
    }
}

impl PreparedRecord {
    /// Normalises many records on `threads` threads (1 = the calling thread only), keeping their order.
    pub fn prepare_all(records: &[Record], threads: usize) -> Vec<PreparedRecord> {
        let threads = threads.max(1);
        if threads == 1 || records.len() < 1_000 {
            return records.iter().map(PreparedRecord::prepare).collect();
        }
        let size = records.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> =
                records.chunks(size).map(|c| s.spawn(move || c.iter().map(PreparedRecord::prepare).collect::<Vec<_>>())).collect();
            // A preparing thread only panics on a bug; propagate it as the caller's panic.
            handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
        })
    }

    /// Normalises every field of a record.
    pub fn prepare(r: &Record) -> PreparedRecord {
        let mut rejected = Vec::new();
        let given_name = raw(&r.given_name).and_then(folded_text);
        let family_name = raw(&r.family_name).and_then(folded_text);
        let (person_name, company_name) = match (r.kind, raw(&r.name)) {
            (EntityKind::Person, Some(n)) => (PersonName::parse(n), None),
            (_, Some(n)) => (None, CompanyName::parse(n)),
            // Blocking and the resolver work on the whole name: build it family name first.
            (EntityKind::Person, None) => (PersonName::from_parts(family_name.as_deref(), given_name.as_deref()), None),
            (_, None) => (None, None),
        };
        let other_id = take(&mut rejected, Field::OtherId, raw(&r.other_id).map(normalise_other_id));
        let postcode = take(&mut rejected, Field::Postcode, raw(&r.postcode).map(normalise_other_id));
        let extra = ExtraFields {
            given_name,
            family_name,
            other_id: other_id.map(String::into_boxed_str),
            postcode: postcode.map(String::into_boxed_str),
            locality: raw(&r.locality).and_then(folded_text),
            region: raw(&r.region).and_then(folded_text),
        };
        let extra = (extra != ExtraFields::default()).then(|| Box::new(extra));
        let birth_date = take(&mut rejected, Field::BirthDate, raw(&r.birth_date).map(parse_date));
        let phone = take(&mut rejected, Field::Phone, raw(&r.phone).map(normalise_phone));
        let national_id = take(&mut rejected, Field::Cccd, raw(&r.national_id).map(normalise_national_id));
        let passport = take(&mut rejected, Field::Passport, raw(&r.passport).map(normalise_passport));
        let tax_code = take(&mut rejected, Field::TaxCode, raw(&r.tax_code).map(normalise_tax_code));
        let plate = take(&mut rejected, Field::Plate, raw(&r.plate).map(normalise_plate));
        let imo = take(&mut rejected, Field::Imo, raw(&r.imo).map(normalise_imo));
        let bank_account = take(&mut rejected, Field::BankAccount, raw(&r.bank_account).map(normalise_bank_account));
        let address = raw(&r.address).and_then(Address::parse);
        PreparedRecord {
            id: r.id,
            kind: r.kind,
            person_name,
            company_name,
            birth_date,
            phone: phone.map(String::into_boxed_str),
            national_id,
            passport: passport.map(String::into_boxed_str),
            tax_code: tax_code.map(Box::new),
            plate: plate.map(String::into_boxed_str),
            imo: imo.map(String::into_boxed_str),
            bank_account: bank_account.map(String::into_boxed_str),
            address,
            extra,
            rejected,
        }
    }
}
