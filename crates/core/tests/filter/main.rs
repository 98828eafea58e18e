//! Filter tests: evaluation of every operator family (with unknowns and diacritics), post-steps,
//! routing, the JSON form and its older versions, the query language and its round trip.

// Test helpers outside #[test] functions are still test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod eval;
mod json;
mod post;
mod query;
mod roundtrip;
mod routing;
mod strategies;
mod support;
