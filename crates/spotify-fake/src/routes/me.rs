//! `/me`, the user's playlists, and playlist creation.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use super::{Params, authenticate, carried_query, page_params};
use crate::error::ApiError;
use crate::model::Playlist;
use crate::render::{Render, paging};
use crate::state::Shared;

/// `GET /me/playlists` and `/users/{id}/playlists` accept offsets up to 100,000.
const MAX_PLAYLIST_OFFSET: usize = 100_000;

pub(super) async fn current_user(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&s, &headers)?;
    let lib = s.library();
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    Ok(Json(r.user_object(caller.user, true)))
}

pub(super) async fn user_profile(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    authenticate(&s, &headers)?;
    let lib = s.library();
    let user = lib.user(&id).ok_or_else(ApiError::not_found)?;
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    Ok(Json(r.user_object(user, false)))
}

fn playlists_page(
    s: &Shared,
    user: usize,
    only_public: bool,
    params: &Params,
    href: String,
) -> Result<Json<Value>, ApiError> {
    let (offset, limit) = page_params(params, 50, Some(MAX_PLAYLIST_OFFSET))?;
    let lib = s.library();
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    let visible: Vec<&Playlist> = lib.users[user]
        .playlists
        .iter()
        .map(|&p| &lib.playlists[p])
        .filter(|p| !only_public || p.public)
        .collect();
    let items = visible
        .iter()
        .skip(offset)
        .take(limit)
        .map(|p| r.simplified_playlist(p))
        .collect();
    Ok(Json(paging(
        &href,
        &carried_query(params),
        items,
        offset,
        limit,
        visible.len(),
    )))
}

pub(super) async fn my_playlists(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&s, &headers)?;
    let href = format!("{}/me/playlists", s.api_base());
    playlists_page(&s, caller.user, false, &params, href)
}

/// `GET /me/tracks`: the caller's Liked Songs, newest first, `limit` 1–50 and any offset (the
/// contract sets no maximum). Same in both modes. Without `user-library-read` Spotify answers
/// 403 "Insufficient client scope", as for a write without the playlist scopes.
pub(super) async fn saved_tracks(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&s, &headers)?;
    if !caller.may_read_library() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Insufficient client scope",
        ));
    }
    let (offset, limit) = page_params(&params, 50, None)?;
    let lib = s.library();
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    let liked = &lib.users[caller.user].liked;
    let items = liked
        .iter()
        .skip(offset)
        .take(limit)
        .map(|saved| r.saved_track(saved))
        .collect();
    Ok(Json(paging(
        &format!("{api}/me/tracks"),
        &carried_query(&params),
        items,
        offset,
        limit,
        liked.len(),
    )))
}

/// Removed from Development Mode in February 2026.
pub(super) async fn user_playlists(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    let caller = authenticate(&s, &headers)?;
    if !s.config.mode.user_playlist_endpoints() {
        return Err(ApiError::forbidden());
    }
    let user = s.library().user(&id).ok_or_else(ApiError::not_found)?;
    let href = format!("{}/users/{}/playlists", s.api_base(), id);
    playlists_page(&s, user, user != caller.user, &params, href)
}

#[derive(Debug)]
struct NewPlaylist {
    name: String,
    public: bool,
    collaborative: bool,
    description: String,
}

fn parse_new_playlist(body: &[u8]) -> Result<NewPlaylist, ApiError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|_| ApiError::bad_request("Error parsing JSON."))?;
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("Missing required field: name"))?;
    let public = v.get("public").and_then(Value::as_bool).unwrap_or(true);
    let collaborative = v
        .get("collaborative")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if collaborative && public {
        return Err(ApiError::bad_request(
            "Collaborative playlists can only be private.",
        ));
    }
    Ok(NewPlaylist {
        name: name.to_owned(),
        public,
        collaborative,
        description: v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
    })
}

fn create(s: &Shared, user: usize, body: &[u8]) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = parse_new_playlist(body)?;
    let mut lib = s.library_mut();
    // Ids of created playlists derive from the seed and the count so far: deterministic.
    let id = created_id(s.config.seed, lib.playlists.len());
    let idx = lib.playlists.len();
    lib.playlists.push(Playlist {
        id: id.clone(),
        name: new.name,
        description: new.description,
        owner: user,
        collaborators: Vec::new(),
        public: new.public,
        collaborative: new.collaborative,
        followers: 0,
        entries: Vec::new(),
        version: 1,
        image: None,
    });
    lib.index.playlists.insert(id, idx);
    lib.users[user].playlists.insert(0, idx);
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    let body = r.playlist(&lib.playlists[idx], s.legacy_tracks());
    Ok((StatusCode::CREATED, Json(body)))
}

fn created_id(seed: u64, n: usize) -> String {
    use sha2::{Digest, Sha256};
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let digest = Sha256::new()
        .chain_update(b"created-playlist")
        .chain_update(seed.to_be_bytes())
        .chain_update((n as u64).to_be_bytes())
        .finalize();
    digest
        .iter()
        .take(22)
        .map(|b| char::from(BASE62[usize::from(*b) % BASE62.len()]))
        .collect()
}

pub(super) async fn create_my_playlist(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = authenticate(&s, &headers)?;
    if !caller.may_modify_playlists() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Insufficient client scope",
        ));
    }
    create(&s, caller.user, &body)
}

/// Replaced by `POST /me/playlists` in Development Mode (February 2026).
pub(super) async fn create_user_playlist(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = authenticate(&s, &headers)?;
    if !s.config.mode.user_playlist_endpoints() {
        return Err(ApiError::forbidden());
    }
    if s.library().user(&id) != Some(caller.user) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "You cannot create a playlist for another user",
        ));
    }
    if !caller.may_modify_playlists() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Insufficient client scope",
        ));
    }
    create(&s, caller.user, &body)
}
