//! Settings' "Updates" section: the version, "Check for updates" and "Install and restart".
//! The work is syncer-update's; these commands call it and say how it went.

use serde::Serialize;
use syncer_update::{FeedConfig, PendingUpdate, UpdateCheck, UpdateClient, UpdateError};
use tauri::{AppHandle, State};
use tokio::sync::Mutex;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode};

/// The build's feed (none: updates are off) and the update the last check found.
#[derive(Debug, Default)]
pub struct Updates {
    feed: Option<FeedConfig>,
    pending: Mutex<Option<PendingUpdate>>,
}

impl Updates {
    pub fn new(feed: Option<FeedConfig>) -> Self {
        Self {
            feed,
            pending: Mutex::new(None),
        }
    }

    fn client(&self, app: &AppHandle) -> Result<UpdateClient, UpdateError> {
        let feed = self.feed.as_ref().ok_or(UpdateError::NotConfigured)?;
        UpdateClient::new(app, feed, None)
    }
}

/// What a check found, as Settings shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum UpdateView {
    /// This build has no update feed: Settings says so and offers no check.
    NotConfigured {
        current_version: String,
    },
    /// Configured, not checked yet.
    Unchecked {
        current_version: String,
    },
    UpToDate {
        current_version: String,
    },
    Available {
        current_version: String,
        version: String,
        notes: Option<String>,
        date: Option<String>,
    },
    /// The download's signature did not match Syncer's key: nothing was installed.
    Refused {
        current_version: String,
        version: String,
        message: String,
    },
}

fn current_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn command_error(e: UpdateError) -> CommandError {
    let code = match e {
        UpdateError::NotConfigured | UpdateError::BadConfig(_) => ErrorCode::Config,
        _ => ErrorCode::Service,
    };
    tracing::warn!(error = %e, "update failed");
    CommandError::with_code(code, e.to_string())
}

/// Whether this build updates itself, before any check.
#[tauri::command]
pub async fn update_status(updates: State<'_, Updates>) -> CommandResult<UpdateView> {
    let current_version = current_version();
    if updates.feed.is_none() {
        return Ok(UpdateView::NotConfigured { current_version });
    }
    Ok(match updates.pending.lock().await.as_ref() {
        Some(p) => available(p),
        None => UpdateView::Unchecked { current_version },
    })
}

fn available(pending: &PendingUpdate) -> UpdateView {
    let info = pending.info();
    UpdateView::Available {
        current_version: info.current_version,
        version: info.version,
        notes: info.notes,
        date: info.date,
    }
}

#[tauri::command]
pub async fn check_for_updates(
    app: AppHandle,
    updates: State<'_, Updates>,
) -> CommandResult<UpdateView> {
    if updates.feed.is_none() {
        return Ok(UpdateView::NotConfigured {
            current_version: current_version(),
        });
    }
    let found = updates
        .client(&app)
        .map_err(command_error)?
        .check()
        .await
        .map_err(command_error)?;
    let mut pending = updates.pending.lock().await;
    Ok(match found {
        UpdateCheck::UpToDate { current_version } => {
            *pending = None;
            UpdateView::UpToDate { current_version }
        }
        UpdateCheck::Available(update) => {
            let view = available(&update);
            *pending = Some(update);
            view
        }
    })
}

/// Downloads the update the last check found, verifies its signature, installs it and
/// restarts Syncer. A refused signature installs nothing and is answered as `Refused`.
#[tauri::command]
pub async fn install_update(
    app: AppHandle,
    updates: State<'_, Updates>,
) -> CommandResult<UpdateView> {
    let pending = updates.pending.lock().await.clone().ok_or_else(|| {
        CommandError::with_code(
            ErrorCode::Invalid,
            "Check for updates first: no update is waiting.",
        )
    })?;
    let verified = match pending.download().await {
        Ok(verified) => verified,
        Err(e @ UpdateError::SignatureRejected { .. }) => {
            tracing::warn!(error = %e, "update refused");
            return Ok(UpdateView::Refused {
                current_version: current_version(),
                version: pending.info().version,
                message: e.to_string(),
            });
        }
        Err(e) => return Err(command_error(e)),
    };
    // The package manager may ask for a password: off the async threads.
    let installed = tokio::task::spawn_blocking(move || verified.install())
        .await
        .map_err(|e| CommandError::new(format!("the install stopped: {e}")))?;
    installed.map_err(command_error)?;
    tracing::info!("update installed; restarting");
    app.restart();
}
