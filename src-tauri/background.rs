//! Background sync: the shared layer's schedule loop (the one `syncer watch` runs), for as long
//! as the app lives. Due syncs start through the sync hub like a click on Sync would, so the
//! window, the tray and notifications follow them.

use std::sync::Arc;
use std::time::Duration;

use syncer_app::schedules::{StartSync, run_schedules};
use syncer_core::engine::SyncStatus;
use syncer_core::ids::BasePlaylistId;
use syncer_core::jobs::Outcome;
use tokio_util::sync::CancellationToken;

use crate::syncing::SyncHub;

/// The longest the loop sleeps: a schedule edited in the window takes effect within it.
const MAX_IDLE: Duration = Duration::from_secs(30);

struct HubStart {
    hub: Arc<SyncHub>,
}

impl StartSync for HubStart {
    async fn sync(&self, base: &BasePlaylistId, force: bool) -> Outcome {
        match self.hub.start(base.clone(), force).await {
            Ok(done) => match done.await {
                Ok(summary) if summary.status == SyncStatus::Failed => {
                    Outcome::Failed { transient: true }
                }
                Ok(_) => Outcome::Succeeded,
                Err(_) => Outcome::Failed { transient: true },
            },
            // Already syncing (a click came first): nothing to do.
            Err(e) => {
                tracing::info!(base = %base, error = %e.message, "scheduled sync not started");
                Outcome::Succeeded
            }
        }
    }

    fn paused(&self) -> bool {
        self.hub.is_paused()
    }
}

/// Starts the loop; it ends with the app.
pub fn start(hub: Arc<SyncHub>) -> CancellationToken {
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tauri::async_runtime::spawn(async move {
        let Some(services) = hub.services() else {
            return;
        };
        hub.reschedule().await;
        let scheduler = Arc::clone(&hub.scheduler);
        let start = HubStart { hub };
        run_schedules(&services, &start, scheduler, MAX_IDLE, stop).await;
    });
    cancel
}
