//! The engine: one sync of one base, as DESIGN.md's "One sync, as data flows" describes.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::capabilities::LookupKind;
use crate::engine::clock::{Clock, SystemClock};
use crate::engine::diff::{MirrorMode, WRITE_BATCH, Writes, diff_child};
use crate::engine::enrich::{
    CacheTtl, Catalog, EnrichmentPlan, field_availability_with, filter_track, ids_to_look_up,
};
use crate::engine::library::{self, ResolvedLists};
use crate::engine::locks::{BaseLock, SyncLocks};
use crate::engine::model::{BaseSetup, ChildSetup, KnownContents};
use crate::engine::open::{MetadataSettings, open_metadata, waiting_on};
use crate::engine::plan::{PlanOrigin, PlanPurpose, WritePlan};
use crate::engine::progress::{Progress, ProgressSink, Stage, eta};
use crate::engine::report::{
    CacheStats, ChildReport, ChildState, SkipCount, SyncReport, SyncStatus,
};
use crate::engine::storage::{
    CachedObject, EventKind, StorageError, SyncEventId, SyncStorage, UndoEntry,
};
use crate::filter::library::{Library, LibraryRefs, Membership};
use crate::filter::{
    CompiledFilter, EvalContext, FieldProblem, Filter, PostContext, PreparedTrack, RouteChild,
    RoutingOutcome, Timestamp, check_availability, compile, route, seed_from,
};
use crate::ids::{BasePlaylistId, ChildPlaylistId, PlaylistId, SnapshotId, TrackId};
use crate::metadata::MetadataCoverage;
use crate::provider::{MusicProvider, PlaylistEntry, ProviderError, TrackMeta};

/// A child looked at now and "why not?": beside the engine, to share its reading of a base.
pub mod inspect;

/// What can stop the engine before or during a sync.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error(
        "a sync of base {base} is in progress; wait for it to finish or cancel it, then try \
         again"
    )]
    SyncInProgress { base: BasePlaylistId },
    #[error("base playlist {0} is not set up in Syncer; add it as a base first")]
    UnknownBase(BasePlaylistId),
    #[error("nothing to undo for base {0}: no sync has changed its children since the last undo")]
    NothingToUndo(BasePlaylistId),
    #[error("the filter of child {child} cannot be used: {message}; edit its query")]
    Filter {
        child: ChildPlaylistId,
        message: String,
    },
    #[error(
        "child playlist {child} no longer exists on the service (deleted?); remove it from \
         Syncer or recreate it"
    )]
    ChildGone { child: ChildPlaylistId },
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub ttl: CacheTtl,
    /// An in-progress event older than this is treated as stuck: a new sync may start.
    pub stuck_after: Duration,
    /// How many tracks a preview shows per child.
    pub preview_sample: usize,
    /// Genres (and more) from open sources and the user.
    pub metadata: MetadataSettings,
    /// The user's calendar: relative and release dates in filters are read in it.
    pub zone: crate::calendar::TimeZone,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            ttl: CacheTtl::default(),
            stuck_after: Duration::from_secs(30 * 60),
            preview_sample: 5,
            metadata: MetadataSettings::default(),
            zone: crate::calendar::TimeZone::UTC,
        }
    }
}

/// How to run one sync.
#[derive(Clone, Default)]
pub struct SyncOptions {
    /// Route and diff even when the base and the setup are unchanged.
    pub force: bool,
    pub cancel: CancellationToken,
    pub progress: Option<ProgressSink>,
}

/// One child in a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildPreview {
    pub id: ChildPlaylistId,
    pub name: String,
    pub count: u32,
    /// Tracks the filter could not decide on (a field it reads is unknown for them).
    pub unknown: u32,
    /// A few of the tracks, as "title — artist" (crate::label).
    pub sample: Vec<String>,
    /// Fields the filter reads that the connection cannot (or may not) provide.
    pub problems: Vec<FieldProblem>,
    /// Fields the filter reads that an open source is still filling: `unknown` tracks may
    /// yet join once it is done. Wait for it, or sync now with what is known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filling: Vec<MetadataCoverage>,
    /// Set when the child would be emptied, and whether that is allowed.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub base: BasePlaylistId,
    pub tracks: u32,
    pub skipped: Vec<SkipCount>,
    pub children: Vec<ChildPreview>,
    pub unrouted: u32,
    pub unrouted_sample: Vec<String>,
    /// How much of the metadata the filters read is known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<MetadataCoverage>,
}

/// A child's filter being edited, for [`Engine::preview_draft`].
#[derive(Debug, Clone)]
pub struct DraftChild {
    /// The child being edited, or a placeholder id for one not yet created.
    pub id: ChildPlaylistId,
    pub name: String,
    pub filter: Filter,
    pub allow_empty: bool,
}

/// How to undo.
#[derive(Debug, Clone, Copy, Default)]
pub struct UndoOptions {
    /// Take out the tracks added by hand since the sync as well (by default they stay).
    pub drop_added_by_hand: bool,
}

/// One child an undo put back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndoneChild {
    pub child: ChildPlaylistId,
    /// Tracks the child holds afterwards.
    pub tracks: u32,
    /// Tracks added by hand since the sync, kept.
    pub kept_added_by_hand: u32,
}

/// What an undo restored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UndoReport {
    /// The sync that was undone.
    pub event: SyncEventId,
    /// The undo's own event (it is in the history like a sync).
    pub undo_event: SyncEventId,
    pub children: Vec<UndoneChild>,
}

/// The base's tracks, enriched and prepared, with what could not be routed.
struct Loaded {
    /// The base's tracks as filters see them (ids, names and all), in base order.
    prepared: Vec<PreparedTrack>,
    skipped: Vec<SkipCount>,
    cache: CacheStats,
    metadata: Vec<MetadataCoverage>,
    /// The library lists the rules read (`liked`, `in:`).
    library: Library,
}

/// The sync engine over one connection and one store.
pub struct Engine<P, S> {
    provider: P,
    storage: S,
    clock: Arc<dyn Clock>,
    locks: SyncLocks,
    config: EngineConfig,
}

impl<P: MusicProvider, S: SyncStorage> Engine<P, S> {
    pub fn new(provider: P, storage: S) -> Self {
        Engine {
            provider,
            storage,
            clock: Arc::new(SystemClock),
            locks: SyncLocks::default(),
            config: EngineConfig::default(),
        }
    }

    /// Shares the lock set with other engines (one per connection) in this process.
    pub fn with_locks(mut self, locks: SyncLocks) -> Self {
        self.locks = locks;
        self
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    pub fn provider(&self) -> &P {
        &self.provider
    }

    pub fn storage(&self) -> &S {
        &self.storage
    }

    pub fn locks(&self) -> &SyncLocks {
        &self.locks
    }

    fn lock(&self, base: &BasePlaylistId) -> Result<BaseLock, EngineError> {
        self.locks
            .try_lock(base)
            .ok_or_else(|| EngineError::SyncInProgress { base: base.clone() })
    }

    async fn setup(&self, base: &BasePlaylistId) -> Result<BaseSetup, EngineError> {
        self.storage
            .load_base(base)
            .await?
            .ok_or_else(|| EngineError::UnknownBase(base.clone()))
    }

    /// Opens the durable marker of a sync or an undo of `base`: refused while another runs,
    /// in this process or another.
    async fn begin(
        &self,
        base: &BasePlaylistId,
        kind: EventKind,
    ) -> Result<SyncEventId, EngineError> {
        let now = self.clock.now();
        let stale = Timestamp::from_unix_seconds(
            now.unix_seconds() - i64::try_from(self.config.stuck_after.as_secs()).unwrap_or(0),
        );
        self.storage
            .begin_event(base, kind, now, stale)
            .await
            .map_err(|e| {
                if e.busy {
                    EngineError::SyncInProgress { base: base.clone() }
                } else {
                    EngineError::Storage(e)
                }
            })
    }

    /// Syncs one base. Errors before the sync starts (unknown base, another sync running)
    /// come back as `Err`; everything after is in the report (`status`, `error`), which is
    /// also recorded as the sync event.
    pub async fn sync(
        &self,
        base: &BasePlaylistId,
        options: &SyncOptions,
    ) -> Result<SyncReport, EngineError> {
        let _lock = self.lock(base)?;
        let setup = self.setup(base).await?;
        let now = self.clock.now();
        let event = self.begin(base, EventKind::Sync).await?;
        let started = Instant::now();
        let stats_before = self.provider.request_stats();
        let report = Mutex::new(SyncReport::new(base.clone(), now.unix_seconds()));
        tracing::info!(base = %base, event = %event, children = setup.children.len(), "sync started");
        let outcome = self.run(&setup, event, &report, options).await;
        let mut report = report.into_inner();
        report.requests = self.provider.request_stats().since(&stats_before);
        report.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        report.status = match &outcome {
            Ok(()) => SyncStatus::Completed,
            Err(EngineError::Cancelled) => SyncStatus::Cancelled,
            Err(_) => SyncStatus::Failed,
        };
        if let Err(e) = &outcome
            && *e != EngineError::Cancelled
        {
            report.error = Some(e.to_string());
        }
        self.storage
            .finish_event(event, report.status, &report, self.clock.now())
            .await?;
        emit(options, Stage::Done, 1, 1, None, None);
        tracing::info!(
            base = %base,
            event = %event,
            status = report.status.as_str(),
            requests = report.requests.total(),
            added = report.added(),
            removed = report.removed(),
            duration_ms = report.duration_ms,
            "sync finished"
        );
        Ok(report)
    }

    async fn run(
        &self,
        setup: &BaseSetup,
        event: SyncEventId,
        report: &Mutex<SyncReport>,
        options: &SyncOptions,
    ) -> Result<(), EngineError> {
        let base_playlist = PlaylistId::new(setup.id.as_str());
        {
            let mut r = report.lock().await;
            r.children = setup
                .children
                .iter()
                .map(|c| child_report(c, ChildState::Pending))
                .collect();
        }
        // An interrupted run and the run that completes it are one sync for undo; and no new
        // plan is made before the old ones are finished, so nothing is computed from a
        // half-written child.
        self.storage.adopt_interrupted(&setup.id, event).await?;
        let resumed = self.resume(setup, event, report, options).await?;
        emit(options, Stage::CheckingBase, 0, 1, None, None);
        let (snapshot, lists, fingerprint) =
            cancellable(&options.cancel, self.versions(setup, &base_playlist)).await??;
        if !options.force
            && setup.last_snapshot.as_ref() == Some(&snapshot)
            && setup.last_fingerprint.as_deref() == Some(fingerprint.as_str())
        {
            let mut r = report.lock().await;
            r.unchanged = resumed == 0;
            for c in &mut r.children {
                if c.state == ChildState::Pending {
                    c.state = ChildState::Unchanged;
                }
            }
            return Ok(());
        }
        let loaded = self.load(&base_playlist, setup, &lists, options).await?;
        let compiled = self.compile_all(setup, &loaded.library)?;
        emit(options, Stage::Routing, 0, 1, None, None);
        let outcome = route_children(setup, &compiled, &loaded.prepared, &snapshot);
        {
            let mut r = report.lock().await;
            r.tracks_processed = u32::try_from(loaded.prepared.len()).unwrap_or(u32::MAX);
            r.skipped = loaded.skipped.clone();
            r.cache = loaded.cache;
            r.metadata = loaded.metadata.clone();
            r.unrouted = u32::try_from(outcome.unrouted.len()).unwrap_or(u32::MAX);
            self.storage.save_progress(event, &r).await?;
        }
        let wanted = wanted_lists(&outcome, &loaded.prepared);
        let total_children = setup.children.len() as u64;
        let done = Mutex::new(0u64);
        let results = join_all(setup.children.iter().enumerate().map(|(i, child)| {
            let ids = wanted.get(&child.id).cloned().unwrap_or_default();
            let done = &done;
            let waits = waiting_note(child, &loaded.library);
            async move {
                let result = match waits {
                    // Left as it is: routing it without the rule could add what the user
                    // excluded.
                    Some(note) => {
                        self.update_child(report, i, |c| {
                            c.state = ChildState::Held;
                            c.note = Some(note);
                        })
                        .await;
                        Ok(())
                    }
                    None => self.sync_child(child, i, ids, event, report, options).await,
                };
                let mut d = done.lock().await;
                *d += 1;
                // Children finished out of all: `child: None` marks the overall count.
                emit(options, Stage::Writing, *d, total_children, None, None);
                result
            }
        }))
        .await;
        let mut failures: Vec<String> = Vec::new();
        let mut cancelled = false;
        for (child, result) in setup.children.iter().zip(results) {
            match result {
                Ok(()) => {}
                Err(EngineError::Cancelled) => cancelled = true,
                Err(e) => failures.push(format!("{}: {e}", child.name)),
            }
        }
        if cancelled {
            return Err(EngineError::Cancelled);
        }
        if !failures.is_empty() {
            return Err(EngineError::Storage(StorageError::new(format!(
                "{} of {} children could not be synced ({}); the others are done, and the \
                 next sync retries",
                failures.len(),
                setup.children.len(),
                failures.join("; ")
            ))));
        }
        self.storage
            .record_synced(&setup.id, &snapshot, &fingerprint)
            .await?;
        Ok(())
    }

    /// The base's version, the versions of the library lists its rules read, and the
    /// fingerprint of everything that decides the children's contents: equal to the last
    /// completed sync's, nothing needs doing.
    async fn versions(
        &self,
        setup: &BaseSetup,
        base: &PlaylistId,
    ) -> Result<(SnapshotId, ResolvedLists, String), EngineError> {
        let snapshot = self.provider.snapshot_id(base).await?;
        let refs = library::refs_of(setup);
        let lists = if refs.is_empty() {
            ResolvedLists::default()
        } else {
            library::resolve(&self.provider, &setup.connection, base, &snapshot, &refs).await?
        };
        // Relative dates (`added:<30d`) are evaluated against the day the sync starts.
        let mut fingerprint = setup.evaluation_fingerprint(self.clock.now());
        if !lists.is_empty() {
            fingerprint.push_str("|lists:");
            fingerprint.push_str(&lists.fingerprint());
        }
        Ok((snapshot, lists, fingerprint))
    }

    /// Whether a sync of `base` would have anything to route: the base or a list its rules
    /// read changed, or its setup did, since the last completed sync. What "on change"
    /// schedules ask; the same check a sync starts with.
    pub async fn changed(&self, base: &BasePlaylistId) -> Result<bool, EngineError> {
        let setup = self.setup(base).await?;
        let (snapshot, _, fingerprint) = self
            .versions(&setup, &PlaylistId::new(setup.id.as_str()))
            .await?;
        Ok(setup.last_snapshot.as_ref() != Some(&snapshot)
            || setup.last_fingerprint.as_deref() != Some(fingerprint.as_str()))
    }

    /// What filters are compiled against: now, the user's zone, and the lists found (a list
    /// that could not be found is left out, so its rules are Unknown: see [`waiting_note`]).
    fn eval_context(&self, library: &Library) -> EvalContext {
        let mut found = library.clone();
        found.liked = found.liked.filter(|m| matches!(m, Membership::Known(_)));
        found
            .playlists
            .retain(|_, m| matches!(m, Membership::Known(_)));
        EvalContext::in_zone(self.clock.now(), self.config.zone.clone())
            .with_library(Arc::new(found))
    }

    /// Compiles every child's filter. A list a rule names that could not be found compiles
    /// as not read (its rules Unknown): routing then treats that child as waiting, and
    /// [`waiting_note`] keeps it from being written.
    fn compile_all(
        &self,
        setup: &BaseSetup,
        library: &Library,
    ) -> Result<Vec<CompiledFilter>, EngineError> {
        let ctx = self.eval_context(library);
        setup
            .children
            .iter()
            .map(|c| {
                compile(&c.filter, &ctx).map_err(|e| EngineError::Filter {
                    child: c.id.clone(),
                    message: e.to_string(),
                })
            })
            .collect()
    }

    /// Pages through the base, then enriches its tracks from the cache and the provider.
    async fn load(
        &self,
        base: &PlaylistId,
        setup: &BaseSetup,
        lists: &ResolvedLists,
        options: &SyncOptions,
    ) -> Result<Loaded, EngineError> {
        emit(options, Stage::ReadingBase, 0, 1, None, None);
        let items = cancellable(&options.cancel, self.provider.playlist_items(base)).await??;
        let library = if lists.is_empty() {
            Library::default()
        } else {
            let read = library::read(
                &self.provider,
                &self.storage,
                &setup.connection,
                lists,
                base,
                &items,
            );
            cancellable(&options.cancel, read).await??
        };
        let skipped = items
            .skipped_counts()
            .into_iter()
            .map(|(reason, count)| SkipCount { reason, count })
            .collect();
        emit(options, Stage::ReadingBase, 1, 1, None, None);
        let fields: BTreeSet<_> = setup
            .children
            .iter()
            .flat_map(|c| c.filter.fields())
            .collect();
        let plan = EnrichmentPlan::for_fields(&fields, &self.provider.capabilities());
        let tracks: Vec<&TrackMeta> = items.tracks().collect();
        let (artists, albums, track_ids) = ids_to_look_up(&plan, tracks.iter().copied());
        let mut cache = CacheStats::default();
        let mut catalog = Catalog::default();
        let lookups = (artists.len() + albums.len() + track_ids.len()) as u64;
        emit(options, Stage::Enriching, 0, lookups, None, None);
        let cancel = &options.cancel;
        let (mut found, missing) = self
            .cached_part(LookupKind::Artist, &artists, &mut cache)
            .await?;
        if !missing.is_empty() {
            let fetched = cancellable(cancel, self.provider.artists(&missing)).await??;
            found.extend(self.cache_fetched(LookupKind::Artist, fetched).await?);
        }
        catalog.artists = found.into_iter().map(|a| (a.id.clone(), a)).collect();
        let (mut found, missing) = self
            .cached_part(LookupKind::Album, &albums, &mut cache)
            .await?;
        if !missing.is_empty() {
            let fetched = cancellable(cancel, self.provider.albums(&missing)).await??;
            found.extend(self.cache_fetched(LookupKind::Album, fetched).await?);
        }
        catalog.albums = found.into_iter().map(|a| (a.id.clone(), a)).collect();
        let (mut found, missing) = self
            .cached_part(LookupKind::Track, &track_ids, &mut cache)
            .await?;
        if !missing.is_empty() {
            let fetched = cancellable(cancel, self.provider.tracks(&missing)).await??;
            found.extend(self.cache_fetched(LookupKind::Track, fetched).await?);
        }
        catalog.tracks = found.into_iter().map(|t| (t.id.clone(), t)).collect();
        let (open, metadata) = open_metadata(
            &self.storage,
            &self.config.metadata,
            &plan,
            &fields,
            &tracks,
            &catalog.artists,
            &setup.connection,
            self.clock.now(),
        )
        .await?;
        catalog.open = open;
        emit(options, Stage::Enriching, lookups, lookups, None, None);
        let count = tracks.len();
        drop(tracks);
        // Entries are moved, not cloned, and each filter track is prepared as it is built,
        // with only the fields the filters read. Taken from the back, so the entries' buffer
        // shrinks while the prepared tracks grow: a 10,000-track base is held about once.
        let mut entries = items.entries;
        // A child holds each track once, so a track the base repeats is routed once, at its
        // first position: preview and sync then count the same tracks, and `limit 40` means
        // 40 tracks in the child.
        let mut seen = std::collections::HashSet::with_capacity(count);
        let mut first: Vec<bool> = entries
            .iter()
            .map(|e| match e {
                PlaylistEntry::Track { track, .. } => seen.insert(track.id.clone()),
                PlaylistEntry::Skipped { .. } => false,
            })
            .collect();
        drop(seen);
        let mut prepared = Vec::with_capacity(count);
        while let Some(entry) = entries.pop() {
            let first_time = first.pop().unwrap_or(false);
            if entries.len() < entries.capacity() / 2 {
                entries.shrink_to_fit();
            }
            if !first_time {
                continue;
            }
            if let PlaylistEntry::Track {
                position,
                origin,
                track,
            } = entry
            {
                let ft = filter_track(position, &origin, &track, &plan, &catalog);
                prepared.push(PreparedTrack::with_fields(ft, &fields));
            }
        }
        prepared.reverse();
        Ok(Loaded {
            prepared,
            skipped,
            cache,
            metadata,
            library,
        })
    }

    /// Fresh cached objects of one kind among `ids`, and the ids still to fetch.
    async fn cached_part<Id, T>(
        &self,
        kind: LookupKind,
        ids: &[Id],
        cache: &mut CacheStats,
    ) -> Result<(Vec<T>, Vec<Id>), EngineError>
    where
        Id: std::fmt::Display + Clone,
        T: DeserializeOwned,
    {
        if ids.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let now = self.clock.now();
        let ttl = i64::try_from(self.config.ttl.of(kind).as_secs()).unwrap_or(i64::MAX);
        let fresh_since = Timestamp::from_unix_seconds(now.unix_seconds().saturating_sub(ttl));
        let keys: Vec<String> = ids.iter().map(ToString::to_string).collect();
        let cached = self.storage.cached(kind, &keys, fresh_since).await?;
        let mut out: Vec<T> = Vec::with_capacity(ids.len());
        let mut have = std::collections::HashSet::new();
        for c in cached {
            // A row that no longer reads (an older shape) is simply fetched again.
            if let Ok(obj) = serde_json::from_str::<T>(&c.json) {
                have.insert(c.id);
                out.push(obj);
            }
        }
        let missing: Vec<Id> = ids
            .iter()
            .filter(|i| !have.contains(&i.to_string()))
            .cloned()
            .collect();
        cache.hits += u32::try_from(out.len()).unwrap_or(u32::MAX);
        cache.misses += u32::try_from(missing.len()).unwrap_or(u32::MAX);
        Ok((out, missing))
    }

    /// Caches what the provider found and returns it.
    async fn cache_fetched<T: Serialize + HasId>(
        &self,
        kind: LookupKind,
        fetched: Vec<Option<T>>,
    ) -> Result<Vec<T>, EngineError> {
        let found: Vec<T> = fetched.into_iter().flatten().collect();
        let rows: Vec<CachedObject> = found
            .iter()
            .filter_map(|o| {
                serde_json::to_string(o).ok().map(|json| CachedObject {
                    id: o.key().to_owned(),
                    json,
                })
            })
            .collect();
        self.storage.cache(kind, &rows, self.clock.now()).await?;
        Ok(found)
    }

    /// A child's version and track ids, read from the service unless `known` still holds for
    /// its version. A child gone from the service is [`EngineError::ChildGone`].
    async fn current_contents(
        &self,
        child: &ChildPlaylistId,
        known: Option<&KnownContents>,
    ) -> Result<(SnapshotId, Vec<TrackId>), EngineError> {
        let playlist = PlaylistId::new(child.as_str());
        let gone = |e: ProviderError| match e {
            ProviderError::NotFound { .. } => EngineError::ChildGone {
                child: child.clone(),
            },
            other => EngineError::Provider(other),
        };
        let snapshot = self.provider.snapshot_id(&playlist).await.map_err(gone)?;
        if let Some(known) = known.filter(|k| k.snapshot == snapshot) {
            return Ok((snapshot, known.tracks.clone()));
        }
        let items = self
            .provider
            .playlist_items(&playlist)
            .await
            .map_err(gone)?;
        Ok((snapshot, items.tracks().map(|t| t.id.clone()).collect()))
    }

    async fn update_child(
        &self,
        report: &Mutex<SyncReport>,
        index: usize,
        f: impl FnOnce(&mut ChildReport),
    ) {
        let mut r = report.lock().await;
        if let Some(c) = r.children.get_mut(index) {
            f(c);
        }
    }

    /// Counts a finished write and saves the report, so that the event tells how far a
    /// child got even if the process dies right after.
    async fn record_write(
        &self,
        event: SyncEventId,
        report: &Mutex<SyncReport>,
        index: usize,
        f: impl FnOnce(&mut ChildReport),
    ) -> Result<(), EngineError> {
        let mut r = report.lock().await;
        if let Some(c) = r.children.get_mut(index) {
            f(c);
        }
        self.storage.save_progress(event, &r).await?;
        Ok(())
    }

    async fn sync_child(
        &self,
        child: &ChildSetup,
        index: usize,
        wanted: Vec<TrackId>,
        event: SyncEventId,
        report: &Mutex<SyncReport>,
        options: &SyncOptions,
    ) -> Result<(), EngineError> {
        let result = self
            .sync_child_inner(child, index, wanted, event, report, options)
            .await;
        if let Err(e) = &result
            && *e != EngineError::Cancelled
        {
            {
                tracing::warn!(child = %child.id, error = %e, "child not synced");
                // Its contents are no longer known for sure: read it back next time.
                if let Err(forget) = self.storage.set_known(&child.id, None).await {
                    tracing::warn!(child = %child.id, error = %forget, "could not forget contents");
                }
                let message = e.to_string();
                self.update_child(report, index, |c| {
                    if c.state != ChildState::Writing {
                        c.state = ChildState::Failed;
                    }
                    c.error = Some(message);
                })
                .await;
            }
        }
        result
    }

    async fn sync_child_inner(
        &self,
        child: &ChildSetup,
        index: usize,
        wanted: Vec<TrackId>,
        event: SyncEventId,
        report: &Mutex<SyncReport>,
        options: &SyncOptions,
    ) -> Result<(), EngineError> {
        if options.cancel.is_cancelled() {
            return Err(EngineError::Cancelled);
        }
        let distinct: std::collections::HashSet<&TrackId> = wanted.iter().collect();
        let wanted_count = u32::try_from(distinct.len()).unwrap_or(u32::MAX);
        self.update_child(report, index, |c| c.wanted = wanted_count)
            .await;
        emit(options, Stage::ReadingChildren, 0, 1, None, Some(&child.id));
        let (snapshot, current) = self
            .current_contents(&child.id, child.known.as_ref())
            .await?;
        if wanted.is_empty() && !child.allow_empty && !current.is_empty() {
            self.update_child(report, index, |c| {
                c.state = ChildState::Held;
                c.note = Some(
                    "the filter matches no track of the base; the child was left as it is \
                     (its \"allow empty\" option lets a sync empty it)"
                        .to_owned(),
                );
            })
            .await;
            return Ok(());
        }
        let managed = self.storage.managed(&child.id).await?;
        let diff = diff_child(&current, &wanted, &managed, child.mirror);
        let kept = u32::try_from(diff.kept_user_tracks).unwrap_or(u32::MAX);
        if diff.is_noop() {
            self.update_child(report, index, |c| {
                if c.state == ChildState::Pending {
                    c.state = ChildState::Unchanged;
                }
                c.kept_user_tracks = kept;
            })
            .await;
            let known = KnownContents {
                snapshot,
                tracks: current,
            };
            self.storage.set_known(&child.id, Some(&known)).await?;
            return Ok(());
        }
        // The undo record and the plan are durable before the first write, so a crash
        // part-way loses nothing, names this child, and the next run finishes the plan.
        let undo = UndoEntry {
            child: child.id.clone(),
            previous: current.clone(),
            previous_managed: managed.iter().cloned().collect(),
        };
        self.storage.save_undo(event, &undo).await?;
        let removed: std::collections::HashSet<&TrackId> = diff.removed.iter().collect();
        let mut managed_after: Vec<TrackId> = managed
            .iter()
            .filter(|id| !removed.contains(id))
            .cloned()
            .collect();
        managed_after.extend(diff.added.iter().cloned());
        let origin = PlanOrigin {
            event,
            child: child.id.clone(),
            purpose: PlanPurpose::Sync,
            mirror: child.mirror,
        };
        let plan = WritePlan::from_diff(origin, &diff, &current, &managed, managed_after);
        self.storage.save_plan(&plan).await?;
        self.update_child(report, index, |c| c.kept_user_tracks = kept)
            .await;
        self.carry_out(&plan, snapshot, current, event, report, index, options)
            .await
    }

    /// Converges a child on its plan's target from what it holds now, recording each
    /// acknowledged step, then ends the plan. Stops between steps when cancelled; the plan
    /// stays, and the next run finishes it.
    #[allow(clippy::too_many_arguments)]
    async fn carry_out(
        &self,
        plan: &WritePlan,
        mut snapshot: SnapshotId,
        current: Vec<TrackId>,
        event: SyncEventId,
        report: &Mutex<SyncReport>,
        index: usize,
        options: &SyncOptions,
    ) -> Result<(), EngineError> {
        let managed = self.storage.managed(&plan.child).await?;
        let diff = plan.remaining(&current, &managed);
        {
            let mut r = report.lock().await;
            if let Some(c) = r.children.get_mut(index) {
                c.state = ChildState::Writing;
            }
            self.storage.save_progress(event, &r).await?;
        }
        let playlist = PlaylistId::new(plan.child.as_str());
        let total = diff.requests() as u64;
        let started = Instant::now();
        let mut done = 0u32;
        let step = |done: u32| {
            emit(
                options,
                Stage::Writing,
                u64::from(done),
                total,
                eta(started.elapsed(), u64::from(done), total),
                Some(&plan.child),
            );
        };
        if !diff.is_noop() {
            match &diff.writes {
                Writes::Replace => {
                    if options.cancel.is_cancelled() {
                        return Err(EngineError::Cancelled);
                    }
                    snapshot = self
                        .provider
                        .replace_items(&playlist, &diff.final_list, &snapshot)
                        .await?;
                    done += 1;
                    self.storage.plan_step(&plan.child, done).await?;
                    let added = u32::try_from(diff.added.len()).unwrap_or(u32::MAX);
                    let removed = u32::try_from(diff.removed.len()).unwrap_or(u32::MAX);
                    let requests = u32::try_from(total).unwrap_or(u32::MAX);
                    self.record_write(event, report, index, |c| {
                        c.added += added;
                        c.removed += removed;
                        c.write_requests += requests;
                    })
                    .await?;
                    step(done);
                }
                Writes::Incremental { removes, inserts } => {
                    let mut length = current.len();
                    for chunk in removes.chunks(WRITE_BATCH) {
                        if options.cancel.is_cancelled() {
                            return Err(EngineError::Cancelled);
                        }
                        snapshot = self
                            .provider
                            .remove_items(&playlist, chunk, &snapshot)
                            .await?;
                        length -= current.iter().filter(|t| chunk.contains(t)).count();
                        done += 1;
                        self.storage.plan_step(&plan.child, done).await?;
                        let n = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
                        self.record_write(event, report, index, |c| {
                            c.removed += n;
                            c.write_requests += 1;
                        })
                        .await?;
                        step(done);
                    }
                    for run in inserts {
                        if options.cancel.is_cancelled() {
                            return Err(EngineError::Cancelled);
                        }
                        // Appending needs no position; it is also what every service supports.
                        let at = (run.position as usize != length).then_some(run.position);
                        snapshot = self
                            .provider
                            .add_items(&playlist, &run.tracks, at, &snapshot)
                            .await?;
                        length += run.tracks.len();
                        done += 1;
                        self.storage.plan_step(&plan.child, done).await?;
                        let n = u32::try_from(run.tracks.len()).unwrap_or(u32::MAX);
                        self.record_write(event, report, index, |c| {
                            c.added += n;
                            c.write_requests += 1;
                        })
                        .await?;
                        step(done);
                    }
                }
            }
        }
        let known = KnownContents {
            snapshot,
            tracks: diff.final_list,
        };
        self.storage.finish_plan(plan, &known).await?;
        let mut r = report.lock().await;
        if let Some(c) = r.children.get_mut(index) {
            c.state = ChildState::Written;
        }
        self.storage.save_progress(event, &r).await?;
        Ok(())
    }

    /// Finishes the plans an earlier run (sync or undo, in any process) left unfinished,
    /// re-reading each child first. Returns how many it finished.
    async fn resume(
        &self,
        setup: &BaseSetup,
        event: SyncEventId,
        report: &Mutex<SyncReport>,
        options: &SyncOptions,
    ) -> Result<usize, EngineError> {
        let plans = self.storage.unfinished_plans(&setup.id).await?;
        let mut finished = 0;
        for plan in plans {
            let Some(index) = setup.children.iter().position(|c| c.id == plan.child) else {
                continue;
            };
            tracing::info!(
                child = %plan.child,
                planned_by = %plan.event,
                purpose = plan.purpose.as_str(),
                "finishing an interrupted write plan"
            );
            // Re-read: the child is wherever the interruption left it.
            let read = self.current_contents(&plan.child, None);
            let (snapshot, current) = match cancellable(&options.cancel, read).await? {
                Ok(read) => read,
                Err(EngineError::ChildGone { .. }) => {
                    // Nothing is left to lose in a playlist that no longer exists.
                    self.storage.drop_plan(&plan.child).await?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            self.update_child(report, index, |c| {
                c.note = Some(match plan.purpose {
                    PlanPurpose::Sync => "finished the writes of an interrupted sync".to_owned(),
                    PlanPurpose::Undo => "finished the writes of an interrupted undo".to_owned(),
                });
            })
            .await;
            self.carry_out(&plan, snapshot, current, event, report, index, options)
                .await?;
            finished += 1;
        }
        Ok(finished)
    }

    /// What a sync would do, without writing: counts and a sample per child, the tracks no
    /// child takes, and the fields filters read that the connection cannot provide.
    pub async fn preview(&self, base: &BasePlaylistId) -> Result<Preview, EngineError> {
        let setup = self.setup(base).await?;
        self.preview_setup(base, setup).await
    }

    /// A preview with one child's filter as the user is editing it, before it is saved: the
    /// draft replaces the child it names, or joins the base as a new child (last in order).
    pub async fn preview_draft(
        &self,
        base: &BasePlaylistId,
        draft: DraftChild,
    ) -> Result<Preview, EngineError> {
        let mut setup = self.setup(base).await?;
        match setup.children.iter_mut().find(|c| c.id == draft.id) {
            Some(child) => {
                child.name = draft.name;
                child.filter = draft.filter;
                child.allow_empty = draft.allow_empty;
            }
            None => setup.children.push(ChildSetup {
                id: draft.id,
                name: draft.name,
                query: String::new(),
                filter: draft.filter,
                mirror: MirrorMode::default(),
                allow_empty: draft.allow_empty,
                known: None,
            }),
        }
        self.preview_setup(base, setup).await
    }

    async fn preview_setup(
        &self,
        base: &BasePlaylistId,
        setup: BaseSetup,
    ) -> Result<Preview, EngineError> {
        let options = SyncOptions::default();
        let base_playlist = PlaylistId::new(base.as_str());
        let (snapshot, lists, _) = self.versions(&setup, &base_playlist).await?;
        let loaded = self.load(&base_playlist, &setup, &lists, &options).await?;
        let compiled = self.compile_all(&setup, &loaded.library)?;
        let outcome = route_children(&setup, &compiled, &loaded.prepared, &snapshot);
        // The very lists a sync would write: one evaluation for both.
        let wanted = wanted_lists(&outcome, &loaded.prepared);
        let availability = field_availability_with(
            &self.provider.capabilities(),
            self.config.metadata.open_genres,
        );
        let sample_of = |indices: &[usize]| -> Vec<String> {
            indices
                .iter()
                .take(self.config.preview_sample)
                .filter_map(|&i| loaded.prepared.get(i))
                .map(describe)
                .collect()
        };
        let mut children = Vec::new();
        for child in &setup.children {
            let routed = outcome
                .children
                .iter()
                .chain(outcome.catch_all.iter())
                .find(|r| r.id == child.id);
            let count = wanted.get(&child.id).map_or(0, |ids| {
                let distinct: std::collections::HashSet<&TrackId> = ids.iter().collect();
                u32::try_from(distinct.len()).unwrap_or(u32::MAX)
            });
            let (unknown, sample) = routed.map_or((0, Vec::new()), |r| {
                (
                    u32::try_from(r.matches.unknown.len()).unwrap_or(u32::MAX),
                    sample_of(&r.post.tracks),
                )
            });
            let waits = waiting_note(child, &loaded.library);
            let note = waits.or_else(|| {
                (count == 0).then(|| {
                    if child.allow_empty {
                        "matches nothing: a sync will empty this child (allowed)".to_owned()
                    } else {
                        "matches nothing: a sync will leave this child as it is (emptying is not \
                     allowed; its \"allow empty\" option allows it)"
                            .to_owned()
                    }
                })
            });
            children.push(ChildPreview {
                id: child.id.clone(),
                name: child.name.clone(),
                count,
                unknown,
                sample,
                problems: check_availability(&child.filter, &availability),
                filling: waiting_on(child, &loaded.metadata),
                note,
            });
        }
        Ok(Preview {
            base: base.clone(),
            tracks: u32::try_from(loaded.prepared.len()).unwrap_or(u32::MAX),
            skipped: loaded.skipped,
            children,
            unrouted: u32::try_from(outcome.unrouted.len()).unwrap_or(u32::MAX),
            unrouted_sample: sample_of(&outcome.unrouted),
            metadata: loaded.metadata,
        })
    }

    /// Restores every child the last (not yet undone) sync of this base wrote to, as it was
    /// before that sync (an interrupted sync and the run that completed it count as one).
    /// An undo is a sync like any other: it takes the base's cross-process marker, so it is
    /// refused while a sync runs anywhere, and it writes through durable plans. Tracks added
    /// by hand since the sync stay unless `options` says otherwise.
    pub async fn undo(
        &self,
        base: &BasePlaylistId,
        options: &UndoOptions,
    ) -> Result<UndoReport, EngineError> {
        let _lock = self.lock(base)?;
        let setup = self.setup(base).await?;
        let Some(peek) = self.storage.last_undo(base).await? else {
            return Err(EngineError::NothingToUndo(base.clone()));
        };
        // The record is read again under the marker (a sync may have ended meanwhile).
        let event = self.begin(base, EventKind::Undo { of: peek.event }).await?;
        let now = self.clock.now();
        let report = Mutex::new(SyncReport::new(base.clone(), now.unix_seconds()));
        let started = Instant::now();
        let stats_before = self.provider.request_stats();
        let outcome = self.undo_inner(&setup, event, &report, options).await;
        let mut r = report.into_inner();
        r.requests = self.provider.request_stats().since(&stats_before);
        r.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        r.status = if outcome.is_ok() {
            SyncStatus::Completed
        } else {
            SyncStatus::Failed
        };
        if let Err(e) = &outcome {
            r.error = Some(e.to_string());
        }
        self.storage
            .finish_event(event, r.status, &r, self.clock.now())
            .await?;
        let (undone, children) = outcome?;
        tracing::info!(base = %base, event = %undone, undo = %event, children = children.len(), "undone");
        Ok(UndoReport {
            event: undone,
            undo_event: event,
            children,
        })
    }

    async fn undo_inner(
        &self,
        setup: &BaseSetup,
        event: SyncEventId,
        report: &Mutex<SyncReport>,
        options: &UndoOptions,
    ) -> Result<(SyncEventId, Vec<UndoneChild>), EngineError> {
        let record = self
            .storage
            .last_undo(&setup.id)
            .await?
            .ok_or_else(|| EngineError::NothingToUndo(setup.id.clone()))?;
        // From here the children change: the next sync must route again.
        self.storage.forget_routing(&setup.id).await?;
        let entries: Vec<(&UndoEntry, &ChildSetup)> = record
            .entries
            .iter()
            .filter_map(|e| {
                setup
                    .children
                    .iter()
                    .find(|c| c.id == e.child)
                    .map(|c| (e, c))
            })
            .collect();
        {
            let mut r = report.lock().await;
            r.children = entries
                .iter()
                .map(|(_, c)| child_report(c, ChildState::Pending))
                .collect();
        }
        let mode = if options.drop_added_by_hand {
            MirrorMode::Strict
        } else {
            MirrorMode::KeepUserTracks
        };
        let sync_options = SyncOptions::default();
        let mut restored = Vec::with_capacity(entries.len());
        for (index, (entry, child)) in entries.iter().enumerate() {
            let (snapshot, current) = self.current_contents(&entry.child, None).await?;
            let managed = self.storage.managed(&entry.child).await?;
            let diff = diff_child(&current, &entry.previous, &managed, mode);
            let kept = u32::try_from(diff.kept_user_tracks).unwrap_or(u32::MAX);
            let origin = PlanOrigin {
                event,
                child: child.id.clone(),
                purpose: PlanPurpose::Undo,
                mirror: mode,
            };
            let plan = WritePlan::from_diff(
                origin,
                &diff,
                &current,
                &managed,
                entry.previous_managed.clone(),
            );
            self.storage.save_plan(&plan).await?;
            self.update_child(report, index, |c| {
                c.wanted = u32::try_from(entry.previous.len()).unwrap_or(u32::MAX);
                c.kept_user_tracks = kept;
            })
            .await;
            self.carry_out(
                &plan,
                snapshot,
                current,
                event,
                report,
                index,
                &sync_options,
            )
            .await?;
            restored.push(UndoneChild {
                child: entry.child.clone(),
                tracks: u32::try_from(plan.target.len()).unwrap_or(u32::MAX),
                kept_added_by_hand: kept,
            });
        }
        self.storage.mark_undone(record.event).await?;
        Ok((record.event, restored))
    }
}

/// Catalog objects keyed by their id, for the cache.
pub trait HasId {
    fn key(&self) -> &str;
}

impl HasId for crate::provider::ArtistMeta {
    fn key(&self) -> &str {
        self.id.as_str()
    }
}

impl HasId for crate::provider::AlbumMeta {
    fn key(&self) -> &str {
        self.id.as_str()
    }
}

impl HasId for TrackMeta {
    fn key(&self) -> &str {
        self.id.as_str()
    }
}

/// A sample's line: the one label every view uses (crate::label), never a blank half.
fn describe(t: &PreparedTrack) -> String {
    let t = t.track();
    crate::label::track_label(t.title.as_deref(), t.primary_artist())
}

fn child_report(c: &ChildSetup, state: ChildState) -> ChildReport {
    ChildReport {
        id: c.id.clone(),
        name: c.name.clone(),
        state,
        wanted: 0,
        added: 0,
        removed: 0,
        kept_user_tracks: 0,
        write_requests: 0,
        note: None,
        error: None,
    }
}

/// Why a child waits instead of being written: a list its rules name could not be found.
fn waiting_note(child: &ChildSetup, library: &Library) -> Option<String> {
    let refs = LibraryRefs::of(&child.filter);
    let missing = library.missing(&refs);
    if missing.is_empty() {
        return None;
    }
    let reasons: Vec<String> = missing
        .into_iter()
        .map(|(list, why)| format!("\"{list}\": {why}"))
        .collect();
    Some(format!(
        "waits, left as it is: its rules name a list Syncer cannot read ({})",
        reasons.join("; ")
    ))
}

fn route_children(
    setup: &BaseSetup,
    compiled: &[CompiledFilter],
    prepared: &[PreparedTrack],
    snapshot: &SnapshotId,
) -> RoutingOutcome {
    let children: Vec<RouteChild<'_>> = setup
        .children
        .iter()
        .zip(compiled)
        .map(|(c, f)| RouteChild {
            id: &c.id,
            filter: f,
        })
        .collect();
    // Random orders stay put while the base is unchanged.
    let post = PostContext {
        seed: seed_from(&[setup.id.as_str(), snapshot.as_str()]),
    };
    route(&setup.routing, prepared, &children, &post)
}

fn wanted_lists(
    outcome: &RoutingOutcome,
    tracks: &[PreparedTrack],
) -> HashMap<ChildPlaylistId, Vec<TrackId>> {
    outcome
        .children
        .iter()
        .chain(outcome.catch_all.iter())
        .map(|r| {
            let ids = r
                .post
                .tracks
                .iter()
                .filter_map(|&i| tracks.get(i).map(|t| t.track().id.clone()))
                .collect();
            (r.id.clone(), ids)
        })
        .collect()
}

fn emit(
    options: &SyncOptions,
    stage: Stage,
    done: u64,
    total: u64,
    eta: Option<Duration>,
    child: Option<&ChildPlaylistId>,
) {
    if let Some(sink) = &options.progress {
        sink(&Progress {
            stage,
            done,
            total,
            eta,
            child: child.cloned(),
        });
    }
}

/// Runs a read until it finishes or the sync is cancelled (dropping a read is safe).
async fn cancellable<T>(
    cancel: &CancellationToken,
    fut: impl std::future::Future<Output = T>,
) -> Result<T, EngineError> {
    tokio::select! {
        biased;
        () = cancel.cancelled() => Err(EngineError::Cancelled),
        out = fut => Ok(out),
    }
}
