//! The music provider as the engine sees it: a trait over one connection (one account on one
//! service) and the provider-neutral values it speaks. Implementations (the Spotify client)
//! live in their own crates and do the I/O; here are only the shapes.
//!
//! Metadata fields a connection may not provide are `Option`: `None` means "unknown for this
//! connection", never zero or empty. Whether a field is known at all is in
//! [`crate::capabilities::Capabilities`].

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::capabilities::Capabilities;
use crate::ids::{AlbumId, ArtistId, ConnectionId, PlaylistId, SnapshotId, TrackId};

pub type ProviderResult<T> = Result<T, ProviderError>;

/// The account behind a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    /// The service's user id.
    pub id: String,
    pub display_name: Option<String>,
    pub country: Option<String>,
    /// Subscription level as the service names it (`premium`, `free`).
    pub product: Option<String>,
}

/// One page of a paged listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub offset: u32,
    /// Implementations clamp this to what the service allows.
    pub limit: u32,
}

impl PageRequest {
    pub fn first(limit: u32) -> Self {
        PageRequest { offset: 0, limit }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: u32,
    pub total: u32,
    /// Where the next page starts; `None` on the last page.
    pub next_offset: Option<u32>,
    /// Objects of this page that could not be read (an odd object never fails the page): where
    /// they were and why, for the report.
    pub skipped: Vec<SkippedObject>,
}

/// An object a listing held but Syncer could not read, such as a playlist sent with
/// `"id": null`. It is left out and counted; the rest of the listing stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedObject {
    /// Its position in the whole listing (0-based).
    pub position: u32,
    /// Why, in words for the report (never the object's content).
    pub reason: String,
}

/// A playlist's header: what listing and details both give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaylistInfo {
    pub id: PlaylistId,
    pub name: String,
    pub description: Option<String>,
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub snapshot_id: SnapshotId,
    /// Number of entries (tracks and everything else), when the service says.
    pub total_items: Option<u32>,
    pub public: Option<bool>,
    pub collaborative: bool,
}

/// A new playlist for the current user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlaylist {
    pub name: String,
    pub description: Option<String>,
    pub public: bool,
    pub collaborative: bool,
}

/// How precise a release date is; services give year-only and year-month dates too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePrecision {
    Year,
    Month,
    Day,
}

/// A release date at its own precision. Ordering compares year, then month, then day, with a
/// missing part sorting first (`1999` < `1999-01` < `1999-01-01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReleaseDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl ReleaseDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. A precision that says less than the text
    /// holds wins (the service's `release_date_precision`); out-of-range parts give `None`.
    pub fn parse(text: &str, precision: Option<DatePrecision>) -> Option<ReleaseDate> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse::<i32>().ok()?;
        let month = parts
            .next()
            .map(|m| m.parse::<u8>().ok().filter(|m| (1..=12).contains(m)))
            .map_or(Ok(None), |m| m.map(Some).ok_or(()))
            .ok()?;
        let day = parts
            .next()
            .map(|d| d.parse::<u8>().ok().filter(|d| (1..=31).contains(d)))
            .map_or(Ok(None), |d| d.map(Some).ok_or(()))
            .ok()?;
        let date = ReleaseDate { year, month, day };
        Some(match precision {
            Some(DatePrecision::Year) => ReleaseDate {
                month: None,
                day: None,
                ..date
            },
            Some(DatePrecision::Month) => ReleaseDate { day: None, ..date },
            _ => date,
        })
    }

    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (Some(_), Some(_)) => DatePrecision::Day,
            (Some(_), None) => DatePrecision::Month,
            _ => DatePrecision::Year,
        }
    }
}

impl fmt::Display for ReleaseDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlbumType {
    Album,
    Single,
    Compilation,
    /// Anything else the service sends, kept as given.
    Other(String),
}

impl AlbumType {
    pub fn parse(text: &str) -> AlbumType {
        match text.to_ascii_lowercase().as_str() {
            "album" => AlbumType::Album,
            "single" => AlbumType::Single,
            "compilation" => AlbumType::Compilation,
            _ => AlbumType::Other(text.to_owned()),
        }
    }
}

/// An artist as a track or album names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistRef {
    pub id: Option<ArtistId>,
    pub name: String,
}

/// An album as a track names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumRef {
    pub id: Option<AlbumId>,
    pub name: String,
    pub album_type: Option<AlbumType>,
    pub release_date: Option<ReleaseDate>,
    pub artists: Vec<ArtistRef>,
}

/// A track's metadata. `None` means the connection did not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackMeta {
    /// The id to write and to look up with: the playable track.
    pub id: TrackId,
    pub name: String,
    pub artists: Vec<ArtistRef>,
    pub album: Option<AlbumRef>,
    pub duration_ms: Option<u32>,
    pub explicit: Option<bool>,
    pub popularity: Option<u8>,
    pub isrc: Option<String>,
    pub track_number: Option<u32>,
    pub disc_number: Option<u32>,
    /// The track originally requested when the service relinked it to another (market
    /// availability): the same recording under another id.
    pub linked_from: Option<TrackId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtistMeta {
    pub id: ArtistId,
    pub name: String,
    /// `Some(vec![])` only when the connection is known to provide genres and this artist
    /// has none; `None` when genres are unknown for this connection.
    pub genres: Option<Vec<String>>,
    pub popularity: Option<u8>,
    pub followers: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbumMeta {
    pub id: AlbumId,
    pub name: String,
    pub album_type: Option<AlbumType>,
    pub release_date: Option<ReleaseDate>,
    pub label: Option<String>,
    pub popularity: Option<u8>,
    pub artists: Vec<ArtistRef>,
    pub total_tracks: Option<u32>,
    pub genres: Option<Vec<String>>,
}

/// Why a playlist entry cannot be routed. Entries skipped for these reasons never fail a
/// sync: they are counted and reported.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkipReason {
    /// A podcast episode (or another non-track item).
    Episode,
    /// A file from the user's device: it has no catalog id to route.
    LocalFile,
    /// Removed from the catalog or unavailable: the service sent no item.
    Unavailable,
    /// An item type this version does not know.
    UnsupportedType { type_name: String },
    /// A track without a usable id.
    MissingId,
    /// An entry whose shape Syncer could not read.
    Unreadable,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Episode => f.write_str("podcast episode: only music tracks are routed"),
            SkipReason::LocalFile => f.write_str(
                "local file: it lives on one device and has no catalog id, so it cannot be \
                 added to other playlists",
            ),
            SkipReason::Unavailable => {
                f.write_str("unavailable: removed from the catalog or not playable here")
            }
            SkipReason::UnsupportedType { type_name } => {
                write!(f, "unsupported item type {type_name:?}")
            }
            SkipReason::MissingId => f.write_str("the service sent this track without an id"),
            SkipReason::Unreadable => {
                f.write_str("the service sent an entry Syncer could not read")
            }
        }
    }
}

/// Who added an entry and when, as the service says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntryOrigin {
    /// RFC 3339 timestamp.
    pub added_at: Option<String>,
    /// The adding user's id.
    pub added_by: Option<String>,
}

/// One entry of a playlist, at its position (0-based). Duplicates stay separate entries.
// Nearly every entry is a track: boxing tracks would cost an allocation per track to save
// space only on the rare skipped entry.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum PlaylistEntry {
    Track {
        position: u32,
        origin: EntryOrigin,
        track: TrackMeta,
    },
    Skipped {
        position: u32,
        origin: EntryOrigin,
        reason: SkipReason,
        /// The entry's URI when it has one (local files and episodes do), for the report.
        uri: Option<String>,
    },
}

impl PlaylistEntry {
    pub fn position(&self) -> u32 {
        match self {
            PlaylistEntry::Track { position, .. } | PlaylistEntry::Skipped { position, .. } => {
                *position
            }
        }
    }
}

/// A playlist's entries in order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PlaylistItems {
    pub entries: Vec<PlaylistEntry>,
}

impl PlaylistItems {
    pub fn tracks(&self) -> impl Iterator<Item = &TrackMeta> {
        self.entries.iter().filter_map(|e| match e {
            PlaylistEntry::Track { track, .. } => Some(track),
            PlaylistEntry::Skipped { .. } => None,
        })
    }

    /// How many entries were skipped, by reason: what the sync report shows.
    pub fn skipped_counts(&self) -> BTreeMap<SkipReason, u32> {
        let mut counts = BTreeMap::new();
        for e in &self.entries {
            if let PlaylistEntry::Skipped { reason, .. } = e {
                *counts.entry(reason.clone()).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// How one request to a service ended. Every attempt is counted, retries included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestOutcome {
    /// 2xx.
    Success,
    /// 429.
    RateLimited,
    /// 5xx.
    ServerError,
    /// No answer in time.
    Timeout,
    /// The connection failed or was dropped without an answer.
    NetworkError,
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// Other 4xx.
    ClientError,
    /// A 2xx whose body could not be read.
    InvalidResponse,
}

impl RequestOutcome {
    /// Whether a request with this outcome reached the service and got an HTTP answer.
    pub fn answered(self) -> bool {
        !matches!(self, RequestOutcome::Timeout | RequestOutcome::NetworkError)
    }
}

/// Requests made, by endpoint (e.g. `"GET /playlists/{id}/items"`) and outcome. A client
/// keeps a running total; a sync reads it before and after and reports the difference
/// ([`RequestStats::since`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestStats {
    endpoints: BTreeMap<String, BTreeMap<RequestOutcome, u64>>,
}

impl RequestStats {
    pub fn record(&mut self, endpoint: &str, outcome: RequestOutcome) {
        *self
            .endpoints
            .entry(endpoint.to_owned())
            .or_default()
            .entry(outcome)
            .or_insert(0) += 1;
    }

    pub fn count(&self, endpoint: &str, outcome: RequestOutcome) -> u64 {
        self.endpoints
            .get(endpoint)
            .and_then(|m| m.get(&outcome))
            .copied()
            .unwrap_or(0)
    }

    /// All requests to one endpoint.
    pub fn endpoint_total(&self, endpoint: &str) -> u64 {
        self.endpoints.get(endpoint).map_or(0, |m| m.values().sum())
    }

    /// All requests with one outcome.
    pub fn outcome_total(&self, outcome: RequestOutcome) -> u64 {
        self.endpoints
            .values()
            .filter_map(|m| m.get(&outcome))
            .sum()
    }

    pub fn total(&self) -> u64 {
        self.endpoints.values().flat_map(|m| m.values()).sum()
    }

    pub fn endpoints(&self) -> impl Iterator<Item = (&str, &BTreeMap<RequestOutcome, u64>)> {
        self.endpoints.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// What happened after `earlier` was read (counters only grow, so this is a difference).
    pub fn since(&self, earlier: &RequestStats) -> RequestStats {
        let mut out = RequestStats::default();
        for (endpoint, outcomes) in &self.endpoints {
            for (outcome, n) in outcomes {
                let delta = n.saturating_sub(earlier.count(endpoint, *outcome));
                if delta > 0 {
                    out.endpoints
                        .entry(endpoint.clone())
                        .or_default()
                        .insert(*outcome, delta);
                }
            }
        }
        out
    }

    pub fn merge(&mut self, other: &RequestStats) {
        for (endpoint, outcomes) in &other.endpoints {
            let mine = self.endpoints.entry(endpoint.clone()).or_default();
            for (outcome, n) in outcomes {
                *mine.entry(*outcome).or_insert(0) += n;
            }
        }
    }
}

/// What went wrong talking to a provider. Every message says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error(
        "the service asked us to wait {}s before the next request, longer than a sync waits; \
         try again after that",
        retry_after.as_secs()
    )]
    RateLimited { retry_after: Duration },
    #[error(
        "the sign-in must be renewed ({reason}): reconnect the account (Connections, then \
         Reconnect, in the app; `syncer connect spotify` in a terminal)"
    )]
    ReconnectNeeded { reason: String },
    /// The sign-in lacks a permission this needs: a connection made before Syncer asked for
    /// it (Liked Songs need `user-library-read`). Signing in again on the same connection
    /// grants it; the setup is kept.
    #[error(
        "this connection was made before Syncer asked for permission to {what} \
         ({scope}); reconnect it and approve the new permission (its bases and children are kept)"
    )]
    MissingScope { scope: String, what: String },
    #[error(
        "{endpoint} is not available to this app (Spotify restricts it for apps in Development \
         Mode); Syncer works around it where it can, otherwise an app with extended quota is needed"
    )]
    NotAvailableForApp { endpoint: String },
    #[error("{what} was not found: it may have been deleted; pick another one")]
    NotFound { what: String },
    #[error("not allowed: {what} ({message}); check that you own or collaborate on it")]
    Forbidden { what: String, message: String },
    /// Development Mode serves only the accounts listed in the app's dashboard: the service
    /// answered "User not registered in the Developer Dashboard" or "User not approved for
    /// app". Nothing about a playlist: the whole account is refused until it is listed.
    #[error(
        "Spotify refused this account for this app ({message}): an app in Development Mode \
         serves only the users listed in its dashboard. Add the account's Spotify email under \
         User Management in your app's dashboard ({DEVELOPER_DASHBOARD}), then try again"
    )]
    NotInAppUsers { message: String },
    #[error(
        "the service failed (HTTP {status}) {attempts} times in a row; it is probably having \
         trouble, try again in a few minutes"
    )]
    Server { status: u16, attempts: u32 },
    #[error(
        "could not reach the service after {attempts} attempts ({message}); check the internet \
         connection and try again"
    )]
    Network { message: String, attempts: u32 },
    #[error(
        "the service did not answer in time {attempts} times in a row; check the connection and \
         try again later"
    )]
    Timeout { attempts: u32 },
    #[error(
        "paused after repeated failures to spare the service; Syncer tries again in {}s",
        retry_in.as_secs().max(1)
    )]
    CircuitOpen { retry_in: Duration },
    #[error("cancelled")]
    Cancelled,
    #[error(
        "the service rejected the request ({message}); this is a bug in Syncer, please report it"
    )]
    InvalidRequest { message: String },
    #[error(
        "the service sent an answer Syncer could not read ({endpoint}: {message}); please report it"
    )]
    InvalidResponse { endpoint: String, message: String },
}

/// Where a Spotify app's owner manages it (and its list of users in Development Mode).
pub const DEVELOPER_DASHBOARD: &str = "https://developer.spotify.com/dashboard";

/// Recognises Development Mode's refusal of an account that is not on the app's user list,
/// from an error body as it arrives: plain text (`User not registered in the Developer
/// Dashboard`) or JSON (`{"error":{"message":"..."}}`, or a bare `"error"` string). Returns the
/// service's own words, trimmed, when it is one.
pub fn app_user_refusal(body: &str) -> Option<String> {
    const SIGNS: [&str; 3] = [
        "not registered in the developer dashboard",
        "user not approved for app",
        "not approved for this app",
    ];
    let lower = body.to_ascii_lowercase();
    if !SIGNS.iter().any(|s| lower.contains(s)) {
        return None;
    }
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let error = v.get("error")?;
            error
                .get("message")
                .and_then(serde_json::Value::as_str)
                .or_else(|| error.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| body.trim().to_owned());
    // Bounded: an odd proxy page must not fill a message.
    Some(message.chars().take(200).collect())
}

impl ProviderError {
    /// Whether trying the same thing later may succeed without the user doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Server { .. }
                | ProviderError::Network { .. }
                | ProviderError::Timeout { .. }
                | ProviderError::CircuitOpen { .. }
        )
    }
}

/// One connection to a music service. Methods are async and `Send` so the engine can run
/// them on a multi-threaded runtime; dropping a returned future cancels its work.
///
/// Lookups take any number of ids and return one slot per id, in order (`None`: the service
/// does not know it). Writes take at most as many ids as the caller likes: implementations
/// chunk them to the service's limit, keep their order, and chain the playlist's version.
pub trait MusicProvider: Send + Sync {
    fn connection_id(&self) -> &ConnectionId;

    /// What is known so far about this connection.
    fn capabilities(&self) -> Capabilities;

    /// Probes the connection with a few cheap requests and records what works.
    fn detect_capabilities(&self) -> impl Future<Output = ProviderResult<Capabilities>> + Send;

    fn current_user(&self) -> impl Future<Output = ProviderResult<UserProfile>> + Send;

    /// One page of the current user's playlists (owned and followed).
    fn playlists_page(
        &self,
        page: PageRequest,
    ) -> impl Future<Output = ProviderResult<Page<PlaylistInfo>>> + Send;

    /// Every playlist of the current user, page after page.
    fn all_playlists(&self) -> impl Future<Output = ProviderResult<Vec<PlaylistInfo>>> + Send {
        async move {
            let mut all = Vec::new();
            let mut next = Some(0);
            while let Some(offset) = next {
                let page = self
                    .playlists_page(PageRequest { offset, limit: 50 })
                    .await?;
                next = page.next_offset.filter(|n| *n > offset);
                for skipped in &page.skipped {
                    tracing::warn!(
                        position = skipped.position,
                        reason = %skipped.reason,
                        "a playlist of the listing was left out"
                    );
                }
                all.extend(page.items);
            }
            Ok(all)
        }
    }

    fn playlist(
        &self,
        id: &PlaylistId,
    ) -> impl Future<Output = ProviderResult<PlaylistInfo>> + Send;

    /// Only the playlist's version: the cheapest way to see whether it changed.
    fn snapshot_id(
        &self,
        id: &PlaylistId,
    ) -> impl Future<Output = ProviderResult<SnapshotId>> + Send;

    /// Every entry of a playlist, in order; what cannot be routed comes back as
    /// [`PlaylistEntry::Skipped`] with its reason.
    fn playlist_items(
        &self,
        id: &PlaylistId,
    ) -> impl Future<Output = ProviderResult<PlaylistItems>> + Send;

    fn tracks(
        &self,
        ids: &[TrackId],
    ) -> impl Future<Output = ProviderResult<Vec<Option<TrackMeta>>>> + Send;

    fn artists(
        &self,
        ids: &[ArtistId],
    ) -> impl Future<Output = ProviderResult<Vec<Option<ArtistMeta>>>> + Send;

    fn albums(
        &self,
        ids: &[AlbumId],
    ) -> impl Future<Output = ProviderResult<Vec<Option<AlbumMeta>>>> + Send;

    fn create_playlist(
        &self,
        new: &NewPlaylist,
    ) -> impl Future<Output = ProviderResult<PlaylistInfo>> + Send;

    /// Appends (or inserts at `position`) in order. Returns the playlist's new version, or
    /// `base` unchanged when there was nothing to add.
    fn add_items(
        &self,
        playlist: &PlaylistId,
        tracks: &[TrackId],
        position: Option<u32>,
        base: &SnapshotId,
    ) -> impl Future<Output = ProviderResult<SnapshotId>> + Send;

    /// Removes every occurrence of each track, against version `base`.
    fn remove_items(
        &self,
        playlist: &PlaylistId,
        tracks: &[TrackId],
        base: &SnapshotId,
    ) -> impl Future<Output = ProviderResult<SnapshotId>> + Send;

    /// Makes the playlist exactly `tracks`, in order (an empty list clears it).
    fn replace_items(
        &self,
        playlist: &PlaylistId,
        tracks: &[TrackId],
        base: &SnapshotId,
    ) -> impl Future<Output = ProviderResult<SnapshotId>> + Send;

    /// Requests made through this connection so far, by endpoint and outcome.
    fn request_stats(&self) -> RequestStats;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_dates_of_every_precision() {
        let y = ReleaseDate::parse("1999", Some(DatePrecision::Year)).unwrap();
        let m = ReleaseDate::parse("1999-05", Some(DatePrecision::Month)).unwrap();
        let d = ReleaseDate::parse("1999-05-03", None).unwrap();
        assert_eq!(y.precision(), DatePrecision::Year);
        assert_eq!(m.precision(), DatePrecision::Month);
        assert_eq!(d.precision(), DatePrecision::Day);
        assert!(y < m && m < d);
        assert_eq!(d.to_string(), "1999-05-03");
        assert_eq!(m.to_string(), "1999-05");
        // The stated precision wins over extra text ("0000-00" paddings exist in the wild).
        let trimmed = ReleaseDate::parse("1999-01-01", Some(DatePrecision::Year)).unwrap();
        assert_eq!(trimmed, y);
        assert_eq!(ReleaseDate::parse("", None), None);
        assert_eq!(ReleaseDate::parse("1999-13", None), None);
        assert_eq!(ReleaseDate::parse("abcd", None), None);
    }

    #[test]
    fn stats_since_and_merge() {
        let mut a = RequestStats::default();
        a.record("GET /me", RequestOutcome::Success);
        let before = a.clone();
        a.record("GET /me", RequestOutcome::Success);
        a.record("GET /tracks", RequestOutcome::RateLimited);
        let delta = a.since(&before);
        assert_eq!(delta.total(), 2);
        assert_eq!(delta.count("GET /me", RequestOutcome::Success), 1);
        assert_eq!(delta.outcome_total(RequestOutcome::RateLimited), 1);
        let mut sum = before.clone();
        sum.merge(&delta);
        assert_eq!(sum, a);
        let json = serde_json::to_string(&delta).unwrap();
        assert!(json.contains("\"rate_limited\":1"), "{json}");
    }

    #[test]
    fn skipped_counts_group_by_reason() {
        let skipped = |position, reason| PlaylistEntry::Skipped {
            position,
            origin: EntryOrigin::default(),
            reason,
            uri: None,
        };
        let items = PlaylistItems {
            entries: vec![
                skipped(0, SkipReason::Episode),
                skipped(1, SkipReason::LocalFile),
                skipped(2, SkipReason::Episode),
            ],
        };
        let counts = items.skipped_counts();
        assert_eq!(counts[&SkipReason::Episode], 2);
        assert_eq!(counts[&SkipReason::LocalFile], 1);
        assert_eq!(items.tracks().count(), 0);
    }

    #[test]
    fn app_user_refusals_are_recognised_as_text_and_as_json() {
        for body in [
            "User not registered in the Developer Dashboard",
            "  User not approved for app\n",
            r#"{"error":{"status":403,"message":"User not registered in the Developer Dashboard"}}"#,
            r#"{"error":"User not approved for app"}"#,
        ] {
            let message = app_user_refusal(body).unwrap();
            assert!(message.starts_with("User not"), "{message}");
        }
        assert_eq!(
            app_user_refusal(r#"{"error":{"status":403,"message":"Forbidden"}}"#),
            None
        );
        assert_eq!(app_user_refusal(""), None);
        let e = ProviderError::NotInAppUsers {
            message: "User not approved for app".into(),
        };
        let text = e.to_string();
        assert!(text.contains("User Management") && text.contains(DEVELOPER_DASHBOARD));
        assert!(!text.contains("own or collaborate"), "{text}");
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = ProviderError::ReconnectNeeded {
            reason: "refresh refused".into(),
        };
        assert!(e.to_string().contains("reconnect"));
        assert!(!e.is_transient());
        assert!(
            ProviderError::CircuitOpen {
                retry_in: Duration::from_secs(30)
            }
            .is_transient()
        );
    }
}
