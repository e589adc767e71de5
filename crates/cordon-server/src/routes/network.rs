//! Networks behind the cases: the graph of entities and cases around an entity, a case or a
//! filtered set of cases, with candidate rings, centrality and communities, exported as JSON,
//! GraphML or GEXF, and the shortest path between two entities — over what the caller may see.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use cordon_app::{NetworkPathView, NetworkQuery, NetworkView};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(network)).routes(routes!(network_path))
}

/// The network a query selects. `format=json` (the default) answers the graph with its measures
/// and candidate rings; `graphml` and `gexf` answer a file for Gephi or i2-style tools. Built
/// only from the cases and parties the caller is shown; audited with the cases it covers.
#[utoipa::path(get, path = "/api/v1/network", tag = "cases", params(NetworkQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = NetworkView), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn network(State(s): State<AppState>, Authed(actor): Authed, Query(q): Query<NetworkQuery>) -> Result<Response, ApiError> {
    if q.format.as_deref().is_none_or(|f| f == "json") {
        return Ok(axum::Json(s.app.network(&actor, q).await?).into_response());
    }
    let file = s.app.network_file(&actor, q).await?;
    let mut resp = file.body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(file.content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// The two entities a path joins.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
struct PathParams {
    /// From this entity.
    from: String,
    /// To this one.
    to: String,
}

/// How one entity is connected to another: the chain of entities and cases between them,
/// within four rings of cases, over what the caller may see (an empty path if none).
#[utoipa::path(get, path = "/api/v1/network/path", tag = "cases", params(PathParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = NetworkPathView), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn network_path(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<PathParams>,
) -> Result<axum::Json<NetworkPathView>, ApiError> {
    Ok(axum::Json(s.app.network_path(&actor, &p.from, &p.to).await?))
}
