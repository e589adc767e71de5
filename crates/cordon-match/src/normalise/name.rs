//! Person names: folded, put family name first, with middle names and initials told apart.
//!
//! Vietnamese names are written family–middle–given ("Nguyễn Văn An"), but
//! foreign-facing documents and some agencies' systems write them given-first
//! ("An Nguyen Van", "An Van Nguyen"). The family name is recognised from a
//! list of common Vietnamese family names and the name is rotated so that it
//! comes first; names with no known family name keep their order and are
//! compared as token sets.

use cordon_core::text::fold_words;

/// Common Vietnamese family names, folded, the most frequent first.
pub const FAMILY_NAMES: &[&str] = &[
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do", "ho", "ngo", "duong", "ly", "dinh", "trinh",
    "truong", "lam", "mai", "luong", "dao", "doan", "vuong", "ha", "cao", "chu", "ta", "trieu", "quach", "thai", "tang", "luu", "la",
    "ton", "kieu", "bach", "thach", "mac", "giang", "khuc", "hua", "au", "tieu", "diep", "lai", "nong", "lo", "kim", "tong", "khong",
    "lac", "dam", "lieu", "quan", "phung", "tu", "an", "van",
];

/// How many entries at the head of [`FAMILY_NAMES`] cover most of the population.
const COMMON_FAMILY_COUNT: usize = 15;

/// Given names that are also in [`FAMILY_NAMES`] and are far more often given names.
const MOSTLY_GIVEN: &[&str] = &["an", "van", "kim", "mai", "lam", "ha", "tu"];

/// Middle names that mark a Vietnamese name's structure (Văn and Thị also mark sex).
pub const MIDDLE_NAMES: &[&str] = &[
    "van", "thi", "duc", "huu", "dinh", "ngoc", "cong", "quang", "xuan", "thanh", "minh", "kim", "hong", "trong", "ba", "tien", "the",
    "manh", "quoc", "thu", "bao", "gia",
];

/// Which end of the written name the family name was found at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrder {
    /// Written family name first, as Vietnamese documents do.
    FamilyFirst,
    /// Written given name first and rotated into family-first order.
    GivenFirst,
    /// No known family name: the written order is kept.
    Unknown,
}

/// A person's name ready for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    /// Folded tokens joined by single spaces, family name first when it is known; initials are one-letter tokens.
    text: Box<str>,
    /// Where the family name was found in the written name.
    pub order: NameOrder,
    /// The sex the middle names mark, if any: Văn a man, Thị a woman.
    pub marked_sex: Option<MarkedSex>,
}

/// The sex a Vietnamese middle name marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkedSex {
    /// Văn.
    Male,
    /// Thị.
    Female,
}

/// Most tokens a name is handled with on the stack; longer names fall back to the heap.
const STACK_TOKENS: usize = 12;

impl PersonName {
    /// Parses a written name; `None` when nothing alphabetic is left.
    pub fn parse(raw: &str) -> Option<PersonName> {
        let folded = fold_words(raw);
        let tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty() && t.chars().all(char::is_alphabetic)).collect();
        if tokens.is_empty() {
            return None;
        }
        let (start, order) = family_position(&tokens);
        let mut text = String::with_capacity(folded.len());
        for t in tokens[start..].iter().chain(&tokens[..start]) {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(t);
        }
        // Middle names are the tokens strictly inside the name.
        let inner = || text.split(' ').skip(1).take(tokens.len().saturating_sub(2));
        let marked_sex = match (inner().any(|t| t == "van"), inner().any(|t| t == "thi")) {
            (true, false) => Some(MarkedSex::Male),
            (false, true) => Some(MarkedSex::Female),
            _ => None,
        };
        Some(PersonName { text: text.into_boxed_str(), order, marked_sex })
    }

    /// Builds a name from a family and a given name kept in separate columns (already folded or not): family name first.
    pub fn from_parts(family: Option<&str>, given: Option<&str>) -> Option<PersonName> {
        let family = family.map(fold_words).filter(|f| !f.is_empty());
        let given = given.map(fold_words).filter(|g| !g.is_empty());
        let text = match (&family, &given) {
            (Some(f), Some(g)) => format!("{f} {g}"),
            (Some(x), None) | (None, Some(x)) => x.clone(),
            (None, None) => return None,
        };
        let order = if family.is_some() { NameOrder::FamilyFirst } else { NameOrder::Unknown };
        let tokens = text.split(' ').count();
        let inner = || text.split(' ').skip(1).take(tokens.saturating_sub(2));
        let marked_sex = match (inner().any(|t| t == "van"), inner().any(|t| t == "thi")) {
            (true, false) => Some(MarkedSex::Male),
            (false, true) => Some(MarkedSex::Female),
            _ => None,
        };
        Some(PersonName { text: text.into_boxed_str(), order, marked_sex })
    }

    /// The tokens in canonical order (family name first when known).
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.text.split(' ')
    }

    /// Number of tokens.
    pub fn token_count(&self) -> usize {
        self.text.bytes().filter(|&b| b == b' ').count() + 1
    }

    /// The first token: the family name when it is known, else the first written token.
    pub fn first(&self) -> &str {
        self.text.split(' ').next().unwrap_or("")
    }

    /// The family name, when it could be told.
    pub fn family(&self) -> Option<&str> {
        match self.order {
            NameOrder::Unknown => None,
            _ => Some(self.first()),
        }
    }

    /// The given name: the last token in family-first order.
    pub fn given(&self) -> &str {
        self.text.rsplit(' ').next().unwrap_or("")
    }

    /// Middle names between family and given name (empty for one- or two-token names).
    pub fn middles(&self) -> &str {
        match (self.text.find(' '), self.text.rfind(' ')) {
            (Some(a), Some(b)) if a < b => &self.text[a + 1..b],
            _ => "",
        }
    }

    /// The canonical written form: folded tokens joined by spaces.
    pub fn key(&self) -> &str {
        &self.text
    }

    /// Calls `f` with the tokens in canonical order, without allocating for names of up to 12 tokens.
    pub fn with_tokens<R>(&self, f: impl FnOnce(&[&str]) -> R) -> R {
        let mut buf = [""; STACK_TOKENS];
        let mut n = 0;
        for t in self.tokens() {
            if n == STACK_TOKENS {
                let v: Vec<&str> = self.tokens().collect();
                return f(&v);
            }
            buf[n] = t;
            n += 1;
        }
        f(&buf[..n])
    }

    /// Calls `f` with the tokens sorted, without allocating for names of up to 12 tokens.
    pub fn with_sorted_tokens<R>(&self, f: impl FnOnce(&[&str]) -> R) -> R {
        self.with_tokens(|t| {
            let mut buf = [""; STACK_TOKENS];
            if t.len() <= STACK_TOKENS {
                buf[..t.len()].copy_from_slice(t);
                let sorted = &mut buf[..t.len()];
                sorted.sort_unstable();
                f(sorted)
            } else {
                let mut v = t.to_vec();
                v.sort_unstable();
                f(&v)
            }
        })
    }

    /// True when both names have the same tokens in any order.
    pub fn same_tokens(&self, other: &PersonName) -> bool {
        self.text.len() == other.text.len() && self.with_sorted_tokens(|a| other.with_sorted_tokens(|b| a == b))
    }

    /// The tokens sorted and joined, so that any written order gives the same key.
    pub fn sorted_key(&self) -> String {
        self.with_sorted_tokens(|t| t.join(" "))
    }

    /// Initials of every token in canonical order ("nguyen van an" → "nva").
    pub fn initials(&self) -> String {
        self.tokens().filter_map(|t| t.chars().next()).collect()
    }
}

/// Picks the token that is most plausibly the family name and says which order that implies.
fn family_position(tokens: &[&str]) -> (usize, NameOrder) {
    let mut best: Option<(i32, usize)> = None;
    for (k, t) in tokens.iter().enumerate() {
        let Some(rank) = FAMILY_NAMES.iter().position(|f| f == t) else {
            continue;
        };
        if tokens.len() == 1 {
            break;
        }
        let mut score = if rank < COMMON_FAMILY_COUNT { 2 } else { 1 };
        if MOSTLY_GIVEN.contains(t) {
            score -= 1;
        }
        if tokens.get(k + 1).is_some_and(|n| MIDDLE_NAMES.contains(n) && n != t) {
            score += 2;
        }
        if k == 0 {
            score += 1;
        }
        // A token that is mostly a given name, with nothing else for it, is not
        // evidence of a family name ("N.V. An" has none we can tell).
        if score <= 0 {
            continue;
        }
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, k));
        }
    }
    match best {
        Some((_, 0)) => (0, NameOrder::FamilyFirst),
        Some((_, k)) => (k, NameOrder::GivenFirst),
        None => (0, NameOrder::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_in_either_order() {
        // (written, canonical key, family, given, order)
        let cases = [
            ("Nguyễn Văn An", "nguyen van an", Some("nguyen"), "an", NameOrder::FamilyFirst),
            ("An Nguyen Van", "nguyen van an", Some("nguyen"), "an", NameOrder::GivenFirst),
            ("NGUYEN VAN AN", "nguyen van an", Some("nguyen"), "an", NameOrder::FamilyFirst),
            ("Trần Thị Thu Hương", "tran thi thu huong", Some("tran"), "huong", NameOrder::FamilyFirst),
            ("Huong Tran Thi Thu", "tran thi thu huong", Some("tran"), "huong", NameOrder::GivenFirst),
            ("Đặng Hữu Đức", "dang huu duc", Some("dang"), "duc", NameOrder::FamilyFirst),
            ("Ly Nguyen Thi", "nguyen thi ly", Some("nguyen"), "ly", NameOrder::GivenFirst),
            ("Lý Thị Mai", "ly thi mai", Some("ly"), "mai", NameOrder::FamilyFirst),
            ("Huỳnh Tấn Phát", "huynh tan phat", Some("huynh"), "phat", NameOrder::FamilyFirst),
            ("Mai Lê", "le mai", Some("le"), "mai", NameOrder::GivenFirst),
            ("Nguyễn V. An", "nguyen v an", Some("nguyen"), "an", NameOrder::FamilyFirst),
            ("N.V.An", "n v an", None, "an", NameOrder::Unknown),
            ("John  Smith", "john smith", None, "smith", NameOrder::Unknown),
            ("Phạm-Thị  Hằng", "pham thi hang", Some("pham"), "hang", NameOrder::FamilyFirst),
            ("Võ Nguyên Giáp", "vo nguyen giap", Some("vo"), "giap", NameOrder::FamilyFirst),
        ];
        for (raw, key, family, given, order) in cases {
            let n = PersonName::parse(raw).unwrap_or_else(|| panic!("{raw} did not parse"));
            assert_eq!(n.key(), key, "key of {raw}");
            assert_eq!(n.family(), family, "family of {raw}");
            assert_eq!(n.given(), given, "given of {raw}");
            assert_eq!(n.order, order, "order of {raw}");
        }
    }

    #[test]
    fn rejects_names_without_letters() {
        for raw in ["", "  ", "123", "--"] {
            assert_eq!(PersonName::parse(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn middle_names_mark_sex() {
        let cases = [
            ("Nguyễn Văn An", Some(MarkedSex::Male)),
            ("An Nguyen Van", Some(MarkedSex::Male)),
            ("Nguyễn Thị An", Some(MarkedSex::Female)),
            ("Trần Thị Thu Hương", Some(MarkedSex::Female)),
            ("Nguyễn Đức An", None),
            ("Văn An", None),
            ("Nguyễn Văn Thị", Some(MarkedSex::Male)),
            ("Lê Thị", None),
        ];
        for (raw, want) in cases {
            assert_eq!(PersonName::parse(raw).map(|n| n.marked_sex), Some(want), "{raw}");
        }
    }

    #[test]
    fn middles_and_initials() {
        let n = PersonName::parse("Trần Thị Thu Hương").expect("parses");
        assert_eq!(n.middles(), "thi thu");
        assert_eq!(n.token_count(), 4);
        assert_eq!(n.sorted_key(), "huong thi thu tran");
        assert_eq!(n.initials(), "ttth");
        let two = PersonName::parse("Lê Lợi").expect("parses");
        assert!(two.middles().is_empty());
    }
}
