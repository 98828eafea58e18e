//! Syncer's domain: the types every other crate speaks, the filter language, and (later) the
//! sync planner and engine. This crate does no I/O: providers and storage are traits that other
//! crates implement, so everything here is testable with plain values.

pub mod calendar;
pub mod capabilities;
pub mod engine;
pub mod filter;
pub mod ids;
pub mod jobs;
pub mod label;
pub mod metadata;
pub mod provider;
pub mod token;
