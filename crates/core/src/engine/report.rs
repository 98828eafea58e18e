//! The record of one sync: what the history shows and the event row stores (as JSON).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{BasePlaylistId, ChildPlaylistId};
use crate::metadata::MetadataCoverage;
use crate::provider::{RequestStats, SkipReason};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncStatus {
    InProgress,
    Completed,
    Failed,
    Cancelled,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::InProgress => "in_progress",
            SyncStatus::Completed => "completed",
            SyncStatus::Failed => "failed",
            SyncStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> SyncStatus {
        match text {
            "in_progress" => SyncStatus::InProgress,
            "completed" => SyncStatus::Completed,
            "cancelled" => SyncStatus::Cancelled,
            _ => SyncStatus::Failed,
        }
    }
}

/// Where one child stands within a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildState {
    Pending,
    /// Writes have started and not finished: after a crash, this child is partly written.
    Writing,
    Written,
    Unchanged,
    /// Left alone on purpose (e.g. the filter matched nothing and emptying is not allowed).
    Held,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildReport {
    pub id: ChildPlaylistId,
    pub name: String,
    pub state: ChildState,
    /// Tracks the filter wants.
    pub wanted: u32,
    pub added: u32,
    pub removed: u32,
    /// Tracks the user added by hand, kept.
    pub kept_user_tracks: u32,
    pub write_requests: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkipCount {
    pub reason: SkipReason,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CacheStats {
    pub hits: u32,
    pub misses: u32,
}

impl CacheStats {
    pub fn hit_rate(&self) -> f64 {
        let all = self.hits + self.misses;
        if all == 0 {
            0.0
        } else {
            f64::from(self.hits) / f64::from(all)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncReport {
    pub base: BasePlaylistId,
    pub status: SyncStatus,
    /// Unix seconds.
    pub started_at: i64,
    pub duration_ms: u64,
    /// The base and the setup were unchanged: nothing was read or written.
    pub unchanged: bool,
    pub tracks_processed: u32,
    pub skipped: Vec<SkipCount>,
    /// Tracks no child took.
    pub unrouted: u32,
    pub requests: RequestStats,
    pub cache: CacheStats,
    /// How much of the metadata the filters read was known ("genre known for 1,812 of 2,000
    /// artists"), and how much an open source is still filling.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub metadata: Vec<MetadataCoverage>,
    pub children: Vec<ChildReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SyncReport {
    pub fn new(base: BasePlaylistId, started_at: i64) -> SyncReport {
        SyncReport {
            base,
            status: SyncStatus::InProgress,
            started_at,
            duration_ms: 0,
            unchanged: false,
            tracks_processed: 0,
            skipped: Vec::new(),
            unrouted: 0,
            requests: RequestStats::default(),
            cache: CacheStats::default(),
            metadata: Vec::new(),
            children: Vec::new(),
            error: None,
        }
    }

    pub fn added(&self) -> u32 {
        self.children.iter().map(|c| c.added).sum()
    }

    pub fn removed(&self) -> u32 {
        self.children.iter().map(|c| c.removed).sum()
    }

    /// Write requests made (adds, removes, replaces).
    pub fn write_requests(&self) -> u32 {
        self.children.iter().map(|c| c.write_requests).sum()
    }

    /// Children whose writes started but did not finish.
    pub fn partly_written(&self) -> Vec<&ChildReport> {
        self.children
            .iter()
            .filter(|c| c.state == ChildState::Writing)
            .collect()
    }
}
