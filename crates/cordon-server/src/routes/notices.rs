//! Notices between units, their acknowledgement and reported action, and heads' delegations.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use cordon_app::{DelegationInput, DelegationView, NoticeActionInput, NoticeInput, NoticeView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(raise_notice, list_notices))
        .routes(routes!(get_notice))
        .routes(routes!(acknowledge))
        .routes(routes!(report_action))
        .routes(routes!(create_delegation, list_delegations))
}

/// Raises a notice (pursuit, urgent alert, information share, request for support) to other
/// units; its priority sets the acknowledgement deadline. A repeated `idempotency_key` answers
/// the notice it raised.
#[utoipa::path(post, path = "/api/v1/notices", tag = "coordination", request_body = NoticeInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = NoticeView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn raise_notice(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<NoticeInput>,
) -> Result<(StatusCode, axum::Json<NoticeView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.raise_notice(&actor, input).await?)))
}

/// The notices the caller's unit sent or was sent, and those escalated to the caller, newest first.
#[utoipa::path(get, path = "/api/v1/notices", tag = "coordination", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<NoticeView>)))]
async fn list_notices(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<NoticeView>>, ApiError> {
    Ok(axum::Json(s.app.notices(&actor).await?))
}

/// A notice the caller is party to (404 otherwise), with every recipient's acknowledgement and escalation.
#[utoipa::path(get, path = "/api/v1/notices/{id}", tag = "coordination", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = NoticeView), (status = 404, body = crate::problem::Problem)))]
async fn get_notice(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<axum::Json<NoticeView>, ApiError> {
    Ok(axum::Json(s.app.notice(&actor, &id).await?))
}

/// Acknowledges a notice for the caller's unit (or the unit whose late notice escalated to the caller).
#[utoipa::path(post, path = "/api/v1/notices/{id}/ack", tag = "coordination", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = NoticeView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn acknowledge(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<axum::Json<NoticeView>, ApiError> {
    Ok(axum::Json(s.app.acknowledge_notice(&actor, &id).await?))
}

/// Reports the action taken on an acknowledged notice, and its result.
#[utoipa::path(post, path = "/api/v1/notices/{id}/action", tag = "coordination", params(("id" = String, Path)), request_body = NoticeActionInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = NoticeView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn report_action(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<NoticeActionInput>,
) -> Result<axum::Json<NoticeView>, ApiError> {
    Ok(axum::Json(s.app.report_notice_action(&actor, &id, input).await?))
}

/// A unit head delegates to a deputy for a period: late notices then escalate to the deputy.
#[utoipa::path(post, path = "/api/v1/delegations", tag = "coordination", request_body = DelegationInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = DelegationView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_delegation(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<DelegationInput>,
) -> Result<(StatusCode, axum::Json<DelegationView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.create_delegation(&actor, input).await?)))
}

/// The delegations of the caller's unit.
#[utoipa::path(get, path = "/api/v1/delegations", tag = "coordination", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<DelegationView>)))]
async fn list_delegations(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<DelegationView>>, ApiError> {
    Ok(axum::Json(s.app.delegations(&actor).await?))
}
