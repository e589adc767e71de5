//! Extractors: who is calling (bearer token or session cookie) and from where.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use cordon_app::Actor;

use crate::problem::ApiError;
use crate::AppState;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "cordon_session";

/// The authenticated caller. Rejects with 401 problem+json when there is none.
#[derive(Debug, Clone)]
pub struct Authed(pub Actor);

fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let (token, by_cookie) = match (bearer(parts), session_cookie(parts)) {
            (Some(t), _) => (t.to_string(), false),
            (None, Some(c)) => (c.to_string(), true),
            (None, None) => return Err(ApiError::unauthenticated()),
        };
        // A cookie rides along on cross-site requests; SameSite=Strict stops most of them,
        // and refusing a foreign Origin on unsafe methods stops the rest.
        if by_cookie && !matches!(parts.method, Method::GET | Method::HEAD) && !same_origin(parts) {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "csrf", "Cross-site request refused", "The request came from another site."));
        }
        let actor = state.app.authenticate(&token).await?;
        Ok(Authed(actor))
    }
}

/// Whether an unsafe request comes from this site (no Origin, or one naming our Host).
pub(crate) fn same_origin(parts: &Parts) -> bool {
    let Some(origin) = parts.headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        // Browsers send Origin on every cross-site unsafe request; its absence means same-site or a non-browser client.
        return true;
    };
    let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    origin.split_once("://").map(|(_, h)| h) == Some(host)
}

/// The client's address, for rate limiting and audit.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string());
        Ok(ClientAddr(addr))
    }
}
