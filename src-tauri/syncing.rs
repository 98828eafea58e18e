//! Running syncs from the window, the tray and the schedule: one place that knows which bases
//! are syncing, relays their progress to the window, remembers how the last one ended (for
//! the tray's icon) and says so on the desktop.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use syncer_app::Services;
use syncer_core::engine::{Progress, ProgressSink, Stage, SyncReport, SyncStatus};
use syncer_core::ids::BasePlaylistId;
use syncer_core::jobs::Scheduler;
use syncer_store::SettingKey;
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
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SyncProgressEvent {
    pub base: String,
    /// checking_base, reading_base, enriching, routing, reading_children, writing, done.
    pub stage: String,
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
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SyncSummary {
    pub base: String,
    pub base_name: String,
    /// completed, failed, cancelled (or in_progress for one still running).
    pub status: String,
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
#[ts(export, export_to = "../ui/src/bindings/")]
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
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HubStatus {
    pub running: Vec<String>,
    pub paused: bool,
    pub background_sync: bool,
    /// Unix seconds of the next scheduled sync, if any.
    #[ts(type = "number | null")]
    pub next_sync_at: Option<i64>,
    /// idle, syncing or error.
    pub tray: String,
    pub last_error: Option<String>,
}

pub fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::CheckingBase => "Checking the base",
        Stage::ReadingBase => "Reading the base",
        Stage::Enriching => "Looking up metadata",
        Stage::Routing => "Routing",
        Stage::ReadingChildren => "Reading the children",
        Stage::Writing => "Writing the children",
        Stage::Done => "Done",
    }
}

fn stage_id(stage: Stage) -> &'static str {
    match stage {
        Stage::CheckingBase => "checking_base",
        Stage::ReadingBase => "reading_base",
        Stage::Enriching => "enriching",
        Stage::Routing => "routing",
        Stage::ReadingChildren => "reading_children",
        Stage::Writing => "writing",
        Stage::Done => "done",
    }
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
        status: report.status.as_str().to_owned(),
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
            scheduler: Arc::new(Mutex::new(Scheduler::new(local_utc_offset()))),
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

    /// Reloads every base's schedule (after a base or a schedule changed).
    pub async fn reschedule(&self) {
        let Some(services) = &self.services else {
            return;
        };
        match services.store.list_bases().await {
            Ok(bases) => {
                let now = unix_now();
                let mut scheduler = self.scheduler.lock().await;
                *scheduler = Scheduler::new(local_utc_offset());
                for b in bases {
                    // Timed schedules count from the last sync, or from now if never synced.
                    let last = b
                        .last_synced_at
                        .as_deref()
                        .and_then(parse_rfc3339_seconds)
                        .or(Some(now));
                    scheduler.set(b.id, b.schedule, last);
                }
            }
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
                .store
                .flag(SettingKey::BackgroundSync, true)
                .await
                .unwrap_or(true),
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
            tray: tray.as_str().to_owned(),
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
                    stage: stage_id(p.stage).to_owned(),
                    label: stage_label(p.stage).to_owned(),
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
                        status: "failed".to_owned(),
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
            *last = match summary.status.as_str() {
                "failed" => Some(format!("{}: {}", summary.base_name, summary.headline)),
                "completed" => None,
                _ => last.take(),
            };
        }
        if let Err(e) = self.app.emit(FINISHED_EVENT, summary) {
            tracing::debug!(error = %e, "could not send the sync's end to the window");
        }
        tracing::info!(base = %base, status = %summary.status, added = summary.added, removed = summary.removed, "sync finished");
        if let Some(services) = &self.services {
            notify::sync_finished(&services.store, summary).await;
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
        services.store.request_cancel(base).await.or_command_error()
    }

    /// Starts every base one after another, in the background.
    pub async fn start_all(self: &Arc<Self>) -> CommandResult<u32> {
        let services = self.require_services()?;
        let bases = services.store.list_bases().await.or_command_error()?;
        let count = u32::try_from(bases.len()).unwrap_or(u32::MAX);
        let hub = Arc::clone(self);
        tauri::async_runtime::spawn(async move {
            for b in bases {
                match hub.start(b.id.clone(), false).await {
                    Ok(done) => {
                        let _ = done.await;
                    }
                    Err(e) => tracing::info!(base = %b.id, error = %e.message, "not synced"),
                }
            }
        });
        Ok(count)
    }
}

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The store writes times as `YYYY-MM-DDTHH:MM:SS(.fff)Z`.
fn parse_rfc3339_seconds(text: &str) -> Option<i64> {
    syncer_core::filter::Timestamp::parse_rfc3339(text)
        .ok()
        .map(|t| t.unix_seconds())
}

/// Daily schedules are in local time. The offset is read once; a DST change shifts a daily
/// sync by an hour until the app restarts, which is acceptable for a background sync.
fn local_utc_offset() -> i32 {
    std::env::var("SYNCER_UTC_OFFSET_MINUTES")
        .ok()
        .and_then(|m| m.parse::<i32>().ok())
        .map_or(0, |m| m * 60)
}

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
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct UndoView {
    pub event: String,
    pub children: Vec<UndoChild>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
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
    hub: State<'_, Arc<SyncHub>>,
    base: String,
    drop_added_by_hand: Option<bool>,
) -> CommandResult<UndoView> {
    let services = state.services()?;
    let id = BasePlaylistId::new(base);
    if hub.is_running(&id).await {
        return Err(CommandError::with_code(
            ErrorCode::SyncInProgress,
            "This base is syncing: undo is possible once it has finished.",
        ));
    }
    let record = services.base(id.as_str()).await.or_command_error()?;
    let engine = services
        .engine(&record.connection)
        .await
        .or_command_error()?;
    let options = syncer_core::engine::UndoOptions {
        drop_added_by_hand: drop_added_by_hand.unwrap_or(false),
    };
    let report = engine.undo(&id, &options).await.or_command_error()?;
    let children = services.store.list_children(&id).await.or_command_error()?;
    Ok(UndoView {
        event: report.event.to_string(),
        children: report
            .children
            .iter()
            .map(|u| UndoChild {
                id: u.child.to_string(),
                name: children
                    .iter()
                    .find(|c| c.id == u.child)
                    .map_or_else(|| u.child.to_string(), |c| c.name.clone()),
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
        assert_eq!(ok.status, "completed");
        assert!(ok.headline.contains("0 added"), "{}", ok.headline);
        report.status = SyncStatus::Failed;
        report.error = Some("the service answered 500".into());
        let failed = summarize("Mix", &report);
        assert_eq!(failed.headline, "Failed: the service answered 500");
    }

    #[test]
    fn stored_times_read_as_unix_seconds() {
        assert_eq!(parse_rfc3339_seconds("1970-01-01T00:01:00.000Z"), Some(60));
        assert_eq!(parse_rfc3339_seconds("yesterday"), None);
    }
}
