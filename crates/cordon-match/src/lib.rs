//! Entity resolution: normalisers, blocking, Fellegi–Sunter scoring with EM, clustering, explanations; pure, no I/O.

pub mod compare;
pub mod error;
pub mod normalise;
pub mod record;
pub mod similarity;

pub use compare::{compare, Agreement, ComparisonVector, MISSING};
pub use error::{MatchError, NormaliseError};
pub use record::{EntityKind, Field, PreparedRecord, Record, RecordId, FIELD_COUNT};
