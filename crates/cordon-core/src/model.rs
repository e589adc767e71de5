//! The records of the foundation: agencies, units, users and their tokens.

use crate::{AgencyKind, Role};

/// An agency taking part in the exchange (a national customs service, a provincial police…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    /// Stable id, a slug such as `customs-vn`.
    pub id: String,
    /// What kind of agency it is.
    pub kind: AgencyKind,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// ISO 3166-1 alpha-2 country (VN for domestic agencies).
    pub country: String,
}

/// A unit of an agency; units form a hierarchy (a provincial department and its branches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Stable id, a slug such as `customs-lang-son-huu-nghi`.
    pub id: String,
    /// The agency the unit belongs to.
    pub agency_id: String,
    /// The unit above it, if any.
    pub parent_id: Option<String>,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// The province it covers, if it is a local unit.
    pub province_code: Option<String>,
}

/// The interface language a user works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Language {
    /// Tiếng Việt (the default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Language {
    /// The BCP 47 code.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Vi => "vi",
            Language::En => "en",
        }
    }

    /// Parses `vi` or `en`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "vi" => Some(Language::Vi),
            "en" => Some(Language::En),
            _ => None,
        }
    }
}

/// A person with an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable id.
    pub id: String,
    /// Login name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// The unit the user works in.
    pub unit_id: String,
    /// The roles held.
    pub roles: Vec<Role>,
    /// Set for one-time passwords: nothing else is allowed until it is changed.
    pub must_change_password: bool,
    /// Interface language.
    pub language: Language,
    /// A disabled account cannot log in and its tokens stop working.
    pub disabled: bool,
}

/// Whether a token was issued to a browser session or to a machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A browser session (cookie); short-lived, renewed by use.
    Session,
    /// A bearer token for a machine or script.
    Api,
}

impl TokenKind {
    /// The stable code used in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Session => "session",
            TokenKind::Api => "api",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "session" => Some(TokenKind::Session),
            "api" => Some(TokenKind::Api),
            _ => None,
        }
    }
}

/// Checks an id given for an agency or unit: 2–64 characters of a–z, 0–9 and `-`.
pub fn validate_slug(field: &'static str, id: &str) -> Result<(), crate::Invalid> {
    let ok = (2..=64).contains(&id.len())
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
        && !id.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(crate::Invalid::new(field, "2 to 64 characters: lower-case letters, digits and '-'"))
    }
}
