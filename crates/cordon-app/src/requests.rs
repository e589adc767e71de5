//! Requests between administrations — verification, information and assistance, incoming
//! and outgoing — recorded, read, listed, moved along their lifecycle, answered and given
//! files; seen under the same sharing rule as cases (the request's principals against the
//! caller's, stored as access rows so lists filter in the database); every read and write
//! audited. Deadlines and their flags come from the app's clock.

use cordon_core::request::{
    countries, country_name, deadline_flag, default_deadline, statistics, status_after_answer, transition_allowed, Counterpart, Direction,
    RequestFacts, RequestKind, RequestStatistics, RequestStatus, Tally,
};
use cordon_core::sharing::{may_see, principals_of_record};
use cordon_core::{Invalid, Role, RoleSet};
use cordon_store::{PartnerKey, Request, RequestAnswer, RequestEvent, RequestFile, RequestFilter, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::ids::new_id;
use crate::{Actor, App, AppError, SharingInput};

/// Who may record and work requests.
const REQUEST_WORKERS: &[Role] = &[Role::Officer, Role::UnitHead, Role::DeputyHead, Role::LiaisonOfficer];

/// Longest a deadline may be set ahead: two years.
const MAX_DEADLINE_AHEAD_MS: i64 = 730 * 86_400_000;

/// A request as recorded.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// `verify_documents`, `verify_origin`, `verify_invoice`, `verify_company`, `info_person`, `info_company`,
    /// `info_shipment`, `assist_investigation`, `assist_controlled_delivery`, `assist_surveillance`.
    pub kind: String,
    /// `incoming` or `outgoing`.
    pub direction: String,
    /// `agency:ID` (a domestic agency), `customs:CC` (a foreign customs administration, ISO 3166 code)
    /// or `org:wco_rilo_ap`, `org:interpol`, `org:unodc`.
    pub counterpart: String,
    /// Short subject.
    pub subject: String,
    /// What is asked, in full.
    #[serde(default)]
    pub details: String,
    /// The instrument it rests on (a bilateral customs mutual assistance agreement, an ASEAN instrument, an article).
    pub legal_basis: String,
    /// A coordination agreement in Cordon it rests on (one the caller's agency is party to).
    #[serde(default)]
    pub agreement_id: Option<String>,
    /// The counterpart's own reference.
    #[serde(default)]
    pub their_reference: Option<String>,
    /// Answer due, ms; absent: the kind's default (30 days for a verification or information, 60 for assistance).
    #[serde(default)]
    pub deadline: Option<i64>,
    /// Cases it concerns (ones the caller may see).
    #[serde(default)]
    pub linked_cases: Vec<String>,
    /// Entities it concerns (ones the caller is shown in full).
    #[serde(default)]
    pub linked_entities: Vec<String>,
    /// Label, distribution and handling conditions, as for a case.
    pub sharing: SharingInput,
}

/// A status history entry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestEventView {
    /// Order.
    pub seq: i64,
    /// When, ms.
    pub at: i64,
    /// Who.
    pub actor_user_id: String,
    /// From which unit.
    pub actor_unit_id: String,
    /// `created`, `status_changed`, `answered`, `file_attached`, `package_exported`, `package_imported`.
    pub kind: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: Option<String>,
    /// Why.
    pub reason: String,
}

/// A file on a request or an answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestFileView {
    /// SHA-256 of the content: its address.
    pub sha256: String,
    /// Bytes.
    pub size: i64,
    /// Media type, from the content.
    pub media_type: String,
    /// Name.
    pub filename: String,
    /// The answer it belongs to; absent: the request itself.
    pub answer_id: Option<String>,
    /// Uploaded, ms.
    pub uploaded_at: i64,
}

/// An answer as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestAnswerView {
    /// Id.
    pub id: String,
    /// The final answer (otherwise partial).
    pub is_final: bool,
    /// Text.
    pub body: String,
    /// Recorded, ms.
    pub answered_at: i64,
    /// Who recorded or imported it.
    pub recorded_by: String,
    /// `cordon` (entered) or `package` (a signed package imported).
    pub via: String,
    /// For a package: the partner key (hex) whose signature was verified.
    pub signed_by: Option<String>,
    /// Its files.
    pub files: Vec<RequestFileView>,
}

/// A request as a viewer may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestView {
    /// Id.
    pub id: String,
    /// Reference, e.g. `YC-2026-000012`.
    pub reference: String,
    /// Kind code.
    pub kind: String,
    /// `verification`, `information` or `assistance`.
    pub category: String,
    /// `incoming` or `outgoing`.
    pub direction: String,
    /// Counterpart code.
    pub counterpart: String,
    /// The counterpart's country or territory (ISO 3166 alpha-2), for a foreign customs administration.
    pub counterpart_country: Option<String>,
    /// The counterpart in words.
    pub counterpart_name: String,
    /// Subject.
    pub subject: String,
    /// What is asked.
    pub details: String,
    /// The instrument it rests on.
    pub legal_basis: String,
    /// The coordination agreement it rests on.
    pub agreement_id: Option<String>,
    /// The counterpart's reference.
    pub their_reference: Option<String>,
    /// Status code.
    pub status: String,
    /// Answer due, ms.
    pub deadline: i64,
    /// Whether the deadline was set by hand (otherwise the kind's default).
    pub deadline_set_by_hand: bool,
    /// `none`, `reminder` (due within three days) or `overdue`, now.
    pub deadline_flag: String,
    /// Sent or received, ms.
    pub opened_at: Option<i64>,
    /// Final answer, ms.
    pub answered_at: Option<i64>,
    /// Closed or withdrawn, ms.
    pub closed_at: Option<i64>,
    /// Recording unit.
    pub owner_unit_id: String,
    /// Recording agency.
    pub owner_agency_id: String,
    /// Sharing.
    pub sharing: SharingInput,
    /// Linked cases the viewer may see.
    pub linked_cases: Vec<String>,
    /// Linked entities the viewer is shown in full (on a single read; empty in lists).
    pub linked_entities: Vec<String>,
    /// The statuses it may be moved to by hand now.
    pub next_statuses: Vec<String>,
    /// Recorded by.
    pub created_by: String,
    /// Recorded, ms.
    pub created_at: i64,
    /// Last change, ms.
    pub updated_at: i64,
    /// History (on a single read; empty in lists).
    pub history: Vec<RequestEventView>,
    /// Answers (on a single read; empty in lists).
    pub answers: Vec<RequestAnswerView>,
    /// Files of the request itself (on a single read; empty in lists).
    pub files: Vec<RequestFileView>,
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// `incoming` or `outgoing`.
    pub direction: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Counterpart code.
    pub counterpart: Option<String>,
    /// Recording unit.
    pub unit: Option<String>,
    /// Recording agency.
    pub agency: Option<String>,
    /// `reminder` or `overdue`: only those flagged so now.
    pub flag: Option<String>,
}

/// A lifecycle step by hand.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestTransitionInput {
    /// `sent`, `received`, `closed` or `withdrawn`.
    pub to: String,
    /// Why (required to close or withdraw).
    #[serde(default)]
    pub reason: String,
}

/// An answer as entered.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestAnswerInput {
    /// The final answer (otherwise partial).
    #[serde(default, rename = "final")]
    pub is_final: bool,
    /// Text.
    pub body: String,
}

/// A file to attach to a request or one of its answers.
#[derive(Debug, Clone)]
pub struct NewRequestFile {
    /// The answer it belongs to; `None`: the request itself.
    pub answer_id: Option<String>,
    /// Name.
    pub filename: String,
    /// The type the uploader declared (checked against the content).
    pub declared_type: Option<String>,
    /// Content.
    pub bytes: Vec<u8>,
}

/// A partner's public key as an administrator enters it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartnerKeyInput {
    /// Counterpart code: `customs:CC`, `org:CODE` or `agency:ID`.
    pub counterpart: String,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
    /// What the key is: who handed it over, when, how it was checked.
    pub label: String,
}

/// Period and scope of statistics.
#[derive(Debug, Clone, Default)]
pub struct StatisticsQuery {
    /// From, ms (inclusive).
    pub from: i64,
    /// To, ms (exclusive).
    pub to: i64,
    /// Only requests recorded by this unit.
    pub unit: Option<String>,
    /// Only requests recorded by this agency.
    pub agency: Option<String>,
}

/// Figures for one direction.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TallyView {
    /// Requests sent or received in the period.
    pub requests: i64,
    /// Of those, answered (final answer) by the end of the period.
    pub answered: i64,
    /// Of those, past their deadline unanswered at the end of the period (or now, if earlier).
    pub overdue: i64,
    /// Median days from sending or receiving to the final answer, to a tenth of a day.
    pub median_answer_days: Option<f64>,
}

impl From<&Tally> for TallyView {
    fn from(t: &Tally) -> Self {
        TallyView {
            requests: t.requests,
            answered: t.answered,
            overdue: t.overdue,
            median_answer_days: t.median_answer_ms.map(|ms| (ms as f64 / 8_640_000.0).round() / 10.0),
        }
    }
}

/// One row of a breakdown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreakdownRow {
    /// Country code, kind code or counterpart code.
    pub key: String,
    /// The key in words (English).
    pub label: String,
    /// Received.
    pub received: TallyView,
    /// Sent.
    pub sent: TallyView,
}

/// Request statistics for a period and scope.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestStatisticsView {
    /// From, ms.
    pub from: i64,
    /// To, ms (exclusive).
    pub to: i64,
    /// When answers and deadlines were judged: the period's end, or now if earlier.
    pub as_of: i64,
    /// The unit the figures are limited to.
    pub unit: Option<String>,
    /// The agency the figures are limited to.
    pub agency: Option<String>,
    /// Requests received.
    pub received: TallyView,
    /// Requests sent.
    pub sent: TallyView,
    /// Distinct foreign countries and territories requests came from.
    pub countries_received_from: i64,
    /// Distinct foreign countries and territories requests went to.
    pub countries_sent_to: i64,
    /// By foreign country or territory.
    pub by_country: Vec<BreakdownRow>,
    /// By request kind.
    pub by_kind: Vec<BreakdownRow>,
    /// By counterpart.
    pub by_counterpart: Vec<BreakdownRow>,
    /// The sentence a report quotes.
    pub summary: String,
}

/// A partner key as listed.
pub type PartnerKeyView = PartnerKeyInput;

fn text(field: &'static str, v: &str, max: usize, required: bool) -> Result<Option<String>, Invalid> {
    let t = v.trim();
    if t.is_empty() {
        return if required { Err(Invalid::new(field, "required")) } else { Ok(None) };
    }
    if t.chars().count() > max {
        return Err(Invalid::new(field, format!("at most {max} characters")));
    }
    Ok(Some(t.to_string()))
}

fn file_view(f: &RequestFile) -> RequestFileView {
    RequestFileView {
        sha256: f.sha256.clone(),
        size: f.size,
        media_type: f.media_type.clone(),
        filename: f.filename.clone(),
        answer_id: f.answer_id.clone(),
        uploaded_at: f.uploaded_at,
    }
}

/// The counterpart in words (English): the agency's id, the country's name, the organisation.
pub fn counterpart_name(c: &Counterpart) -> String {
    match c {
        Counterpart::Agency(id) => id.clone(),
        Counterpart::ForeignCustoms(cc) => format!("Customs of {}", country_name(cc).unwrap_or(cc)),
        Counterpart::Organisation(o) => o.label().to_string(),
    }
}

fn stale_request(e: StoreError) -> AppError {
    match e {
        StoreError::Stale => Invalid::new("status", "the request changed meanwhile; reload it and try again").into(),
        other => other.into(),
    }
}

impl App {
    pub(crate) fn require_request_worker(actor: &Actor) -> Result<(), AppError> {
        actor.require_active()?;
        if !REQUEST_WORKERS.iter().any(|r| actor.user.roles.holds(*r)) {
            return Err(AppError::Forbidden("only officers, liaison officers and unit heads work requests"));
        }
        Ok(())
    }

    fn request_principals(r: &Request) -> Vec<String> {
        principals_of_record(&r.owner_unit_id, &r.owner_agency_id, &r.sharing)
    }

    /// Records a request (as a draft). Bad input — an unknown counterpart, a deadline in the
    /// past, a linked case the caller may not see (answered exactly as a missing one) — is
    /// refused with nothing written.
    pub async fn create_request(&self, actor: &Actor, input: RequestInput) -> Result<RequestView, AppError> {
        Self::require_request_worker(actor)?;
        let principals = self.principals(actor).await?;
        if !principals.iter().any(|p| p == "domestic") {
            return Err(AppError::Forbidden("requests are recorded by the units of domestic agencies"));
        }
        let now = self.now_ms();
        let kind = RequestKind::parse(&input.kind).ok_or_else(|| Invalid::new("kind", "unknown request kind"))?;
        let direction = Direction::parse(&input.direction).ok_or_else(|| Invalid::new("direction", "incoming or outgoing"))?;
        let counterpart = Counterpart::parse(&input.counterpart)?;
        if let Counterpart::Agency(id) = &counterpart {
            let domestic = self.store.agency(id).await?.is_some_and(|a| a.kind.is_domestic());
            if !domestic {
                return Err(
                    Invalid::new("counterpart", format!("no domestic agency {id:?}; a foreign administration is customs:CC")).into()
                );
            }
        }
        let subject = text("subject", &input.subject, 300, true)?.unwrap_or_default();
        let details = text("details", &input.details, 20_000, false)?.unwrap_or_default();
        let legal_basis = text("legal_basis", &input.legal_basis, 1000, true)?.unwrap_or_default();
        let their_reference = match &input.their_reference {
            Some(r) => text("their_reference", r, 200, false)?,
            None => None,
        };
        if let Some(a) = &input.agreement_id {
            let ours = self.store.agreements(Some(&actor.agency_id)).await?.iter().any(|x| &x.id == a);
            if !ours {
                return Err(Invalid::new("agreement_id", "no such agreement that your agency is party to").into());
            }
        }
        let (deadline, by_hand) = match input.deadline {
            Some(d) if d <= now => return Err(Invalid::new("deadline", "is in the past").into()),
            Some(d) if d > now + MAX_DEADLINE_AHEAD_MS => return Err(Invalid::new("deadline", "at most two years ahead").into()),
            Some(d) => (d, true),
            None => (default_deadline(kind, now), false),
        };
        let sharing = crate::cases::parse_sharing(&input.sharing)?;
        self.check_audiences(actor, &sharing, &mut crate::cases::Lookups::default()).await?;
        let mut linked_cases: Vec<String> = input.linked_cases.iter().map(|c| c.trim().to_string()).collect();
        linked_cases.sort();
        linked_cases.dedup();
        let mut linked_entities: Vec<String> = input.linked_entities.iter().map(|c| c.trim().to_string()).collect();
        linked_entities.sort();
        linked_entities.dedup();
        if linked_cases.len() + linked_entities.len() > 100 {
            return Err(Invalid::new("linked_cases", "at most 100 links").into());
        }
        for id in &linked_cases {
            if !self.case_visible(&principals, id).await? {
                return Err(Invalid::new("linked_cases", "no such case among those you may see").into());
            }
        }
        for id in &linked_entities {
            match self.entity(actor, id).await {
                Ok(_) => {}
                Err(AppError::NotFound(_)) => return Err(Invalid::new("linked_entities", "no such entity among those you may see").into()),
                Err(other) => return Err(other),
            }
        }
        let r = Request {
            id: new_id(now),
            reference: String::new(),
            kind,
            direction,
            counterpart,
            subject,
            details,
            legal_basis,
            agreement_id: input.agreement_id.clone(),
            their_reference,
            status: RequestStatus::Draft,
            deadline,
            deadline_set_by_hand: by_hand,
            opened_at: None,
            answered_at: None,
            closed_at: None,
            owner_unit_id: actor.user.unit_id.clone(),
            owner_agency_id: actor.agency_id.clone(),
            sharing,
            created_by: actor.user.id.clone(),
            created_at: now,
            updated_at: now,
            linked_cases,
            linked_entities,
        };
        let event = self.request_event(actor, now, "created", None, Some(RequestStatus::Draft), "", json!({}));
        let audit = actor.audit(
            now,
            "request.create",
            "request",
            &r.id,
            "ok",
            json!({ "kind": kind.as_str(), "direction": direction.as_str(), "counterpart": r.counterpart.to_code(), "tlp": r.sharing.tlp.as_str() }),
        );
        let prefix = format!("YC-{}", cordon_core::time::year(now));
        let reference = self.store.insert_request(&r, &prefix, &Self::request_principals(&r), &event, &[audit]).await?;
        self.request(actor, &r.id).await.map(|v| RequestView { reference, ..v })
    }

    async fn case_visible(&self, principals: &[String], id: &str) -> Result<bool, AppError> {
        Ok(self
            .store
            .case(id)
            .await?
            .is_some_and(|c| may_see(principals, &principals_of_record(&c.owner_unit_id, &c.owner_agency_id, &c.sharing))))
    }

    #[allow(clippy::too_many_arguments)]
    fn request_event(
        &self,
        actor: &Actor,
        at: i64,
        kind: &str,
        from: Option<RequestStatus>,
        to: Option<RequestStatus>,
        reason: &str,
        detail: serde_json::Value,
    ) -> RequestEvent {
        RequestEvent {
            seq: 0,
            at,
            actor_user_id: actor.user.id.clone(),
            actor_unit_id: actor.user.unit_id.clone(),
            kind: kind.into(),
            from_status: from,
            to_status: to,
            reason: reason.into(),
            detail: detail.to_string(),
        }
    }

    /// The request if the actor may see it; otherwise the refusal is audited under `action` and
    /// the answer is "not found", exactly as for a request that does not exist.
    pub(crate) async fn visible_request(&self, actor: &Actor, id: &str, action: &str) -> Result<(Request, Vec<String>), AppError> {
        let principals = self.principals(actor).await?;
        match self.store.request(id).await? {
            Some(r) if may_see(&principals, &Self::request_principals(&r)) => Ok((r, principals)),
            _ => {
                self.store.audit(&[actor.audit(self.now_ms(), action, "request", id, "denied", json!({}))]).await?;
                Err(AppError::NotFound("request"))
            }
        }
    }

    /// A request the actor works on: a request worker (403) who may see it (404), of the
    /// recording agency — or, when `counterpart_too`, of the domestic agency it is addressed to (403).
    async fn workable_request(&self, actor: &Actor, id: &str, action: &str, counterpart_too: bool) -> Result<Request, AppError> {
        Self::require_request_worker(actor)?;
        let (r, _) = self.visible_request(actor, id, action).await?;
        let counterpart = counterpart_too && r.counterpart == Counterpart::Agency(actor.agency_id.clone());
        if r.owner_agency_id != actor.agency_id && !counterpart {
            self.store.audit(&[actor.audit(self.now_ms(), action, "request", id, "denied", json!({}))]).await?;
            return Err(AppError::Forbidden("the recording agency works the request (and a domestic counterpart answers it)"));
        }
        Ok(r)
    }

    async fn request_view(&self, actor: &Actor, r: &Request, principals: &[String], full: bool) -> Result<RequestView, AppError> {
        let now = self.now_ms();
        let mut linked_cases = Vec::new();
        for id in &r.linked_cases {
            if self.case_visible(principals, id).await? {
                linked_cases.push(id.clone());
            }
        }
        let mut linked_entities = Vec::new();
        if full {
            // An entity is listed only to a viewer shown it in full somewhere, as on a case.
            for id in &r.linked_entities {
                if self.entity(actor, id).await.is_ok() {
                    linked_entities.push(id.clone());
                }
            }
        }
        let (mut history, mut answers, mut files) = (Vec::new(), Vec::new(), Vec::new());
        if full {
            history = self
                .store
                .request_events(&r.id)
                .await?
                .into_iter()
                .map(|e| RequestEventView {
                    seq: e.seq,
                    at: e.at,
                    actor_user_id: e.actor_user_id,
                    actor_unit_id: e.actor_unit_id,
                    kind: e.kind,
                    from_status: e.from_status.map(|s| s.as_str().to_string()),
                    to_status: e.to_status.map(|s| s.as_str().to_string()),
                    reason: e.reason,
                })
                .collect();
            let all_files = self.store.request_files(&r.id).await?;
            files = all_files.iter().filter(|f| f.answer_id.is_none()).map(file_view).collect();
            answers = self
                .store
                .request_answers(&r.id)
                .await?
                .into_iter()
                .map(|a: RequestAnswer| RequestAnswerView {
                    files: all_files.iter().filter(|f| f.answer_id.as_deref() == Some(a.id.as_str())).map(file_view).collect(),
                    id: a.id,
                    is_final: a.is_final,
                    body: a.body,
                    answered_at: a.answered_at,
                    recorded_by: a.recorded_by,
                    via: a.via,
                    signed_by: a.signed_by,
                })
                .collect();
        }
        Ok(RequestView {
            id: r.id.clone(),
            reference: r.reference.clone(),
            kind: r.kind.as_str().into(),
            category: r.kind.category().as_str().into(),
            direction: r.direction.as_str().into(),
            counterpart: r.counterpart.to_code(),
            counterpart_country: r.counterpart.country().map(str::to_string),
            counterpart_name: counterpart_name(&r.counterpart),
            subject: r.subject.clone(),
            details: r.details.clone(),
            legal_basis: r.legal_basis.clone(),
            agreement_id: r.agreement_id.clone(),
            their_reference: r.their_reference.clone(),
            status: r.status.as_str().into(),
            deadline: r.deadline,
            deadline_set_by_hand: r.deadline_set_by_hand,
            deadline_flag: deadline_flag(r.status, r.deadline, now).as_str().into(),
            opened_at: r.opened_at,
            answered_at: r.answered_at,
            closed_at: r.closed_at,
            owner_unit_id: r.owner_unit_id.clone(),
            owner_agency_id: r.owner_agency_id.clone(),
            sharing: crate::cases::sharing_view(&r.sharing),
            linked_cases,
            linked_entities,
            next_statuses: RequestStatus::ALL
                .iter()
                .filter(|to| transition_allowed(r.direction, r.status, **to))
                .map(|s| s.as_str().to_string())
                .collect(),
            created_by: r.created_by.clone(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            history,
            answers,
            files,
        })
    }

    /// A request the actor may see, with its history, answers and files; audited before the
    /// answer leaves. One the actor may not see is "not found", exactly as a missing one.
    pub async fn request(&self, actor: &Actor, id: &str) -> Result<RequestView, AppError> {
        actor.require_active()?;
        let (r, principals) = self.visible_request(actor, id, "request.read").await?;
        self.store.audit(&[actor.audit(self.now_ms(), "request.read", "request", id, "ok", json!({}))]).await?;
        self.request_view(actor, &r, &principals, true).await
    }

    /// The requests the actor may see, filtered, newest first (at most 500); audited with the ids returned.
    pub async fn requests(&self, actor: &Actor, q: RequestQuery) -> Result<Vec<RequestView>, AppError> {
        actor.require_active()?;
        if let Some(d) = &q.direction {
            Direction::parse(d).ok_or_else(|| Invalid::new("direction", "incoming or outgoing"))?;
        }
        if let Some(s) = &q.status {
            RequestStatus::parse(s).ok_or_else(|| Invalid::new("status", "unknown status"))?;
        }
        if let Some(k) = &q.kind {
            RequestKind::parse(k).ok_or_else(|| Invalid::new("kind", "unknown request kind"))?;
        }
        let flag = match q.flag.as_deref() {
            None | Some("") => None,
            Some(f @ ("reminder" | "overdue")) => Some(f.to_string()),
            Some(_) => return Err(Invalid::new("flag", "reminder or overdue").into()),
        };
        let principals = self.principals(actor).await?;
        let filter = RequestFilter {
            direction: q.direction,
            status: q.status,
            kind: q.kind,
            counterpart: q.counterpart,
            unit: q.unit,
            agency: q.agency,
            opened_from: None,
            opened_to: None,
        };
        let mut out = Vec::new();
        for r in self.store.requests_visible(&principals, &filter, 500).await? {
            let v = self.request_view(actor, &r, &principals, false).await?;
            if flag.as_ref().is_none_or(|f| &v.deadline_flag == f) {
                out.push(v);
            }
        }
        let ids: Vec<&str> = out.iter().map(|r| r.id.as_str()).collect();
        self.store.audit(&[actor.audit(self.now_ms(), "request.list", "request", "*", "ok", json!({ "ids": ids }))]).await?;
        Ok(out)
    }

    /// Moves a request by hand: sent (outgoing) or received (incoming) from a draft; closed or
    /// withdrawn, with a reason. A step the lifecycle does not allow is refused (422).
    pub async fn transition_request(&self, actor: &Actor, id: &str, input: RequestTransitionInput) -> Result<RequestView, AppError> {
        let r = self.workable_request(actor, id, "request.transition", false).await?;
        let to = RequestStatus::parse(&input.to).ok_or_else(|| Invalid::new("to", "unknown status"))?;
        if !transition_allowed(r.direction, r.status, to) {
            let hint =
                if matches!(to, RequestStatus::Answered | RequestStatus::PartiallyAnswered) { " (record an answer instead)" } else { "" };
            return Err(Invalid::new(
                "to",
                format!("an {} request cannot go from {} to {}{hint}", r.direction.as_str(), r.status.as_str(), to.as_str()),
            )
            .into());
        }
        let reason = input.reason.trim();
        if matches!(to, RequestStatus::Closed | RequestStatus::Withdrawn) && reason.is_empty() {
            return Err(Invalid::new("reason", "say why it is closed or withdrawn").into());
        }
        if reason.chars().count() > 2000 {
            return Err(Invalid::new("reason", "at most 2000 characters").into());
        }
        let now = self.now_ms();
        let event = self.request_event(actor, now, "status_changed", Some(r.status), Some(to), reason, json!({}));
        let audit = actor.audit(now, "request.transition", "request", id, "ok", json!({ "from": r.status.as_str(), "to": to.as_str() }));
        self.store.transition_request(id, r.status, to, now, &event, &[audit]).await.map_err(stale_request)?;
        self.request(actor, id).await
    }

    /// Records an answer, partial or final: the request moves to partially answered or answered.
    pub async fn answer_request(&self, actor: &Actor, id: &str, input: RequestAnswerInput) -> Result<RequestView, AppError> {
        let r = self.workable_request(actor, id, "request.answer", true).await?;
        let body = text("body", &input.body, 50_000, true)?.unwrap_or_default();
        self.record_answer(actor, &r, input.is_final, body, Vec::new(), None).await?;
        self.request(actor, id).await
    }

    /// Records an answer with its files (already checked), moving the request; the shared end
    /// of an answer entered and an answer package imported.
    pub(crate) async fn record_answer(
        &self,
        actor: &Actor,
        r: &Request,
        is_final: bool,
        body: String,
        files: Vec<(String, &'static str, Vec<u8>)>,
        signed_by: Option<String>,
    ) -> Result<String, AppError> {
        let to = status_after_answer(r.status, is_final).ok_or_else(|| {
            Invalid::new(
                "status",
                format!("a {} request takes no answer (it must be sent or received, and not yet answered)", r.status.as_str()),
            )
        })?;
        let now = self.now_ms();
        let answer = RequestAnswer {
            id: new_id(now),
            request_id: r.id.clone(),
            is_final,
            body,
            answered_at: now,
            recorded_by: actor.user.id.clone(),
            via: if signed_by.is_some() { "package".into() } else { "cordon".into() },
            signed_by: signed_by.clone(),
        };
        let mut rows = Vec::with_capacity(files.len());
        for (filename, media_type, bytes) in files {
            let sha256 = hex::encode(Sha256::digest(&bytes));
            let size = bytes.len() as i64;
            self.put_file(&sha256, bytes).await?;
            rows.push(RequestFile {
                request_id: r.id.clone(),
                answer_id: Some(answer.id.clone()),
                sha256,
                size,
                media_type: media_type.into(),
                filename,
                uploaded_by: actor.user.id.clone(),
                uploaded_at: now,
            });
        }
        let kind = if signed_by.is_some() { "package_imported" } else { "answered" };
        let detail = json!({ "answer": answer.id, "final": is_final, "signed_by": signed_by, "files": rows.len() });
        let event = self.request_event(actor, now, kind, Some(r.status), Some(to), "", detail.clone());
        let action = if signed_by.is_some() { "request.package.import" } else { "request.answer" };
        let audit = actor.audit(now, action, "request", &r.id, "ok", detail);
        self.store.insert_request_answer(&answer, &rows, (r.status, to), &event, &[audit]).await.map_err(stale_request)?;
        Ok(answer.id)
    }

    async fn put_file(&self, sha256: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        let files = self.files.clone();
        let key = sha256.to_string();
        tokio::task::spawn_blocking(move || files.put(&key, &bytes))
            .await
            .map_err(|_| AppError::Store(StoreError::Open("file write interrupted".into())))??;
        Ok(())
    }

    /// Checks a file as evidence is checked: a clean name, 1 byte to 20 MiB, a type read from
    /// the content (PDF, PNG, JPEG, WebP, MP4) that agrees with the declared one.
    pub(crate) fn check_file(filename: &str, declared: Option<&str>, bytes: &[u8]) -> Result<(String, &'static str), Invalid> {
        let filename = crate::evidence::clean_filename(filename)?;
        if bytes.is_empty() || bytes.len() > crate::MAX_EVIDENCE_BYTES {
            return Err(Invalid::new("file", format!("1 byte to {} MiB", crate::MAX_EVIDENCE_BYTES >> 20)));
        }
        let media_type = crate::sniff(bytes).ok_or_else(|| Invalid::new("file", "only PDF, PNG, JPEG, WebP and MP4 files are accepted"))?;
        if let Some(declared) = declared.map(|d| d.split(';').next().unwrap_or(d).trim()) {
            if declared != media_type && declared != "application/octet-stream" {
                return Err(Invalid::new("media_type", format!("declared {declared}, but the content is {media_type}")));
            }
        }
        Ok((filename, media_type))
    }

    /// Attaches a file to a request or to one of its answers.
    pub async fn attach_request_file(&self, actor: &Actor, id: &str, upload: NewRequestFile) -> Result<RequestView, AppError> {
        let r = self.workable_request(actor, id, "request.attach", true).await?;
        if let Some(a) = &upload.answer_id {
            if !self.store.request_answers(id).await?.iter().any(|x| &x.id == a) {
                return Err(Invalid::new("answer", "no such answer on this request").into());
            }
        }
        let (filename, media_type) = Self::check_file(&upload.filename, upload.declared_type.as_deref(), &upload.bytes)?;
        let sha256 = hex::encode(Sha256::digest(&upload.bytes));
        let size = upload.bytes.len() as i64;
        self.put_file(&sha256, upload.bytes).await?;
        let now = self.now_ms();
        let f = RequestFile {
            request_id: r.id.clone(),
            answer_id: upload.answer_id.clone(),
            sha256: sha256.clone(),
            size,
            media_type: media_type.into(),
            filename: filename.clone(),
            uploaded_by: actor.user.id.clone(),
            uploaded_at: now,
        };
        let detail = json!({ "sha256": sha256, "filename": filename, "size": size, "answer": upload.answer_id });
        let event = self.request_event(actor, now, "file_attached", None, None, "", detail.clone());
        let audit = actor.audit(now, "request.attach", "request", id, "ok", detail);
        self.store.insert_request_file(&f, &event, &[audit]).await?;
        self.request(actor, id).await
    }

    /// A file of a request the actor may see, with its bytes; the download is audited.
    pub async fn request_file(&self, actor: &Actor, id: &str, sha256: &str) -> Result<(RequestFileView, Vec<u8>), AppError> {
        actor.require_active()?;
        let (r, _) = self.visible_request(actor, id, "request.file.read").await?;
        let Some(f) = self.store.request_files(&r.id).await?.into_iter().find(|f| f.sha256 == sha256) else {
            self.store
                .audit(&[actor.audit(self.now_ms(), "request.file.read", "request", id, "denied", json!({ "sha256": sha256 }))])
                .await?;
            return Err(AppError::NotFound("file"));
        };
        self.store.audit(&[actor.audit(self.now_ms(), "request.file.read", "request", id, "ok", json!({ "sha256": sha256 }))]).await?;
        let files = self.files.clone();
        let key = sha256.to_string();
        let bytes = tokio::task::spawn_blocking(move || files.get(&key))
            .await
            .map_err(|_| AppError::Store(StoreError::Open("file read interrupted".into())))??;
        Ok((file_view(&f), bytes))
    }

    /// Statistics over the requests the actor may see that were sent or received in the
    /// period, optionally those of one unit or agency; audited as an aggregate read.
    pub async fn request_statistics(&self, actor: &Actor, q: StatisticsQuery) -> Result<RequestStatisticsView, AppError> {
        actor.require_active()?;
        if q.to <= q.from {
            return Err(Invalid::new("to", "the period ends after it starts").into());
        }
        let principals = self.principals(actor).await?;
        let filter = RequestFilter {
            unit: q.unit.clone(),
            agency: q.agency.clone(),
            opened_from: Some(q.from),
            opened_to: Some(q.to),
            ..Default::default()
        };
        let facts: Vec<RequestFacts> = self
            .store
            .requests_visible_without_links(&principals, &filter, 0)
            .await?
            .into_iter()
            .map(|r| RequestFacts {
                kind: r.kind,
                direction: r.direction,
                counterpart: r.counterpart,
                opened_at: r.opened_at,
                answered_at: r.answered_at,
                closed_at: r.closed_at,
                deadline: r.deadline,
            })
            .collect();
        let now = self.now_ms();
        let s = statistics(&facts, q.from, q.to, now);
        self.store
            .audit(&[actor.audit(
                now,
                "request.statistics",
                "request",
                "*",
                "ok",
                json!({ "from": q.from, "to": q.to, "unit": q.unit, "agency": q.agency }),
            )])
            .await?;
        Ok(statistics_view(&s, q.unit, q.agency))
    }

    /// Trusts a partner's Ed25519 public key for the packages of one counterpart (administrators).
    pub async fn add_partner_key(&self, actor: &Actor, input: PartnerKeyInput) -> Result<PartnerKeyView, AppError> {
        actor.require_admin()?;
        let counterpart = Counterpart::parse(&input.counterpart)?;
        let key = input.public_key.trim().to_ascii_lowercase();
        let bytes: [u8; 32] = hex::decode(&key)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Invalid::new("public_key", "an Ed25519 public key is 32 bytes, 64 hex digits"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| Invalid::new("public_key", "not a valid Ed25519 public key"))?;
        let label = text("label", &input.label, 300, true)?.unwrap_or_default();
        let now = self.now_ms();
        let k = PartnerKey { counterpart: counterpart.to_code(), public_key: key, label, added_by: actor.user.id.clone(), added_at: now };
        let audit = actor.audit(now, "partner_key.add", "partner_key", &k.counterpart, "ok", json!({ "public_key": k.public_key }));
        self.store.insert_partner_key(&k, &[audit]).await?;
        Ok(PartnerKeyInput { counterpart: k.counterpart, public_key: k.public_key, label: k.label })
    }

    /// The partner keys trusted (administrators).
    pub async fn partner_keys(&self, actor: &Actor) -> Result<Vec<PartnerKeyView>, AppError> {
        actor.require_admin()?;
        Ok(self
            .store
            .partner_keys(None)
            .await?
            .into_iter()
            .map(|k| PartnerKeyInput { counterpart: k.counterpart, public_key: k.public_key, label: k.label })
            .collect())
    }
}

/// The statistics as the API shows them, with the breakdowns labelled in English.
fn statistics_view(s: &RequestStatistics, unit: Option<String>, agency: Option<String>) -> RequestStatisticsView {
    let row = |key: String, label: String, (r, t): &(Tally, Tally)| BreakdownRow { key, label, received: r.into(), sent: t.into() };
    RequestStatisticsView {
        from: s.from,
        to: s.to,
        as_of: s.as_of,
        unit,
        agency,
        received: (&s.received).into(),
        sent: (&s.sent).into(),
        countries_received_from: s.countries_received_from,
        countries_sent_to: s.countries_sent_to,
        by_country: s
            .by_country
            .iter()
            .map(|(cc, t)| row(cc.clone(), countries().iter().find(|(c, _)| c == cc).map_or(cc.clone(), |(_, n)| n.to_string()), t))
            .collect(),
        by_kind: s.by_kind.iter().map(|(k, t)| row(k.as_str().into(), k.label().into(), t)).collect(),
        by_counterpart: s
            .by_counterpart
            .iter()
            .map(|(c, t)| row(c.clone(), Counterpart::parse(c).map_or(c.clone(), |cp| counterpart_name(&cp)), t))
            .collect(),
        summary: s.summary_en(),
    }
}
