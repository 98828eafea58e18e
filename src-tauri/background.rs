//! Background sync: the core scheduler's loop, run by the app for as long as it lives. Due
//! schedules become jobs; jobs run through the sync hub like a click on Sync would.

use std::sync::Arc;
use std::time::Duration;

use syncer_core::engine::SystemClock;
use syncer_core::ids::{BasePlaylistId, PlaylistId};
use syncer_core::jobs::{Job, JobQueue, JobRunner, Outcome, RetryPolicy, run_scheduler};
use syncer_core::provider::MusicProvider as _;
use syncer_store::SettingKey;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::syncing::SyncHub;

/// The longest the loop sleeps: a schedule edited in the window takes effect within it.
const MAX_IDLE: Duration = Duration::from_secs(30);

struct HubRunner {
    hub: Arc<SyncHub>,
}

impl HubRunner {
    /// Paused from the tray, or turned off in Settings: due syncs are skipped, not queued.
    async fn may_run(&self) -> bool {
        if self.hub.is_paused() {
            return false;
        }
        match self.hub.services() {
            Some(s) => s
                .store
                .flag(SettingKey::BackgroundSync, true)
                .await
                .unwrap_or(true),
            None => false,
        }
    }
}

impl JobRunner for HubRunner {
    async fn run(&self, job: &Job) -> Outcome {
        if !self.may_run().await {
            tracing::info!(base = %job.base, "background sync paused: skipped");
            return Outcome::Succeeded;
        }
        match self.hub.start(job.base.clone(), job.force).await {
            Ok(done) => match done.await {
                Ok(summary) if summary.status == "failed" => Outcome::Failed { transient: true },
                Ok(_) => Outcome::Succeeded,
                Err(_) => Outcome::Failed { transient: true },
            },
            // Already syncing (a click came first): nothing to do.
            Err(e) => {
                tracing::info!(base = %job.base, error = %e.message, "scheduled sync not started");
                Outcome::Succeeded
            }
        }
    }

    async fn base_changed(&self, base: &BasePlaylistId) -> bool {
        if !self.may_run().await {
            return false;
        }
        let Some(services) = self.hub.services() else {
            return false;
        };
        let Ok(record) = services.base(base.as_str()).await else {
            return false;
        };
        let Ok(client) = services.client(&record.connection).await else {
            return false;
        };
        match client.snapshot_id(&PlaylistId::new(base.as_str())).await {
            Ok(snapshot) => record.last_snapshot.as_ref() != Some(&snapshot),
            Err(e) => {
                tracing::info!(base = %base, error = %e, "could not check the base for changes");
                false
            }
        }
    }
}

/// Starts the loop; it ends with the app.
pub fn start(hub: Arc<SyncHub>) -> CancellationToken {
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tauri::async_runtime::spawn(async move {
        hub.reschedule().await;
        let scheduler = Arc::clone(&hub.scheduler);
        let runner = HubRunner { hub };
        run_scheduler(
            &runner,
            scheduler,
            Arc::new(Mutex::new(JobQueue::new(RetryPolicy::default()))),
            Arc::new(SystemClock),
            MAX_IDLE,
            stop,
        )
        .await;
    });
    cancel
}
