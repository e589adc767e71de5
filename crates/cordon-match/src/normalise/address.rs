//! Addresses, with the province told under both the pre- and post-2025 names.
//!
//! On 1 July 2025 Vietnam merged its 63 provinces and centrally-run cities
//! into 34 (Resolution 202/2025/QH15) and abolished the district level.
//! Records written before then name the old province; both must resolve to
//! the same current province so that a moved-on-paper address still agrees.

use std::collections::HashMap;
use std::sync::OnceLock;

use cordon_core::text::fold_words;

/// Every pre-2025 province or city (folded, with common spellings), and the post-2025 province it became part of.
pub const OLD_TO_NEW_PROVINCE: &[(&str, &str)] = &[
    // Unchanged.
    ("ha noi", "Hà Nội"),
    ("hue", "Huế"),
    ("thua thien hue", "Huế"),
    ("lai chau", "Lai Châu"),
    ("dien bien", "Điện Biên"),
    ("son la", "Sơn La"),
    ("lang son", "Lạng Sơn"),
    ("quang ninh", "Quảng Ninh"),
    ("thanh hoa", "Thanh Hóa"),
    ("nghe an", "Nghệ An"),
    ("ha tinh", "Hà Tĩnh"),
    ("cao bang", "Cao Bằng"),
    // Merged.
    ("tuyen quang", "Tuyên Quang"),
    ("ha giang", "Tuyên Quang"),
    ("lao cai", "Lào Cai"),
    ("yen bai", "Lào Cai"),
    ("thai nguyen", "Thái Nguyên"),
    ("bac kan", "Thái Nguyên"),
    ("bac can", "Thái Nguyên"),
    ("phu tho", "Phú Thọ"),
    ("vinh phuc", "Phú Thọ"),
    ("hoa binh", "Phú Thọ"),
    ("bac ninh", "Bắc Ninh"),
    ("bac giang", "Bắc Ninh"),
    ("hung yen", "Hưng Yên"),
    ("thai binh", "Hưng Yên"),
    ("hai phong", "Hải Phòng"),
    ("hai duong", "Hải Phòng"),
    ("ninh binh", "Ninh Bình"),
    ("ha nam", "Ninh Bình"),
    ("nam dinh", "Ninh Bình"),
    ("quang tri", "Quảng Trị"),
    ("quang binh", "Quảng Trị"),
    ("da nang", "Đà Nẵng"),
    ("quang nam", "Đà Nẵng"),
    ("quang ngai", "Quảng Ngãi"),
    ("kon tum", "Quảng Ngãi"),
    ("kontum", "Quảng Ngãi"),
    ("gia lai", "Gia Lai"),
    ("binh dinh", "Gia Lai"),
    ("khanh hoa", "Khánh Hòa"),
    ("ninh thuan", "Khánh Hòa"),
    ("lam dong", "Lâm Đồng"),
    ("dak nong", "Lâm Đồng"),
    ("dac nong", "Lâm Đồng"),
    ("binh thuan", "Lâm Đồng"),
    ("dak lak", "Đắk Lắk"),
    ("dac lac", "Đắk Lắk"),
    ("daklak", "Đắk Lắk"),
    ("phu yen", "Đắk Lắk"),
    ("ho chi minh", "Hồ Chí Minh"),
    ("tp hcm", "Hồ Chí Minh"),
    ("tphcm", "Hồ Chí Minh"),
    ("hcm", "Hồ Chí Minh"),
    ("hcmc", "Hồ Chí Minh"),
    ("sai gon", "Hồ Chí Minh"),
    ("binh duong", "Hồ Chí Minh"),
    ("ba ria vung tau", "Hồ Chí Minh"),
    ("brvt", "Hồ Chí Minh"),
    ("vung tau", "Hồ Chí Minh"),
    ("dong nai", "Đồng Nai"),
    ("binh phuoc", "Đồng Nai"),
    ("tay ninh", "Tây Ninh"),
    ("long an", "Tây Ninh"),
    ("can tho", "Cần Thơ"),
    ("soc trang", "Cần Thơ"),
    ("hau giang", "Cần Thơ"),
    ("vinh long", "Vĩnh Long"),
    ("ben tre", "Vĩnh Long"),
    ("tra vinh", "Vĩnh Long"),
    ("dong thap", "Đồng Tháp"),
    ("tien giang", "Đồng Tháp"),
    ("ca mau", "Cà Mau"),
    ("bac lieu", "Cà Mau"),
    ("an giang", "An Giang"),
    ("kien giang", "An Giang"),
];

/// The 34 provinces and centrally-run cities in force since 1 July 2025.
pub const PROVINCES_2025: &[&str] = &[
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
];

/// Address abbreviations officers write, expanded so that both spellings compare equal.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("tp", "thanh pho"),
    ("p", "phuong"),
    ("q", "quan"),
    ("h", "huyen"),
    ("tx", "thi xa"),
    ("tt", "thi tran"),
    ("x", "xa"),
    ("d", "duong"),
    ("kp", "khu pho"),
];

/// An address ready for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The address without its province, folded, abbreviations expanded: what is compared within a province.
    pub locality: Box<str>,
    /// The province as written, folded ("binh duong"), when one was recognised.
    pub written_province: Option<&'static str>,
    /// The post-2025 province that the written one is now part of.
    pub province: Option<&'static str>,
    /// The locality's distinct words as sorted 32-bit hashes, so that comparing two addresses does not re-split them.
    pub words: Box<[u32]>,
}

/// FNV-1a of a word, 32 bits.
fn word_hash(w: &str) -> u32 {
    w.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

impl Address {
    /// Parses an address; `None` when nothing is written.
    pub fn parse(raw: &str) -> Option<Address> {
        let folded = fold_words(raw);
        if folded.is_empty() {
            return None;
        }
        // The province is looked up before expanding abbreviations: "TP HCM" is a province alias.
        let found = find_province(&folded);
        let raw_words: Vec<&str> = folded.split(' ').collect();
        let mut locality = String::with_capacity(folded.len() + 8);
        let span = found.map(|(start, end, _)| {
            // "tỉnh", "TP", "thành phố" belong to the province's name, not the locality.
            let mut s = start;
            while s > 0 && matches!(raw_words[s - 1], "tinh" | "tp" | "thanh" | "pho") {
                s -= 1;
            }
            (s, end)
        });
        for (i, w) in raw_words.iter().enumerate() {
            let in_province = span.is_some_and(|(s, e)| (s..e).contains(&i));
            let full = ABBREVIATIONS.iter().find(|(a, _)| a == w).map_or(*w, |(_, full)| *full);
            if !in_province {
                if !locality.is_empty() {
                    locality.push(' ');
                }
                locality.push_str(full);
            }
        }
        let mut words: Vec<u32> = locality.split(' ').filter(|w| !w.is_empty()).map(word_hash).collect();
        words.sort_unstable();
        words.dedup();
        Some(Address {
            words: words.into_boxed_slice(),
            locality: locality.into_boxed_str(),
            written_province: found.map(|(_, _, (old, _))| old),
            province: found.map(|(_, _, (_, new))| new),
        })
    }
}

/// The longest province name or alias, in words ("ba ria vung tau").
const LONGEST_PROVINCE_WORDS: usize = 4;

fn province_table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| OLD_TO_NEW_PROVINCE.iter().map(|&(old, new)| (old, (old, new))).collect())
}

/// Finds the province named last in the address: Vietnamese addresses end with the province,
/// and a street may carry a province's name ("đường Hải Phòng" in Đà Nẵng).
/// Returns the word span and the (written, current) names; at the same end the longer name wins
/// ("ba ria vung tau" over "vung tau").
fn find_province(folded: &str) -> Option<(usize, usize, (&'static str, &'static str))> {
    let words: Vec<&str> = folded.split(' ').collect();
    let table = province_table();
    let mut phrase = String::with_capacity(32);
    for end in (1..=words.len()).rev() {
        for len in (1..=LONGEST_PROVINCE_WORDS.min(end)).rev() {
            phrase.clear();
            for (i, w) in words[end - len..end].iter().enumerate() {
                if i > 0 {
                    phrase.push(' ');
                }
                phrase.push_str(w);
            }
            if let Some(&entry) = table.get(phrase.as_str()) {
                return Some((end - len, end, entry));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn finds_old_and_new_provinces() {
        let cases = [
            ("Thôn 3, xã Lũng Cú, huyện Đồng Văn, tỉnh Hà Giang", Some("ha giang"), Some("Tuyên Quang")),
            ("TP Bắc Giang, Bắc Giang", Some("bac giang"), Some("Bắc Ninh")),
            ("123 Trần Hưng Đạo, TP Hải Dương", Some("hai duong"), Some("Hải Phòng")),
            ("Phường 7, TP Vũng Tàu, tỉnh Bà Rịa – Vũng Tàu", Some("ba ria vung tau"), Some("Hồ Chí Minh")),
            ("Thủ Dầu Một, Bình Dương", Some("binh duong"), Some("Hồ Chí Minh")),
            ("Q.1, TP.HCM", Some("tp hcm"), Some("Hồ Chí Minh")),
            ("Rạch Giá, Kiên Giang", Some("kien giang"), Some("An Giang")),
            ("Hội An, Quảng Nam", Some("quang nam"), Some("Đà Nẵng")),
            ("45 đường Hải Phòng, Thanh Khê, Đà Nẵng", Some("da nang"), Some("Đà Nẵng")),
            ("Buôn Ma Thuột, Đắk Lắk", Some("dak lak"), Some("Đắk Lắk")),
            ("Tuy Hòa, Phú Yên", Some("phu yen"), Some("Đắk Lắk")),
            ("Phủ Lý, Hà Nam", Some("ha nam"), Some("Ninh Bình")),
            ("Thành phố Huế, Thừa Thiên Huế", Some("thua thien hue"), Some("Huế")),
            ("Bến Lức, Long An", Some("long an"), Some("Tây Ninh")),
            ("Hoà Bình", Some("hoa binh"), Some("Phú Thọ")),
            ("Dĩ An, Bình Dương (nay TP HCM)", Some("tp hcm"), Some("Hồ Chí Minh")),
            ("Khu phố 2, thị trấn X", None, None),
        ];
        for (raw, written, new) in cases {
            let a = Address::parse(raw).unwrap_or_else(|| panic!("{raw} did not parse"));
            assert_eq!(a.written_province, written, "written province of {raw}");
            assert_eq!(a.province, new, "province of {raw}");
        }
    }

    #[test]
    fn sixty_three_provinces_map_onto_thirty_four() {
        // Aliases aside, the table must name every one of the 63 old units exactly once.
        let longest = OLD_TO_NEW_PROVINCE.iter().map(|(o, _)| o.split(' ').count()).max();
        assert_eq!(longest, Some(LONGEST_PROVINCE_WORDS));
        let aliases = [
            "thua thien hue",
            "bac can",
            "kontum",
            "dac nong",
            "dac lac",
            "daklak",
            "tp hcm",
            "tphcm",
            "hcm",
            "hcmc",
            "sai gon",
            "brvt",
            "vung tau",
        ];
        let old: Vec<&str> = OLD_TO_NEW_PROVINCE.iter().map(|(o, _)| *o).filter(|o| !aliases.contains(o)).collect();
        assert_eq!(old.len(), 63);
        let distinct: BTreeSet<&str> = old.iter().copied().collect();
        assert_eq!(distinct.len(), 63);
        let targets: BTreeSet<&str> = OLD_TO_NEW_PROVINCE.iter().map(|(_, n)| *n).collect();
        let current: BTreeSet<&str> = PROVINCES_2025.iter().copied().collect();
        assert_eq!(current.len(), 34);
        assert_eq!(targets, current);
    }

    #[test]
    fn expands_abbreviations() {
        let a = Address::parse("12 Đ. Lê Lợi, P. Bến Nghé, Q.1, TP HCM").expect("parses");
        assert_eq!(&*a.locality, "12 duong le loi phuong ben nghe quan 1");
        assert_eq!(a.written_province, Some("tp hcm"));
    }
}
