//! What can go wrong in storage, in terms the layers above can act on.

use thiserror::Error;

/// A storage failure.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique key already exists (a duplicate id, username, reference…).
    #[error("{what} already exists")]
    Conflict {
        /// What was duplicated, e.g. `username`.
        what: &'static str,
    },
    /// A referenced row does not exist (unknown agency, unit, parent…).
    #[error("{what} does not exist")]
    MissingReference {
        /// What was missing.
        what: &'static str,
    },
    /// The record changed since the caller read it (optimistic concurrency).
    #[error("the record was changed by someone else")]
    Stale,
    /// The database URL or data directory cannot be used.
    #[error("cannot open the store: {0}")]
    Open(String),
    /// A migration already applied differs from the one in this binary, or failed.
    #[error("migration {version} ({name}): {reason}")]
    Migration {
        /// Migration version.
        version: i64,
        /// Migration name.
        name: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// Audit entries could not be written; the action they record must fail with them.
    #[error("the audit log could not be written: {0}")]
    AuditWrite(String),
    /// The audit log does not verify.
    #[error(transparent)]
    AuditBroken(#[from] cordon_core::audit::ChainBreak),
    /// A stored value could not be read back as the domain expects.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            if db.is_unique_violation() {
                return StoreError::Conflict { what: conflict_target(db.message()) };
            }
            if db.is_foreign_key_violation() {
                return StoreError::MissingReference { what: "a referenced record" };
            }
        }
        StoreError::Database(e)
    }
}

// Both databases name the violated column or constraint in the message; map it to the
// field the caller sent so that the API can say which one is taken.
fn conflict_target(message: &str) -> &'static str {
    for (needle, what) in [("username", "username"), ("agencies", "agency id"), ("units", "unit id"), ("token", "token")] {
        if message.contains(needle) {
            return what;
        }
    }
    "record"
}
