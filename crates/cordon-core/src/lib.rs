//! Cordon's domain: agencies, units, roles, reference data and the rules over them; pure, no I/O.

pub mod account;
pub mod agency;
pub mod names;
pub mod reference;
pub mod text;

pub use account::Invalid;
pub use agency::{AgencyKind, Role, RoleSet};
