//! Duty rosters — who of a unit is on duty when — and who a notice to a unit is delivered to:
//! its officers on duty, or, with nobody on duty, the unit head (or the deputy a delegation
//! names while it runs), or nobody at all, said so.

use crate::notice::{escalation_target, Delegation, EscalationTarget};

/// Longest single shift accepted, ms: a roster is entered shift by shift, not "for ever".
pub const MAX_SHIFT_MS: i64 = 31 * 86_400_000;

/// One person's turn of duty in a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyShift {
    /// Id.
    pub id: String,
    /// The unit.
    pub unit_id: String,
    /// Who is on duty.
    pub user_id: String,
    /// From, ms (inclusive).
    pub starts_at: i64,
    /// Until, ms (exclusive).
    pub ends_at: i64,
    /// A note (post, telephone at the post…).
    pub note: String,
}

impl DutyShift {
    /// Whether the shift runs at `at`.
    pub fn covers(&self, at: i64) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

/// Checks a shift's period: it ends after it starts, not in the past, and lasts at most [`MAX_SHIFT_MS`].
pub fn check_period(starts_at: i64, ends_at: i64, now: i64) -> Result<(), &'static str> {
    if ends_at <= starts_at {
        return Err("the shift must end after it starts");
    }
    if ends_at <= now {
        return Err("the shift is already over");
    }
    if ends_at - starts_at > MAX_SHIFT_MS {
        return Err("one shift lasts at most 31 days");
    }
    Ok(())
}

/// The users on duty at `at`, each once, in id order.
pub fn on_duty(shifts: &[DutyShift], at: i64) -> Vec<String> {
    let mut users: Vec<String> = shifts.iter().filter(|s| s.covers(at)).map(|s| s.user_id.clone()).collect();
    users.sort();
    users.dedup();
    users
}

/// Who a notice to a unit goes to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// The officers on duty.
    OnDuty(Vec<String>),
    /// Nobody on duty: the unit head, or the deputy under a delegation.
    NobodyOnDuty(EscalationTarget),
}

impl Routing {
    /// The users to deliver to (none when the unit has neither anyone on duty nor a head).
    pub fn users(&self) -> Vec<String> {
        match self {
            Routing::OnDuty(users) => users.clone(),
            Routing::NobodyOnDuty(EscalationTarget::Head(h)) => vec![h.clone()],
            Routing::NobodyOnDuty(EscalationTarget::Deputy { user_id, .. }) => vec![user_id.clone()],
            Routing::NobodyOnDuty(EscalationTarget::Nobody) => Vec::new(),
        }
    }

    /// Why those users, as shown on the notice.
    pub fn note(&self) -> String {
        match self {
            Routing::OnDuty(users) => format!("on duty: {}", users.join(", ")),
            Routing::NobodyOnDuty(EscalationTarget::Head(h)) => format!("nobody on duty: to the unit head {h}"),
            Routing::NobodyOnDuty(EscalationTarget::Deputy { user_id, for_head, delegation_id }) => {
                format!("nobody on duty: to {user_id}, deputy for the unit head {for_head} under delegation {delegation_id}")
            }
            Routing::NobodyOnDuty(EscalationTarget::Nobody) => "nobody on duty and no unit head on record: delivered to no one".into(),
        }
    }
}

/// The routing rule: the unit's officers on duty at `at` (among `active`, the users who may
/// still receive); with nobody on duty, whoever a late notice would escalate to.
pub fn route(shifts: &[DutyShift], active: &[String], heads: &[String], delegations: &[Delegation], at: i64) -> Routing {
    let users: Vec<String> = on_duty(shifts, at).into_iter().filter(|u| active.contains(u)).collect();
    if users.is_empty() {
        Routing::NobodyOnDuty(escalation_target(heads, delegations, at))
    } else {
        Routing::OnDuty(users)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(user: &str, starts: i64, ends: i64) -> DutyShift {
        DutyShift {
            id: format!("s-{user}"),
            unit_id: "u".into(),
            user_id: user.into(),
            starts_at: starts,
            ends_at: ends,
            note: String::new(),
        }
    }

    #[test]
    fn on_duty_officers_first_then_the_head_then_nobody() {
        let shifts = [shift("day", 0, 100), shift("night", 100, 200), shift("day", 50, 150)];
        let active = vec!["day".to_string(), "night".to_string(), "head".to_string()];
        let heads = vec!["head".to_string()];
        assert_eq!(route(&shifts, &active, &heads, &[], 120), Routing::OnDuty(vec!["day".into(), "night".into()]));
        assert_eq!(route(&shifts, &active, &heads, &[], 10).users(), vec!["day".to_string()]);
        let gap = route(&shifts, &active, &heads, &[], 200);
        assert_eq!(gap, Routing::NobodyOnDuty(EscalationTarget::Head("head".into())), "ends are exclusive");
        assert!(gap.note().starts_with("nobody on duty"), "{}", gap.note());
        // A disabled user on the roster is nobody on duty.
        assert_eq!(route(&shifts, &["head".to_string()], &heads, &[], 10).users(), vec!["head".to_string()]);
        let nobody = route(&[], &active, &[], &[], 10);
        assert!(nobody.users().is_empty() && nobody.note().contains("no one"), "{}", nobody.note());
    }

    #[test]
    fn with_nobody_on_duty_a_delegation_in_force_sends_it_to_the_deputy() {
        let d = Delegation {
            id: "d1".into(),
            unit_id: "u".into(),
            from_user_id: "head".into(),
            to_user_id: "deputy".into(),
            starts_at: 0,
            ends_at: 100,
            reason: "công tác".into(),
            scope: crate::notice::DelegatedPower::ALL.to_vec(),
        };
        let r = route(&[], &[], &["head".to_string()], &[d], 50);
        assert_eq!(r.users(), vec!["deputy".to_string()]);
        assert!(r.note().contains("d1"), "{}", r.note());
    }

    #[test]
    fn periods_are_checked() {
        assert!(check_period(10, 20, 0).is_ok());
        assert!(check_period(20, 10, 0).is_err());
        assert!(check_period(0, 10, 10).is_err(), "over");
        assert!(check_period(0, MAX_SHIFT_MS + 1, 0).is_err());
    }
}
