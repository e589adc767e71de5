//! Login, logout, the caller's own account, password change and API tokens.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::{Login, SESSION_IDLE_MS};
use cordon_core::TokenKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::directory::UserView;
use crate::extract::{Authed, ClientAddr, SESSION_COOKIE};
use crate::problem::{ApiError, Json};
use crate::AppState;

pub fn add(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(login)).routes(routes!(logout)).routes(routes!(me)).routes(routes!(change_password)).routes(routes!(create_token))
}

/// Credentials.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    username: String,
    /// Password.
    password: String,
    /// `session` (browser: an HttpOnly cookie is set too) or `token` (machine); default `token`.
    #[serde(default)]
    kind: Option<String>,
}

/// A token and whom it is for.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// The bearer secret: shown once, never stored in clear.
    token: String,
    /// Expiry, milliseconds since the Unix epoch.
    expires_at: i64,
    /// The account.
    user: UserView,
}

/// Signs in; answers a bearer token and, for `kind = session`, sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::problem::Problem), (status = 429, body = crate::problem::Problem)))]
async fn login(State(s): State<AppState>, ClientAddr(address): ClientAddr, Json(req): Json<LoginRequest>) -> Result<Response, ApiError> {
    let kind = match req.kind.as_deref() {
        None | Some("token") => TokenKind::Api,
        Some("session") => TokenKind::Session,
        Some(_) => return Err(ApiError::bad_input("kind must be \"session\" or \"token\".", Some("kind".into()))),
    };
    let out = s.app.login(Login { username: req.username, password: req.password, address, kind }).await?;
    let body = TokenResponse { token: out.token.clone(), expires_at: out.expires_at, user: UserView::from(&out.user) };
    let mut resp = axum::Json(body).into_response();
    if kind == TokenKind::Session {
        let secure = if s.options.secure_cookies { "; Secure" } else { "" };
        let cookie =
            format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}", out.token, SESSION_IDLE_MS / 1000);
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(resp)
}

/// Ends the session (or revokes the bearer token used) and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 401, body = crate::problem::Problem)))]
async fn logout(State(s): State<AppState>, Authed(actor): Authed) -> Result<Response, ApiError> {
    s.app.logout(&actor).await?;
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    let mut resp = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(resp)
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = []), ("session" = [])),
    responses((status = 200, body = UserView), (status = 401, body = crate::problem::Problem)))]
async fn me(Authed(actor): Authed) -> axum::Json<UserView> {
    axum::Json(UserView::from(&actor.user))
}

/// A password change.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in force.
    current_password: String,
    /// The new one: at least 12 characters, not containing the username.
    new_password: String,
}

/// Changes the caller's password; every other session and token of theirs is revoked.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange, security(("bearer" = []), ("session" = [])),
    responses((status = 204), (status = 401, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
async fn change_password(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(req): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    s.app.change_password(&actor, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An API token request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Whose token (administrators may name another user); default the caller.
    #[serde(default)]
    username: Option<String>,
    /// What the token is for.
    label: String,
    /// Validity in days, 1–366; default 90.
    #[serde(default)]
    days: Option<i64>,
}

/// Issues an API token.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = TokenRequest, security(("bearer" = []), ("session" = [])),
    responses((status = 201, body = TokenResponse), (status = 401, body = crate::problem::Problem), (status = 403, body = crate::problem::Problem)))]
async fn create_token(
    State(s): State<AppState>,
    Authed(actor): Authed,
    Json(req): Json<TokenRequest>,
) -> Result<(StatusCode, axum::Json<TokenResponse>), ApiError> {
    let username = req.username.unwrap_or_else(|| actor.user.username.clone());
    let out = s.app.create_api_token(&actor, &username, &req.label, req.days).await?;
    Ok((StatusCode::CREATED, axum::Json(TokenResponse { token: out.token, expires_at: out.expires_at, user: UserView::from(&out.user) })))
}
