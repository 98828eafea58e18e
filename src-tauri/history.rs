//! The sync history: every sync with its numbers and errors, filterable, and a retry.

use std::sync::Arc;

use serde::Serialize;
use syncer_core::engine::SyncStatus;
use syncer_core::ids::BasePlaylistId;
use tauri::State;
use ts_rs::TS;

use syncer_app::sync::{HistoryItem, HistoryQuery};

use crate::error::{CommandResult, OrCommandError};
use crate::state::AppState;
use crate::syncing::{SyncHub, SyncSummary, summarize};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HistoryEntry {
    pub id: String,
    pub base: String,
    pub base_name: String,
    pub status: SyncStatus,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
    /// When it started as the user's clock reads it (the configured zone):
    /// `2026-12-03 21:14 CET`; the CLI shows the same text.
    pub started_local: String,
    pub finished_local: Option<String>,
    /// An undo restored what this sync changed.
    pub undone: bool,
    /// On an undo's own entry: the sync it undid.
    pub undo_of: Option<String>,
    /// On an interrupted sync: the later sync that completed it (undone together).
    pub completed_by: Option<String>,
    pub error: Option<String>,
    /// The sync's numbers, when its report still reads.
    pub summary: Option<SyncSummary>,
    /// The interrupted syncs this one completed, newest first: one run to the user.
    pub completes: Vec<HistoryEntry>,
}

fn entry(item: HistoryItem) -> HistoryEntry {
    let HistoryItem {
        event: e,
        base_name,
        started_local,
        finished_local,
        completes,
    } = item;
    HistoryEntry {
        id: e.id.to_string(),
        base: e.base.to_string(),
        status: e.status,
        started_at: e.started_at,
        finished_at: e.finished_at,
        started_local,
        finished_local,
        undone: e.undone,
        undo_of: e.undo_of.map(|id| id.to_string()),
        completed_by: e.completed_by.map(|id| id.to_string()),
        error: e.error.clone(),
        summary: e.report.as_ref().map(|r| summarize(&base_name, r)),
        base_name,
        completes: completes.into_iter().map(entry).collect(),
    }
}

/// Syncs, newest first; optionally of one base and of one status.
#[tauri::command]
pub async fn list_history(
    state: State<'_, AppState>,
    base: Option<String>,
    status: Option<SyncStatus>,
    limit: Option<u32>,
) -> CommandResult<Vec<HistoryEntry>> {
    let items = state
        .services()?
        .history(&HistoryQuery {
            base: base.filter(|b| !b.is_empty()).map(BasePlaylistId::new),
            status,
            limit,
        })
        .await
        .or_command_error()?;
    Ok(items.into_iter().map(entry).collect())
}

/// Runs the base of a past sync again (a full run, whatever the base's version says).
#[tauri::command]
pub async fn retry_sync(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    event: String,
) -> CommandResult<()> {
    let base = state
        .services()?
        .base_of_sync(&event)
        .await
        .or_command_error()?;
    hub.start(base, true).await.map(|_| ())
}
