//! MusicBrainz as an open metadata source for Syncer: genres (and more) for tracks and
//! artists when the music service gives none (Spotify's Development Mode).
//!
//! - [`client`]: the ws/2 JSON client. At most one request a second, one at a time; a
//!   User-Agent `Syncer/<version> ( <contact> )`; 503 (MusicBrainz's "too fast") and other
//!   5xx retried with `Retry-After` or a doubling backoff; typed errors ([`MbError`]).
//! - [`model`]: the documented JSON shapes (shared with the stand-in).
//! - [`normalize`], [`matching`]: ISRC first, else title + artist + duration after
//!   normalisation, never a silent wrong match.
//! - [`source`]: core's [`syncer_core::metadata::MetadataSource`] over the client.
//!
//! ```no_run
//! # async fn demo() -> Result<(), syncer_musicbrainz::MbError> {
//! use syncer_musicbrainz::{MbClient, MbConfig, MusicBrainz};
//! let client = MbClient::new(MbConfig::default())?; // https://musicbrainz.org/ws/2
//! let found = client.isrc("GBAYE6900522").await?;
//! let source = MusicBrainz::new(client);
//! # Ok(()) }
//! ```

pub mod client;
pub mod error;
pub mod matching;
pub mod model;
pub mod normalize;
pub mod source;

pub use client::{MUSICBRAINZ_ORG, MbClient, MbConfig};
pub use error::MbError;
pub use source::MusicBrainz;
