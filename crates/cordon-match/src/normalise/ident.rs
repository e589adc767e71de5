//! Identifiers: vehicle plates, CMND/CCCD, passports, tax codes, bank accounts, IMO numbers.

use crate::error::NormaliseError;
use cordon_core::text::fold;

/// Keeps ASCII letters and digits upper-cased; spaces, dots and dashes are separators; anything else is refused.
fn alnum_upper(raw: &str) -> Result<String, NormaliseError> {
    let mut out = String::with_capacity(raw.len());
    for c in fold(raw).chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => out.push(c.to_ascii_uppercase()),
            ' ' | '-' | '.' | '_' | '/' => {}
            other => return Err(NormaliseError::BadCharacter(other)),
        }
    }
    if out.is_empty() {
        Err(NormaliseError::Empty)
    } else {
        Ok(out)
    }
}

/// Keeps digits; spaces, dots and dashes are separators; anything else is refused.
fn digits_only(raw: &str) -> Result<String, NormaliseError> {
    let mut out = String::with_capacity(raw.len());
    for c in raw.trim().chars() {
        match c {
            '0'..='9' => out.push(c),
            ' ' | '-' | '.' => {}
            other => return Err(NormaliseError::BadCharacter(other)),
        }
    }
    if out.is_empty() {
        Err(NormaliseError::Empty)
    } else {
        Ok(out)
    }
}

/// Normalises a vehicle plate: "29A-123.45", "29A12345" and "29a 12345" are all "29A12345".
pub fn normalise_plate(raw: &str) -> Result<String, NormaliseError> {
    let p = alnum_upper(raw)?;
    if !(5..=12).contains(&p.len()) {
        return Err(NormaliseError::BadLength { what: "vehicle plate", expected: "5 to 12 letters and digits", got: p.len() });
    }
    if !p.bytes().any(|b| b.is_ascii_digit()) {
        return Err(NormaliseError::BadCharacter(p.chars().next().unwrap_or(' ')));
    }
    Ok(p)
}

/// A Vietnamese personal identity number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NationalId {
    /// Chứng minh nhân dân: the old 9-digit identity card.
    Cmnd(Box<str>),
    /// Căn cước công dân / căn cước: the 12-digit personal identification number.
    Cccd(Box<str>),
}

impl NationalId {
    /// The digits of the number.
    pub fn digits(&self) -> &str {
        match self {
            NationalId::Cmnd(d) | NationalId::Cccd(d) => d,
        }
    }
}

/// Normalises a CMND (9 digits) or CCCD (12 digits) number.
pub fn normalise_national_id(raw: &str) -> Result<NationalId, NormaliseError> {
    let d = digits_only(raw)?;
    match d.len() {
        9 => Ok(NationalId::Cmnd(d.into_boxed_str())),
        12 => Ok(NationalId::Cccd(d.into_boxed_str())),
        got => Err(NormaliseError::BadLength { what: "CMND/CCCD", expected: "9 (CMND) or 12 (CCCD) digits", got }),
    }
}

/// Normalises a passport number: upper-case letters and digits, 6 to 12 of them.
pub fn normalise_passport(raw: &str) -> Result<String, NormaliseError> {
    let p = alnum_upper(raw)?;
    if !(6..=12).contains(&p.len()) {
        return Err(NormaliseError::BadLength { what: "passport number", expected: "6 to 12 letters and digits", got: p.len() });
    }
    Ok(p)
}

/// A Vietnamese tax code (mã số thuế).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TaxCode {
    /// The 10-digit enterprise code, or the 12-digit personal identification number used as a personal tax code since 1 July 2025.
    pub base: String,
    /// The 3-digit suffix of a branch or dependent unit ("0101234567-001").
    pub branch: Option<String>,
}

impl TaxCode {
    /// The code as written on documents: base, and "-branch" when there is one.
    pub fn display(&self) -> String {
        match &self.branch {
            Some(b) => format!("{}-{b}", self.base),
            None => self.base.clone(),
        }
    }
}

/// Normalises a tax code: 10 digits, 13 with a branch suffix, or a 12-digit personal number.
pub fn normalise_tax_code(raw: &str) -> Result<TaxCode, NormaliseError> {
    let d = digits_only(raw)?;
    match d.len() {
        10 | 12 => Ok(TaxCode { base: d, branch: None }),
        13 => Ok(TaxCode { base: d[..10].to_owned(), branch: Some(d[10..].to_owned()) }),
        got => Err(NormaliseError::BadLength { what: "tax code", expected: "10, 12 or 13 digits", got }),
    }
}

/// Normalises a bank account number: digits only, 6 to 19 of them, leading zeros kept.
pub fn normalise_bank_account(raw: &str) -> Result<String, NormaliseError> {
    let d = digits_only(raw)?;
    if !(6..=19).contains(&d.len()) {
        return Err(NormaliseError::BadLength { what: "bank account", expected: "6 to 19 digits", got: d.len() });
    }
    Ok(d)
}

/// Normalises any other identifier: upper-case letters and digits, at most 32 of them.
pub fn normalise_other_id(raw: &str) -> Result<String, NormaliseError> {
    let p = alnum_upper(raw)?;
    if p.len() > 32 {
        return Err(NormaliseError::BadLength { what: "identifier", expected: "at most 32 letters and digits", got: p.len() });
    }
    Ok(p)
}

/// Normalises an IMO ship number ("IMO 9074729") to its 7 digits, checking the check digit.
pub fn normalise_imo(raw: &str) -> Result<String, NormaliseError> {
    let up = alnum_upper(raw)?;
    let d = up.strip_prefix("IMO").unwrap_or(&up);
    if let Some(c) = d.chars().find(|c| !c.is_ascii_digit()) {
        return Err(NormaliseError::BadCharacter(c));
    }
    if d.len() != 7 {
        return Err(NormaliseError::BadLength { what: "IMO number", expected: "7 digits", got: d.len() });
    }
    let v: Vec<u32> = d.bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = v[..6].iter().zip((2..=7).rev()).map(|(x, w)| x * w).sum();
    if sum % 10 != v[6] {
        return Err(NormaliseError::BadCheckDigit);
    }
    Ok(d.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates() {
        let cases = [
            ("29A-123.45", Ok("29A12345")),
            ("29A12345", Ok("29A12345")),
            ("29a 12345", Ok("29A12345")),
            ("51F-999.99", Ok("51F99999")),
            ("29-B1 123.45", Ok("29B112345")),
            ("15R-012.34", Ok("15R01234")),
            ("80NG-123-45", Ok("80NG12345")),
            ("", Err(NormaliseError::Empty)),
            ("29A", Err(NormaliseError::BadLength { what: "vehicle plate", expected: "5 to 12 letters and digits", got: 3 })),
            ("29A#12345", Err(NormaliseError::BadCharacter('#'))),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_plate(raw).as_deref(), want.as_ref().map(|s| *s), "{raw:?}");
        }
    }

    #[test]
    fn national_ids() {
        let cases = [
            ("012345678", Ok(NationalId::Cmnd("012345678".into()))),
            ("012 345 678", Ok(NationalId::Cmnd("012345678".into()))),
            ("001090012345", Ok(NationalId::Cccd("001090012345".into()))),
            ("001.090.012.345", Ok(NationalId::Cccd("001090012345".into()))),
            ("12345", Err(NormaliseError::BadLength { what: "CMND/CCCD", expected: "9 (CMND) or 12 (CCCD) digits", got: 5 })),
            ("00109001234X", Err(NormaliseError::BadCharacter('X'))),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_national_id(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn passports() {
        let cases = [
            ("B1234567", Ok("B1234567")),
            ("b 123 4567", Ok("B1234567")),
            ("C-0123456", Ok("C0123456")),
            ("E12", Err(NormaliseError::BadLength { what: "passport number", expected: "6 to 12 letters and digits", got: 3 })),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_passport(raw).as_deref(), want.as_ref().map(|s| *s), "{raw:?}");
        }
    }

    #[test]
    fn tax_codes() {
        let cases = [
            ("0101234567", Some(("0101234567", None))),
            ("0101234567-001", Some(("0101234567", Some("001")))),
            ("0101234567 001", Some(("0101234567", Some("001")))),
            ("0101234567001", Some(("0101234567", Some("001")))),
            ("001090012345", Some(("001090012345", None))),
            ("01012345", None),
            ("MST0101234567", None),
        ];
        for (raw, want) in cases {
            let got = normalise_tax_code(raw).ok();
            let got = got.as_ref().map(|t| (t.base.as_str(), t.branch.as_deref()));
            assert_eq!(got, want, "{raw:?}");
        }
        let t = normalise_tax_code("0101234567001").expect("valid");
        assert_eq!(t.display(), "0101234567-001");
    }

    #[test]
    fn bank_accounts() {
        let cases = [
            ("0011 0000 12345", Ok("0011000012345")),
            ("1903-5678-9010-12", Ok("19035678901012")),
            ("12345", Err(NormaliseError::BadLength { what: "bank account", expected: "6 to 19 digits", got: 5 })),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_bank_account(raw).as_deref(), want.as_ref().map(|s| *s), "{raw:?}");
        }
    }

    #[test]
    fn imo_numbers() {
        let cases = [
            ("IMO 9074729", Ok("9074729")),
            ("9074729", Ok("9074729")),
            ("imo9074729", Ok("9074729")),
            ("IMO 9074728", Err(NormaliseError::BadCheckDigit)),
            ("IMO 907472", Err(NormaliseError::BadLength { what: "IMO number", expected: "7 digits", got: 6 })),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise_imo(raw).as_deref(), want.as_ref().map(|s| *s), "{raw:?}");
        }
    }
}
