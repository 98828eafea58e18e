//! Metadata beyond the music service: genres (and more) from open sources such as MusicBrainz,
//! and from the user, kept for long and filled in the background.
//!
//! A desktop user's own Spotify app runs in Development Mode, which gets no artist genres in
//! practice; genre is the filter people want most. So:
//!
//! - [`source`]: the [`MetadataSource`] trait an open source implements (one request per call:
//!   match a track, look up an artist), with typed errors.
//! - [`model`]: what is asked ([`TrackQuery`]) and answered, each fact with its source
//!   ([`SourceKind`]) and a [`Confidence`].
//! - [`store`]: what is kept (answers, positive and negative, with TTLs; the queue; the user's
//!   genres), as the [`MetadataStore`] trait the store crate implements.
//! - [`enricher`]: the background worker that drains the queue at the source's pace.
//! - [`merge`]: how the service's, the user's and open sources' answers combine (precedence).
//! - [`coverage`]: what a sync takes from the kept answers, what it queues, and how much is
//!   known ("genre known for 1,812 of 2,000 artists").

pub mod coverage;
pub mod enricher;
pub mod merge;
pub mod model;
pub mod source;
pub mod store;

pub use coverage::{CoverageKind, MetadataCoverage, OpenCatalog};
pub use enricher::{
    EnrichError, EnrichProgress, EnrichProgressSink, EnrichStop, EnrichSummary, Enricher,
    EnricherConfig, Step,
};
pub use merge::{MergedGenres, album_genres, artist_genres, first_in_precedence};
pub use model::{
    ArtistFacts, ArtistLink, Confidence, MatchMethod, ReleaseFacts, SourceKind, Sourced,
    TrackMatch, TrackQuery,
};
pub use source::{MetadataError, MetadataResult, MetadataSource};
pub use store::{
    AlbumFactRow, ArtistFactRow, FactCounts, FactState, FactsTtl, MetadataStore, QueueStats,
    QueuedArtist,
};
