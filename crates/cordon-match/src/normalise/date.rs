//! Dates of birth as written by officers: day-first Vietnamese layouts, ISO, or a year alone.

use crate::error::NormaliseError;

/// A date that may be known only to the year or the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    /// The year, four digits.
    pub year: u16,
    /// The month 1–12, when known.
    pub month: Option<u8>,
    /// The day 1–31, when known (only with a month).
    pub day: Option<u8>,
}

/// Parses "dd/mm/yyyy", "dd-mm-yyyy", "dd.mm.yyyy", "yyyy-mm-dd", "yyyymmdd", "mm/yyyy" or "yyyy".
pub fn parse_date(raw: &str) -> Result<PartialDate, NormaliseError> {
    let bad = || NormaliseError::BadDate(raw.to_owned());
    let trimmed = raw.trim();
    // ISO 8601's basic form, as many databases export dates: eight digits, year first.
    let compact = trimmed.len() == 8 && trimmed.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = if compact {
        vec![&trimmed[..4], &trimmed[4..6], &trimmed[6..]]
    } else {
        trimmed.split(['/', '-', '.', ' ']).filter(|p| !p.is_empty()).collect()
    };
    let num = |s: &str| -> Result<u32, NormaliseError> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (y, m, d) = match parts.as_slice() {
        [y] if y.len() == 4 => (num(y)?, None, None),
        [m, y] if y.len() == 4 => (num(y)?, Some(num(m)?), None),
        [y, m, d] if y.len() == 4 => (num(y)?, Some(num(m)?), Some(num(d)?)),
        [d, m, y] if y.len() == 4 => (num(y)?, Some(num(m)?), Some(num(d)?)),
        _ => return Err(bad()),
    };
    if !(1800..=2200).contains(&y) {
        return Err(bad());
    }
    if let Some(m) = m {
        if !(1..=12).contains(&m) {
            return Err(bad());
        }
        if let Some(d) = d {
            if d == 0 || d > days_in_month(y, m) {
                return Err(bad());
            }
        }
    }
    // The ranges checked above make these conversions lossless.
    Ok(PartialDate { year: y as u16, month: m.map(|m| m as u8), day: d.map(|d| d as u8) })
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(year: u16, month: Option<u8>, day: Option<u8>) -> PartialDate {
        PartialDate { year, month, day }
    }

    #[test]
    fn parses_layouts() {
        let cases = [
            ("05/03/1990", Ok(d(1990, Some(3), Some(5)))),
            ("5/3/1990", Ok(d(1990, Some(3), Some(5)))),
            ("05-03-1990", Ok(d(1990, Some(3), Some(5)))),
            ("05.03.1990", Ok(d(1990, Some(3), Some(5)))),
            ("1990-03-05", Ok(d(1990, Some(3), Some(5)))),
            ("03/1990", Ok(d(1990, Some(3), None))),
            ("1990", Ok(d(1990, None, None))),
            ("19900305", Ok(d(1990, Some(3), Some(5)))),
            ("19900230", Err(NormaliseError::BadDate("19900230".into()))),
            ("29/02/2000", Ok(d(2000, Some(2), Some(29)))),
            ("29/02/1900", Err(NormaliseError::BadDate("29/02/1900".into()))),
            ("31/04/1990", Err(NormaliseError::BadDate("31/04/1990".into()))),
            ("05/13/1990", Err(NormaliseError::BadDate("05/13/1990".into()))),
            ("90", Err(NormaliseError::BadDate("90".into()))),
            ("", Err(NormaliseError::BadDate("".into()))),
        ];
        for (raw, want) in cases {
            assert_eq!(parse_date(raw), want, "{raw:?}");
        }
    }
}
