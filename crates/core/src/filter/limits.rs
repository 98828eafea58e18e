//! What a filter may hold beyond its shape: how deep its groups nest, and values that can
//! match something.
//!
//! A filter reaches Syncer three ways: typed as a query ([`super::query::parse`]), built in the
//! rule builder (which sends the model), and loaded from storage or the cloud
//! ([`super::json`]). All three go through the checks here, so a filter one path accepts the
//! others accept too: a query the parser takes can always be stored and read back, and a model
//! the rule builder sends is refused for the same reasons, in the same words, as its text.
//!
//! - **Depth**: at most [`MAX_DEPTH`] groups inside one another. The parser, the compiler, the
//!   formatter and serde all recurse, and the stored JSON nests three levels per group, so the
//!   limit keeps the JSON far inside serde_json's recursion limit of 128 (see
//!   [`json_nesting`]).
//! - **Values that cannot match**: a number outside its field's domain (`popularity:101`), an
//!   empty range (`year:5..1`), a comparison past the domain's end (`popularity:>100`), a span
//!   of nothing (`added:<0d`), and steps that keep no track (`limit 0`, `per_artist 0`).

use super::compile::build_regex;
use super::field::{Field, NumberField};
use super::model::{CompareOp, DateOp, Filter, Limit, Node, PostSteps, Rule, TextOp};
use super::value::{DurationMs, PartialDate, RelativeSpan};
use std::fmt::Display;
use thiserror::Error;

/// The most groups a filter may nest inside one another (each `(…)`, `-x`, `NOT x`, `ANY(…)`,
/// `ALL(…)` and `NONE(…)` is one, as is the implicit group of a query with several terms).
///
/// Sixteen is far more than a person writes or reads, and small enough that the stored JSON
/// (3 levels per group, see [`json_nesting`]) stays well inside serde_json's limit of 128.
pub const MAX_DEPTH: usize = 16;

/// How deeply the stored JSON of a filter whose groups nest `depth` deep may nest: the
/// document, then three levels per group (the node object, the group object, the children
/// array), then at most four for a rule (node, rule, operator, a range's or a set's array).
pub const fn json_nesting(depth: usize) -> usize {
    1 + 3 * depth + 4
}

/// The values a number field can hold: what `popularity:101` or `position:0` is checked
/// against. `max` is `None` when only the type bounds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain {
    pub min: i64,
    pub max: Option<i64>,
}

impl NumberField {
    /// The values this field holds on every track that has it.
    pub fn domain(self) -> Domain {
        match self {
            // Spotify's popularity scores (track and artist) run from 0 to 100.
            NumberField::Popularity | NumberField::ArtistPopularity => Domain {
                min: 0,
                max: Some(100),
            },
            // A release year is a year of a PartialDate: four digits.
            NumberField::Year => Domain {
                min: 0,
                max: Some(9999),
            },
            // Numbered from 1 on every source Syncer reads (1 = the first track, disc, entry).
            NumberField::TrackNumber | NumberField::DiscNumber | NumberField::Position => {
                Domain { min: 1, max: None }
            }
        }
    }
}

/// Why a filter that reads fine is refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LimitError {
    #[error("groups nest {depth} deep, more than the {MAX_DEPTH} Syncer allows")]
    TooDeep { depth: usize },
    #[error("{value} is out of range for '{field}'")]
    OutOfDomain {
        field: Field,
        value: String,
        /// "a whole number from 0 to 100".
        domain: String,
    },
    #[error("the range {from}..{to} of '{field}' is empty: it starts after it ends")]
    EmptyRange {
        field: Field,
        from: String,
        to: String,
        /// Written `!from..to` (not in the range).
        not: bool,
    },
    #[error("'{field}:{written}' cannot match: no {field} is {side} {bound}")]
    Unreachable {
        field: Field,
        /// The operator and value as the query language writes them ("<0").
        written: String,
        /// "below" or "above".
        side: &'static str,
        /// The domain's end it goes past.
        bound: String,
    },
    #[error("'{field}:{written}' is a span of no time, which no track was added in")]
    EmptySpan { field: Field, written: String },
    #[error("'limit {written}' keeps no track")]
    ZeroLimit { written: String },
    #[error("'per_artist 0' keeps no track")]
    ZeroPerArtist,
    #[error("{0}")]
    InvalidRegex(String),
    #[error("'{written}' cannot name a playlist")]
    BadPlaylist { written: String },
}

impl LimitError {
    /// What would have been accepted instead, in the words of the query language's errors.
    pub fn expected(&self) -> String {
        match self {
            LimitError::TooDeep { .. } => format!(
                "at most {MAX_DEPTH} groups inside one another (each '(', '-', NOT, ANY(, \
                 ALL( and NONE( is one): write the query flatter"
            ),
            LimitError::OutOfDomain { domain, .. } => domain.clone(),
            LimitError::EmptyRange { .. } => "a range from the smaller value to the larger".into(),
            LimitError::Unreachable { .. } => "a value some track can have".into(),
            LimitError::EmptySpan { .. } => "a span of at least 1, like 30d".into(),
            LimitError::ZeroLimit { .. } => {
                "a limit of at least 1 track or 0:01, or no limit at all".into()
            }
            LimitError::ZeroPerArtist => "at least 1 track per artist, or no cap at all".into(),
            LimitError::InvalidRegex(_) => "a valid regular expression".into(),
            LimitError::BadPlaylist { .. } => format!(
                "a playlist's name or id: 1 to {MAX_PLAYLIST_REF} characters, no control \
                 characters"
            ),
        }
    }

    /// The likely intended text, when there is one (the range the right way round).
    pub fn suggestion(&self) -> Option<String> {
        match self {
            LimitError::EmptyRange {
                field,
                from,
                to,
                not,
            } => {
                let bang = if *not { "!" } else { "" };
                Some(format!("{field}:{bang}{to}..{from}"))
            }
            _ => None,
        }
    }
}

/// Every check on a whole filter: depth, every rule, every step. What the JSON decoder and the
/// rule builder's path run; the parser runs the same pieces as it reads, to point at a column.
pub fn validate(filter: &Filter) -> Result<(), LimitError> {
    let depth = depth(&filter.root);
    if depth > MAX_DEPTH {
        return Err(LimitError::TooDeep { depth });
    }
    check_node(&filter.root)?;
    check_post(&filter.post)
}

/// How many groups nest inside one another at the deepest point (a lone rule is 0).
pub fn depth(node: &Node) -> usize {
    match node {
        Node::Rule(_) => 0,
        Node::Group(g) => 1 + g.children.iter().map(depth).max().unwrap_or(0),
    }
}

fn check_node(node: &Node) -> Result<(), LimitError> {
    match node {
        Node::Rule(rule) => check_rule(rule),
        Node::Group(g) => g.children.iter().try_for_each(check_node),
    }
}

/// One rule: its values within its field's domain, its ranges not empty, its regex valid.
pub fn check_rule(rule: &Rule) -> Result<(), LimitError> {
    match rule {
        Rule::Number { field, op } => {
            let domain = field.domain();
            check_compare(field.field(), op, domain.min, domain.max, || {
                match domain.max {
                    Some(max) => format!("a whole number from {} to {max}", domain.min),
                    None => format!("a whole number of at least {}", domain.min),
                }
            })
        }
        // A length is never negative; it has no upper end but the type's.
        Rule::Duration { field, op } => {
            check_compare(field.field(), op, DurationMs(0), None, || {
                "a length of at least 0:00".into()
            })
        }
        Rule::Date { field, op } => check_date(field.field(), op),
        Rule::Text { op, exact, .. } | Rule::List { op, exact, .. } => check_text(op, *exact),
        Rule::Bool { .. } => Ok(()),
        Rule::Playlist { playlist, .. } => check_playlist_ref(playlist),
    }
}

/// Longer than any playlist name a service allows (Spotify: 100 characters) or any id.
const MAX_PLAYLIST_REF: usize = 200;

fn check_playlist_ref(playlist: &str) -> Result<(), LimitError> {
    let length = playlist.trim().chars().count();
    if length == 0 || length > MAX_PLAYLIST_REF || playlist.chars().any(char::is_control) {
        return Err(LimitError::BadPlaylist {
            written: playlist.chars().take(40).collect(),
        });
    }
    Ok(())
}

fn check_text(op: &TextOp, exact: bool) -> Result<(), LimitError> {
    match op {
        TextOp::Matches(pattern) => build_regex(pattern, exact)
            .map(drop)
            .map_err(|e| LimitError::InvalidRegex(e.to_string())),
        _ => Ok(()),
    }
}

/// A comparison against a domain `min ..= max` (`max` `None`: unbounded).
fn check_compare<T: Copy + Ord + Display>(
    field: Field,
    op: &CompareOp<T>,
    min: T,
    max: Option<T>,
    domain: impl Fn() -> String,
) -> Result<(), LimitError> {
    let within = |v: T| {
        if v < min || max.is_some_and(|max| v > max) {
            Err(LimitError::OutOfDomain {
                field,
                value: v.to_string(),
                domain: domain(),
            })
        } else {
            Ok(())
        }
    };
    let unreachable = |written: String, side: &'static str, bound: T| LimitError::Unreachable {
        field,
        written,
        side,
        bound: bound.to_string(),
    };
    match *op {
        CompareOp::Eq(v) | CompareOp::Ne(v) | CompareOp::Le(v) | CompareOp::Ge(v) => within(v),
        CompareOp::Lt(v) => {
            within(v)?;
            if v == min {
                return Err(unreachable(format!("<{v}"), "below", min));
            }
            Ok(())
        }
        CompareOp::Gt(v) => {
            within(v)?;
            match max {
                Some(max) if v == max => Err(unreachable(format!(">{v}"), "above", max)),
                _ => Ok(()),
            }
        }
        CompareOp::InRange(a, b) | CompareOp::NotInRange(a, b) => {
            within(a)?;
            within(b)?;
            if a > b {
                return Err(LimitError::EmptyRange {
                    field,
                    from: a.to_string(),
                    to: b.to_string(),
                    not: matches!(op, CompareOp::NotInRange(..)),
                });
            }
            Ok(())
        }
    }
}

/// The first and the last day any date can be: what [`PartialDate`] can hold.
fn date_bounds() -> Option<(PartialDate, PartialDate)> {
    Some((
        PartialDate::ymd(0, 1, 1).ok()?,
        PartialDate::ymd(9999, 12, 31).ok()?,
    ))
}

fn check_date(field: Field, op: &DateOp) -> Result<(), LimitError> {
    // Compared as calendar intervals, in UTC: emptiness does not depend on the time zone.
    let start = |d: &PartialDate| d.interval(&crate::calendar::TimeZone::UTC).start;
    let end = |d: &PartialDate| d.interval(&crate::calendar::TimeZone::UTC).end;
    match op {
        DateOp::InRange(a, b) if start(a) > end(b) => Err(LimitError::EmptyRange {
            field,
            from: a.to_string(),
            to: b.to_string(),
            not: false,
        }),
        DateOp::Before(d) => match date_bounds() {
            Some((first, _)) if start(d) <= start(&first) => Err(LimitError::Unreachable {
                field,
                written: format!("<{d}"),
                side: "before",
                bound: first.to_string(),
            }),
            _ => Ok(()),
        },
        DateOp::After(d) => match date_bounds() {
            Some((_, last)) if end(d) >= end(&last) => Err(LimitError::Unreachable {
                field,
                written: format!(">{d}"),
                side: "after",
                bound: last.to_string(),
            }),
            _ => Ok(()),
        },
        DateOp::InTheLast(span) | DateOp::NotInTheLast(span) => check_span(field, op, *span),
        DateOp::Is(_) | DateOp::InRange(..) => Ok(()),
    }
}

fn check_span(field: Field, op: &DateOp, span: RelativeSpan) -> Result<(), LimitError> {
    if span.amount == 0 {
        let sign = if matches!(op, DateOp::InTheLast(_)) {
            "<"
        } else {
            ">"
        };
        return Err(LimitError::EmptySpan {
            field,
            written: format!("{sign}{span}"),
        });
    }
    Ok(())
}

/// The steps: a cap or a limit that keeps nothing is refused.
pub fn check_post(post: &PostSteps) -> Result<(), LimitError> {
    if let Some(per_artist) = post.per_artist {
        check_per_artist(per_artist)?;
    }
    if let Some(limit) = post.limit {
        check_limit(limit)?;
    }
    Ok(())
}

pub fn check_per_artist(per_artist: u32) -> Result<(), LimitError> {
    if per_artist == 0 {
        return Err(LimitError::ZeroPerArtist);
    }
    Ok(())
}

pub fn check_limit(limit: Limit) -> Result<(), LimitError> {
    match limit {
        Limit::Tracks(0) => Err(LimitError::ZeroLimit {
            written: "0".into(),
        }),
        Limit::Duration(DurationMs(0)) => Err(LimitError::ZeroLimit {
            written: DurationMs(0).to_string(),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::model::{Group, GroupMode};
    use crate::filter::{BoolField, DateField, DurationField, to_json_value};

    fn number(field: NumberField, op: CompareOp<i64>) -> Rule {
        Rule::Number { field, op }
    }

    /// A rule under `depth` groups, each holding only the next.
    fn chain(depth: usize) -> Filter {
        let mut node = Node::Rule(number(NumberField::Year, CompareOp::InRange(1990, 2000)));
        for _ in 0..depth {
            node = Node::Group(Group::new(GroupMode::None, vec![node]));
        }
        Filter {
            root: node,
            post: PostSteps::default(),
        }
    }

    fn json_levels(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::Array(items) => 1 + items.iter().map(json_levels).max().unwrap_or(0),
            serde_json::Value::Object(map) => 1 + map.values().map(json_levels).max().unwrap_or(0),
            _ => 0,
        }
    }

    #[test]
    fn the_json_nests_three_levels_per_group_and_stays_far_inside_serde_json_s_limit() {
        for depth in [0, 1, 2, 7, MAX_DEPTH] {
            let levels = json_levels(&to_json_value(&chain(depth)));
            assert_eq!(levels, json_nesting(depth), "depth {depth}");
        }
        // serde_json refuses more than 128 levels; the deepest filter allowed uses under half.
        assert!(json_nesting(MAX_DEPTH) * 2 < 128);
    }

    #[test]
    fn depth_counts_groups_and_is_refused_past_the_maximum() {
        assert_eq!(depth(&chain(0).root), 0);
        assert_eq!(depth(&Filter::default().root), 1);
        assert_eq!(validate(&chain(MAX_DEPTH)), Ok(()));
        assert_eq!(
            validate(&chain(MAX_DEPTH + 1)),
            Err(LimitError::TooDeep {
                depth: MAX_DEPTH + 1
            })
        );
    }

    #[test]
    fn numbers_outside_their_domain_or_in_empty_ranges_are_refused() {
        let refused = [
            number(NumberField::Popularity, CompareOp::Eq(101)),
            number(NumberField::Popularity, CompareOp::Gt(100)),
            number(NumberField::Popularity, CompareOp::Lt(0)),
            number(NumberField::ArtistPopularity, CompareOp::Ge(-1)),
            number(NumberField::Year, CompareOp::InRange(5, 1)),
            number(NumberField::Year, CompareOp::NotInRange(2020, 2010)),
            number(NumberField::Year, CompareOp::Eq(10_000)),
            number(NumberField::Position, CompareOp::Eq(0)),
            number(NumberField::TrackNumber, CompareOp::Lt(1)),
            number(NumberField::DiscNumber, CompareOp::Ne(-3)),
            Rule::Duration {
                field: DurationField::Duration,
                op: CompareOp::Lt(DurationMs(0)),
            },
            Rule::Duration {
                field: DurationField::Duration,
                op: CompareOp::InRange(DurationMs(5000), DurationMs(4000)),
            },
        ];
        for rule in refused {
            assert!(check_rule(&rule).is_err(), "{rule:?}");
        }
        let accepted = [
            number(NumberField::Popularity, CompareOp::Eq(100)),
            number(NumberField::Popularity, CompareOp::Le(0)),
            number(NumberField::Popularity, CompareOp::Lt(1)),
            number(NumberField::Year, CompareOp::InRange(2000, 2000)),
            number(NumberField::Position, CompareOp::Gt(1_000_000)),
            Rule::Duration {
                field: DurationField::Duration,
                op: CompareOp::Le(DurationMs(0)),
            },
            Rule::Bool {
                field: BoolField::Explicit,
                value: false,
            },
        ];
        for rule in accepted {
            assert_eq!(check_rule(&rule), Ok(()), "{rule:?}");
        }
    }

    #[test]
    fn dates_that_no_day_satisfies_are_refused() {
        let d = |s: &str| PartialDate::parse(s).unwrap();
        let date = |op| Rule::Date {
            field: DateField::Release,
            op,
        };
        assert!(check_rule(&date(DateOp::InRange(d("2020"), d("2010")))).is_err());
        assert!(check_rule(&date(DateOp::InRange(d("2015-07"), d("2015-06-30")))).is_err());
        assert!(check_rule(&date(DateOp::Before(d("0000")))).is_err());
        assert!(check_rule(&date(DateOp::After(d("9999-12")))).is_err());
        // A range inside one coarse date is fine: 2015-06 ends within 2015.
        assert_eq!(
            check_rule(&date(DateOp::InRange(d("2015-06"), d("2015")))),
            Ok(())
        );
        assert_eq!(check_rule(&date(DateOp::Before(d("0000-01-02")))), Ok(()));
    }

    #[test]
    fn steps_that_keep_nothing_are_refused() {
        assert_eq!(check_limit(Limit::Tracks(1)), Ok(()));
        assert!(check_limit(Limit::Tracks(0)).is_err());
        assert!(check_limit(Limit::Duration(DurationMs(0))).is_err());
        assert!(check_per_artist(0).is_err());
        assert_eq!(check_per_artist(1), Ok(()));
    }

    #[test]
    fn an_empty_range_suggests_itself_the_right_way_round() {
        let err = check_rule(&number(NumberField::Year, CompareOp::InRange(5, 1))).unwrap_err();
        assert_eq!(err.suggestion().as_deref(), Some("year:1..5"));
        assert_eq!(
            err.to_string(),
            "the range 5..1 of 'year' is empty: it starts after it ends"
        );
    }
}
