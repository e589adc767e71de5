//! Typed errors of the library: what was wrong with a value or a request.

use thiserror::Error;

/// Why a raw value could not be normalised; the record keeps the field as missing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NormaliseError {
    /// Nothing usable was left after removing separators.
    #[error("empty value")]
    Empty,
    /// The value has characters that cannot appear in this kind of value.
    #[error("unexpected character {0:?}")]
    BadCharacter(char),
    /// The value has a length this kind of value never has.
    #[error("{what} must have {expected}, got {got}")]
    BadLength {
        /// Which kind of value.
        what: &'static str,
        /// The lengths accepted, in words.
        expected: &'static str,
        /// The length found.
        got: usize,
    },
    /// An 11-digit Vietnamese mobile number whose 01xx prefix was never assigned.
    #[error("unknown old mobile prefix 0{0}")]
    UnknownMobilePrefix(String),
    /// A check digit does not match (IMO numbers).
    #[error("check digit does not match")]
    BadCheckDigit,
    /// A date that is not a calendar date or not in a recognised layout.
    #[error("not a date: {0}")]
    BadDate(String),
}

/// Errors from model set-up and training.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum MatchError {
    /// A probability outside (0, 1].
    #[error("probability {0} is outside (0, 1]")]
    BadProbability(f64),
    /// A comparison level that the field does not have.
    #[error("field {field} has no level {level}")]
    NoSuchLevel {
        /// The field's name.
        field: &'static str,
        /// The level asked for.
        level: usize,
    },
    /// Two records share an id, so decisions and clusters would be ambiguous.
    #[error("record id {0} appears twice")]
    DuplicateId(u64),
}
