//! Cordon's analytics, pure: periods and the year-on-year rule, Tết dates, hotspot tests, seasonal profiles, forecasts and risk scores.
//!
//! Everything here takes figures the store has already counted under the sharing rule and
//! returns figures; nothing reads a clock, a file or the network.

pub mod detect;
pub mod forecast;
pub mod period;
pub mod risk;
pub mod season;
pub mod tet;

pub use period::{change_pct, same_period_last_year, Interval};
