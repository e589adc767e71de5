//! Cordon's domain: agencies, units, roles, reference data and the rules over them; pure, no I/O.

pub mod text;
