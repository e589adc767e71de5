//! Rules for accounts: what a username and a password must be.

use thiserror::Error;

/// Why a value given for a field was refused; `field` names it for the person.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    /// The field at fault, as the API names it.
    pub field: &'static str,
    /// What is wrong, in words a person understands.
    pub reason: String,
}

impl Invalid {
    /// A refusal of `field` for `reason`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Invalid { field, reason: reason.into() }
    }
}

/// Shortest password accepted: long passphrases beat composition rules (NIST SP 800-63B).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, to bound the hashing cost an attacker can ask for.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a username: 3–64 characters of a–z, 0–9, `.`, `_`, `-`, starting with a letter.
pub fn validate_username(name: &str) -> Result<(), Invalid> {
    let ok_chars = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(3..=64).contains(&name.len()) || !ok_chars || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(Invalid::new("username", "3 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter"));
    }
    Ok(())
}

/// Checks a new password against the length rules and the obvious choices.
pub fn validate_password(password: &str, username: &str) -> Result<(), Invalid> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(Invalid::new("password", format!("at least {MIN_PASSWORD_CHARS} characters")));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(Invalid::new("password", format!("at most {MAX_PASSWORD_CHARS} characters")));
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err(Invalid::new("password", "must not contain the username"));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err(Invalid::new("password", "too repetitive"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        for ok in ["admin", "nguyen.van.an", "hq_lang-son1"] {
            assert!(validate_username(ok).is_ok(), "{ok}");
        }
        for bad in ["", "ab", "Admin", "1abc", "an an", "nguyễn", &"a".repeat(65)] {
            assert!(validate_username(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(validate_password("correct horse battery", "an").is_ok());
        assert!(validate_password("Mật khẩu rất dài 2026", "an").is_ok());
        assert_eq!(validate_password("short", "x").map_err(|e| e.field), Err("password"));
        assert!(validate_password("aaaaaaaaaaaaaaaa", "x").is_err());
        assert!(validate_password("my-name-is-nguyen.an!", "nguyen.an").is_err());
        assert!(validate_password(&"ab1!".repeat(100), "x").is_err());
    }
}
