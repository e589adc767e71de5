//! Requests between administrations: record, list, read, move along the lifecycle, answer,
//! attach files; statistics as JSON, CSV or XLSX; signed packages for partners without
//! Cordon, and the partner keys their answer packages are checked against.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::{
    NewRequestFile, PartnerKeyInput, PartnerKeyView, RequestAnswerInput, RequestInput, RequestQuery, RequestStatisticsView,
    RequestTransitionInput, RequestView, StatisticsQuery, TallyView,
};
use cordon_transfer::Cell;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Json, Query};
use crate::AppState;

/// Largest answer package: a few attachments of evidence size, base64-encoded (4/3 larger).
pub const MAX_PACKAGE_BYTES: usize = 32 << 20;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(create_request, list_requests))
        .routes(routes!(statistics))
        .routes(routes!(get_request))
        .routes(routes!(transition))
        .routes(routes!(answer))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(attach))
                .layer(axum::extract::DefaultBodyLimit::max(cordon_app::MAX_EVIDENCE_BYTES + 64 * 1024)),
        )
        .routes(routes!(download))
        .routes(routes!(export_package))
        .routes(routes!(printable))
        .merge(OpenApiRouter::new().routes(routes!(import_package)).layer(axum::extract::DefaultBodyLimit::max(MAX_PACKAGE_BYTES)))
        .routes(routes!(add_partner_key, list_partner_keys))
}

/// List filters.
#[derive(Deserialize, IntoParams)]
pub struct RequestParams {
    /// `incoming` or `outgoing`.
    direction: Option<String>,
    /// Status: `draft`, `sent`, `received`, `partially_answered`, `answered`, `closed`, `withdrawn`.
    status: Option<String>,
    /// Kind, e.g. `verify_origin`.
    kind: Option<String>,
    /// Counterpart, e.g. `customs:CN`.
    counterpart: Option<String>,
    /// Recording unit.
    unit: Option<String>,
    /// Recording agency.
    agency: Option<String>,
    /// `reminder` (due within three days) or `overdue`.
    flag: Option<String>,
}

/// Records a request (a draft, until sent or registered as received). The deadline is the one
/// given, or the kind's default: 30 days for a verification or information, 60 for assistance.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", request_body = RequestInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = RequestView), (status = 403, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn create_request(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<RequestInput>,
) -> Result<(StatusCode, axum::Json<RequestView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.create_request(&actor, input).await?)))
}

/// The requests the caller may see, newest first, each flagged against its deadline now.
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", params(RequestParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<RequestView>), (status = 422, body = crate::problem::Problem)))]
async fn list_requests(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<RequestParams>,
) -> Result<axum::Json<Vec<RequestView>>, ApiError> {
    let q = RequestQuery {
        direction: p.direction,
        status: p.status,
        kind: p.kind,
        counterpart: p.counterpart,
        unit: p.unit,
        agency: p.agency,
        flag: p.flag,
    };
    Ok(axum::Json(s.app.requests(&actor, q).await?))
}

/// One request with its history, answers and files, if the caller may see it (404 otherwise,
/// exactly as for one that does not exist).
#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RequestView), (status = 404, body = crate::problem::Problem)))]
async fn get_request(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(s.app.request(&actor, &id).await?))
}

/// Moves a request by hand: `sent` or `received` from a draft, `closed` or `withdrawn` with a
/// reason. A step the lifecycle does not allow is 422.
#[utoipa::path(post, path = "/api/v1/requests/{id}/transitions", tag = "requests", params(("id" = String, Path)), request_body = RequestTransitionInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RequestView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn transition(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<RequestTransitionInput>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(s.app.transition_request(&actor, &id, input).await?))
}

/// Records an answer, partial or final (`"final": true`), entered by the recording agency or
/// by the domestic agency the request is addressed to.
#[utoipa::path(post, path = "/api/v1/requests/{id}/answers", tag = "requests", params(("id" = String, Path)), request_body = RequestAnswerInput,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RequestView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn answer(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Json(input): Json<RequestAnswerInput>,
) -> Result<axum::Json<RequestView>, ApiError> {
    Ok(axum::Json(s.app.answer_request(&actor, &id, input).await?))
}

/// Where an upload goes.
#[derive(Deserialize, IntoParams)]
pub struct AttachParams {
    /// The file's name.
    filename: String,
    /// The answer it belongs to; absent: the request itself.
    answer: Option<String>,
}

fn body_or_problem(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    limit_words: &str,
) -> Result<axum::body::Bytes, ApiError> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", limit_words.to_string())
        } else {
            ApiError::bad_input(r.body_text(), None)
        }
    })
}

/// Attaches a file (PDF, PNG, JPEG, WebP or MP4, up to 20 MiB; the body is the file) to a
/// request or, with `answer`, to one of its answers.
#[utoipa::path(post, path = "/api/v1/requests/{id}/attachments", tag = "requests", params(("id" = String, Path), AttachParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RequestView), (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn attach(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    Query(p): Query<AttachParams>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::Json<RequestView>, ApiError> {
    let bytes = body_or_problem(body, "Files are at most 20 MiB.")?;
    let declared_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
    let upload = NewRequestFile { answer_id: p.answer, filename: p.filename, declared_type, bytes: bytes.to_vec() };
    Ok(axum::Json(s.app.attach_request_file(&actor, &id, upload).await?))
}

/// A file of a request the caller may see (404 otherwise); the download is audited.
#[utoipa::path(get, path = "/api/v1/requests/{id}/attachments/{sha256}", tag = "requests", params(("id" = String, Path), ("sha256" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::problem::Problem)))]
async fn download(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path((id, sha256)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (f, bytes) = s.app.request_file(&actor, &id, &sha256).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&f.media_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    let encoded: String = form_urlencoded::byte_serialize(f.filename.as_bytes()).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// The signed, self-contained package of a request for a partner without Cordon: an outgoing
/// request with its files base64-embedded (or, for an incoming one, our answer), signed
/// (Ed25519, this node's key) over the RFC 8785 canonical JSON of `body`.
#[utoipa::path(get, path = "/api/v1/requests/{id}/package", tag = "requests", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/json", body = Object), (status = 403, body = crate::problem::Problem),
        (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn export_package(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<Response, ApiError> {
    let package = s.app.export_request_package(&actor, &id).await?;
    let reference =
        package["body"]["request"]["reference"].as_str().or(package["body"]["our_reference"].as_str()).unwrap_or("request").to_string();
    let mut resp = axum::Json(package).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{reference}.cordon.json\"")) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// The request as a printable PDF (Vietnamese and English labels), for a partner without
/// Cordon or the file; read like the request itself, and audited as a read.
#[utoipa::path(get, path = "/api/v1/requests/{id}/pdf", tag = "requests", params(("id" = String, Path)), security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = crate::problem::Problem)))]
async fn printable(State(s): State<AppState>, Authed(actor): Authed, Path(id): Path<String>) -> Result<Response, ApiError> {
    let view = s.app.request(&actor, &id).await?;
    let reference = view.reference.clone();
    let pdf = tokio::task::spawn_blocking(move || cordon_transfer::request_pdf(&view))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "The PDF was not finished."))?
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", e.to_string()))?;
    let mut resp = pdf.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{}.pdf\"", reference.replace(['"', '\\', '/'], "-"))) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// Imports a partner's signed answer package (the body is the package as received) to one of
/// our outgoing requests. Refused, with nothing stored, unless its signature verifies with a
/// key trusted for the request's counterpart, it answers this request, and its attachments
/// pass the file checks.
#[utoipa::path(post, path = "/api/v1/requests/{id}/answers/package", tag = "requests", params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/json"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RequestView), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem),
        (status = 413, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn import_package(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<axum::Json<RequestView>, ApiError> {
    let bytes = body_or_problem(body, "A package is at most 32 MiB.")?;
    Ok(axum::Json(s.app.import_answer_package(&actor, &id, &bytes).await?))
}

/// Period, scope and format of statistics.
#[derive(Deserialize, IntoParams)]
pub struct StatisticsParams {
    /// Start of the period (inclusive): ms, or a date (`2026-01-01`, `01/01/2026`, Vietnam time). Default: 1 January this year.
    from: Option<String>,
    /// End of the period (exclusive), as `from`. Default: 1 January next year.
    to: Option<String>,
    /// Only requests recorded by this unit.
    unit: Option<String>,
    /// Only requests recorded by this agency.
    agency: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    format: Option<String>,
}

fn when(field: &str, v: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) if v.chars().all(|c| c.is_ascii_digit()) => {
            v.parse().map_err(|_| ApiError::bad_input(format!("{field}: not a time"), Some(field.into())))
        }
        Some(v) => cordon_core::time::parse_datetime(v).ok_or_else(|| {
            ApiError::bad_input(format!("{field}: a date as 2026-01-01 or 01/01/2026, or ms since 1970"), Some(field.into()))
        }),
    }
}

/// The statistics as a table: one row per line of the report.
pub fn statistics_rows(s: &RequestStatisticsView) -> Vec<Vec<Cell>> {
    let header = [
        "section",
        "key",
        "label",
        "received",
        "received_answered",
        "received_overdue",
        "received_median_days",
        "sent",
        "sent_answered",
        "sent_overdue",
        "sent_median_days",
    ];
    let mut rows: Vec<Vec<Cell>> = vec![header.iter().map(|h| Cell::Text((*h).into())).collect()];
    let line = |section: &str, key: &str, label: &str, r: &TallyView, t: &TallyView| {
        let median = |m: Option<f64>| m.map_or(Cell::Empty, Cell::Decimal);
        vec![
            Cell::Text(section.into()),
            Cell::Text(key.into()),
            Cell::Text(label.into()),
            Cell::Number(r.requests),
            Cell::Number(r.answered),
            Cell::Number(r.overdue),
            median(r.median_answer_days),
            Cell::Number(t.requests),
            Cell::Number(t.answered),
            Cell::Number(t.overdue),
            median(t.median_answer_days),
        ]
    };
    rows.push(line("total", "all", &s.summary, &s.received, &s.sent));
    for (section, list) in [("country", &s.by_country), ("kind", &s.by_kind), ("counterpart", &s.by_counterpart)] {
        for b in list {
            rows.push(line(section, &b.key, &b.label, &b.received, &b.sent));
        }
    }
    rows
}

/// Request statistics for a period and, optionally, one unit or agency, over the requests the
/// caller may see: received, sent, answered, overdue, median answer time, by counterpart
/// country, kind and counterpart — as JSON, CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/requests/statistics", tag = "requests", params(StatisticsParams), security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = RequestStatisticsView), (status = 400, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn statistics(State(s): State<AppState>, Authed(actor): Authed, Query(p): Query<StatisticsParams>) -> Result<Response, ApiError> {
    let year = cordon_core::time::year(s.app.now_ms());
    let q = StatisticsQuery {
        from: when("from", p.from.as_deref(), cordon_core::time::month_start(year, 1))?,
        to: when("to", p.to.as_deref(), cordon_core::time::month_start(year + 1, 1))?,
        unit: p.unit.filter(|u| !u.trim().is_empty()),
        agency: p.agency.filter(|a| !a.trim().is_empty()),
    };
    let format = p.format.unwrap_or_else(|| "json".into());
    if !matches!(format.as_str(), "json" | "csv" | "xlsx") {
        return Err(ApiError::bad_input(format!("format {format:?}: use json, csv or xlsx"), Some("format".into())));
    }
    let stats = s.app.request_statistics(&actor, q).await?;
    let internal =
        |e: cordon_transfer::TransferError| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", e.to_string());
    let (bytes, media_type, ext) = match format.as_str() {
        "csv" => {
            let mut out = Vec::new();
            cordon_transfer::csv_table(statistics_rows(&stats), &mut out).map_err(internal)?;
            (out, "text/csv; charset=utf-8", "csv")
        }
        "xlsx" => (
            cordon_transfer::xlsx_table("Requests", statistics_rows(&stats)).map_err(internal)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => return Ok(axum::Json(stats).into_response()),
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"cordon-requests.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

/// Trusts a partner's Ed25519 public key for the answer packages of one counterpart (administrators).
#[utoipa::path(post, path = "/api/v1/partner-keys", tag = "requests", request_body = PartnerKeyInput, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = PartnerKeyInput), (status = 403, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn add_partner_key(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(input): Json<PartnerKeyInput>,
) -> Result<(StatusCode, axum::Json<PartnerKeyView>), ApiError> {
    Ok((StatusCode::CREATED, axum::Json(s.app.add_partner_key(&actor, input).await?)))
}

/// The partner keys trusted, by counterpart (administrators).
#[utoipa::path(get, path = "/api/v1/partner-keys", tag = "requests", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = Vec<PartnerKeyInput>), (status = 403, body = crate::problem::Problem)))]
async fn list_partner_keys(State(s): State<AppState>, Authed(actor): Authed) -> Result<axum::Json<Vec<PartnerKeyView>>, ApiError> {
    Ok(axum::Json(s.app.partner_keys(&actor).await?))
}
