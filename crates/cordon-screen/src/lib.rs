//! Listing screening: versioned rule sets compiled once, scoring, explained hits; pure, no I/O.
//!
//! Flow: [`Listing::from_json_line`] / [`Listing::from_csv_record`] → [`RuleSet::parse`]
//! (validation, line-numbered errors) → [`CompiledRuleSet::compile`] (one automaton, shared
//! behind an `Arc`) → [`CompiledRuleSet::screen_with`] → [`Screening`] with a score, a lead
//! flag and [`Hit`]s whose spans point into the original title and description.

mod fold;
mod hash;
mod listing;
mod normalise;
mod precision;
mod rules;
mod screen;

pub use listing::{Listing, ListingError, ListingProblem};
pub use normalise::{normalise_bank_account, normalise_image_hash, normalise_phone, normalise_seller, parse_price};
pub use precision::{Decision, PrecisionTracker, RuleTally};
pub use rules::{
    Direction, Entry, PriceReference, Rule, RuleError, RuleSet, RuleSetError, RuleSetVersion, RuleSpec, TermClass, WatchlistKind,
};
pub use screen::{CompiledRuleSet, Field, Hit, HitKind, Scratch, Screening, Span};
