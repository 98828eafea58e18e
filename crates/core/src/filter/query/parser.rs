//! Recursive-descent parser from tokens to the rule model. The grammar is in
//! docs/query-language.md; the shape of each production is noted where it is parsed.

use super::error::{ParseError, ParseErrorKind as K, did_you_mean};
use super::lexer::{Ch, Tok, Token, Word, lex, text};
use super::literal::{SPAN_UNITS, SpanError, looks_like_duration, parse_duration, parse_span};
use crate::filter::compile::build_regex;
use crate::filter::field::{
    BoolField, DateField, DurationField, Field, FieldKind, ListField, NumberField, PlaylistField,
    TextField,
};
use crate::filter::limits::{self, MAX_DEPTH, check_limit, check_per_artist, check_rule};
use crate::filter::model::{
    CompareOp, DateOp, Dedupe, Filter, Group, GroupMode, Limit, Node, PostSteps, Quantifier, Rule,
    SelectionOrder, TextOp,
};
use crate::filter::value::PartialDate;

/// Parses a query into a filter.
pub fn parse(input: &str) -> Result<Filter, ParseError> {
    let tokens = lex(input)?;
    let end_col = input.chars().count() + 1;
    let mut p = Parser {
        tokens,
        pos: 0,
        end_col,
        depth: 0,
    };
    let (body, depth) = p.body(None)?;
    let (root, depth) = match body {
        Body::Empty => (
            Node::Group(Group::new(GroupMode::All, Vec::new())),
            depth.implicit(),
        ),
        Body::Single(node) => (node, depth),
        Body::And(nodes) => (
            Node::Group(Group::new(GroupMode::All, nodes)),
            depth.implicit(),
        ),
        Body::Or(nodes) => (
            Node::Group(Group::new(GroupMode::Any, nodes)),
            depth.implicit(),
        ),
    };
    // The depth the model has, counting the groups the query makes without brackets (several
    // terms side by side, alternatives of OR): what is stored, so what the limit is about.
    if depth.groups > MAX_DEPTH {
        return Err(too_deep(depth.innermost.unwrap_or(1), depth.groups));
    }
    let post = p.steps()?;
    Ok(Filter { root, post })
}

/// How deep a parsed part nests, and where its innermost bracketed group opens (the column
/// a depth error points at: where the query must get flatter).
#[derive(Debug, Clone, Copy, Default)]
struct Depth {
    groups: usize,
    innermost: Option<usize>,
}

impl Depth {
    /// Inside a group the query writes, opened at `col`.
    fn explicit(self, col: usize) -> Depth {
        Depth {
            groups: self.groups + 1,
            innermost: self.innermost.or(Some(col)),
        }
    }

    /// Inside a group the query makes without writing it.
    fn implicit(self) -> Depth {
        Depth {
            groups: self.groups + 1,
            innermost: self.innermost,
        }
    }

    fn max(self, other: Depth) -> Depth {
        if other.groups > self.groups {
            other
        } else {
            self
        }
    }
}

fn too_deep(col: usize, depth: usize) -> ParseError {
    ParseError::refused(col, &limits::LimitError::TooDeep { depth })
}

/// What a sequence of terms parsed to, before parentheses decide what group it makes.
enum Body {
    Empty,
    Single(Node),
    /// Two or more terms side by side.
    And(Vec<Node>),
    /// Two or more alternatives joined by OR.
    Or(Vec<Node>),
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    end_col: usize,
    depth: usize,
}

const RULE_EXPECTED: &str = "a rule (field:value), '(', '-' or ANY(/ALL(/NONE(";

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_keyword(&self) -> Option<String> {
        match self.peek() {
            Some(Token {
                tok: Tok::Word(w), ..
            }) => w.keyword(),
            _ => None,
        }
    }

    fn unexpected(&self, expected: &str) -> ParseError {
        match self.peek() {
            None => ParseError::new(self.end_col, K::UnexpectedEnd, "the query ends", expected),
            Some(t) => ParseError::new(
                t.col,
                K::UnexpectedToken,
                format!("unexpected {}", describe(&t.tok)),
                expected,
            ),
        }
    }

    /// body := and_seq (OR and_seq)*;  and_seq := unary ([AND] unary)*
    /// `open` is the column of the '(' this body is inside, if any.
    /// The depth returned is the deepest of the members, with the group an alternative of
    /// several terms makes; the caller adds the group the body itself becomes.
    fn body(&mut self, open: Option<usize>) -> Result<(Body, Depth), ParseError> {
        let mut alternatives: Vec<Vec<Node>> = Vec::new();
        let mut current: Vec<Node> = Vec::new();
        let mut current_depth = Depth::default();
        let mut alternatives_depth = Depth::default();
        let alternative_depth = |terms: usize, depth: Depth| {
            if terms >= 2 { depth.implicit() } else { depth }
        };
        loop {
            match self.peek().map(|t| &t.tok) {
                None | Some(Tok::Pipe) => match open {
                    None => break,
                    Some(col) => {
                        return Err(self.unexpected(&format!(
                            "')' to close the group opened at column {col}"
                        )));
                    }
                },
                Some(Tok::RParen) if open.is_some() => break,
                Some(Tok::RParen) => {
                    return Err(self.unexpected("a rule, OR, or '|' (no group is open here)"));
                }
                _ => {}
            }
            match self.peek_keyword().as_deref() {
                Some("or") => {
                    if current.is_empty() {
                        return Err(self.unexpected(&format!("{RULE_EXPECTED} before OR")));
                    }
                    alternatives_depth =
                        alternatives_depth.max(alternative_depth(current.len(), current_depth));
                    current_depth = Depth::default();
                    alternatives.push(std::mem::take(&mut current));
                    self.pos += 1;
                    self.require_term("after OR")?;
                }
                Some("and") => {
                    if current.is_empty() {
                        return Err(self.unexpected(&format!("{RULE_EXPECTED} before AND")));
                    }
                    self.pos += 1;
                    self.require_term("after AND")?;
                }
                _ => {
                    let (node, depth) = self.unary()?;
                    current_depth = current_depth.max(depth);
                    current.push(node);
                }
            }
        }
        if alternatives.is_empty() {
            let body = match current.len() {
                0 => Body::Empty,
                1 => Body::Single(current.remove(0)),
                _ => Body::And(current),
            };
            return Ok((body, current_depth));
        }
        let depth = alternatives_depth.max(alternative_depth(current.len(), current_depth));
        alternatives.push(current);
        let body = Body::Or(
            alternatives
                .into_iter()
                .map(|mut seq| {
                    if seq.len() == 1 {
                        seq.remove(0)
                    } else {
                        Node::Group(Group::new(GroupMode::All, seq))
                    }
                })
                .collect(),
        );
        Ok((body, depth))
    }

    /// Fails unless a term follows (after OR / AND).
    fn require_term(&self, context: &str) -> Result<(), ParseError> {
        let ok = match self.peek().map(|t| &t.tok) {
            None | Some(Tok::Pipe) | Some(Tok::RParen) => false,
            _ => !matches!(self.peek_keyword().as_deref(), Some("or" | "and")),
        };
        if ok {
            Ok(())
        } else {
            Err(self.unexpected(&format!("{RULE_EXPECTED} {context}")))
        }
    }

    /// unary := ('-' | NOT) unary | '(' body ')' | (ANY|ALL|NONE) '(' unary* ')' | rule
    fn unary(&mut self) -> Result<(Node, Depth), ParseError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.unexpected(RULE_EXPECTED));
        };
        match token.tok {
            Tok::Minus => {
                self.pos += 1;
                self.negation(token.col)
            }
            Tok::LParen => {
                self.pos += 1;
                self.enter(token.col)?;
                let (body, depth) = self.body(Some(token.col))?;
                self.close(token.col)?;
                self.depth -= 1;
                let group = match body {
                    Body::Empty => Group::new(GroupMode::All, Vec::new()),
                    Body::Single(n) => Group::new(GroupMode::All, vec![n]),
                    Body::And(ns) => Group::new(GroupMode::All, ns),
                    Body::Or(ns) => Group::new(GroupMode::Any, ns),
                };
                Ok((Node::Group(group), depth.explicit(token.col)))
            }
            Tok::Word(word) => {
                let keyword = word.keyword();
                if keyword.as_deref() == Some("not") {
                    self.pos += 1;
                    return self.negation(token.col);
                }
                let mode = match keyword.as_deref() {
                    Some("any") => Some(GroupMode::Any),
                    Some("all") => Some(GroupMode::All),
                    Some("none") => Some(GroupMode::None),
                    _ => None,
                };
                if let Some(mode) = mode
                    && matches!(
                        self.tokens.get(self.pos + 1).map(|t| &t.tok),
                        Some(Tok::LParen)
                    )
                {
                    self.pos += 2;
                    self.enter(token.col)?;
                    let mut children = Vec::new();
                    let mut depth = Depth::default();
                    loop {
                        match self.peek().map(|t| &t.tok) {
                            Some(Tok::RParen) => break,
                            None | Some(Tok::Pipe) => {
                                return Err(self.unexpected(&format!(
                                    "')' to close the group opened at column {}",
                                    token.col
                                )));
                            }
                            _ => {}
                        }
                        if matches!(self.peek_keyword().as_deref(), Some("or" | "and")) {
                            return Err(self.unexpected(
                                "a rule: inside ANY(...), ALL(...) and NONE(...) the \
                                 members are separated by spaces",
                            ));
                        }
                        let (child, child_depth) = self.unary()?;
                        depth = depth.max(child_depth);
                        children.push(child);
                    }
                    self.close(token.col)?;
                    self.depth -= 1;
                    return Ok((
                        Node::Group(Group::new(mode, children)),
                        depth.explicit(token.col),
                    ));
                }
                if matches!(keyword.as_deref(), Some("or" | "and")) {
                    return Err(self.unexpected(RULE_EXPECTED));
                }
                self.pos += 1;
                Ok((Node::Rule(parse_rule(&word)?), Depth::default()))
            }
            _ => Err(self.unexpected(RULE_EXPECTED)),
        }
    }

    fn negation(&mut self, col: usize) -> Result<(Node, Depth), ParseError> {
        self.enter(col)?;
        let (inner, depth) = self.unary()?;
        self.depth -= 1;
        Ok((
            Node::Group(Group::new(GroupMode::None, vec![inner])),
            depth.explicit(col),
        ))
    }

    /// Counts the brackets open while reading, and stops as soon as they alone pass the
    /// maximum: the parser recurses, so a query of 10,000 '(' must not reach the end. The
    /// exact depth, groups without brackets included, is checked once the body is read.
    fn enter(&mut self, col: usize) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(too_deep(col, self.depth));
        }
        Ok(())
    }

    fn close(&mut self, open_col: usize) -> Result<(), ParseError> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::RParen) => {
                self.pos += 1;
                Ok(())
            }
            _ => Err(self.unexpected(&format!(
                "')' to close the group opened at column {open_col}"
            ))),
        }
    }

    /// steps := ('|' clause+)*;  clause := dedupe [isrc] [title_artist] | per_artist N
    ///        | limit (N | DURATION) | by ['-']KEY
    fn steps(&mut self) -> Result<PostSteps, ParseError> {
        let mut post = PostSteps::default();
        let mut seen_order = false;
        match self.peek().map(|t| &t.tok) {
            None => return Ok(post),
            Some(Tok::Pipe) => {}
            Some(_) => return Err(self.unexpected("'|' before the steps")),
        }
        while let Some(token) = self.peek().cloned() {
            if token.tok == Tok::Pipe {
                self.pos += 1;
                if matches!(self.peek().map(|t| &t.tok), None | Some(Tok::Pipe)) {
                    return Err(self.unexpected(STEP_EXPECTED));
                }
                continue;
            }
            let Tok::Word(word) = &token.tok else {
                return Err(self.unexpected(STEP_EXPECTED));
            };
            let name = word.keyword().unwrap_or_else(|| text(&word.chars));
            let duplicate = |what: &str| {
                ParseError::new(
                    token.col,
                    K::Duplicate,
                    format!("'{what}' is given twice"),
                    "each step at most once",
                )
            };
            self.pos += 1;
            match name.as_str() {
                "dedupe" | "dedup" | "unique" => {
                    if post.dedupe.is_some() {
                        return Err(duplicate("dedupe"));
                    }
                    let mut d = Dedupe::default();
                    while let Some(k) = self.peek_keyword() {
                        match k.as_str() {
                            "isrc" => d.isrc = true,
                            "title_artist" | "title+artist" => d.title_artist = true,
                            _ => break,
                        }
                        self.pos += 1;
                    }
                    post.dedupe = Some(d);
                }
                "per_artist" | "max_per_artist" => {
                    if post.per_artist.is_some() {
                        return Err(duplicate("per_artist"));
                    }
                    let (n, col) = self.word_arg("a number of tracks per artist")?;
                    let cap = n.parse().map_err(|_| {
                        ParseError::new(
                            col,
                            K::InvalidValue,
                            format!("'{n}' is not a track count"),
                            "a whole number like 3",
                        )
                    })?;
                    check_per_artist(cap).map_err(|e| ParseError::refused(col, &e))?;
                    post.per_artist = Some(cap);
                }
                "limit" => {
                    if post.limit.is_some() {
                        return Err(duplicate("limit"));
                    }
                    let expected = "a track count like 50 or a total length like 1:30:00 or 90m";
                    let (n, col) = self.word_arg(expected)?;
                    let invalid = || {
                        ParseError::new(
                            col,
                            K::InvalidValue,
                            format!("'{n}' is not a limit"),
                            expected,
                        )
                    };
                    let limit = if looks_like_duration(&n) {
                        Limit::Duration(parse_duration(&n).ok_or_else(invalid)?)
                    } else {
                        Limit::Tracks(n.parse().map_err(|_| invalid())?)
                    };
                    check_limit(limit).map_err(|e| ParseError::refused(col, &e))?;
                    post.limit = Some(limit);
                }
                "by" | "order" | "sort" => {
                    if seen_order {
                        return Err(duplicate("by"));
                    }
                    seen_order = true;
                    let start_col = self.peek().map_or(self.end_col, |t| t.col);
                    let minus = matches!(self.peek().map(|t| &t.tok), Some(Tok::Minus));
                    if minus {
                        self.pos += 1;
                    }
                    let (key, key_col) = self.word_arg("a sort key such as -added or random")?;
                    let col = if minus { start_col } else { key_col };
                    let spelled = if minus { format!("-{key}") } else { key };
                    post.order = sort_key(&spelled.to_lowercase()).ok_or_else(|| {
                        ParseError::new(
                            col,
                            K::UnknownSortKey,
                            format!("unknown sort key '{spelled}'"),
                            SORT_EXPECTED,
                        )
                        .suggest(did_you_mean(
                            &spelled,
                            SORT_KEYS.iter().map(|(s, _)| (*s, *s)),
                        ))
                    })?;
                }
                other => {
                    return Err(ParseError::new(
                        token.col,
                        K::UnknownStep,
                        format!("unknown step '{other}'"),
                        STEP_EXPECTED,
                    )
                    .suggest(did_you_mean(
                        other,
                        [
                            "dedupe",
                            "per_artist",
                            "limit",
                            "by",
                            "isrc",
                            "title_artist",
                        ]
                        .map(|s| (s, s)),
                    )));
                }
            }
        }
        Ok(post)
    }

    /// The next token as a plain word argument.
    fn word_arg(&mut self, expected: &str) -> Result<(String, usize), ParseError> {
        match self.peek() {
            Some(Token {
                tok: Tok::Word(w),
                col,
            }) => {
                let out = (text(&w.chars), *col);
                self.pos += 1;
                Ok(out)
            }
            _ => Err(self.unexpected(expected)),
        }
    }
}

/// The words that start a step (after `|`).
const STEP_NAMES: [&str; 9] = [
    "dedupe",
    "dedup",
    "unique",
    "per_artist",
    "max_per_artist",
    "limit",
    "by",
    "order",
    "sort",
];

const STEP_EXPECTED: &str = "a step: dedupe, per_artist N, limit N, or by KEY";
const SORT_EXPECTED: &str = "position, random, release, -release, added, -added, popularity, -popularity, duration \
     or -duration";

/// Sort key spellings; the first spelling of each order is canonical.
pub(crate) const SORT_KEYS: &[(&str, SelectionOrder)] = &[
    ("position", SelectionOrder::BaseOrder),
    ("random", SelectionOrder::Random),
    ("-release", SelectionOrder::NewestRelease),
    ("release", SelectionOrder::OldestRelease),
    ("-added", SelectionOrder::MostRecentlyAdded),
    ("added", SelectionOrder::LeastRecentlyAdded),
    ("-popularity", SelectionOrder::MostPopular),
    ("popularity", SelectionOrder::LeastPopular),
    ("duration", SelectionOrder::Shortest),
    ("-duration", SelectionOrder::Longest),
    ("base", SelectionOrder::BaseOrder),
    ("shuffle", SelectionOrder::Random),
    ("newest", SelectionOrder::NewestRelease),
    ("oldest", SelectionOrder::OldestRelease),
    ("recent", SelectionOrder::MostRecentlyAdded),
    ("recently_added", SelectionOrder::MostRecentlyAdded),
    ("least_recently_added", SelectionOrder::LeastRecentlyAdded),
    ("popular", SelectionOrder::MostPopular),
    ("most_popular", SelectionOrder::MostPopular),
    ("least_popular", SelectionOrder::LeastPopular),
    ("shortest", SelectionOrder::Shortest),
    ("longest", SelectionOrder::Longest),
];

fn sort_key(spelling: &str) -> Option<SelectionOrder> {
    SORT_KEYS
        .iter()
        .find(|(s, _)| *s == spelling)
        .map(|(_, o)| *o)
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Pipe => "'|'".into(),
        Tok::Minus => "'-'".into(),
        Tok::Word(w) => format!("'{}'", text(&w.chars)),
    }
}

/// Every spelling of every field, for suggestions.
fn field_spellings() -> impl Iterator<Item = (&'static str, &'static str)> {
    Field::ALL.into_iter().flat_map(|f| {
        std::iter::once((f.name(), f.name())).chain(f.aliases().iter().map(move |a| (*a, f.name())))
    })
}

const MODIFIERS: [&str; 4] = ["any", "all", "none", "exact"];

/// rule := field ('.' modifier)* ':' operator value  |  boolean_field
fn parse_rule(word: &Word) -> Result<Rule, ParseError> {
    let chars = &word.chars;
    let Some(colon) = chars.iter().position(|c| c.is_bare(':')) else {
        return bare_word(word);
    };
    let Some(head) = chars[..colon]
        .iter()
        .map(Ch::bare)
        .collect::<Option<String>>()
    else {
        return Err(ParseError::new(
            word.col,
            K::UnknownField,
            "a field name cannot be quoted",
            "a field name such as title, artist or genre",
        ));
    };
    let mut parts = head.split('.');
    let name = parts.next().unwrap_or_default();
    if name.is_empty() {
        return Err(ParseError::new(
            word.col,
            K::UnknownField,
            "a ':' without a field name",
            "a field name such as title, artist or genre before ':'",
        ));
    }
    let field = Field::from_name(name).ok_or_else(|| {
        ParseError::new(
            word.col,
            K::UnknownField,
            format!("unknown field '{name}'"),
            "a field name such as title, artist, album, genre, year, duration, added or \
             popularity",
        )
        .suggest(did_you_mean(name, field_spellings()))
    })?;
    let kind = field.kind();
    let mut quantifier = None;
    let mut exact = false;
    let mut col = word.col + name.chars().count() + 1;
    for modifier in parts {
        let lower = modifier.to_lowercase();
        let err = |message: String, expected: &str| {
            ParseError::new(col, K::UnknownModifier, message, expected)
        };
        match lower.as_str() {
            "any" | "all" | "none" => {
                if kind != FieldKind::List {
                    return Err(err(
                        format!("'.{lower}' does not apply to '{field}', which holds one value"),
                        "'.any', '.all' or '.none' only on artist and genre fields",
                    ));
                }
                if quantifier.is_some() {
                    return Err(err(
                        "a second quantifier".into(),
                        "one of .any, .all, .none",
                    ));
                }
                quantifier = Some(match lower.as_str() {
                    "any" => Quantifier::AnyOf,
                    "all" => Quantifier::AllOf,
                    _ => Quantifier::NoneOf,
                });
            }
            "exact" => {
                if !matches!(kind, FieldKind::Text | FieldKind::List) {
                    return Err(err(
                        format!("'.exact' does not apply to '{field}', which is not text"),
                        "'.exact' only on text fields",
                    ));
                }
                if exact {
                    return Err(err("'.exact' twice".into(), "'.exact' at most once"));
                }
                exact = true;
            }
            _ => {
                return Err(ParseError::new(
                    col,
                    K::UnknownModifier,
                    format!("unknown modifier '.{modifier}'"),
                    "'.any', '.all', '.none' (lists) or '.exact' (text)",
                )
                .suggest(did_you_mean(&lower, MODIFIERS.map(|m| (m, m)))));
            }
        }
        col += modifier.chars().count() + 1;
    }
    let rest = &chars[colon + 1..];
    let value_col = chars[colon].col() + 1;
    let rule = match kind {
        FieldKind::Text => Rule::Text {
            field: TextField::from_field(field).ok_or_else(|| internal(word))?,
            op: text_op(field, rest, exact, value_col)?,
            exact,
        },
        FieldKind::List => Rule::List {
            field: ListField::from_field(field).ok_or_else(|| internal(word))?,
            quantifier: quantifier.unwrap_or(Quantifier::AnyOf),
            op: text_op(field, rest, exact, value_col)?,
            exact,
        },
        FieldKind::Number => Rule::Number {
            field: NumberField::from_field(field).ok_or_else(|| internal(word))?,
            op: compare_op(field, rest, value_col, "a whole number like 2015", |s| {
                s.parse::<i64>().ok()
            })?,
        },
        FieldKind::Duration => Rule::Duration {
            field: DurationField::from_field(field).ok_or_else(|| internal(word))?,
            op: compare_op(
                field,
                rest,
                value_col,
                "a length like 4:30, 1:02:03, 90s or 4m30s",
                parse_duration,
            )?,
        },
        FieldKind::Date => Rule::Date {
            field: DateField::from_field(field).ok_or_else(|| internal(word))?,
            op: date_op(field, rest, value_col)?,
        },
        FieldKind::Bool => {
            let value = text(rest);
            Rule::Bool {
                field: BoolField::from_field(field).ok_or_else(|| internal(word))?,
                value: match value.to_lowercase().as_str() {
                    "true" | "yes" | "1" => true,
                    "false" | "no" | "0" => false,
                    _ => {
                        return Err(ParseError::new(
                            value_col,
                            K::InvalidValue,
                            format!("'{value}' is not yes or no"),
                            format!("'{field}:true' or '{field}:false' (or just '{field}')"),
                        )
                        .suggest(did_you_mean(&value, [("true", "true"), ("false", "false")])));
                    }
                },
            }
        }
        FieldKind::Playlist => Rule::Playlist {
            field: PlaylistField::from_field(field).ok_or_else(|| internal(word))?,
            playlist: playlist_ref(field, rest, value_col)?,
        },
    };
    // The checks a stored or built filter gets too: values in the field's domain, ranges
    // that are not empty.
    check_rule(&rule).map_err(|e| ParseError::refused(value_col, &e))?;
    Ok(rule)
}

/// The playlist an `in:` rule names: its name or id, quoted when it has spaces. It takes no
/// operator: "not in" is written `-in:...`.
fn playlist_ref(field: Field, rest: &[Ch], col: usize) -> Result<String, ParseError> {
    if let Some(c) = rest
        .first()
        .and_then(Ch::bare)
        .filter(|c| "=!^${<>~:".contains(*c))
    {
        return Err(ParseError::new(
            col,
            K::UnknownOperator,
            format!("the operator '{c}' does not apply to '{field}', which names a playlist"),
            format!("'{field}:\"Playlist name\"' (or '-{field}:...' for tracks not in it)"),
        ));
    }
    let value = text(rest);
    if value.trim().is_empty() {
        return Err(ParseError::new(
            col,
            K::UnexpectedEnd,
            format!("'{field}:' names no playlist"),
            format!("a playlist's name or id, as in '{field}:\"Not for the gym\"'"),
        ));
    }
    Ok(value)
}

/// A field's kind and its typed subset disagree: cannot happen (see field.rs tests).
fn internal(word: &Word) -> ParseError {
    ParseError::new(
        word.col,
        K::UnknownField,
        "internal field mismatch",
        "a field",
    )
}

/// A word without ':': a boolean field on its own (`explicit`), or a mistake worth explaining.
fn bare_word(word: &Word) -> Result<Rule, ParseError> {
    let shown = text(&word.chars);
    if let Some(name) = word.keyword() {
        if STEP_NAMES.contains(&name.as_str()) {
            return Err(ParseError::new(
                word.col,
                K::UnexpectedToken,
                format!("'{name}' is a step, but no '|' comes before it"),
                format!("'| {name}' after the rules"),
            )
            .suggest(Some(format!("| {name}"))));
        }
        if let Some(field) = Field::from_name(&name) {
            if let Some(field) = BoolField::from_field(field) {
                return Ok(Rule::Bool { field, value: true });
            }
            return Err(ParseError::new(
                word.col + name.chars().count(),
                K::UnexpectedEnd,
                format!("the field '{name}' has no value"),
                format!("':' and a value, as in '{name}:...'"),
            ));
        }
        if let Some(pos) = name.find(|c| "=<>!~".contains(c)) {
            let (prefix, op) = name.split_at(pos);
            if Field::from_name(prefix).is_some() {
                return Err(ParseError::new(
                    word.col + prefix.chars().count(),
                    K::UnknownOperator,
                    format!("missing ':' after the field '{prefix}'"),
                    format!("'{prefix}:{op}'"),
                )
                .suggest(Some(format!("{prefix}:{op}"))));
            }
        }
    }
    Err(ParseError::new(
        word.col,
        K::UnknownField,
        format!("'{shown}' is not a rule"),
        format!(
            "a rule like field:value (words are not searched on their own: write e.g. \
             title:{} or artist:{})",
            super::lexer::quote(&shown),
            super::lexer::quote(&shown)
        ),
    )
    .suggest(did_you_mean(&shown, field_spellings())))
}

const TEXT_OPS: &str = "':' (contains), ':=' (is), ':!=' (is not), ':!' (does not contain), \
                        ':^' (starts with), ':$' (ends with), '::' (matches a regex) or \
                        ':{a,b}' (is one of)";

fn text_op(field: Field, rest: &[Ch], exact: bool, col: usize) -> Result<TextOp, ParseError> {
    let b0 = rest.first().and_then(Ch::bare);
    let b1 = rest.get(1).and_then(Ch::bare);
    let (op, skip) = match (b0, b1) {
        (Some(':'), _) => ("::", 1),
        (Some('!'), Some('=')) => ("!=", 2),
        (Some('!'), _) => ("!", 1),
        (Some('='), _) => ("=", 1),
        (Some('^'), _) => ("^", 1),
        (Some('$'), _) => ("$", 1),
        (Some('{'), _) => ("{", 0),
        (Some(c @ ('<' | '>' | '~')), _) => {
            return Err(ParseError::new(
                col,
                K::UnknownOperator,
                format!("the operator '{c}' does not apply to the text field '{field}'"),
                TEXT_OPS,
            )
            .suggest((c == '~').then(|| "::".to_owned())));
        }
        _ => ("", 0),
    };
    let v = &rest[skip..];
    let vcol = v.first().map_or(col + skip, Ch::col);
    if op == "{" {
        return parse_set(v, vcol).map(TextOp::IsOneOf);
    }
    if v.is_empty() {
        return Err(ParseError::new(
            vcol,
            K::UnexpectedEnd,
            format!("'{field}:{op}' has no value"),
            "a value after the operator (write \"\" for empty text)",
        ));
    }
    let value = text(v);
    Ok(match op {
        "::" => {
            build_regex(&value, exact).map_err(|e| {
                ParseError::new(
                    vcol,
                    K::InvalidRegex,
                    e.to_string(),
                    "a valid regular expression (quote it if it has spaces or brackets)",
                )
            })?;
            TextOp::Matches(value)
        }
        "!=" => TextOp::IsNot(value),
        "!" => TextOp::DoesNotContain(value),
        "=" => TextOp::Is(value),
        "^" => TextOp::StartsWith(value),
        "$" => TextOp::EndsWith(value),
        _ => TextOp::Contains(value),
    })
}

/// `{a, b, "c d"}`: members split at unquoted commas, unquoted spaces around them trimmed.
fn parse_set(v: &[Ch], col: usize) -> Result<Vec<String>, ParseError> {
    if v.len() < 2 || !v[v.len() - 1].is_bare('}') {
        let end = v.last().map_or(col, |c| c.col() + 1);
        return Err(ParseError::new(
            end,
            K::UnexpectedEnd,
            "the set is not closed",
            "'}' at the end of the set, as in {a,b}",
        ));
    }
    let inner = &v[1..v.len() - 1];
    let is_space = |c: &Ch| c.bare().is_some_and(char::is_whitespace);
    if inner.iter().all(is_space) {
        return Ok(Vec::new());
    }
    let mut members = Vec::new();
    let mut start = 0;
    for i in 0..=inner.len() {
        if i < inner.len() && !inner[i].is_bare(',') {
            continue;
        }
        let mut member = &inner[start..i];
        while member.first().is_some_and(is_space) {
            member = &member[1..];
        }
        while member.last().is_some_and(is_space) {
            member = &member[..member.len() - 1];
        }
        if member.is_empty() {
            let at = inner.get(i).or(inner.get(start)).map_or(col, Ch::col);
            return Err(ParseError::new(
                at,
                K::InvalidValue,
                "an empty member in the set",
                "a value between commas (write \"\" for empty text)",
            ));
        }
        members.push(text(member));
        start = i + 1;
    }
    Ok(members)
}

/// The leading run of operator characters, and what follows it.
fn split_operator(rest: &[Ch]) -> (String, &[Ch]) {
    let n = rest
        .iter()
        .take_while(|c| c.bare().is_some_and(|c| "<>=!~".contains(c)))
        .count();
    (text(&rest[..n]), &rest[n..])
}

fn unknown_operator(
    op: &str,
    field: Field,
    col: usize,
    valid: &[&'static str],
    expected: &str,
) -> ParseError {
    let suggestion = match op {
        "==" => Some("=".to_owned()),
        "<>" => Some("!=".to_owned()),
        "=<" => Some("<=".to_owned()),
        "=>" => Some(">=".to_owned()),
        _ => did_you_mean(op, valid.iter().map(|v| (*v, *v))),
    };
    ParseError::new(
        col,
        K::UnknownOperator,
        format!("unknown operator '{op}' for '{field}'"),
        expected,
    )
    .suggest(suggestion)
}

/// `N`, `=N`, `!=N`, `<N`, `<=N`, `>N`, `>=N`, `A..B`, `!A..B`.
fn compare_op<T>(
    field: Field,
    rest: &[Ch],
    col: usize,
    value_expected: &str,
    read: impl Fn(&str) -> Option<T>,
) -> Result<CompareOp<T>, ParseError> {
    let (op, v) = split_operator(rest);
    let vcol = v.first().map_or(col + op.chars().count(), Ch::col);
    let value = text(v);
    const VALID: [&str; 7] = [">=", "<=", "!=", "<", ">", "=", "!"];
    if !op.is_empty() && !VALID.contains(&op.as_str()) {
        return Err(unknown_operator(
            &op,
            field,
            col,
            &VALID,
            "one of =, !=, <, <=, >, >=, a range A..B or !A..B (not in range)",
        ));
    }
    let read_one = |s: &str, at: usize| {
        read(s).ok_or_else(|| {
            let message = if s.is_empty() {
                format!("'{field}' has no value")
            } else {
                format!("'{s}' is not a valid value for '{field}'")
            };
            ParseError::new(at, K::InvalidValue, message, value_expected)
        })
    };
    if let Some((a, b)) = value.split_once("..") {
        let b_col = vcol + a.chars().count() + 2;
        let (a, b) = (read_one(a, vcol)?, read_one(b, b_col)?);
        return match op.as_str() {
            "" | "=" => Ok(CompareOp::InRange(a, b)),
            "!" | "!=" => Ok(CompareOp::NotInRange(a, b)),
            _ => Err(ParseError::new(
                col,
                K::UnknownOperator,
                format!("'{op}' cannot be used with a range"),
                "a range as A..B, or !A..B for not in range",
            )),
        };
    }
    if op == "!" {
        return Err(ParseError::new(
            col,
            K::UnknownOperator,
            "'!' without a range",
            "'!=' for not equal, or '!A..B' for not in range",
        )
        .suggest(Some("!=".into())));
    }
    let v = read_one(&value, vcol)?;
    Ok(match op.as_str() {
        "!=" => CompareOp::Ne(v),
        "<" => CompareOp::Lt(v),
        "<=" => CompareOp::Le(v),
        ">" => CompareOp::Gt(v),
        ">=" => CompareOp::Ge(v),
        _ => CompareOp::Eq(v),
    })
}

const DATE_EXPECTED: &str = "a date (2015, 2015-06 or 2015-06-01), '<' or '>' before a date or \
                             a span like 30d, 2w, 6m, or a range A..B";

/// `D`, `<D`, `>D`, `A..B`, `<30d` (in the last), `>30d` (not in the last).
fn date_op(field: Field, rest: &[Ch], col: usize) -> Result<DateOp, ParseError> {
    let (op, v) = split_operator(rest);
    let vcol = v.first().map_or(col + op.chars().count(), Ch::col);
    let value = text(v);
    if !matches!(op.as_str(), "" | "<" | ">") {
        return Err(unknown_operator(
            &op,
            field,
            col,
            &["<", ">"],
            DATE_EXPECTED,
        ));
    }
    let date = |s: &str, at: usize| {
        PartialDate::parse(s).map_err(|e| {
            let message = if s.is_empty() {
                format!("'{field}' has no value")
            } else {
                format!("'{s}' is not a date ({e})")
            };
            ParseError::new(at, K::InvalidValue, message, DATE_EXPECTED)
        })
    };
    match parse_span(&value) {
        Ok(span) => {
            return match op.as_str() {
                "<" => Ok(DateOp::InTheLast(span)),
                ">" => Ok(DateOp::NotInTheLast(span)),
                _ => Err(ParseError::new(
                    col,
                    K::UnknownOperator,
                    format!("'{value}' is a span of time, not a date"),
                    format!("'<{value}' (in the last {value}) or '>{value}' (not in the last)"),
                )
                .suggest(Some(format!("{field}:<{value}")))),
            };
        }
        Err(SpanError::UnknownUnit(unit)) => {
            let digits = value.chars().count() - unit.chars().count();
            return Err(ParseError::new(
                vcol + digits,
                K::UnknownUnit,
                format!("unknown unit '{unit}'"),
                "d (days), w (weeks), m (months) or y (years)",
            )
            .suggest(did_you_mean(
                &unit,
                SPAN_UNITS.iter().map(|(s, _, _)| (*s, *s)),
            )));
        }
        Err(SpanError::TooLarge) => {
            return Err(ParseError::new(
                vcol,
                K::InvalidValue,
                format!("'{value}' is too long a span"),
                "a smaller number",
            ));
        }
        Err(SpanError::NotASpan) => {}
    }
    if let Some((a, b)) = value.split_once("..") {
        if !op.is_empty() {
            return Err(ParseError::new(
                col,
                K::UnknownOperator,
                format!("'{op}' cannot be used with a range"),
                "a range as A..B",
            ));
        }
        let b_col = vcol + a.chars().count() + 2;
        return Ok(DateOp::InRange(date(a, vcol)?, date(b, b_col)?));
    }
    let d = date(&value, vcol)?;
    Ok(match op.as_str() {
        "<" => DateOp::Before(d),
        ">" => DateOp::After(d),
        _ => DateOp::Is(d),
    })
}
