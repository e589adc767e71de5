//! What a use case can answer instead of doing what was asked.

use cordon_core::Invalid;
use cordon_store::StoreError;
use thiserror::Error;

/// Why a use case did not do what was asked.
#[derive(Debug, Error)]
pub enum AppError {
    /// No valid credentials.
    #[error("authentication required")]
    Unauthenticated,
    /// Wrong username or password (one message for both, so usernames cannot be probed).
    #[error("wrong username or password")]
    BadCredentials,
    /// Authenticated, but not allowed.
    #[error("not allowed: {0}")]
    Forbidden(&'static str),
    /// The account has a one-time password that must be changed first.
    #[error("the password must be changed before anything else")]
    PasswordChangeRequired,
    /// Bad input, naming the field.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The thing asked for does not exist (or the caller may not know it exists).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is taken.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The record changed since the caller read it: reload and reapply.
    #[error("the record was changed by someone else since you read it; reload it and apply your change again")]
    Stale,
    /// Too many attempts; try again after the given seconds.
    #[error("too many attempts; try again in {0} s")]
    RateLimited(u64),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => AppError::Conflict(what),
            StoreError::Stale => AppError::Stale,
            StoreError::MissingReference { what } => AppError::Invalid(Invalid::new("reference", format!("{what} does not exist"))),
            other => AppError::Store(other),
        }
    }
}
