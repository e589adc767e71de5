//! Field comparisons: each field of a pair of records falls into one agreement level.
//!
//! Level 0 is always exact agreement and the last level is always
//! disagreement; levels between are partial agreements, strongest first.
//! A missing value on either side gives [`MISSING`], which carries no weight.

use crate::normalise::{Address, CompanyName, NationalId, PartialDate, PersonName, TaxCode};
use crate::record::{ExtraFields, Field, PreparedRecord, FIELD_COUNT};
use crate::similarity::{jaro_winkler, jaro_winkler_at_least, osa_within, within_one_edit};

/// The level of a field that is missing on either side.
pub const MISSING: u8 = u8::MAX;

/// One agreement level per field, in [`Field::ALL`] order.
pub type ComparisonVector = [u8; FIELD_COUNT];

/// How a comparison level reads to an analyst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agreement {
    /// The values are the same.
    Exact,
    /// The values are close (typo, swapped day and month, same province…).
    Partial,
    /// The values differ.
    Disagree,
    /// One side has no value.
    Missing,
}

/// The labels of a field's levels, strongest agreement first; the last one is disagreement.
pub fn levels(field: Field) -> &'static [&'static str] {
    match field {
        Field::PersonName => &[
            "exact (any order)",
            "same family and given name, middle name missing or an initial",
            "one typo in one name, the others the same (any order)",
            "same given name, family or middle name similar",
            "given name one typo apart",
            "different",
        ],
        Field::CompanyName => &["exact", "same words or Jaro-Winkler ≥ 0.95", "Jaro-Winkler ≥ 0.88 or most words shared", "different"],
        Field::BirthDate => &["exact", "day and month swapped", "one digit off or same month", "same year", "different"],
        Field::TaxCode => &["exact", "same enterprise, other branch", "different"],
        Field::Address => &["exact", "same province, similar address", "same province", "different"],
        Field::Phone | Field::Cmnd | Field::Cccd | Field::Passport | Field::Plate | Field::Imo | Field::BankAccount | Field::Region => {
            &["exact", "one typo apart", "different"]
        }
        Field::GivenName | Field::FamilyName => &["exact", "Jaro-Winkler ≥ 0.92", "Jaro-Winkler ≥ 0.88", "Jaro-Winkler ≥ 0.7", "different"],
        Field::OtherId | Field::Postcode => &["exact", "one typo apart", "two typos apart", "different"],
        Field::Locality => &["exact", "Jaro-Winkler ≥ 0.9", "Jaro-Winkler ≥ 0.7", "different"],
    }
}

/// Reads a level as exact, partial or disagreement.
pub fn agreement(field: Field, level: u8) -> Agreement {
    if level == MISSING {
        Agreement::Missing
    } else if level == 0 {
        Agreement::Exact
    } else if usize::from(level) + 1 >= levels(field).len() {
        Agreement::Disagree
    } else {
        Agreement::Partial
    }
}

/// Compares two records field by field; records of different kinds compare as all missing.
pub fn compare(a: &PreparedRecord, b: &PreparedRecord) -> ComparisonVector {
    let mut v = [MISSING; FIELD_COUNT];
    if a.kind != b.kind {
        return v;
    }
    let mut set = |f: Field, level: Option<u8>| v[f.index()] = level.unwrap_or(MISSING);
    let (xa, xb) = (a.extra.as_deref(), b.extra.as_deref());
    match (xa, xb) {
        // Names kept in separate columns on both sides are compared part by part, not also as a whole.
        (Some(x), Some(y)) if x.has_name_parts() && y.has_name_parts() => {
            let (given, family) = compare_name_parts(x, y);
            set(Field::GivenName, given);
            set(Field::FamilyName, family);
        }
        _ => set(Field::PersonName, both(&a.person_name, &b.person_name, compare_person_names)),
    }
    if let (Some(x), Some(y)) = (xa, xb) {
        set(Field::OtherId, both(&x.other_id, &y.other_id, |p, q| compare_codes(p, q)));
        set(Field::Postcode, both(&x.postcode, &y.postcode, |p, q| compare_codes(p, q)));
        set(Field::Locality, both(&x.locality, &y.locality, |p, q| compare_localities(p, q)));
        set(Field::Region, both(&x.region, &y.region, |p, q| compare_ids(p, q)));
    }
    set(Field::CompanyName, both(&a.company_name, &b.company_name, compare_company_names));
    set(Field::BirthDate, both(&a.birth_date, &b.birth_date, compare_dates));
    set(Field::Phone, both(&a.phone, &b.phone, |x, y| compare_ids(x, y)));
    let (cmnd, cccd) = match (&a.national_id, &b.national_id) {
        (Some(NationalId::Cmnd(x)), Some(NationalId::Cmnd(y))) => (Some(compare_ids(x, y)), None),
        (Some(NationalId::Cccd(x)), Some(NationalId::Cccd(y))) => (None, Some(compare_ids(x, y))),
        _ => (None, None),
    };
    set(Field::Cmnd, cmnd);
    set(Field::Cccd, cccd);
    set(Field::Passport, both(&a.passport, &b.passport, |x, y| compare_ids(x, y)));
    set(Field::TaxCode, both(&a.tax_code, &b.tax_code, |x, y| compare_tax_codes(x, y)));
    set(Field::Plate, both(&a.plate, &b.plate, |x, y| compare_ids(x, y)));
    set(Field::Imo, both(&a.imo, &b.imo, |x, y| compare_ids(x, y)));
    set(Field::BankAccount, both(&a.bank_account, &b.bank_account, |x, y| compare_ids(x, y)));
    set(Field::Address, both(&a.address, &b.address, compare_addresses));
    v
}

fn both<T>(a: &Option<T>, b: &Option<T>, f: impl Fn(&T, &T) -> u8) -> Option<u8> {
    match (a, b) {
        (Some(x), Some(y)) => Some(f(x, y)),
        _ => None,
    }
}

/// Identifiers: exact, one typo apart, or different.
pub fn compare_ids(a: &str, b: &str) -> u8 {
    if a == b {
        0
    } else if a.len() == b.len() && within_one_edit(a, b) {
        1
    } else {
        2
    }
}

/// Given and family names kept apart: each by Jaro-Winkler, or crosswise when the two were written in each other's column.
fn compare_name_parts(x: &ExtraFields, y: &ExtraFields) -> (Option<u8>, Option<u8>) {
    // Crosswise counts only when both parts then agree exactly: plain equality, no similarity to compute.
    let crossed = x.given_name.is_some() && x.given_name == y.family_name && x.family_name.is_some() && x.family_name == y.given_name;
    if crossed {
        return (Some(0), Some(0));
    }
    (
        both(&x.given_name, &y.given_name, |p, q| compare_name_part(p, q)),
        both(&x.family_name, &y.family_name, |p, q| compare_name_part(p, q)),
    )
}

/// One name part: exact, Jaro-Winkler ≥ 0.92, ≥ 0.88, ≥ 0.7, or different.
pub fn compare_name_part(a: &str, b: &str) -> u8 {
    if a == b {
        return 0;
    }
    match jaro_winkler_at_least(a, b, 0.7) {
        Some(s) if s >= 0.92 => 1,
        Some(s) if s >= 0.88 => 2,
        Some(_) => 3,
        None => 4,
    }
}

/// Codes where a slip of the pen is common (postcodes, other identifiers): exact, one or two edits apart, or different.
pub fn compare_codes(a: &str, b: &str) -> u8 {
    if a == b {
        return 0;
    }
    match osa_within(a, b, 2) {
        Some(1) => 1,
        Some(2) => 2,
        _ => 3,
    }
}

/// Localities kept in their own column: exact, Jaro-Winkler ≥ 0.9, ≥ 0.7, or different.
pub fn compare_localities(a: &str, b: &str) -> u8 {
    if a == b {
        return 0;
    }
    match jaro_winkler_at_least(a, b, 0.7) {
        Some(s) if s >= 0.9 => 1,
        Some(_) => 2,
        None => 3,
    }
}

/// True when one token is the other's initial, or they are equal.
fn token_compatible(a: &str, b: &str) -> bool {
    a == b || (a.len() == 1 && b.starts_with(a)) || (b.len() == 1 && a.starts_with(b))
}

/// Middle names agree when one list is missing or each token of the shorter appears, in order, in the longer.
fn middles_compatible(a: &str, b: &str) -> bool {
    let count = |s: &str| s.split(' ').filter(|w| !w.is_empty()).count();
    let (short, long) = if count(a) <= count(b) { (a, b) } else { (b, a) };
    let mut long_words = long.split(' ').filter(|w| !w.is_empty());
    if count(short) == count(long) {
        return short.split(' ').filter(|w| !w.is_empty()).zip(long_words).all(|(x, y)| token_compatible(x, y));
    }
    short.split(' ').filter(|w| !w.is_empty()).all(|s| long_words.by_ref().any(|l| token_compatible(s, l)))
}

/// Văn marks a man and Thị a woman: the same person is not written with both.
fn sex_markers_conflict(a: &PersonName, b: &PersonName) -> bool {
    matches!((a.marked_sex, b.marked_sex), (Some(x), Some(y)) if x != y)
}

/// Person names: see [`levels`] for what each level means.
pub fn compare_person_names(a: &PersonName, b: &PersonName) -> u8 {
    const DIFFERENT: u8 = 5;
    if a.key() == b.key() || a.same_tokens(b) {
        return 0;
    }
    if sex_markers_conflict(a, b) {
        return DIFFERENT;
    }
    let (fa, fb) = (a.first(), b.first());
    let (ga, gb) = (a.given(), b.given());
    let single = !a.key().contains(' ') || !b.key().contains(' ');
    if ga == gb || (!single && token_compatible(ga, gb)) {
        if !single && token_compatible(fa, fb) && middles_compatible(a.middles(), b.middles()) {
            return 1;
        }
        // Kept apart from looser similarity: a typo is rare between strangers, a
        // different middle name under a common family name is not.
        if same_tokens_but_one_typo(a, b) {
            return 2;
        }
        if jaro_winkler(a.key(), b.key()) >= 0.85 && jaro_winkler(fa, fb) >= 0.8 {
            return 3;
        }
        return DIFFERENT;
    }
    // Vietnamese given names are short and dense (An, Anh, Ân): only longer ones may differ by a typo.
    let long_enough = ga.chars().count() >= 4 && gb.chars().count() >= 4;
    if long_enough && within_one_edit(ga, gb) && (fa == fb || jaro_winkler(fa, fb) >= 0.9) {
        return 4;
    }
    // A reordered name whose family name could not be told because of a typo
    // ("Chi Mia Hồng" for "Mai Hồng Chi"): same tokens in any order but one typo.
    if same_tokens_but_one_typo(a, b) {
        return 2;
    }
    DIFFERENT
}

/// The names have the same number of tokens, all equal in some order except one pair one edit apart (both at least 3 letters).
fn same_tokens_but_one_typo(a: &PersonName, b: &PersonName) -> bool {
    // One edit changes the length by at most one: most pairs stop here, cheaply.
    if a.key().len().abs_diff(b.key().len()) > 1 {
        return false;
    }
    a.with_sorted_tokens(|ta| {
        b.with_sorted_tokens(|tb| {
            if ta.len() != tb.len() {
                return false;
            }
            // Multiset difference of two sorted lists; symmetric by construction.
            let (mut i, mut j) = (0, 0);
            let (mut left_a, mut left_b) = (None, None);
            let mut unmatched = 0;
            while i < ta.len() || j < tb.len() {
                match (ta.get(i), tb.get(j)) {
                    (Some(x), Some(y)) if x == y => {
                        i += 1;
                        j += 1;
                    }
                    (Some(x), Some(y)) if x < y => {
                        left_a = Some(*x);
                        unmatched += 1;
                        i += 1;
                    }
                    (Some(x), None) => {
                        left_a = Some(*x);
                        unmatched += 1;
                        i += 1;
                    }
                    (_, Some(y)) => {
                        left_b = Some(*y);
                        unmatched += 1;
                        j += 1;
                    }
                    (None, None) => break,
                }
            }
            match (left_a, left_b) {
                (Some(x), Some(y)) if unmatched == 2 => x.len() >= 3 && y.len() >= 3 && within_one_edit(x, y),
                _ => false,
            }
        })
    })
}

/// Company names: exact core, same words in another order, close, or different.
pub fn compare_company_names(a: &CompanyName, b: &CompanyName) -> u8 {
    if a.core == b.core {
        return 0;
    }
    let mut wa: Vec<&str> = a.core.split(' ').collect();
    let mut wb: Vec<&str> = b.core.split(' ').collect();
    wa.sort_unstable();
    wb.sort_unstable();
    let jw = jaro_winkler(&a.core, &b.core);
    if wa == wb || jw >= 0.95 {
        return 1;
    }
    wa.dedup();
    wb.dedup();
    let shared = wa.iter().filter(|w| wb.binary_search(w).is_ok()).count();
    let union = wa.len() + wb.len() - shared;
    if jw >= 0.88 || shared * 5 >= union * 3 || shared == wa.len().min(wb.len()) {
        return 2;
    }
    3
}

/// Dates: exact, day and month swapped, one digit off or same month, same year, or different.
pub fn compare_dates(a: &PartialDate, b: &PartialDate) -> u8 {
    if a == b {
        return 0;
    }
    match (a.month, a.day, b.month, b.day) {
        (Some(ma), Some(da), Some(mb), Some(db)) => {
            if a.year == b.year && ma == db && da == mb {
                return 1;
            }
            let (sa, sb) = (date_digits(a.year, ma, da), date_digits(b.year, mb, db));
            let differing = sa.iter().zip(&sb).filter(|(x, y)| x != y).count();
            // One digit changed, or two neighbouring digits swapped ("1990" → "1909").
            let swapped = differing == 2 && sa.windows(2).zip(sb.windows(2)).any(|(x, y)| x[0] == y[1] && x[1] == y[0] && x[0] != x[1]);
            if differing == 1 || swapped || (a.year == b.year && ma == mb) {
                return 2;
            }
            if a.year == b.year {
                return 3;
            }
            4
        }
        // Partly known dates agree on what both know at best at the "same year" level.
        _ => {
            let months_agree = match (a.month, b.month) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            };
            if a.year == b.year && months_agree {
                3
            } else {
                4
            }
        }
    }
}

/// The date as the eight digits yyyymmdd.
fn date_digits(year: u16, month: u8, day: u8) -> [u8; 8] {
    let mut out = [0u8; 8];
    let n = u32::from(year) * 10_000 + u32::from(month) * 100 + u32::from(day);
    let mut rest = n;
    for slot in out.iter_mut().rev() {
        *slot = (rest % 10) as u8;
        rest /= 10;
    }
    out
}

/// Shared and total distinct items of two sorted, deduplicated lists.
fn sorted_overlap(a: &[u32], b: &[u32]) -> (usize, usize) {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (shared, a.len() + b.len() - shared)
}

/// Tax codes: exact, same enterprise with another branch suffix, or different.
pub fn compare_tax_codes(a: &TaxCode, b: &TaxCode) -> u8 {
    if a == b {
        0
    } else if a.base == b.base {
        1
    } else {
        2
    }
}

/// Addresses: exact text, same province and similar words, same province, or different.
pub fn compare_addresses(a: &Address, b: &Address) -> u8 {
    if a.locality == b.locality && a.written_province == b.written_province {
        return 0;
    }
    if let (Some(pa), Some(pb)) = (a.province, b.province) {
        if pa != pb {
            // Different current provinces: the street cannot make it the same address.
            return 3;
        }
    }
    let (shared, union) = sorted_overlap(&a.words, &b.words);
    let similar = union > 0 && shared * 2 >= union;
    let same_province = a.province.is_some() && a.province == b.province;
    match (same_province, similar) {
        (true, true) => 1,
        (true, false) => 2,
        (false, true) if a.province.is_none() || b.province.is_none() => 1,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::parse_date;

    fn name(s: &str) -> PersonName {
        PersonName::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn person_name_levels() {
        let cases = [
            ("Nguyễn Văn An", "An Nguyen Van", 0),
            ("Nguyễn Văn An", "NGUYEN VAN AN", 0),
            ("Nguyễn Văn An", "Nguyễn An", 1),
            ("Nguyễn Văn An", "Nguyễn V. An", 1),
            ("Nguyễn Văn An", "N.V. An", 1),
            ("Trần Thị Thu Hương", "Trần Thu Hương", 1),
            ("Nguyễn Văn An", "Ngyuen Van An", 2),
            ("Nguyễn Văn An", "Nguyễn Đức An", 3),
            ("Nguyễn Văn Hùng", "Nguyễn Văn Hunh", 4),
            ("Nguyễn Văn Thành", "Nguyễn Văn Thanhh", 4),
            ("Nguyễn Văn An", "Nguyễn Văn Anh", 5),
            ("Nguyễn Văn An", "Nguyễn Thị An", 5),
            ("Nguyễn Văn An", "Trần Văn An", 5),
            ("Nguyễn Văn An", "Nguyễn Văn Bình", 5),
            ("John Smith", "Smith John", 0),
            ("Mai Hồng Chi", "Chi Mia Hong", 2),
            ("Laura Brown", "Brown Luara", 2),
            ("Nguyễn Văn An", "An Van Nguyen", 0),
            ("Nguyễn Văn Hùng", "Hung Nguyen Vna", 2),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare_person_names(&name(a), &name(b)), want, "{a} vs {b}");
            assert_eq!(compare_person_names(&name(b), &name(a)), want, "{b} vs {a}");
        }
    }

    #[test]
    fn company_name_levels() {
        let cases = [
            ("Công ty TNHH Thương mại Hoàng Long", "CTY TNHH TM HOANG LONG", 0),
            ("Công ty TNHH Thương mại Hoàng Long", "Hoang Long Trading Co., Ltd", 1),
            ("Công ty TNHH Hoàng Long", "Công ty TNHH Hoàng Longg", 1),
            ("Công ty TNHH Vận tải Hoàng Long", "Hoàng Long JSC", 2),
            ("Công ty TNHH Hoàng Long", "Công ty TNHH Minh Phát", 3),
        ];
        for (a, b, want) in cases {
            let (x, y) = (CompanyName::parse(a).expect("parses"), CompanyName::parse(b).expect("parses"));
            assert_eq!(compare_company_names(&x, &y), want, "{a} vs {b}");
        }
    }

    #[test]
    fn date_levels() {
        let cases = [
            ("05/03/1990", "1990-03-05", 0),
            ("05/03/1990", "03/05/1990", 1),
            ("05/03/1990", "06/03/1990", 2),
            ("05/03/1990", "05/03/1991", 2),
            ("05/03/1990", "20/03/1990", 2),
            ("05/03/1990", "20/07/1990", 3),
            ("05/03/1990", "1990", 3),
            ("05/03/1990", "03/1990", 3),
            ("05/03/1990", "04/1990", 4),
            ("05/03/1990", "17/11/1985", 4),
        ];
        for (a, b, want) in cases {
            let (x, y) = (parse_date(a).expect("date"), parse_date(b).expect("date"));
            assert_eq!(compare_dates(&x, &y), want, "{a} vs {b}");
            assert_eq!(compare_dates(&y, &x), want, "{b} vs {a}");
        }
    }

    #[test]
    fn address_levels() {
        let cases = [
            ("12 Lê Lợi, Thủ Dầu Một, Bình Dương", "12 Le Loi, Thu Dau Mot, Binh Duong", 0),
            ("12 Lê Lợi, Thủ Dầu Một, Bình Dương", "12 Lê Lợi, Thủ Dầu Một, TP Hồ Chí Minh", 1),
            ("12 Lê Lợi, Thủ Dầu Một, Bình Dương", "5 Nguyễn Huệ, Quận 1, TP HCM", 2),
            ("12 Lê Lợi, Thủ Dầu Một, Bình Dương", "7 Trần Phú, Móng Cái, Quảng Ninh", 3),
        ];
        for (a, b, want) in cases {
            let (x, y) = (Address::parse(a).expect("parses"), Address::parse(b).expect("parses"));
            assert_eq!(compare_addresses(&x, &y), want, "{a} vs {b}");
        }
    }

    #[test]
    fn every_level_reads_as_an_agreement() {
        for f in Field::ALL {
            let n = levels(f).len();
            assert!(n >= 3, "{f:?}");
            assert_eq!(agreement(f, 0), Agreement::Exact);
            assert_eq!(agreement(f, (n - 1) as u8), Agreement::Disagree);
            assert_eq!(agreement(f, 1), Agreement::Partial);
            assert_eq!(agreement(f, MISSING), Agreement::Missing);
        }
    }
}
