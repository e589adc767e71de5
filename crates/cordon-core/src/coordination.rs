//! Coordination between agencies: decisions (who decided a pursuit or a handover, in what
//! form, under whose authority), handovers of a case to another agency, and joint operations.

use crate::coded_enum;
use crate::notice::{DelegatedPower, Delegation};

coded_enum! {
    /// The form a decision took.
    pub enum DecisionForm {
        /// A signed written decision (quyết định), with its number.
        WrittenDecision = "written_decision" / "Written decision",
        /// An oral order given in person.
        OralOrder = "oral_order" / "Oral order",
        /// An instruction given by telephone.
        TelephoneInstruction = "telephone_instruction" / "Telephone instruction",
    }
}

coded_enum! {
    /// What was decided.
    pub enum DecisionKind {
        /// To pursue goods or a conveyance (on a pursuit notice).
        Pursuit = "pursuit" / "Pursuit",
        /// To hand a case over to another agency.
        Handover = "handover" / "Handover",
        /// To accept or refuse a handover.
        HandoverAnswer = "handover_answer" / "Handover answer",
    }
}

coded_enum! {
    /// Where a handover stands.
    pub enum HandoverStatus {
        /// Asked, not yet answered.
        Requested = "requested" / "Requested",
        /// Accepted: the receiving agency leads the case.
        Accepted = "accepted" / "Accepted",
        /// Refused, with a reason.
        Refused = "refused" / "Refused",
    }
}

coded_enum! {
    /// Where a joint operation stands in time.
    pub enum OperationPhase {
        /// Before its period.
        Planned = "planned" / "Planned",
        /// Within its period.
        Running = "running" / "Running",
        /// After its period.
        Ended = "ended" / "Ended",
    }
}

/// The phase of an operation running over `[starts_at, ends_at)` at `at`.
pub fn operation_phase(starts_at: i64, ends_at: i64, at: i64) -> OperationPhase {
    if at < starts_at {
        OperationPhase::Planned
    } else if at < ends_at {
        OperationPhase::Running
    } else {
        OperationPhase::Ended
    }
}

/// Under whose authority a person decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authority {
    /// Their own, as unit head.
    Own,
    /// A head's, under a delegation in force when they decided.
    Delegated {
        /// The delegation.
        delegation_id: String,
        /// The head who delegated.
        for_head: String,
    },
}

/// Why a person could not have decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoAuthority {
    /// Own authority was claimed by someone who is not the unit's head.
    NotHead,
    /// Delegated authority was claimed, but no delegation to them passing on this power was in
    /// force then (or not the one named).
    NoDelegationInForce,
}

impl DecisionKind {
    /// The head's power a deputy must have been delegated to decide this.
    pub fn power(self) -> DelegatedPower {
        match self {
            DecisionKind::Pursuit => DelegatedPower::PursuitDecisions,
            DecisionKind::Handover | DecisionKind::HandoverAnswer => DelegatedPower::HandoverDecisions,
        }
    }
}

/// The authority a decision rests on, checked: a unit head decides on their own authority;
/// anyone else (a deputy) only under a delegation of the unit, to them, in force at the time
/// of the decision and passing on the power to decide `kind` — the one named, if one is named.
pub fn check_authority(
    decider: &str,
    decider_is_head: bool,
    claims_delegated: bool,
    named_delegation: Option<&str>,
    unit_delegations: &[Delegation],
    (kind, decided_at): (DecisionKind, i64),
) -> Result<Authority, NoAuthority> {
    if !claims_delegated {
        return if decider_is_head { Ok(Authority::Own) } else { Err(NoAuthority::NotHead) };
    }
    unit_delegations
        .iter()
        .find(|d| d.to_user_id == decider && d.passes_on(kind.power(), decided_at) && named_delegation.is_none_or(|id| id == d.id))
        .map(|d| Authority::Delegated { delegation_id: d.id.clone(), for_head: d.from_user_id.clone() })
        .ok_or(NoAuthority::NoDelegationInForce)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delegation(id: &str, to: &str, starts: i64, ends: i64) -> Delegation {
        Delegation {
            id: id.into(),
            unit_id: "u".into(),
            from_user_id: "head".into(),
            to_user_id: to.into(),
            starts_at: starts,
            ends_at: ends,
            reason: "công tác".into(),
            scope: DelegatedPower::ALL.to_vec(),
        }
    }

    #[test]
    fn heads_decide_on_their_own_and_deputies_under_a_delegation_in_force() {
        const P: DecisionKind = DecisionKind::Pursuit;
        let d = [delegation("d1", "deputy", 100, 200)];
        assert_eq!(check_authority("head", true, false, None, &d, (P, 150)), Ok(Authority::Own));
        assert_eq!(check_authority("deputy", false, false, None, &d, (P, 150)), Err(NoAuthority::NotHead));
        assert_eq!(
            check_authority("deputy", false, true, None, &d, (P, 150)),
            Ok(Authority::Delegated { delegation_id: "d1".into(), for_head: "head".into() })
        );
        assert_eq!(check_authority("deputy", false, true, Some("d1"), &d, (P, 150)).map(|_| ()), Ok(()));
        assert_eq!(
            check_authority("deputy", false, true, Some("d2"), &d, (P, 150)),
            Err(NoAuthority::NoDelegationInForce),
            "not the one named"
        );
        assert_eq!(check_authority("deputy", false, true, None, &d, (P, 200)), Err(NoAuthority::NoDelegationInForce), "expired");
        assert_eq!(check_authority("deputy", false, true, None, &d, (P, 99)), Err(NoAuthority::NoDelegationInForce), "not begun");
        assert_eq!(check_authority("other", false, true, None, &d, (P, 150)), Err(NoAuthority::NoDelegationInForce), "not to them");
    }

    #[test]
    fn a_deputy_decides_only_what_the_delegation_passes_on() {
        let d = [Delegation { scope: vec![DelegatedPower::PursuitDecisions], ..delegation("d1", "deputy", 100, 200) }];
        assert!(check_authority("deputy", false, true, None, &d, (DecisionKind::Pursuit, 150)).is_ok());
        assert_eq!(check_authority("deputy", false, true, None, &d, (DecisionKind::Handover, 150)), Err(NoAuthority::NoDelegationInForce));
        assert_eq!(
            check_authority("deputy", false, true, None, &d, (DecisionKind::HandoverAnswer, 150)),
            Err(NoAuthority::NoDelegationInForce)
        );
    }

    #[test]
    fn operations_run_over_their_period() {
        assert_eq!(operation_phase(10, 20, 9), OperationPhase::Planned);
        assert_eq!(operation_phase(10, 20, 10), OperationPhase::Running);
        assert_eq!(operation_phase(10, 20, 20), OperationPhase::Ended);
    }
}
