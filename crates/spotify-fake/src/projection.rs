//! The `fields` query parameter: `items(added_at,track(id,name,artists(id,name))),next,total`,
//! dotted paths (`tracks.items(track.id)`) and exclusions (`album(!images)`).
//!
//! A group lists fields to keep; if it lists only exclusions it keeps everything else.
//! Projection walks into arrays, so `items(track(id))` applies to every item.

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    name: String,
    exclude: bool,
    /// `None`: the whole value; `Some`: a nested projection.
    sub: Option<Vec<Field>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fields parameter at character {0}")]
pub(crate) struct ParseError(usize);

pub(crate) fn parse(input: &str) -> Result<Vec<Field>, ParseError> {
    let chars: Vec<char> = input.chars().collect();
    let mut pos = 0;
    let fields = parse_list(&chars, &mut pos)?;
    if pos != chars.len() {
        return Err(ParseError(pos));
    }
    Ok(fields)
}

fn parse_list(chars: &[char], pos: &mut usize) -> Result<Vec<Field>, ParseError> {
    let mut fields = vec![parse_field(chars, pos)?];
    while chars.get(*pos) == Some(&',') {
        *pos += 1;
        fields.push(parse_field(chars, pos)?);
    }
    Ok(fields)
}

fn parse_field(chars: &[char], pos: &mut usize) -> Result<Field, ParseError> {
    while chars.get(*pos).is_some_and(|c| c.is_whitespace()) {
        *pos += 1;
    }
    let exclude = chars.get(*pos) == Some(&'!');
    if exclude {
        *pos += 1;
    }
    let start = *pos;
    while chars
        .get(*pos)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
    {
        *pos += 1;
    }
    if *pos == start {
        return Err(ParseError(*pos));
    }
    let name: String = chars[start..*pos].iter().collect();
    let sub = match chars.get(*pos) {
        Some('.') => {
            *pos += 1;
            Some(vec![parse_field(chars, pos)?])
        }
        Some('(') => {
            *pos += 1;
            let list = parse_list(chars, pos)?;
            if chars.get(*pos) != Some(&')') {
                return Err(ParseError(*pos));
            }
            *pos += 1;
            Some(list)
        }
        _ => None,
    };
    while chars.get(*pos).is_some_and(|c| c.is_whitespace()) {
        *pos += 1;
    }
    Ok(Field { name, exclude, sub })
}

pub(crate) fn apply(value: &Value, fields: &[Field]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(|v| apply(v, fields)).collect()),
        Value::Object(map) => {
            let includes: Vec<&Field> = fields.iter().filter(|f| !f.exclude).collect();
            let mut out = Map::new();
            if includes.is_empty() {
                for (k, v) in map {
                    if !fields.iter().any(|f| f.exclude && f.name == *k) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            } else {
                // Keys in the order of the object, as Spotify returns them.
                for (k, v) in map {
                    let wanted: Vec<&&Field> = includes.iter().filter(|f| f.name == *k).collect();
                    if wanted.is_empty() {
                        continue;
                    }
                    let projected = if wanted.iter().any(|f| f.sub.is_none()) {
                        v.clone()
                    } else {
                        let merged: Vec<Field> = wanted
                            .iter()
                            .flat_map(|f| f.sub.clone().unwrap_or_default())
                            .collect();
                        apply(v, &merged)
                    };
                    out.insert(k.clone(), projected);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn project(v: Value, f: &str) -> Value {
        apply(&v, &parse(f).unwrap())
    }

    #[test]
    fn nested_groups_and_paging_fields() {
        let page = json!({
            "href": "h", "next": "n", "total": 2, "limit": 50,
            "items": [
                {"added_at": "a", "is_local": false, "item": {"id": "1", "name": "x", "popularity": 5,
                  "artists": [{"id": "ar", "name": "n", "href": "h"}]}},
                {"added_at": "b", "is_local": false, "item": null}
            ]
        });
        let got = project(
            page,
            "items(added_at,item(id,name,artists(id,name))),next,total",
        );
        assert_eq!(
            got,
            json!({
                "next": "n", "total": 2,
                "items": [
                    {"added_at": "a", "item": {"id": "1", "name": "x", "artists": [{"id": "ar", "name": "n"}]}},
                    {"added_at": "b", "item": null}
                ]
            })
        );
    }

    #[test]
    fn dots_and_exclusions() {
        let v = json!({"tracks": {"total": 3, "items": []}, "name": "p", "snapshot_id": "s"});
        assert_eq!(
            project(v.clone(), "snapshot_id,tracks.total"),
            json!({"snapshot_id": "s", "tracks": {"total": 3}})
        );
        assert_eq!(
            project(v, "!tracks"),
            json!({"name": "p", "snapshot_id": "s"})
        );
    }

    #[test]
    fn rejects_malformed_input() {
        assert!(parse("items(").is_err());
        assert!(parse("items)").is_err());
        assert!(parse("").is_err());
        assert!(parse("a,,b").is_err());
    }
}
