//! Parse errors that say where, what was expected, and how to fix a typo.

use crate::filter::limits::LimitError;
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// The category of a parse error, for the UI to pick an icon or a help link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum ParseErrorKind {
    UnknownField,
    UnknownModifier,
    UnknownOperator,
    UnknownUnit,
    UnknownSortKey,
    UnknownStep,
    InvalidValue,
    InvalidRegex,
    UnexpectedToken,
    UnexpectedEnd,
    UnterminatedString,
    Duplicate,
    TooDeep,
}

/// A query that could not be read: where (1-based column, in characters), what went wrong,
/// what would have been accepted there, and a likely fix when the input looks like a typo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ParseError {
    pub column: usize,
    pub kind: ParseErrorKind,
    /// What was found, e.g. "unknown field 'gnre'".
    pub message: String,
    /// What would have been accepted, e.g. "a field name such as title, artist or genre".
    pub expected: String,
    /// The likely intended word, e.g. "genre".
    pub suggestion: Option<String>,
}

impl ParseError {
    pub(crate) fn new(
        column: usize,
        kind: ParseErrorKind,
        message: impl Into<String>,
        expected: impl Into<String>,
    ) -> ParseError {
        ParseError {
            column,
            kind,
            message: message.into(),
            expected: expected.into(),
            suggestion: None,
        }
    }

    /// A value or a nesting the limits refuse ([`LimitError`]), at the column it starts.
    pub(crate) fn refused(column: usize, error: &LimitError) -> ParseError {
        let kind = match error {
            LimitError::TooDeep { .. } => ParseErrorKind::TooDeep,
            LimitError::InvalidRegex(_) => ParseErrorKind::InvalidRegex,
            _ => ParseErrorKind::InvalidValue,
        };
        ParseError::new(column, kind, error.to_string(), error.expected())
            .suggest(error.suggestion())
    }

    pub(crate) fn suggest(mut self, suggestion: Option<String>) -> ParseError {
        self.suggestion = suggestion;
        self
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at column {}", self.message, self.column)?;
        match &self.suggestion {
            Some(s) => write!(f, " — did you mean '{s}'?"),
            None => write!(f, " — expected {}", self.expected),
        }
    }
}

impl std::error::Error for ParseError {}

/// The candidate closest to `word` by edit distance, if close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Option<String> {
    let word = word.to_lowercase();
    let len = word.chars().count();
    // One letter is too little to guess from; longer words may carry more typos.
    let limit = match len {
        0 | 1 => return None,
        2 => 1,
        3..=5 => 2,
        _ => 3,
    };
    candidates
        .into_iter()
        .filter_map(|(spelling, canonical)| {
            let d = strsim::damerau_levenshtein(&word, spelling);
            // A word cut short ("-ad" for "-added") is a typo too.
            let d = if spelling.starts_with(&word) {
                d.min(1)
            } else {
                d
            };
            (d <= limit).then_some((d, canonical))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, canonical)| canonical.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let c = [("genre", "genre"), ("title", "title"), ("genres", "genre")];
        assert_eq!(did_you_mean("gnre", c), Some("genre".into()));
        assert_eq!(did_you_mean("TITEL", c), Some("title".into()));
        assert_eq!(did_you_mean("zzzzzz", c), None);
    }

    #[test]
    fn display_names_column_and_fix() {
        let e = ParseError::new(
            1,
            ParseErrorKind::UnknownField,
            "unknown field 'gnre'",
            "a field",
        )
        .suggest(Some("genre".into()));
        assert_eq!(
            e.to_string(),
            "unknown field 'gnre' at column 1 — did you mean 'genre'?"
        );
        let e = ParseError::new(7, ParseErrorKind::UnexpectedEnd, "the query ends", "')'");
        assert_eq!(e.to_string(), "the query ends at column 7 — expected ')'");
    }
}
