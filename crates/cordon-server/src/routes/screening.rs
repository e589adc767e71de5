//! Listing screening over HTTP: crawlers post listings in bulk, analysts keep the rule sets and
//! work the lead queue.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::{LeadDecisionInput, LeadView, LineProblem, RulePrecisionView, RuleSetInput, RuleSetView, ScreenReport, SellerClusterView};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

/// Largest bulk body: a crawler's batch; a day's feed goes in several requests or `cordon screen`.
const MAX_LISTINGS_BYTES: usize = 64 << 20;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.merge(
        OpenApiRouter::new()
            .routes(routes!(screen_listings))
            .routes(routes!(save_rule_set, list_rule_sets))
            .routes(routes!(check_rule_set))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_LISTINGS_BYTES)),
    )
    .routes(routes!(get_rule_set))
    .routes(routes!(activate_rule_set))
    .routes(routes!(rule_precision))
    .routes(routes!(list_leads))
    .routes(routes!(lead_counts))
    .routes(routes!(get_lead))
    .routes(routes!(decide_lead))
    .routes(routes!(seller_cluster))
}

/// A problem+json answer listing every bad line of a file.
pub fn line_problems(title: &'static str, code: &'static str, detail: String, problems: &[LineProblem]) -> Response {
    let body = json!({
        "type": format!("urn:cordon:problem:{code}"),
        "title": title,
        "status": 422,
        "detail": detail,
        "code": code,
        "problems": problems,
    });
    let mut resp = (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
    resp
}

fn body_problem(r: axum::extract::rejection::BytesRejection) -> ApiError {
    if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload too large",
            format!("A request is at most {} MiB; split the feed or use `cordon screen`.", MAX_LISTINGS_BYTES >> 20),
        )
    } else {
        ApiError::bad_input(r.body_text(), None)
    }
}

/// How a listings body is written.
#[derive(Deserialize, IntoParams)]
pub struct ListingsParams {
    /// `ndjson` (default) or `csv`; without it, a `text/csv` content type means CSV.
    format: Option<String>,
}

/// Screens listings (NDJSON or CSV with a header) with the caller's agency's active rules and
/// files those that score as leads: one open lead per seller, a listing seen before counted
/// and not filed again. Lines that are not listings are reported with their line number and
/// skipped; the rest go on.
#[utoipa::path(post, path = "/api/v1/listings", tag = "screening", params(ListingsParams),
    request_body(content = Vec<u8>, content_type = "application/x-ndjson"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = ScreenReport), (status = 403, body = crate::problem::Problem), (status = 413, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn screen_listings(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<ListingsParams>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::Json<ScreenReport>, ApiError> {
    let body = body.map_err(body_problem)?;
    let csv = match p.format.as_deref() {
        Some("csv") => true,
        Some("ndjson") => false,
        Some(other) => return Err(ApiError::bad_input(format!("format {other:?}: use ndjson or csv"), Some("format".into()))),
        None => headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/csv")),
    };
    // Reading a large body is CPU work: keep it off the threads that answer requests.
    let read = tokio::task::spawn_blocking(move || cordon_transfer::read_listings(&body, csv))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "The listings could not be read."))?;
    let (listings, bad) = read.map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_file",
            "The listings cannot be read",
            format!("The body cannot be read: {e}"),
        )
    })?;
    let skipped = bad.into_iter().map(|b| LineProblem { line: b.line, reason: b.reason }).collect();
    Ok(axum::Json(s.app.screen_listings(&actor, listings, skipped).await?))
}

/// Saves a new version of the agency's rule file, checked and compiled first; unless
/// `activate` is false, screening uses it from the next request on. A refused file is 422
/// with every problem and its line, and nothing is saved.
#[utoipa::path(post, path = "/api/v1/rule-sets", tag = "screening", request_body = RuleSetInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = RuleSetView), (status = 403, body = crate::problem::Problem),
        (status = 422, description = "The file's problems, by line; nothing saved", body = crate::problem::Problem)))]
async fn save_rule_set(State(s): State<AppState>, Authed(actor): Authed, Json(input): Json<RuleSetInput>) -> Result<Response, ApiError> {
    match s.app.save_rule_set(&actor, input).await? {
        Ok(view) => Ok((StatusCode::CREATED, axum::Json(view)).into_response()),
        Err(problems) => Ok(line_problems(
            "Rule file refused",
            "invalid_rules",
            format!("{} problem(s) in the rule file; nothing was saved", problems.len()),
            &problems,
        )),
    }
}

/// Checks a rule file without saving it: 200 with no problems, or 422 with each problem and its line.
#[utoipa::path(post, path = "/api/v1/rule-sets/check", tag = "screening", request_body = RuleSetInput, security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Valid"), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn check_rule_set(State(s): State<AppState>, Authed(actor): Authed, Json(input): Json<RuleSetInput>) -> Result<Response, ApiError> {
    let problems = s.app.check_rule_set(&actor, &input.body)?;
    if problems.is_empty() {
        return Ok(axum::Json(json!({ "valid": true })).into_response());
    }
    Ok(line_problems("Rule file refused", "invalid_rules", format!("{} problem(s) in the rule file", problems.len()), &problems))
}

/// The agency's saved rule-set versions, newest first, the active one marked.
#[utoipa::path(get, path = "/api/v1/rule-sets", tag = "screening", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<RuleSetView>), (status = 403, body = crate::problem::Problem)))]
async fn list_rule_sets(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<RuleSetView>>, ApiError> {
    Ok(axum::Json(s.app.rule_sets(&actor).await?))
}

/// One saved version of the agency's rules, with its text.
#[utoipa::path(get, path = "/api/v1/rule-sets/{version}", tag = "screening", params(("version" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RuleSetView), (status = 404, body = crate::problem::Problem)))]
async fn get_rule_set(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(version): Path<i64>,
) -> Result<axum::Json<RuleSetView>, ApiError> {
    Ok(axum::Json(s.app.rule_set(&actor, version).await?))
}

/// Makes a saved version the active one (also how a change is rolled back), without a restart.
#[utoipa::path(post, path = "/api/v1/rule-sets/{version}/activate", tag = "screening", params(("version" = i64, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RuleSetView), (status = 404, body = crate::problem::Problem)))]
async fn activate_rule_set(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(version): Path<i64>,
) -> Result<axum::Json<RuleSetView>, ApiError> {
    Ok(axum::Json(s.app.activate_rule_set(&actor, version).await?))
}

/// Each rule's precision from the agency's decisions on leads (dismissals do not count against it).
#[utoipa::path(get, path = "/api/v1/rule-sets/precision", tag = "screening", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<RulePrecisionView>), (status = 403, body = crate::problem::Problem)))]
async fn rule_precision(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<RulePrecisionView>>, ApiError> {
    Ok(axum::Json(s.app.rule_precision(&actor).await?))
}

/// Which leads to list.
#[derive(Deserialize, IntoParams)]
pub struct LeadParams {
    /// `open` (default), `confirmed`, `dismissed`, `false_positive`.
    status: Option<String>,
    /// At most this many (default 50, at most 500).
    limit: Option<i64>,
    /// Skip this many.
    offset: Option<i64>,
}

/// The agency's leads in one status, best score first.
#[utoipa::path(get, path = "/api/v1/leads", tag = "screening", params(LeadParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<LeadView>), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn list_leads(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<LeadParams>,
) -> Result<axum::Json<Vec<LeadView>>, ApiError> {
    Ok(axum::Json(s.app.leads(&actor, p.status.as_deref(), p.limit.unwrap_or(50), p.offset.unwrap_or(0)).await?))
}

/// How many of the agency's leads stand in each status.
#[utoipa::path(get, path = "/api/v1/leads/counts", tag = "screening", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = BTreeMap<String, i64>), (status = 403, body = crate::problem::Problem)))]
async fn lead_counts(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<BTreeMap<String, i64>>, ApiError> {
    Ok(axum::Json(s.app.lead_counts(&actor).await?))
}

/// A lead of the caller's agency with its listings, the rules that fired and where.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "screening", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = LeadView), (status = 404, body = crate::problem::Problem)))]
async fn get_lead(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<axum::Json<LeadView>, ApiError> {
    Ok(axum::Json(s.app.lead(&actor, &id).await?))
}

/// Decides an open lead: `confirmed` (linking `case_id`, or with `open_case` opening an
/// e-commerce case from it), `dismissed` or `false_positive` (each with a reason).
#[utoipa::path(post, path = "/api/v1/leads/{id}/decision", tag = "screening", params(("id" = String, Path)), request_body = LeadDecisionInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = LeadView), (status = 404, body = crate::problem::Problem), (status = 412, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn decide_lead(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<LeadDecisionInput>,
) -> Result<axum::Json<LeadView>, ApiError> {
    Ok(axum::Json(s.app.decide_lead(&actor, &id, input).await?))
}

/// The leads tied to this one by what their sellers share (phone, account, image, address),
/// across platforms: one trader behind many shops.
#[utoipa::path(get, path = "/api/v1/leads/{id}/cluster", tag = "screening", params(("id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = SellerClusterView), (status = 404, body = crate::problem::Problem)))]
async fn seller_cluster(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<SellerClusterView>, ApiError> {
    Ok(axum::Json(s.app.seller_cluster(&actor, &id).await?))
}
