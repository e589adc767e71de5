//! RFC 9457 problem details: every error the API gives, with a stable code and a
//! message a person understands.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cordon_app::AppError;
use cordon_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem+json body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:cordon:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened, for a person.
    pub detail: String,
    /// Stable machine code, e.g. `invalid_input`.
    pub code: &'static str,
    /// The field at fault, for input errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An error answered as problem+json.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
    field: Option<String>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// A problem with the given status, code, title and detail.
    pub fn new(status: StatusCode, code: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, title, detail: detail.into(), field: None, retry_after: None }
    }

    /// 401: credentials missing or no longer valid.
    pub fn unauthenticated() -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required", "Sign in, or send a valid bearer token.")
    }

    /// 404 for a route that does not exist.
    pub fn no_route() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found", "There is no such resource.")
    }

    /// 400 for malformed input, naming the field if known.
    pub fn bad_input(detail: impl Into<String>, field: Option<String>) -> Self {
        ApiError { field, ..ApiError::new(StatusCode::BAD_REQUEST, "invalid_input", "Invalid input", detail) }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let detail = e.to_string();
        match e {
            AppError::Unauthenticated => ApiError::unauthenticated(),
            AppError::BadCredentials => ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "Wrong username or password", detail),
            AppError::Forbidden(_) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail),
            AppError::PasswordChangeRequired => {
                ApiError::new(StatusCode::FORBIDDEN, "password_change_required", "Password change required", detail)
            }
            AppError::Invalid(i) => ApiError {
                field: Some(i.field.to_string()),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", "Invalid input", detail)
            },
            AppError::NotFound(_) => ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found", detail),
            AppError::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", "Already exists", detail),
            AppError::Stale => ApiError::new(StatusCode::PRECONDITION_FAILED, "stale", "Changed by someone else", detail),
            AppError::RateLimited(secs) => ApiError {
                retry_after: Some(secs),
                ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "Too many attempts", detail)
            },
            AppError::Store(StoreError::Open(_) | StoreError::Database(_) | StoreError::AuditWrite(_)) => {
                tracing::error!(error = %detail, "store failure");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "Storage unavailable",
                    "The store could not complete the request; nothing was changed. Try again.",
                )
            }
            AppError::Store(_) => {
                tracing::error!(error = %detail, "store failure");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "The request failed; nothing was changed.")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("urn:cordon:problem:{}", self.code),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code,
            field: self.field,
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        resp
    }
}

/// A JSON body whose rejections are problems, not plain text.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported media type",
            "Send the body as JSON with Content-Type: application/json.",
        ),
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_input(format!("The body is not valid JSON: {}", e.body_text()), None),
        JsonRejection::JsonDataError(e) => {
            ApiError::bad_input(format!("The body does not have the expected fields: {}", e.body_text()), None)
        }
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "Payload too large", "The body exceeds the size limit.")
        }
        other => ApiError::bad_input(other.body_text(), None),
    }
}

/// A query string whose rejections are problems.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::bad_input(format!("Bad query parameters: {}", e.body_text()), None))
            }
            Err(other) => Err(ApiError::bad_input(other.body_text(), None)),
        }
    }
}
