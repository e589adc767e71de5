//! Directives and plans, the tasks they assign and progress reports: the Standing Office's
//! monitoring across agencies, and each agency's own tasks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use cordon_app::{DirectiveInput, DirectiveView, TaskBoardView, TaskInput, TaskReportInput, TaskView};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(create_directive, list_directives))
        .routes(routes!(get_directive))
        .routes(routes!(add_task))
        .routes(routes!(task_board))
        .routes(routes!(report_task))
}

/// Records a directive, official letter, dispatch or plan and the tasks it assigns (the Standing Office).
#[utoipa::path(post, path = "/api/v1/directives", tag = "directives", request_body = DirectiveInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = DirectiveView), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn create_directive(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<DirectiveInput>,
) -> Result<(StatusCode, axum::Json<DirectiveView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.create_directive(&actor, input).await?)))
}

/// Directives, latest first: every one for the Standing Office, those giving the caller's agency a task otherwise (with only its tasks).
#[utoipa::path(get, path = "/api/v1/directives", tag = "directives", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<DirectiveView>)))]
async fn list_directives(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<DirectiveView>>, ApiError> {
    Ok(axum::Json(s.app.directives(&actor).await?))
}

/// A directive with the tasks and progress reports the caller may see; one that gives the caller's agency no task is 404.
#[utoipa::path(get, path = "/api/v1/directives/{id}", tag = "directives", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = DirectiveView), (status = 404, body = crate::problem::Problem)))]
async fn get_directive(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<DirectiveView>, ApiError> {
    Ok(axum::Json(s.app.directive(&actor, &id).await?))
}

/// Assigns one more task from a directive (the Standing Office).
#[utoipa::path(post, path = "/api/v1/directives/{id}/tasks", tag = "directives", params(("id" = String, Path)), request_body = TaskInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = DirectiveView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn add_task(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<TaskInput>,
) -> Result<(StatusCode, axum::Json<DirectiveView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.add_directive_task(&actor, &id, input).await?)))
}

/// Which tasks to follow.
#[derive(Deserialize, IntoParams)]
pub struct BoardParams {
    /// One agency (the Standing Office may name any; others only their own).
    agency: Option<String>,
    /// `overdue`, `due_soon`, `done` or `on_track`.
    flag: Option<String>,
}

/// Tasks by deadline with overdue and due-soon flags and each agency's progress: the Standing
/// Office sees every agency, an agency its own tasks.
#[utoipa::path(get, path = "/api/v1/directive-tasks", tag = "directives", params(BoardParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = TaskBoardView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn task_board(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<BoardParams>,
) -> Result<axum::Json<TaskBoardView>, ApiError> {
    Ok(axum::Json(s.app.task_board(&actor, p.agency, p.flag).await?))
}

/// Reports progress on a task of the caller's agency (100 % completes it; progress never goes back).
#[utoipa::path(post, path = "/api/v1/directive-tasks/{id}/reports", tag = "directives", params(("id" = String, Path)), request_body = TaskReportInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = TaskView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn report_task(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<TaskReportInput>,
) -> Result<(StatusCode, axum::Json<TaskView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.report_task(&actor, &id, input).await?)))
}
