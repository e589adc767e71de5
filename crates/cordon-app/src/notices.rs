//! Notices between units: raised with a priority that sets the acknowledgement deadline,
//! acknowledged by the addressed unit, the action reported; a sweep driven by the app's clock
//! escalates what was not acknowledged in time to the unit head, or to the deputy a
//! delegation names while it is in force. Every step is audited.

use cordon_core::notice::{escalation_target, DelegatedPower, Delegation, EscalationTarget, NoticeKind, Priority, RecipientStatus};
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::{Notice, Recipient, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// A notice as raised.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeInput {
    /// `pursuit`, `urgent_alert`, `information_share`, `support_request`.
    pub kind: String,
    /// `urgent` (10 min to acknowledge), `high` (1 h), `normal` (24 h).
    pub priority: String,
    /// The case it concerns (one the sender may see).
    #[serde(default)]
    pub case_id: Option<String>,
    /// Title.
    pub title: String,
    /// What to do and why.
    #[serde(default)]
    pub body: String,
    /// The units addressed.
    pub recipient_units: Vec<String>,
    /// A shorter acknowledgement window than the priority's and the agreements' (which apply by themselves), minutes.
    #[serde(default)]
    pub ack_within_minutes: Option<i64>,
    /// The sender's key for this submission: sending it again answers the same notice.
    #[serde(default)]
    pub idempotency_key: Option<String>,
    /// The decision to pursue (pursuit notices): its form, who decided and under whose authority.
    #[serde(default)]
    pub decision: Option<crate::DecisionInput>,
}

/// An acknowledgement or a report of the action taken.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeActionInput {
    /// The action taken (for a report; empty for a plain acknowledgement).
    #[serde(default)]
    pub action: String,
    /// Its result.
    #[serde(default)]
    pub result: String,
}

/// One addressed unit, as shown on the notice.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecipientView {
    /// The unit.
    pub unit_id: String,
    /// `pending`, `escalated`, `acknowledged`, `action_reported`.
    pub status: String,
    /// Who acknowledged.
    pub ack_by: Option<String>,
    /// When, ms.
    pub ack_at: Option<i64>,
    /// When it escalated, ms.
    pub escalated_at: Option<i64>,
    /// To whom.
    pub escalated_to: Option<String>,
    /// The chain: to the head, or to the deputy under which delegation, or nobody.
    pub escalation_note: Option<String>,
    /// The action taken.
    pub action_taken: Option<String>,
    /// Its result.
    pub result: Option<String>,
}

/// A notice as shown to its sender and recipients.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoticeView {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Priority.
    pub priority: String,
    /// The case it concerns.
    pub case_id: Option<String>,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Sender.
    pub from_user_id: String,
    /// Sending unit.
    pub from_unit_id: String,
    /// Raised, ms.
    pub created_at: i64,
    /// To be acknowledged by, ms.
    pub ack_deadline: i64,
    /// The addressed units.
    pub recipients: Vec<RecipientView>,
    /// The decisions behind it (on a single notice's read; empty in lists).
    pub decisions: Vec<crate::DecisionView>,
}

impl From<Notice> for NoticeView {
    fn from(n: Notice) -> Self {
        NoticeView {
            id: n.id,
            kind: n.kind.as_str().into(),
            priority: n.priority.as_str().into(),
            case_id: n.case_id,
            title: n.title,
            body: n.body,
            from_user_id: n.from_user_id,
            from_unit_id: n.from_unit_id,
            created_at: n.created_at,
            ack_deadline: n.ack_deadline,
            recipients: n
                .recipients
                .into_iter()
                .map(|r: Recipient| RecipientView {
                    unit_id: r.unit_id,
                    status: r.status.as_str().into(),
                    ack_by: r.ack_by,
                    ack_at: r.ack_at,
                    escalated_at: r.escalated_at,
                    escalated_to: r.escalated_to,
                    escalation_note: r.escalation_note,
                    action_taken: r.action_taken,
                    result: r.result,
                })
                .collect(),
            decisions: Vec::new(),
        }
    }
}

/// A delegation as a head enters it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    /// The deputy (a user of the head's unit).
    pub to_user_id: String,
    /// From, ms.
    pub starts_at: i64,
    /// Until, ms (exclusive).
    pub ends_at: i64,
    /// Why.
    pub reason: String,
    /// The powers passed on: `escalations`, `pursuit_decisions`, `handover_decisions`; all of
    /// them if absent (a head away on leave usually hands over everything).
    #[serde(default)]
    pub scope: Option<Vec<String>>,
}

/// A delegation as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DelegationView {
    /// Id.
    pub id: String,
    /// The unit.
    pub unit_id: String,
    /// The head.
    pub from_user_id: String,
    /// The deputy.
    pub to_user_id: String,
    /// From, ms.
    pub starts_at: i64,
    /// Until, ms.
    pub ends_at: i64,
    /// Why.
    pub reason: String,
    /// The powers passed on.
    pub scope: Vec<String>,
}

impl From<Delegation> for DelegationView {
    fn from(d: Delegation) -> Self {
        DelegationView {
            id: d.id,
            unit_id: d.unit_id,
            from_user_id: d.from_user_id,
            to_user_id: d.to_user_id,
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            reason: d.reason,
            scope: d.scope.iter().map(|p| p.as_str().to_string()).collect(),
        }
    }
}

const HEADS: &[Role] = &[Role::UnitHead, Role::DeputyHead];

fn stale_to(what: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Stale => Invalid::new("notice", what).into(),
        other => other.into(),
    }
}

impl App {
    /// Raises a notice to other units; a repeated idempotency key answers the notice it raised.
    pub async fn raise_notice(&self, actor: &Actor, input: NoticeInput) -> Result<NoticeView, AppError> {
        Self::require_case_worker(actor)?;
        if let Some(key) = input.idempotency_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
            if let Some(id) = self.store.notice_id_by_key(&format!("{}:{key}", actor.user.id)).await? {
                return self.notice(actor, &id).await;
            }
        }
        let kind = NoticeKind::parse(&input.kind)
            .ok_or_else(|| Invalid::new("kind", "pursuit, urgent_alert, information_share or support_request"))?;
        let priority = Priority::parse(&input.priority).ok_or_else(|| Invalid::new("priority", "urgent, high or normal"))?;
        let title = input.title.trim();
        if title.is_empty() || title.chars().count() > 300 || input.body.chars().count() > 20_000 {
            return Err(Invalid::new("title", "a title of 1 to 300 characters (and a text of at most 20 000)").into());
        }
        let mut units: Vec<String> = input.recipient_units.iter().map(|u| u.trim().to_string()).collect();
        units.sort();
        units.dedup();
        if units.is_empty() || units.len() > 50 {
            return Err(Invalid::new("recipient_units", "1 to 50 units").into());
        }
        let case_type = match &input.case_id {
            Some(case_id) => {
                let principals = self.principals(actor).await?;
                let case = self.store.case(case_id).await?.filter(|c| c.visible_to(&principals));
                let Some(case) = case else { return Err(Invalid::new("case_id", "no such case among those you may see").into()) };
                Some(case.case_type)
            }
            None => None,
        };
        let now = self.now_ms();
        let agreements = self.store.agreements(Some(&actor.agency_id)).await?;
        let mut window = priority.ack_window_ms();
        for u in &units {
            if u == &actor.user.unit_id {
                return Err(Invalid::new("recipient_units", "a unit does not send a notice to itself").into());
            }
            let Some(unit) = self.store.unit(u).await? else {
                return Err(Invalid::new("recipient_units", format!("no unit {u:?}")).into());
            };
            if unit.agency_id == actor.agency_id {
                continue;
            }
            // Between agencies, a notice goes only where a coordination agreement in force binds
            // both (for the case's type, when it concerns a case), and the agreement's window holds.
            let binding: Vec<_> =
                agreements.iter().filter(|a| a.binds(&actor.agency_id, &unit.agency_id, case_type.map(|t| t.as_str()), now)).collect();
            if binding.is_empty() {
                let what = case_type.map_or_else(String::new, |t| format!(" for {} cases", t.label().to_lowercase()));
                return Err(Invalid::new(
                    "recipient_units",
                    format!(
                        "no coordination agreement in force binds {} and {}{what}, so {u:?} cannot be sent a notice",
                        actor.agency_id, unit.agency_id
                    ),
                )
                .into());
            }
            if let Some(shortest) = binding.iter().filter_map(|a| a.ack_window_ms(priority)).min() {
                window = window.min(shortest);
            }
        }
        let window = match input.ack_within_minutes {
            Some(m) if m <= 0 => return Err(Invalid::new("ack_within_minutes", "a deadline in the past is no deadline").into()),
            Some(m) => (m * 60_000).min(window),
            None => window,
        };
        let notice = Notice {
            id: new_id(now),
            idempotency_key: input
                .idempotency_key
                .as_deref()
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(|k| format!("{}:{k}", actor.user.id)),
            kind,
            priority,
            case_id: input.case_id.clone(),
            title: title.to_string(),
            body: input.body.trim().to_string(),
            from_user_id: actor.user.id.clone(),
            from_unit_id: actor.user.unit_id.clone(),
            from_agency_id: actor.agency_id.clone(),
            created_at: now,
            ack_deadline: now + window,
            recipients: units
                .into_iter()
                .map(|unit_id| Recipient {
                    unit_id,
                    status: RecipientStatus::Pending,
                    ack_by: None,
                    ack_at: None,
                    escalated_at: None,
                    escalated_to: None,
                    escalation_note: None,
                    action_taken: None,
                    result: None,
                })
                .collect(),
        };
        let audit =
            actor.audit(now, "notice.raise", "notice", &notice.id, "ok", json!({ "case": notice.case_id, "priority": priority.as_str() }));
        let decision = match &input.decision {
            Some(_) if kind != NoticeKind::Pursuit => {
                return Err(Invalid::new("decision", "decisions are recorded on pursuit notices").into());
            }
            Some(d) => Some(
                self.build_decision(
                    actor,
                    d,
                    cordon_core::coordination::DecisionKind::Pursuit,
                    &actor.user.unit_id,
                    ("notice", &notice.id),
                )
                .await?,
            ),
            None => None,
        };
        let outbox = self.outbox_for_raise(&notice).await?;
        match &decision {
            Some(d) => self.store.insert_notice_with_decision(&notice, &outbox, d, &[audit]).await?,
            None => self.store.insert_notice(&notice, &outbox, &[audit]).await?,
        }
        self.wake_delivery();
        let mut view = NoticeView::from(notice);
        view.decisions = decision.into_iter().map(crate::DecisionView::from).collect();
        Ok(view)
    }

    /// The units the actor's unit may send a notice to: the rest of its own agency, and the units
    /// of agencies a coordination agreement in force binds to it.
    pub async fn notifiable_units(&self, actor: &Actor) -> Result<Vec<cordon_core::Unit>, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let agreements = self.store.agreements(Some(&actor.agency_id)).await?;
        Ok(self
            .store
            .units(None)
            .await?
            .into_iter()
            .filter(|u| u.id != actor.user.unit_id)
            .filter(|u| u.agency_id == actor.agency_id || agreements.iter().any(|a| a.binds(&actor.agency_id, &u.agency_id, None, now)))
            .collect())
    }

    /// Whether the actor is party to a notice: its sending unit, an addressed unit, or one it escalated to.
    pub(crate) fn party_to(actor: &Actor, n: &Notice) -> bool {
        n.from_unit_id == actor.user.unit_id
            || n.recipients.iter().any(|r| r.unit_id == actor.user.unit_id || r.escalated_to.as_deref() == Some(actor.user.id.as_str()))
    }

    /// A notice the actor is party to (404 otherwise); audited.
    pub async fn notice(&self, actor: &Actor, id: &str) -> Result<NoticeView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        match self.store.notice(id).await? {
            Some(n) if Self::party_to(actor, &n) => {
                self.store.audit(&[actor.audit(now, "notice.read", "notice", id, "ok", json!({}))]).await?;
                let mut view = NoticeView::from(n);
                view.decisions = self.decision_views("notice", id).await?;
                Ok(view)
            }
            _ => {
                self.store.audit(&[actor.audit(now, "notice.read", "notice", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("notice"))
            }
        }
    }

    /// The notices the actor's unit sent or was sent, and those escalated to the actor, newest first.
    pub async fn notices(&self, actor: &Actor) -> Result<Vec<NoticeView>, AppError> {
        actor.require_active()?;
        let mut out = Vec::new();
        for id in self.store.notice_ids_for(&actor.user.unit_id, &actor.user.id).await? {
            if let Some(n) = self.store.notice(&id).await? {
                out.push(NoticeView::from(n));
            }
        }
        let ids: Vec<&str> = out.iter().map(|n| n.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "notice.list", "notice", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(out)
    }

    /// The addressed unit the actor answers for on this notice: their own unit, or the one
    /// whose late notice escalated to them.
    fn answering_for(actor: &Actor, n: &Notice) -> Option<String> {
        n.recipients
            .iter()
            .find(|r| r.unit_id == actor.user.unit_id)
            .or_else(|| n.recipients.iter().find(|r| r.escalated_to.as_deref() == Some(actor.user.id.as_str())))
            .map(|r| r.unit_id.clone())
    }

    async fn addressed(&self, actor: &Actor, id: &str, action: &str) -> Result<(Notice, String), AppError> {
        actor.require_active()?;
        let n = self.store.notice(id).await?.filter(|n| Self::party_to(actor, n)).ok_or(AppError::NotFound("notice"))?;
        match Self::answering_for(actor, &n) {
            Some(unit) => Ok((n, unit)),
            None => {
                self.store.audit(&[actor.audit(self.now_ms(), action, "notice", id, "denied", json!({}))]).await?;
                Err(AppError::Forbidden("only an addressed unit, or the one a late notice escalated to, answers it"))
            }
        }
    }

    /// Acknowledges a notice for the actor's unit (or the unit whose late notice escalated to them).
    pub async fn acknowledge_notice(&self, actor: &Actor, id: &str) -> Result<NoticeView, AppError> {
        let (_, unit) = self.addressed(actor, id, "notice.ack").await?;
        let now = self.now_ms();
        let audit = actor.audit(now, "notice.ack", "notice", id, "ok", json!({ "unit": unit }));
        self.store.acknowledge_notice(id, &unit, &actor.user.id, now, &[audit]).await.map_err(stale_to("already acknowledged"))?;
        self.notice(actor, id).await
    }

    /// Reports the action taken on an acknowledged notice, and its result.
    pub async fn report_notice_action(&self, actor: &Actor, id: &str, input: NoticeActionInput) -> Result<NoticeView, AppError> {
        let (_, unit) = self.addressed(actor, id, "notice.action").await?;
        let (action, result) = (input.action.trim(), input.result.trim());
        if action.is_empty() || action.chars().count() > 5000 || result.chars().count() > 5000 {
            return Err(Invalid::new("action", "say what was done (at most 5000 characters)").into());
        }
        let now = self.now_ms();
        let audit = actor.audit(now, "notice.action", "notice", id, "ok", json!({ "unit": unit }));
        self.store.report_notice_action(id, &unit, action, result, now, &[audit]).await.map_err(stale_to("acknowledge it first"))?;
        self.notice(actor, id).await
    }

    /// Escalates every recipient still pending past its deadline: to the unit head, or the
    /// deputy a delegation in force names, or — with no head on record — marks it so. Run by
    /// `cordon serve` on a timer; returns how many escalated.
    pub async fn escalate_overdue_notices(&self) -> Result<usize, AppError> {
        let now = self.now_ms();
        let mut done = 0;
        for (notice_id, unit_id) in self.store.overdue_recipients(now).await? {
            let heads: Vec<String> = self
                .store
                .users(Some(&unit_id))
                .await?
                .into_iter()
                .filter(|u| !u.disabled && u.roles.holds(Role::UnitHead))
                .map(|u| u.id)
                .collect();
            let delegations = self.store.delegations_of_unit(&unit_id).await?;
            let (to, note) = match escalation_target(&heads, &delegations, now) {
                EscalationTarget::Head(h) => (Some(h.clone()), format!("to the unit head {h}")),
                EscalationTarget::Deputy { user_id, for_head, delegation_id } => {
                    (Some(user_id.clone()), format!("to {user_id}, deputy for {for_head} under delegation {delegation_id}"))
                }
                EscalationTarget::Nobody => (None, "no unit head on record: nobody to escalate to".to_string()),
            };
            // The clock escalates, not a person: the entry names the system as its actor.
            let audit = cordon_core::audit::AuditEntry {
                seq: 0,
                at: now,
                actor_user_id: Some("system:escalation".into()),
                actor_unit_id: None,
                action: "notice.escalate".into(),
                object_type: "notice".into(),
                object_id: notice_id.clone(),
                outcome: "ok".into(),
                detail: json!({ "unit": unit_id, "to": to, "note": note }).to_string(),
            };
            let outbox = self.outbox_for_escalation(&notice_id, &unit_id, to.as_deref(), &note, now).await?;
            match self.store.escalate_notice(&notice_id, &unit_id, to.as_deref(), &note, now, &outbox, &[audit]).await {
                Ok(()) => {
                    done += 1;
                    self.wake_delivery();
                }
                // Acknowledged meanwhile: nothing to escalate.
                Err(StoreError::Stale) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(done)
    }

    /// Records a head's delegation to a deputy of the same unit.
    pub async fn create_delegation(&self, actor: &Actor, input: DelegationInput) -> Result<DelegationView, AppError> {
        actor.require_active()?;
        if !actor.user.roles.holds(Role::UnitHead) {
            return Err(AppError::Forbidden("a unit head delegates"));
        }
        let deputy = self.store.user(&input.to_user_id).await?.filter(|u| u.unit_id == actor.user.unit_id && !u.disabled);
        let Some(deputy) = deputy else { return Err(Invalid::new("to_user_id", "no such user in your unit").into()) };
        if deputy.id == actor.user.id {
            return Err(Invalid::new("to_user_id", "a head does not delegate to themself").into());
        }
        if !HEADS.iter().any(|r| deputy.roles.holds(*r)) {
            return Err(Invalid::new("to_user_id", "delegate to a deputy head (or another head) of the unit").into());
        }
        let now = self.now_ms();
        if input.ends_at <= input.starts_at || input.ends_at <= now {
            return Err(Invalid::new("ends_at", "after the start, and not in the past").into());
        }
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(Invalid::new("reason", "say why, in at most 500 characters").into());
        }
        let scope = match &input.scope {
            None => DelegatedPower::ALL.to_vec(),
            Some(codes) => {
                let mut scope = codes
                    .iter()
                    .map(|c| {
                        DelegatedPower::parse(c.trim()).ok_or_else(|| {
                            Invalid::new("scope", format!("unknown power {c:?}: escalations, pursuit_decisions or handover_decisions"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                scope.sort();
                scope.dedup();
                if scope.is_empty() {
                    return Err(Invalid::new("scope", "a delegation passes on at least one power").into());
                }
                scope
            }
        };
        let d = Delegation {
            id: new_id(now),
            unit_id: actor.user.unit_id.clone(),
            from_user_id: actor.user.id.clone(),
            to_user_id: deputy.id,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            reason: reason.to_string(),
            scope,
        };
        let audit = actor.audit(
            now,
            "delegation.create",
            "delegation",
            &d.id,
            "ok",
            json!({ "to": d.to_user_id, "scope": cordon_core::notice::scope_to_codes(&d.scope) }),
        );
        self.store.insert_delegation(&d, now, &[audit]).await?;
        Ok(d.into())
    }

    /// The delegations of the actor's unit.
    pub async fn delegations(&self, actor: &Actor) -> Result<Vec<DelegationView>, AppError> {
        actor.require_active()?;
        Ok(self.store.delegations_of_unit(&actor.user.unit_id).await?.into_iter().map(DelegationView::from).collect())
    }
}
