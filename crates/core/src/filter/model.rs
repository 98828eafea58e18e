//! The rule model: what a child playlist should contain, as plain data.
//!
//! This one model is what the rule builder edits, what the query language parses into and
//! formats from, and what the JSON form stores; so the three can express exactly the same
//! filters. A rule pairs a typed field with an operator of the same type, so a mismatched rule
//! cannot be built.

use super::field::{
    BoolField, DateField, DurationField, Field, ListField, NumberField, PlaylistField, TextField,
};
use super::value::{DurationMs, PartialDate, RelativeSpan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use ts_rs::TS;

/// A whole filter: which tracks match, then what happens to the matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Filter {
    pub root: Node,
    #[serde(default, skip_serializing_if = "PostSteps::is_empty")]
    pub post: PostSteps,
}

impl Default for Filter {
    /// Matches every track, changes nothing.
    fn default() -> Self {
        Filter {
            root: Node::Group(Group::new(GroupMode::All, Vec::new())),
            post: PostSteps::default(),
        }
    }
}

/// One node of the rule tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    Rule(Rule),
    Group(Group),
}

/// How a group combines its children.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum GroupMode {
    /// Every child matches (an empty group matches everything).
    All,
    /// At least one child matches (an empty group matches nothing).
    Any,
    /// No child matches (an empty group matches everything).
    None,
}

/// Children combined by a mode; nests to any depth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Group {
    pub mode: GroupMode,
    pub children: Vec<Node>,
}

impl Group {
    pub fn new(mode: GroupMode, children: Vec<Node>) -> Group {
        Group { mode, children }
    }
}

/// One condition on one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Rule {
    Text {
        field: TextField,
        op: TextOp,
        /// Case- and diacritic-sensitive when set; forgiving (Beyoncé = beyonce) otherwise.
        #[serde(default, skip_serializing_if = "is_false")]
        exact: bool,
    },
    List {
        field: ListField,
        quantifier: Quantifier,
        op: TextOp,
        #[serde(default, skip_serializing_if = "is_false")]
        exact: bool,
    },
    Number {
        field: NumberField,
        // A JSON number in TypeScript, not a bigint: the values (years, counts) are small.
        #[ts(as = "CompareOp<f64>")]
        op: CompareOp<i64>,
    },
    Duration {
        field: DurationField,
        op: CompareOp<DurationMs>,
    },
    Date {
        field: DateField,
        op: DateOp,
    },
    Bool {
        field: BoolField,
        value: bool,
    },
    /// The track is in another playlist of the same connection. `playlist` is what the user
    /// wrote: the playlist's name (resolved when the filter is saved and again at each sync,
    /// so a renamed or removed playlist is noticed rather than silently ignored) or its id.
    Playlist {
        field: PlaylistField,
        playlist: String,
    },
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Rule {
    /// The field this rule reads.
    pub fn field(&self) -> Field {
        match self {
            Rule::Text { field, .. } => field.field(),
            Rule::List { field, .. } => field.field(),
            Rule::Number { field, .. } => field.field(),
            Rule::Duration { field, .. } => field.field(),
            Rule::Date { field, .. } => field.field(),
            Rule::Bool { field, .. } => field.field(),
            Rule::Playlist { field, .. } => field.field(),
        }
    }
}

/// Text operators; list rules apply them to each element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum TextOp {
    Is(String),
    IsNot(String),
    Contains(String),
    DoesNotContain(String),
    StartsWith(String),
    EndsWith(String),
    /// A regular expression (Rust `regex` syntax), searched anywhere in the text.
    Matches(String),
    IsOneOf(Vec<String>),
}

/// How a list rule combines the results for each element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Quantifier {
    /// At least one element matches.
    AnyOf,
    /// Every element matches (and there is at least one).
    AllOf,
    /// No element matches.
    NoneOf,
}

/// Comparison operators for numbers and durations. Ranges include both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum CompareOp<T> {
    Eq(T),
    Ne(T),
    Lt(T),
    Le(T),
    Gt(T),
    Ge(T),
    InRange(T, T),
    NotInRange(T, T),
}

/// Date operators. Absolute dates carry their own precision (`2015` is the whole year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum DateOp {
    Is(PartialDate),
    Before(PartialDate),
    After(PartialDate),
    InRange(PartialDate, PartialDate),
    InTheLast(RelativeSpan),
    NotInTheLast(RelativeSpan),
}

/// What happens after matching, in this order: deduplicate, order, cap per artist, limit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PostSteps {
    /// `None` keeps duplicates as the base has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dedupe: Option<Dedupe>,
    /// The order in which tracks are selected by the cap and the limit, and the order the
    /// child receives them in.
    #[serde(default, skip_serializing_if = "SelectionOrder::is_base")]
    pub order: SelectionOrder,
    /// At most this many tracks per primary artist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_artist: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Limit>,
}

impl PostSteps {
    pub fn is_empty(&self) -> bool {
        *self == PostSteps::default()
    }
}

/// Which tracks count as the same. The same track id always does; these add more keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Dedupe {
    /// The same recording (ISRC) under another id: a single and its album version.
    #[serde(default)]
    pub isrc: bool,
    /// The same title by the same primary artist (compared forgivingly).
    #[serde(default)]
    pub title_artist: bool,
}

/// How much a child may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Tracks(u32),
    /// Total length: tracks are taken in order while they fit.
    Duration(DurationMs),
}

/// The order tracks are selected (and delivered) in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum SelectionOrder {
    #[default]
    BaseOrder,
    /// Shuffled by a seed the caller passes: the same seed gives the same order.
    Random,
    NewestRelease,
    OldestRelease,
    MostRecentlyAdded,
    LeastRecentlyAdded,
    MostPopular,
    LeastPopular,
    Shortest,
    Longest,
}

impl SelectionOrder {
    pub const ALL: [SelectionOrder; 10] = [
        SelectionOrder::BaseOrder,
        SelectionOrder::Random,
        SelectionOrder::NewestRelease,
        SelectionOrder::OldestRelease,
        SelectionOrder::MostRecentlyAdded,
        SelectionOrder::LeastRecentlyAdded,
        SelectionOrder::MostPopular,
        SelectionOrder::LeastPopular,
        SelectionOrder::Shortest,
        SelectionOrder::Longest,
    ];

    pub fn is_base(&self) -> bool {
        *self == SelectionOrder::BaseOrder
    }

    /// The field the order reads, if any.
    pub fn field(self) -> Option<Field> {
        match self {
            SelectionOrder::BaseOrder | SelectionOrder::Random => None,
            SelectionOrder::NewestRelease | SelectionOrder::OldestRelease => Some(Field::Release),
            SelectionOrder::MostRecentlyAdded | SelectionOrder::LeastRecentlyAdded => {
                Some(Field::Added)
            }
            SelectionOrder::MostPopular | SelectionOrder::LeastPopular => Some(Field::Popularity),
            SelectionOrder::Shortest | SelectionOrder::Longest => Some(Field::Duration),
        }
    }
}

/// Where a filter reads a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum FieldUse {
    Rule,
    Order,
    Dedupe,
    PerArtist,
    Limit,
}

impl Filter {
    /// Every field this filter reads and where: what enrichment must fetch, and what the
    /// availability check inspects.
    pub fn field_uses(&self) -> BTreeSet<(Field, FieldUse)> {
        let mut uses = BTreeSet::new();
        collect_rule_fields(&self.root, &mut uses);
        if let Some(dedupe) = self.post.dedupe {
            if dedupe.isrc {
                uses.insert((Field::Isrc, FieldUse::Dedupe));
            }
            if dedupe.title_artist {
                uses.insert((Field::Title, FieldUse::Dedupe));
                uses.insert((Field::PrimaryArtist, FieldUse::Dedupe));
            }
        }
        if let Some(field) = self.post.order.field() {
            uses.insert((field, FieldUse::Order));
        }
        if self.post.per_artist.is_some() {
            uses.insert((Field::PrimaryArtist, FieldUse::PerArtist));
        }
        if let Some(Limit::Duration(_)) = self.post.limit {
            uses.insert((Field::Duration, FieldUse::Limit));
        }
        uses
    }

    /// Every field this filter reads.
    pub fn fields(&self) -> BTreeSet<Field> {
        self.field_uses().into_iter().map(|(f, _)| f).collect()
    }

    /// Whether a rule reads a date relative to now (`added:<30d`): such a filter's result
    /// changes as days pass, even while the tracks stay the same.
    pub fn uses_relative_dates(&self) -> bool {
        fn relative(node: &Node) -> bool {
            match node {
                Node::Rule(Rule::Date {
                    op: DateOp::InTheLast(_) | DateOp::NotInTheLast(_),
                    ..
                }) => true,
                Node::Rule(_) => false,
                Node::Group(g) => g.children.iter().any(relative),
            }
        }
        relative(&self.root)
    }

    /// How many rules the tree holds.
    pub fn rule_count(&self) -> usize {
        fn count(node: &Node) -> usize {
            match node {
                Node::Rule(_) => 1,
                Node::Group(g) => g.children.iter().map(count).sum(),
            }
        }
        count(&self.root)
    }
}

fn collect_rule_fields(node: &Node, out: &mut BTreeSet<(Field, FieldUse)>) {
    match node {
        Node::Rule(rule) => {
            out.insert((rule.field(), FieldUse::Rule));
        }
        Node::Group(group) => {
            for child in &group.children {
                collect_rule_fields(child, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::query::{ParseErrorKind, parse};
    use serde_json::json;

    /// The JSON each type serialises to, pinned: ui/src/bindings (generated by ts-rs from these
    /// types) must describe exactly these shapes, since the UI builds filters in this form.
    #[test]
    fn json_shapes_are_the_ones_the_typescript_bindings_describe() {
        let f = parse(
            "title.exact:^The artist.all:{a,\"b c\"} year:!2000..2010 duration:<=4:30.5 \
             release:2015-06 added:>3m NONE(explicit:false) | dedupe isrc | per_artist 2 \
             | limit 1:00:00 by -added",
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            json!({
                "root": {"group": {"mode": "all", "children": [
                    {"rule": {"type": "text", "field": "title", "op": {"starts_with": "The"},
                              "exact": true}},
                    {"rule": {"type": "list", "field": "artist", "quantifier": "all_of",
                              "op": {"is_one_of": ["a", "b c"]}}},
                    {"rule": {"type": "number", "field": "year",
                              "op": {"not_in_range": [2000, 2010]}}},
                    {"rule": {"type": "duration", "field": "duration", "op": {"le": 270_500}}},
                    {"rule": {"type": "date", "field": "release", "op": {"is": "2015-06"}}},
                    {"rule": {"type": "date", "field": "added",
                              "op": {"not_in_the_last": {"amount": 3, "unit": "months"}}}},
                    {"group": {"mode": "none", "children": [
                        {"rule": {"type": "bool", "field": "explicit", "value": false}}
                    ]}}
                ]}},
                "post": {
                    "dedupe": {"isrc": true, "title_artist": false},
                    "order": "most_recently_added",
                    "per_artist": 2,
                    "limit": {"duration": 3_600_000}
                }
            })
        );
        // Optional parts are left out, and read back when absent or null.
        let bare = parse("").unwrap();
        assert_eq!(
            serde_json::to_value(&bare).unwrap(),
            json!({"root": {"group": {"mode": "all", "children": []}}})
        );
        let with_nulls: Filter = serde_json::from_value(json!({
            "root": {"group": {"mode": "any", "children": []}},
            "post": {"dedupe": null, "per_artist": null, "limit": {"tracks": 5}}
        }))
        .unwrap();
        assert_eq!(with_nulls.post.limit, Some(Limit::Tracks(5)));
        assert_eq!(with_nulls.post.order, SelectionOrder::BaseOrder);
        // A date is checked on the way in, as the UI may send anything.
        let bad_date = serde_json::from_value::<DateOp>(json!({"is": "2015-02-30"}));
        assert!(bad_date.is_err());

        let err = parse("gnre:rock").unwrap_err();
        assert_eq!(err.kind, ParseErrorKind::UnknownField);
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(json["column"], 1);
        assert_eq!(json["kind"], "unknown_field");
        assert_eq!(json["suggestion"], "genre");
        assert!(json["message"].is_string() && json["expected"].is_string());
    }
}
