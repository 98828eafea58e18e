//! The enricher: works through the queue of artists one request at a time, keeping every
//! answer as it comes, so a cold library fills over minutes to hours and a restart goes on
//! where it stopped without asking anything twice.
//!
//! For one queued artist:
//! 1. a fresh settled answer (found, not found, ambiguous) is already kept: dequeue, no request;
//! 2. the source's id for the artist is known (linked through another track, or an expired
//!    answer): one artist lookup, then dequeue;
//! 3. otherwise one of its tracks is matched (ISRC first): that links the artist, and every
//!    other artist credited on the track, and describes the track's release; the next step does
//!    the artist lookup. A track not recognised moves on to the next candidate; when none is
//!    left the artist is kept as not found (or ambiguous).
//!
//! The pace is the source's own (MusicBrainz: one request a second); on a transient failure
//! the artist waits longer each time and the loop pauses as the source asks.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::engine::clock::{Clock, SystemClock};
use crate::engine::storage::StorageError;
use crate::filter::Timestamp;
use crate::ids::ConnectionId;
use crate::metadata::model::{ArtistLink, Confidence, MatchMethod, TrackMatch};
use crate::metadata::source::{MetadataError, MetadataSource};
use crate::metadata::store::{
    AlbumFactRow, ArtistFactRow, FactState, FactsTtl, MetadataStore, QueuedArtist,
};

#[derive(Debug, Clone)]
pub struct EnricherConfig {
    pub ttl: FactsTtl,
    /// How often an idle background loop looks at the queue again.
    pub idle_poll: Duration,
    /// Stop when nothing is due (`syncer enrich --wait`) rather than waiting for more.
    pub stop_when_idle: bool,
    /// Only this connection's queue: a demo connection's stand-in knows only the demo.
    pub connection: Option<ConnectionId>,
    /// The longest an artist waits after repeated transient failures.
    pub max_backoff: Duration,
    /// A running enricher renews its lease at every step (and pause); one not renewed for
    /// this long is taken over by another process.
    pub lease: Duration,
}

impl Default for EnricherConfig {
    fn default() -> Self {
        EnricherConfig {
            ttl: FactsTtl::default(),
            idle_poll: Duration::from_secs(30),
            stop_when_idle: false,
            connection: None,
            max_backoff: Duration::from_secs(60 * 60),
            lease: Duration::from_secs(5 * 60),
        }
    }
}

/// What enrichment stopped on.
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Asked the source once.
    Asked,
    /// Settled an artist from what was kept, without asking.
    Settled,
    /// The source failed in a way that passes: the artist waits, the loop pauses.
    Failed { error: MetadataError },
    /// Nothing is due.
    Idle,
}

/// How far a run got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EnrichProgress {
    /// Requests made to the source in this run.
    pub requests: u64,
    /// Artists settled in this run (found, not found or ambiguous).
    pub settled: u64,
    pub found: u64,
    pub not_found: u64,
    pub ambiguous: u64,
    /// Transient failures in this run.
    pub failures: u64,
    /// Still queued, and of those due now.
    pub queued: u64,
    pub due: u64,
}

pub type EnrichProgressSink = Arc<dyn Fn(&EnrichProgress) + Send + Sync>;

/// Why a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnrichStop {
    /// Nothing left that is due (only with `stop_when_idle`).
    Idle,
    Cancelled,
    /// Another process is enriching from the same source and database: asking too would
    /// double the source's pace, so this one did nothing.
    Busy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrichSummary {
    pub progress: EnrichProgress,
    pub stop: EnrichStop,
}

/// Who holds the lease: this process, and this enricher within it.
fn holder_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("pid {} #{n}", std::process::id())
}

pub struct Enricher<M, S> {
    source: M,
    store: S,
    clock: Arc<dyn Clock>,
    config: EnricherConfig,
}

impl<M: MetadataSource, S: MetadataStore> Enricher<M, S> {
    pub fn new(source: M, store: S) -> Self {
        Enricher {
            source,
            store,
            clock: Arc::new(SystemClock),
            config: EnricherConfig::default(),
        }
    }

    pub fn with_config(mut self, config: EnricherConfig) -> Self {
        self.config = config;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn source(&self) -> &M {
        &self.source
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Works until cancelled, or with `stop_when_idle` until nothing is due. Storage failures
    /// stop the run; the source's failures only pause it. Only one enricher per source and
    /// database runs at a time (a lease in the store): another one finds it busy.
    pub async fn run(
        &self,
        cancel: &CancellationToken,
        progress: Option<EnrichProgressSink>,
    ) -> Result<EnrichSummary, EnrichError> {
        let holder = holder_id();
        if !self.renew(&holder).await? {
            return Ok(self
                .summary(EnrichProgress::default(), EnrichStop::Busy)
                .await?);
        }
        let result = self.run_holding(&holder, cancel, progress).await;
        if let Err(e) = self
            .store
            .release_enricher(self.source.kind(), &holder)
            .await
        {
            tracing::warn!(error = %e, "could not release the enrichment lease");
        }
        result
    }

    async fn renew(&self, holder: &str) -> Result<bool, StorageError> {
        let now = self.clock.now();
        let lease = i64::try_from(self.config.lease.as_secs()).unwrap_or(i64::MAX);
        let stale_before = Timestamp::from_unix_seconds(now.unix_seconds().saturating_sub(lease));
        self.store
            .claim_enricher(self.source.kind(), holder, now, stale_before)
            .await
    }

    async fn run_holding(
        &self,
        holder: &str,
        cancel: &CancellationToken,
        progress: Option<EnrichProgressSink>,
    ) -> Result<EnrichSummary, EnrichError> {
        let mut p = EnrichProgress::default();
        let requests_before = self.source.request_stats().total();
        loop {
            if cancel.is_cancelled() {
                return Ok(self.summary(p, EnrichStop::Cancelled).await?);
            }
            if !self.renew(holder).await? {
                // Taken over after this process went quiet for too long.
                return Ok(self.summary(p, EnrichStop::Busy).await?);
            }
            let step = tokio::select! {
                biased;
                () = cancel.cancelled() => return Ok(self.summary(p, EnrichStop::Cancelled).await?),
                step = self.step_counting(&mut p) => step?,
            };
            p.requests = self
                .source
                .request_stats()
                .total()
                .saturating_sub(requests_before);
            let pause = match &step {
                Step::Asked | Step::Settled => None,
                Step::Failed { error } => {
                    p.failures += 1;
                    tracing::warn!(error = %error, "enrichment pauses");
                    Some(error.pause())
                }
                Step::Idle if self.config.stop_when_idle => {
                    return Ok(self.summary(p, EnrichStop::Idle).await?);
                }
                Step::Idle => Some(self.config.idle_poll),
            };
            if let Some(sink) = &progress {
                let stats = self
                    .store
                    .queue_stats(
                        self.source.kind(),
                        self.config.connection.as_ref(),
                        self.clock.now(),
                    )
                    .await?;
                p.queued = stats.queued;
                p.due = stats.due;
                sink(&p);
            }
            if let Some(pause) = pause {
                tokio::select! {
                    biased;
                    () = cancel.cancelled() => {}
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
    }

    async fn summary(
        &self,
        mut p: EnrichProgress,
        stop: EnrichStop,
    ) -> Result<EnrichSummary, StorageError> {
        let stats = self
            .store
            .queue_stats(
                self.source.kind(),
                self.config.connection.as_ref(),
                self.clock.now(),
            )
            .await?;
        p.queued = stats.queued;
        p.due = stats.due;
        Ok(EnrichSummary { progress: p, stop })
    }

    async fn step_counting(&self, p: &mut EnrichProgress) -> Result<Step, EnrichError> {
        let (step, settled) = self.step_inner().await?;
        if let Some(state) = settled {
            p.settled += 1;
            match state {
                FactState::Found => p.found += 1,
                FactState::NotFound => p.not_found += 1,
                FactState::Ambiguous => p.ambiguous += 1,
                FactState::Linked => {}
            }
        }
        Ok(step)
    }

    /// One step: at most one request to the source, its answer kept before returning.
    pub async fn step(&self) -> Result<Step, EnrichError> {
        Ok(self.step_inner().await?.0)
    }

    async fn step_inner(&self) -> Result<(Step, Option<FactState>), EnrichError> {
        let kind = self.source.kind();
        let now = self.clock.now();
        let Some(mut item) = self
            .store
            .next_queued(kind, self.config.connection.as_ref(), now, 1)
            .await?
            .into_iter()
            .next()
        else {
            return Ok((Step::Idle, None));
        };
        let row = self
            .store
            .artist_facts(kind, std::slice::from_ref(&item.artist))
            .await?
            .into_iter()
            .next();
        let fresh = row.as_ref().filter(|r| r.is_fresh(&self.config.ttl, now));
        if let Some(r) = fresh
            && r.state.is_settled()
        {
            self.store.dequeue(kind, &item.artist).await?;
            return Ok((Step::Settled, None));
        }
        // Linked, or any earlier answer with the source's id (an expired one is refreshed
        // with one lookup: the id does not change).
        let linked = row
            .as_ref()
            .filter(|r| fresh.is_some() || !r.state.is_negative())
            .and_then(|r| r.reference.clone().map(|id| (id, r.confidence)));
        if let Some((reference, confidence)) = linked {
            return match self.source.artist(&reference).await {
                Ok(found) => {
                    let state = if found.is_some() {
                        FactState::Found
                    } else {
                        FactState::NotFound
                    };
                    let note = found
                        .is_none()
                        .then(|| format!("{kind} no longer knows artist {reference}"));
                    self.store
                        .save_artist_facts(&[ArtistFactRow {
                            artist: item.artist.clone(),
                            source: kind,
                            state,
                            reference: Some(reference),
                            facts: found,
                            confidence,
                            note,
                            fetched_at: self.clock.now(),
                        }])
                        .await?;
                    self.store.dequeue(kind, &item.artist).await?;
                    Ok((Step::Asked, Some(state)))
                }
                Err(error) => self.failed(item, error).await,
            };
        }
        let candidate = (item.tried / 2) as usize;
        let Some(track) = item.candidates.get(candidate).cloned() else {
            let state = self
                .give_up(&item, "no track of this artist was recognised")
                .await?;
            return Ok((Step::Settled, Some(state)));
        };
        let method = if item.tried % 2 == 1 || track.isrc.is_none() {
            MatchMethod::Search
        } else {
            MatchMethod::Isrc
        };
        let answer = match self.source.match_track(&track, method).await {
            Ok(answer) => answer,
            Err(error) => return self.failed(item, error).await,
        };
        let fetched_at = self.clock.now();
        item.attempts = 0;
        let mut linked_self = false;
        let mut reason = None;
        // After an unknown ISRC the same track is searched for; otherwise the next one.
        let next = if method == MatchMethod::Isrc && answer == TrackMatch::NotFound {
            item.tried | 1
        } else {
            (item.tried / 2 + 1) * 2
        };
        match answer {
            TrackMatch::Found {
                artists, release, ..
            } => {
                let ids: Vec<_> = artists.iter().map(|(a, _)| a.clone()).collect();
                let known = self.store.artist_facts(kind, &ids).await?;
                let mut rows = Vec::new();
                for (artist, link) in artists {
                    let is_self = artist == item.artist;
                    match link {
                        ArtistLink::Linked {
                            reference,
                            confidence,
                        } => {
                            // Another artist keeps a fresh answer it already has.
                            let has_fresh = known.iter().any(|r| {
                                r.artist == artist && r.is_fresh(&self.config.ttl, fetched_at)
                            });
                            if is_self || !has_fresh {
                                linked_self |= is_self;
                                rows.push(ArtistFactRow {
                                    artist,
                                    source: kind,
                                    state: FactState::Linked,
                                    reference: Some(reference),
                                    facts: None,
                                    confidence,
                                    note: None,
                                    fetched_at,
                                });
                            }
                        }
                        ArtistLink::Unmatched { reason: why } if is_self => reason = Some(why),
                        ArtistLink::Unmatched { .. } => {}
                    }
                }
                self.store.save_artist_facts(&rows).await?;
                if let (Some(album), Some(release)) = (track.album_id.clone(), release) {
                    self.store
                        .save_album_facts(&[AlbumFactRow {
                            album,
                            source: kind,
                            state: FactState::Found,
                            reference: release.reference,
                            facts: Some(release.value),
                            confidence: release.confidence.min(Confidence::ISRC),
                            fetched_at,
                        }])
                        .await?;
                }
            }
            TrackMatch::NotFound => {}
            TrackMatch::Ambiguous { reason: why } => {
                item.ambiguous = true;
                reason = Some(why);
            }
        }
        if !linked_self {
            item.tried = next;
            if (item.tried / 2) as usize >= item.candidates.len() {
                let why = reason.unwrap_or_else(|| "no track of this artist was recognised".into());
                let state = self.give_up(&item, &why).await?;
                return Ok((Step::Asked, Some(state)));
            }
        }
        self.store.update_queued(&item).await?;
        Ok((Step::Asked, None))
    }

    /// Keeps a negative answer for an artist whose candidates are used up.
    async fn give_up(&self, item: &QueuedArtist, why: &str) -> Result<FactState, StorageError> {
        let state = if item.ambiguous {
            FactState::Ambiguous
        } else {
            FactState::NotFound
        };
        self.store
            .save_artist_facts(&[ArtistFactRow {
                artist: item.artist.clone(),
                source: self.source.kind(),
                state,
                reference: None,
                facts: None,
                confidence: Confidence::CERTAIN,
                note: Some(why.to_owned()),
                fetched_at: self.clock.now(),
            }])
            .await?;
        self.store.dequeue(self.source.kind(), &item.artist).await?;
        Ok(state)
    }

    /// A failed request: a transient failure makes the artist wait (longer each time); any
    /// other moves on to its next candidate, so one unreadable answer cannot block the queue.
    async fn failed(
        &self,
        mut item: QueuedArtist,
        error: MetadataError,
    ) -> Result<(Step, Option<FactState>), EnrichError> {
        if error == MetadataError::Cancelled {
            return Ok((Step::Failed { error }, None));
        }
        if error.is_transient() {
            item.attempts = item.attempts.saturating_add(1);
            let wait = error
                .pause()
                .saturating_mul(1u32 << item.attempts.min(10))
                .min(self.config.max_backoff);
            let wait = i64::try_from(wait.as_secs()).unwrap_or(i64::MAX);
            item.not_before =
                Timestamp::from_unix_seconds(self.clock.now().unix_seconds().saturating_add(wait));
            self.store.update_queued(&item).await?;
            return Ok((Step::Failed { error }, None));
        }
        tracing::warn!(artist = %item.artist, error = %error, "enrichment skips a candidate");
        item.tried = (item.tried / 2 + 1) * 2;
        if (item.tried / 2) as usize >= item.candidates.len() {
            let state = self.give_up(&item, &error.to_string()).await?;
            return Ok((Step::Asked, Some(state)));
        }
        self.store.update_queued(&item).await?;
        Ok((Step::Asked, None))
    }
}
