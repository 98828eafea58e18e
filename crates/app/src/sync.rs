//! Running a sync the way every front end wants it: progress to a sink, cancellable from this
//! process (a token) or from another one (`syncer cancel`, the app's button: a request stored
//! with the running event).

use std::time::Duration;

use syncer_core::engine::{ProgressSink, SyncOptions, SyncReport};
use syncer_core::ids::BasePlaylistId;
use tokio_util::sync::CancellationToken;

use crate::error::AppResult;
use crate::services::Services;

/// How often a running sync looks for a stored cancel request.
const CANCEL_POLL: Duration = Duration::from_millis(250);

/// Syncs one base. `cancel` stops it at the next safe point, as does a cancel request stored
/// by another process.
pub async fn run_sync(
    services: &Services,
    base: &BasePlaylistId,
    force: bool,
    progress: Option<ProgressSink>,
    cancel: CancellationToken,
) -> AppResult<SyncReport> {
    let record = services.base(base.as_str()).await?;
    // A child whose filter cannot be read: say which and how to fix it, before anything runs.
    services.store.ensure_filters_readable(&record.id).await?;
    let engine = services.engine(&record.connection).await?;
    let options = SyncOptions {
        force,
        cancel: cancel.clone(),
        progress,
    };
    let watcher = {
        let store = services.store.clone();
        let cancel = cancel.clone();
        let base = base.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(CANCEL_POLL) => {}
                }
                if let Ok(Some(event)) = store.running_event(&base).await
                    && store.cancel_requested(event).await.unwrap_or(false)
                {
                    cancel.cancel();
                    return;
                }
            }
        })
    };
    let result = engine.sync(base, &options).await;
    watcher.abort();
    Ok(result?)
}
