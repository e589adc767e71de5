//! Entities: a person, company, vehicle… with its cases and links, as the caller may see it.

use axum::extract::{Path, State};
use cordon_app::EntityView;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::ApiError;
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(get_entity))
}

/// An entity with the cases the caller may see it in and the entities it appears with (404
/// if the caller sees it in no case, or only withheld); the read is audited.
#[utoipa::path(get, path = "/api/v1/entities/{id}", tag = "cases", params(("id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = EntityView), (status = 404, body = crate::problem::Problem)))]
async fn get_entity(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<axum::Json<EntityView>, ApiError> {
    Ok(axum::Json(s.app.entity(&actor, &id).await?))
}
