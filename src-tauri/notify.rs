//! Desktop notifications: failures always offered (on by default), successes only when the
//! user asked. Shown through the desktop's notification service (D-Bus on Linux).

use syncer_app::Services;
use syncer_app::settings::Setting;
use syncer_core::engine::SyncStatus;

use crate::syncing::SyncSummary;

/// Says on the desktop how a sync ended, if the user's settings want it.
pub async fn sync_finished(services: &Services, summary: &SyncSummary) {
    let (setting, title) = match summary.status {
        SyncStatus::Failed => (Setting::NotifyOnFailure, "Sync failed"),
        // A sync that found nothing to do is not news.
        SyncStatus::Completed if !summary.unchanged => (Setting::NotifyOnSuccess, "Synced"),
        _ => return,
    };
    match services.flag(setting).await {
        Ok(true) => {
            show(
                format!("{title}: {}", summary.base_name),
                summary.headline.clone(),
            )
            .await
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the notification settings"),
    }
}

/// Shows one notification; a desktop without a notification service only logs it.
pub async fn show(title: String, body: String) {
    let shown = tokio::task::spawn_blocking(move || {
        notify_rust::Notification::new()
            .appname("Syncer")
            .summary(&title)
            .body(&body)
            .show()
            .map(|_| ())
    })
    .await;
    match shown {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::info!(error = %e, "no desktop notification service answered"),
        Err(e) => tracing::warn!(error = %e, "the notification task failed"),
    }
}
