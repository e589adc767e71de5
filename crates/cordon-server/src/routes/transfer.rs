//! Bulk import and export over HTTP: the same formats and rules as `cordon import` and
//! `cordon export`, one request being one all-or-nothing batch.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::{CaseQuery, ImportReport};
use cordon_transfer::{ExportFormat, ImportFormat, Mapping, Rows};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::Authed;
use crate::problem::{ApiError, Query};
use crate::routes::cases::CaseParams;
use crate::AppState;

/// Largest import body: a batch for one transaction. Larger files go through `cordon import`.
const MAX_IMPORT_BYTES: usize = 64 << 20;

/// Most rows one request imports.
const MAX_IMPORT_ROWS: usize = 20_000;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.merge(OpenApiRouter::new().routes(routes!(import_cases)).layer(axum::extract::DefaultBodyLimit::max(MAX_IMPORT_BYTES)))
        .routes(routes!(export_cases))
}

/// How the body is to be read.
#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    /// `csv`, `xlsx` or `ndjson`.
    format: String,
    /// Check every row and report; write nothing.
    #[serde(default)]
    dry_run: bool,
    /// Column mapping as TOML (see `cordon import`); without it, columns are named after the fields.
    mapping: Option<String>,
}

fn file_problem(detail: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", "The file cannot be imported", detail)
}

/// Imports cases from a CSV, XLSX or NDJSON body as the caller (their unit records them).
/// Every row is checked first; if any is refused, the answer is 422 with every refused row
/// and its line, and nothing is written. Rows whose external reference is already recorded
/// are skipped, so a repeated import changes nothing.
#[utoipa::path(post, path = "/api/v1/imports", tag = "transfer", params(ImportParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Dry run: what would be imported", body = ImportReport),
        (status = 201, description = "Imported", body = ImportReport),
        (status = 403, body = crate::problem::Problem), (status = 413, body = crate::problem::Problem),
        (status = 422, description = "Refused rows, by line; nothing written", body = crate::problem::Problem)))]
async fn import_cases(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<ImportParams>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    s.app.check_importer(&actor)?;
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Payload too large",
                format!("An import is at most {} MiB; split the file or use `cordon import`.", MAX_IMPORT_BYTES >> 20),
            )
        } else {
            ApiError::bad_input(r.body_text(), None)
        }
    })?;
    let format = ImportFormat::from_name(&p.format)
        .ok_or_else(|| ApiError::bad_input(format!("format {:?}: use csv, xlsx or ndjson", p.format), Some("format".into())))?;
    let mapping = p.mapping.as_deref().map(Mapping::parse).transpose().map_err(|e| file_problem(e.to_string()))?;
    // Parsing a large file is CPU work: keep it off the threads that answer requests.
    let parsed = tokio::task::spawn_blocking(move || cordon_transfer::read_rows(format, &body[..], mapping.as_ref()))
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "The import was interrupted."))?;
    let Rows { rows, mut problems } = parsed.map_err(|e| file_problem(e.to_string()))?;
    if rows.len() + problems.len() > MAX_IMPORT_ROWS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_rows",
            "Too many rows",
            format!("An import over the API is at most {MAX_IMPORT_ROWS} rows; split the file or use `cordon import`."),
        ));
    }
    let total = rows.len() + problems.len();
    let check = s.app.import_cases(&actor, &rows, true).await?;
    problems.extend(check.problems.iter().cloned());
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        let body = json!({
            "type": "urn:cordon:problem:invalid_rows",
            "title": "Rows refused",
            "status": 422,
            "detail": format!("{} of {total} rows refused; nothing was imported", problems.len()),
            "code": "invalid_rows",
            "problems": problems,
        });
        let mut resp = (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        return Ok(resp);
    }
    if p.dry_run {
        return Ok((StatusCode::OK, axum::Json(check)).into_response());
    }
    let report = s.app.import_cases(&actor, &rows, false).await?;
    s.app.flush_index()?;
    Ok((StatusCode::CREATED, axum::Json(report)).into_response())
}

/// What to export (the filters are the case list's).
#[derive(Deserialize, IntoParams)]
pub struct ExportParams {
    /// `csv`, `xlsx`, `ndjson` or `ftm` (FollowTheMoney entities).
    format: String,
}

/// Exports the cases the caller may see that match the filters, as a file (audited, with
/// the ids it gave). Other agencies' cases marked H2 (no onward sharing) stay out.
#[utoipa::path(get, path = "/api/v1/exports", tag = "transfer", params(ExportParams, CaseParams),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 400, body = crate::problem::Problem),
        (status = 422, body = crate::problem::Problem)))]
async fn export_cases(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Query(p): Query<ExportParams>,
    Query(filters): Query<CaseParams>,
) -> Result<Response, ApiError> {
    let format = ExportFormat::from_name(&p.format)
        .ok_or_else(|| ApiError::bad_input(format!("format {:?}: use csv, xlsx, ndjson or ftm", p.format), Some("format".into())))?;
    // An export is every matching case, not a page of them.
    let q = CaseQuery { cursor: None, limit: None, ..filters.into() };
    let cases = s.app.export_cases(&actor, q).await?;
    let mut bytes = Vec::new();
    cordon_transfer::write_cases(format, &cases, &mut bytes)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", e.to_string()))?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.media_type()));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"cordon-cases.{}\"", format.extension())) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
