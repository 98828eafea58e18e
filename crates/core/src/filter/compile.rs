//! Compiling a filter once and evaluating it over many prepared tracks.
//!
//! Compilation folds every text value, builds regular expressions and finders, turns dates
//! into intervals of seconds (relative spans against the "now" the caller passes), and orders
//! each group's children cheapest first. Reordering is safe because Kleene `and`/`or` are
//! commutative and rules have no side effects; it lets the common case stop before a regex.
//!
//! Three-valued rules (see [`super::truth`]): a rule on an unknown field is Unknown whatever
//! its operator, including the negative ones (`is not`, `does not contain`, `not in range`).
//! On lists, `any of` is True as soon as one known element matches, `none of` is False as soon
//! as one does; otherwise a list that may hold more elements than we know (a genre source
//! missing) gives Unknown. `all of` needs at least one element: it is False on a known empty
//! list. A date known only to the year or month is an interval: a rule it satisfies for every
//! day in it is True, for none False, otherwise Unknown.

use super::field::{BoolField, DateField, ListField, NumberField, TextField};
use super::library::{Library, Membership};
use super::model::{
    CompareOp, DateOp, Filter, GroupMode, Node, PostSteps, Quantifier, Rule, TextOp,
};
use super::normalize::{fold, strip_marks};
use super::track::{PreparedList, PreparedTrack};
use super::truth::Truth;
use super::value::{Interval, Timestamp};
use crate::calendar::TimeZone;
use crate::ids::TrackId;
use memchr::memmem::Finder;
use regex::{Regex, RegexBuilder};
use std::collections::HashSet;
use std::sync::Arc;
use thiserror::Error;

/// What evaluation needs from outside: the current time, the user's calendar, and the lists
/// of the library that `liked` and `in:` rules read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalContext {
    pub now: Timestamp,
    /// The user's time zone, so "release:<2024-01-01" means local midnight and "the last 30
    /// days" are calendar days there.
    pub zone: TimeZone,
    /// Shared, not copied: a 10,000-track Liked Songs set is compiled into every child.
    pub library: Arc<Library>,
}

impl EvalContext {
    pub fn utc(now: Timestamp) -> EvalContext {
        EvalContext::in_zone(now, TimeZone::UTC)
    }

    pub fn in_zone(now: Timestamp, zone: TimeZone) -> EvalContext {
        EvalContext {
            now,
            zone,
            library: Arc::default(),
        }
    }

    pub fn with_library(mut self, library: Arc<Library>) -> EvalContext {
        self.library = library;
        self
    }
}

/// Why a filter could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CompileError {
    #[error("the regular expression `{pattern}` is not valid: {message}")]
    InvalidRegex { pattern: String, message: String },
    /// An `in:`/`liked` rule names a list that could not be read; the child waits rather than
    /// running without the rule (which could add what the user excluded).
    #[error("{list}: {reason}")]
    MissingList { list: String, reason: String },
}

/// Regular expressions bigger than this are refused: a filter is user input.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Builds the regex a `matches` rule runs. Forgiving rules match the folded text
/// case-insensitively, with the pattern's own accents dropped.
pub fn build_regex(pattern: &str, exact: bool) -> Result<Regex, CompileError> {
    let source = if exact {
        pattern.to_owned()
    } else {
        strip_marks(pattern)
    };
    RegexBuilder::new(&source)
        .case_insensitive(!exact)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| CompileError::InvalidRegex {
            pattern: pattern.to_owned(),
            message: e.to_string(),
        })
}

/// A filter ready to run: build once per sync, run over every track.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    root: CNode,
    post: PostSteps,
    rule_count: usize,
}

/// Which tracks a filter took, and which it could not decide.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matches {
    /// Indices (into the evaluated slice) of tracks whose filter is True, in order.
    pub included: Vec<usize>,
    /// Indices of tracks whose filter is Unknown: left out, reported.
    pub unknown: Vec<usize>,
}

/// Compiles a filter against a context.
pub fn compile(filter: &Filter, ctx: &EvalContext) -> Result<CompiledFilter, CompileError> {
    Ok(CompiledFilter {
        root: compile_node(&filter.root, ctx)?,
        post: filter.post.clone(),
        rule_count: filter.rule_count(),
    })
}

impl CompiledFilter {
    /// The filter's verdict on one track.
    pub fn test(&self, track: &PreparedTrack) -> Truth {
        self.root.eval(track)
    }

    /// Runs the filter over a playlist.
    pub fn evaluate(&self, tracks: &[PreparedTrack]) -> Matches {
        let mut out = Matches::default();
        for (i, track) in tracks.iter().enumerate() {
            match self.test(track) {
                Truth::True => out.included.push(i),
                Truth::Unknown => out.unknown.push(i),
                Truth::False => {}
            }
        }
        out
    }

    pub fn post(&self) -> &PostSteps {
        &self.post
    }

    pub fn rule_count(&self) -> usize {
        self.rule_count
    }
}

/// Runs several filters over a playlist in one pass: each track is visited once and tested
/// by every filter while its data is in cache, which is what the sync engine does with the
/// children of one base. Returns one [`Matches`] per filter, in order.
pub fn evaluate_all(filters: &[&CompiledFilter], tracks: &[PreparedTrack]) -> Vec<Matches> {
    let mut out = vec![Matches::default(); filters.len()];
    for (i, track) in tracks.iter().enumerate() {
        for (filter, matches) in filters.iter().zip(out.iter_mut()) {
            match filter.test(track) {
                Truth::True => matches.included.push(i),
                Truth::Unknown => matches.unknown.push(i),
                Truth::False => {}
            }
        }
    }
    out
}

#[derive(Debug, Clone)]
enum CNode {
    Rule(Box<CRule>),
    All(Vec<CNode>),
    Any(Vec<CNode>),
    None(Vec<CNode>),
}

impl CNode {
    fn eval(&self, t: &PreparedTrack) -> Truth {
        match self {
            CNode::Rule(rule) => rule.eval(t),
            CNode::All(children) => {
                let mut acc = Truth::True;
                for child in children {
                    match child.eval(t) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => acc = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                acc
            }
            CNode::Any(children) => any(children, t),
            CNode::None(children) => any(children, t).not(),
        }
    }

    /// A rough relative cost, to run cheap children first.
    fn cost(&self) -> u32 {
        match self {
            CNode::Rule(rule) => rule.cost(),
            CNode::All(c) | CNode::Any(c) | CNode::None(c) => c.iter().map(CNode::cost).sum(),
        }
    }
}

fn any(children: &[CNode], t: &PreparedTrack) -> Truth {
    let mut acc = Truth::False;
    for child in children {
        match child.eval(t) {
            Truth::True => return Truth::True,
            Truth::Unknown => acc = Truth::Unknown,
            Truth::False => {}
        }
    }
    acc
}

fn compile_node(node: &Node, ctx: &EvalContext) -> Result<CNode, CompileError> {
    match node {
        Node::Rule(rule) => Ok(CNode::Rule(Box::new(compile_rule(rule, ctx)?))),
        Node::Group(group) => {
            let mut children = group
                .children
                .iter()
                .map(|c| compile_node(c, ctx))
                .collect::<Result<Vec<_>, _>>()?;
            children.sort_by_key(CNode::cost);
            Ok(match group.mode {
                GroupMode::All => CNode::All(children),
                GroupMode::Any => CNode::Any(children),
                GroupMode::None => CNode::None(children),
            })
        }
    }
}

#[derive(Debug, Clone)]
enum CRule {
    Text {
        field: TextField,
        exact: bool,
        matcher: TextMatcher,
    },
    List {
        field: ListField,
        quantifier: Quantifier,
        exact: bool,
        matcher: TextMatcher,
    },
    Number {
        field: NumberField,
        op: CompareOp<i64>,
    },
    Duration {
        op: CompareOp<u64>,
    },
    Date {
        field: DateField,
        test: DateTest,
        zone: TimeZone,
    },
    Bool {
        field: BoolField,
        value: bool,
    },
    /// In a list of the library (`liked`, `in:`); `None`: the list was not read (Unknown).
    Member {
        list: Option<Arc<HashSet<TrackId>>>,
        value: bool,
    },
}

/// The compiled form of a membership rule: a missing list is an error, a list not read at all
/// (no library given) makes the rule Unknown.
fn member(list: Option<&Membership>, name: &str, value: bool) -> Result<CRule, CompileError> {
    match list {
        Some(Membership::Known(ids)) => Ok(CRule::Member {
            list: Some(ids.clone()),
            value,
        }),
        Some(Membership::Missing(reason)) => Err(CompileError::MissingList {
            list: name.to_owned(),
            reason: reason.clone(),
        }),
        None => Ok(CRule::Member { list: None, value }),
    }
}

fn compile_rule(rule: &Rule, ctx: &EvalContext) -> Result<CRule, CompileError> {
    Ok(match rule {
        Rule::Text { field, op, exact } => CRule::Text {
            field: *field,
            exact: *exact,
            matcher: TextMatcher::new(op, *exact)?,
        },
        Rule::List {
            field,
            quantifier,
            op,
            exact,
        } => CRule::List {
            field: *field,
            quantifier: *quantifier,
            exact: *exact,
            matcher: TextMatcher::new(op, *exact)?,
        },
        Rule::Number { field, op } => CRule::Number {
            field: *field,
            op: *op,
        },
        Rule::Duration { op, .. } => CRule::Duration {
            op: map_op(*op, |d| d.0),
        },
        Rule::Date { field, op } => CRule::Date {
            field: *field,
            test: DateTest::new(op, ctx),
            zone: ctx.zone.clone(),
        },
        Rule::Bool {
            field: BoolField::Liked,
            value,
        } => member(ctx.library.liked.as_ref(), "Liked Songs", *value)?,
        Rule::Bool { field, value } => CRule::Bool {
            field: *field,
            value: *value,
        },
        Rule::Playlist { playlist, .. } => member(
            ctx.library.playlist(playlist),
            &format!("the playlist \"{}\"", playlist.trim()),
            true,
        )?,
    })
}

fn map_op<T, U>(op: CompareOp<T>, f: impl Fn(T) -> U) -> CompareOp<U> {
    match op {
        CompareOp::Eq(v) => CompareOp::Eq(f(v)),
        CompareOp::Ne(v) => CompareOp::Ne(f(v)),
        CompareOp::Lt(v) => CompareOp::Lt(f(v)),
        CompareOp::Le(v) => CompareOp::Le(f(v)),
        CompareOp::Gt(v) => CompareOp::Gt(f(v)),
        CompareOp::Ge(v) => CompareOp::Ge(f(v)),
        CompareOp::InRange(a, b) => CompareOp::InRange(f(a), f(b)),
        CompareOp::NotInRange(a, b) => CompareOp::NotInRange(f(a), f(b)),
    }
}

fn compare<T: Ord + Copy>(op: &CompareOp<T>, value: T) -> bool {
    match *op {
        CompareOp::Eq(v) => value == v,
        CompareOp::Ne(v) => value != v,
        CompareOp::Lt(v) => value < v,
        CompareOp::Le(v) => value <= v,
        CompareOp::Gt(v) => value > v,
        CompareOp::Ge(v) => value >= v,
        CompareOp::InRange(a, b) => a <= value && value <= b,
        CompareOp::NotInRange(a, b) => !(a <= value && value <= b),
    }
}

fn known<T>(value: Option<T>, f: impl FnOnce(T) -> bool) -> Truth {
    match value {
        Some(v) => Truth::from_bool(f(v)),
        None => Truth::Unknown,
    }
}

impl CRule {
    fn eval(&self, t: &PreparedTrack) -> Truth {
        match self {
            CRule::Text {
                field,
                exact,
                matcher,
            } => {
                let text = match field {
                    TextField::Title => &t.title,
                    TextField::PrimaryArtist => &t.primary_artist,
                    TextField::Album => &t.album,
                    TextField::AlbumType => &t.album_type,
                    TextField::Isrc => &t.isrc,
                    TextField::AddedBy => &t.added_by,
                    TextField::Label => &t.label,
                };
                known(text.as_ref(), |s| matcher.test(s.get(*exact)))
            }
            CRule::List {
                field,
                quantifier,
                exact,
                matcher,
            } => {
                let list = match field {
                    ListField::Artist => &t.artists,
                    ListField::Genre => &t.genres,
                    ListField::ArtistGenre => &t.artist_genres,
                    ListField::AlbumGenre => &t.album_genres,
                };
                match list {
                    Some(list) => eval_list(list, *quantifier, |s| matcher.test(s.get(*exact))),
                    None => Truth::Unknown,
                }
            }
            CRule::Number { field, op } => {
                let track = t.track();
                let value: Option<i64> = match field {
                    NumberField::Year => track.release.map(|d| i64::from(d.year())),
                    NumberField::TrackNumber => track.track_number.map(i64::from),
                    NumberField::DiscNumber => track.disc_number.map(i64::from),
                    NumberField::Position => Some(i64::from(track.position)),
                    NumberField::Popularity => track.popularity.map(i64::from),
                    NumberField::ArtistPopularity => track.artist_popularity.map(i64::from),
                };
                known(value, |v| compare(op, v))
            }
            CRule::Duration { op } => known(t.track().duration, |d| compare(op, d.0)),
            CRule::Date { field, test, zone } => {
                let track = t.track();
                let interval = match field {
                    DateField::Release => track.release.map(|d| d.interval(zone)),
                    DateField::Added => track.added_at.map(|ts| Interval::point(ts.unix_seconds())),
                };
                match interval {
                    Some(i) => test.eval(i),
                    None => Truth::Unknown,
                }
            }
            CRule::Bool { field, value } => {
                let v = match field {
                    BoolField::Explicit => t.track().explicit,
                    // Compiled to `Member`; never reaches here.
                    BoolField::Liked => None,
                };
                known(v, |v| v == *value)
            }
            CRule::Member { list, value } => {
                known(list.as_ref(), |ids| ids.contains(&t.track().id) == *value)
            }
        }
    }

    fn cost(&self) -> u32 {
        match self {
            CRule::Bool { .. }
            | CRule::Member { .. }
            | CRule::Number { .. }
            | CRule::Duration { .. } => 1,
            CRule::Date { .. } => 2,
            CRule::Text { matcher, .. } => matcher.cost(),
            CRule::List { matcher, .. } => 3 * matcher.cost(),
        }
    }
}

fn eval_list(
    list: &PreparedList,
    quantifier: Quantifier,
    test: impl Fn(&super::track::PreparedText) -> bool,
) -> Truth {
    match quantifier {
        Quantifier::AnyOf => {
            if list.items.iter().any(&test) {
                Truth::True
            } else if list.complete {
                Truth::False
            } else {
                Truth::Unknown
            }
        }
        Quantifier::NoneOf => {
            if list.items.iter().any(&test) {
                Truth::False
            } else if list.complete {
                Truth::True
            } else {
                Truth::Unknown
            }
        }
        Quantifier::AllOf => {
            if !list.items.iter().all(&test) {
                Truth::False
            } else if !list.complete {
                Truth::Unknown
            } else {
                Truth::from_bool(!list.items.is_empty())
            }
        }
    }
}

/// A text operator with its value folded (or not) and any searcher built.
#[derive(Debug, Clone)]
enum TextMatcher {
    Is(String),
    IsNot(String),
    Contains(Finder<'static>),
    DoesNotContain(Finder<'static>),
    StartsWith(String),
    EndsWith(String),
    Matches(Regex),
    IsOneOf(Vec<String>),
}

impl TextMatcher {
    fn new(op: &TextOp, exact: bool) -> Result<TextMatcher, CompileError> {
        let norm = |s: &str| if exact { s.to_owned() } else { fold(s) };
        let finder = |s: &str| Finder::new(norm(s).as_bytes()).into_owned();
        Ok(match op {
            TextOp::Is(v) => TextMatcher::Is(norm(v)),
            TextOp::IsNot(v) => TextMatcher::IsNot(norm(v)),
            TextOp::Contains(v) => TextMatcher::Contains(finder(v)),
            TextOp::DoesNotContain(v) => TextMatcher::DoesNotContain(finder(v)),
            TextOp::StartsWith(v) => TextMatcher::StartsWith(norm(v)),
            TextOp::EndsWith(v) => TextMatcher::EndsWith(norm(v)),
            TextOp::Matches(p) => TextMatcher::Matches(build_regex(p, exact)?),
            TextOp::IsOneOf(vs) => TextMatcher::IsOneOf(vs.iter().map(|v| norm(v)).collect()),
        })
    }

    fn test(&self, s: &str) -> bool {
        match self {
            TextMatcher::Is(v) => s == v,
            TextMatcher::IsNot(v) => s != v,
            TextMatcher::Contains(f) => f.find(s.as_bytes()).is_some(),
            TextMatcher::DoesNotContain(f) => f.find(s.as_bytes()).is_none(),
            TextMatcher::StartsWith(v) => s.starts_with(v.as_str()),
            TextMatcher::EndsWith(v) => s.ends_with(v.as_str()),
            TextMatcher::Matches(r) => r.is_match(s),
            TextMatcher::IsOneOf(vs) => vs.iter().any(|v| v == s),
        }
    }

    fn cost(&self) -> u32 {
        match self {
            TextMatcher::Is(_)
            | TextMatcher::IsNot(_)
            | TextMatcher::StartsWith(_)
            | TextMatcher::EndsWith(_) => 2,
            TextMatcher::Contains(_) | TextMatcher::DoesNotContain(_) | TextMatcher::IsOneOf(_) => {
                3
            }
            TextMatcher::Matches(_) => 20,
        }
    }
}

/// A date operator resolved to intervals of seconds.
#[derive(Debug, Clone, Copy)]
enum DateTest {
    /// Inside `[lo, hi]` (is, in range, in the last); `negate` for "not in the last".
    Within { lo: i64, hi: i64, negate: bool },
    /// Before the start of a date.
    Before(i64),
    /// After the end of a date.
    After(i64),
}

impl DateTest {
    fn new(op: &DateOp, ctx: &EvalContext) -> DateTest {
        let off = &ctx.zone;
        let now = ctx.now.unix_seconds();
        match op {
            DateOp::Is(d) => {
                let i = d.interval(off);
                DateTest::Within {
                    lo: i.start,
                    hi: i.end,
                    negate: false,
                }
            }
            DateOp::Before(d) => DateTest::Before(d.interval(off).start),
            DateOp::After(d) => DateTest::After(d.interval(off).end),
            DateOp::InRange(a, b) => DateTest::Within {
                lo: a.interval(off).start,
                hi: b.interval(off).end,
                negate: false,
            },
            DateOp::InTheLast(span) => DateTest::Within {
                lo: span.cutoff(ctx.now, off).unix_seconds(),
                hi: now,
                negate: false,
            },
            DateOp::NotInTheLast(span) => DateTest::Within {
                lo: span.cutoff(ctx.now, off).unix_seconds(),
                hi: now,
                negate: true,
            },
        }
    }

    fn eval(&self, t: Interval) -> Truth {
        match *self {
            DateTest::Within { lo, hi, negate } => {
                let inside = if lo > hi {
                    Truth::False
                } else if t.start >= lo && t.end <= hi {
                    Truth::True
                } else if t.end < lo || t.start > hi {
                    Truth::False
                } else {
                    Truth::Unknown
                };
                if negate { inside.not() } else { inside }
            }
            DateTest::Before(start) => {
                if t.end < start {
                    Truth::True
                } else if t.start >= start {
                    Truth::False
                } else {
                    Truth::Unknown
                }
            }
            DateTest::After(end) => {
                if t.start > end {
                    Truth::True
                } else if t.end <= end {
                    Truth::False
                } else {
                    Truth::Unknown
                }
            }
        }
    }
}
