//! Leads from screened listings: one per seller while open, and the analyst's decision on it.

use crate::coded_enum;

coded_enum! {
    /// Where a lead stands in the analysts' queue.
    pub enum LeadStatus {
        /// Waiting for an analyst.
        Open = "open" / "Open",
        /// A real violation: a case was opened or linked.
        Confirmed = "confirmed" / "Confirmed",
        /// Not pursued (out of scope, too small, duplicate); says nothing about the rules.
        Dismissed = "dismissed" / "Dismissed",
        /// The listing was legitimate: the rules that fired were wrong.
        FalsePositive = "false_positive" / "False positive",
    }
}

impl LeadStatus {
    /// Whether an analyst has decided the lead; a decided lead is not decided again.
    pub fn is_decided(self) -> bool {
        self != LeadStatus::Open
    }

    /// Whether a decision needs a written reason: a dismissal or a false positive must say why,
    /// so that the rule's owner can learn from it.
    pub fn needs_reason(self) -> bool {
        matches!(self, LeadStatus::Dismissed | LeadStatus::FalsePositive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_open_is_undecided_and_refusals_say_why() {
        assert!(!LeadStatus::Open.is_decided());
        for s in [LeadStatus::Confirmed, LeadStatus::Dismissed, LeadStatus::FalsePositive] {
            assert!(s.is_decided());
        }
        assert!(LeadStatus::Dismissed.needs_reason());
        assert!(LeadStatus::FalsePositive.needs_reason());
        assert!(!LeadStatus::Confirmed.needs_reason());
        assert_eq!(LeadStatus::parse("false_positive"), Some(LeadStatus::FalsePositive));
    }
}
