//! Listing screening: versioned rule sets compiled once, scoring, explained hits; pure, no I/O.
