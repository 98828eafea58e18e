//! The stable JSON form of a filter, for the local store and the cloud.
//!
//! Every document carries `schema_version`. Saving always writes [`SCHEMA_VERSION`]; loading
//! accepts every version ever written and migrates it, so a filter saved by an older app (or
//! synced from an older device) keeps working. A document from a newer app is refused with a
//! message saying to update, never half-read.
//!
//! History:
//! - **1**: the design draft's flat, Smart-Playlist-like form: `match` (`all`/`any`), a list of
//!   `{field, operator, value}` rules, and an optional `limit {tracks|minutes, selected_by}`.
//! - **2**: the rule tree (`root`: nested groups of typed rules) and `post` (dedupe, order,
//!   per-artist cap, limit), exactly the serde form of [`Filter`].
//!
//! A loaded filter passes the same checks as a parsed query ([`super::limits`]): a document
//! nested past [`MAX_DEPTH`] groups, or holding a rule no track can match, is refused with the
//! reason rather than handed on to fail later (or, nested past serde_json's recursion limit,
//! with an opaque "recursion limit exceeded").

use super::field::{
    BoolField, DateField, DurationField, Field, FieldKind, ListField, NumberField, TextField,
};
use super::limits::{LimitError, MAX_DEPTH, json_nesting, validate};
use super::model::{
    CompareOp, DateOp, Filter, Group, GroupMode, Limit, Node, PostSteps, Quantifier, Rule,
    SelectionOrder, TextOp,
};
use super::value::{DurationMs, PartialDate, RelativeSpan, SpanUnit};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// The version [`to_json`] writes.
pub const SCHEMA_VERSION: u32 = 2;

/// Why a stored filter could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LoadError {
    #[error("the filter is not valid JSON: {0}")]
    Syntax(String),
    #[error("the filter has no `schema_version`; it was not written by Syncer")]
    MissingVersion,
    #[error(
        "the filter was saved by a newer Syncer (schema {found}, this app reads up to \
         {supported}); update Syncer to use it"
    )]
    TooNew { found: u64, supported: u32 },
    #[error("the filter (schema {version}) is damaged: {message}")]
    Invalid { version: u64, message: String },
    #[error(
        "the filter nests {levels} levels deep, more than a filter of at most {MAX_DEPTH} \
         nested groups can"
    )]
    TooDeep { levels: usize },
    #[error("the filter cannot be used: {0}")]
    Refused(#[from] LimitError),
}

#[derive(Serialize)]
struct Stored<'a> {
    schema_version: u32,
    #[serde(flatten)]
    filter: &'a Filter,
}

/// The filter as a JSON value at the current schema version.
pub fn to_json_value(filter: &Filter) -> Value {
    serde_json::to_value(Stored {
        schema_version: SCHEMA_VERSION,
        filter,
    })
    // A Filter has only string map keys and finite numbers: serialising cannot fail.
    .unwrap_or(Value::Null)
}

/// The filter as JSON text at the current schema version.
pub fn to_json(filter: &Filter) -> String {
    to_json_value(filter).to_string()
}

/// Loads a filter saved by any version of Syncer.
pub fn from_json(text: &str) -> Result<Filter, LoadError> {
    // Measured before parsing: past serde_json's own limit the parser only says "recursion
    // limit exceeded", and a document this deep is refused whatever else it holds.
    let levels = nesting(text);
    if levels > json_nesting(MAX_DEPTH) {
        return Err(LoadError::TooDeep { levels });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| LoadError::Syntax(e.to_string()))?;
    from_json_value(value)
}

/// How deeply arrays and objects nest in JSON text (brackets inside strings do not count).
/// Malformed text gets some number; the parser reports what is wrong with it.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Loads a filter from a JSON value saved by any version of Syncer, and checks it as a parsed
/// query is checked ([`validate`]).
pub fn from_json_value(value: Value) -> Result<Filter, LoadError> {
    let filter = decode(value)?;
    validate(&filter)?;
    Ok(filter)
}

fn decode(value: Value) -> Result<Filter, LoadError> {
    let version = value
        .get("schema_version")
        .and_then(Value::as_u64)
        .ok_or(LoadError::MissingVersion)?;
    let invalid = |e: serde_json::Error| LoadError::Invalid {
        version,
        message: e.to_string(),
    };
    match version {
        1 => {
            let v1: V1Filter = serde_json::from_value(value).map_err(invalid)?;
            v1.migrate()
                .map_err(|message| LoadError::Invalid { version, message })
        }
        2 => serde_json::from_value(value).map_err(invalid),
        found => Err(if found > u64::from(SCHEMA_VERSION) {
            LoadError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            }
        } else {
            LoadError::Invalid {
                version,
                message: "no such schema version".into(),
            }
        }),
    }
}

/// Schema 1, kept only to read old documents.
#[derive(Deserialize)]
struct V1Filter {
    #[serde(rename = "match")]
    match_mode: V1Match,
    rules: Vec<V1Rule>,
    #[serde(default)]
    limit: Option<V1Limit>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum V1Match {
    All,
    Any,
}

#[derive(Deserialize)]
struct V1Rule {
    field: String,
    operator: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct V1Limit {
    #[serde(default)]
    tracks: Option<u32>,
    #[serde(default)]
    minutes: Option<u64>,
    #[serde(default)]
    selected_by: Option<String>,
}

impl V1Filter {
    fn migrate(self) -> Result<Filter, String> {
        let children = self
            .rules
            .iter()
            .map(|r| r.migrate().map(Node::Rule))
            .collect::<Result<Vec<_>, _>>()?;
        let mode = match self.match_mode {
            V1Match::All => GroupMode::All,
            V1Match::Any => GroupMode::Any,
        };
        let mut post = PostSteps::default();
        if let Some(limit) = self.limit {
            post.limit = match (limit.tracks, limit.minutes) {
                (Some(n), _) => Some(Limit::Tracks(n)),
                (None, Some(m)) => {
                    Some(Limit::Duration(DurationMs::from_secs(m.saturating_mul(60))))
                }
                (None, None) => None,
            };
            post.order = match limit.selected_by.as_deref() {
                None | Some("base_order") => SelectionOrder::BaseOrder,
                Some("random") => SelectionOrder::Random,
                Some("newest") => SelectionOrder::NewestRelease,
                Some("oldest") => SelectionOrder::OldestRelease,
                Some("most_recently_added") => SelectionOrder::MostRecentlyAdded,
                Some("least_recently_added") => SelectionOrder::LeastRecentlyAdded,
                Some("most_popular") => SelectionOrder::MostPopular,
                Some("least_popular") => SelectionOrder::LeastPopular,
                Some("shortest") => SelectionOrder::Shortest,
                Some("longest") => SelectionOrder::Longest,
                Some(other) => return Err(format!("unknown selection `{other}`")),
            };
        }
        Ok(Filter {
            root: Node::Group(Group::new(mode, children)),
            post,
        })
    }
}

impl V1Rule {
    fn migrate(&self) -> Result<Rule, String> {
        let field = Field::from_name(&self.field)
            .ok_or_else(|| format!("unknown field `{}`", self.field))?;
        let op = self.operator.as_str();
        let bad_op = || format!("operator `{op}` does not apply to `{field}`");
        let bad_value = || format!("bad value for `{field} {op}`: {}", self.value);
        let text = || self.value.as_str().map(str::to_owned).ok_or_else(bad_value);
        let text_op = || -> Result<(TextOp, bool), String> {
            // (operator, whether a list rule negates it into "none of").
            Ok(match op {
                "is" => (TextOp::Is(text()?), false),
                "is_not" => (TextOp::Is(text()?), true),
                "contains" => (TextOp::Contains(text()?), false),
                "does_not_contain" => (TextOp::Contains(text()?), true),
                "starts_with" => (TextOp::StartsWith(text()?), false),
                "ends_with" => (TextOp::EndsWith(text()?), false),
                "matches" => (TextOp::Matches(text()?), false),
                _ => return Err(bad_op()),
            })
        };
        let int = || self.value.as_i64().ok_or_else(bad_value);
        let date =
            || text().and_then(|t| PartialDate::parse(&t).map_err(|e| format!("{e}: `{t}`")));
        Ok(match field.kind() {
            FieldKind::Text => {
                let field = TextField::from_field(field).ok_or_else(bad_op)?;
                let (op, negate) = text_op()?;
                let op = match (op, negate) {
                    (TextOp::Is(v), true) => TextOp::IsNot(v),
                    (TextOp::Contains(v), true) => TextOp::DoesNotContain(v),
                    (op, _) => op,
                };
                Rule::Text {
                    field,
                    op,
                    exact: false,
                }
            }
            FieldKind::List => {
                let field = ListField::from_field(field).ok_or_else(bad_op)?;
                let (op, negate) = text_op()?;
                Rule::List {
                    field,
                    quantifier: if negate {
                        Quantifier::NoneOf
                    } else {
                        Quantifier::AnyOf
                    },
                    op,
                    exact: false,
                }
            }
            FieldKind::Number => Rule::Number {
                field: NumberField::from_field(field).ok_or_else(bad_op)?,
                op: v1_compare(op, int()?).ok_or_else(bad_op)?,
            },
            FieldKind::Duration => {
                // Schema 1 stored durations in whole seconds.
                let secs = u64::try_from(int()?).map_err(|_| bad_value())?;
                Rule::Duration {
                    field: DurationField::from_field(field).ok_or_else(bad_op)?,
                    op: v1_compare(op, DurationMs::from_secs(secs)).ok_or_else(bad_op)?,
                }
            }
            FieldKind::Date => Rule::Date {
                field: DateField::from_field(field).ok_or_else(bad_op)?,
                op: match op {
                    "is" => DateOp::Is(date()?),
                    "before" => DateOp::Before(date()?),
                    "after" => DateOp::After(date()?),
                    "in_the_last_days" => DateOp::InTheLast(RelativeSpan {
                        amount: u32::try_from(int()?).map_err(|_| bad_value())?,
                        unit: SpanUnit::Days,
                    }),
                    _ => return Err(bad_op()),
                },
            },
            FieldKind::Bool => Rule::Bool {
                field: BoolField::from_field(field).ok_or_else(bad_op)?,
                value: match op {
                    "is_true" => true,
                    "is_false" => false,
                    _ => return Err(bad_op()),
                },
            },
            // Schema 1 had no library rules.
            FieldKind::Playlist => return Err(bad_op()),
        })
    }
}

fn v1_compare<T>(op: &str, v: T) -> Option<CompareOp<T>> {
    Some(match op {
        "=" => CompareOp::Eq(v),
        "!=" => CompareOp::Ne(v),
        "<" => CompareOp::Lt(v),
        "<=" => CompareOp::Le(v),
        ">" => CompareOp::Gt(v),
        ">=" => CompareOp::Ge(v),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::query::parse;

    #[test]
    fn saves_the_current_version_and_loads_it_back() {
        let filter = parse(
            r#"genre:"indie rock" year:2015..2020 -explicit (artist:radiohead OR artist:"thom yorke") added:<30d duration:<4:30 | dedupe isrc | limit 50 by -added"#,
        )
        .unwrap();
        let json = to_json_value(&filter);
        assert_eq!(json["schema_version"], 2);
        assert_eq!(from_json(&json.to_string()).unwrap(), filter);
    }

    #[test]
    fn the_current_form_is_pinned() {
        let filter = parse("title:=Creep artist.none:=Muse year:>=2000 | limit 10").unwrap();
        assert_eq!(
            to_json_value(&filter),
            serde_json::json!({
                "schema_version": 2,
                "root": {"group": {"mode": "all", "children": [
                    {"rule": {"type": "text", "field": "title", "op": {"is": "Creep"}}},
                    {"rule": {"type": "list", "field": "artist", "quantifier": "none_of",
                              "op": {"is": "Muse"}}},
                    {"rule": {"type": "number", "field": "year", "op": {"ge": 2000}}}
                ]}},
                "post": {"limit": {"tracks": 10}}
            })
        );
    }

    #[test]
    fn refuses_newer_and_unversioned_documents_clearly() {
        let err = from_json(r#"{"schema_version": 99, "root": {}}"#).unwrap_err();
        assert!(err.to_string().contains("update Syncer"), "{err}");
        assert_eq!(from_json("{}").unwrap_err(), LoadError::MissingVersion);
        assert!(matches!(from_json("{"), Err(LoadError::Syntax(_))));
        assert!(matches!(
            from_json(r#"{"schema_version": 0}"#),
            Err(LoadError::Invalid { .. })
        ));
    }

    /// A rule under `depth` negations, built as the model (the parser refuses it past the
    /// maximum), as a stored document.
    fn chain_json(depth: usize) -> String {
        let mut node = Node::Rule(Rule::Bool {
            field: BoolField::Explicit,
            value: true,
        });
        for _ in 0..depth {
            node = Node::Group(Group::new(GroupMode::None, vec![node]));
        }
        to_json(&Filter {
            root: node,
            post: PostSteps::default(),
        })
    }

    #[test]
    fn a_document_nested_past_the_maximum_is_refused_with_the_reason() {
        assert!(from_json(&chain_json(MAX_DEPTH)).is_ok());
        // Just past the maximum: refused by the depth check (a value from the cloud), or
        // already by the measure of the text.
        let value: Value = serde_json::from_str(&chain_json(MAX_DEPTH + 1)).unwrap();
        assert_eq!(
            from_json_value(value),
            Err(LoadError::Refused(LimitError::TooDeep {
                depth: MAX_DEPTH + 1
            }))
        );
        assert!(matches!(
            from_json(&chain_json(MAX_DEPTH + 1)),
            Err(LoadError::TooDeep { .. } | LoadError::Refused(LimitError::TooDeep { .. }))
        ));
        // 42 deep (issue 16): past serde_json's limit; refused before parsing, with a reason
        // that names the depth rather than "recursion limit exceeded".
        let err = from_json(&chain_json(42)).unwrap_err();
        assert!(matches!(err, LoadError::TooDeep { .. }), "{err}");
        assert!(err.to_string().contains("16 nested groups"), "{err}");
    }

    #[test]
    fn brackets_inside_strings_do_not_count_as_nesting() {
        assert_eq!(nesting(r#"{"a": "[[[{{{\"]]]", "b": [1, [2]]}"#), 3);
        assert_eq!(nesting("[]"), 1);
        assert_eq!(nesting("\"x"), 0);
    }

    #[test]
    fn a_stored_rule_no_track_can_match_is_refused_as_the_parser_refuses_it() {
        let json = r#"{"schema_version": 2, "root": {"rule": {"type": "number",
            "field": "year", "op": {"in_range": [5, 1]}}}, "post": {"limit": {"tracks": 3}}}"#;
        let err = from_json(json).unwrap_err();
        let parsed = parse("year:5..1").unwrap_err();
        match &err {
            LoadError::Refused(limit) => assert_eq!(limit.to_string(), parsed.message),
            other => panic!("{other}"),
        }
        let json = r#"{"schema_version": 2, "root": {"group": {"mode": "all", "children": []}},
            "post": {"per_artist": 0}}"#;
        assert!(matches!(from_json(json), Err(LoadError::Refused(_))));
    }
}
