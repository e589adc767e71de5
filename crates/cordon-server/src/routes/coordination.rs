//! Coordination: decisions behind pursuit notices, handovers of a case to another agency,
//! customs operation areas and pursuit proposals, joint operations.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use cordon_app::{
    DecisionInput, HandoverAnswerInput, HandoverInput, HandoverView, LinkCaseInput, NoticeView, OperationInput, OperationMessageInput,
    OperationMessageView, OperationView, PursuitProposal, PursuitQuery,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(record_pursuit_decision))
        .routes(routes!(request_handover))
        .routes(routes!(list_handovers))
        .routes(routes!(get_handover))
        .routes(routes!(answer_handover))
        .routes(routes!(customs_areas))
        .routes(routes!(pursuit_proposal))
        .routes(routes!(create_operation, list_operations))
        .routes(routes!(get_operation))
        .routes(routes!(post_message, list_messages))
        .routes(routes!(link_case))
}

type Problem = crate::problem::Problem;

/// Records the decision behind a pursuit notice the caller's unit sent: its form (written
/// decision, oral order, telephone instruction), who decided, under whose authority (own, or a
/// delegation in force then), and when.
#[utoipa::path(post, path = "/api/v1/notices/{id}/decisions", tag = "coordination", params(("id" = String, Path)), request_body = DecisionInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = NoticeView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_pursuit_decision(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<DecisionInput>,
) -> Result<(StatusCode, axum::Json<NoticeView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.record_pursuit_decision(&actor, &id, input).await?)))
}

/// The lead agency asks another agency to take a case over, on a recorded decision. A repeated
/// `idempotency_key` answers the same handover; a case has one open handover at a time (409).
#[utoipa::path(post, path = "/api/v1/cases/{id}/handovers", tag = "coordination", params(("id" = String, Path)), request_body = HandoverInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = HandoverView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn request_handover(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<HandoverInput>,
) -> Result<(StatusCode, axum::Json<HandoverView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.request_handover(&actor, &id, input).await?)))
}

/// The handovers the caller's agency asked for or was asked to take, newest first.
#[utoipa::path(get, path = "/api/v1/handovers", tag = "coordination", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<HandoverView>)))]
async fn list_handovers(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<HandoverView>>, ApiError> {
    Ok(axum::Json(s.app.handovers(&actor).await?))
}

/// A handover of the caller's agency (404 otherwise), with its decisions.
#[utoipa::path(get, path = "/api/v1/handovers/{id}", tag = "coordination", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = HandoverView), (status = 404, body = Problem)))]
async fn get_handover(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<HandoverView>, ApiError> {
    Ok(axum::Json(s.app.handover(&actor, &id).await?))
}

/// The receiving agency accepts (it becomes the lead and sees the case, its history and
/// evidence) or refuses with a reason.
#[utoipa::path(post, path = "/api/v1/handovers/{id}/answer", tag = "coordination", params(("id" = String, Path)), request_body = HandoverAnswerInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = HandoverView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn answer_handover(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<HandoverAnswerInput>,
) -> Result<axum::Json<HandoverView>, ApiError> {
    Ok(axum::Json(s.app.answer_handover(&actor, &id, input).await?))
}

/// A customs operation area.
#[derive(Serialize, ToSchema)]
struct CustomsAreaView {
    /// The border gate, seaport or airport (its code).
    port: String,
    /// Its name.
    name_vi: String,
    /// Its English name.
    name_en: String,
    /// `land_border_gate`, `seaport` or `airport`.
    kind: String,
    /// Its province.
    province: String,
    /// Approximate centre.
    latitude: f64,
    /// Approximate centre.
    longitude: f64,
    /// Radius, metres.
    radius_m: f64,
    /// Whether it takes in the sea or inland waters.
    waters: bool,
}

/// The customs operation areas, one per border gate, seaport and airport: a case inside one
/// has Customs as lead.
#[utoipa::path(get, path = "/api/v1/customs-areas", tag = "coordination", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<CustomsAreaView>)))]
async fn customs_areas(Authed(actor): Authed) -> Result<axum::Json<Vec<CustomsAreaView>>, ApiError> {
    actor.require_active()?;
    Ok(axum::Json(
        cordon_core::jurisdiction::customs_areas()
            .iter()
            .map(|a| CustomsAreaView {
                port: a.port.code.into(),
                name_vi: a.port.name_vi.into(),
                name_en: a.port.name_en.into(),
                kind: a.port.kind.as_str().into(),
                province: a.port.province.into(),
                latitude: a.latitude,
                longitude: a.longitude,
                radius_m: a.radius_m,
                waters: a.waters,
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PursuitParams {
    /// The province the goods or conveyance were found in or are heading to.
    found_province: Option<String>,
    /// Whether the sea or inland waters are concerned (adds the coast guard).
    waters: Option<bool>,
}

/// Proposes a pursuit notice for a case whose goods or conveyance left its customs operation
/// area or were found outside it: addressed to the local police, border guard, coast guard
/// and market surveillance units of the provinces concerned that an agreement in force binds
/// to the caller's agency. Nothing is raised: confirm or edit `notice`, then `POST /api/v1/notices`.
#[utoipa::path(get, path = "/api/v1/cases/{id}/pursuit-proposal", tag = "coordination", params(("id" = String, Path), PursuitParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = PursuitProposal), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn pursuit_proposal(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Query(p): Query<PursuitParams>,
) -> Result<axum::Json<PursuitProposal>, ApiError> {
    let q = PursuitQuery { found_province: p.found_province, waters: p.waters };
    Ok(axum::Json(s.app.propose_pursuit(&actor, &id, q).await?))
}

/// Creates a joint operation (participants domestic and foreign, period, target commodities,
/// the channel's TLP). A repeated `idempotency_key` answers the same operation.
#[utoipa::path(post, path = "/api/v1/operations", tag = "coordination", request_body = OperationInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = OperationView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_operation(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<OperationInput>,
) -> Result<(StatusCode, axum::Json<OperationView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.create_operation(&actor, input).await?)))
}

/// The joint operations the caller's agency takes part in.
#[utoipa::path(get, path = "/api/v1/operations", tag = "coordination", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<OperationView>)))]
async fn list_operations(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<OperationView>>, ApiError> {
    Ok(axum::Json(s.app.operations(&actor).await?))
}

/// A joint operation the caller's agency takes part in (404 otherwise), with the linked cases
/// the caller may see and the results computed over those only.
#[utoipa::path(get, path = "/api/v1/operations/{id}", tag = "coordination", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = OperationView), (status = 404, body = Problem)))]
async fn get_operation(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<OperationView>, ApiError> {
    Ok(axum::Json(s.app.operation(&actor, &id).await?))
}

/// Posts on an operation's channel (participants only).
#[utoipa::path(post, path = "/api/v1/operations/{id}/messages", tag = "coordination", params(("id" = String, Path)), request_body = OperationMessageInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = OperationMessageView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn post_message(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<OperationMessageInput>,
) -> Result<(StatusCode, axum::Json<OperationMessageView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.post_operation_message(&actor, &id, input).await?)))
}

/// An operation's channel (participants only).
#[utoipa::path(get, path = "/api/v1/operations/{id}/messages", tag = "coordination", params(("id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<OperationMessageView>), (status = 404, body = Problem)))]
async fn list_messages(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<OperationMessageView>>, ApiError> {
    Ok(axum::Json(s.app.operation_messages(&actor, &id).await?))
}

/// Links a case the caller may see to an operation its agency takes part in.
#[utoipa::path(post, path = "/api/v1/operations/{id}/cases", tag = "coordination", params(("id" = String, Path)), request_body = LinkCaseInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = OperationView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn link_case(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<LinkCaseInput>,
) -> Result<axum::Json<OperationView>, ApiError> {
    Ok(axum::Json(s.app.link_operation_case(&actor, &id, input).await?))
}
