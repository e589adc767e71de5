//! Candidate matches between entities and analysts' decisions on them: "not the same" is final.

use crate::coded_enum;

coded_enum! {
    /// Where a candidate match between two entities stands.
    pub enum MatchStatus {
        /// Found by resolution, awaiting an analyst.
        Candidate = "candidate" / "Candidate",
        /// A strong identifier (CCCD, tax code, plate, IMO) agreed: linked without an analyst, until one says otherwise.
        Linked = "linked" / "Linked",
        /// An analyst said they are the same entity.
        Confirmed = "confirmed" / "Confirmed",
        /// An analyst said they are not the same: never overridden.
        Rejected = "rejected" / "Rejected",
    }
}

coded_enum! {
    /// What an analyst decides about a match.
    pub enum MatchDecision {
        /// The two are the same entity.
        Confirm = "confirm" / "Confirm",
        /// The two are not the same entity.
        Reject = "reject" / "Reject",
        /// Undo a confirmed or automatic link: the two are not the same after all.
        Split = "split" / "Split",
    }
}

impl MatchStatus {
    /// True when the two entities are taken as one.
    pub fn joins(self) -> bool {
        matches!(self, MatchStatus::Linked | MatchStatus::Confirmed)
    }
}

/// Why a decision cannot be taken on a match in its current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecisionRefused {
    /// "Not the same" was decided and stands.
    #[error("an analyst decided these are not the same; that decision stands")]
    AlreadyRejected,
    /// Confirming what is confirmed, or splitting what was never joined.
    #[error("the match is already {0}")]
    Pointless(&'static str),
    /// A joined pair is separated by a split, not a rejection.
    #[error("the two are joined; split them instead")]
    SplitInstead,
}

/// The status a decision leads to, or why it is refused. A rejected match stays rejected whatever comes after.
pub fn decide(status: MatchStatus, decision: MatchDecision) -> Result<MatchStatus, DecisionRefused> {
    use MatchDecision as D;
    use MatchStatus as S;
    match (status, decision) {
        (S::Rejected, _) => Err(DecisionRefused::AlreadyRejected),
        (S::Candidate | S::Linked, D::Confirm) => Ok(S::Confirmed),
        (S::Confirmed, D::Confirm) => Err(DecisionRefused::Pointless("confirmed")),
        (S::Candidate, D::Reject) => Ok(S::Rejected),
        (S::Linked | S::Confirmed, D::Reject) => Err(DecisionRefused::SplitInstead),
        (S::Linked | S::Confirmed, D::Split) => Ok(S::Rejected),
        (S::Candidate, D::Split) => Err(DecisionRefused::Pointless("not joined")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STATUSES: [MatchStatus; 4] = [MatchStatus::Candidate, MatchStatus::Linked, MatchStatus::Confirmed, MatchStatus::Rejected];
    const DECISIONS: [MatchDecision; 3] = [MatchDecision::Confirm, MatchDecision::Reject, MatchDecision::Split];

    #[test]
    fn decisions_table() {
        use MatchDecision as D;
        use MatchStatus as S;
        let cases = [
            (S::Candidate, D::Confirm, Ok(S::Confirmed)),
            (S::Candidate, D::Reject, Ok(S::Rejected)),
            (S::Candidate, D::Split, Err(DecisionRefused::Pointless("not joined"))),
            (S::Linked, D::Confirm, Ok(S::Confirmed)),
            (S::Linked, D::Reject, Err(DecisionRefused::SplitInstead)),
            (S::Linked, D::Split, Ok(S::Rejected)),
            (S::Confirmed, D::Confirm, Err(DecisionRefused::Pointless("confirmed"))),
            (S::Confirmed, D::Split, Ok(S::Rejected)),
            (S::Rejected, D::Confirm, Err(DecisionRefused::AlreadyRejected)),
        ];
        for (from, d, want) in cases {
            assert_eq!(decide(from, d), want, "{from:?} {d:?}");
        }
    }

    proptest! {
        #[test]
        fn not_the_same_is_never_overridden(start in 0usize..4, steps in proptest::collection::vec(0usize..3, 0..20)) {
            let mut status = STATUSES[start];
            let mut rejected = status == MatchStatus::Rejected;
            for s in steps {
                if let Ok(next) = decide(status, DECISIONS[s]) {
                    status = next;
                }
                rejected |= status == MatchStatus::Rejected;
                prop_assert!(!rejected || status == MatchStatus::Rejected);
                prop_assert!(!rejected || !status.joins());
            }
        }
    }
}
