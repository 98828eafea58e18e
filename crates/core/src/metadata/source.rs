//! An open metadata source as the enricher sees it. Implementations (MusicBrainz) live in their
//! own crates and do the I/O, keeping to the source's rules (rate, identification, backoff).

use std::future::Future;
use std::time::Duration;

use crate::metadata::model::{ArtistFacts, MatchMethod, SourceKind, TrackMatch, TrackQuery};
use crate::provider::RequestStats;

/// What went wrong asking a source. Every message says what happens next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error(
        "{origin} asked Syncer to slow down and kept refusing; enrichment pauses and tries \
         again in {}s",
        retry_after.as_secs().max(1)
    )]
    RateLimited {
        origin: SourceKind,
        retry_after: Duration,
    },
    #[error("{origin} is unavailable (HTTP {status}); enrichment pauses and tries again later")]
    Unavailable { origin: SourceKind, status: u16 },
    #[error(
        "could not reach {origin} ({message}); check the connection: enrichment tries again \
         later"
    )]
    Network { origin: SourceKind, message: String },
    #[error("{origin} sent an answer Syncer could not read ({message}); please report it")]
    InvalidResponse { origin: SourceKind, message: String },
    #[error("{origin} refused the request ({message}); this is a bug in Syncer, please report it")]
    InvalidRequest { origin: SourceKind, message: String },
    #[error("cancelled")]
    Cancelled,
}

impl MetadataError {
    /// Whether asking again later may succeed without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            MetadataError::RateLimited { .. }
                | MetadataError::Unavailable { .. }
                | MetadataError::Network { .. }
        )
    }

    /// How long to leave the source alone before the next request.
    pub fn pause(&self) -> Duration {
        match self {
            MetadataError::RateLimited { retry_after, .. } => {
                (*retry_after).max(Duration::from_secs(1))
            }
            MetadataError::Unavailable { .. } | MetadataError::Network { .. } => {
                Duration::from_secs(60)
            }
            _ => Duration::ZERO,
        }
    }
}

pub type MetadataResult<T> = Result<T, MetadataError>;

/// An open source of metadata. Each method makes at most one request to the source, so the
/// caller decides the pace and can persist after every answer (what makes enrichment resume
/// after a restart without asking twice).
pub trait MetadataSource: Send + Sync {
    fn kind(&self) -> SourceKind;

    /// Recognises a track by `method` (its ISRC, or title, artist and duration) and links its
    /// credited artists to the source's own ids. Never guesses: a doubtful match is
    /// [`TrackMatch::Ambiguous`] or an [`crate::metadata::ArtistLink::Unmatched`] artist.
    /// The enricher tries the ISRC first and searches only when the ISRC is unknown.
    fn match_track(
        &self,
        track: &TrackQuery,
        method: MatchMethod,
    ) -> impl Future<Output = MetadataResult<TrackMatch>> + Send;

    /// Facts about an artist the source linked (`None`: the source no longer knows the id).
    fn artist(
        &self,
        reference: &str,
    ) -> impl Future<Output = MetadataResult<Option<ArtistFacts>>> + Send;

    /// Requests made so far, by endpoint and outcome.
    fn request_stats(&self) -> RequestStats;
}
