//! Genres and other open metadata, as use cases: running the enricher (to the end, or in the
//! background), how far it got, a base's coverage, and the user's own genres ("my genres").

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use musicbrainz_fake::FakeMusicBrainz;
use serde::Serialize;
use syncer_core::engine::EngineError;
use syncer_core::filter::normalize::fold;
use syncer_core::ids::{ArtistId, BasePlaylistId, ConnectionId, PlaylistId};
use syncer_core::metadata::{
    EnrichProgress, EnrichProgressSink, EnrichStop, Enricher, EnricherConfig, FactCounts,
    MetadataCoverage, MetadataStore as _, SourceKind,
};
use syncer_core::provider::MusicProvider as _;
use syncer_musicbrainz::{MUSICBRAINZ_ORG, MusicBrainz};
use syncer_store::UserGenres;
use tokio_util::sync::CancellationToken;

use crate::config::MetadataSource;
use crate::error::{AppError, AppResult};
use crate::metadata::{BACKGROUND_POLL, client_config, metadata_settings};
use crate::services::Services;

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
        self.metadata
            .source(connection, &self.config().metadata)
            .await
    }

    /// The MusicBrainz stand-in of a demo connection, when it runs in this process.
    pub async fn musicbrainz_stand_in(
        &self,
        connection: &ConnectionId,
    ) -> Option<Arc<FakeMusicBrainz>> {
        self.metadata.stand_in(connection).await
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
        let settings = metadata_settings(&self.config().metadata);
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
        let config = &self.config().metadata;
        let url = match &config.source {
            MetadataSource::Off => None,
            MetadataSource::Url(u) => Some(u.clone()),
            MetadataSource::MusicBrainz => Some(MUSICBRAINZ_ORG.to_owned()),
        };
        let interval = url.as_deref().map_or(Duration::from_secs(1), |u| {
            client_config(u, config).interval
        });
        Ok(EnrichStatus {
            enabled: config.source != MetadataSource::Off,
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

impl Services {
    /// The user's own genres, by artist.
    pub async fn my_genres(&self) -> AppResult<Vec<UserGenres>> {
        Ok(self.store.list_user_genres().await?)
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
}
