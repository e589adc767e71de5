//! Coordination agreements, sharing groups, and requests for access to withheld parties.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use cordon_app::{AccessDecisionInput, AccessRequestInput, AccessRequestView, AgreementInput, GroupInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_agreements, create_agreement))
        .routes(routes!(create_group))
        .routes(routes!(get_group))
        .routes(routes!(request_access))
        .routes(routes!(list_access_requests))
        .routes(routes!(decide_access_request))
}

/// Agreements: all for administrators, else those of the caller's agency.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "sharing", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<AgreementInput>), (status = 401, body = crate::problem::Problem)))]
async fn list_agreements(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<AgreementInput>>, ApiError> {
    Ok(axum::Json(s.app.agreements(&actor).await?))
}

/// Records a coordination agreement (administrators).
#[utoipa::path(post, path = "/api/v1/agreements", tag = "sharing", request_body = AgreementInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = AgreementInput), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_agreement(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(a): Json<AgreementInput>,
) -> Result<(StatusCode, axum::Json<AgreementInput>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.create_agreement(&actor, a).await?)))
}

/// Creates a sharing group (administrators).
#[utoipa::path(post, path = "/api/v1/sharing-groups", tag = "sharing", request_body = GroupInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = GroupInput), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_group(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(g): Json<GroupInput>,
) -> Result<(StatusCode, axum::Json<GroupInput>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.create_group(&actor, g).await?)))
}

/// A sharing group with its members (administrators and the managing agency; 404 for others).
#[utoipa::path(get, path = "/api/v1/sharing-groups/{id}", tag = "sharing", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = GroupInput), (status = 404, body = crate::problem::Problem)))]
async fn get_group(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<axum::Json<GroupInput>, ApiError> {
    Ok(axum::Json(s.app.group(&actor, &id).await?))
}

/// Asks the holding agency to disclose the personal parties withheld from the caller on a case
/// (404 if the caller may not see the case; 422 if nothing is withheld; 409 if one is pending).
#[utoipa::path(post, path = "/api/v1/cases/{id}/access-requests", tag = "sharing", params(("id" = String, Path)),
    request_body = AccessRequestInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = AccessRequestView), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn request_access(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<AccessRequestInput>,
) -> Result<(StatusCode, axum::Json<AccessRequestView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.request_access(&actor, &id, input).await?)))
}

/// The access requests the caller's agency made or must decide, newest first.
#[utoipa::path(get, path = "/api/v1/access-requests", tag = "sharing", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<AccessRequestView>), (status = 401, body = crate::problem::Problem)))]
async fn list_access_requests(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<AccessRequestView>>, ApiError> {
    Ok(axum::Json(s.app.access_requests(&actor).await?))
}

/// Grants or refuses a pending access request (a unit head or deputy of the holding agency).
#[utoipa::path(post, path = "/api/v1/access-requests/{id}/decision", tag = "sharing", params(("id" = String, Path)),
    request_body = AccessDecisionInput, security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = AccessRequestView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem)))]
async fn decide_access_request(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<AccessDecisionInput>,
) -> Result<axum::Json<AccessRequestView>, ApiError> {
    Ok(axum::Json(s.app.decide_access_request(&actor, &id, input).await?))
}
