//! Cordon's domain: agencies, units, roles, reference data and the rules over them; pure, no I/O.

pub mod access;
pub mod account;
pub mod agency;
pub mod audit;
pub mod case;
pub mod coordination;
pub mod delivery;
pub mod directive;
pub mod duty;
pub mod entity_match;
pub mod jurisdiction;
pub mod lead;
pub mod model;
pub mod names;
pub mod notice;
pub mod reference;
pub mod request;
pub mod sharing;
pub mod text;
pub mod time;
pub mod tip;

pub use account::Invalid;
pub use agency::{AgencyKind, Role, RoleSet};
pub use model::{Agency, Language, TokenKind, Unit, User};
