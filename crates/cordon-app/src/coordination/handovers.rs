//! Handover of a case to another agency (Customs to the Police for criminal investigation,
//! Market Surveillance to Customs…): the lead agency asks, on a recorded decision; the
//! receiving agency accepts or refuses with a reason; on acceptance it becomes the lead, and
//! the case — its history, goods, parties and evidence — becomes visible to it through the
//! sharing model: its agency joins the case's distribution (an AMBER+STRICT or RED case is
//! relabelled AMBER, which the history records), items shared more narrowly than the case take
//! it in too, and the personal parties are disclosed to it by a granted access request. The
//! sender keeps what it had: nothing is taken out of the distribution.

use cordon_core::case::{Case, CaseEvent, CaseStatus};
use cordon_core::coordination::{DecisionKind, HandoverStatus};
use cordon_core::sharing::{may_see, principals_of_record, principals_of_viewer, Audience, Sharing, Tlp};
use cordon_core::Invalid;
use cordon_store::{Handover, HandoverAcceptance, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::decisions::{DecisionInput, DecisionView};
use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// A handover as the lead agency asks for it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HandoverInput {
    /// The receiving agency (domestic, not the lead itself).
    pub to_agency_id: String,
    /// The receiving unit, if one is meant (it alone then answers).
    #[serde(default)]
    pub to_unit_id: Option<String>,
    /// Why (e.g. signs of a crime: for criminal investigation).
    pub reason: String,
    /// The decision to hand over.
    pub decision: DecisionInput,
    /// The requester's key for this submission: sending it again answers the same handover.
    #[serde(default)]
    pub idempotency_key: Option<String>,
}

/// The receiving agency's answer.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HandoverAnswerInput {
    /// Accept (true) or refuse (false).
    pub accept: bool,
    /// Why (required to refuse).
    #[serde(default)]
    pub reason: String,
    /// The decision to accept or refuse.
    pub decision: DecisionInput,
}

/// A handover as its two agencies see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HandoverView {
    /// Id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Its reference when asked.
    pub case_reference: String,
    /// Its title when asked.
    pub case_title: String,
    /// The agency handing over.
    pub from_agency_id: String,
    /// The unit that asked.
    pub from_unit_id: String,
    /// Who asked.
    pub requested_by: String,
    /// The receiving agency.
    pub to_agency_id: String,
    /// The receiving unit, if named.
    pub to_unit_id: Option<String>,
    /// Why.
    pub reason: String,
    /// `requested`, `accepted` or `refused`.
    pub status: String,
    /// Asked, ms.
    pub requested_at: i64,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When, ms.
    pub answered_at: Option<i64>,
    /// Why refused.
    pub answer_reason: Option<String>,
    /// The decisions: to hand over, and to accept or refuse.
    pub decisions: Vec<DecisionView>,
}

impl HandoverView {
    fn of(h: Handover, decisions: Vec<DecisionView>) -> Self {
        HandoverView {
            id: h.id,
            case_id: h.case_id,
            case_reference: h.case_reference,
            case_title: h.case_title,
            from_agency_id: h.from_agency_id,
            from_unit_id: h.from_unit_id,
            requested_by: h.requested_by,
            to_agency_id: h.to_agency_id,
            to_unit_id: h.to_unit_id,
            reason: h.reason,
            status: h.status.as_str().into(),
            requested_at: h.requested_at,
            answered_by: h.answered_by,
            answered_at: h.answered_at,
            answer_reason: h.answer_reason,
            decisions,
        }
    }
}

/// `sharing` widened just enough that a viewer holding `receiver` sees it: the receiving agency
/// named in the distribution, the label raised to AMBER where it was narrower. `None` if the
/// receiver already sees it.
fn widened_for(sharing: &Sharing, owner: (&str, &str), receiver: &[String], agency: &str) -> Option<Sharing> {
    if may_see(receiver, &principals_of_record(owner.0, owner.1, sharing)) {
        return None;
    }
    let mut s = sharing.clone();
    s.tlp = s.tlp.max(Tlp::Amber);
    s.distribution.push(Audience::Agency(agency.to_string()));
    s.distribution.sort();
    s.distribution.dedup();
    Some(s)
}

impl App {
    async fn handover_view(&self, h: Handover) -> Result<HandoverView, AppError> {
        let decisions = self.decision_views("handover", &h.id).await?;
        Ok(HandoverView::of(h, decisions))
    }

    /// The lead agency asks another agency to take a case over; a repeated idempotency key
    /// answers the handover it asked for.
    pub async fn request_handover(&self, actor: &Actor, case_id: &str, input: HandoverInput) -> Result<HandoverView, AppError> {
        Self::require_case_worker(actor)?;
        let key = input.idempotency_key.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(|k| format!("{}:{k}", actor.user.id));
        if let Some(key) = &key {
            if let Some(id) = self.store.handover_id_by_key(key).await? {
                return self.handover(actor, &id).await;
            }
        }
        let now = self.now_ms();
        let principals = self.principals(actor).await?;
        let case = self.store.case(case_id).await?.filter(|c| c.visible_to(&principals));
        let Some(case) = case else {
            self.store.audit(&[actor.audit(now, "handover.request", "case", case_id, "denied", json!({}))]).await?;
            return Err(AppError::NotFound("case"));
        };
        if case.lead_agency_id != actor.agency_id {
            self.store
                .audit(&[actor.audit(now, "handover.request", "case", case_id, "denied", json!({ "reason": "not the lead agency" }))])
                .await?;
            return Err(AppError::Forbidden("only the lead agency hands a case over"));
        }
        let to = input.to_agency_id.trim();
        if to == actor.agency_id {
            return Err(Invalid::new("to_agency_id", "a handover goes to another agency, not to the lead itself").into());
        }
        let Some(receiver) = self.store.agency(to).await? else {
            return Err(Invalid::new("to_agency_id", format!("no agency {to:?}")).into());
        };
        if !receiver.kind.is_domestic() {
            return Err(Invalid::new("to_agency_id", "a case is handed over to a domestic agency").into());
        }
        let to_unit = match input.to_unit_id.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => match self.store.unit(u).await? {
                Some(unit) if unit.agency_id == receiver.id => Some(unit.id),
                _ => return Err(Invalid::new("to_unit_id", format!("no unit {u:?} in {}", receiver.id)).into()),
            },
            None => None,
        };
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 2000 {
            return Err(Invalid::new("reason", "say why, in at most 2000 characters").into());
        }
        if case.status == CaseStatus::Closed {
            return Err(Invalid::new("case", "a closed case is not handed over").into());
        }
        let id = new_id(now);
        let decision = self.build_decision(actor, &input.decision, DecisionKind::Handover, &actor.user.unit_id, ("handover", &id)).await?;
        let h = Handover {
            id: id.clone(),
            idempotency_key: key,
            case_id: case.id.clone(),
            case_reference: case.reference.clone(),
            case_title: case.title.clone(),
            from_agency_id: actor.agency_id.clone(),
            from_unit_id: actor.user.unit_id.clone(),
            requested_by: actor.user.id.clone(),
            to_agency_id: receiver.id.clone(),
            to_unit_id: to_unit,
            reason: reason.to_string(),
            status: HandoverStatus::Requested,
            requested_at: now,
            answered_by: None,
            answered_at: None,
            answer_reason: None,
        };
        let audit = [
            actor.audit(now, "handover.request", "handover", &id, "ok", json!({ "case": case.id, "to": receiver.id })),
            actor.audit(now, "handover.request", "case", &case.id, "ok", json!({ "handover": id, "to": receiver.id })),
        ];
        self.store.insert_handover(&h, &decision, &audit).await?;
        self.handover_view(h).await
    }

    /// A handover the actor's agency asked for or was asked to take (404 otherwise); audited.
    pub async fn handover(&self, actor: &Actor, id: &str) -> Result<HandoverView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        match self.store.handover(id).await? {
            Some(h) if h.from_agency_id == actor.agency_id || h.to_agency_id == actor.agency_id => {
                self.store.audit(&[actor.audit(now, "handover.read", "handover", id, "ok", json!({}))]).await?;
                self.handover_view(h).await
            }
            _ => {
                self.store.audit(&[actor.audit(now, "handover.read", "handover", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("handover"))
            }
        }
    }

    /// The handovers the actor's agency asked for or was asked to take, newest first.
    pub async fn handovers(&self, actor: &Actor) -> Result<Vec<HandoverView>, AppError> {
        actor.require_active()?;
        let mut out = Vec::new();
        for h in self.store.handovers_of_agency(&actor.agency_id).await? {
            out.push(self.handover_view(h).await?);
        }
        let ids: Vec<&str> = out.iter().map(|h| h.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "handover.list", "handover", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(out)
    }

    /// The receiving agency (the named unit, if one was) accepts or refuses a handover.
    pub async fn answer_handover(&self, actor: &Actor, id: &str, input: HandoverAnswerInput) -> Result<HandoverView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let h = self
            .store
            .handover(id)
            .await?
            .filter(|h| h.from_agency_id == actor.agency_id || h.to_agency_id == actor.agency_id)
            .ok_or(AppError::NotFound("handover"))?;
        let receiving = h.to_agency_id == actor.agency_id && h.to_unit_id.as_ref().is_none_or(|u| u == &actor.user.unit_id);
        if !receiving || Self::require_case_worker(actor).is_err() {
            self.store.audit(&[actor.audit(now, "handover.answer", "handover", id, "denied", json!({}))]).await?;
            return Err(AppError::Forbidden("the receiving agency (the named unit, if any) answers a handover"));
        }
        if h.status != HandoverStatus::Requested {
            return Err(Invalid::new("handover", "already answered").into());
        }
        let reason = input.reason.trim();
        if (!input.accept && reason.is_empty()) || reason.chars().count() > 2000 {
            return Err(Invalid::new("reason", "say why (required to refuse; at most 2000 characters)").into());
        }
        let decision =
            self.build_decision(actor, &input.decision, DecisionKind::HandoverAnswer, &actor.user.unit_id, ("handover", id)).await?;
        let already = |e: StoreError| match e {
            StoreError::Stale => AppError::from(Invalid::new("handover", "already answered, or the case changed meanwhile: reload")),
            other => other.into(),
        };
        if !input.accept {
            let audit = actor.audit(now, "handover.refuse", "handover", id, "ok", json!({ "case": h.case_id }));
            self.store.refuse_handover(id, &actor.user.id, now, reason, &decision, &[audit]).await.map_err(already)?;
        } else {
            let case = self.store.case(&h.case_id).await?.ok_or(AppError::NotFound("case"))?;
            let acceptance = self.acceptance(actor, &h, case, reason, now).await?;
            let audit = [
                actor.audit(now, "handover.accept", "handover", id, "ok", json!({ "case": h.case_id })),
                actor.audit(now, "case.handover", "case", &h.case_id, "ok", json!({ "handover": id, "lead": h.to_agency_id })),
            ];
            self.store.accept_handover(&h, &actor.user.id, now, &acceptance, &decision, &audit).await.map_err(already)?;
            self.index_case(&acceptance.case);
        }
        self.handover(actor, id).await
    }

    /// What accepting `h` writes: the case with its new lead and the sharing its new lead needs.
    async fn acceptance(&self, actor: &Actor, h: &Handover, mut case: Case, note: &str, now: i64) -> Result<HandoverAcceptance, AppError> {
        let receiver_groups = self.store.groups_of_agency(&h.to_agency_id).await?;
        // No unit: only what the receiving agency as a whole holds counts.
        let receiver = principals_of_viewer("", &h.to_agency_id, true, &receiver_groups);
        let owner = (case.owner_unit_id.clone(), case.owner_agency_id.clone());
        let owner = (owner.0.as_str(), owner.1.as_str());
        let before = case.sharing.tlp;
        if let Some(s) = widened_for(&case.sharing, owner, &receiver, &h.to_agency_id) {
            case.sharing = s;
        }
        let parties = case
            .parties
            .iter()
            .filter_map(|p| {
                let s = widened_for(p.sharing.as_ref()?, owner, &receiver, &h.to_agency_id)?;
                Some((p.entity_id.clone(), p.role.as_str().to_string(), s))
            })
            .collect();
        let evidence = self
            .store
            .evidence(&case.id)
            .await?
            .into_iter()
            .filter_map(|e| Some((e.sha256.clone(), widened_for(e.sharing.as_ref()?, owner, &receiver, &h.to_agency_id)?)))
            .collect();
        let from_lead = std::mem::replace(&mut case.lead_agency_id, h.to_agency_id.clone());
        case.lead_basis = Some(format!("handover {} from {from_lead}: {}", h.id, h.reason).chars().take(500).collect());
        case.version += 1;
        case.updated_at = now;
        let principals = principals_of_record(&case.owner_unit_id, &case.owner_agency_id, &case.sharing);
        let event = CaseEvent {
            seq: 0,
            at: now,
            actor_user_id: actor.user.id.clone(),
            actor_unit_id: actor.user.unit_id.clone(),
            kind: "handed_over".into(),
            from_status: None,
            to_status: None,
            reason: h.reason.clone(),
            detail: json!({ "handover": h.id, "from": from_lead, "to": h.to_agency_id, "note": note,
                "relabelled": (before != case.sharing.tlp).then(|| format!("{} → {}", before.label(), case.sharing.tlp.label())) })
            .to_string(),
        };
        let grant = (h.to_agency_id != case.owner_agency_id)
            .then(|| (new_id(now), case.owner_agency_id.clone(), actor.user.id.clone(), actor.user.unit_id.clone()));
        Ok(HandoverAcceptance { case, principals, parties, evidence, grant, event })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cordon_core::sharing::Handling;

    #[test]
    fn sharing_widens_only_as_far_as_the_receiver_needs() {
        let police = principals_of_viewer("", "police", true, &[]);
        let red = Sharing { tlp: Tlp::Red, distribution: vec![Audience::OwnUnit], handling: Handling::default() };
        let w = widened_for(&red, ("u1", "customs"), &police, "police").unwrap();
        assert_eq!(w.tlp, Tlp::Amber);
        assert_eq!(w.distribution, vec![Audience::OwnUnit, Audience::Agency("police".into())]);
        assert!(may_see(&police, &principals_of_record("u1", "customs", &w)));
        assert!(red.allows_narrowing_to(&red) && w.allows_narrowing_to(&red), "the old audience is kept");
        let green = Sharing { tlp: Tlp::Green, distribution: vec![Audience::AllDomestic], handling: Handling::default() };
        assert_eq!(widened_for(&green, ("u1", "customs"), &police, "police"), None, "already seen");
    }
}
