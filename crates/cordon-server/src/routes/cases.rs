//! Cases: record, list and search, read, replace (with If-Match), move along the lifecycle, add parties, history.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::{CaseEventView, CaseInput, CasePage, CaseQuery, CaseTotalView, CaseView, NewEvidence, PartyInput, SharingInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_cases, create_case))
        .routes(routes!(count_cases))
        .routes(routes!(case_totals))
        .routes(routes!(get_case, replace_case))
        .routes(routes!(transition))
        .routes(routes!(add_party))
        .routes(routes!(events))
        .merge(
            // Evidence is the one body larger than the API's default limit.
            OpenApiRouter::new()
                .routes(routes!(upload_evidence))
                .layer(axum::extract::DefaultBodyLimit::max(cordon_app::MAX_EVIDENCE_BYTES + 64 * 1024)),
        )
        .routes(routes!(download_evidence))
}

/// List filters.
#[derive(Deserialize, IntoParams)]
pub struct CaseParams {
    /// Violation type.
    case_type: Option<String>,
    /// Status.
    status: Option<String>,
    /// Province, by code or any name (pre-2025 names resolve).
    province: Option<String>,
    /// Recording agency.
    agency: Option<String>,
    /// Commodity category of any goods line.
    commodity: Option<String>,
    /// Detected at or after, ms.
    since: Option<i64>,
    /// Detected before, ms.
    until: Option<i64>,
    /// Words to find, with or without diacritics ("thuoc la" finds "thuốc lá").
    q: Option<String>,
    /// Cursor from the previous page.
    cursor: Option<String>,
    /// Page size, 1–100 (default 50).
    limit: Option<i64>,
}

impl From<CaseParams> for CaseQuery {
    fn from(p: CaseParams) -> Self {
        CaseQuery {
            case_type: p.case_type,
            status: p.status,
            province: p.province,
            agency: p.agency,
            commodity: p.commodity,
            since: p.since,
            until: p.until,
            q: p.q,
            cursor: p.cursor,
            limit: p.limit,
        }
    }
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn with_etag(status: StatusCode, view: CaseView) -> Response {
    let tag = etag(view.version);
    let mut resp = (status, axum::Json(view)).into_response();
    resp.headers_mut().insert(header::ETAG, tag);
    resp
}

/// The version an edit is based on, from `If-Match`; editing blind is refused.
fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "If-Match required",
            "Send If-Match with the ETag of the version you edited, so that no one's change is overwritten silently.",
        ));
    };
    let text = v.to_str().unwrap_or_default().trim().trim_start_matches("W/").trim_matches('"');
    text.parse().map_err(|_| ApiError::bad_input("If-Match must be an ETag from this API, e.g. \"3\".", Some("If-Match".into())))
}

/// Cases the caller may see, newest first, with filters and full-text search.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CasePage), (status = 401, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn list_cases(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<CaseParams>,
) -> Result<axum::Json<CasePage>, ApiError> {
    Ok(axum::Json(s.app.cases(&actor, p.into()).await?))
}

/// A count.
#[derive(Serialize, ToSchema)]
pub struct Count {
    /// How many cases the caller may see that match.
    count: i64,
}

/// How many cases the caller may see that match the filters.
#[utoipa::path(get, path = "/api/v1/cases/count", tag = "cases", params(CaseParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Count), (status = 401, body = crate::problem::Problem)))]
async fn count_cases(State(s): State<AppState>, Authed(actor): Authed, Query(p): Query<CaseParams>) -> Result<axum::Json<Count>, ApiError> {
    Ok(axum::Json(Count { count: s.app.count_cases(&actor, p.into()).await? }))
}

/// Records a case. An `external_ref` already recorded answers that case (idempotent).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = CaseInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = CaseView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_case(State(s): State<AppState>, Authed(actor): Authed, Json(input): Json<CaseInput>) -> Result<Response, ApiError> {
    let view = s.app.create_case(&actor, input).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/cases/{}", view.id)).ok();
    let mut resp = with_etag(StatusCode::CREATED, view);
    if let Some(l) = location {
        resp.headers_mut().insert(header::LOCATION, l);
    }
    Ok(resp)
}

/// One case, if the caller may see it (404 otherwise, exactly as for a case that does not exist).
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView, headers(("ETag" = String))), (status = 404, body = crate::problem::Problem)))]
async fn get_case(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(with_etag(StatusCode::OK, s.app.case(&actor, &id).await?))
}

/// Replaces a case's content (recording unit only); `If-Match` must carry the version edited.
#[utoipa::path(put, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = CaseInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView), (status = 412, body = crate::problem::Problem), (status = 428, body = crate::problem::Problem)))]
async fn replace_case(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(input): Json<CaseInput>,
) -> Result<Response, ApiError> {
    let version = if_match(&headers)?;
    Ok(with_etag(StatusCode::OK, s.app.update_case(&actor, &id, version, input).await?))
}

/// A lifecycle step.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// Target status.
    to: String,
    /// Why (required to close or transfer).
    #[serde(default)]
    reason: String,
}

/// Moves a case along its lifecycle; `If-Match` must carry the version acted on.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = Transition,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView), (status = 403, body = crate::problem::Problem), (status = 412, body = crate::problem::Problem)))]
async fn transition(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(t): Json<Transition>,
) -> Result<Response, ApiError> {
    let version = if_match(&headers)?;
    Ok(with_etag(StatusCode::OK, s.app.transition_case(&actor, &id, version, &t.to, &t.reason).await?))
}

/// Links a party (person, company, vehicle…) to a case; `If-Match` must carry the version acted on.
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties", tag = "cases", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = PartyInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView), (status = 412, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn add_party(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(p): Json<PartyInput>,
) -> Result<Response, ApiError> {
    let version = if_match(&headers)?;
    Ok(with_etag(StatusCode::OK, s.app.add_party(&actor, &id, version, p).await?))
}

/// A case's history: every change, who made it, from which unit, why.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<CaseEventView>), (status = 404, body = crate::problem::Problem)))]
async fn events(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<Vec<CaseEventView>>, ApiError> {
    Ok(axum::Json(s.app.case_events(&actor, &id).await?))
}

/// Where an evidence upload comes from.
#[derive(Deserialize, IntoParams)]
pub struct UploadParams {
    /// The file's name as the officer knows it.
    filename: String,
    /// The file's own TLP label, when narrower than the case's (`red`, `amber_strict`, `amber`, `green`, `clear`).
    tlp: Option<String>,
    /// With `tlp`: its distribution, comma-separated (`own_unit`, `own_agency`, `agency:ID`, `group:ID`…).
    distribution: Option<String>,
    /// With `tlp`: handling conditions, comma-separated (`H1`, `H2`, `H3:text`).
    handling: Option<String>,
}

/// Attaches an evidence file (PDF, PNG, JPEG, WebP or MP4, up to 20 MiB; the body is the file,
/// `Content-Type` its type); `If-Match` must carry the case version acted on.
#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", tag = "cases",
    params(("id" = String, Path), ("If-Match" = String, Header), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = CaseView), (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn upload_evidence(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Query(p): Query<UploadParams>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    let version = if_match(&headers)?;
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", "Evidence files are at most 20 MiB.")
        } else {
            ApiError::bad_input(r.body_text(), None)
        }
    })?;
    let declared_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let list =
        |v: Option<String>| v.map(|v| v.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()).unwrap_or_default();
    let sharing = p.tlp.map(|tlp| SharingInput { tlp, distribution: list(p.distribution), handling: list(p.handling) });
    let upload = NewEvidence { filename: p.filename, declared_type, sharing, bytes: bytes.to_vec() };
    Ok(with_etag(StatusCode::OK, s.app.add_evidence(&actor, &id, version, upload).await?))
}

/// An evidence file of a case the caller may see (404 otherwise); the download is audited.
#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence/{sha256}", tag = "cases", params(("id" = String, Path), ("sha256" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::problem::Problem)))]
async fn download_evidence(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (e, bytes) = s.app.evidence_file(&actor, &id, &sha256).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&e.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // The name is the officer's; encode it so no header can be forged from it.
    let encoded: String = form_urlencoded::byte_serialize(e.filename.as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// What totals are grouped by.
#[derive(Deserialize, IntoParams)]
pub struct TotalsParams {
    /// `province`, `commodity`, `case_type` or `status`.
    by: String,
}

/// Cases and their value grouped by province, commodity, type or status, over the cases the
/// caller may see that match the filters (largest count first).
#[utoipa::path(get, path = "/api/v1/cases/totals", tag = "cases", params(TotalsParams, CaseParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<CaseTotalView>), (status = 422, body = crate::problem::Problem)))]
async fn case_totals(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(by): Query<TotalsParams>,
    Query(p): Query<CaseParams>,
) -> Result<axum::Json<Vec<CaseTotalView>>, ApiError> {
    Ok(axum::Json(s.app.case_totals(&actor, p.into(), &by.by).await?))
}
