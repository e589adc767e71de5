//! Inputs to the store's writes, and what some reads return beyond the core types.

use cordon_core::{AgencyKind, Language, Role, TokenKind};

/// An agency to create.
#[derive(Debug, Clone)]
pub struct NewAgency {
    /// Slug id.
    pub id: String,
    /// Kind.
    pub kind: AgencyKind,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// ISO country code.
    pub country: String,
}

/// A unit to create.
#[derive(Debug, Clone)]
pub struct NewUnit {
    /// Slug id.
    pub id: String,
    /// Owning agency.
    pub agency_id: String,
    /// Parent unit, if any.
    pub parent_id: Option<String>,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Province covered.
    pub province_code: Option<String>,
}

/// A user to create; the password arrives already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Unit.
    pub unit_id: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Whether the password is one-time.
    pub must_change_password: bool,
    /// Interface language.
    pub language: Language,
}

/// A stored token (only its hash is ever stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Owner.
    pub user_id: String,
    /// Session or API.
    pub kind: TokenKind,
    /// A label for the owner's list ("ci-import", "browser").
    pub label: String,
    /// Issue time, ms.
    pub created_at: i64,
    /// Expiry, ms.
    pub expires_at: i64,
    /// Revocation time, if revoked.
    pub revoked_at: Option<i64>,
}

/// A filter over the audit log: every given field must match.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Acting user.
    pub actor_user_id: Option<String>,
    /// Kind of object.
    pub object_type: Option<String>,
    /// Object id.
    pub object_id: Option<String>,
    /// Entries at or after, ms.
    pub since: Option<i64>,
    /// Entries before, ms.
    pub until: Option<i64>,
    /// Entries with `seq` greater than this (cursor).
    pub after_seq: Option<i64>,
    /// At most this many.
    pub limit: i64,
}
