//! Entities: a person, company, vehicle… with its cases and links, as the caller may see it,
//! and the candidate matches entity resolution found for it, with analysts' decisions.

use axum::extract::{Path, State};
use cordon_app::{EntityMatchView, EntityView, MatchDecisionInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_entity)).routes(routes!(entity_matches)).routes(routes!(decide_entity_match))
}

/// An entity with the cases the caller may see it in and the entities it appears with (404
/// if the caller sees it in no case, or only withheld); the read is audited.
#[utoipa::path(get, path = "/api/v1/entities/{id}", tag = "cases", params(("id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = EntityView), (status = 404, body = crate::problem::Problem)))]
async fn get_entity(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<axum::Json<EntityView>, ApiError> {
    Ok(axum::Json(s.app.entity(&actor, &id).await?))
}

/// The candidate matches of an entity the caller may see, with probability and per-field
/// explanation; a match to an entity the caller may not see says only which agency holds it.
#[utoipa::path(get, path = "/api/v1/entities/{id}/matches", tag = "cases", params(("id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<EntityMatchView>), (status = 404, body = crate::problem::Problem)))]
async fn entity_matches(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<EntityMatchView>>, ApiError> {
    Ok(axum::Json(s.app.entity_matches(&actor, &id).await?))
}

/// Confirms (the same entity), rejects (not the same: final) or splits (undoes a link) a
/// candidate match; by an officer or unit head who sees both entities (404 otherwise).
#[utoipa::path(post, path = "/api/v1/entity-matches/{id}/decision", tag = "cases", params(("id" = String, Path)),
    request_body = MatchDecisionInput, security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = EntityMatchView), (status = 400, body = crate::problem::Problem), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
async fn decide_entity_match(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<MatchDecisionInput>,
) -> Result<axum::Json<EntityMatchView>, ApiError> {
    Ok(axum::Json(s.app.decide_entity_match(&actor, &id, input).await?))
}
