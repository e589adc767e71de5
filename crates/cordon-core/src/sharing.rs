//! Who may see a record: TLP 2.0 labels, distributions, and the principals they reduce to.
//!
//! A record's audience is its distribution, which must fit within what its TLP label
//! allows (RED stays in the owning unit; AMBER+STRICT in the owning agency; AMBER may
//! go to named agencies and sharing groups; GREEN to all domestic agencies; CLEAR
//! anywhere). Both the record's audience and the viewer reduce to sets of principals;
//! the viewer may see the record when the two sets meet. Stored as rows, the same
//! rule filters lists, counts, search hits and exports in the database.

use crate::coded_enum;
use crate::Invalid;

coded_enum! {
    /// Traffic Light Protocol 2.0 label.
    pub enum Tlp {
        /// For the named recipients only: in Cordon, the owning unit.
        Red = "red" / "TLP:RED",
        /// The recipients' organisation only: the owning agency.
        AmberStrict = "amber_strict" / "TLP:AMBER+STRICT",
        /// Limited disclosure: named agencies and sharing groups on a need-to-know basis.
        Amber = "amber" / "TLP:AMBER",
        /// The community: all domestic agencies.
        Green = "green" / "TLP:GREEN",
        /// No limit on disclosure.
        Clear = "clear" / "TLP:CLEAR",
    }
}

/// One part of a distribution: who a record is shared with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Audience {
    /// The owning unit (always included).
    OwnUnit,
    /// Every unit of the owning agency.
    OwnAgency,
    /// A named agency.
    Agency(String),
    /// A sharing group (its members are not shown to each other).
    Group(String),
    /// All domestic agencies.
    AllDomestic,
    /// International partners (foreign customs administrations, international organisations).
    International,
}

impl Audience {
    /// The stable text form: `own_unit`, `own_agency`, `agency:ID`, `group:ID`, `all_domestic`, `international`.
    pub fn to_code(&self) -> String {
        match self {
            Audience::OwnUnit => "own_unit".into(),
            Audience::OwnAgency => "own_agency".into(),
            Audience::Agency(a) => format!("agency:{a}"),
            Audience::Group(g) => format!("group:{g}"),
            Audience::AllDomestic => "all_domestic".into(),
            Audience::International => "international".into(),
        }
    }

    /// Parses the text form.
    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "own_unit" => Some(Audience::OwnUnit),
            "own_agency" => Some(Audience::OwnAgency),
            "all_domestic" => Some(Audience::AllDomestic),
            "international" => Some(Audience::International),
            _ => match s.split_once(':') {
                Some(("agency", id)) if !id.is_empty() => Some(Audience::Agency(id.into())),
                Some(("group", id)) if !id.is_empty() => Some(Audience::Group(id.into())),
                _ => None,
            },
        }
    }

    fn widest_tlp_needed(&self) -> Tlp {
        match self {
            Audience::OwnUnit => Tlp::Red,
            Audience::OwnAgency => Tlp::AmberStrict,
            Audience::Agency(_) | Audience::Group(_) => Tlp::Amber,
            Audience::AllDomestic => Tlp::Green,
            Audience::International => Tlp::Amber,
        }
    }
}

/// Europol-style handling conditions that travel with a record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Handling {
    /// H1: not to be used in court without the owner's consent.
    pub not_for_court: bool,
    /// H2: no onward sharing without the owner's consent.
    pub no_onward_sharing: bool,
    /// H3: a free-text restriction.
    pub restriction: Option<String>,
}

/// A record's sharing: label, distribution and handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sharing {
    /// TLP label.
    pub tlp: Tlp,
    /// Who it is shared with; the owning unit is always included.
    pub distribution: Vec<Audience>,
    /// Handling conditions.
    pub handling: Handling,
}

impl Sharing {
    /// Checks that the distribution fits within the label, and normalises it (sorted, unique).
    pub fn validated(mut self) -> Result<Sharing, Invalid> {
        for a in &self.distribution {
            if let Audience::International = a {
                if matches!(self.tlp, Tlp::Red | Tlp::AmberStrict) {
                    return Err(Invalid::new("distribution", format!("{} records do not go to international partners", self.tlp.label())));
                }
            } else if a.widest_tlp_needed() > self.tlp {
                return Err(Invalid::new(
                    "distribution",
                    format!(
                        "{} does not allow sharing with {}; choose a wider label or a narrower distribution",
                        self.tlp.label(),
                        a.to_code()
                    ),
                ));
            }
        }
        if let Some(r) = &self.handling.restriction {
            if r.trim().is_empty() || r.chars().count() > 500 {
                return Err(Invalid::new("handling", "the H3 restriction is 1 to 500 characters"));
            }
        }
        self.distribution.push(Audience::OwnUnit);
        self.distribution.sort();
        self.distribution.dedup();
        Ok(self)
    }

    /// Whether `narrower` shares with no one this sharing does not: re-sharing may only narrow.
    ///
    /// An audience is covered when this sharing names it, or names a wider audience that
    /// contains it (the own agency contains the own unit; all domestic agencies contain any
    /// named domestic agency, group and the own agency). Handling conditions may only be
    /// added, never lifted.
    pub fn allows_narrowing_to(&self, narrower: &Sharing) -> bool {
        let covered = |a: &Audience| {
            self.distribution.contains(a)
                || match a {
                    Audience::OwnUnit => true,
                    Audience::OwnAgency | Audience::Agency(_) | Audience::Group(_) => self.distribution.contains(&Audience::AllDomestic),
                    Audience::AllDomestic | Audience::International => false,
                }
                || self.tlp == Tlp::Clear
        };
        let h = (&self.handling, &narrower.handling);
        let keeps_handling = (!h.0.not_for_court || h.1.not_for_court)
            && (!h.0.no_onward_sharing || h.1.no_onward_sharing)
            && (h.0.restriction.is_none() || h.1.restriction.is_some());
        narrower.tlp <= self.tlp && narrower.distribution.iter().all(covered) && keeps_handling
    }
}

/// A principal: something a record is shared with and a viewer may be.
pub fn principals_of_record(owner_unit: &str, owner_agency: &str, sharing: &Sharing) -> Vec<String> {
    let mut out: Vec<String> = sharing
        .distribution
        .iter()
        .map(|a| match a {
            Audience::OwnUnit => format!("unit:{owner_unit}"),
            Audience::OwnAgency => format!("agency:{owner_agency}"),
            Audience::Agency(id) => format!("agency:{id}"),
            Audience::Group(id) => format!("group:{id}"),
            Audience::AllDomestic => "domestic".into(),
            Audience::International => "international".into(),
        })
        .collect();
    if sharing.tlp == Tlp::Clear {
        out.push("everyone".into());
    }
    out.sort();
    out.dedup();
    out
}

/// The principals a viewer holds: their unit, their agency, their agency's groups, and
/// the community of their agency (domestic or international).
pub fn principals_of_viewer(unit: &str, agency: &str, domestic: bool, groups: &[String]) -> Vec<String> {
    let mut out = vec![
        format!("unit:{unit}"),
        format!("agency:{agency}"),
        if domestic { "domestic".into() } else { "international".into() },
        "everyone".into(),
    ];
    out.extend(groups.iter().map(|g| format!("group:{g}")));
    out
}

/// Whether a viewer holding `viewer` principals may see a record shared with `record` principals.
pub fn may_see(viewer: &[String], record: &[String]) -> bool {
    record.iter().any(|p| viewer.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sharing(tlp: Tlp, d: &[&str]) -> Result<Sharing, Invalid> {
        Sharing { tlp, distribution: d.iter().map(|s| Audience::parse(s).unwrap()).collect(), handling: Handling::default() }.validated()
    }

    #[test]
    fn labels_cap_distributions() {
        assert!(sharing(Tlp::Red, &["own_unit"]).is_ok());
        assert!(sharing(Tlp::Red, &["own_agency"]).is_err());
        assert!(sharing(Tlp::AmberStrict, &["own_agency"]).is_ok());
        assert!(sharing(Tlp::AmberStrict, &["agency:bg"]).is_err());
        assert!(sharing(Tlp::Amber, &["agency:bg", "group:mekong"]).is_ok());
        assert!(sharing(Tlp::Amber, &["all_domestic"]).is_err());
        assert!(sharing(Tlp::Green, &["all_domestic"]).is_ok());
        assert!(sharing(Tlp::Amber, &["international"]).is_ok());
        assert!(sharing(Tlp::AmberStrict, &["international"]).is_err());
        assert_eq!(sharing(Tlp::Red, &[]).unwrap().distribution, vec![Audience::OwnUnit], "the owning unit is always in");
    }

    /// Every combination of label, distribution and viewer, against the rule written out by hand.
    #[test]
    fn visibility_matrix() {
        // Owner: unit u1 of agency customs. Viewers: same unit, other unit same agency,
        // border guard (named), police (in group g), market surveillance (none), foreign customs.
        let viewers = [
            ("u1", "customs", true, vec![]),
            ("u2", "customs", true, vec![]),
            ("bg1", "bg", true, vec![]),
            ("pol1", "police", true, vec!["g".to_string()]),
            ("ms1", "ms", true, vec![]),
            ("cn1", "customs-cn", false, vec![]),
        ];
        let cases: [(Tlp, &[&str], [bool; 6]); 8] = [
            (Tlp::Red, &[], [true, false, false, false, false, false]),
            (Tlp::AmberStrict, &["own_agency"], [true, true, false, false, false, false]),
            (Tlp::Amber, &["agency:bg"], [true, false, true, false, false, false]),
            (Tlp::Amber, &["own_agency", "group:g"], [true, true, false, true, false, false]),
            (Tlp::Amber, &["international"], [true, false, false, false, false, true]),
            (Tlp::Green, &["all_domestic"], [true, true, true, true, true, false]),
            (Tlp::Green, &["all_domestic", "international"], [true; 6]),
            (Tlp::Clear, &[], [true; 6]),
        ];
        for (tlp, dist, want) in cases {
            let s = sharing(tlp, dist).unwrap();
            let rec = principals_of_record("u1", "customs", &s);
            for (i, (unit, agency, domestic, groups)) in viewers.iter().enumerate() {
                let v = principals_of_viewer(unit, agency, *domestic, groups);
                assert_eq!(may_see(&v, &rec), want[i], "{tlp:?} {dist:?} seen by {unit}");
            }
        }
    }

    #[test]
    fn resharing_only_narrows() {
        let wide = sharing(Tlp::Green, &["all_domestic", "agency:bg"]).unwrap();
        assert!(wide.allows_narrowing_to(&sharing(Tlp::Amber, &["agency:bg"]).unwrap()));
        assert!(!wide.allows_narrowing_to(&sharing(Tlp::Clear, &[]).unwrap()));
        assert!(!sharing(Tlp::Amber, &["agency:bg"]).unwrap().allows_narrowing_to(&sharing(Tlp::Amber, &["agency:police"]).unwrap()));
        let green = sharing(Tlp::Green, &["all_domestic"]).unwrap();
        assert!(green.allows_narrowing_to(&sharing(Tlp::Amber, &["group:g", "own_agency"]).unwrap()), "all domestic covers a group");
        assert!(green.allows_narrowing_to(&sharing(Tlp::Red, &[]).unwrap()));
        assert!(!green.allows_narrowing_to(&sharing(Tlp::Amber, &["international"]).unwrap()));
        let mut h2 = sharing(Tlp::Green, &["all_domestic"]).unwrap();
        h2.handling.no_onward_sharing = true;
        assert!(!h2.allows_narrowing_to(&green), "a handling condition is never lifted");
        assert!(h2.allows_narrowing_to(&h2));
    }

    #[test]
    fn audience_codes_round_trip() {
        for s in ["own_unit", "own_agency", "agency:bg", "group:mekong", "all_domestic", "international"] {
            assert_eq!(Audience::parse(s).unwrap().to_code(), s);
        }
        for bad in ["agency:", "everyone", "group", ""] {
            assert!(Audience::parse(bad).is_none(), "{bad}");
        }
    }
}
