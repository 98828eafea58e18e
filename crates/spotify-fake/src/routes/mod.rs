//! The HTTP surface: the Web API under `/v1` and the Accounts service at the root.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::routing::{get, post};

use crate::error::ApiError;
use crate::state::Shared;

mod accounts;
mod catalog;
mod me;
mod playlists;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/me", get(me::current_user))
        .route(
            "/v1/me/playlists",
            get(me::my_playlists).post(me::create_my_playlist),
        )
        .route("/v1/me/tracks", get(me::saved_tracks))
        .route("/v1/users/{id}", get(me::user_profile))
        .route(
            "/v1/users/{id}/playlists",
            get(me::user_playlists).post(me::create_user_playlist),
        )
        .route(
            "/v1/playlists/{id}",
            get(playlists::get_playlist).put(playlists::change_details),
        )
        .route(
            "/v1/playlists/{id}/items",
            get(playlists::get_items)
                .post(playlists::add_items)
                .put(playlists::update_items)
                .delete(playlists::remove_items),
        )
        .route(
            "/v1/playlists/{id}/tracks",
            get(playlists::get_tracks)
                .post(playlists::add_tracks)
                .put(playlists::update_tracks)
                .delete(playlists::remove_tracks),
        )
        .route("/v1/tracks", get(catalog::several_tracks))
        .route("/v1/tracks/{id}", get(catalog::one_track))
        .route("/v1/artists", get(catalog::several_artists))
        .route("/v1/artists/{id}", get(catalog::one_artist))
        .route("/v1/albums", get(catalog::several_albums))
        .route("/v1/albums/{id}", get(catalog::one_album))
        .route("/v1/episodes/{id}", get(catalog::one_episode))
        .route("/authorize", get(accounts::authorize))
        .route("/api/token", post(accounts::token))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

async fn not_found() -> ApiError {
    ApiError::new(axum::http::StatusCode::NOT_FOUND, "Service not found")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
    )
}

/// Who is calling, from the bearer token.
pub(crate) struct Caller {
    pub user: usize,
    pub scope: String,
}

impl Caller {
    pub fn may_modify_playlists(&self) -> bool {
        self.scope
            .split(' ')
            .any(|s| s == "playlist-modify-public" || s == "playlist-modify-private")
    }

    /// `user-library-read`: what `GET /me/tracks` requires.
    pub fn may_read_library(&self) -> bool {
        self.scope.split(' ').any(|s| s == "user-library-read")
    }
}

pub(crate) fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let header = headers.get(AUTHORIZATION).and_then(|h| h.to_str().ok());
    let (user, scope) = shared
        .auth()
        .check(header)
        .map_err(|p| ApiError::unauthorized(p.message()))?;
    // Development Mode: an account missing from the app's user list is refused everywhere,
    // in plain text.
    if let Some(refusal) = shared.quirks().refusal_for(user) {
        return Err(ApiError::plain(
            axum::http::StatusCode::FORBIDDEN,
            refusal.text(),
        ));
    }
    Ok(Caller { user, scope })
}

pub(crate) type Params = HashMap<String, String>;

/// `limit` and `offset` validated against the contract's bounds; Spotify answers 400 for a
/// value out of range rather than clamping it.
pub(crate) fn page_params(
    params: &Params,
    max_limit: usize,
    max_offset: Option<usize>,
) -> Result<(usize, usize), ApiError> {
    let limit = match params.get("limit") {
        None => 20,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=max_limit).contains(l))
            .ok_or_else(|| ApiError::bad_request("Invalid limit"))?,
    };
    let offset = match params.get("offset") {
        None => 0,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|o| max_offset.is_none_or(|m| *o <= m))
            .ok_or_else(|| ApiError::bad_request("Invalid offset"))?,
    };
    Ok((offset, limit))
}

/// The request's query without `offset`/`limit`, re-encoded for `next`/`previous` links.
pub(crate) fn carried_query(params: &Params) -> String {
    let mut keys: Vec<&String> = params
        .keys()
        .filter(|k| *k != "offset" && *k != "limit")
        .collect();
    keys.sort();
    keys.iter()
        .map(|k| format!("{}={}", encode(k), encode(&params[*k])))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encoding for a query component (RFC 3986 unreserved characters kept).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_contract_are_rejected() {
        let p = |l: &str| Params::from([("limit".to_owned(), l.to_owned())]);
        assert_eq!(page_params(&p("50"), 50, None).unwrap(), (0, 50));
        assert!(page_params(&p("51"), 50, None).is_err());
        assert!(page_params(&p("0"), 50, None).is_err());
        assert!(page_params(&p("x"), 50, None).is_err());
        let o = Params::from([("offset".to_owned(), "100001".to_owned())]);
        assert!(page_params(&o, 50, Some(100_000)).is_err());
    }

    #[test]
    fn carried_query_encodes_and_drops_paging() {
        let p = Params::from([
            ("offset".to_owned(), "5".to_owned()),
            ("fields".to_owned(), "items(item(id)),next".to_owned()),
        ]);
        assert_eq!(carried_query(&p), "fields=items%28item%28id%29%29%2Cnext");
    }
}
