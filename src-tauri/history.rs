//! The sync history: every sync with its numbers and errors, filterable, and a retry.

use std::sync::Arc;

use serde::Serialize;
use syncer_core::engine::SyncStatus;
use syncer_core::ids::BasePlaylistId;
use tauri::State;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::state::AppState;
use crate::syncing::{SyncHub, SyncSummary, summarize};

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HistoryEntry {
    pub id: String,
    pub base: String,
    pub base_name: String,
    /// in_progress, completed, failed or cancelled.
    pub status: String,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
    /// An undo restored what this sync changed.
    pub undone: bool,
    /// On an undo's own entry: the sync it undid.
    pub undo_of: Option<String>,
    /// On an interrupted sync: the later sync that completed it (undone together).
    pub completed_by: Option<String>,
    pub error: Option<String>,
    /// The sync's numbers, when its report still reads.
    pub summary: Option<SyncSummary>,
}

/// Syncs, newest first; optionally of one base and of one status.
#[tauri::command]
pub async fn list_history(
    state: State<'_, AppState>,
    base: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
) -> CommandResult<Vec<HistoryEntry>> {
    let services = state.services()?;
    let base = base.filter(|b| !b.is_empty()).map(BasePlaylistId::new);
    let wanted = match status.as_deref() {
        None | Some("" | "all") => None,
        Some(s) => Some(SyncStatus::parse(s)),
    };
    let names: std::collections::HashMap<String, String> = services
        .store
        .list_bases()
        .await
        .or_command_error()?
        .into_iter()
        .map(|b| (b.id.to_string(), b.name))
        .collect();
    // Filtering by status happens here, so read more than asked for.
    let limit = limit.unwrap_or(100).min(1_000);
    let events = services
        .store
        .list_events(base.as_ref(), if wanted.is_some() { 1_000 } else { limit })
        .await
        .or_command_error()?;
    Ok(events
        .into_iter()
        .filter(|e| wanted.is_none_or(|w| e.status == w))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|e| {
            let base_name = names
                .get(e.base.as_str())
                .cloned()
                .unwrap_or_else(|| e.base.to_string());
            HistoryEntry {
                id: e.id.to_string(),
                base: e.base.to_string(),
                status: e.status.as_str().to_owned(),
                started_at: e.started_at,
                finished_at: e.finished_at,
                undone: e.undone,
                undo_of: e.undo_of.map(|id| id.to_string()),
                completed_by: e.completed_by.map(|id| id.to_string()),
                error: e.error.clone(),
                summary: e.report.as_ref().map(|r| summarize(&base_name, r)),
                base_name,
            }
        })
        .collect())
}

/// Runs the base of a past sync again (a full run, whatever the base's version says).
#[tauri::command]
pub async fn retry_sync(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    event: String,
) -> CommandResult<()> {
    let services = state.services()?;
    let events = services
        .store
        .list_events(None, 1_000)
        .await
        .or_command_error()?;
    let found = events
        .into_iter()
        .find(|e| e.id.to_string() == event)
        .ok_or_else(|| {
            CommandError::with_code(
                ErrorCode::NotFound,
                format!("no sync {event} in the history"),
            )
        })?;
    hub.start(found.base, true).await.map(|_| ())
}
