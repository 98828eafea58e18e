//! The query language: a one-line text form of a whole filter, for power users and the CLI.
//!
//! ```text
//! genre:"indie rock" year:2015..2020 -explicit (artist:radiohead OR artist:"thom yorke")
//!     added:<30d duration:<4:30 | limit 50 by -added
//! ```
//!
//! It expresses exactly what the rule model does: [`parse`] reads any query into a
//! [`Filter`](crate::filter::Filter), [`format`] writes any filter as canonical text, and
//! `parse(format(f)) == f`. The reference, with the grammar and examples, is
//! docs/query-language.md.

mod error;
mod format;
mod lexer;
mod literal;
mod parser;

pub use error::{ParseError, ParseErrorKind, did_you_mean};
pub use format::{format, format_rule};
pub use parser::parse;
