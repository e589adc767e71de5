//! Access requests: an agency that sees "a person, held by agency X" on a case asks X to
//! disclose; a unit head or deputy of X grants or refuses, and a grant discloses the
//! personal parties of that case, and only that case, to the requesting agency.

use cordon_core::access::{AccessRequest, AccessRequestStatus};
use cordon_core::{Invalid, Role, RoleSet};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::ids::new_id;
use crate::{Actor, App, AppError};

/// Who decides for the holding agency.
const DECIDERS: &[Role] = &[Role::UnitHead, Role::DeputyHead];

/// An access request as asked.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessRequestInput {
    /// Why the requester needs the identities (the operation, the need to know).
    pub reason: String,
}

/// A decision on an access request.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessDecisionInput {
    /// Grant (true) or refuse (false).
    pub grant: bool,
    /// Why; required to refuse.
    #[serde(default)]
    pub reason: String,
}

/// An access request as shown to the two agencies concerned.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessRequestView {
    /// Id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// The agency that holds the parties and decides.
    pub owner_agency_id: String,
    /// Who asked.
    pub requester_user_id: String,
    /// From which unit.
    pub requester_unit_id: String,
    /// From which agency.
    pub requester_agency_id: String,
    /// Why.
    pub reason: String,
    /// `pending`, `granted` or `refused`.
    pub status: String,
    /// Asked, ms.
    pub created_at: i64,
    /// Who decided.
    pub decided_by: Option<String>,
    /// Decided, ms.
    pub decided_at: Option<i64>,
    /// The decision's reason.
    pub decision_reason: Option<String>,
}

impl From<AccessRequest> for AccessRequestView {
    fn from(a: AccessRequest) -> Self {
        AccessRequestView {
            id: a.id,
            case_id: a.case_id,
            owner_agency_id: a.owner_agency_id,
            requester_user_id: a.requester_user_id,
            requester_unit_id: a.requester_unit_id,
            requester_agency_id: a.requester_agency_id,
            reason: a.reason,
            status: a.status.as_str().into(),
            created_at: a.created_at,
            decided_by: a.decided_by,
            decided_at: a.decided_at,
            decision_reason: a.decision_reason,
        }
    }
}

fn reason_text(field: &'static str, r: &str, required: bool) -> Result<String, Invalid> {
    let r = r.trim();
    if (required && r.is_empty()) || r.chars().count() > 2000 {
        return Err(Invalid::new(field, "say why, in at most 2000 characters"));
    }
    Ok(r.to_string())
}

impl App {
    /// Asks the holding agency to disclose the personal parties withheld from the actor on a case.
    pub async fn request_access(&self, actor: &Actor, case_id: &str, input: AccessRequestInput) -> Result<AccessRequestView, AppError> {
        let view = self.case(actor, case_id).await?;
        if !view.parties.iter().any(|p| p.withheld) {
            return Err(Invalid::new("case", "nothing on this case is withheld from you").into());
        }
        let reason = reason_text("reason", &input.reason, true)?;
        let now = self.now_ms();
        let request = AccessRequest {
            id: new_id(now),
            case_id: case_id.to_string(),
            owner_agency_id: view.owner_agency_id.clone(),
            requester_user_id: actor.user.id.clone(),
            requester_unit_id: actor.user.unit_id.clone(),
            requester_agency_id: actor.agency_id.clone(),
            reason,
            status: AccessRequestStatus::Pending,
            created_at: now,
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        let audit = actor.audit(now, "access_request.create", "case", case_id, "ok", json!({ "request": request.id }));
        self.store.insert_access_request(&request, &[audit]).await?;
        Ok(request.into())
    }

    /// The requests the actor's agency made or must decide, newest first.
    pub async fn access_requests(&self, actor: &Actor) -> Result<Vec<AccessRequestView>, AppError> {
        actor.require_active()?;
        let list = self.store.access_requests_of_agency(&actor.agency_id).await?;
        let ids: Vec<&str> = list.iter().map(|a| a.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "access_request.list", "access_request", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(list.into_iter().map(AccessRequestView::from).collect())
    }

    /// Grants or refuses a pending request: a unit head or deputy of the holding agency decides.
    pub async fn decide_access_request(&self, actor: &Actor, id: &str, input: AccessDecisionInput) -> Result<AccessRequestView, AppError> {
        actor.require_active()?;
        let now = self.now_ms();
        let found = self.store.access_request(id).await?;
        let Some(request) = found.filter(|a| a.owner_agency_id == actor.agency_id || a.requester_agency_id == actor.agency_id) else {
            return Err(AppError::NotFound("access request"));
        };
        if request.owner_agency_id != actor.agency_id || !DECIDERS.iter().any(|r| actor.user.roles.holds(*r)) {
            self.store
                .audit(&[actor.audit(now, "access_request.decide", "case", &request.case_id, "denied", json!({ "request": id }))])
                .await?;
            return Err(AppError::Forbidden("a unit head or deputy of the holding agency decides"));
        }
        let reason = reason_text("reason", &input.reason, !input.grant)?;
        let status = if input.grant { AccessRequestStatus::Granted } else { AccessRequestStatus::Refused };
        let audit =
            actor.audit(now, "access_request.decide", "case", &request.case_id, "ok", json!({ "request": id, "status": status.as_str() }));
        self.store.decide_access_request(id, status, &actor.user.id, now, &reason, &[audit]).await.map_err(|e| match e {
            cordon_store::StoreError::Stale => AppError::Conflict("a decision on this request"),
            other => other.into(),
        })?;
        let decided = self.store.access_request(id).await?.ok_or(AppError::NotFound("access request"))?;
        Ok(decided.into())
    }
}
