//! Typed progress events that the CLI and the GUI render.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::ChildPlaylistId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Stage {
    CheckingBase,
    ReadingBase,
    Enriching,
    Routing,
    ReadingChildren,
    Writing,
    Done,
}

impl Stage {
    /// What a person reads for the stage, in the window and the terminal alike.
    pub fn label(self) -> &'static str {
        match self {
            Stage::CheckingBase => "Checking the base",
            Stage::ReadingBase => "Reading the base",
            Stage::Enriching => "Looking up metadata",
            Stage::Routing => "Routing",
            Stage::ReadingChildren => "Reading the children",
            Stage::Writing => "Writing the children",
            Stage::Done => "Done",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
    /// Estimated time left in this stage, once enough is done to tell.
    pub eta: Option<Duration>,
    /// The child a `Writing` or `ReadingChildren` event is about (its own write batches);
    /// `None` on the overall count (children finished out of all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildPlaylistId>,
}

/// Receives progress; called from the sync's task, so it must be quick.
pub type ProgressSink = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Estimates the time left from the time spent so far, linearly.
pub fn eta(elapsed: Duration, done: u64, total: u64) -> Option<Duration> {
    if done == 0 || done >= total {
        return None;
    }
    let per = elapsed.as_secs_f64() / done as f64;
    Some(Duration::from_secs_f64(per * (total - done) as f64))
}
