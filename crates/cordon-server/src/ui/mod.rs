//! The web application: server-rendered HTML (maud) with one small script, served by
//! `cordon serve` itself. Pages call the same use cases as the API; a browser session
//! is the API's HttpOnly, SameSite=Strict cookie, and every form carries a CSRF token
//! derived from it.

mod i18n;
mod pages;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::AppState;

/// Strict: only this server's own script and style, no inline anything, no framing.
pub const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The UI's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/language", post(pages::language))
        .route("/cases", get(pages::case_list))
        .route("/cases/new", get(pages::new_case_form).post(pages::create_case))
        .route("/cases/{id}", get(pages::case_detail))
        .route("/cases/{id}/edit", get(pages::edit_case_form).post(pages::update_case))
        .route("/cases/{id}/access-request", post(pages::request_access))
        .route("/access-requests", get(pages::access_requests))
        .route("/access-requests/{id}/decision", post(pages::decide_access))
        .route("/audit", get(pages::audit))
        .route("/static/app.css", get(|| asset("text/css", include_str!("../../assets/app.css"))))
        .route("/static/app.js", get(|| asset("text/javascript", include_str!("../../assets/app.js"))))
}

async fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut resp = body.into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Assets are compiled into the binary: they change only with a new version.
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    resp
}
