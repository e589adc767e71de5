//! Reference data shipped with the binary: provinces (34 since 1 July 2025, with the
//! 63 pre-merger names kept as aliases), border gates, seaports and airports, HS
//! chapters and the commodity categories used in reporting.
//!
//! The tables live as CSV beside the crate so that a reviewer can read them; they are
//! compiled in, parsed once, and loaded into the store by migration.

use std::sync::OnceLock;

use crate::text::fold_words;

/// Whether a provincial unit is a centrally-run city or a province.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvinceKind {
    /// Thành phố trực thuộc trung ương.
    City,
    /// Tỉnh.
    Province,
}

/// A provincial-level unit in force since 1 July 2025.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Province {
    /// Stable ASCII code, e.g. `lang-son`.
    pub code: &'static str,
    /// Vietnamese name, e.g. `Lạng Sơn`.
    pub name_vi: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// City or province.
    pub kind: ProvinceKind,
    /// Pre-merger provinces that now resolve to this one.
    pub merged_from: Vec<&'static str>,
    /// Earlier names of this same province (Thừa Thiên Huế became Huế city in 2025).
    pub former_names: Vec<&'static str>,
}

/// What kind of entry point a [`Port`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortKind {
    /// A land border gate (road or railway).
    LandBorderGate,
    /// A seaport.
    Seaport,
    /// An international airport.
    Airport,
}

impl PortKind {
    /// The stable code used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PortKind::LandBorderGate => "land_border_gate",
            PortKind::Seaport => "seaport",
            PortKind::Airport => "airport",
        }
    }
}

/// A border gate, seaport or airport with its province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    /// Stable ASCII code, e.g. `huu-nghi`.
    pub code: &'static str,
    /// Vietnamese name.
    pub name_vi: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Land border gate, seaport or airport.
    pub kind: PortKind,
    /// Code of the province it lies in.
    pub province: &'static str,
    /// ISO 3166 code of the country across a land border gate.
    pub neighbour: Option<&'static str>,
}

/// A chapter of the Harmonized System nomenclature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HsChapter {
    /// Two-digit chapter, e.g. `24`.
    pub chapter: &'static str,
    /// English title.
    pub title_en: &'static str,
}

/// A commodity category used in enforcement reporting (cigarettes, sugar, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commodity {
    /// Stable ASCII code, e.g. `cigarettes`.
    pub code: &'static str,
    /// Vietnamese name.
    pub name_vi: &'static str,
    /// English name.
    pub name_en: &'static str,
}

/// All reference tables, parsed once.
#[derive(Debug)]
pub struct Reference {
    /// The 34 provinces.
    pub provinces: Vec<Province>,
    /// Border gates, seaports and airports.
    pub ports: Vec<Port>,
    /// HS chapters 01–97 (77 is reserved and absent).
    pub hs_chapters: Vec<HsChapter>,
    /// Commodity categories.
    pub commodities: Vec<Commodity>,
    /// Each province's comparison keys (its names, current and former), in `provinces`
    /// order: folded once here rather than on every look-up, which a bulk import makes
    /// for each row.
    province_keys: Vec<Vec<String>>,
}

/// The reference tables compiled into this binary.
pub fn reference() -> &'static Reference {
    static REF: OnceLock<Reference> = OnceLock::new();
    REF.get_or_init(parse_all)
}

fn rows(csv: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    csv.lines().skip(1).filter(|l| !l.trim().is_empty()).map(|l| l.split(',').collect())
}

// The CSVs are part of the source tree and checked by the tests below; a malformed
// row is a build defect, so parsing treats missing columns as empty rather than
// carrying an error type that no caller could act on.
fn col(row: &[&'static str], i: usize) -> &'static str {
    row.get(i).copied().unwrap_or("")
}

fn parse_all() -> Reference {
    let provinces: Vec<Province> = rows(include_str!("../data/provinces.csv"))
        .map(|r| Province {
            code: col(&r, 0),
            name_vi: col(&r, 1),
            name_en: col(&r, 2),
            kind: if col(&r, 3) == "city" { ProvinceKind::City } else { ProvinceKind::Province },
            merged_from: col(&r, 4).split(';').filter(|s| !s.is_empty()).collect(),
            former_names: col(&r, 5).split(';').filter(|s| !s.is_empty()).collect(),
        })
        .collect();
    let ports = rows(include_str!("../data/ports.csv"))
        .map(|r| Port {
            code: col(&r, 0),
            name_vi: col(&r, 1),
            name_en: col(&r, 2),
            kind: match col(&r, 3) {
                "seaport" => PortKind::Seaport,
                "airport" => PortKind::Airport,
                _ => PortKind::LandBorderGate,
            },
            province: col(&r, 4),
            neighbour: Some(col(&r, 5)).filter(|s| !s.is_empty()),
        })
        .collect();
    let hs_chapters = include_str!("../data/hs_chapters.csv")
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(','))
        .map(|(chapter, title_en)| HsChapter { chapter, title_en })
        .collect();
    let commodities = rows(include_str!("../data/commodities.csv"))
        .map(|r| Commodity { code: col(&r, 0), name_vi: col(&r, 1), name_en: col(&r, 2) })
        .collect();
    let province_keys = provinces
        .iter()
        .map(|p| {
            [p.name_vi, p.name_en]
                .into_iter()
                .chain(p.merged_from.iter().copied())
                .chain(p.former_names.iter().copied())
                .map(province_key)
                .collect()
        })
        .collect();
    Reference { provinces, ports, hs_chapters, commodities, province_keys }
}

impl Reference {
    /// Finds a province by code.
    pub fn province(&self, code: &str) -> Option<&Province> {
        self.provinces.iter().find(|p| p.code == code)
    }

    /// Resolves a province name as people write it — current or pre-merger, with or
    /// without diacritics, with or without "Tỉnh"/"Thành phố"/"TP." — to the province
    /// in force today.
    pub fn resolve_province(&self, name: &str) -> Option<&Province> {
        let key = province_key(name);
        if key.is_empty() {
            return None;
        }
        self.provinces.iter().zip(&self.province_keys).find(|(p, keys)| p.code == name || keys.contains(&key)).map(|(p, _)| p)
    }

    /// Finds a border gate, seaport or airport by code.
    pub fn port(&self, code: &str) -> Option<&Port> {
        self.ports.iter().find(|p| p.code == code)
    }

    /// Finds a commodity category by code.
    pub fn commodity(&self, code: &str) -> Option<&Commodity> {
        self.commodities.iter().find(|c| c.code == code)
    }

    /// Finds an HS chapter by its two digits.
    pub fn hs_chapter(&self, chapter: &str) -> Option<&HsChapter> {
        self.hs_chapters.iter().find(|c| c.chapter == chapter)
    }
}

/// Folds a province name to a comparison key: no diacritics, no administrative prefix,
/// no spaces or punctuation ("TP. Hồ Chí Minh" and "Ho Chi Minh City" both give "hochiminh").
fn province_key(name: &str) -> String {
    let folded = fold_words(name);
    let mut words: Vec<&str> = folded.split(' ').collect();
    const PREFIXES: [&[&str]; 4] = [&["thanh", "pho"], &["tinh"], &["tp"], &["province"]];
    for p in PREFIXES {
        if words.len() > p.len() && words[..p.len()] == *p {
            words.drain(..p.len());
            break;
        }
    }
    if words.len() > 1 && (words.last() == Some(&"city") || words.last() == Some(&"province")) {
        words.pop();
    }
    words.concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_four_provinces_from_sixty_three() {
        let r = reference();
        assert_eq!(r.provinces.len(), 34);
        let cities = r.provinces.iter().filter(|p| p.kind == ProvinceKind::City).count();
        assert_eq!(cities, 6);
        let merged: usize = r.provinces.iter().map(|p| p.merged_from.len()).sum();
        assert_eq!(r.provinces.len() + merged, 63, "every pre-merger province is kept as an alias");
    }

    #[test]
    fn resolves_current_and_old_names() {
        let r = reference();
        let cases = [
            ("Lạng Sơn", "lang-son"),
            ("lang son", "lang-son"),
            ("Tỉnh Hà Giang", "tuyen-quang"),
            ("Ha Giang", "tuyen-quang"),
            ("Bà Rịa - Vũng Tàu", "ho-chi-minh"),
            ("Ba Ria Vung Tau", "ho-chi-minh"),
            ("TP. Hồ Chí Minh", "ho-chi-minh"),
            ("Ho Chi Minh City", "ho-chi-minh"),
            ("Thành phố Hải Phòng", "hai-phong"),
            ("Hải Dương", "hai-phong"),
            ("Kiên Giang", "an-giang"),
            ("Đắk Nông", "lam-dong"),
            ("dak nong", "lam-dong"),
            ("Bình Thuận", "lam-dong"),
            ("Quảng Bình", "quang-tri"),
            ("Kon Tum", "quang-ngai"),
            ("Thừa Thiên Huế", "hue"),
            ("Huế", "hue"),
        ];
        for (name, want) in cases {
            assert_eq!(r.resolve_province(name).map(|p| p.code), Some(want), "{name}");
        }
        assert!(r.resolve_province("Atlantis").is_none());
        assert!(r.resolve_province("").is_none());
    }

    #[test]
    fn every_port_lies_in_a_known_province() {
        let r = reference();
        assert!(r.ports.len() >= 50);
        for p in &r.ports {
            assert!(r.province(p.province).is_some(), "{} in unknown {}", p.code, p.province);
            assert_eq!(p.kind == PortKind::LandBorderGate, p.neighbour.is_some(), "{}", p.code);
        }
        let mut codes: Vec<_> = r.ports.iter().map(|p| p.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), r.ports.len(), "port codes are unique");
    }

    #[test]
    fn hs_chapters_and_commodities() {
        let r = reference();
        assert_eq!(r.hs_chapters.len(), 96, "01-97 without the reserved 77");
        assert!(r.hs_chapter("77").is_none());
        assert_eq!(r.hs_chapter("24").map(|c| c.title_en), Some("Tobacco and manufactured tobacco substitutes"));
        for code in [
            "cigarettes",
            "sugar",
            "frozen-food",
            "medical-supplies",
            "pharmaceuticals",
            "gold-currency",
            "fuel",
            "drugs-precursors",
            "wildlife-timber",
            "firecrackers",
            "counterfeit-goods",
            "ip-infringing",
            "other",
        ] {
            assert!(r.commodity(code).is_some(), "{code}");
        }
    }
}
