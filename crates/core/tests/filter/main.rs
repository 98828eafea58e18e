//! Filter tests: evaluation of every operator family (with unknowns and diacritics), post-steps,
//! routing, the JSON form and its older versions, the query language and its round trip.

mod eval;
mod json;
mod post;
mod query;
mod roundtrip;
mod routing;
mod support;
