//! What enrichment keeps: answers from open sources (positive and negative) with when they
//! were fetched, the queue of artists still to look up, and the user's own genres. A trait so
//! that core stays free of SQL; the store crate implements it over SQLite.
//!
//! Every method has a default that keeps nothing, so a storage without open metadata (a test
//! double) needs only `impl MetadataStore for X {}`.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::engine::storage::StorageResult;
use crate::filter::Timestamp;
use crate::ids::{AlbumId, ArtistId, ConnectionId};
use crate::metadata::model::{
    ArtistFacts, Confidence, ReleaseFacts, SourceKind, Sourced, TrackQuery,
};

const DAY: u64 = 24 * 60 * 60;

/// How long answers from open sources are trusted. An artist's genres rarely change, and a
/// "not found" is as costly to ask again, so both last long by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactsTtl {
    pub found: Duration,
    pub not_found: Duration,
}

impl Default for FactsTtl {
    fn default() -> Self {
        FactsTtl {
            found: Duration::from_secs(30 * DAY),
            not_found: Duration::from_secs(30 * DAY),
        }
    }
}

impl FactsTtl {
    pub fn days(days: u64) -> FactsTtl {
        FactsTtl {
            found: Duration::from_secs(days * DAY),
            not_found: Duration::from_secs(days * DAY),
        }
    }
}

/// Where one artist (or album) stands with one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactState {
    /// The source's id is known; its facts are not fetched yet.
    Linked,
    Found,
    /// The source does not know it (a negative answer, cached like a positive one).
    NotFound,
    /// Several candidates fitted: refused rather than guessed (cached as negative).
    Ambiguous,
}

impl FactState {
    pub fn as_str(self) -> &'static str {
        match self {
            FactState::Linked => "linked",
            FactState::Found => "found",
            FactState::NotFound => "not_found",
            FactState::Ambiguous => "ambiguous",
        }
    }

    pub fn parse(text: &str) -> Option<FactState> {
        match text {
            "linked" => Some(FactState::Linked),
            "found" => Some(FactState::Found),
            "not_found" => Some(FactState::NotFound),
            "ambiguous" => Some(FactState::Ambiguous),
            _ => None,
        }
    }

    /// A final answer: nothing more to ask until it expires.
    pub fn is_settled(self) -> bool {
        !matches!(self, FactState::Linked)
    }

    pub fn is_negative(self) -> bool {
        matches!(self, FactState::NotFound | FactState::Ambiguous)
    }
}

fn fresh(fetched_at: Timestamp, ttl: Duration, now: Timestamp) -> bool {
    let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    now.unix_seconds().saturating_sub(fetched_at.unix_seconds()) < ttl
}

/// One artist as one source knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistFactRow {
    /// The music service's artist id: what tracks name.
    pub artist: ArtistId,
    pub source: SourceKind,
    pub state: FactState,
    /// The source's id for the artist (an MBID).
    pub reference: Option<String>,
    /// Set when `state` is `Found`.
    pub facts: Option<ArtistFacts>,
    pub confidence: Confidence,
    /// Why a negative answer is negative, for the curious.
    pub note: Option<String>,
    pub fetched_at: Timestamp,
}

impl ArtistFactRow {
    pub fn is_fresh(&self, ttl: &FactsTtl, now: Timestamp) -> bool {
        let ttl = if self.state.is_negative() {
            ttl.not_found
        } else {
            ttl.found
        };
        fresh(self.fetched_at, ttl, now)
    }

    /// The facts, when found and sure enough to use.
    pub fn usable(&self) -> Option<Sourced<ArtistFacts>> {
        match (&self.state, &self.facts) {
            (FactState::Found, Some(facts)) if self.confidence.is_usable() => Some(Sourced {
                value: facts.clone(),
                source: self.source,
                confidence: self.confidence,
                reference: self.reference.clone(),
            }),
            _ => None,
        }
    }
}

/// One album as one source knows it (through one of its tracks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumFactRow {
    pub album: AlbumId,
    pub source: SourceKind,
    pub state: FactState,
    pub reference: Option<String>,
    pub facts: Option<ReleaseFacts>,
    pub confidence: Confidence,
    pub fetched_at: Timestamp,
}

impl AlbumFactRow {
    pub fn is_fresh(&self, ttl: &FactsTtl, now: Timestamp) -> bool {
        let ttl = if self.state.is_negative() {
            ttl.not_found
        } else {
            ttl.found
        };
        fresh(self.fetched_at, ttl, now)
    }

    pub fn usable(&self) -> Option<Sourced<ReleaseFacts>> {
        match (&self.state, &self.facts) {
            (FactState::Found, Some(facts)) if self.confidence.is_usable() => Some(Sourced {
                value: facts.clone(),
                source: self.source,
                confidence: self.confidence,
                reference: self.reference.clone(),
            }),
            _ => None,
        }
    }
}

/// An artist waiting to be looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedArtist {
    pub artist: ArtistId,
    pub source: SourceKind,
    /// The connection whose library asked: its source answers (a demo connection's
    /// stand-in, or the real service).
    pub connection: ConnectionId,
    /// Tracks that credit the artist, best first (with an ISRC, credited first); tried in
    /// turn until one is recognised.
    pub candidates: Vec<TrackQuery>,
    /// How far through the candidates: candidate `tried / 2`, by ISRC when even, by search
    /// when odd (a search follows only an ISRC the source does not know).
    pub tried: u32,
    /// Transient failures in a row.
    pub attempts: u32,
    /// Whether a candidate was refused as ambiguous (the final answer, if none is
    /// recognised, is then "ambiguous" rather than "not found").
    #[serde(default)]
    pub ambiguous: bool,
    /// Not to be tried before (after a transient failure).
    pub not_before: Timestamp,
    pub added_at: Timestamp,
}

/// How much is waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueueStats {
    pub queued: u64,
    /// Of which due now (the rest wait after a failure).
    pub due: u64,
}

/// What is known about artists from every source, counted (what `syncer enrich` shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FactCounts {
    pub found: u64,
    pub linked: u64,
    pub not_found: u64,
    pub ambiguous: u64,
}

pub trait MetadataStore: Send + Sync {
    /// What `source` said about these artists (any age; the caller applies the TTL).
    fn artist_facts(
        &self,
        _source: SourceKind,
        _ids: &[ArtistId],
    ) -> impl Future<Output = StorageResult<Vec<ArtistFactRow>>> + Send {
        async { Ok(Vec::new()) }
    }

    /// Keeps answers, replacing earlier ones for the same artist and source.
    fn save_artist_facts(
        &self,
        _rows: &[ArtistFactRow],
    ) -> impl Future<Output = StorageResult<()>> + Send {
        async { Ok(()) }
    }

    fn album_facts(
        &self,
        _source: SourceKind,
        _ids: &[AlbumId],
    ) -> impl Future<Output = StorageResult<Vec<AlbumFactRow>>> + Send {
        async { Ok(Vec::new()) }
    }

    fn save_album_facts(
        &self,
        _rows: &[AlbumFactRow],
    ) -> impl Future<Output = StorageResult<()>> + Send {
        async { Ok(()) }
    }

    /// Adds artists to the queue. One already queued keeps its place and progress; its
    /// candidates are refreshed when it has not started on them.
    fn enqueue(&self, _items: &[QueuedArtist]) -> impl Future<Output = StorageResult<()>> + Send {
        async { Ok(()) }
    }

    /// The oldest queued artists due at `now`, of one connection or of all.
    fn next_queued(
        &self,
        _source: SourceKind,
        _connection: Option<&ConnectionId>,
        _now: Timestamp,
        _limit: u32,
    ) -> impl Future<Output = StorageResult<Vec<QueuedArtist>>> + Send {
        async { Ok(Vec::new()) }
    }

    /// Saves a queued artist's progress (candidates tried, failures, when next).
    fn update_queued(
        &self,
        _item: &QueuedArtist,
    ) -> impl Future<Output = StorageResult<()>> + Send {
        async { Ok(()) }
    }

    fn dequeue(
        &self,
        _source: SourceKind,
        _artist: &ArtistId,
    ) -> impl Future<Output = StorageResult<()>> + Send {
        async { Ok(()) }
    }

    /// Which of these artists are queued.
    fn queued_among(
        &self,
        _source: SourceKind,
        _ids: &[ArtistId],
    ) -> impl Future<Output = StorageResult<Vec<ArtistId>>> + Send {
        async { Ok(Vec::new()) }
    }

    fn queue_stats(
        &self,
        _source: SourceKind,
        _connection: Option<&ConnectionId>,
        _now: Timestamp,
    ) -> impl Future<Output = StorageResult<QueueStats>> + Send {
        async { Ok(QueueStats::default()) }
    }

    fn fact_counts(
        &self,
        _source: SourceKind,
    ) -> impl Future<Output = StorageResult<FactCounts>> + Send {
        async { Ok(FactCounts::default()) }
    }

    /// Takes or renews the right to ask `source`: one enricher per database at a time, so two
    /// processes never double the source's pace. `false`: another holder renewed it since
    /// `stale_before`.
    fn claim_enricher(
        &self,
        _source: SourceKind,
        _holder: &str,
        _now: Timestamp,
        _stale_before: Timestamp,
    ) -> impl Future<Output = StorageResult<bool>> + Send {
        async { Ok(true) }
    }

    fn release_enricher(
        &self,
        _source: SourceKind,
        _holder: &str,
    ) -> impl Future<Output = StorageResult<()>> + Send {
        async { Ok(()) }
    }

    /// The user's own genres for these artists ("my genres").
    fn user_genres(
        &self,
        _ids: &[ArtistId],
    ) -> impl Future<Output = StorageResult<HashMap<ArtistId, Vec<String>>>> + Send {
        async { Ok(HashMap::new()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: FactState, fetched_at: i64, confidence: u8) -> ArtistFactRow {
        ArtistFactRow {
            artist: ArtistId::new("a"),
            source: SourceKind::MusicBrainz,
            state,
            reference: Some("mbid".into()),
            facts: Some(ArtistFacts {
                genres: vec!["rock".into()],
                tags: vec![],
            }),
            confidence: Confidence::new(confidence),
            note: None,
            fetched_at: Timestamp::from_unix_seconds(fetched_at),
        }
    }

    #[test]
    fn positive_and_negative_answers_have_their_own_ttl() {
        let ttl = FactsTtl {
            found: Duration::from_secs(100),
            not_found: Duration::from_secs(10),
        };
        let now = Timestamp::from_unix_seconds(1_000);
        assert!(row(FactState::Found, 950, 95).is_fresh(&ttl, now));
        assert!(!row(FactState::Found, 900, 95).is_fresh(&ttl, now));
        assert!(row(FactState::NotFound, 995, 95).is_fresh(&ttl, now));
        assert!(!row(FactState::Ambiguous, 980, 95).is_fresh(&ttl, now));
    }

    #[test]
    fn only_sure_found_facts_are_usable() {
        assert!(row(FactState::Found, 0, 95).usable().is_some());
        assert!(row(FactState::Found, 0, 40).usable().is_none());
        assert!(row(FactState::Linked, 0, 95).usable().is_none());
        let sourced = row(FactState::Found, 0, 95).usable().unwrap();
        assert_eq!(sourced.source, SourceKind::MusicBrainz);
        assert_eq!(sourced.reference.as_deref(), Some("mbid"));
    }
}
