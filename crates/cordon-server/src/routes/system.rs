//! Health, readiness, metrics and the OpenAPI document.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::ApiError;
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics))
}

/// Liveness.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    status: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health)))]
async fn healthz() -> axum::Json<Health> {
    axum::Json(Health { status: "ok" })
}

/// Readiness, with the backend in use.
#[derive(Serialize, ToSchema)]
pub struct Ready {
    /// `ready`.
    status: &'static str,
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// Highest migration applied.
    schema_version: i64,
}

/// The store answers and is migrated: traffic may be sent here.
#[utoipa::path(get, path = "/readyz", tag = "system", responses((status = 200, body = Ready), (status = 503, body = crate::problem::Problem)))]
async fn readyz(State(s): State<AppState>) -> Result<axum::Json<Ready>, ApiError> {
    let store = s.app.store();
    match store.schema_version().await {
        Ok(v) => Ok(axum::Json(Ready { status: "ready", backend: store.backend(), schema_version: v })),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", "Not ready", "The store does not answer."))
        }
    }
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "system", responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics(State(s): State<AppState>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], s.metrics.render()).into_response()
}

pub async fn openapi_json(doc: Arc<utoipa::openapi::OpenApi>) -> Response {
    match doc.to_json() {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "The API description could not be rendered.")
                .into_response()
        }
    }
}
