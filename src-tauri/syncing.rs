//! Running syncs from the window, the tray and the schedule: one place that knows which bases
//! are syncing, relays their progress to the window, remembers how the last one ended (for
//! the tray's icon) and says so on the desktop.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use syncer_app::Services;
use syncer_app::settings::Setting;
use syncer_core::engine::{Progress, ProgressSink, Stage, SyncReport, SyncStatus};
use syncer_core::ids::BasePlaylistId;
use syncer_core::jobs::Scheduler;
use tauri::{AppHandle, Emitter, State};
use tokio::sync::{Mutex, oneshot};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::notify;
use crate::state::AppState;
use crate::tray::{self, TrayState};

pub const PROGRESS_EVENT: &str = "sync-progress";
pub const FINISHED_EVENT: &str = "sync-finished";
pub const STATUS_EVENT: &str = "sync-status";

/// A running sync's progress, as the window shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncProgressEvent {
    pub base: String,
    pub stage: Stage,
    pub label: String,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
    /// Seconds left in this stage, once enough is done to tell.
    #[ts(type = "number | null")]
    pub eta_seconds: Option<u64>,
}

/// How a sync ended, in the words and numbers the window, the history and a notification use.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SyncSummary {
    pub base: String,
    pub base_name: String,
    pub status: SyncStatus,
    pub unchanged: bool,
    pub tracks: u32,
    pub added: u32,
    pub removed: u32,
    pub unrouted: u32,
    #[ts(type = "number")]
    pub requests: u64,
    pub cache_hit_rate: f64,
    #[ts(type = "number")]
    pub duration_ms: u64,
    pub children: Vec<ChildSummary>,
    pub error: Option<String>,
    /// One line: "12 added, 3 removed in 4 children (1.2 s)".
    pub headline: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChildSummary {
    pub id: String,
    pub name: String,
    pub added: u32,
    pub removed: u32,
    pub kept_user_tracks: u32,
    pub note: Option<String>,
    pub error: Option<String>,
}

/// What the tray and the window's status bar show.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HubStatus {
    pub running: Vec<String>,
    pub paused: bool,
    pub background_sync: bool,
    /// Unix seconds of the next scheduled sync, if any.
    #[ts(type = "number | null")]
    pub next_sync_at: Option<i64>,
    pub tray: TrayState,
    pub last_error: Option<String>,
}

pub fn summarize(base_name: &str, report: &SyncReport) -> SyncSummary {
    let seconds = report.duration_ms as f64 / 1000.0;
    let headline = match report.status {
        SyncStatus::Completed if report.unchanged => {
            "Nothing changed since the last sync.".to_owned()
        }
        SyncStatus::Completed => format!(
            "{} added, {} removed across {} children ({seconds:.1} s)",
            report.added(),
            report.removed(),
            report.children.len()
        ),
        SyncStatus::Cancelled => format!(
            "Cancelled: {} added and {} removed before it stopped",
            report.added(),
            report.removed()
        ),
        SyncStatus::Failed => format!(
            "Failed: {}",
            report
                .error
                .as_deref()
                .unwrap_or("see the history for details")
        ),
        SyncStatus::InProgress => "Still running".to_owned(),
    };
    SyncSummary {
        base: report.base.to_string(),
        base_name: base_name.to_owned(),
        status: report.status,
        unchanged: report.unchanged,
        tracks: report.tracks_processed,
        added: report.added(),
        removed: report.removed(),
        unrouted: report.unrouted,
        requests: report.requests.total(),
        cache_hit_rate: report.cache.hit_rate(),
        duration_ms: report.duration_ms,
        children: report
            .children
            .iter()
            .map(|c| ChildSummary {
                id: c.id.to_string(),
                name: c.name.clone(),
                added: c.added,
                removed: c.removed,
                kept_user_tracks: c.kept_user_tracks,
                note: c.note.clone(),
                error: c.error.clone(),
            })
            .collect(),
        error: report.error.clone(),
        headline,
    }
}

/// Which bases sync now, and how the last sync ended.
pub struct SyncHub {
    app: AppHandle,
    services: Option<Arc<Services>>,
    running: Mutex<HashMap<BasePlaylistId, CancellationToken>>,
    last_error: Mutex<Option<String>>,
    paused: AtomicBool,
    pub scheduler: Arc<Mutex<Scheduler>>,
}

impl SyncHub {
    pub fn new(app: AppHandle, services: Option<Arc<Services>>) -> SyncHub {
        SyncHub {
            app,
            services,
            running: Mutex::new(HashMap::new()),
            last_error: Mutex::new(None),
            paused: AtomicBool::new(false),
            scheduler: Arc::new(Mutex::new(Scheduler::new(
                syncer_core::calendar::TimeZone::UTC,
            ))),
        }
    }

    pub fn services(&self) -> Option<Arc<Services>> {
        self.services.clone()
    }

    fn require_services(&self) -> CommandResult<Arc<Services>> {
        self.services.clone().ok_or_else(|| {
            CommandError::with_code(
                ErrorCode::Store,
                "Syncer's database is unavailable; Settings says why",
            )
        })
    }

    pub async fn is_running(&self, base: &BasePlaylistId) -> bool {
        self.running.lock().await.contains_key(base)
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    pub async fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
        self.publish_status().await;
    }

    /// Reloads every base's schedule (after a base or a schedule changed): the shared
    /// layer's, counted from each base's last sync as `syncer watch` counts them.
    pub async fn reschedule(&self) {
        let Some(services) = &self.services else {
            return;
        };
        match services.scheduler().await {
            Ok(loaded) => *self.scheduler.lock().await = loaded,
            Err(e) => tracing::warn!(error = %e, "could not load schedules"),
        }
        self.publish_status().await;
    }

    pub async fn status(&self) -> HubStatus {
        let running: Vec<String> = self
            .running
            .lock()
            .await
            .keys()
            .map(ToString::to_string)
            .collect();
        let last_error = self.last_error.lock().await.clone();
        let background_sync = match &self.services {
            Some(s) => s
                .flag(Setting::BackgroundSync)
                .await
                .unwrap_or(Setting::BackgroundSync.default_value()),
            None => false,
        };
        let next_sync_at = self.scheduler.lock().await.next_due(unix_now());
        let tray = if !running.is_empty() {
            TrayState::Syncing
        } else if last_error.is_some() {
            TrayState::Error
        } else {
            TrayState::Idle
        };
        HubStatus {
            running,
            paused: self.is_paused(),
            background_sync,
            next_sync_at,
            tray,
            last_error,
        }
    }

    /// Tells the window and the tray what changed.
    pub async fn publish_status(&self) {
        let status = self.status().await;
        tray::show_status(&self.app, &status);
        if let Err(e) = self.app.emit(STATUS_EVENT, &status) {
            tracing::debug!(error = %e, "could not send the sync status to the window");
        }
    }

    /// Starts a sync of one base in the background; its progress and end arrive as events.
    /// The returned receiver resolves with the summary when it ends (the scheduler waits on
    /// it; the window listens to the events instead).
    pub async fn start(
        self: &Arc<Self>,
        base: BasePlaylistId,
        force: bool,
    ) -> CommandResult<oneshot::Receiver<SyncSummary>> {
        let services = self.require_services()?;
        let record = services.base(base.as_str()).await.or_command_error()?;
        let cancel = CancellationToken::new();
        {
            let mut running = self.running.lock().await;
            if running.contains_key(&base) {
                return Err(CommandError::with_code(
                    ErrorCode::SyncInProgress,
                    format!("{} is already syncing", record.name),
                ));
            }
            running.insert(base.clone(), cancel.clone());
        }
        self.publish_status().await;
        let (done_tx, done_rx) = oneshot::channel();
        let hub = Arc::clone(self);
        tauri::async_runtime::spawn(async move {
            let app = hub.app.clone();
            let progress_base = base.to_string();
            let progress: ProgressSink = Arc::new(move |p: &Progress| {
                // Per-child batches run side by side; the window follows the overall count.
                if p.child.is_some() {
                    return;
                }
                let event = SyncProgressEvent {
                    base: progress_base.clone(),
                    stage: p.stage,
                    label: p.stage.label().to_owned(),
                    done: p.done,
                    total: p.total,
                    eta_seconds: p.eta.map(|d| d.as_secs()),
                };
                if let Err(e) = app.emit(PROGRESS_EVENT, &event) {
                    tracing::debug!(error = %e, "could not send progress to the window");
                }
            });
            let result =
                syncer_app::sync::run_sync(&services, &base, force, Some(progress), cancel).await;
            let summary = match result {
                Ok(report) => summarize(&record.name, &report),
                Err(e) => {
                    let message = e.to_string();
                    SyncSummary {
                        base: base.to_string(),
                        base_name: record.name.clone(),
                        status: SyncStatus::Failed,
                        unchanged: false,
                        tracks: 0,
                        added: 0,
                        removed: 0,
                        unrouted: 0,
                        requests: 0,
                        cache_hit_rate: 0.0,
                        duration_ms: 0,
                        children: Vec::new(),
                        headline: format!("Failed: {message}"),
                        error: Some(message),
                    }
                }
            };
            hub.finish(&base, &summary).await;
            let _ = done_tx.send(summary);
        });
        Ok(done_rx)
    }

    async fn finish(&self, base: &BasePlaylistId, summary: &SyncSummary) {
        self.running.lock().await.remove(base);
        {
            let mut last = self.last_error.lock().await;
            *last = match summary.status {
                SyncStatus::Failed => Some(format!("{}: {}", summary.base_name, summary.headline)),
                SyncStatus::Completed => None,
                SyncStatus::Cancelled | SyncStatus::InProgress => last.take(),
            };
        }
        if let Err(e) = self.app.emit(FINISHED_EVENT, summary) {
            tracing::debug!(error = %e, "could not send the sync's end to the window");
        }
        tracing::info!(base = %base, status = ?summary.status, added = summary.added, removed = summary.removed, "sync finished");
        if let Some(services) = &self.services {
            notify::sync_finished(services, summary).await;
        }
        self.reschedule().await;
    }

    /// Stops a running sync at its next safe point.
    pub async fn cancel(&self, base: &BasePlaylistId) -> CommandResult<bool> {
        if let Some(token) = self.running.lock().await.get(base) {
            token.cancel();
            return Ok(true);
        }
        // A sync run by another process (`syncer sync`): ask it through the store.
        let services = self.require_services()?;
        match services.cancel_sync(base).await {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorCode::NotFound => Ok(false),
            Err(e) => Err(CommandError::app(e)),
        }
    }

    /// Starts every base one after another, in the background.
    pub async fn start_all(self: &Arc<Self>) -> CommandResult<u32> {
        let services = self.require_services()?;
        let bases = services.base_ids().await.or_command_error()?;
        let count = u32::try_from(bases.len()).unwrap_or(u32::MAX);
        let hub = Arc::clone(self);
        tauri::async_runtime::spawn(async move {
            for b in bases {
                match hub.start(b.clone(), false).await {
                    Ok(done) => {
                        let _ = done.await;
                    }
                    Err(e) => tracing::info!(base = %b, error = %e.message, "not synced"),
                }
            }
        });
        Ok(count)
    }
}

pub use syncer_app::schedules::unix_now;

#[tauri::command]
pub async fn sync_base(
    hub: State<'_, Arc<SyncHub>>,
    base: String,
    force: Option<bool>,
) -> CommandResult<()> {
    hub.start(BasePlaylistId::new(base), force.unwrap_or(false))
        .await
        .map(|_| ())
}

#[tauri::command]
pub async fn sync_all(hub: State<'_, Arc<SyncHub>>) -> CommandResult<u32> {
    hub.start_all().await
}

#[tauri::command]
pub async fn cancel_sync(hub: State<'_, Arc<SyncHub>>, base: String) -> CommandResult<bool> {
    hub.cancel(&BasePlaylistId::new(base)).await
}

#[tauri::command]
pub async fn sync_status(hub: State<'_, Arc<SyncHub>>) -> CommandResult<HubStatus> {
    Ok(hub.status().await)
}

/// What an undo put back, per child.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UndoView {
    pub event: String,
    pub children: Vec<UndoChild>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UndoChild {
    pub id: String,
    pub name: String,
    pub tracks: u32,
    /// Tracks added by hand since the sync, kept.
    pub kept_added_by_hand: u32,
}

/// Restores the children the last sync of a base wrote to, as they were before it.
#[tauri::command]
pub async fn undo_sync(
    state: State<'_, AppState>,
    base: String,
    drop_added_by_hand: Option<bool>,
) -> CommandResult<UndoView> {
    let outcome = state
        .services()?
        .undo(
            &BasePlaylistId::new(base),
            drop_added_by_hand.unwrap_or(false),
        )
        .await
        .or_command_error()?;
    Ok(UndoView {
        event: outcome.report.event.to_string(),
        children: outcome
            .report
            .children
            .iter()
            .map(|u| UndoChild {
                id: u.child.to_string(),
                name: outcome
                    .child_names
                    .get(&u.child)
                    .map_or_else(|| u.child.to_string(), Clone::clone),
                tracks: u.tracks,
                kept_added_by_hand: u.kept_added_by_hand,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_completed_sync_reads_as_numbers_and_a_failed_one_as_its_error() {
        let mut report = SyncReport::new(BasePlaylistId::new("b"), 0);
        report.status = SyncStatus::Completed;
        report.duration_ms = 1_500;
        let ok = summarize("Mix", &report);
        assert_eq!(ok.status, SyncStatus::Completed);
        assert!(ok.headline.contains("0 added"), "{}", ok.headline);
        report.status = SyncStatus::Failed;
        report.error = Some("the service answered 500".into());
        let failed = summarize("Mix", &report);
        assert_eq!(failed.headline, "Failed: the service answered 500");
    }
}
