//! What tests may know about the generated data, as owned snapshots: ids, snapshot ids, item
//! counts and the metadata a filter would read.

use std::sync::Arc;

use crate::model::{EntryKind, Library};
use crate::state::Shared;

/// A read-only window on the running server's library; every call reads the current state
/// (writes made through the API are visible).
#[derive(Clone)]
pub struct LibraryView {
    pub(crate) shared: Arc<Shared>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub id: String,
    pub display_name: String,
    /// Playlist ids in the order `GET /me/playlists` gives them.
    pub playlist_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaylistInfo {
    pub id: String,
    pub name: String,
    pub owner_id: String,
    pub collaborator_ids: Vec<String>,
    pub public: bool,
    pub collaborative: bool,
    pub snapshot_id: String,
    pub item_count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Track,
    Episode,
    LocalFile,
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInfo {
    pub kind: ItemKind,
    /// `None` for local files and unavailable entries.
    pub id: Option<String>,
    /// `None` for unavailable entries; `spotify:local:…` for local files.
    pub uri: Option<String>,
    pub added_at: String,
    pub added_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackInfo {
    pub id: String,
    pub uri: String,
    pub name: String,
    pub artist_ids: Vec<String>,
    pub album_id: String,
    pub duration_ms: u32,
    pub explicit: bool,
    pub popularity: u8,
    pub isrc: String,
    pub linked_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtistInfo {
    pub id: String,
    pub name: String,
    /// The generated truth; Development Mode answers with an empty list.
    pub genres: Vec<String>,
    pub popularity: u8,
    pub followers: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlbumInfo {
    pub id: String,
    pub name: String,
    pub album_type: String,
    pub artist_ids: Vec<String>,
    pub release_date: String,
    pub release_date_precision: String,
    pub label: String,
    pub popularity: u8,
    pub track_ids: Vec<String>,
}

impl LibraryView {
    fn with<T>(&self, f: impl FnOnce(&Library) -> T) -> T {
        f(&self.shared.library())
    }

    pub fn users(&self) -> Vec<UserInfo> {
        self.with(|lib| {
            lib.users
                .iter()
                .map(|u| UserInfo {
                    id: u.id.clone(),
                    display_name: u.display_name.clone(),
                    playlist_ids: u
                        .playlists
                        .iter()
                        .map(|&p| lib.playlists[p].id.clone())
                        .collect(),
                })
                .collect()
        })
    }

    /// Every playlist, in creation order.
    pub fn playlists(&self) -> Vec<PlaylistInfo> {
        self.with(|lib| {
            (0..lib.playlists.len())
                .map(|i| playlist_info(lib, i))
                .collect()
        })
    }

    /// The playlists `user_id` sees in `GET /me/playlists`, in that order.
    pub fn playlists_of(&self, user_id: &str) -> Vec<PlaylistInfo> {
        self.with(|lib| {
            lib.user(user_id)
                .map(|u| {
                    lib.users[u]
                        .playlists
                        .iter()
                        .map(|&p| playlist_info(lib, p))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// The playlists `user_id` owns, in creation order.
    pub fn owned_by(&self, user_id: &str) -> Vec<PlaylistInfo> {
        self.playlists()
            .into_iter()
            .filter(|p| p.owner_id == user_id)
            .collect()
    }

    pub fn playlist(&self, id: &str) -> Option<PlaylistInfo> {
        self.with(|lib| lib.playlist(id).map(|i| playlist_info(lib, i)))
    }

    pub fn playlist_items(&self, id: &str) -> Option<Vec<ItemInfo>> {
        self.with(|lib| {
            let p = &lib.playlists[lib.playlist(id)?];
            Some(
                p.entries
                    .iter()
                    .map(|e| {
                        let (kind, id) = match &e.kind {
                            EntryKind::Track(t) => {
                                (ItemKind::Track, Some(lib.tracks[*t].id.clone()))
                            }
                            EntryKind::Episode(x) => {
                                (ItemKind::Episode, Some(lib.episodes[*x].id.clone()))
                            }
                            EntryKind::Local(_) => (ItemKind::LocalFile, None),
                            EntryKind::Unavailable => (ItemKind::Unavailable, None),
                        };
                        ItemInfo {
                            kind,
                            id,
                            uri: lib.entry_uri(&e.kind),
                            added_at: crate::time::format_rfc3339(e.added_at),
                            added_by: lib.users[e.added_by].id.clone(),
                        }
                    })
                    .collect(),
            )
        })
    }

    pub fn track(&self, id: &str) -> Option<TrackInfo> {
        self.with(|lib| Some(track_info(lib, *lib.index.tracks.get(id)?)))
    }

    pub fn artist(&self, id: &str) -> Option<ArtistInfo> {
        self.with(|lib| Some(artist_info(lib, *lib.index.artists.get(id)?)))
    }

    pub fn album(&self, id: &str) -> Option<AlbumInfo> {
        self.with(|lib| Some(album_info(lib, *lib.index.albums.get(id)?)))
    }

    /// Every catalog track id, in generation order: material for write tests.
    pub fn track_ids(&self) -> Vec<String> {
        self.with(|lib| lib.tracks.iter().map(|t| t.id.clone()).collect())
    }

    pub fn artist_ids(&self) -> Vec<String> {
        self.with(|lib| lib.artists.iter().map(|a| a.id.clone()).collect())
    }

    pub fn album_ids(&self) -> Vec<String> {
        self.with(|lib| lib.albums.iter().map(|a| a.id.clone()).collect())
    }

    pub fn episode_ids(&self) -> Vec<String> {
        self.with(|lib| lib.episodes.iter().map(|e| e.id.clone()).collect())
    }

    /// `user_id`'s Liked Songs, newest first (the order of `GET /me/tracks`).
    pub fn liked(&self, user_id: &str) -> Vec<SavedInfo> {
        self.with(|lib| {
            lib.user(user_id)
                .map(|u| {
                    lib.users[u]
                        .liked
                        .iter()
                        .map(|s| SavedInfo {
                            track_id: lib.tracks[s.track].id.clone(),
                            added_at: crate::time::format_rfc3339(s.added_at),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
    }
}

/// One of a user's Liked Songs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedInfo {
    pub track_id: String,
    /// RFC 3339, UTC, whole seconds.
    pub added_at: String,
}

fn playlist_info(lib: &Library, i: usize) -> PlaylistInfo {
    let p = &lib.playlists[i];
    PlaylistInfo {
        id: p.id.clone(),
        name: p.name.clone(),
        owner_id: lib.users[p.owner].id.clone(),
        collaborator_ids: p
            .collaborators
            .iter()
            .map(|&c| lib.users[c].id.clone())
            .collect(),
        public: p.public,
        collaborative: p.collaborative,
        snapshot_id: p.snapshot_id(),
        item_count: p.entries.len(),
    }
}

pub(crate) fn track_info(lib: &Library, i: usize) -> TrackInfo {
    let t = &lib.tracks[i];
    TrackInfo {
        id: t.id.clone(),
        uri: format!("spotify:track:{}", t.id),
        name: t.name.clone(),
        artist_ids: t
            .artists
            .iter()
            .map(|&a| lib.artists[a].id.clone())
            .collect(),
        album_id: lib.albums[t.album].id.clone(),
        duration_ms: t.duration_ms,
        explicit: t.explicit,
        popularity: t.popularity,
        isrc: t.isrc.clone(),
        linked_from: t.linked_from.clone(),
    }
}

pub(crate) fn artist_info(lib: &Library, i: usize) -> ArtistInfo {
    let a = &lib.artists[i];
    ArtistInfo {
        id: a.id.clone(),
        name: a.name.clone(),
        genres: a.genres.iter().map(|g| (*g).to_owned()).collect(),
        popularity: a.popularity,
        followers: a.followers,
    }
}

pub(crate) fn album_info(lib: &Library, i: usize) -> AlbumInfo {
    let a = &lib.albums[i];
    AlbumInfo {
        id: a.id.clone(),
        name: a.name.clone(),
        album_type: a.album_type.as_str().to_owned(),
        artist_ids: a
            .artists
            .iter()
            .map(|&x| lib.artists[x].id.clone())
            .collect(),
        release_date: a.release_date.clone(),
        release_date_precision: a.precision.as_str().to_owned(),
        label: a.label.clone(),
        popularity: a.popularity,
        track_ids: a.tracks.iter().map(|&t| lib.tracks[t].id.clone()).collect(),
    }
}
