//! What one connection can reach: which endpoints answer and which metadata fields come back.
//!
//! The same provider serves different apps differently (Spotify's Development Mode lost batch
//! lookups, popularity, labels and in practice genres in February 2026; extended quota kept
//! them). The planner asks these questions before a sync so that a filter on a field no source
//! provides is reported to the user up front, never silently treated as "no match".
//!
//! How the record is kept (the provider crate does the detecting):
//! - **On connect** the provider probes with a few cheap requests and records what answered.
//! - **Live**: whenever an endpoint answers that it is not for this app, or a response shows a
//!   field present or missing, the provider records it at once, so the next plan sees it.
//! - Every entry starts [`Support::Unknown`]. Unknown endpoints are worth trying (the first
//!   refusal is recorded); unknown fields are not promised to the planner.
//!
//! The record is plain data (serde) so the store can persist it per connection.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An endpoint family whose availability differs between apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// Several tracks in one request (`GET /tracks?ids`, up to 50).
    BatchTracks,
    /// Several artists in one request (up to 50).
    BatchArtists,
    /// Several albums in one request (up to 20).
    BatchAlbums,
    /// The current generation of playlist items (`/playlists/{id}/items`).
    PlaylistItems,
    /// The legacy generation (`/playlists/{id}/tracks`).
    PlaylistTracksLegacy,
    /// Creating a playlist for the current user.
    CreatePlaylist,
}

impl Endpoint {
    pub const ALL: [Endpoint; 6] = [
        Endpoint::BatchTracks,
        Endpoint::BatchArtists,
        Endpoint::BatchAlbums,
        Endpoint::PlaylistItems,
        Endpoint::PlaylistTracksLegacy,
        Endpoint::CreatePlaylist,
    ];
}

/// A metadata field a filter may use whose presence differs between apps. Fields every
/// playlist item carries regardless of the app (name, artists, album, duration, explicit,
/// release date and its precision, album type, track and disc number, added at/by) are not
/// listed: they need no capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Genres,
    TrackPopularity,
    ArtistPopularity,
    ArtistFollowers,
    AlbumPopularity,
    AlbumLabel,
    Isrc,
    AvailableMarkets,
    /// Relinking information (`linked_from`).
    LinkedFrom,
}

impl Field {
    /// How the field reads to a user (the query language's name where it has one).
    pub fn label(self) -> &'static str {
        match self {
            Field::Genres => "genre",
            Field::TrackPopularity => "popularity",
            Field::ArtistPopularity => "artist popularity",
            Field::ArtistFollowers => "artist followers",
            Field::AlbumPopularity => "album popularity",
            Field::AlbumLabel => "label",
            Field::Isrc => "isrc",
            Field::AvailableMarkets => "available markets",
            Field::LinkedFrom => "relinked tracks",
        }
    }

    pub const ALL: [Field; 9] = [
        Field::Genres,
        Field::TrackPopularity,
        Field::ArtistPopularity,
        Field::ArtistFollowers,
        Field::AlbumPopularity,
        Field::AlbumLabel,
        Field::Isrc,
        Field::AvailableMarkets,
        Field::LinkedFrom,
    ];
}

/// Which kind of catalog object a lookup asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupKind {
    Track,
    Artist,
    Album,
}

impl LookupKind {
    /// The endpoint that serves this kind in batches.
    pub fn batch_endpoint(self) -> Endpoint {
        match self {
            LookupKind::Track => Endpoint::BatchTracks,
            LookupKind::Artist => Endpoint::BatchArtists,
            LookupKind::Album => Endpoint::BatchAlbums,
        }
    }
}

/// Why something is not available, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MissingReason {
    /// The service refused the endpoint for this app (HTTP status kept for the record).
    NotForThisApp { status: u16 },
    /// Responses leave the field out for this app.
    FieldOmitted,
    /// The field is present but empty for every object seen, as the service does for apps
    /// that lost it (Spotify's artist genres in Development Mode).
    EmptyInPractice { sampled: u32 },
    /// Disabled by configuration or by the user.
    Disabled,
}

impl fmt::Display for MissingReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MissingReason::NotForThisApp { status } => write!(
                f,
                "the service refuses this for your app (HTTP {status}); apps in Development Mode \
                 lost it, an app with extended quota has it"
            ),
            MissingReason::FieldOmitted => f.write_str(
                "the service leaves this field out for your app (Development Mode); an app with \
                 extended quota receives it",
            ),
            MissingReason::EmptyInPractice { sampled } => write!(
                f,
                "empty for all {sampled} objects checked, as the service does for apps in \
                 Development Mode"
            ),
            MissingReason::Disabled => f.write_str("turned off in settings"),
        }
    }
}

/// What is known about one endpoint or field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Support {
    /// Not yet probed or seen.
    #[default]
    Unknown,
    Available,
    Unavailable {
        reason: MissingReason,
    },
}

impl Support {
    pub fn is_available(&self) -> bool {
        matches!(self, Support::Available)
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self, Support::Unavailable { .. })
    }

    pub fn reason(&self) -> Option<&MissingReason> {
        match self {
            Support::Unavailable { reason } => Some(reason),
            _ => None,
        }
    }
}

/// Per-connection record of endpoints and fields. Entries missing from the maps are
/// [`Support::Unknown`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Capabilities {
    #[serde(default)]
    endpoints: BTreeMap<Endpoint, Support>,
    #[serde(default)]
    fields: BTreeMap<Field, Support>,
    /// Whether the on-connect probe has run to the end.
    #[serde(default)]
    probed: bool,
}

const UNKNOWN: Support = Support::Unknown;

impl Capabilities {
    /// Nothing known yet.
    pub fn unknown() -> Self {
        Self::default()
    }

    pub fn endpoint(&self, endpoint: Endpoint) -> &Support {
        self.endpoints.get(&endpoint).unwrap_or(&UNKNOWN)
    }

    pub fn field(&self, field: Field) -> &Support {
        self.fields.get(&field).unwrap_or(&UNKNOWN)
    }

    /// Whether the connection is known to provide `field`. Unknown is not a promise: the
    /// planner should treat it as "cannot tell yet" (see [`Self::field`]).
    pub fn provides(&self, field: Field) -> bool {
        self.field(field).is_available()
    }

    /// Whether an endpoint is worth calling: available, or not yet known (the first refusal
    /// is recorded and the caller falls back).
    pub fn may_use(&self, endpoint: Endpoint) -> bool {
        !self.endpoint(endpoint).is_unavailable()
    }

    /// Whether lookups of `kind` may go in batches.
    pub fn can_batch(&self, kind: LookupKind) -> bool {
        self.may_use(kind.batch_endpoint())
    }

    /// Records what an endpoint answered. Returns whether anything changed.
    pub fn record_endpoint(&mut self, endpoint: Endpoint, support: Support) -> bool {
        self.endpoints.insert(endpoint, support.clone()) != Some(support)
    }

    /// Records what a response showed about a field. Returns whether anything changed.
    pub fn record_field(&mut self, field: Field, support: Support) -> bool {
        self.fields.insert(field, support.clone()) != Some(support)
    }

    pub fn mark_probed(&mut self) {
        self.probed = true;
    }

    pub fn is_probed(&self) -> bool {
        self.probed
    }

    /// Every field known to be missing, with its reason: what the UI lists before a sync.
    pub fn missing_fields(&self) -> Vec<(Field, &MissingReason)> {
        self.fields
            .iter()
            .filter_map(|(f, s)| s.reason().map(|r| (*f, r)))
            .collect()
    }

    /// Every endpoint known to be refused, with its reason.
    pub fn missing_endpoints(&self) -> Vec<(Endpoint, &MissingReason)> {
        self.endpoints
            .iter()
            .filter_map(|(e, s)| s.reason().map(|r| (*e, r)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_endpoints_may_be_tried_but_fields_are_not_promised() {
        let caps = Capabilities::unknown();
        assert!(caps.can_batch(LookupKind::Artist));
        assert!(!caps.provides(Field::Genres));
        assert_eq!(caps.field(Field::Genres), &Support::Unknown);
    }

    #[test]
    fn recording_reports_changes_and_reasons() {
        let mut caps = Capabilities::unknown();
        let refused = Support::Unavailable {
            reason: MissingReason::NotForThisApp { status: 403 },
        };
        assert!(caps.record_endpoint(Endpoint::BatchArtists, refused.clone()));
        assert!(!caps.record_endpoint(Endpoint::BatchArtists, refused));
        assert!(!caps.can_batch(LookupKind::Artist));
        assert!(caps.can_batch(LookupKind::Track));
        caps.record_field(
            Field::TrackPopularity,
            Support::Unavailable {
                reason: MissingReason::FieldOmitted,
            },
        );
        caps.record_field(Field::Isrc, Support::Available);
        assert!(caps.provides(Field::Isrc));
        let missing = caps.missing_fields();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].0, Field::TrackPopularity);
        assert!(missing[0].1.to_string().contains("extended quota"));
    }

    #[test]
    fn serde_round_trip_is_stable() {
        let mut caps = Capabilities::unknown();
        caps.record_field(
            Field::Genres,
            Support::Unavailable {
                reason: MissingReason::EmptyInPractice { sampled: 5 },
            },
        );
        caps.record_endpoint(Endpoint::PlaylistItems, Support::Available);
        caps.mark_probed();
        let json = serde_json::to_value(&caps).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "endpoints": {"playlist_items": {"state": "available"}},
                "fields": {"genres": {"state": "unavailable",
                    "reason": {"kind": "empty_in_practice", "sampled": 5}}},
                "probed": true
            })
        );
        let back: Capabilities = serde_json::from_value(json).unwrap();
        assert_eq!(back, caps);
        // An older record without some keys still loads.
        let empty: Capabilities = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, Capabilities::unknown());
    }
}
