//! What the engine needs from storage, as a trait so that core stays free of SQL. The store
//! crate implements it over SQLite; tests may implement it in memory.

use std::collections::HashSet;
use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::capabilities::LookupKind;
use crate::engine::model::{BaseSetup, KnownContents};
use crate::engine::plan::WritePlan;
use crate::engine::report::{SyncReport, SyncStatus};
use crate::filter::Timestamp;
use crate::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId, SnapshotId, TrackId};
use crate::metadata::MetadataStore;

/// A storage failure, already worded for the user by the implementation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StorageError {
    pub message: String,
    /// Another sync of this base holds the durable marker.
    pub busy: bool,
}

impl StorageError {
    pub fn new(message: impl Into<String>) -> StorageError {
        StorageError {
            message: message.into(),
            busy: false,
        }
    }

    pub fn busy(message: impl Into<String>) -> StorageError {
        StorageError {
            message: message.into(),
            busy: true,
        }
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// A sync event's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SyncEventId(pub i64);

impl std::fmt::Display for SyncEventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What an event records: a sync, or an undo of an earlier sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EventKind {
    Sync,
    Undo { of: SyncEventId },
}

/// A child's contents before a sync wrote to it: what undo restores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoEntry {
    pub child: ChildPlaylistId,
    pub previous: Vec<TrackId>,
    pub previous_managed: Vec<TrackId>,
}

/// The undo record of one sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoRecord {
    pub event: SyncEventId,
    pub entries: Vec<UndoEntry>,
}

/// A cached catalog object, as JSON text with the time it was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedObject {
    pub id: String,
    pub json: String,
}

/// Open metadata (answers of open sources, the enrichment queue, the user's genres) is part of
/// what a sync reads, hence the [`MetadataStore`] supertrait (whose methods all have defaults).
pub trait SyncStorage: MetadataStore + Send + Sync {
    fn load_base(
        &self,
        base: &BasePlaylistId,
    ) -> impl Future<Output = StorageResult<Option<BaseSetup>>> + Send;

    /// Cached objects of `kind` among `ids` fetched at or after `fresh_since`.
    fn cached(
        &self,
        kind: LookupKind,
        ids: &[String],
        fresh_since: Timestamp,
    ) -> impl Future<Output = StorageResult<Vec<CachedObject>>> + Send;

    fn cache(
        &self,
        kind: LookupKind,
        objects: &[CachedObject],
        fetched_at: Timestamp,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// The ids Syncer put in a child (and that were not removed since).
    fn managed(
        &self,
        child: &ChildPlaylistId,
    ) -> impl Future<Output = StorageResult<HashSet<TrackId>>> + Send;

    fn add_managed(
        &self,
        child: &ChildPlaylistId,
        ids: &[TrackId],
    ) -> impl Future<Output = StorageResult<()>> + Send;

    fn remove_managed(
        &self,
        child: &ChildPlaylistId,
        ids: &[TrackId],
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// Replaces the managed set (undo).
    fn set_managed(
        &self,
        child: &ChildPlaylistId,
        ids: &[TrackId],
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// What Syncer last knew a child to hold (`None` forgets it).
    fn set_known(
        &self,
        child: &ChildPlaylistId,
        known: Option<&KnownContents>,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// Opens an in-progress event: the durable marker that a sync or an undo of this base
    /// runs, in this process or another. Fails with [`StorageError::busy`] when another, not
    /// yet stale, is open. Checking and opening are one atomic step, so of two processes
    /// starting together exactly one gets the base.
    fn begin_event(
        &self,
        base: &BasePlaylistId,
        kind: EventKind,
        started_at: Timestamp,
        stale_before: Timestamp,
    ) -> impl Future<Output = StorageResult<SyncEventId>> + Send;

    /// Saves the report so far, so a killed process leaves a record of what was written.
    fn save_progress(
        &self,
        event: SyncEventId,
        report: &SyncReport,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    fn finish_event(
        &self,
        event: SyncEventId,
        status: SyncStatus,
        report: &SyncReport,
        finished_at: Timestamp,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// Keeps a child's contents before the event wrote to it. An entry the event already
    /// has (taken over from an interrupted run) is kept: undo restores the oldest state.
    fn save_undo(
        &self,
        event: SyncEventId,
        entry: &UndoEntry,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// Makes `event` the continuation of the runs of this base that were interrupted since
    /// its last completed sync: their undo entries become this event's (the oldest entry of
    /// each child wins), and they no longer count on their own. So an interrupted sync and
    /// the sync that completes it are undone as one.
    fn adopt_interrupted(
        &self,
        base: &BasePlaylistId,
        event: SyncEventId,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// The undo record of the last sync of this base that wrote, unless it was undone.
    fn last_undo(
        &self,
        base: &BasePlaylistId,
    ) -> impl Future<Output = StorageResult<Option<UndoRecord>>> + Send;

    fn mark_undone(&self, event: SyncEventId) -> impl Future<Output = StorageResult<()>> + Send;

    /// Forgets the setup the base was last routed with, so the next sync routes again even
    /// if nothing changed (an undo has started changing the children).
    fn forget_routing(
        &self,
        base: &BasePlaylistId,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// Stores a child's write plan before its first write, in one transaction with what it
    /// implies: the child's managed set becomes [`WritePlan::managed_during`] and its known
    /// contents are forgotten. A plan the child already had is replaced.
    fn save_plan(&self, plan: &WritePlan) -> impl Future<Output = StorageResult<()>> + Send;

    /// Counts an acknowledged write step of the child's plan.
    fn plan_step(
        &self,
        child: &ChildPlaylistId,
        steps_done: u32,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// Ends the child's plan, in one transaction: the managed set becomes the plan's
    /// `managed_after` and the known contents `known`.
    fn finish_plan(
        &self,
        plan: &WritePlan,
        known: &KnownContents,
    ) -> impl Future<Output = StorageResult<()>> + Send;

    /// Drops a plan that can never finish (its child is gone from the service).
    fn drop_plan(&self, child: &ChildPlaylistId) -> impl Future<Output = StorageResult<()>> + Send;

    /// The plans of this base's children that were started and not finished, oldest first.
    fn unfinished_plans(
        &self,
        base: &BasePlaylistId,
    ) -> impl Future<Output = StorageResult<Vec<WritePlan>>> + Send;

    /// What a library list (Liked Songs, a playlist an `in:` rule names) held when last read.
    /// The default remembers nothing: every sync reads the lists again.
    fn list_contents(
        &self,
        connection: &ConnectionId,
        list: &PlaylistId,
    ) -> impl Future<Output = StorageResult<Option<KnownContents>>> + Send {
        let _ = (connection, list);
        async { Ok(None) }
    }

    fn set_list_contents(
        &self,
        connection: &ConnectionId,
        list: &PlaylistId,
        contents: &KnownContents,
    ) -> impl Future<Output = StorageResult<()>> + Send {
        let _ = (connection, list, contents);
        async { Ok(()) }
    }

    /// Records a completed sync: the base's version and the setup it was routed with.
    fn record_synced(
        &self,
        base: &BasePlaylistId,
        snapshot: &SnapshotId,
        fingerprint: &str,
    ) -> impl Future<Output = StorageResult<()>> + Send;
}
