//! What real Spotify answers that the contract does not promise, switched on by tests so the
//! client keeps coping with it: whole numbers written as floats (`1.0`, `33920.0`, seen in
//! March 2024), playlists listed with `"id": null` (a 2014 "Starred" entry) or without
//! `snapshot_id`, and Development Mode's plain-text 403 for an account missing from the app's
//! user list. Everything here rewrites an answer after its handler made it, so the library
//! and the paging stay as they are.

use std::collections::HashSet;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The body Development Mode sends (as `text/plain`) for an account that is not listed under
/// User Management in the app's dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppUserRefusal {
    /// "User not registered in the Developer Dashboard"
    #[default]
    NotRegistered,
    /// "User not approved for app"
    NotApproved,
}

impl AppUserRefusal {
    pub fn text(self) -> &'static str {
        match self {
            AppUserRefusal::NotRegistered => "User not registered in the Developer Dashboard",
            AppUserRefusal::NotApproved => "User not approved for app",
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Quirks {
    /// Integers in Web API answers are written as floats (`1` → `1.0`).
    pub integers_as_floats: bool,
    /// Playlists listed with `"id": null` (their ids, as generated).
    pub null_ids: HashSet<String>,
    /// Playlist objects come without `snapshot_id`.
    pub without_snapshot_id: bool,
    /// When set, only these users (indices) may use the Web API; the rest get the refusal.
    pub app_users: Option<(HashSet<usize>, AppUserRefusal)>,
}

impl Quirks {
    fn rewrites(&self, endpoint: &str) -> bool {
        self.integers_as_floats || (self.touches_playlists(endpoint) && self.rewrites_playlists())
    }

    fn rewrites_playlists(&self) -> bool {
        !self.null_ids.is_empty() || self.without_snapshot_id
    }

    fn touches_playlists(&self, endpoint: &str) -> bool {
        matches!(
            endpoint,
            "GET /v1/me/playlists" | "GET /v1/users/{id}/playlists" | "GET /v1/playlists/{id}"
        )
    }

    /// Whether `user` is refused by the app's user list, and with which words.
    pub fn refusal_for(&self, user: usize) -> Option<AppUserRefusal> {
        match &self.app_users {
            Some((listed, refusal)) if !listed.contains(&user) => Some(*refusal),
            _ => None,
        }
    }
}

/// Applies the armed quirks to one Web API answer.
pub(crate) async fn rewrite(quirks: RewriteSpec, endpoint: &str, response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if quirks.playlists {
        match endpoint {
            "GET /v1/playlists/{id}" => quirks.playlist_object(&mut value),
            _ => {
                if let Some(Value::Array(items)) = value.get_mut("items") {
                    for item in items {
                        quirks.playlist_object(item);
                    }
                }
            }
        }
    }
    if quirks.floats {
        floats(&mut value);
    }
    let text = value.to_string();
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(text.len()));
    Response::from_parts(parts, Body::from(text))
}

/// What to rewrite in one answer: copied out of the lock before the body is read.
pub(crate) struct RewriteSpec {
    floats: bool,
    playlists: bool,
    null_ids: HashSet<String>,
    without_snapshot_id: bool,
}

impl RewriteSpec {
    pub fn of(quirks: &Quirks, endpoint: &str) -> Option<RewriteSpec> {
        quirks.rewrites(endpoint).then(|| RewriteSpec {
            floats: quirks.integers_as_floats,
            playlists: quirks.touches_playlists(endpoint) && quirks.rewrites_playlists(),
            null_ids: quirks.null_ids.clone(),
            without_snapshot_id: quirks.without_snapshot_id,
        })
    }

    fn playlist_object(&self, v: &mut Value) {
        let Value::Object(map) = v else { return };
        if self.without_snapshot_id {
            map.remove("snapshot_id");
        }
        let listed_null = map
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| self.null_ids.contains(id));
        if listed_null {
            map.insert("id".into(), Value::Null);
            map.insert("uri".into(), Value::Null);
            map.insert("href".into(), Value::Null);
        }
    }
}

/// Every integer becomes the same number as a float, as Spotify's serializer sometimes did.
fn floats(v: &mut Value) {
    match v {
        Value::Number(n) if n.is_u64() || n.is_i64() => {
            let f = n.as_f64().unwrap_or_default();
            if let Some(as_float) = serde_json::Number::from_f64(f) {
                *n = as_float;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(floats),
        Value::Object(map) => map.values_mut().for_each(floats),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_turn_into_floats_everywhere() {
        let mut v =
            serde_json::json!({"total": 3, "items": [{"duration_ms": 33920, "x": 1.5, "b": true}]});
        floats(&mut v);
        let text = v.to_string();
        for part in [
            r#""total":3.0"#,
            r#""duration_ms":33920.0"#,
            r#""x":1.5"#,
            r#""b":true"#,
        ] {
            assert!(text.contains(part), "{text}");
        }
    }
}
