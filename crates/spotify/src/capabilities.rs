//! Capability detection for one connection, feeding core's
//! [`Capabilities`](syncer_core::capabilities::Capabilities).
//!
//! - **Endpoints** are recorded from what they answer: a 2xx marks one available; a 403 (or a
//!   404 from an endpoint that never 404s for content, like a batch lookup) marks it "not for
//!   this app" and the client falls back (batch → single lookups, `/items` → `/tracks`).
//!   A 403 from `/playlists/{id}/items` on a playlist the user does not own says nothing about
//!   the app, so playlist generations are judged only on the user's own playlists (probe).
//! - **Fields** are recorded from full catalog objects (lookups, never projected pages): a
//!   field present in any object is available; a field absent from every object of a sample
//!   is "omitted for this app". Nothing is downgraded once seen, because absence in one
//!   object can be that object's quirk while presence proves the app receives the field.
//! - **Genres** are special: Development Mode sends `genres: []` rather than leaving the key
//!   out. Any non-empty list proves genres available; all-empty lists together with artist
//!   popularity missing (the same February 2026 change) mark them "empty in practice".
//! - **Relinking** (`linked_from`) comes only for relinked tracks, so its absence proves
//!   nothing; it is judged together with `available_markets`, removed in the same change.

use std::sync::{Mutex, MutexGuard};

use syncer_core::capabilities::{Capabilities, Endpoint, Field, MissingReason, Support};

use crate::model::{AlbumObject, ArtistObject, TrackObject};

#[derive(Debug, Default)]
pub(crate) struct CapabilityStore {
    inner: Mutex<Capabilities>,
}

impl CapabilityStore {
    pub fn new(initial: Capabilities) -> Self {
        CapabilityStore {
            inner: Mutex::new(initial),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Capabilities> {
        // Each update is one map insert: a poisoned lock still holds a consistent record.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn snapshot(&self) -> Capabilities {
        self.lock().clone()
    }

    pub fn get<R>(&self, f: impl FnOnce(&Capabilities) -> R) -> R {
        f(&self.lock())
    }

    pub fn mark_probed(&self) {
        self.lock().mark_probed();
    }

    pub fn endpoint_works(&self, endpoint: Endpoint) {
        if self.lock().record_endpoint(endpoint, Support::Available) {
            tracing::info!(?endpoint, "capability: endpoint available");
        }
    }

    pub fn endpoint_refused(&self, endpoint: Endpoint, status: u16) {
        let support = Support::Unavailable {
            reason: MissingReason::NotForThisApp { status },
        };
        if self.lock().record_endpoint(endpoint, support) {
            tracing::info!(?endpoint, status, "capability: endpoint not for this app");
        }
    }

    /// Records a field from a sample: `present` objects of `sampled` had it.
    fn observe(&self, field: Field, present: usize, sampled: usize, missing: MissingReason) {
        if sampled == 0 {
            return;
        }
        let mut caps = self.lock();
        let support = if present > 0 {
            Support::Available
        } else if matches!(caps.field(field), Support::Unknown) {
            Support::Unavailable { reason: missing }
        } else {
            return;
        };
        if caps.record_field(field, support.clone()) {
            tracing::info!(
                ?field,
                available = support.is_available(),
                "capability: field"
            );
        }
    }

    pub fn observe_tracks<'a>(&self, tracks: impl IntoIterator<Item = &'a TrackObject>) {
        let tracks: Vec<&TrackObject> = tracks.into_iter().collect();
        let n = tracks.len();
        let count = |f: fn(&TrackObject) -> bool| tracks.iter().filter(|t| f(t)).count();
        let popularity = count(|t| t.popularity.is_some());
        let isrc = count(|t| t.external_ids.as_ref().is_some_and(|e| e.isrc.is_some()));
        let markets = count(|t| t.available_markets.is_some());
        let linked = count(|t| t.linked_from.is_some());
        self.observe(
            Field::TrackPopularity,
            popularity,
            n,
            MissingReason::FieldOmitted,
        );
        self.observe(Field::Isrc, isrc, n, MissingReason::FieldOmitted);
        self.observe(
            Field::AvailableMarkets,
            markets,
            n,
            MissingReason::FieldOmitted,
        );
        self.observe(
            Field::LinkedFrom,
            linked + markets,
            n,
            MissingReason::FieldOmitted,
        );
    }

    pub fn observe_artists<'a>(&self, artists: impl IntoIterator<Item = &'a ArtistObject>) {
        let artists: Vec<&ArtistObject> = artists.into_iter().collect();
        let n = artists.len();
        let count = |f: fn(&ArtistObject) -> bool| artists.iter().filter(|a| f(a)).count();
        let popularity = count(|a| a.popularity.is_some());
        let followers = count(|a| a.followers.is_some());
        let genres = count(|a| a.genres.as_ref().is_some_and(|g| !g.is_empty()));
        self.observe(
            Field::ArtistPopularity,
            popularity,
            n,
            MissingReason::FieldOmitted,
        );
        self.observe(
            Field::ArtistFollowers,
            followers,
            n,
            MissingReason::FieldOmitted,
        );
        if genres > 0 || popularity == 0 {
            let sampled = u32::try_from(n).unwrap_or(u32::MAX);
            self.observe(
                Field::Genres,
                genres,
                n,
                MissingReason::EmptyInPractice { sampled },
            );
        }
    }

    pub fn observe_albums<'a>(&self, albums: impl IntoIterator<Item = &'a AlbumObject>) {
        let albums: Vec<&AlbumObject> = albums.into_iter().collect();
        let n = albums.len();
        let label = albums.iter().filter(|a| a.label.is_some()).count();
        let popularity = albums.iter().filter(|a| a.popularity.is_some()).count();
        self.observe(Field::AlbumLabel, label, n, MissingReason::FieldOmitted);
        self.observe(
            Field::AlbumPopularity,
            popularity,
            n,
            MissingReason::FieldOmitted,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn artist(v: serde_json::Value) -> ArtistObject {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn development_mode_artists_lose_genres_and_popularity() {
        let store = CapabilityStore::default();
        let a = artist(json!({"id": "a", "name": "A", "genres": []}));
        store.observe_artists([&a, &a]);
        let caps = store.snapshot();
        assert!(!caps.provides(Field::Genres));
        assert_eq!(
            caps.field(Field::Genres).reason(),
            Some(&MissingReason::EmptyInPractice { sampled: 2 })
        );
        assert_eq!(
            caps.field(Field::ArtistPopularity).reason(),
            Some(&MissingReason::FieldOmitted)
        );
    }

    #[test]
    fn a_genre_less_artist_in_extended_quota_proves_nothing() {
        let store = CapabilityStore::default();
        let a =
            artist(json!({"id": "a", "genres": [], "popularity": 3, "followers": {"total": 1}}));
        store.observe_artists([&a]);
        let caps = store.snapshot();
        assert_eq!(caps.field(Field::Genres), &Support::Unknown);
        assert!(caps.provides(Field::ArtistPopularity));
        let b = artist(json!({"id": "b", "genres": ["jazz"], "popularity": 3}));
        store.observe_artists([&b]);
        assert!(store.snapshot().provides(Field::Genres));
    }

    #[test]
    fn presence_is_never_downgraded_by_a_later_absence() {
        let store = CapabilityStore::default();
        let with: TrackObject =
            serde_json::from_value(json!({"id": "t", "external_ids": {"isrc": "X"}})).unwrap();
        let without: TrackObject = serde_json::from_value(json!({"id": "t"})).unwrap();
        store.observe_tracks([&with]);
        store.observe_tracks([&without]);
        assert!(store.snapshot().provides(Field::Isrc));
    }
}
