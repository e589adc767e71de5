//! Decisions: a pursuit (on a notice) or a handover (on its request or its answer) is recorded
//! with its form, who decided, under whose authority — their own as unit head, or a head's
//! under a delegation in force when they decided, checked against the unit's delegations —
//! and when.

use cordon_core::coordination::{check_authority, Authority, DecisionForm, DecisionKind, NoAuthority};
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::Decision;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// A decision as the officer records it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// `written_decision`, `oral_order` or `telephone_instruction`.
    pub form: String,
    /// Who decided (a user of the deciding unit).
    pub decided_by: String,
    /// `own` (the unit head) or `delegated` (a deputy under a delegation in force).
    pub authority: String,
    /// The delegation relied on (optional: the one in force is found).
    #[serde(default)]
    pub delegation_id: Option<String>,
    /// When it was decided, ms.
    pub decided_at: i64,
    /// The written decision's number (required for a written decision).
    #[serde(default)]
    pub document_ref: Option<String>,
    /// What was said or ordered.
    #[serde(default)]
    pub note: String,
}

/// A decision as shown on its notice or handover.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionView {
    /// Id.
    pub id: String,
    /// `pursuit`, `handover` or `handover_answer`.
    pub kind: String,
    /// `written_decision`, `oral_order` or `telephone_instruction`.
    pub form: String,
    /// The written decision's number.
    pub document_ref: Option<String>,
    /// Who decided.
    pub decided_by: String,
    /// Their unit.
    pub decided_by_unit: String,
    /// `own` or `delegated`.
    pub authority: String,
    /// The delegation it rests on.
    pub delegation_id: Option<String>,
    /// The head who delegated.
    pub for_head: Option<String>,
    /// When, ms.
    pub decided_at: i64,
    /// What was said or ordered.
    pub note: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// When, ms.
    pub recorded_at: i64,
}

impl From<Decision> for DecisionView {
    fn from(d: Decision) -> Self {
        let (authority, delegation_id, for_head) = match d.authority {
            Authority::Own => ("own", None, None),
            Authority::Delegated { delegation_id, for_head } => ("delegated", Some(delegation_id), Some(for_head)),
        };
        DecisionView {
            id: d.id,
            kind: d.kind.as_str().into(),
            form: d.form.as_str().into(),
            document_ref: d.document_ref,
            decided_by: d.decided_by,
            decided_by_unit: d.decided_by_unit,
            authority: authority.into(),
            delegation_id,
            for_head,
            decided_at: d.decided_at,
            note: d.note,
            recorded_by: d.recorded_by,
            recorded_at: d.recorded_at,
        }
    }
}

/// How far back a decision may be recorded: an oral order is written down the same shift, a
/// written decision within weeks.
const MAX_DECISION_AGE_MS: i64 = 30 * 86_400_000;
/// A clock a few minutes fast at a border post must not block an honest record.
const CLOCK_SLACK_MS: i64 = 5 * 60_000;

impl App {
    /// Checks a decision taken in `unit` and builds it, to be written with what it decides.
    pub(crate) async fn build_decision(
        &self,
        actor: &Actor,
        input: &DecisionInput,
        kind: DecisionKind,
        unit: &str,
        subject: (&str, &str),
    ) -> Result<Decision, AppError> {
        let form = DecisionForm::parse(&input.form)
            .ok_or_else(|| Invalid::new("decision.form", "written_decision, oral_order or telephone_instruction"))?;
        let now = self.now_ms();
        if input.decided_at > now + CLOCK_SLACK_MS || input.decided_at < now - MAX_DECISION_AGE_MS {
            return Err(Invalid::new("decision.decided_at", "not in the future, and within the last 30 days").into());
        }
        let document_ref = input.document_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
        if form == DecisionForm::WrittenDecision && document_ref.is_none() {
            return Err(Invalid::new("decision.document_ref", "a written decision has a number").into());
        }
        if document_ref.as_ref().is_some_and(|r| r.chars().count() > 100) || input.note.chars().count() > 2000 {
            return Err(Invalid::new("decision.note", "a number of at most 100 characters and a note of at most 2000").into());
        }
        let decider = self.store.user(input.decided_by.trim()).await?.filter(|u| !u.disabled && u.unit_id == unit);
        let Some(decider) = decider else {
            return Err(Invalid::new("decision.decided_by", "no such person in the deciding unit").into());
        };
        let delegated = match input.authority.as_str() {
            "own" => false,
            "delegated" => true,
            _ => return Err(Invalid::new("decision.authority", "own or delegated").into()),
        };
        let delegations = self.store.delegations_of_unit(unit).await?;
        let authority = check_authority(
            &decider.id,
            decider.roles.holds(Role::UnitHead),
            delegated,
            input.delegation_id.as_deref(),
            &delegations,
            (kind, input.decided_at),
        )
        .map_err(|e| match e {
            NoAuthority::NotHead => Invalid::new("decision.authority", "only the unit head decides on their own authority"),
            NoAuthority::NoDelegationInForce => Invalid::new(
                "decision.authority",
                format!("no delegation to this person passing on {} was in force when they decided", kind.power().label().to_lowercase()),
            ),
        })?;
        Ok(Decision {
            id: new_id(now),
            kind,
            subject_type: subject.0.into(),
            subject_id: subject.1.into(),
            form,
            document_ref,
            decided_by: decider.id,
            decided_by_unit: unit.into(),
            authority,
            decided_at: input.decided_at,
            note: input.note.trim().to_string(),
            recorded_by: actor.user.id.clone(),
            recorded_at: now,
        })
    }

    /// The decisions recorded on a notice or a handover.
    pub(crate) async fn decision_views(&self, subject_type: &str, id: &str) -> Result<Vec<DecisionView>, AppError> {
        Ok(self.store.decisions_of(subject_type, id).await?.into_iter().map(DecisionView::from).collect())
    }

    /// Records the pursuit decision behind a pursuit notice the actor's unit sent (an oral
    /// order confirmed later by a written decision is two decisions).
    pub async fn record_pursuit_decision(
        &self,
        actor: &Actor,
        notice_id: &str,
        input: DecisionInput,
    ) -> Result<crate::NoticeView, AppError> {
        Self::require_case_worker(actor)?;
        let n = self.store.notice(notice_id).await?.filter(|n| Self::party_to(actor, n)).ok_or(AppError::NotFound("notice"))?;
        let now = self.now_ms();
        if n.from_unit_id != actor.user.unit_id {
            self.store.audit(&[actor.audit(now, "notice.decision", "notice", notice_id, "denied", json!({}))]).await?;
            return Err(AppError::Forbidden("the sending unit records the decision behind its notice"));
        }
        if n.kind != cordon_core::notice::NoticeKind::Pursuit {
            return Err(Invalid::new("notice", "decisions are recorded on pursuit notices").into());
        }
        let d = self.build_decision(actor, &input, DecisionKind::Pursuit, &n.from_unit_id, ("notice", notice_id)).await?;
        let audit = actor.audit(now, "notice.decision", "notice", notice_id, "ok", json!({ "decision": d.id, "form": d.form.as_str() }));
        self.store.insert_decision(&d, &[audit]).await?;
        self.notice(actor, notice_id).await
    }
}

/// A head or deputy of the actor's unit, offered as the one who decided.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeciderView {
    /// User id.
    pub id: String,
    /// Name.
    pub display_name: String,
    /// Unit head (decides on their own authority); otherwise a deputy (under a delegation).
    pub head: bool,
}

impl App {
    /// The heads and deputies of the actor's unit: who may have decided a pursuit or handover.
    pub async fn deciders(&self, actor: &Actor) -> Result<Vec<DeciderView>, AppError> {
        Ok(self
            .unit_members(actor)
            .await?
            .into_iter()
            .filter(|m| m.head || m.deputy)
            .map(|m| DeciderView { head: m.head, id: m.id, display_name: m.display_name })
            .collect())
    }
}
