//! A playlist, its items through both generations (`/tracks` carrying `track`, `/items`
//! carrying `item`), and writes. Every successful write bumps the snapshot id.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::{Caller, Params, authenticate, carried_query, page_params};
use crate::error::ApiError;
use crate::model::{Entry, EntryKind, Library, UriError, is_base62_id, snapshot_version};
use crate::projection;
use crate::render::{Render, paging};
use crate::state::Shared;

/// Writes take at most 100 URIs a request.
const MAX_WRITE: usize = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Generation {
    /// `/playlists/{id}/items`, entries carry `item`; owner or collaborator only.
    Items,
    /// `/playlists/{id}/tracks`, entries carry `track`; legacy.
    Tracks,
}

impl Generation {
    fn path(self) -> &'static str {
        match self {
            Generation::Items => "items",
            Generation::Tracks => "tracks",
        }
    }

    fn field(self) -> &'static str {
        match self {
            Generation::Items => "item",
            Generation::Tracks => "track",
        }
    }

    /// `/items` pages hold at most 50; the legacy `/tracks` contract allows 100.
    fn max_limit(self) -> usize {
        match self {
            Generation::Items => 50,
            Generation::Tracks => 100,
        }
    }
}

fn find_playlist(lib: &Library, id: &str) -> Result<usize, ApiError> {
    if !is_base62_id(id) {
        return Err(ApiError::bad_request("Invalid base62 id"));
    }
    lib.playlist(id).ok_or_else(ApiError::not_found)
}

fn parse_fields(params: &Params) -> Result<Option<Vec<projection::Field>>, ApiError> {
    params
        .get("fields")
        .map(|f| projection::parse(f).map_err(|e| ApiError::bad_request(e.to_string())))
        .transpose()
}

fn check_generation(s: &Shared, generation: Generation) -> Result<(), ApiError> {
    if generation == Generation::Tracks && !s.legacy_tracks() {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

pub(super) async fn get_playlist(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&s, &headers)?;
    let fields = parse_fields(&params)?;
    let lib = s.library();
    let p = find_playlist(&lib, &id)?;
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    let body = r.playlist(&lib.playlists[p], s.legacy_tracks());
    Ok(Json(match fields {
        Some(f) => projection::apply(&body, &f),
        None => body,
    }))
}

pub(super) async fn change_details(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let caller = authenticate(&s, &headers)?;
    let v: Value =
        serde_json::from_slice(&body).map_err(|_| ApiError::bad_request("Error parsing JSON."))?;
    let mut lib = s.library_mut();
    let p = find_playlist(&lib, &id)?;
    let playlist = &mut lib.playlists[p];
    if playlist.owner != caller.user || !caller.may_modify_playlists() {
        return Err(ApiError::forbidden());
    }
    if let Some(name) = v.get("name").and_then(Value::as_str) {
        playlist.name = name.to_owned();
    }
    if let Some(d) = v.get("description").and_then(Value::as_str) {
        playlist.description = d.to_owned();
    }
    if let Some(public) = v.get("public").and_then(Value::as_bool) {
        playlist.public = public;
    }
    if let Some(c) = v.get("collaborative").and_then(Value::as_bool) {
        playlist.collaborative = c;
    }
    playlist.version += 1;
    Ok(StatusCode::OK)
}

fn read_items(
    s: &Shared,
    headers: &HeaderMap,
    id: &str,
    params: &Params,
    generation: Generation,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(s, headers)?;
    check_generation(s, generation)?;
    let (offset, limit) = page_params(params, generation.max_limit(), None)?;
    let fields = parse_fields(params)?;
    let lib = s.library();
    let p = &lib.playlists[find_playlist(&lib, id)?];
    if generation == Generation::Items && !p.can_write(caller.user) {
        return Err(ApiError::forbidden());
    }
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    let items = p
        .entries
        .iter()
        .skip(offset)
        .take(limit)
        .map(|e| r.playlist_entry(e, generation.field()))
        .collect();
    let href = format!("{api}/playlists/{}/{}", p.id, generation.path());
    let page = paging(
        &href,
        &carried_query(params),
        items,
        offset,
        limit,
        p.entries.len(),
    );
    Ok(Json(match fields {
        Some(f) => projection::apply(&page, &f),
        None => page,
    }))
}

pub(super) async fn get_items(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    read_items(&s, &headers, &id, &params, Generation::Items)
}

pub(super) async fn get_tracks(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    read_items(&s, &headers, &id, &params, Generation::Tracks)
}

/// The JSON body, or an empty object when there is none (URIs may come in the query).
fn body_json(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request("Error parsing JSON."))
}

/// URIs from the `uris` query parameter (which wins, as documented) or the body's array.
fn uris_from(params: &Params, body: &Value) -> Result<Option<Vec<String>>, ApiError> {
    if let Some(q) = params.get("uris") {
        return Ok(Some(
            q.split(',')
                .map(|u| u.trim().to_owned())
                .filter(|u| !u.is_empty())
                .collect(),
        ));
    }
    match body.get("uris") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|u| {
                u.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| ApiError::bad_request("Invalid track uri"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ApiError::bad_request("Invalid track uri")),
    }
}

fn resolve(lib: &Library, uris: &[String]) -> Result<Vec<EntryKind>, ApiError> {
    uris.iter()
        .map(|uri| {
            lib.entry_for_uri(uri).map_err(|e| match e {
                UriError::Malformed => ApiError::bad_request(format!("Invalid track uri: {uri}")),
                UriError::Unknown => ApiError::bad_request("Payload contains a non-existing ID"),
            })
        })
        .collect()
}

fn writable(lib: &Library, id: &str, caller: &Caller) -> Result<usize, ApiError> {
    let p = find_playlist(lib, id)?;
    if !lib.playlists[p].can_write(caller.user) {
        return Err(ApiError::forbidden());
    }
    if !caller.may_modify_playlists() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Insufficient client scope",
        ));
    }
    Ok(p)
}

fn check_snapshot(lib: &Library, p: usize, body: &Value) -> Result<(), ApiError> {
    if let Some(snap) = body.get("snapshot_id").and_then(Value::as_str) {
        let playlist = &lib.playlists[p];
        match snapshot_version(&playlist.id, snap) {
            Some(v) if v <= playlist.version => {}
            _ => return Err(ApiError::bad_request("Invalid snapshot id")),
        }
    }
    Ok(())
}

fn new_entries(kinds: Vec<EntryKind>, user: usize) -> Vec<Entry> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    kinds
        .into_iter()
        .map(|kind| Entry {
            kind,
            added_at: now,
            added_by: user,
        })
        .collect()
}

fn snapshot_reply(lib: &Library, p: usize) -> Json<Value> {
    Json(json!({"snapshot_id": lib.playlists[p].snapshot_id()}))
}

fn add(
    s: &Shared,
    headers: &HeaderMap,
    id: &str,
    params: &Params,
    body: &[u8],
    generation: Generation,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = authenticate(s, headers)?;
    check_generation(s, generation)?;
    let body = body_json(body)?;
    let uris = uris_from(params, &body)?.unwrap_or_default();
    if uris.is_empty() {
        return Err(ApiError::bad_request("No uris provided"));
    }
    if uris.len() > MAX_WRITE {
        return Err(ApiError::bad_request(
            "You can add a maximum of 100 tracks per request.",
        ));
    }
    let position = match params.get("position") {
        Some(raw) => Some(
            raw.parse::<usize>()
                .map_err(|_| ApiError::bad_request("Invalid position"))?,
        ),
        None => match body.get("position") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .map(|p| p as usize)
                    .ok_or_else(|| ApiError::bad_request("Invalid position"))?,
            ),
        },
    };
    let mut lib = s.library_mut();
    let p = writable(&lib, id, &caller)?;
    let kinds = resolve(&lib, &uris)?;
    let playlist = &mut lib.playlists[p];
    let at = position.unwrap_or(playlist.entries.len());
    if at > playlist.entries.len() {
        return Err(ApiError::bad_request("Index out of bounds"));
    }
    let added = new_entries(kinds, caller.user);
    playlist.entries.splice(at..at, added);
    playlist.version += 1;
    Ok((StatusCode::CREATED, snapshot_reply(&lib, p)))
}

fn update(
    s: &Shared,
    headers: &HeaderMap,
    id: &str,
    params: &Params,
    body: &[u8],
    generation: Generation,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(s, headers)?;
    check_generation(s, generation)?;
    let body = body_json(body)?;
    let uris = uris_from(params, &body)?;
    let mut lib = s.library_mut();
    let p = writable(&lib, id, &caller)?;
    check_snapshot(&lib, p, &body)?;
    if let Some(uris) = uris {
        // Replace: the list may be empty (clears the playlist).
        if uris.len() > MAX_WRITE {
            return Err(ApiError::bad_request(
                "You can set a maximum of 100 tracks per request.",
            ));
        }
        let kinds = resolve(&lib, &uris)?;
        let entries = new_entries(kinds, caller.user);
        let playlist = &mut lib.playlists[p];
        playlist.entries = entries;
        playlist.version += 1;
        return Ok(snapshot_reply(&lib, p));
    }
    let int = |key: &str| body.get(key).and_then(Value::as_u64).map(|v| v as usize);
    let (Some(start), Some(before)) = (int("range_start"), int("insert_before")) else {
        return Err(ApiError::bad_request(
            "Either uris or range_start and insert_before are required",
        ));
    };
    let length = int("range_length").unwrap_or(1);
    let playlist = &mut lib.playlists[p];
    let len = playlist.entries.len();
    if length == 0 || start + length > len || before > len {
        return Err(ApiError::bad_request("Index out of bounds"));
    }
    let moved: Vec<Entry> = playlist.entries.drain(start..start + length).collect();
    let target = if before > start {
        before.saturating_sub(length).max(start)
    } else {
        before
    };
    playlist.entries.splice(target..target, moved);
    playlist.version += 1;
    Ok(snapshot_reply(&lib, p))
}

fn remove(
    s: &Shared,
    headers: &HeaderMap,
    id: &str,
    body: &[u8],
    generation: Generation,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(s, headers)?;
    check_generation(s, generation)?;
    let body = body_json(body)?;
    // The legacy generation names the array `tracks`, the new one `items`.
    let key = generation.path();
    let list = body
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request(format!("Missing required field: {key}")))?;
    if list.len() > MAX_WRITE {
        return Err(ApiError::bad_request(
            "You can remove a maximum of 100 tracks per request.",
        ));
    }
    let mut targets: Vec<(String, Option<Vec<usize>>)> = Vec::with_capacity(list.len());
    for obj in list {
        let uri = obj
            .get("uri")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("Invalid track uri"))?;
        let positions = obj.get("positions").and_then(Value::as_array).map(|ps| {
            ps.iter()
                .filter_map(Value::as_u64)
                .map(|p| p as usize)
                .collect()
        });
        targets.push((uri.to_owned(), positions));
    }
    let mut lib = s.library_mut();
    let p = writable(&lib, id, &caller)?;
    check_snapshot(&lib, p, &body)?;
    for (uri, _) in &targets {
        if !uri.starts_with("spotify:local:") {
            lib.entry_for_uri(uri).map_err(|e| match e {
                UriError::Malformed => ApiError::bad_request(format!("Invalid track uri: {uri}")),
                UriError::Unknown => ApiError::bad_request("Payload contains a non-existing ID"),
            })?;
        }
    }
    let uris: Vec<Option<String>> = lib.playlists[p]
        .entries
        .iter()
        .map(|e| lib.entry_uri(&e.kind))
        .collect();
    let keep: Vec<bool> = uris
        .iter()
        .enumerate()
        .map(|(pos, uri)| {
            !targets.iter().any(|(target, positions)| {
                uri.as_deref() == Some(target.as_str())
                    && positions.as_ref().is_none_or(|ps| ps.contains(&pos))
            })
        })
        .collect();
    let playlist = &mut lib.playlists[p];
    let mut flags = keep.into_iter();
    playlist.entries.retain(|_| flags.next().unwrap_or(true));
    playlist.version += 1;
    Ok(snapshot_reply(&lib, p))
}

pub(super) async fn add_items(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    add(&s, &headers, &id, &params, &body, Generation::Items)
}

pub(super) async fn add_tracks(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    add(&s, &headers, &id, &params, &body, Generation::Tracks)
}

pub(super) async fn update_items(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    update(&s, &headers, &id, &params, &body, Generation::Items)
}

pub(super) async fn update_tracks(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    update(&s, &headers, &id, &params, &body, Generation::Tracks)
}

pub(super) async fn remove_items(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    remove(&s, &headers, &id, &body, Generation::Items)
}

pub(super) async fn remove_tracks(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    remove(&s, &headers, &id, &body, Generation::Tracks)
}
