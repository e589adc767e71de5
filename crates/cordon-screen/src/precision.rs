//! Per-rule precision from analysts' decisions on leads, so noisy rules can be found and tuned.

use std::collections::BTreeMap;

use crate::screen::Screening;

/// What an analyst decided about a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The listing was a real violation.
    Confirmed,
    /// Not pursued (out of scope, duplicate, too small): says nothing about the rule being right.
    Dismissed,
    /// The rule was wrong: the listing was legitimate.
    FalsePositive,
}

/// Decision counts for one rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleTally {
    /// Leads confirmed.
    pub confirmed: u64,
    /// Leads dismissed.
    pub dismissed: u64,
    /// Leads found to be false positives.
    pub false_positives: u64,
}

impl RuleTally {
    /// confirmed / (confirmed + false positives); dismissals are left out because they do not
    /// say whether the rule was right. `None` before any decisive decision.
    pub fn precision(&self) -> Option<f64> {
        let decisive = self.confirmed + self.false_positives;
        (decisive > 0).then(|| self.confirmed as f64 / decisive as f64)
    }
}

/// Counts analysts' decisions per rule id.
#[derive(Debug, Clone, Default)]
pub struct PrecisionTracker {
    tallies: BTreeMap<String, RuleTally>,
}

impl PrecisionTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one decision against one rule.
    pub fn record(&mut self, rule: &str, decision: Decision) {
        let t = self.tallies.entry(rule.to_string()).or_default();
        match decision {
            Decision::Confirmed => t.confirmed += 1,
            Decision::Dismissed => t.dismissed += 1,
            Decision::FalsePositive => t.false_positives += 1,
        }
    }

    /// Records a decision on a whole lead: once for each distinct rule that fired on it.
    pub fn record_screening(&mut self, screening: &Screening, decision: Decision) {
        let mut seen: Vec<&str> = Vec::new();
        for hit in &screening.hits {
            if !seen.contains(&&*hit.rule) {
                seen.push(&hit.rule);
                self.record(&hit.rule, decision);
            }
        }
    }

    /// The tally of one rule, if it ever got a decision.
    pub fn tally(&self, rule: &str) -> Option<RuleTally> {
        self.tallies.get(rule).copied()
    }

    /// Precision of one rule (see [`RuleTally::precision`]).
    pub fn precision(&self, rule: &str) -> Option<f64> {
        self.tally(rule)?.precision()
    }

    /// Every rule with its tally, by rule id.
    pub fn report(&self) -> impl Iterator<Item = (&str, RuleTally)> {
        self.tallies.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_counts_confirmed_against_false_positives() {
        let cases: [(&[Decision], Option<f64>); 4] = [
            (&[], None),
            (&[Decision::Dismissed, Decision::Dismissed], None),
            (&[Decision::Confirmed, Decision::FalsePositive, Decision::Dismissed], Some(0.5)),
            (&[Decision::Confirmed, Decision::Confirmed, Decision::Confirmed, Decision::FalsePositive], Some(0.75)),
        ];
        for (decisions, want) in cases {
            let mut t = PrecisionTracker::new();
            for d in decisions {
                t.record("term:prohibited", *d);
            }
            assert_eq!(t.precision("term:prohibited"), want, "{decisions:?}");
            assert_eq!(t.precision("other"), None);
        }
    }
}
