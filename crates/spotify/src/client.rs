//! [`SpotifyClient`]: core's [`MusicProvider`] over Spotify's Web API.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use futures_util::{StreamExt, TryStreamExt, stream};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::json;
use syncer_core::capabilities::{Capabilities, Endpoint, Field, LookupKind};
use syncer_core::ids::{
    AlbumId, ArtistId, ConnectionId, LIKED_SONGS_NAME, PlaylistId, SnapshotId, TrackId,
};
use syncer_core::provider::{
    AlbumMeta, ArtistMeta, EntryOrigin, MusicProvider, NewPlaylist, Page, PageRequest,
    PlaylistEntry, PlaylistInfo, PlaylistItems, ProviderError, ProviderResult, RequestStats,
    SkipReason, SkippedObject, TrackMeta, UserProfile,
};
use tokio_util::sync::CancellationToken;

use crate::capabilities::CapabilityStore;
use crate::config::{ClientConfig, MAX_PAGE_SIZE};
use crate::http::{ApiRequest, CallError, Idempotency, Transport};
use crate::liked::{LIKED_SONGS_ENDPOINT, USER_LIBRARY_READ, liked_snapshot};
use crate::mapping::{self, is_spotify_id, track_uri};
use crate::model::{
    AlbumObject, ArtistObject, Lenient, Paging, PlaylistEntryObject, PlaylistObject, SeveralAlbums,
    SeveralArtists, SeveralTracks, SnapshotOnly, TrackObject, UserObject,
};
use crate::paging::{Generation, page_size, remaining_offsets};
use crate::token::{StaticToken, TokenSource};

/// Spotify takes at most this many URIs per write.
const MAX_WRITE: usize = 100;

/// Catalog objects the probe looks up per kind (one batch, or this many single requests).
const PROBE_SAMPLE: usize = 3;

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("could not set up the HTTP client: {0}")]
pub struct BuildError(#[from] reqwest::Error);

struct Inner<T> {
    connection: ConnectionId,
    transport: Transport<T>,
    caps: CapabilityStore,
}

/// One connection to Spotify. Cheap to clone: clones share the connection's token bucket,
/// circuit breaker, counters and capability record.
pub struct SpotifyClient<T: TokenSource = StaticToken> {
    inner: Arc<Inner<T>>,
    cancel: CancellationToken,
}

impl<T: TokenSource> Clone for SpotifyClient<T> {
    fn clone(&self) -> Self {
        SpotifyClient {
            inner: self.inner.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

/// Names the connection and the service only: nothing of the token source.
impl<T: TokenSource> std::fmt::Debug for SpotifyClient<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpotifyClient")
            .field("connection", &self.inner.connection)
            .field("api_base", &self.config().api_base)
            .finish_non_exhaustive()
    }
}

impl<T: TokenSource> SpotifyClient<T> {
    pub fn new(
        connection: ConnectionId,
        tokens: T,
        config: ClientConfig,
    ) -> Result<Self, BuildError> {
        Self::with_capabilities(connection, tokens, config, Capabilities::unknown())
    }

    /// Starts from a record kept from an earlier session (the store persists it), so the
    /// first sync does not retry what this app is known not to have.
    pub fn with_capabilities(
        connection: ConnectionId,
        tokens: T,
        config: ClientConfig,
        caps: Capabilities,
    ) -> Result<Self, BuildError> {
        Ok(SpotifyClient {
            inner: Arc::new(Inner {
                connection,
                transport: Transport::new(config, Arc::new(tokens))?,
                caps: CapabilityStore::new(caps),
            }),
            cancel: CancellationToken::new(),
        })
    }

    /// A handle on the same connection whose waits and requests end when `cancel` fires
    /// (one per sync, so cancelling a sync leaves the connection usable).
    pub fn with_cancellation(&self, cancel: CancellationToken) -> Self {
        SpotifyClient {
            inner: self.inner.clone(),
            cancel,
        }
    }

    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    pub fn config(&self) -> &ClientConfig {
        self.inner.transport.config()
    }

    /// Whether the circuit breaker currently refuses requests (the service kept failing).
    pub fn is_circuit_open(&self) -> bool {
        self.inner.transport.is_circuit_open()
    }

    /// Until when the service asked this connection to wait after a 429, while that is
    /// still ahead: what a front end shows as "rate-limited until …". Wall-clock time, since
    /// that is what a person reads.
    pub fn rate_limited_until(&self) -> Option<SystemTime> {
        let until = self.inner.transport.rate_limited_until()?;
        let ahead = until.saturating_duration_since(Instant::now());
        Some(SystemTime::now() + ahead)
    }

    fn concurrency(&self) -> usize {
        self.config().max_concurrency.max(1)
    }

    fn caps(&self) -> &CapabilityStore {
        &self.inner.caps
    }

    async fn call<R: DeserializeOwned>(&self, req: ApiRequest) -> Result<R, CallError> {
        self.inner.transport.json(&req, &self.cancel).await
    }

    /// One page of a playlist's entries through `generation`.
    async fn items_page(
        &self,
        id: &PlaylistId,
        generation: Generation,
        offset: u32,
        limit: u32,
    ) -> Result<(u32, Paging<PlaylistEntryObject>), CallError> {
        let req = ApiRequest::get(
            generation.get_endpoint(),
            format!("/playlists/{}/{}", id.as_str(), generation.path()),
        )
        .query("offset", offset.to_string())
        .query("limit", page_size(limit).to_string())
        .query("fields", generation.projection());
        Ok((offset, self.call(req).await?))
    }

    /// Generations worth trying to read a playlist, current first.
    fn read_generations(&self) -> Vec<Generation> {
        self.caps().get(|c| {
            let mut g = Vec::with_capacity(2);
            if c.may_use(Endpoint::PlaylistItems) {
                g.push(Generation::Items);
            }
            if c.may_use(Endpoint::PlaylistTracksLegacy) {
                g.push(Generation::Tracks);
            }
            if g.is_empty() {
                g.push(Generation::Items);
            }
            g
        })
    }

    /// The generation writes go through.
    fn write_generation(&self) -> Generation {
        let items = self.caps().get(|c| c.may_use(Endpoint::PlaylistItems));
        let legacy = self
            .caps()
            .get(|c| c.endpoint(Endpoint::PlaylistTracksLegacy).is_available());
        if items || !legacy {
            Generation::Items
        } else {
            Generation::Tracks
        }
    }

    /// Maps one page of playlist entries, numbering them from the page's offset.
    fn push_page(
        entries: &mut Vec<PlaylistEntry>,
        (offset, page): (u32, Paging<PlaylistEntryObject>),
    ) {
        for (i, item) in page.items.into_iter().enumerate() {
            let position = offset.saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
            entries.push(match item {
                Lenient::Read(e) => mapping::entry(position, e),
                // A null entry reads as an entry without content: unavailable.
                Lenient::Null => mapping::entry(position, PlaylistEntryObject::default()),
                Lenient::Unreadable(why) => {
                    tracing::debug!(position, %why, "an entry Syncer could not read");
                    PlaylistEntry::Skipped {
                        position,
                        origin: EntryOrigin::default(),
                        reason: SkipReason::Unreadable,
                        uri: None,
                    }
                }
            });
        }
    }

    /// Looks up catalog objects of one kind: batches while the app may use them, single
    /// requests otherwise; one slot per id asked, in order.
    async fn lookup<K: CatalogKind>(&self, ids: &[&str]) -> ProviderResult<Vec<Option<K::Wire>>> {
        // Owned ids in the streams below: borrowed ones trip the compiler's higher-ranked
        // lifetime check for `Send` futures.
        let mut seen = HashSet::new();
        let unique: Vec<String> = ids
            .iter()
            .copied()
            .filter(|id| is_spotify_id(id) && seen.insert(*id))
            .map(str::to_owned)
            .collect();
        let mut found: HashMap<String, Option<K::Wire>> = HashMap::with_capacity(unique.len());

        if !unique.is_empty() && self.caps().get(|c| c.can_batch(K::KIND)) {
            let mut chunks = unique.chunks(K::BATCH_LIMIT).map(<[String]>::to_vec);
            // The first batch alone: it tells whether this app may batch at all.
            if let Some(first) = chunks.next()
                && self.first_batch::<K>(first, &mut found).await?
            {
                let results = stream::iter(chunks)
                    .map(|chunk| async move {
                        let result = self.fetch_batch::<K>(&chunk).await;
                        (chunk, result)
                    })
                    .buffered(self.concurrency())
                    .collect::<Vec<_>>()
                    .await;
                for (chunk, result) in results {
                    match result {
                        Ok(slots) => found.extend(chunk.into_iter().zip(slots)),
                        // Refused half-way: the ids of this chunk go one by one below.
                        Err(e) if refuses_app(&e) => self.refused(K::KIND.batch_endpoint(), &e),
                        Err(e) => return Err(e.into_provider(K::NOUN_PLURAL)),
                    }
                }
            }
        }

        let missing: Vec<String> = unique
            .into_iter()
            .filter(|id| !found.contains_key(id))
            .collect();
        let singles: Vec<(String, Option<K::Wire>)> = stream::iter(missing)
            .map(|id| async move {
                let wire = self.single::<K>(&id).await?;
                Ok::<_, ProviderError>((id, wire))
            })
            .buffered(self.concurrency())
            .try_collect()
            .await?;
        found.extend(singles);

        K::observe(self.caps(), found.values().flatten());
        Ok(ids
            .iter()
            .map(|id| found.get(*id).cloned().flatten())
            .collect())
    }

    /// The first batch of a lookup. Returns whether batching works for this app.
    async fn first_batch<K: CatalogKind>(
        &self,
        chunk: Vec<String>,
        found: &mut HashMap<String, Option<K::Wire>>,
    ) -> ProviderResult<bool> {
        match self.fetch_batch::<K>(&chunk).await {
            Ok(slots) => {
                self.caps().endpoint_works(K::KIND.batch_endpoint());
                found.extend(chunk.into_iter().zip(slots));
                Ok(true)
            }
            Err(e) if refuses_app(&e) => {
                self.refused(K::KIND.batch_endpoint(), &e);
                Ok(false)
            }
            Err(e) => Err(e.into_provider(K::NOUN_PLURAL)),
        }
    }

    fn refused(&self, endpoint: Endpoint, e: &CallError) {
        let status = e.status().map_or(403, |s| s.as_u16());
        self.caps().endpoint_refused(endpoint, status);
    }

    async fn fetch_batch<K: CatalogKind>(
        &self,
        chunk: &[String],
    ) -> Result<Vec<Option<K::Wire>>, CallError> {
        let req =
            ApiRequest::get(K::BATCH_ENDPOINT, K::PATH.to_owned()).query("ids", chunk.join(","));
        let several: K::Several = self.call(req).await?;
        let mut slots = K::slots(several);
        // One slot per id asked; anything else is read as "unknown" for the missing tail.
        slots.resize_with(chunk.len(), || None);
        Ok(slots)
    }

    async fn single<K: CatalogKind>(&self, id: &str) -> ProviderResult<Option<K::Wire>> {
        let req = ApiRequest::get(K::SINGLE_ENDPOINT, format!("{}/{id}", K::PATH));
        match self.call(req).await {
            Ok(w) => Ok(Some(w)),
            // Unknown or malformed ids are "not found", never a failed sync.
            Err(e)
                if matches!(
                    e.status(),
                    Some(StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST)
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into_provider(&format!("{} {id}", K::NOUN))),
        }
    }

    async fn write(
        &self,
        method: Method,
        endpoint: &'static str,
        playlist: &PlaylistId,
        generation: Generation,
        body: serde_json::Value,
        idempotency: Idempotency,
    ) -> ProviderResult<SnapshotId> {
        let req = ApiRequest::with_body(
            method,
            endpoint,
            format!("/playlists/{}/{}", playlist.as_str(), generation.path()),
            body,
            idempotency,
        );
        let reply: SnapshotOnly = self.call(req).await.map_err(|e| match e {
            CallError::Status {
                status: StatusCode::FORBIDDEN,
                message,
            } if !message.to_ascii_lowercase().contains("scope") => ProviderError::Forbidden {
                what: format!("changing playlist {playlist}"),
                message: format!(
                    "{message}; Spotify lets apps change only playlists you own or collaborate on"
                ),
            },
            other => other.into_provider(&format!("playlist {playlist}")),
        })?;
        // A write that answers without a version leaves the playlist "changed": the next sync
        // reads it rather than trusting a version Syncer does not have.
        Ok(reply
            .snapshot_id
            .filter(|s| !s.is_empty())
            .map_or_else(mapping::unversioned, SnapshotId::new))
    }

    async fn add_chunk(
        &self,
        playlist: &PlaylistId,
        generation: Generation,
        chunk: &[TrackId],
        position: Option<u32>,
    ) -> ProviderResult<SnapshotId> {
        let mut body = json!({ "uris": chunk.iter().map(track_uri).collect::<Vec<_>>() });
        if let Some(p) = position {
            body["position"] = json!(p);
        }
        self.write(
            Method::POST,
            generation.post_endpoint(),
            playlist,
            generation,
            body,
            Idempotency::Unsafe,
        )
        .await
    }

    /// One page of Liked Songs, newest first. Saved-track objects read as playlist entries
    /// (`added_at` and `track`), so the same mapping keeps `added_at` as the added date.
    async fn liked_page(
        &self,
        offset: u32,
        limit: u32,
    ) -> Result<(u32, Paging<PlaylistEntryObject>), CallError> {
        let req = ApiRequest::get(LIKED_SONGS_ENDPOINT, "/me/tracks".to_owned())
            .query("offset", offset.to_string())
            .query("limit", page_size(limit).to_string());
        Ok((offset, self.call(req).await?))
    }

    /// Liked Songs are readable only as this connection's own: another connection's reserved
    /// id would read this account's library under that connection's name.
    fn check_liked(&self, id: &PlaylistId) -> ProviderResult<()> {
        if id.liked_songs_of().as_ref() == Some(&self.inner.connection) {
            Ok(())
        } else {
            Err(ProviderError::NotFound {
                what: format!("Liked Songs {id:?} (of another connection)"),
            })
        }
    }

    /// A 403 naming the scope is a connection made before Syncer asked for
    /// `user-library-read`: said as such, so the user reconnects rather than wonders.
    fn liked_error(e: CallError) -> ProviderError {
        match e {
            CallError::Status { status, message }
                if status == StatusCode::FORBIDDEN
                    && message.to_ascii_lowercase().contains("scope") =>
            {
                tracing::info!("Liked Songs refused: the sign-in lacks user-library-read");
                ProviderError::MissingScope {
                    scope: USER_LIBRARY_READ.to_owned(),
                    what: "read your Liked Songs".to_owned(),
                }
            }
            e => e.into_provider("your Liked Songs"),
        }
    }

    /// The change check: one request, the first page with `limit=1` (see `liked.rs`).
    async fn liked_version(&self) -> ProviderResult<(SnapshotId, u32)> {
        let (_, page) = self.liked_page(0, 1).await.map_err(Self::liked_error)?;
        let total = page.total.unwrap_or(0);
        let newest = page.items.into_iter().find_map(|i| match i {
            Lenient::Read(e) => e.added_at,
            _ => None,
        });
        let version = liked_snapshot(
            total,
            newest.as_deref(),
            SystemTime::now(),
            self.config().liked_full_read_every,
        );
        Ok((version, total))
    }

    /// Every saved track, newest first, in pages of 50 (the contract's largest).
    async fn liked_items(&self) -> ProviderResult<PlaylistItems> {
        let size = MAX_PAGE_SIZE;
        let first = self.liked_page(0, size).await.map_err(Self::liked_error)?;
        let total = first.1.total.unwrap_or(0);
        let first_len = u32::try_from(first.1.items.len()).unwrap_or(u32::MAX);
        let mut entries = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        Self::push_page(&mut entries, first);
        let mut rest = std::pin::pin!(
            stream::iter(remaining_offsets(first_len, total, size))
                .map(|offset| self.liked_page(offset, size))
                .buffered(self.concurrency())
        );
        while let Some(page) = rest.next().await {
            Self::push_page(&mut entries, page.map_err(Self::liked_error)?);
        }
        Ok(PlaylistItems { entries })
    }

    fn check_playlist_id(id: &PlaylistId) -> ProviderResult<()> {
        if is_spotify_id(id.as_str()) {
            Ok(())
        } else {
            Err(ProviderError::NotFound {
                what: format!("playlist {id:?}"),
            })
        }
    }
}

fn refs(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}

/// A 403 or 404 from an endpoint that answers either only when the app may not use it.
fn refuses_app(e: &CallError) -> bool {
    matches!(
        e.status(),
        Some(StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
    )
}

/// What differs between track, artist and album lookups.
trait CatalogKind {
    type Wire: DeserializeOwned + Clone + Send + Sync;
    type Several: DeserializeOwned + Send;
    const KIND: LookupKind;
    /// The contract's batch sizes: 50 tracks, 50 artists, 20 albums.
    const BATCH_LIMIT: usize;
    const PATH: &'static str;
    const BATCH_ENDPOINT: &'static str;
    const SINGLE_ENDPOINT: &'static str;
    const NOUN: &'static str;
    const NOUN_PLURAL: &'static str;
    fn slots(several: Self::Several) -> Vec<Option<Self::Wire>>;
    fn observe<'a>(caps: &CapabilityStore, objects: impl Iterator<Item = &'a Self::Wire>)
    where
        Self::Wire: 'a;
}

struct Tracks;
struct Artists;
struct Albums;

impl CatalogKind for Tracks {
    type Wire = TrackObject;
    type Several = SeveralTracks;
    const KIND: LookupKind = LookupKind::Track;
    const BATCH_LIMIT: usize = 50;
    const PATH: &'static str = "/tracks";
    const BATCH_ENDPOINT: &'static str = "GET /tracks";
    const SINGLE_ENDPOINT: &'static str = "GET /tracks/{id}";
    const NOUN: &'static str = "track";
    const NOUN_PLURAL: &'static str = "tracks";
    fn slots(several: SeveralTracks) -> Vec<Option<TrackObject>> {
        several
            .tracks
            .into_iter()
            .map(Lenient::into_option)
            .collect()
    }
    fn observe<'a>(caps: &CapabilityStore, objects: impl Iterator<Item = &'a TrackObject>) {
        caps.observe_tracks(objects);
    }
}

impl CatalogKind for Artists {
    type Wire = ArtistObject;
    type Several = SeveralArtists;
    const KIND: LookupKind = LookupKind::Artist;
    const BATCH_LIMIT: usize = 50;
    const PATH: &'static str = "/artists";
    const BATCH_ENDPOINT: &'static str = "GET /artists";
    const SINGLE_ENDPOINT: &'static str = "GET /artists/{id}";
    const NOUN: &'static str = "artist";
    const NOUN_PLURAL: &'static str = "artists";
    fn slots(several: SeveralArtists) -> Vec<Option<ArtistObject>> {
        several
            .artists
            .into_iter()
            .map(Lenient::into_option)
            .collect()
    }
    fn observe<'a>(caps: &CapabilityStore, objects: impl Iterator<Item = &'a ArtistObject>) {
        caps.observe_artists(objects);
    }
}

impl CatalogKind for Albums {
    type Wire = AlbumObject;
    type Several = SeveralAlbums;
    const KIND: LookupKind = LookupKind::Album;
    const BATCH_LIMIT: usize = 20;
    const PATH: &'static str = "/albums";
    const BATCH_ENDPOINT: &'static str = "GET /albums";
    const SINGLE_ENDPOINT: &'static str = "GET /albums/{id}";
    const NOUN: &'static str = "album";
    const NOUN_PLURAL: &'static str = "albums";
    fn slots(several: SeveralAlbums) -> Vec<Option<AlbumObject>> {
        several
            .albums
            .into_iter()
            .map(Lenient::into_option)
            .collect()
    }
    fn observe<'a>(caps: &CapabilityStore, objects: impl Iterator<Item = &'a AlbumObject>) {
        caps.observe_albums(objects);
    }
}

impl<T: TokenSource> MusicProvider for SpotifyClient<T> {
    fn connection_id(&self) -> &ConnectionId {
        &self.inner.connection
    }

    fn capabilities(&self) -> Capabilities {
        self.caps().snapshot()
    }

    async fn detect_capabilities(&self) -> ProviderResult<Capabilities> {
        let me = self.current_user().await?;
        let page = self.playlists_page(PageRequest::first(50)).await?;
        let mine = |p: &&PlaylistInfo| {
            p.owner_id.as_deref() == Some(me.id.as_str()) && is_spotify_id(p.id.as_str())
        };
        let sample = page
            .items
            .iter()
            .filter(mine)
            .find(|p| p.total_items.unwrap_or(0) > 0)
            .or_else(|| page.items.iter().find(mine));
        if let Some(playlist) = sample {
            // Both generations on a playlist the user owns: a refusal here is about the app.
            let mut entries = Vec::new();
            for (generation, endpoint) in [
                (Generation::Items, Endpoint::PlaylistItems),
                (Generation::Tracks, Endpoint::PlaylistTracksLegacy),
            ] {
                match self.items_page(&playlist.id, generation, 0, 10).await {
                    Ok((_, page)) => {
                        self.caps().endpoint_works(endpoint);
                        if entries.is_empty() {
                            entries = page
                                .items
                                .into_iter()
                                .filter_map(Lenient::into_option)
                                .enumerate()
                                .map(|(i, e)| mapping::entry(u32::try_from(i).unwrap_or(0), e))
                                .collect();
                        }
                    }
                    Err(e) if refuses_app(&e) => self.refused(endpoint, &e),
                    Err(e) => return Err(e.into_provider("a playlist's items")),
                }
            }
            let tracks: Vec<&TrackMeta> = entries
                .iter()
                .filter_map(|e| match e {
                    PlaylistEntry::Track { track, .. } => Some(track),
                    PlaylistEntry::Skipped { .. } => None,
                })
                .collect();
            let pick = |ids: Vec<&str>| -> Vec<String> {
                let mut seen = HashSet::new();
                ids.into_iter()
                    .filter(|id| seen.insert(*id))
                    .take(PROBE_SAMPLE)
                    .map(str::to_owned)
                    .collect()
            };
            let track_ids = pick(tracks.iter().map(|t| t.id.as_str()).collect());
            let artist_ids = pick(
                tracks
                    .iter()
                    .flat_map(|t| t.artists.iter().filter_map(|a| a.id.as_ref()))
                    .map(|id| id.as_str())
                    .collect(),
            );
            let album_ids = pick(
                tracks
                    .iter()
                    .filter_map(|t| t.album.as_ref().and_then(|a| a.id.as_ref()))
                    .map(|id| id.as_str())
                    .collect(),
            );
            self.lookup::<Tracks>(&refs(&track_ids)).await?;
            self.lookup::<Artists>(&refs(&artist_ids)).await?;
            self.lookup::<Albums>(&refs(&album_ids)).await?;
        }
        self.caps().mark_probed();
        let caps = self.caps().snapshot();
        tracing::info!(
            connection = %self.inner.connection,
            missing_fields = caps.missing_fields().len(),
            missing_endpoints = caps.missing_endpoints().len(),
            "capabilities probed"
        );
        Ok(caps)
    }

    async fn current_user(&self) -> ProviderResult<UserProfile> {
        let user: UserObject = self
            .call(ApiRequest::get("GET /me", "/me".to_owned()))
            .await
            .map_err(|e| e.into_provider("your Spotify profile"))?;
        Ok(mapping::user(user))
    }

    async fn playlists_page(&self, page: PageRequest) -> ProviderResult<Page<PlaylistInfo>> {
        let limit = page_size(page.limit);
        let req = ApiRequest::get("GET /me/playlists", "/me/playlists".to_owned())
            .query("offset", page.offset.to_string())
            .query("limit", limit.to_string());
        let p: Paging<PlaylistObject> = self
            .call(req)
            .await
            .map_err(|e| e.into_provider("your playlists"))?;
        let listed = u32::try_from(p.items.len()).unwrap_or(u32::MAX);
        let mut items = Vec::with_capacity(p.items.len());
        let mut skipped = Vec::new();
        for (i, object) in p.items.into_iter().enumerate() {
            let position = page
                .offset
                .saturating_add(u32::try_from(i).unwrap_or(u32::MAX));
            let read = match object {
                // Spotify sends null playlists in listings now and then: nothing to report.
                Lenient::Null => continue,
                Lenient::Read(o) => mapping::playlist(o),
                Lenient::Unreadable(why) => Err(format!(
                    "the service sent a playlist Syncer could not read ({why})"
                )),
            };
            match read {
                Ok(p) => items.push(p),
                Err(reason) => {
                    tracing::warn!(position, %reason, "left a playlist of the listing out");
                    skipped.push(SkippedObject { position, reason });
                }
            }
        }
        Ok(Page {
            items,
            skipped,
            offset: page.offset,
            total: p.total.unwrap_or(page.offset.saturating_add(listed)),
            next_offset: p
                .next
                .is_some()
                .then(|| page.offset.saturating_add(listed.max(1))),
        })
    }

    async fn playlist(&self, id: &PlaylistId) -> ProviderResult<PlaylistInfo> {
        if id.is_liked_songs() {
            self.check_liked(id)?;
            let (snapshot_id, total) = self.liked_version().await?;
            return Ok(PlaylistInfo {
                id: id.clone(),
                name: LIKED_SONGS_NAME.to_owned(),
                description: None,
                owner_id: None,
                owner_name: None,
                snapshot_id,
                total_items: Some(total),
                public: Some(false),
                collaborative: false,
            });
        }
        Self::check_playlist_id(id)?;
        let req = ApiRequest::get("GET /playlists/{id}", format!("/playlists/{}", id.as_str()))
            .query(
                "fields",
                "id,name,description,owner(id,display_name),snapshot_id,public,collaborative,\
                 items.total,tracks.total",
            );
        let p: PlaylistObject = self
            .call(req)
            .await
            .map_err(|e| e.into_provider(&format!("playlist {id}")))?;
        mapping::playlist(p).map_err(|message| ProviderError::InvalidResponse {
            endpoint: "GET /playlists/{id}".to_owned(),
            message,
        })
    }

    async fn snapshot_id(&self, id: &PlaylistId) -> ProviderResult<SnapshotId> {
        if id.is_liked_songs() {
            self.check_liked(id)?;
            return Ok(self.liked_version().await?.0);
        }
        Self::check_playlist_id(id)?;
        let req = ApiRequest::get("GET /playlists/{id}", format!("/playlists/{}", id.as_str()))
            .query("fields", "snapshot_id");
        let s: SnapshotOnly = self
            .call(req)
            .await
            .map_err(|e| e.into_provider(&format!("playlist {id}")))?;
        // Without a version the playlist counts as changed: the sync reads its items.
        Ok(s.snapshot_id
            .filter(|s| !s.is_empty())
            .map_or_else(mapping::unversioned, SnapshotId::new))
    }

    async fn playlist_items(&self, id: &PlaylistId) -> ProviderResult<PlaylistItems> {
        if id.is_liked_songs() {
            self.check_liked(id)?;
            return self.liked_items().await;
        }
        Self::check_playlist_id(id)?;
        let size = page_size(self.config().page_size);
        let mut refused = None;
        for generation in self.read_generations() {
            let first = match self.items_page(id, generation, 0, size).await {
                Ok(page) => page,
                // `/items` refuses playlists the user neither owns nor collaborates on;
                // the legacy generation may still serve them.
                Err(e) if e.status() == Some(StatusCode::FORBIDDEN) => {
                    refused = Some(e);
                    continue;
                }
                Err(e) => return Err(e.into_provider(&format!("playlist {id}"))),
            };
            let total = first.1.total.unwrap_or(0);
            let first_len = u32::try_from(first.1.items.len()).unwrap_or(u32::MAX);
            // Each page is mapped as it arrives (in order: `buffered` keeps it) and its wire form
            // dropped, so a 10,000-item playlist never holds every raw page at once.
            let mut entries = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
            Self::push_page(&mut entries, first);
            let mut rest = std::pin::pin!(
                stream::iter(remaining_offsets(first_len, total, size))
                    .map(|offset| self.items_page(id, generation, offset, size))
                    .buffered(self.concurrency())
            );
            while let Some(page) = rest.next().await {
                let page = page.map_err(|e| e.into_provider(&format!("playlist {id}")))?;
                Self::push_page(&mut entries, page);
            }
            let items = PlaylistItems { entries };
            let skipped = items.skipped_counts();
            if !skipped.is_empty() {
                tracing::info!(playlist = %id, ?skipped, "entries that cannot be routed");
            }
            return Ok(items);
        }
        let message = refused.map_or_else(String::new, |e| match e {
            CallError::Status { message, .. } => message,
            CallError::Provider(p) => p.to_string(),
        });
        Err(ProviderError::Forbidden {
            what: format!("the items of playlist {id}"),
            message: format!(
                "{message}; Spotify lets apps read the items only of playlists you own or \
                 collaborate on"
            ),
        })
    }

    async fn tracks(&self, ids: &[TrackId]) -> ProviderResult<Vec<Option<TrackMeta>>> {
        let refs: Vec<&str> = ids.iter().map(TrackId::as_str).collect();
        let found = self.lookup::<Tracks>(&refs).await?;
        Ok(found
            .into_iter()
            .map(|w| w.and_then(|t| mapping::track(t).ok()))
            .collect())
    }

    async fn artists(&self, ids: &[ArtistId]) -> ProviderResult<Vec<Option<ArtistMeta>>> {
        let refs: Vec<&str> = ids.iter().map(ArtistId::as_str).collect();
        let found = self.lookup::<Artists>(&refs).await?;
        let genres_known = self.caps().get(|c| c.provides(Field::Genres));
        Ok(found
            .into_iter()
            .map(|w| w.and_then(|a| mapping::artist(a, genres_known)))
            .collect())
    }

    async fn albums(&self, ids: &[AlbumId]) -> ProviderResult<Vec<Option<AlbumMeta>>> {
        let refs: Vec<&str> = ids.iter().map(AlbumId::as_str).collect();
        let found = self.lookup::<Albums>(&refs).await?;
        // Album genres have been empty for everyone for years: known only when seen.
        Ok(found
            .into_iter()
            .map(|w| w.and_then(|a| mapping::album(a, false)))
            .collect())
    }

    async fn create_playlist(&self, new: &NewPlaylist) -> ProviderResult<PlaylistInfo> {
        let mut body = json!({
            "name": new.name,
            "public": new.public,
            "collaborative": new.collaborative,
        });
        if let Some(d) = &new.description {
            body["description"] = json!(d);
        }
        let req = ApiRequest::with_body(
            Method::POST,
            "POST /me/playlists",
            "/me/playlists".to_owned(),
            body,
            Idempotency::Unsafe,
        );
        match self.call::<PlaylistObject>(req).await {
            Ok(p) => {
                self.caps().endpoint_works(Endpoint::CreatePlaylist);
                mapping::playlist(p).map_err(|message| ProviderError::InvalidResponse {
                    endpoint: "POST /me/playlists".to_owned(),
                    message,
                })
            }
            Err(CallError::Status {
                status: StatusCode::FORBIDDEN,
                message,
            }) if !message.to_ascii_lowercase().contains("scope") => {
                self.caps()
                    .endpoint_refused(Endpoint::CreatePlaylist, StatusCode::FORBIDDEN.as_u16());
                Err(ProviderError::NotAvailableForApp {
                    endpoint: "POST /me/playlists".to_owned(),
                })
            }
            Err(e) => Err(e.into_provider("a new playlist")),
        }
    }

    async fn add_items(
        &self,
        playlist: &PlaylistId,
        tracks: &[TrackId],
        position: Option<u32>,
        base: &SnapshotId,
    ) -> ProviderResult<SnapshotId> {
        Self::check_playlist_id(playlist)?;
        let generation = self.write_generation();
        let mut snapshot = base.clone();
        // In order, one chunk after the other: each lands after the previous one.
        for (i, chunk) in tracks.chunks(MAX_WRITE).enumerate() {
            let at = position
                .map(|p| p.saturating_add(u32::try_from(i * MAX_WRITE).unwrap_or(u32::MAX)));
            snapshot = self.add_chunk(playlist, generation, chunk, at).await?;
        }
        Ok(snapshot)
    }

    async fn remove_items(
        &self,
        playlist: &PlaylistId,
        tracks: &[TrackId],
        base: &SnapshotId,
    ) -> ProviderResult<SnapshotId> {
        Self::check_playlist_id(playlist)?;
        let generation = self.write_generation();
        let mut seen = HashSet::new();
        let unique: Vec<&TrackId> = tracks.iter().filter(|t| seen.insert(*t)).collect();
        let mut snapshot = base.clone();
        for chunk in unique.chunks(MAX_WRITE) {
            let list: Vec<serde_json::Value> = chunk
                .iter()
                .map(|t| json!({ "uri": track_uri(t) }))
                .collect();
            let mut body = json!({
                // The legacy generation names the list `tracks`, the current one `items`.
                generation.path(): list,
            });
            if mapping::is_versioned(&snapshot) {
                body["snapshot_id"] = json!(snapshot.as_str());
            }
            snapshot = self
                .write(
                    Method::DELETE,
                    generation.delete_endpoint(),
                    playlist,
                    generation,
                    body,
                    Idempotency::Safe,
                )
                .await?;
        }
        Ok(snapshot)
    }

    async fn replace_items(
        &self,
        playlist: &PlaylistId,
        tracks: &[TrackId],
        base: &SnapshotId,
    ) -> ProviderResult<SnapshotId> {
        Self::check_playlist_id(playlist)?;
        let generation = self.write_generation();
        let mut chunks = tracks.chunks(MAX_WRITE);
        let first = chunks.next().unwrap_or(&[]);
        let mut body = json!({
            "uris": first.iter().map(track_uri).collect::<Vec<_>>(),
        });
        if mapping::is_versioned(base) {
            body["snapshot_id"] = json!(base.as_str());
        }
        let mut snapshot = self
            .write(
                Method::PUT,
                generation.put_endpoint(),
                playlist,
                generation,
                body,
                Idempotency::Safe,
            )
            .await?;
        for chunk in chunks {
            snapshot = self.add_chunk(playlist, generation, chunk, None).await?;
        }
        Ok(snapshot)
    }

    fn request_stats(&self) -> RequestStats {
        self.inner.transport.stats()
    }
}
