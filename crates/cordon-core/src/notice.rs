//! Notices between units — pursuit notices, urgent alerts, information shares, requests for
//! support — with acknowledgement deadlines, and who a late notice escalates to.

use crate::coded_enum;

coded_enum! {
    /// What a notice is.
    pub enum NoticeKind {
        /// Goods or a conveyance under suspicion left (or were found outside) a customs area: pursue.
        Pursuit = "pursuit" / "Pursuit notice",
        /// Act now.
        UrgentAlert = "urgent_alert" / "Urgent alert",
        /// For information.
        InformationShare = "information_share" / "Information share",
        /// Asking another unit for support.
        SupportRequest = "support_request" / "Request for support",
    }
}

coded_enum! {
    /// How fast a notice must be acknowledged.
    pub enum Priority {
        /// Within 10 minutes.
        Urgent = "urgent" / "Urgent",
        /// Within an hour.
        High = "high" / "High",
        /// Within a working day.
        Normal = "normal" / "Normal",
    }
}

impl Priority {
    /// The acknowledgement window, ms (an agreement may set a shorter one).
    pub fn ack_window_ms(self) -> i64 {
        match self {
            Priority::Urgent => 10 * 60_000,
            Priority::High => 60 * 60_000,
            Priority::Normal => 24 * 3_600_000,
        }
    }
}

coded_enum! {
    /// Where a recipient unit stands with a notice.
    pub enum RecipientStatus {
        /// Delivered, not yet acknowledged.
        Pending = "pending" / "Pending",
        /// Not acknowledged by the deadline: escalated.
        Escalated = "escalated" / "Escalated",
        /// Acknowledged.
        Acknowledged = "acknowledged" / "Acknowledged",
        /// Acknowledged, and the action taken reported.
        ActionReported = "action_reported" / "Action reported",
    }
}

coded_enum! {
    /// One of a head's powers a delegation can pass on: its scope is a set of these.
    pub enum DelegatedPower {
        /// What goes to the head goes to the deputy: late notices, and new ones while nobody is on duty.
        Escalations = "escalations" / "Notices for the head",
        /// Deciding pursuits on the unit's behalf.
        PursuitDecisions = "pursuit_decisions" / "Pursuit decisions",
        /// Deciding handovers of cases, and answering handovers asked of the unit.
        HandoverDecisions = "handover_decisions" / "Handover decisions",
    }
}

/// A head's delegation to a deputy: while it runs, what its scope names goes to the deputy
/// instead of the head, and nothing else does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    /// Id.
    pub id: String,
    /// The unit.
    pub unit_id: String,
    /// The head who delegates.
    pub from_user_id: String,
    /// The deputy.
    pub to_user_id: String,
    /// From, ms (inclusive).
    pub starts_at: i64,
    /// Until, ms (exclusive).
    pub ends_at: i64,
    /// Why (leave, mission…).
    pub reason: String,
    /// The powers it passes on (never empty).
    pub scope: Vec<DelegatedPower>,
}

impl Delegation {
    /// Whether it is in force at `at`.
    pub fn in_force(&self, at: i64) -> bool {
        self.starts_at <= at && at < self.ends_at
    }

    /// Whether it is in force at `at` and passes on `power`.
    pub fn passes_on(&self, power: DelegatedPower, at: i64) -> bool {
        self.in_force(at) && self.scope.contains(&power)
    }
}

/// A scope as stored: the powers' codes joined by commas.
pub fn scope_to_codes(scope: &[DelegatedPower]) -> String {
    scope.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")
}

/// A stored scope read back; an unknown code is dropped rather than widening the scope.
pub fn scope_from_codes(codes: &str) -> Vec<DelegatedPower> {
    codes.split(',').filter_map(|c| DelegatedPower::parse(c.trim())).collect()
}

/// Who a late notice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscalationTarget {
    /// The unit head.
    Head(String),
    /// The deputy, under a delegation in force.
    Deputy {
        /// The deputy.
        user_id: String,
        /// The head who delegated.
        for_head: String,
        /// The delegation.
        delegation_id: String,
    },
    /// The unit has no head on record: nobody to escalate to (recorded, and visible to the sender).
    Nobody,
}

/// The escalation rule: to the unit's head, unless a delegation from that head passing on
/// escalations is in force at `at`, in which case to the deputy it names. With several heads,
/// the first in `heads` order.
pub fn escalation_target(heads: &[String], delegations: &[Delegation], at: i64) -> EscalationTarget {
    let Some(head) = heads.first() else { return EscalationTarget::Nobody };
    match delegations.iter().find(|d| &d.from_user_id == head && d.passes_on(DelegatedPower::Escalations, at)) {
        Some(d) => EscalationTarget::Deputy { user_id: d.to_user_id.clone(), for_head: head.clone(), delegation_id: d.id.clone() },
        None => EscalationTarget::Head(head.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delegation(starts: i64, ends: i64) -> Delegation {
        Delegation {
            id: "d1".into(),
            unit_id: "u".into(),
            from_user_id: "head".into(),
            to_user_id: "deputy".into(),
            starts_at: starts,
            ends_at: ends,
            reason: "nghỉ phép".into(),
            scope: DelegatedPower::ALL.to_vec(),
        }
    }

    #[test]
    fn a_delegation_passes_on_only_what_its_scope_names() {
        let heads = vec!["head".to_string()];
        let decisions_only = Delegation { scope: vec![DelegatedPower::PursuitDecisions], ..delegation(50, 150) };
        assert_eq!(escalation_target(&heads, std::slice::from_ref(&decisions_only), 100), EscalationTarget::Head("head".into()));
        assert!(decisions_only.passes_on(DelegatedPower::PursuitDecisions, 100));
        assert!(!decisions_only.passes_on(DelegatedPower::HandoverDecisions, 100));
        assert!(!decisions_only.passes_on(DelegatedPower::PursuitDecisions, 150), "not after its end");
    }

    #[test]
    fn scopes_are_stored_as_codes_and_read_back_without_widening() {
        let scope = vec![DelegatedPower::Escalations, DelegatedPower::HandoverDecisions];
        assert_eq!(scope_to_codes(&scope), "escalations,handover_decisions");
        assert_eq!(scope_from_codes("escalations,handover_decisions"), scope);
        assert_eq!(scope_from_codes("escalations,everything"), vec![DelegatedPower::Escalations]);
    }

    #[test]
    fn late_notices_go_to_the_head_or_the_deputy_the_delegation_names() {
        let heads = vec!["head".to_string()];
        assert_eq!(escalation_target(&heads, &[], 100), EscalationTarget::Head("head".into()));
        let d = [delegation(50, 150)];
        assert_eq!(
            escalation_target(&heads, &d, 100),
            EscalationTarget::Deputy { user_id: "deputy".into(), for_head: "head".into(), delegation_id: "d1".into() }
        );
        assert_eq!(escalation_target(&heads, &d, 150), EscalationTarget::Head("head".into()), "expired at its end");
        assert_eq!(escalation_target(&heads, &d, 49), EscalationTarget::Head("head".into()), "not yet begun");
        assert_eq!(escalation_target(&[], &d, 100), EscalationTarget::Nobody);
    }

    #[test]
    fn windows_follow_priority() {
        assert_eq!(Priority::Urgent.ack_window_ms(), 600_000);
        assert!(Priority::High.ack_window_ms() < Priority::Normal.ack_window_ms());
    }
}
