//! Catalog lookups: single (every mode) and batch (extended quota only since February 2026).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::{Params, authenticate};
use crate::error::ApiError;
use crate::model::{Library, is_base62_id};
use crate::render::Render;
use crate::state::Shared;

#[derive(Clone, Copy)]
enum Kind {
    Track,
    Artist,
    Album,
    Episode,
}

impl Kind {
    fn find(self, lib: &Library, id: &str) -> Option<usize> {
        match self {
            Kind::Track => lib.track(id),
            Kind::Artist => lib.index.artists.get(id).copied(),
            Kind::Album => lib.index.albums.get(id).copied(),
            Kind::Episode => lib.index.episodes.get(id).copied(),
        }
    }

    fn render(self, r: &Render<'_>, i: usize) -> Value {
        match self {
            Kind::Track => r.track(i),
            Kind::Artist => r.artist(i),
            Kind::Album => r.album(i),
            Kind::Episode => r.episode(i),
        }
    }

    /// The contract's batch limits: 50 tracks, 50 artists, 20 albums.
    fn batch_limit(self) -> usize {
        match self {
            Kind::Album => 20,
            _ => 50,
        }
    }

    fn plural(self) -> &'static str {
        match self {
            Kind::Track => "tracks",
            Kind::Artist => "artists",
            Kind::Album => "albums",
            Kind::Episode => "episodes",
        }
    }
}

fn one(s: &Shared, headers: &HeaderMap, kind: Kind, id: &str) -> Result<Json<Value>, ApiError> {
    authenticate(s, headers)?;
    if !is_base62_id(id) {
        return Err(ApiError::bad_request("Invalid base62 id"));
    }
    let lib = s.library();
    let i = kind.find(&lib, id).ok_or_else(ApiError::not_found)?;
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    Ok(Json(kind.render(&r, i)))
}

fn several(
    s: &Shared,
    headers: &HeaderMap,
    kind: Kind,
    params: &Params,
) -> Result<Json<Value>, ApiError> {
    authenticate(s, headers)?;
    // Development Mode apps lost the batch endpoints: observed answer 403 "Forbidden".
    if !s.config.mode.batch_lookups() {
        return Err(ApiError::forbidden());
    }
    let raw = params
        .get("ids")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::bad_request("invalid id"))?;
    let ids: Vec<&str> = raw.split(',').collect();
    if ids.len() > kind.batch_limit() {
        return Err(ApiError::bad_request("Too many ids requested"));
    }
    if ids.iter().any(|id| !is_base62_id(id)) {
        return Err(ApiError::bad_request("Invalid base62 id"));
    }
    let lib = s.library();
    let api = s.api_base();
    let r = Render {
        lib: &lib,
        mode: s.config.mode,
        api: &api,
    };
    // Unknown ids answer `null` in their slot, as Spotify does.
    let items: Vec<Value> = ids
        .iter()
        .map(|id| {
            kind.find(&lib, id)
                .map_or(Value::Null, |i| kind.render(&r, i))
        })
        .collect();
    Ok(Json(json!({ kind.plural(): items })))
}

pub(super) async fn one_track(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    one(&s, &headers, Kind::Track, &id)
}

pub(super) async fn one_artist(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    one(&s, &headers, Kind::Artist, &id)
}

pub(super) async fn one_album(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    one(&s, &headers, Kind::Album, &id)
}

pub(super) async fn one_episode(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    one(&s, &headers, Kind::Episode, &id)
}

pub(super) async fn several_tracks(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    several(&s, &headers, Kind::Track, &params)
}

pub(super) async fn several_artists(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    several(&s, &headers, Kind::Artist, &params)
}

pub(super) async fn several_albums(
    State(s): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Json<Value>, ApiError> {
    several(&s, &headers, Kind::Album, &params)
}
