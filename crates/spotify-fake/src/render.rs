//! Model → Spotify JSON, per mode. Every object carries the fields the contract declares;
//! Development Mode leaves out what the February 2026 changes removed (see `Mode`).

use serde_json::{Map, Value, json};

use crate::mode::Mode;
use crate::model::{Entry, EntryKind, Library, LocalFile, Playlist, Saved};
use crate::time::format_rfc3339;

/// Markets a catalog object is "available" in (extended quota only for tracks).
const MARKETS: &[&str] = &[
    "AR", "AT", "AU", "BE", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IT", "JP",
    "MX", "NL", "NO", "NZ", "PL", "PT", "SE", "US",
];

pub(crate) struct Render<'a> {
    pub lib: &'a Library,
    pub mode: Mode,
    /// `http://127.0.0.1:PORT/v1`
    pub api: &'a str,
}

fn external_urls(kind: &str, id: &str) -> Value {
    json!({"spotify": format!("https://open.spotify.com/{kind}/{id}")})
}

fn images(url: &str) -> Value {
    json!([
        {"url": url, "height": 640, "width": 640},
        {"url": format!("{url}?s=300"), "height": 300, "width": 300},
        {"url": format!("{url}?s=64"), "height": 64, "width": 64},
    ])
}

fn insert_all(map: &mut Map<String, Value>, value: Value) {
    if let Value::Object(extra) = value {
        map.extend(extra);
    }
}

impl Render<'_> {
    fn full(&self) -> bool {
        self.mode.full_metadata()
    }

    pub fn user_object(&self, user: usize, private: bool) -> Value {
        let u = &self.lib.users[user];
        let mut v = json!({
            "display_name": u.display_name,
            "external_urls": external_urls("user", &u.id),
            "followers": {"href": null, "total": u.followers},
            "href": format!("{}/users/{}", self.api, u.id),
            "id": u.id,
            "images": [],
            "type": "user",
            "uri": format!("spotify:user:{}", u.id),
        });
        if private && let Value::Object(map) = &mut v {
            insert_all(
                map,
                json!({
                    "country": u.country,
                    "email": u.email,
                    "explicit_content": {"filter_enabled": false, "filter_locked": false},
                    "product": u.product,
                }),
            );
        }
        v
    }

    /// `PlaylistOwnerObject` / `PlaylistUserObject`.
    fn playlist_user(&self, user: usize, with_name: bool) -> Value {
        let u = &self.lib.users[user];
        let mut v = json!({
            "external_urls": external_urls("user", &u.id),
            "href": format!("{}/users/{}", self.api, u.id),
            "id": u.id,
            "type": "user",
            "uri": format!("spotify:user:{}", u.id),
        });
        if with_name && let Value::Object(map) = &mut v {
            map.insert("display_name".into(), json!(u.display_name));
        }
        v
    }

    pub fn simplified_artist(&self, a: usize) -> Value {
        let artist = &self.lib.artists[a];
        json!({
            "external_urls": external_urls("artist", &artist.id),
            "href": format!("{}/artists/{}", self.api, artist.id),
            "id": artist.id,
            "name": artist.name,
            "type": "artist",
            "uri": format!("spotify:artist:{}", artist.id),
        })
    }

    pub fn artist(&self, a: usize) -> Value {
        let artist = &self.lib.artists[a];
        let mut v = self.simplified_artist(a);
        if let Value::Object(map) = &mut v {
            map.insert(
                "images".into(),
                images(&format!(
                    "https://i.scdn.co/image/ab6761610000e5eb{}",
                    artist.id.to_lowercase()
                )),
            );
            // Development Mode: genres is reported empty in practice; popularity and followers
            // are gone.
            let genres: Vec<&str> = if self.full() {
                artist.genres.clone()
            } else {
                Vec::new()
            };
            map.insert("genres".into(), json!(genres));
            if self.full() {
                map.insert("popularity".into(), json!(artist.popularity));
                map.insert(
                    "followers".into(),
                    json!({"href": null, "total": artist.followers}),
                );
            }
        }
        v
    }

    fn album_base(&self, a: usize) -> Map<String, Value> {
        let album = &self.lib.albums[a];
        let mut map = Map::new();
        insert_all(
            &mut map,
            json!({
                "album_type": album.album_type.as_str(),
                "total_tracks": album.tracks.len(),
                // Album markets are not among the fields NOTES.md lists as removed.
                "available_markets": MARKETS,
                "external_urls": external_urls("album", &album.id),
                "href": format!("{}/albums/{}", self.api, album.id),
                "id": album.id,
                "images": images(&album.image),
                "name": album.name,
                "release_date": album.release_date,
                "release_date_precision": album.precision.as_str(),
                "type": "album",
                "uri": format!("spotify:album:{}", album.id),
                "artists": album.artists.iter().map(|&x| self.simplified_artist(x)).collect::<Vec<_>>(),
            }),
        );
        map
    }

    pub fn simplified_album(&self, a: usize) -> Value {
        Value::Object(self.album_base(a))
    }

    pub fn album(&self, a: usize) -> Value {
        let album = &self.lib.albums[a];
        let mut map = self.album_base(a);
        let page: Vec<Value> = album
            .tracks
            .iter()
            .take(50)
            .map(|&t| self.simplified_track(t))
            .collect();
        let href = format!("{}/albums/{}/tracks", self.api, album.id);
        map.insert(
            "tracks".into(),
            paging(&href, "", page, 0, 50, album.tracks.len()),
        );
        map.insert(
            "copyrights".into(),
            json!([
                {"text": format!("© {} {}", album.release_date.get(..4).unwrap_or(""), album.label), "type": "C"},
                {"text": format!("℗ {} {}", album.release_date.get(..4).unwrap_or(""), album.label), "type": "P"},
            ]),
        );
        map.insert("external_ids".into(), json!({"upc": album.upc}));
        map.insert("genres".into(), json!([]));
        if self.full() {
            map.insert("label".into(), json!(album.label));
            map.insert("popularity".into(), json!(album.popularity));
        }
        Value::Object(map)
    }

    fn track_common(&self, t: usize) -> Map<String, Value> {
        let track = &self.lib.tracks[t];
        let mut map = Map::new();
        insert_all(
            &mut map,
            json!({
                "artists": track.artists.iter().map(|&a| self.simplified_artist(a)).collect::<Vec<_>>(),
                "disc_number": track.disc_number,
                "duration_ms": track.duration_ms,
                "explicit": track.explicit,
                "external_urls": external_urls("track", &track.id),
                "href": format!("{}/tracks/{}", self.api, track.id),
                "id": track.id,
                "name": track.name,
                // Preview URLs were withdrawn from new apps in November 2024.
                "preview_url": null,
                "track_number": track.track_number,
                "type": "track",
                "uri": format!("spotify:track:{}", track.id),
                "is_local": false,
            }),
        );
        if self.full() {
            map.insert("available_markets".into(), json!(MARKETS));
            if let Some(original) = &track.linked_from {
                map.insert(
                    "linked_from".into(),
                    json!({
                        "external_urls": external_urls("track", original),
                        "href": format!("{}/tracks/{}", self.api, original),
                        "id": original,
                        "type": "track",
                        "uri": format!("spotify:track:{original}"),
                    }),
                );
            }
        }
        map
    }

    pub fn simplified_track(&self, t: usize) -> Value {
        Value::Object(self.track_common(t))
    }

    pub fn track(&self, t: usize) -> Value {
        let track = &self.lib.tracks[t];
        let mut map = self.track_common(t);
        map.insert("album".into(), self.simplified_album(track.album));
        // ISRCs were restored to Development Mode in March 2026.
        map.insert("external_ids".into(), json!({"isrc": track.isrc}));
        if self.full() {
            map.insert("popularity".into(), json!(track.popularity));
        }
        Value::Object(map)
    }

    /// A local file as Spotify renders it: a track object with `is_local: true` and null ids.
    pub fn local_track(&self, f: &LocalFile) -> Value {
        json!({
            "album": {
                "album_type": null,
                "artists": [],
                "available_markets": [],
                "external_urls": {},
                "href": null,
                "id": null,
                "images": [],
                "name": f.album,
                "release_date": null,
                "release_date_precision": null,
                "type": "album",
                "uri": null,
            },
            "artists": [{
                "external_urls": {},
                "href": null,
                "id": null,
                "name": f.artist,
                "type": "artist",
                "uri": null,
            }],
            "available_markets": [],
            "disc_number": 0,
            "duration_ms": f.duration_ms,
            "explicit": false,
            "external_ids": {},
            "external_urls": {},
            "href": null,
            "id": null,
            "is_local": true,
            "name": f.title,
            "popularity": 0,
            "preview_url": null,
            "track_number": 0,
            "type": "track",
            "uri": f.uri(),
        })
    }

    fn simplified_show(&self, s: usize) -> Value {
        let show = &self.lib.shows[s];
        json!({
            "available_markets": MARKETS,
            "copyrights": [],
            "description": format!("Conversations from {}", show.publisher),
            "html_description": format!("<p>Conversations from {}</p>", show.publisher),
            "explicit": false,
            "external_urls": external_urls("show", &show.id),
            "href": format!("{}/shows/{}", self.api, show.id),
            "id": show.id,
            "images": images(&format!("https://i.scdn.co/image/ab6765630000ba8a{}", show.id.to_lowercase())),
            "is_externally_hosted": false,
            "languages": ["en"],
            "media_type": "audio",
            "name": show.name,
            "publisher": show.publisher,
            "total_episodes": show.episodes.len(),
            "type": "show",
            "uri": format!("spotify:show:{}", show.id),
        })
    }

    pub fn episode(&self, e: usize) -> Value {
        let ep = &self.lib.episodes[e];
        json!({
            "audio_preview_url": null,
            "description": format!("Episode {}", ep.name),
            "html_description": format!("<p>Episode {}</p>", ep.name),
            "duration_ms": ep.duration_ms,
            "explicit": ep.explicit,
            "external_urls": external_urls("episode", &ep.id),
            "href": format!("{}/episodes/{}", self.api, ep.id),
            "id": ep.id,
            "images": images(&format!("https://i.scdn.co/image/ab6765630000ba8a{}", ep.id.to_lowercase())),
            "is_externally_hosted": false,
            "is_playable": true,
            "languages": ["en"],
            "name": ep.name,
            "release_date": ep.release_date,
            "release_date_precision": "day",
            "type": "episode",
            "uri": format!("spotify:episode:{}", ep.id),
            "show": self.simplified_show(ep.show),
        })
    }

    /// One `PlaylistTrackObject`; `field` is `"track"` on the legacy `/tracks` generation and
    /// `"item"` on `/items`.
    pub fn playlist_entry(&self, e: &Entry, field: &str) -> Value {
        let content = match &e.kind {
            EntryKind::Track(t) => self.track(*t),
            EntryKind::Episode(x) => self.episode(*x),
            EntryKind::Local(f) => self.local_track(f),
            EntryKind::Unavailable => Value::Null,
        };
        let mut map = Map::new();
        map.insert("added_at".into(), json!(format_rfc3339(e.added_at)));
        map.insert("added_by".into(), self.playlist_user(e.added_by, false));
        map.insert(
            "is_local".into(),
            json!(matches!(e.kind, EntryKind::Local(_))),
        );
        map.insert("primary_color".into(), Value::Null);
        map.insert(field.to_owned(), content);
        Value::Object(map)
    }

    /// One `SavedTrackObject` of `GET /me/tracks`.
    pub fn saved_track(&self, saved: &Saved) -> Value {
        json!({
            "added_at": format_rfc3339(saved.added_at),
            "track": self.track(saved.track),
        })
    }

    fn playlist_common(&self, p: &Playlist) -> Map<String, Value> {
        let images = match &p.image {
            None => json!([]),
            Some((url, Some(size))) => json!([{"url": url, "height": size, "width": size}]),
            Some((url, None)) => json!([{"url": url, "height": null, "width": null}]),
        };
        let mut map = Map::new();
        insert_all(
            &mut map,
            json!({
                "collaborative": p.collaborative,
                "description": p.description,
                "external_urls": external_urls("playlist", &p.id),
                "href": format!("{}/playlists/{}", self.api, p.id),
                "id": p.id,
                "images": images,
                "name": p.name,
                "owner": self.playlist_user(p.owner, true),
                "primary_color": null,
                "public": p.public,
                "snapshot_id": p.snapshot_id(),
                "type": "playlist",
                "uri": format!("spotify:playlist:{}", p.id),
            }),
        );
        map
    }

    /// `SimplifiedPlaylistObject` for `GET /me/playlists`: `items` is the new `{href,total}`
    /// reference; extended quota also keeps the legacy `tracks` one.
    pub fn simplified_playlist(&self, p: &Playlist) -> Value {
        let mut map = self.playlist_common(p);
        let reference = |generation: &str| {
            json!({
                "href": format!("{}/playlists/{}/{generation}", self.api, p.id),
                "total": p.entries.len(),
            })
        };
        map.insert("items".into(), reference("items"));
        if self.mode.legacy_tracks_endpoints() {
            map.insert("tracks".into(), reference("tracks"));
        }
        Value::Object(map)
    }

    /// `PlaylistObject`: the first page (100 entries, as Spotify embeds) of each generation
    /// the mode serves.
    pub fn playlist(&self, p: &Playlist, legacy: bool) -> Value {
        let mut map = self.playlist_common(p);
        map.insert(
            "followers".into(),
            json!({"href": null, "total": p.followers}),
        );
        let mut embed = |generation: &str, field: &str| {
            let href = format!("{}/playlists/{}/{generation}", self.api, p.id);
            let items = p
                .entries
                .iter()
                .take(100)
                .map(|e| self.playlist_entry(e, field))
                .collect();
            map.insert(
                generation.to_owned(),
                paging(&href, "", items, 0, 100, p.entries.len()),
            );
        };
        embed("items", "item");
        if legacy {
            embed("tracks", "track");
        }
        Value::Object(map)
    }
}

/// A paging object. `extra_query` (already encoded, without `&`) is kept on `next` and
/// `previous` so a projection or market carries over to the following pages.
pub(crate) fn paging(
    href: &str,
    extra_query: &str,
    items: Vec<Value>,
    offset: usize,
    limit: usize,
    total: usize,
) -> Value {
    let link = |off: usize| {
        let mut url = format!("{href}?offset={off}&limit={limit}");
        if !extra_query.is_empty() {
            url.push('&');
            url.push_str(extra_query);
        }
        url
    };
    let next = (offset + limit < total).then(|| link(offset + limit));
    let previous = (offset > 0).then(|| link(offset.saturating_sub(limit)));
    json!({
        "href": link(offset),
        "items": items,
        "limit": limit,
        "next": next,
        "offset": offset,
        "previous": previous,
        "total": total,
    })
}
