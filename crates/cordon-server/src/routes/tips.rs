//! Tips over HTTP: the public endpoints (no sign-in: a challenge, a tip, its status and
//! follow-ups through the tracking code) and the units' triage queue.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use cordon_app::{
    CaseView, TipChallenge, TipCloseInput, TipFollowUpInput, TipInput, TipReceipt, TipStatusView, TipTriageInput, TipView, MAX_TIP_FILES,
    MAX_TIP_FILE_BYTES,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{Authed, ClientAddr};
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

/// A tip body with its files in base64 (a third larger than the files), and room for the text.
pub const MAX_TIP_BODY_BYTES: usize = MAX_TIP_FILES * MAX_TIP_FILE_BYTES * 4 / 3 + (1 << 20);

/// Largest raw e-mail the inbound hook takes.
const MAX_EMAIL_BYTES: usize = 64 << 20;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.merge(
        OpenApiRouter::new()
            .routes(routes!(submit_tip))
            .routes(routes!(follow_up))
            .routes(routes!(record_call))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_TIP_BODY_BYTES)),
    )
    .merge(OpenApiRouter::new().routes(routes!(inbound_email)).layer(axum::extract::DefaultBodyLimit::max(MAX_EMAIL_BYTES)))
    .routes(routes!(challenge))
    .routes(routes!(status))
    .routes(routes!(list_tips))
    .routes(routes!(get_tip))
    .routes(routes!(similar_cases))
    .routes(routes!(triage))
    .routes(routes!(close))
}

/// A single-use challenge for submitting a tip: find a nonce such that SHA-256(challenge ":"
/// nonce) begins with `difficulty` zero bits, and send both with the tip.
#[utoipa::path(get, path = "/api/v1/public/tips/challenge", tag = "tips", responses((status = 200, body = TipChallenge)))]
async fn challenge(State(s): State<AppState>) -> axum::Json<TipChallenge> {
    axum::Json(s.app.tip_challenge())
}

/// Sends a tip, with no account: anonymous unless a name or contact is given. The answer's
/// tracking code is the only way back to the tip; keep it. Limited per address.
#[utoipa::path(post, path = "/api/v1/public/tips", tag = "tips", request_body = TipInput,
    responses((status = 201, body = TipReceipt), (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem),
        (status = 429, body = crate::problem::Problem)))]
async fn submit_tip(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(input): Json<TipInput>,
) -> Result<(StatusCode, axum::Json<TipReceipt>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.submit_public_tip(input, &addr, false).await?)))
}

/// A tracking code, sent in the body so that it stays out of addresses and logs.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingCodeInput {
    /// The code the tip's receipt gave.
    tracking_code: String,
}

/// The status of the tip a tracking code names (and nothing else); a wrong code is a 404 and
/// counts double against the address's limit.
#[utoipa::path(post, path = "/api/v1/public/tips/status", tag = "tips", request_body = TrackingCodeInput,
    responses((status = 200, body = TipStatusView), (status = 404, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
async fn status(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(input): Json<TrackingCodeInput>,
) -> Result<axum::Json<TipStatusView>, ApiError> {
    Ok(axum::Json(s.app.tip_status(&input.tracking_code, &addr).await?))
}

/// Adds information (text, files) to a tip through its tracking code.
#[utoipa::path(post, path = "/api/v1/public/tips/follow-up", tag = "tips", request_body = TipFollowUpInput,
    responses((status = 200, body = TipStatusView), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem),
        (status = 429, body = crate::problem::Problem)))]
async fn follow_up(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Json(input): Json<TipFollowUpInput>,
) -> Result<axum::Json<TipStatusView>, ApiError> {
    Ok(axum::Json(s.app.tip_follow_up(input, &addr).await?))
}

/// A hotline call recorded by the operator who took it.
#[derive(Serialize, ToSchema)]
pub struct RecordedCall {
    /// The tip.
    id: String,
    /// Read this to the caller.
    tracking_code: String,
}

/// A hotline operator records a call as a tip of their unit (no challenge needed).
#[utoipa::path(post, path = "/api/v1/tips", tag = "tips", request_body = TipInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = RecordedCall), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn record_call(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<TipInput>,
) -> Result<(StatusCode, axum::Json<RecordedCall>), ApiError> {
    let (receipt, id) = s.app.record_hotline_tip(&actor, input).await?;
    Ok((StatusCode::CREATED, axum::Json(RecordedCall { id, tracking_code: receipt.tracking_code })))
}

/// What the inbound hook did with a message.
#[derive(Serialize, ToSchema)]
pub struct InboundResult {
    /// The tip made, or none when the message was taken in before.
    tip_id: Option<String>,
}

/// Takes one raw e-mail (RFC 5322, as a mail gateway delivers it) as a tip; the same
/// Message-ID again makes no second tip. For the hotline's mail gateway account.
#[utoipa::path(post, path = "/api/v1/tips/inbound-email", tag = "tips", request_body(content = Vec<u8>, content_type = "message/rfc822"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = InboundResult), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn inbound_email(
    State(s): State<AppState>,
    Authed(actor): Authed,
    body: axum::body::Bytes,
) -> Result<axum::Json<InboundResult>, ApiError> {
    cordon_app::App::check_mail_intake(&actor)?;
    let mail = cordon_transfer::parse_email(&body)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_email", "Not an e-mail", e.to_string()))?;
    Ok(axum::Json(InboundResult { tip_id: s.app.receive_email_tip(&actor, mail).await? }))
}

/// Which tips to list.
#[derive(Deserialize, IntoParams)]
pub struct TipParams {
    /// `received`, `routed` or `closed`; all when absent.
    status: Option<String>,
}

/// The tips the caller's unit took in or was routed, newest first.
#[utoipa::path(get, path = "/api/v1/tips", tag = "tips", params(TipParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<TipView>), (status = 403, body = crate::problem::Problem)))]
async fn list_tips(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<TipParams>,
) -> Result<axum::Json<Vec<TipView>>, ApiError> {
    Ok(axum::Json(s.app.tips(&actor, p.status.as_deref()).await?))
}

/// A tip of the caller's unit, with possible repeats and the unit the routing rule proposes.
#[utoipa::path(get, path = "/api/v1/tips/{id}", tag = "tips", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TipView), (status = 404, body = crate::problem::Problem)))]
async fn get_tip(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<axum::Json<TipView>, ApiError> {
    Ok(axum::Json(s.app.tip(&actor, &id).await?))
}

/// Recent cases of the same kind in the same province that the caller may see.
#[utoipa::path(get, path = "/api/v1/tips/{id}/cases", tag = "tips", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<CaseView>), (status = 404, body = crate::problem::Problem)))]
async fn similar_cases(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<CaseView>>, ApiError> {
    Ok(axum::Json(s.app.cases_like_tip(&actor, &id).await?))
}

/// The intake unit categorises a tip and routes it (to the unit named, or the one proposed).
#[utoipa::path(post, path = "/api/v1/tips/{id}/triage", tag = "tips", params(("id" = String, Path)), request_body = TipTriageInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TipView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn triage(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<TipTriageInput>,
) -> Result<axum::Json<TipView>, ApiError> {
    Ok(axum::Json(s.app.triage_tip(&actor, &id, input).await?))
}

/// Closes a tip: a case opened or linked, nothing to act on (with why), or a repeat.
#[utoipa::path(post, path = "/api/v1/tips/{id}/close", tag = "tips", params(("id" = String, Path)), request_body = TipCloseInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TipView), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn close(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<TipCloseInput>,
) -> Result<axum::Json<TipView>, ApiError> {
    Ok(axum::Json(s.app.close_tip(&actor, &id, input).await?))
}
