//! Live cloud events on the desktop: while signed in, one event stream stays open
//! (`CloudDevice::watch`), changes other devices make are pulled as they are made (no polling
//! of the server), and the window hears `cloud-live` so the Cloud section refreshes and shows
//! "Live" or "Reconnecting…".

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use syncer_cloud_client::{LiveEvent, WatchUpdate};
use tauri::{AppHandle, Emitter as _, Manager as _};
use ts_rs::TS;

use crate::cloud;
use crate::state::AppState;
use crate::syncing::SyncHub;

pub const CLOUD_LIVE_EVENT: &str = "cloud-live";

/// How the live connection stands: live (changes arrive as they are made), reconnecting
/// (the connection dropped; trying again), or off (not signed in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CloudLiveState {
    Live,
    Reconnecting,
    Off,
}

/// What the window hears on `cloud-live`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CloudLiveEvent {
    pub state: CloudLiveState,
    /// Changes from another device were applied: refresh what is shown.
    pub changed: bool,
    /// Why it is reconnecting, or why a pull failed.
    pub message: Option<String>,
}

/// While signed out, how often the (local) sign-in state is looked at again.
const SIGNED_OUT_CHECK: Duration = Duration::from_secs(5);

fn emit(app: &AppHandle, state: CloudLiveState, changed: bool, message: Option<String>) {
    let event = CloudLiveEvent {
        state,
        changed,
        message,
    };
    if let Err(e) = app.emit(CLOUD_LIVE_EVENT, &event) {
        tracing::debug!(error = %e, "could not tell the window about the cloud connection");
    }
}

/// Starts the watcher; it runs for the life of the app.
pub fn start(app: AppHandle, hub: Arc<SyncHub>) {
    tauri::async_runtime::spawn(async move {
        let mut announced_off = false;
        loop {
            let device = {
                let state = app.state::<AppState>();
                cloud::device(&state).await
            };
            let Ok(device) = device else {
                // The store or the vault is not open: nothing to watch.
                return;
            };
            let signed_in = device.status().await.is_ok_and(|s| s.signed_in);
            if !signed_in {
                if !announced_off {
                    emit(&app, CloudLiveState::Off, false, None);
                    announced_off = true;
                }
                tokio::time::sleep(SIGNED_OUT_CHECK).await;
                continue;
            }
            let (app2, hub2) = (app.clone(), hub.clone());
            let ended = device
                .watch(move |update| match update {
                    WatchUpdate::Live => emit(&app2, CloudLiveState::Live, false, None),
                    WatchUpdate::Pulled { report } => {
                        if report.applied + report.removed > 0 {
                            // Bases or schedules may have arrived from another device.
                            let hub = hub2.clone();
                            tauri::async_runtime::spawn(async move { hub.reschedule().await });
                        }
                        emit(&app2, CloudLiveState::Live, true, None);
                    }
                    WatchUpdate::PullFailed { error } => {
                        emit(&app2, CloudLiveState::Live, false, Some(error));
                    }
                    WatchUpdate::Reconnecting { error, .. } => {
                        emit(&app2, CloudLiveState::Reconnecting, false, Some(error));
                    }
                    // The device list changed: the window reads it again.
                    WatchUpdate::Event {
                        event: LiveEvent::DeviceEnrolled { .. } | LiveEvent::DeviceRevoked { .. },
                        ..
                    } => emit(&app2, CloudLiveState::Live, true, None),
                    WatchUpdate::Event { .. } => {}
                })
                .await;
            if let Err(e) = ended {
                tracing::info!(error = %e, "cloud live events stopped");
            }
            emit(&app, CloudLiveState::Off, true, None);
            announced_off = true;
        }
    });
}
