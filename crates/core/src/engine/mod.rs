//! The sync engine: from a base playlist to its children, writing only the difference.
//!
//! - [`run`]: [`Engine`] — sync, preview, undo, generic over [`MusicProvider`] and
//!   [`SyncStorage`].
//! - [`diff`]: the per-child, order-preserving, minimal diff.
//! - [`plan`]: durable write plans, stored before the first write so nothing is lost.
//! - [`enrich`]: which lookups the filters need, and the tracks as filters see them.
//! - [`open`]: what a sync takes from open metadata sources and the user (see
//!   [`crate::metadata`]), and how much of it is known.
//! - [`storage`]: the storage trait the store crate implements.
//! - [`report`], [`progress`]: what a sync reports, as it goes and at the end.
//! - [`locks`]: one sync per base at a time.
//!
//! [`MusicProvider`]: crate::provider::MusicProvider

pub mod clock;
pub mod codec;
pub mod diff;
pub mod enrich;
pub mod library;
pub mod locks;
pub mod model;
pub mod open;
pub mod plan;
pub mod progress;
pub mod report;
pub mod run;
pub mod storage;

pub use clock::{Clock, SystemClock};
pub use diff::{ChildDiff, MirrorMode, WRITE_BATCH, Writes, diff_child};
pub use enrich::{CacheTtl, EnrichmentPlan, field_availability, field_availability_with};
pub use locks::{BaseLock, SyncLocks};
pub use model::{BaseSetup, ChildSetup, KnownContents};
pub use open::MetadataSettings;
pub use plan::{PlanOrigin, PlanPurpose, PlannedRemoval, WritePlan};
pub use progress::{Progress, ProgressSink, Stage};
pub use report::{CacheStats, ChildReport, ChildState, SkipCount, SyncReport, SyncStatus};
pub use run::inspect::{
    CANDIDATES, ChildInspection, ChildTrack, Judged, Placement, TrackLine, TrackVerdict,
};
pub use run::{
    ChildPreview, DraftChild, Engine, EngineConfig, EngineError, Preview, SyncOptions, UndoOptions,
    UndoReport, UndoneChild,
};
pub use storage::{
    CachedObject, EventKind, StorageError, StorageResult, SyncEventId, SyncStorage, UndoEntry,
    UndoRecord,
};
