//! The commands a developer and CI run: `cargo xtask test | ci | tidy | openapi`.
fn main() {}
