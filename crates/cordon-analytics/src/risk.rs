//! Risk scores for businesses, persons, vehicles, products (HS headings), routes and areas,
//! from their case history, each explained by the points every factor contributed.
//!
//! Points (additive, then squashed to 0–100 so that no history scores above 100):
//! - `cases`: 10 points per case, weighted by the subject's role in it (suspect or owner 1.0,
//!   driver or seller 0.8, consignee or shipper 0.7, witness 0) and halved for every
//!   `half_life_days` of age (recency);
//! - `value`: 5 points per tenfold of the goods' value in millions of VND (log10(1 + value/10⁶));
//! - `serious`: 15 more points per case transferred for criminal investigation or prosecuted,
//!   with the same role weight and recency;
//! - `linked_offenders`: 8 points per known offender met in the same cases (at most 5 count).
//!
//! score = 100 · (1 − e^(−points/50)); each factor's share of the score is in proportion to its
//! points. A single routine case as a suspect half a year ago scores about 13.

/// One case in a subject's history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseFact {
    /// Day number of the case's detection.
    pub day: i64,
    /// Value of the goods concerned, VND.
    pub value_vnd: i64,
    /// The subject's role weight in the case (1.0 for areas, routes and products).
    pub role_weight: f64,
    /// Transferred for criminal investigation or prosecuted.
    pub serious: bool,
}

/// A factor's part in a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// `cases`, `value`, `serious` or `linked_offenders`.
    pub name: &'static str,
    /// The measure behind it: recency-weighted cases, VND, recency-weighted serious cases, offenders met.
    pub measure: f64,
    /// Points it contributed (before the squash).
    pub points: f64,
    /// Its share of the score, in score points (the shares add up to the score).
    pub share: f64,
}

/// A score with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskScore {
    /// 0–100, to one decimal.
    pub score: f64,
    /// Every factor, in the order above.
    pub factors: Vec<Factor>,
    /// Cases in the history.
    pub cases: usize,
    /// Day number of the latest case.
    pub last_day: Option<i64>,
}

/// Default half-life of a case's weight: one year.
pub const HALF_LIFE_DAYS: f64 = 365.0;

/// The weight of a party role in a score.
pub fn role_weight(role: &str) -> f64 {
    match role {
        "suspect" | "owner" => 1.0,
        "driver" | "seller" => 0.8,
        "consignee" | "shipper" => 0.7,
        _ => 0.0,
    }
}

/// Scores a history as of `today` (a day number).
pub fn score(facts: &[CaseFact], linked_offenders: usize, today: i64, half_life_days: f64) -> RiskScore {
    let decay = |day: i64| 0.5f64.powf((today - day).max(0) as f64 / half_life_days);
    let weighted: f64 = facts.iter().map(|f| f.role_weight * decay(f.day)).sum();
    let serious: f64 = facts.iter().filter(|f| f.serious).map(|f| f.role_weight * decay(f.day)).sum();
    let value: i64 = facts.iter().map(|f| f.value_vnd.max(0)).sum();
    let linked = linked_offenders.min(5);
    let parts = [
        ("cases", weighted, 10.0 * weighted),
        ("value", value as f64, 5.0 * (1.0 + value as f64 / 1e6).log10()),
        ("serious", serious, 15.0 * serious),
        ("linked_offenders", linked_offenders as f64, 8.0 * linked as f64),
    ];
    let points: f64 = parts.iter().map(|p| p.2).sum();
    let raw_score = 100.0 * (1.0 - (-points / 50.0).exp());
    let round = |x: f64| (x * 10.0).round() / 10.0;
    RiskScore {
        score: round(raw_score),
        factors: parts
            .iter()
            .map(|&(name, measure, p)| Factor {
                name,
                measure: round(measure),
                points: round(p),
                share: if points > 0.0 { round(raw_score * p / points) } else { 0.0 },
            })
            .collect(),
        cases: facts.len(),
        last_day: facts.iter().map(|f| f.day).max(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(day: i64, value: i64, role: &str, serious: bool) -> CaseFact {
        CaseFact { day, value_vnd: value, role_weight: role_weight(role), serious }
    }

    #[test]
    fn a_score_is_explained_by_its_factors() {
        // One case today as a suspect, 99 million VND: 10 + 5·log10(100) = 20 points.
        let s = score(&[fact(1000, 99_000_000, "suspect", false)], 0, 1000, HALF_LIFE_DAYS);
        let expected = 100.0 * (1.0 - (-20.0f64 / 50.0).exp());
        assert_eq!(s.score, (expected * 10.0).round() / 10.0);
        assert_eq!(s.factors[0].points, 10.0);
        assert_eq!(s.factors[1].points, 10.0);
        assert_eq!(s.factors[0].share, s.factors[1].share, "equal points, equal shares");
        let shares: f64 = s.factors.iter().map(|f| f.share).sum();
        assert!((shares - s.score).abs() < 0.2, "the shares add up to the score");
        assert_eq!((s.cases, s.last_day), (1, Some(1000)));
    }

    #[test]
    fn recency_roles_seriousness_and_links_raise_a_score() {
        let old = score(&[fact(0, 0, "suspect", false)], 0, 730, HALF_LIFE_DAYS);
        let new = score(&[fact(730, 0, "suspect", false)], 0, 730, HALF_LIFE_DAYS);
        assert_eq!(old.factors[0].measure, 0.3, "two half-lives: a quarter (0.25, one decimal)");
        assert!(new.score > old.score);
        let witness = score(&[fact(730, 0, "witness", false)], 0, 730, HALF_LIFE_DAYS);
        assert_eq!(witness.score, 0.0, "a witness is not a risk");
        let serious = score(&[fact(730, 0, "suspect", true)], 0, 730, HALF_LIFE_DAYS);
        assert!(serious.score > new.score);
        let linked = score(&[fact(730, 0, "suspect", false)], 2, 730, HALF_LIFE_DAYS);
        assert_eq!(linked.factors[3].points, 16.0);
        assert!(linked.score > new.score);
        let many = score(&[fact(730, 0, "suspect", false)], 50, 730, HALF_LIFE_DAYS);
        assert_eq!(many.factors[3].points, 40.0, "at most five offenders count");
        let heavy: Vec<CaseFact> = (0..100).map(|d| fact(700 + d % 30, 10_000_000_000, "owner", true)).collect();
        assert!(score(&heavy, 5, 730, HALF_LIFE_DAYS).score <= 100.0);
        assert_eq!(score(&[], 0, 730, HALF_LIFE_DAYS).score, 0.0);
    }
}
