//! The values open metadata sources speak: what they are asked (a track as the music service
//! describes it), what they answer (facts about artists and releases), and where each answer
//! came from and how sure it is.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{AlbumId, ArtistId, TrackId};
use crate::provider::{ArtistRef, ReleaseDate, TrackMeta};

/// Who said it. The order of the variants is the precedence for single-valued fields
/// (see [`crate::metadata::merge`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The music service the track came from (Spotify).
    Service,
    /// The user's own tags ("my genres").
    User,
    /// MusicBrainz, through its web service.
    #[serde(rename = "musicbrainz")]
    MusicBrainz,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Service => "service",
            SourceKind::User => "user",
            SourceKind::MusicBrainz => "musicbrainz",
        }
    }

    pub fn parse(text: &str) -> Option<SourceKind> {
        match text {
            "service" => Some(SourceKind::Service),
            "user" => Some(SourceKind::User),
            "musicbrainz" => Some(SourceKind::MusicBrainz),
            _ => None,
        }
    }

    /// As the user reads it.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Service => "Spotify",
            SourceKind::User => "yours",
            SourceKind::MusicBrainz => "MusicBrainz",
        }
    }
}

/// As the user reads it ([`SourceKind::label`]).
impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// How sure a source is that a fact belongs to the track or artist asked about, in percent.
/// It rates the *match* (is this the same artist?), not the taste of the source's editors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Confidence(u8);

impl Confidence {
    /// Said by the service itself or by the user: no matching involved.
    pub const CERTAIN: Confidence = Confidence(100);
    /// Found through the track's ISRC and the artist's name in the credit.
    pub const ISRC: Confidence = Confidence(95);
    /// Found through the ISRC, the credit naming the artist differently (another script or
    /// spelling) but being the only one on a single-artist track.
    pub const ISRC_SOLE_CREDIT: Confidence = Confidence(75);
    /// Found by title, artist and duration, one candidate left after normalisation.
    pub const SEARCH: Confidence = Confidence(80);
    /// Facts below this are not used by filters (they are still stored, with the note).
    pub const USABLE: Confidence = Confidence(70);

    pub fn new(percent: u8) -> Confidence {
        Confidence(percent.min(100))
    }

    pub fn percent(self) -> u8 {
        self.0
    }

    pub fn is_usable(self) -> bool {
        self >= Confidence::USABLE
    }
}

/// A value with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sourced<T> {
    pub value: T,
    pub source: SourceKind,
    pub confidence: Confidence,
    /// The source's own id for what it described (a MusicBrainz artist or release-group id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// One track, as an open source is asked about it: what the music service says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackQuery {
    pub track: TrackId,
    pub isrc: Option<String>,
    pub title: String,
    /// Credited artists in order, with the service's ids (what the facts are keyed by).
    pub artists: Vec<ArtistRef>,
    pub album: Option<String>,
    pub album_id: Option<AlbumId>,
    pub duration_ms: Option<u32>,
}

impl TrackQuery {
    pub fn from_meta(track: &TrackMeta) -> TrackQuery {
        TrackQuery {
            track: track.id.clone(),
            isrc: track.isrc.clone().filter(|i| !i.trim().is_empty()),
            title: track.name.clone(),
            artists: track.artists.clone(),
            album: track.album.as_ref().map(|a| a.name.clone()),
            album_id: track.album.as_ref().and_then(|a| a.id.clone()),
            duration_ms: track.duration_ms,
        }
    }

    /// Whether `artist` is credited on this track.
    pub fn credits(&self, artist: &ArtistId) -> bool {
        self.artists.iter().any(|a| a.id.as_ref() == Some(artist))
    }
}

/// What a source says about an artist.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArtistFacts {
    /// Curated genres, most voted first.
    pub genres: Vec<String>,
    /// Free-form tags, most voted first (kept, not used by filters: they hold "seen live").
    #[serde(default)]
    pub tags: Vec<String>,
}

/// What a source says about a release (an album, across its editions).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReleaseFacts {
    #[serde(default)]
    pub genres: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub label: Option<String>,
    /// Where the earliest edition came out (ISO 3166-1, or `XW` for worldwide).
    #[serde(default)]
    pub country: Option<String>,
    /// The first release of any edition: a remaster's original date.
    #[serde(default)]
    pub original_date: Option<ReleaseDate>,
}

/// How a track was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    Isrc,
    /// Title, artist and duration after normalisation.
    Search,
}

/// What became of one credited artist of a matched track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ArtistLink {
    /// The source's id for this artist.
    Linked {
        reference: String,
        confidence: Confidence,
    },
    /// No credit of the source's recording could be told to be this artist.
    Unmatched { reason: String },
}

/// A source's answer for one track.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TrackMatch {
    Found {
        /// The source's id for the recording.
        reference: String,
        method: MatchMethod,
        confidence: Confidence,
        /// One per credited artist of the query that has an id, in the query's order.
        artists: Vec<(ArtistId, ArtistLink)>,
        /// The release the track is on, when the answer described it.
        release: Option<Sourced<ReleaseFacts>>,
    },
    NotFound,
    /// Several candidates fit equally well: refused rather than guessed.
    Ambiguous {
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_capped_and_ordered() {
        assert_eq!(Confidence::new(250).percent(), 100);
        assert!(Confidence::ISRC.is_usable());
        assert!(Confidence::SEARCH.is_usable());
        assert!(!Confidence::new(50).is_usable());
        assert!(Confidence::ISRC > Confidence::SEARCH);
    }

    #[test]
    fn sources_round_trip_by_name() {
        for s in [
            SourceKind::Service,
            SourceKind::User,
            SourceKind::MusicBrainz,
        ] {
            assert_eq!(SourceKind::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert!(SourceKind::Service < SourceKind::User);
    }
}
