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

/// A head's delegation to a deputy: while it runs, what would go to the head goes to the deputy.
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
}

impl Delegation {
    /// Whether it is in force at `at`.
    pub fn in_force(&self, at: i64) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
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

/// The escalation rule: to the unit's head, unless a delegation from that head is in force at
/// `at`, in which case to the deputy it names. With several heads, the first in `heads` order.
pub fn escalation_target(heads: &[String], delegations: &[Delegation], at: i64) -> EscalationTarget {
    let Some(head) = heads.first() else { return EscalationTarget::Nobody };
    match delegations.iter().find(|d| &d.from_user_id == head && d.in_force(at)) {
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
        }
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
