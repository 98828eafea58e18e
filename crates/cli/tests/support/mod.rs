//! A world for engine tests: the stand-in on loopback, a client signed in as its user, a
//! fresh store, and a base with children.

#![allow(dead_code)]

pub mod browser;

use std::collections::HashSet;
use std::time::Duration;

use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec, Messiness, Mode};
use syncer_app::{Client, SyncEngine, known_empty, loopback_config};
use syncer_core::engine::{Engine, MirrorMode, SyncOptions, SyncReport};
use syncer_core::filter::query;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId, TrackId};
use syncer_core::provider::{MusicProvider, NewPlaylist};
use syncer_spotify::{SpotifyClient, StaticToken};
use syncer_store::{NewBase, NewChild, Store};

pub struct ChildSpec {
    pub name: &'static str,
    pub query: &'static str,
    pub mirror: MirrorMode,
    pub allow_empty: bool,
}

pub fn child(name: &'static str, query: &'static str) -> ChildSpec {
    ChildSpec {
        name,
        query,
        mirror: MirrorMode::KeepUserTracks,
        allow_empty: false,
    }
}

pub struct World {
    pub fake: FakeSpotify,
    pub client: Client,
    pub store: Store,
    pub engine: SyncEngine,
    pub base: BasePlaylistId,
    pub children: Vec<ChildPlaylistId>,
    pub dir: tempfile::TempDir,
}

pub fn library(tracks: usize) -> LibrarySpec {
    LibrarySpec {
        users: 1,
        playlist_sizes: vec![10, tracks],
        followed_per_user: 0,
        catalog_tracks: 1_500,
        shows: 2,
        liked_per_user: 120,
        // Relinking changes ids between base and child; other messy entries stay.
        messiness: Messiness {
            relinked: 0.0,
            ..Messiness::default()
        },
    }
}

pub async fn world(children: Vec<ChildSpec>) -> World {
    world_with(Mode::ExtendedQuota, 300, children).await
}

pub async fn world_with(mode: Mode, tracks: usize, children: Vec<ChildSpec>) -> World {
    world_of(mode, library(tracks), children).await
}

pub async fn world_of(mode: Mode, library: LibrarySpec, children: Vec<ChildSpec>) -> World {
    build_world(mode, library, children, false).await
}

/// A world whose base is the user's Liked Songs (`liked:test`).
pub async fn liked_world(mode: Mode, library: LibrarySpec, children: Vec<ChildSpec>) -> World {
    build_world(mode, library, children, true).await
}

async fn build_world(
    mode: Mode,
    library: LibrarySpec,
    children: Vec<ChildSpec>,
    liked: bool,
) -> World {
    let fake = FakeSpotify::start(FakeConfig {
        mode,
        seed: 11,
        library,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let user = fake.library().users()[0].id.clone();
    let mut config = loopback_config(fake.api_base());
    config.request_timeout = Duration::from_millis(800);
    config.retry.default_retry_after = Duration::from_millis(50);
    // Retries and the breaker's pause keep their shape at a test's pace: a 500 storm still
    // opens the circuit, and the next run (as in a later process) finds it closed again.
    config.retry.base_delay = Duration::from_millis(10);
    config.retry.max_delay = Duration::from_millis(100);
    config.breaker.open_for = Duration::from_millis(300);
    let client = SpotifyClient::new(
        ConnectionId::new("test"),
        syncer_app::AppTokens::Fixed(StaticToken::new(fake.mint_token(&user))),
        config,
    )
    .unwrap();
    client.detect_capabilities().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
        .await
        .unwrap();
    let base = if liked {
        BasePlaylistId::liked_songs(&ConnectionId::new("test"))
    } else {
        let largest = fake
            .library()
            .owned_by(&user)
            .into_iter()
            .max_by_key(|p| p.item_count)
            .unwrap();
        BasePlaylistId::new(largest.id)
    };
    store
        .add_base(&NewBase {
            id: base.clone(),
            connection: ConnectionId::new("test"),
            name: "Base".into(),
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    for spec in children {
        let created = client
            .create_playlist(&NewPlaylist {
                name: spec.name.into(),
                description: None,
                public: false,
                collaborative: false,
            })
            .await
            .unwrap();
        let id = ChildPlaylistId::new(created.id.as_str());
        store
            .add_child(&NewChild {
                id: id.clone(),
                base: base.clone(),
                name: spec.name.into(),
                query: spec.query.into(),
                filter: query::parse(spec.query).unwrap(),
                mirror: spec.mirror,
                allow_empty: spec.allow_empty,
            })
            .await
            .unwrap();
        known_empty(&store, &created).await.unwrap();
        ids.push(id);
    }
    let engine = Engine::new(client.clone(), store.clone());
    World {
        fake,
        client,
        store,
        engine,
        base,
        children: ids,
        dir,
    }
}

impl World {
    pub async fn sync(&self) -> SyncReport {
        self.engine
            .sync(&self.base, &SyncOptions::default())
            .await
            .unwrap()
    }

    /// A child's track ids on the stand-in, in order.
    pub fn contents(&self, child: &ChildPlaylistId) -> Vec<String> {
        self.fake
            .library()
            .playlist_items(child.as_str())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|i| i.id)
            .collect()
    }

    /// The base's distinct track ids in order, with a predicate over (track id, album year,
    /// explicit), computed from the stand-in's truth.
    pub fn expected(&self, keep: impl Fn(i32, bool) -> bool) -> Vec<String> {
        let lib = self.fake.library();
        let mut seen = HashSet::new();
        lib.playlist_items(self.base.as_str())
            .unwrap()
            .into_iter()
            .filter(|i| i.kind == spotify_fake::library::ItemKind::Track)
            .filter_map(|i| i.id)
            .filter(|id| {
                let t = lib.track(id).unwrap();
                let album = lib.album(&t.album_id).unwrap();
                let year: i32 = album.release_date[..4].parse().unwrap();
                keep(year, t.explicit)
            })
            .filter(|id| seen.insert(id.clone()))
            .collect()
    }

    /// A catalog track that the base does not hold.
    pub fn outsider(&self, keep: impl Fn(i32, bool) -> bool) -> TrackId {
        self.outsider_except(keep, &[])
    }

    /// A catalog track that the base does not hold, other than `except`.
    pub fn outsider_except(&self, keep: impl Fn(i32, bool) -> bool, except: &[TrackId]) -> TrackId {
        let lib = self.fake.library();
        let in_base: HashSet<String> = lib
            .playlist_items(self.base.as_str())
            .unwrap()
            .into_iter()
            .filter_map(|i| i.id)
            .collect();
        let id = lib
            .track_ids()
            .into_iter()
            .find(|id| {
                if in_base.contains(id) || except.iter().any(|e| e.as_str() == id) {
                    return false;
                }
                let t = lib.track(id).unwrap();
                let album = lib.album(&t.album_id).unwrap();
                let year: i32 = album.release_date[..4].parse().unwrap();
                keep(year, t.explicit)
            })
            .unwrap();
        TrackId::new(id)
    }

    /// A new playlist of the user holding `tracks`, made the way a user would.
    pub async fn make_playlist(&self, name: &str, tracks: &[TrackId]) -> PlaylistId {
        let created = self
            .client
            .create_playlist(&NewPlaylist {
                name: name.into(),
                description: None,
                public: false,
                collaborative: false,
            })
            .await
            .unwrap();
        if !tracks.is_empty() {
            self.user_adds(created.id.as_str(), tracks).await;
        }
        created.id
    }

    /// Adds a child to the base after the world was built (a new, empty playlist).
    pub async fn add_child(&self, name: &str, query_text: &str) -> ChildPlaylistId {
        let created = self
            .client
            .create_playlist(&NewPlaylist {
                name: name.into(),
                description: None,
                public: false,
                collaborative: false,
            })
            .await
            .unwrap();
        let id = ChildPlaylistId::new(created.id.as_str());
        self.store
            .add_child(&NewChild {
                id: id.clone(),
                base: self.base.clone(),
                name: name.into(),
                query: query_text.into(),
                filter: query::parse(query_text).unwrap(),
                mirror: MirrorMode::KeepUserTracks,
                allow_empty: false,
            })
            .await
            .unwrap();
        known_empty(&self.store, &created).await.unwrap();
        id
    }

    /// Adds tracks to a playlist the way a user would (outside Syncer).
    pub async fn user_adds(&self, playlist: &str, tracks: &[TrackId]) {
        let id = PlaylistId::new(playlist);
        let snap = self.client.snapshot_id(&id).await.unwrap();
        self.client
            .add_items(&id, tracks, None, &snap)
            .await
            .unwrap();
    }
}
