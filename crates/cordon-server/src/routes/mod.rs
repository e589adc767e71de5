//! The API's routes, one module per area, each adding its handlers to the router.

pub mod analytics;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod coordination;
pub mod delivery;
pub mod directives;
pub mod directory;
pub mod entities;
pub mod network;
pub mod notices;
pub mod reference;
pub mod requests;
pub mod screening;
pub mod sharing;
pub mod system;
pub mod tips;
pub mod transfer;
