//! Blocking: which pairs are worth comparing at all.
//!
//! Each rule gives a record at most one key; records sharing a key under any
//! rule become candidate pairs. The union over rules is deduplicated. Keys are
//! 64-bit hashes of the rule, the record kind and the values, so that indexes
//! stay small; a rare collision only adds a pair to compare.

use crate::normalise::NationalId;
use crate::record::{EntityKind, PreparedRecord};

/// A blocking rule: records that agree on its key are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockingRule {
    /// Same phone number.
    Phone,
    /// Same CMND or CCCD number.
    NationalId,
    /// Same passport number.
    Passport,
    /// Same tax code (enterprise part).
    TaxCode,
    /// Same plate.
    Plate,
    /// Same IMO number.
    Imo,
    /// Same bank account.
    BankAccount,
    /// Same name tokens (any order) and birth year.
    NameAndBirthYear,
    /// Same given name and birth date, day and month in either order.
    GivenNameAndBirthDate,
    /// Same family name (first token), first letter of the given name, and birth date with day and month in either order.
    FamilyNameAndBirthDate,
    /// Same name tokens (any order) and same address (locality and current province): for records without a date of birth.
    NameAndAddress,
    /// Same company name core.
    CompanyName,
    /// Same other identifier.
    OtherId,
    /// Same postcode and family name (first token of the name).
    PostcodeAndFamilyName,
    /// Same postcode and given name.
    PostcodeAndGivenName,
    /// Same postcode and birth date, day and month in either order.
    PostcodeAndBirthDate,
    /// Same family name kept in its own column and birth date, day and month in either order.
    SurnameAndBirthDate,
    /// Same name tokens (any order) and postcode.
    NameAndPostcode,
    /// Same name tokens (any order) and locality kept in its own column.
    NameAndLocality,
    /// Same locality and birth date, day and month in either order.
    LocalityAndBirthDate,
    /// Same postcode and locality (for sources whose names and dates are often corrupted; big blocks are skipped).
    PostcodeAndLocality,
    /// Same address and locality kept in its own column.
    AddressAndLocality,
    /// Same name tokens (any order) and state or province kept in its own column.
    NameAndRegion,
    /// Same family name kept in its own column and state or province.
    SurnameAndRegion,
    /// Same birth date, day and month in either order, and state or province kept in its own column.
    BirthDateAndRegion,
    /// Same birth date, day and month in either order (for training: too coarse to block on in production).
    BirthDate,
    /// Same name, persons in any order (for training).
    Name,
}

impl BlockingRule {
    /// The rules used unless told otherwise: every identifier, plus name rules tolerant of typos and swapped dates.
    pub const DEFAULT: &'static [BlockingRule] = &[
        BlockingRule::Phone,
        BlockingRule::NationalId,
        BlockingRule::Passport,
        BlockingRule::TaxCode,
        BlockingRule::Plate,
        BlockingRule::Imo,
        BlockingRule::BankAccount,
        BlockingRule::NameAndBirthYear,
        BlockingRule::GivenNameAndBirthDate,
        BlockingRule::FamilyNameAndBirthDate,
        BlockingRule::NameAndAddress,
        BlockingRule::CompanyName,
        BlockingRule::OtherId,
        BlockingRule::PostcodeAndFamilyName,
        BlockingRule::PostcodeAndGivenName,
        BlockingRule::PostcodeAndBirthDate,
        BlockingRule::SurnameAndBirthDate,
        BlockingRule::NameAndPostcode,
        BlockingRule::NameAndLocality,
        BlockingRule::LocalityAndBirthDate,
        BlockingRule::PostcodeAndLocality,
        BlockingRule::AddressAndLocality,
        BlockingRule::NameAndRegion,
        BlockingRule::SurnameAndRegion,
        BlockingRule::BirthDateAndRegion,
    ];

    /// The record's key under this rule, or `None` when the record lacks the fields.
    pub fn key(self, r: &PreparedRecord) -> Option<u64> {
        let mut h = KeyHasher::new(self as u8, r.kind);
        match self {
            BlockingRule::Phone => h.add(r.phone.as_deref()?),
            BlockingRule::NationalId => match r.national_id.as_ref()? {
                NationalId::Cmnd(d) => h.add("cmnd").add(d),
                NationalId::Cccd(d) => h.add("cccd").add(d),
            },
            BlockingRule::Passport => h.add(r.passport.as_deref()?),
            BlockingRule::TaxCode => h.add(&r.tax_code.as_ref()?.base),
            BlockingRule::Plate => h.add(r.plate.as_deref()?),
            BlockingRule::Imo => h.add(r.imo.as_deref()?),
            BlockingRule::BankAccount => h.add(r.bank_account.as_deref()?),
            BlockingRule::NameAndBirthYear => {
                let n = r.person_name.as_ref()?;
                n.with_sorted_tokens(|t| h.words(t)).num(u32::from(r.birth_date?.year))
            }
            BlockingRule::GivenNameAndBirthDate => {
                let n = r.person_name.as_ref()?;
                h.add(n.given()).num(swap_tolerant_date(r)?)
            }
            BlockingRule::FamilyNameAndBirthDate => {
                let n = r.person_name.as_ref()?;
                // The given name's initial keeps "Nguyễn" blocks small; typos rarely hit a first letter.
                let initial = n.given().chars().next().map_or(0, u32::from);
                h.add(n.first()).num(initial).num(swap_tolerant_date(r)?)
            }
            BlockingRule::NameAndAddress => {
                // Name and province alone make big blocks of common names whose
                // pairs rarely score as matches; the whole address keeps those that do.
                let n = r.person_name.as_ref()?;
                let a = r.address.as_ref()?;
                n.with_sorted_tokens(|t| h.words(t)).add(&a.locality).add(a.province.unwrap_or(""))
            }
            BlockingRule::CompanyName => h.add(&r.company_name.as_ref()?.core),
            BlockingRule::OtherId => h.add(r.extra.as_ref()?.other_id.as_deref()?),
            BlockingRule::PostcodeAndFamilyName => h.add(r.extra.as_ref()?.postcode.as_deref()?).add(r.person_name.as_ref()?.first()),
            BlockingRule::PostcodeAndGivenName => h.add(r.extra.as_ref()?.postcode.as_deref()?).add(r.person_name.as_ref()?.given()),
            BlockingRule::PostcodeAndBirthDate => h.add(r.extra.as_ref()?.postcode.as_deref()?).num(swap_tolerant_date(r)?),
            BlockingRule::SurnameAndBirthDate => h.add(r.extra.as_ref()?.family_name.as_deref()?).num(swap_tolerant_date(r)?),
            BlockingRule::NameAndPostcode => {
                let postcode = r.extra.as_ref()?.postcode.as_deref()?;
                r.person_name.as_ref()?.with_sorted_tokens(|t| h.words(t)).add(postcode)
            }
            BlockingRule::NameAndLocality => {
                let locality = r.extra.as_ref()?.locality.as_deref()?;
                r.person_name.as_ref()?.with_sorted_tokens(|t| h.words(t)).add(locality)
            }
            BlockingRule::LocalityAndBirthDate => h.add(r.extra.as_ref()?.locality.as_deref()?).num(swap_tolerant_date(r)?),
            BlockingRule::AddressAndLocality => h.add(&r.address.as_ref()?.locality).add(r.extra.as_ref()?.locality.as_deref()?),
            BlockingRule::NameAndRegion => {
                let region = r.extra.as_ref()?.region.as_deref()?;
                r.person_name.as_ref()?.with_sorted_tokens(|t| h.words(t)).add(region)
            }
            BlockingRule::SurnameAndRegion => {
                let x = r.extra.as_ref()?;
                h.add(x.family_name.as_deref()?).add(x.region.as_deref()?)
            }
            BlockingRule::BirthDateAndRegion => h.add(r.extra.as_ref()?.region.as_deref()?).num(swap_tolerant_date(r)?),
            BlockingRule::PostcodeAndLocality => {
                let x = r.extra.as_ref()?;
                h.add(x.postcode.as_deref()?).add(x.locality.as_deref()?)
            }
            BlockingRule::BirthDate => h.num(swap_tolerant_date(r)?),
            BlockingRule::Name => match (&r.person_name, &r.company_name) {
                (Some(n), _) => n.with_sorted_tokens(|t| h.words(t)),
                (None, Some(c)) => h.add(&c.core),
                (None, None) => return None,
            },
        };
        Some(h.finish())
    }
}

/// The birth date with day and month ordered, so that a swapped date gives the same key.
fn swap_tolerant_date(r: &PreparedRecord) -> Option<u32> {
    let d = r.birth_date?;
    let (m, day) = (d.month?, d.day?);
    let (lo, hi) = if m <= day { (m, day) } else { (day, m) };
    Some(u32::from(d.year) * 10_000 + u32::from(lo) * 100 + u32::from(hi))
}

/// FNV-1a over the rule, kind and values, with a separator so that ("ab","c") differs from ("a","bc").
struct KeyHasher(u64);

impl KeyHasher {
    fn new(rule: u8, kind: EntityKind) -> Self {
        let mut h = KeyHasher(0xcbf2_9ce4_8422_2325);
        h.byte(rule);
        h.byte(kind as u8);
        h
    }

    fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn add(&mut self, s: &str) -> &mut Self {
        for b in s.bytes() {
            self.byte(b);
        }
        self.byte(0xff);
        self
    }

    fn words(&mut self, words: &[&str]) -> &mut Self {
        for w in words {
            for b in w.bytes() {
                self.byte(b);
            }
            self.byte(b' ');
        }
        self.byte(0xff);
        self
    }

    fn num(&mut self, n: u32) -> &mut Self {
        for b in n.to_le_bytes() {
            self.byte(b);
        }
        self.byte(0xfe);
        self
    }

    fn finish(&self) -> u64 {
        // A final avalanche so that keys are usable directly as hash-table hashes.
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Candidate pairs found by blocking, as indexes into the records slice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidatePairs {
    /// Distinct pairs (i, j) with i < j.
    pub pairs: Vec<(u32, u32)>,
    /// Blocks skipped because they held more records than the limit (too common a key to be useful).
    pub oversized_blocks: usize,
    /// Each pair was kept with probability about 1 / `one_in` (1: all pairs).
    pub one_in: u64,
}

/// Finds the deduplicated union of candidate pairs under all rules; blocks larger than `max_block` are skipped.
///
/// Records are addressed by `u32` index, so at most 4 294 967 295 records.
pub fn candidate_pairs(records: &[PreparedRecord], rules: &[BlockingRule], max_block: usize) -> CandidatePairs {
    sampled_candidate_pairs(records, rules, max_block, usize::MAX)
}

/// Like [`candidate_pairs`], but keeps an even, deterministic sample of about `max_pairs` pairs
/// (before deduplication) without ever materialising the rest: training needs a sample, not all pairs.
pub fn sampled_candidate_pairs(records: &[PreparedRecord], rules: &[BlockingRule], max_block: usize, max_pairs: usize) -> CandidatePairs {
    candidate_pairs_on(records, rules, max_block, max_pairs, 1)
}

/// Every record's key under every rule, computed on `threads` threads.
fn keyed(records: &[PreparedRecord], rules: &[BlockingRule], threads: usize) -> Vec<(u64, u32)> {
    let one = |base: usize, slice: &[PreparedRecord]| {
        let mut out = Vec::with_capacity(slice.len() * 4);
        for (i, r) in slice.iter().enumerate() {
            out.extend(rules.iter().filter_map(|rule| rule.key(r)).map(|k| (k, (base + i) as u32)));
        }
        out
    };
    if threads <= 1 || records.len() < 10_000 {
        return one(0, records);
    }
    let part = records.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = records.chunks(part).enumerate().map(|(k, c)| s.spawn(move || one(k * part, c))).collect();
        let mut all = Vec::new();
        for h in handles {
            // A key-computing thread only panics on a bug; propagate it as the caller's panic.
            all.append(&mut h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    })
}

/// [`sampled_candidate_pairs`] with the keys computed on `threads` threads.
pub(crate) fn candidate_pairs_on(
    records: &[PreparedRecord],
    rules: &[BlockingRule],
    max_block: usize,
    max_pairs: usize,
    threads: usize,
) -> CandidatePairs {
    let mut keyed = keyed(records, rules, threads);
    keyed.sort_unstable();
    keyed.dedup();
    let mut oversized_blocks = 0;
    let mut total: u64 = 0;
    for block in keyed.chunk_by(|a, b| a.0 == b.0) {
        let n = block.len() as u64;
        if block.len() > max_block {
            oversized_blocks += 1;
        } else {
            total += n * n.saturating_sub(1) / 2;
        }
    }
    let one_in = total.div_ceil(max_pairs.max(1) as u64).max(1);
    let mut packed: Vec<u64> = Vec::with_capacity(total.div_ceil(one_in) as usize);
    for block in keyed.chunk_by(|a, b| a.0 == b.0) {
        if block.len() < 2 || block.len() > max_block {
            continue;
        }
        for (x, &(_, i)) in block.iter().enumerate() {
            for &(_, j) in &block[x + 1..] {
                // Sorted by index within a block, so i < j.
                let pair = (u64::from(i) << 32) | u64::from(j);
                if one_in == 1 || mix(pair).is_multiple_of(one_in) {
                    packed.push(pair);
                }
            }
        }
    }
    drop(keyed);
    packed.sort_unstable();
    packed.dedup();
    let pairs = packed.iter().map(|&p| ((p >> 32) as u32, p as u32)).collect();
    CandidatePairs { pairs, oversized_blocks, one_in }
}

/// A bijective scramble of a pair, so that sampling by remainder is spread evenly over pairs.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    fn person(id: u64, name: &str, dob: &str, phone: Option<&str>) -> PreparedRecord {
        PreparedRecord::prepare(&Record {
            id,
            name: Some(name.into()),
            birth_date: Some(dob.into()),
            phone: phone.map(Into::into),
            ..Record::default()
        })
    }

    #[test]
    fn blocks_on_swapped_dates_reordered_names_and_renumbered_phones() {
        let records = vec![
            person(1, "Nguyễn Văn An", "05/03/1990", None),
            person(2, "An Nguyen Van", "03/05/1990", None),
            person(3, "Trần Thị Bình", "01/01/1980", Some("0168 123 4567")),
            person(4, "Tran Thi Binhh", "02/02/1981", Some("038 123 4567")),
            person(5, "Lê Văn Cường", "09/09/1999", None),
        ];
        let c = candidate_pairs(&records, BlockingRule::DEFAULT, 100);
        assert_eq!(c.pairs, vec![(0, 1), (2, 3)]);
    }

    #[test]
    fn pairs_are_deduplicated_across_rules_and_big_blocks_skipped() {
        let records: Vec<_> = (0..5).map(|i| person(i, "Nguyễn Văn An", "05/03/1990", Some("0912345678"))).collect();
        let c = candidate_pairs(&records, BlockingRule::DEFAULT, 100);
        assert_eq!(c.pairs.len(), 10);
        let capped = candidate_pairs(&records, BlockingRule::DEFAULT, 4);
        assert!(capped.pairs.is_empty());
        assert_eq!(capped.oversized_blocks, 4);
    }

    #[test]
    fn records_without_a_birth_date_block_on_name_and_address() {
        let no_dob = |id, name: &str, address: &str| {
            PreparedRecord::prepare(&Record { id, name: Some(name.into()), address: Some(address.into()), ..Record::default() })
        };
        let records = vec![
            no_dob(1, "Nguyễn Văn An", "12 Lê Lợi, Bình Dương"),
            no_dob(2, "An Nguyen Van", "12 Le Loi, Binh Duong"),
            no_dob(3, "Nguyễn Văn An", "7 Trần Phú, Móng Cái, Quảng Ninh"),
        ];
        let c = candidate_pairs(&records, BlockingRule::DEFAULT, 100);
        assert_eq!(c.pairs, vec![(0, 1)]);
    }

    #[test]
    fn threads_do_not_change_the_pairs() {
        let names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hữu Đức", "Phạm Minh Châu"];
        let records: Vec<_> = (0..12_000u64)
            .map(|i| {
                let dob = format!("{:02}/{:02}/{}", 1 + i % 28, 1 + (i / 28) % 12, 1950 + i % 50);
                person(i, names[(i % 4) as usize], &dob, None)
            })
            .collect();
        let one = candidate_pairs_on(&records, BlockingRule::DEFAULT, 64, usize::MAX, 1);
        let two = candidate_pairs_on(&records, BlockingRule::DEFAULT, 64, usize::MAX, 2);
        assert!(!one.pairs.is_empty());
        assert_eq!(one, two);
    }

    #[test]
    fn sampling_keeps_a_subset_of_about_the_asked_size() {
        let records: Vec<_> = (0..60).map(|i| person(i, "Nguyễn Văn An", "05/03/1990", None)).collect();
        let all = candidate_pairs(&records, &[BlockingRule::BirthDate], 100);
        assert_eq!(all.pairs.len(), 60 * 59 / 2);
        let some = sampled_candidate_pairs(&records, &[BlockingRule::BirthDate], 100, 300);
        assert!((200..=450).contains(&some.pairs.len()), "{}", some.pairs.len());
        assert!(some.pairs.iter().all(|p| all.pairs.binary_search(p).is_ok()));
    }

    #[test]
    fn kinds_never_share_a_block() {
        let mut a = person(1, "Hoàng Long", "2001", Some("0912345678"));
        let b = PreparedRecord::prepare(&Record {
            id: 2,
            kind: EntityKind::Company,
            name: Some("Hoàng Long".into()),
            phone: Some("0912345678".into()),
            ..Record::default()
        });
        a.kind = EntityKind::Person;
        assert!(candidate_pairs(&[a, b], BlockingRule::DEFAULT, 100).pairs.is_empty());
    }
}
