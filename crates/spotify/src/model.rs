//! Spotify's JSON as it arrives, per `fixed-spotify-open-api.yml`. Everything a real response
//! may leave out or send as `null` is an `Option` or defaults, so one odd object never fails
//! a whole page; turning these into core's values is `mapping.rs`'s job.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UserObject {
    pub id: String,
    pub display_name: Option<String>,
    pub country: Option<String>,
    pub product: Option<String>,
}

/// A paging object. Items may be `null` (Spotify sends null playlists in listings now and
/// then), so each is optional.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Paging<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<Option<T>>,
    pub total: Option<u32>,
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct OwnerObject {
    pub id: Option<String>,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TotalRef {
    pub total: Option<u32>,
}

/// `SimplifiedPlaylistObject` and `PlaylistObject` alike (the client projects away the rest).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PlaylistObject {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub owner: Option<OwnerObject>,
    pub snapshot_id: Option<String>,
    pub public: Option<bool>,
    pub collaborative: Option<bool>,
    /// The current generation's `{href,total}` (or a page of it, in details).
    pub items: Option<TotalRef>,
    /// The legacy generation's.
    pub tracks: Option<TotalRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SnapshotOnly {
    pub snapshot_id: Option<String>,
}

/// `PlaylistTrackObject`: the content is under `item` (`/items`) or `track` (`/tracks`),
/// and is a track, an episode, a local file, or `null`. It stays raw JSON until its `type`
/// is known.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct PlaylistEntryObject {
    pub added_at: Option<String>,
    pub added_by: Option<OwnerObject>,
    pub is_local: Option<bool>,
    pub item: Option<serde_json::Value>,
    pub track: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ExternalIds {
    pub isrc: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LinkedFrom {
    pub id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SimplifiedArtist {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SimplifiedAlbum {
    pub id: Option<String>,
    pub name: Option<String>,
    pub album_type: Option<String>,
    pub release_date: Option<String>,
    pub release_date_precision: Option<String>,
    #[serde(default)]
    pub artists: Vec<SimplifiedArtist>,
}

/// `TrackObject`, full or projected.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct TrackObject {
    pub id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub is_local: Option<bool>,
    pub is_playable: Option<bool>,
    pub duration_ms: Option<u32>,
    pub explicit: Option<bool>,
    pub popularity: Option<u32>,
    pub track_number: Option<u32>,
    pub disc_number: Option<u32>,
    pub external_ids: Option<ExternalIds>,
    pub linked_from: Option<LinkedFrom>,
    pub available_markets: Option<Vec<String>>,
    #[serde(default)]
    pub artists: Vec<SimplifiedArtist>,
    pub album: Option<SimplifiedAlbum>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Followers {
    pub total: Option<u64>,
}

/// `ArtistObject`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ArtistObject {
    pub id: Option<String>,
    pub name: Option<String>,
    pub genres: Option<Vec<String>>,
    pub popularity: Option<u32>,
    pub followers: Option<Followers>,
}

/// `AlbumObject`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AlbumObject {
    pub id: Option<String>,
    pub name: Option<String>,
    pub album_type: Option<String>,
    pub release_date: Option<String>,
    pub release_date_precision: Option<String>,
    pub label: Option<String>,
    pub popularity: Option<u32>,
    pub total_tracks: Option<u32>,
    pub genres: Option<Vec<String>>,
    #[serde(default)]
    pub artists: Vec<SimplifiedArtist>,
}

/// `{"tracks": [...]}`, `{"artists": [...]}`, `{"albums": [...]}`: one slot per id asked,
/// `null` for unknown ids.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SeveralTracks {
    #[serde(default)]
    pub tracks: Vec<Option<TrackObject>>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SeveralArtists {
    #[serde(default)]
    pub artists: Vec<Option<ArtistObject>>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SeveralAlbums {
    #[serde(default)]
    pub albums: Vec<Option<AlbumObject>>,
}
