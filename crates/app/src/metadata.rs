//! Metadata beyond the music service, for every front end: which MusicBrainz answers for a
//! connection, running the enricher (to the end, or in the background), how far it got, and
//! the user's own genres ("my genres").
//!
//! Configuration (environment):
//! - `SYNCER_MUSICBRAINZ_URL`: the ws/2 root (default `https://musicbrainz.org/ws/2`); `off`
//!   turns open metadata off. A demo connection, unless this is set, gets its own stand-in
//!   in this process, seeded like its Spotify stand-in.
//! - `SYNCER_MUSICBRAINZ_CONTACT`: the contact in the User-Agent (default: the project's URL).
//! - `SYNCER_MUSICBRAINZ_INTERVAL_MS`: time between requests. MusicBrainz itself never gets
//!   less than 1000; a stand-in on loopback may go faster (default 5).
//! - `SYNCER_METADATA_TTL_DAYS`: how long answers are kept (default 30).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use serde::Serialize;
use syncer_core::engine::{EngineError, MetadataSettings};
use syncer_core::filter::normalize::fold;
use syncer_core::ids::{ArtistId, BasePlaylistId, ConnectionId, PlaylistId};
use syncer_core::metadata::{
    EnrichProgress, EnrichProgressSink, EnrichStop, Enricher, EnricherConfig, FactCounts, FactsTtl,
    MetadataCoverage, MetadataStore as _, SourceKind,
};
use syncer_core::provider::MusicProvider as _;
use syncer_musicbrainz::{MUSICBRAINZ_ORG, MbClient, MbConfig, MusicBrainz};
use syncer_store::UserGenres;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::demo::DemoSpec;
use crate::error::{AppError, AppResult};
use crate::services::Services;

pub const MUSICBRAINZ_URL_ENV: &str = "SYNCER_MUSICBRAINZ_URL";
pub const MUSICBRAINZ_CONTACT_ENV: &str = "SYNCER_MUSICBRAINZ_CONTACT";
pub const MUSICBRAINZ_INTERVAL_ENV: &str = "SYNCER_MUSICBRAINZ_INTERVAL_MS";
pub const METADATA_TTL_ENV: &str = "SYNCER_METADATA_TTL_DAYS";

/// MusicBrainz's rule: one request a second at most.
const MUSICBRAINZ_INTERVAL: Duration = Duration::from_secs(1);
/// A stand-in on loopback needs no sparing; the demo's fills in seconds.
const LOOPBACK_INTERVAL: Duration = Duration::from_millis(5);
/// How often the background enricher looks for new work when the queue is empty.
const BACKGROUND_POLL: Duration = Duration::from_secs(30);

/// Where open metadata comes from, as the environment says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Off,
    Url(String),
    /// MusicBrainz itself (a demo connection: its own stand-in).
    Default,
}

fn origin() -> Origin {
    match std::env::var(MUSICBRAINZ_URL_ENV) {
        Ok(v) if v.trim().eq_ignore_ascii_case("off") => Origin::Off,
        Ok(v) if !v.trim().is_empty() => Origin::Url(v.trim().trim_end_matches('/').to_owned()),
        _ => Origin::Default,
    }
}

fn is_loopback(url: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// How a sync uses open metadata (on unless `SYNCER_MUSICBRAINZ_URL=off`).
pub fn metadata_settings() -> MetadataSettings {
    let ttl = std::env::var(METADATA_TTL_ENV)
        .ok()
        .and_then(|d| d.trim().parse::<u64>().ok())
        .filter(|d| *d > 0)
        .map_or_else(FactsTtl::default, FactsTtl::days);
    MetadataSettings {
        open_genres: origin() != Origin::Off,
        source: SourceKind::MusicBrainz,
        ttl,
    }
}

/// The client settings for a ws/2 root: one request a second for MusicBrainz (never less),
/// faster for a stand-in on loopback.
pub fn client_config(url: &str) -> MbConfig {
    let asked = std::env::var(MUSICBRAINZ_INTERVAL_ENV)
        .ok()
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map(Duration::from_millis);
    let interval = if is_loopback(url) {
        asked.unwrap_or(LOOPBACK_INTERVAL)
    } else {
        asked
            .unwrap_or(MUSICBRAINZ_INTERVAL)
            .max(MUSICBRAINZ_INTERVAL)
    };
    let mut config = MbConfig {
        interval,
        ..MbConfig::with_base_url(url)
    };
    if let Ok(contact) = std::env::var(MUSICBRAINZ_CONTACT_ENV)
        && !contact.trim().is_empty()
    {
        config.contact = contact.trim().to_owned();
    }
    if is_loopback(url) {
        config.backoff = Duration::from_millis(50);
        config.max_backoff = Duration::from_secs(2);
        config.timeout = Duration::from_secs(5);
    }
    config
}

/// The MusicBrainz sources of this process: one shared client for MusicBrainz (its limit is
/// per client, whatever the connection), and a stand-in per demo connection.
#[derive(Default)]
pub struct OpenMetadata {
    shared: Mutex<Option<MusicBrainz>>,
    demos: Mutex<HashMap<ConnectionId, (Arc<FakeMusicBrainz>, MusicBrainz)>>,
}

impl std::fmt::Debug for OpenMetadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenMetadata").finish_non_exhaustive()
    }
}

fn mb_error(e: syncer_musicbrainz::MbError) -> AppError {
    AppError::Service(e.to_string())
}

fn storage(e: syncer_core::engine::StorageError) -> AppError {
    AppError::Engine(EngineError::Storage(e))
}

/// How an enrichment run went, over every connection it served.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EnrichRun {
    pub connections: BTreeMap<String, EnrichProgress>,
    pub total: EnrichProgress,
    /// Whether it was stopped (Ctrl-C, the app) before the queue was done.
    pub cancelled: bool,
    /// Whether another process (the app, `syncer watch`) is filling already: this run did
    /// nothing, so as not to double MusicBrainz's pace.
    pub busy: bool,
}

/// What is kept and what waits, for `syncer enrich` and the app's status line.
#[derive(Debug, Clone, Serialize)]
pub struct EnrichStatus {
    /// Whether open metadata is on, and from where.
    pub enabled: bool,
    pub source_url: Option<String>,
    pub queued: u64,
    pub due: u64,
    pub artists: FactCounts,
    pub my_genres: usize,
    /// Time between requests to the source.
    pub interval_ms: u64,
}

/// An artist named on the command line (or in the app), resolved to the service's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedArtist {
    pub id: ArtistId,
    pub name: Option<String>,
}

fn sum(into: &mut EnrichProgress, p: &EnrichProgress) {
    into.requests += p.requests;
    into.settled += p.settled;
    into.found += p.found;
    into.not_found += p.not_found;
    into.ambiguous += p.ambiguous;
    into.failures += p.failures;
}

/// A Spotify artist id from an id, a `spotify:artist:` URI or an open.spotify.com link.
fn artist_id_in(text: &str) -> Option<ArtistId> {
    let t = text.trim();
    let id = t
        .strip_prefix("spotify:artist:")
        .or_else(|| {
            t.split_once("open.spotify.com/artist/")
                .map(|(_, rest)| rest.split(['?', '/']).next().unwrap_or(rest))
        })
        .unwrap_or(t);
    (id.len() == 22 && id.chars().all(|c| c.is_ascii_alphanumeric())).then(|| ArtistId::new(id))
}

impl Services {
    /// The MusicBrainz that answers for a connection; `None` when open metadata is off.
    pub async fn metadata_source(
        &self,
        connection: &ConnectionId,
    ) -> AppResult<Option<MusicBrainz>> {
        let demo = DemoSpec::parse(connection);
        match (origin(), demo) {
            (Origin::Off, _) => Ok(None),
            (Origin::Default, Some(spec)) => {
                let mut demos = self.metadata.demos.lock().await;
                if let Some((_, source)) = demos.get(connection) {
                    return Ok(Some(source.clone()));
                }
                let fake = FakeMusicBrainz::start(FakeMbConfig {
                    seed: spec.seed,
                    library: spec.library(),
                    coverage: Coverage::default(),
                    rate: Some(RateRule {
                        interval: Duration::from_millis(2),
                        tolerance: Duration::from_millis(2),
                    }),
                    ..FakeMbConfig::default()
                })
                .await
                .map_err(|e| AppError::Service(e.to_string()))?;
                let client = MbClient::new(client_config(&fake.base_url())).map_err(mb_error)?;
                let source = MusicBrainz::new(client);
                demos.insert(connection.clone(), (Arc::new(fake), source.clone()));
                Ok(Some(source))
            }
            (origin, _) => {
                let mut shared = self.metadata.shared.lock().await;
                if let Some(source) = shared.as_ref() {
                    return Ok(Some(source.clone()));
                }
                let url = match origin {
                    Origin::Url(url) => url,
                    _ => MUSICBRAINZ_ORG.to_owned(),
                };
                let client = MbClient::new(client_config(&url)).map_err(mb_error)?;
                let source = MusicBrainz::new(client);
                *shared = Some(source.clone());
                Ok(Some(source))
            }
        }
    }

    /// The MusicBrainz stand-in of a demo connection, when it runs in this process.
    pub async fn musicbrainz_stand_in(
        &self,
        connection: &ConnectionId,
    ) -> Option<Arc<FakeMusicBrainz>> {
        self.metadata
            .demos
            .lock()
            .await
            .get(connection)
            .map(|(f, _)| f.clone())
    }

    /// Works through the enrichment queue of every connection (or the one named) until
    /// nothing is due, or until cancelled (what is done stays done). One connection at a time:
    /// MusicBrainz's limit is per client, not per connection.
    pub async fn enrich(
        &self,
        only: Option<&ConnectionId>,
        cancel: &CancellationToken,
        progress: Option<EnrichProgressSink>,
    ) -> AppResult<EnrichRun> {
        let settings = metadata_settings();
        let mut run = EnrichRun::default();
        if !settings.open_genres {
            return Ok(run);
        }
        let connections = self
            .store
            .queued_connections(SourceKind::MusicBrainz)
            .await?;
        for connection in connections
            .into_iter()
            .filter(|c| only.is_none_or(|o| o == c))
        {
            if cancel.is_cancelled() {
                run.cancelled = true;
                break;
            }
            let Some(source) = self.metadata_source(&connection).await? else {
                break;
            };
            let enricher = Enricher::new(source, self.store.clone()).with_config(EnricherConfig {
                ttl: settings.ttl,
                stop_when_idle: true,
                connection: Some(connection.clone()),
                ..EnricherConfig::default()
            });
            let summary = enricher
                .run(cancel, progress.clone())
                .await
                .map_err(|e| match e {
                    syncer_core::metadata::EnrichError::Storage(s) => storage(s),
                })?;
            sum(&mut run.total, &summary.progress);
            run.total.queued += summary.progress.queued;
            run.total.due += summary.progress.due;
            run.cancelled |= summary.stop == EnrichStop::Cancelled;
            if summary.stop == EnrichStop::Busy {
                run.busy = true;
                break;
            }
            run.connections
                .insert(connection.to_string(), summary.progress);
        }
        Ok(run)
    }

    /// The enricher in the background: fills the queue as syncs and previews add to it, until
    /// cancelled. Failures are logged and retried later; they never stop the loop.
    pub async fn enrich_in_background(&self, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            match self.enrich(None, &cancel, None).await {
                Ok(run) if run.total.requests > 0 => tracing::info!(
                    requests = run.total.requests,
                    settled = run.total.settled,
                    queued = run.total.queued,
                    "enrichment round done"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "enrichment round failed"),
            }
            tokio::select! {
                () = cancel.cancelled() => {}
                () = tokio::time::sleep(BACKGROUND_POLL) => {}
            }
        }
    }

    /// What is kept and what waits.
    pub async fn enrichment_status(&self) -> AppResult<EnrichStatus> {
        let now = syncer_core::engine::Clock::now(&syncer_core::engine::SystemClock);
        let queue = self
            .store
            .queue_stats(SourceKind::MusicBrainz, None, now)
            .await
            .map_err(storage)?;
        let artists = self
            .store
            .fact_counts(SourceKind::MusicBrainz)
            .await
            .map_err(storage)?;
        let origin = origin();
        let url = match &origin {
            Origin::Off => None,
            Origin::Url(u) => Some(u.clone()),
            Origin::Default => Some(MUSICBRAINZ_ORG.to_owned()),
        };
        let interval = url
            .as_deref()
            .map_or(MUSICBRAINZ_INTERVAL, |u| client_config(u).interval);
        Ok(EnrichStatus {
            enabled: origin != Origin::Off,
            source_url: url,
            queued: queue.queued,
            due: queue.due,
            artists,
            my_genres: self.store.list_user_genres().await?.len(),
            interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
        })
    }

    /// How much of a base's metadata is known, as a preview finds it (reading the base once,
    /// and queueing what is missing).
    pub async fn metadata_coverage(
        &self,
        base: &BasePlaylistId,
    ) -> AppResult<Vec<MetadataCoverage>> {
        let record = self.base(base.as_str()).await?;
        let engine = self.engine(&record.connection).await?;
        Ok(engine.preview(base).await?.metadata)
    }

    /// An artist from an id, a Spotify link, or a name found in the bases' tracks. A name
    /// that several artists share is refused with their ids, so the user can pick one.
    pub async fn resolve_artist(&self, text: &str) -> AppResult<ResolvedArtist> {
        if let Some(id) = artist_id_in(text) {
            let name = self.store.user_genres_of(&id).await?.and_then(|g| g.name);
            return Ok(ResolvedArtist { id, name });
        }
        let wanted = fold(text.trim());
        // Already tagged under that name?
        let tagged: Vec<UserGenres> = self
            .store
            .list_user_genres()
            .await?
            .into_iter()
            .filter(|g| g.name.as_deref().is_some_and(|n| fold(n) == wanted))
            .collect();
        if let [one] = tagged.as_slice() {
            return Ok(ResolvedArtist {
                id: one.artist.clone(),
                name: one.name.clone(),
            });
        }
        let mut found: BTreeMap<ArtistId, (String, String)> = BTreeMap::new();
        for base in self.store.list_bases().await? {
            let client = self.client(&base.connection).await?;
            let items = client
                .playlist_items(&PlaylistId::new(base.id.as_str()))
                .await?;
            for t in items.tracks() {
                for a in &t.artists {
                    if let Some(id) = a.id.as_ref().filter(|_| fold(&a.name) == wanted) {
                        found
                            .entry(id.clone())
                            .or_insert_with(|| (a.name.clone(), t.name.clone()));
                    }
                }
            }
        }
        match found.len() {
            1 => {
                let (id, (name, _)) = found.into_iter().next().ok_or_else(|| {
                    AppError::NotFound(format!("no artist named {text:?} in your bases"))
                })?;
                Ok(ResolvedArtist {
                    id,
                    name: Some(name),
                })
            }
            0 => Err(AppError::NotFound(format!(
                "no artist named {text:?} in your base playlists; give the artist's Spotify id \
                 or link (open.spotify.com/artist/…) instead"
            ))),
            n => {
                let list: Vec<String> = found
                    .iter()
                    .map(|(id, (name, track))| format!("{id} ({name}, e.g. \"{track}\")"))
                    .collect();
                Err(AppError::Usage(format!(
                    "{n} artists are named {text:?}; give the id of the one you mean: {}",
                    list.join("; ")
                )))
            }
        }
    }

    /// Adds the user's genres to an artist (named, or by id or link).
    pub async fn tag_artist(&self, artist: &str, genres: &[String]) -> AppResult<UserGenres> {
        let genres: Vec<String> = genres
            .iter()
            .map(|g| g.trim().to_owned())
            .filter(|g| !g.is_empty())
            .collect();
        if genres.is_empty() {
            return Err(AppError::Usage(
                "name at least one genre, e.g. `syncer genres tag ARTIST shoegaze`".into(),
            ));
        }
        let resolved = self.resolve_artist(artist).await?;
        Ok(self
            .store
            .tag_artist(&resolved.id, resolved.name.as_deref(), &genres)
            .await?)
    }

    /// Removes the user's genres from an artist (all of them when none are named). Returns
    /// the artist and what is left.
    pub async fn untag_artist(
        &self,
        artist: &str,
        genres: &[String],
    ) -> AppResult<(ResolvedArtist, Option<UserGenres>)> {
        let resolved = self.resolve_artist(artist).await?;
        if self.store.user_genres_of(&resolved.id).await?.is_none() {
            return Err(AppError::NotFound(format!(
                "you have not tagged {}; `syncer genres list` shows who you have",
                resolved.name.as_deref().unwrap_or(resolved.id.as_str())
            )));
        }
        let left = self.store.untag_artist(&resolved.id, genres).await?;
        Ok((resolved, left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artist_ids_come_from_ids_uris_and_links() {
        let id = "0OdUWJ0sBjDrqHygGUXeCF";
        for text in [
            id.to_owned(),
            format!("spotify:artist:{id}"),
            format!("https://open.spotify.com/artist/{id}?si=abc"),
        ] {
            assert_eq!(artist_id_in(&text), Some(ArtistId::new(id)), "{text}");
        }
        assert_eq!(artist_id_in("Band of Horses"), None);
    }

    #[test]
    fn musicbrainz_itself_never_gets_more_than_one_request_a_second() {
        let c = client_config("https://musicbrainz.org/ws/2");
        assert!(c.interval >= Duration::from_secs(1));
        let c = client_config("http://127.0.0.1:9/ws/2");
        assert!(c.interval < Duration::from_secs(1));
    }
}
