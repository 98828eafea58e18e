//! Desktop notifications: failures always offered (on by default), successes only when the
//! user asked. Shown through the desktop's notification service (D-Bus on Linux).

use syncer_store::{SettingKey, Store};

use crate::syncing::SyncSummary;

/// Says on the desktop how a sync ended, if the user's settings want it.
pub async fn sync_finished(store: &Store, summary: &SyncSummary) {
    let (key, default, title) = match summary.status.as_str() {
        "failed" => (SettingKey::NotifyOnFailure, true, "Sync failed"),
        // A sync that found nothing to do is not news.
        "completed" if !summary.unchanged => (SettingKey::NotifyOnSuccess, false, "Synced"),
        _ => return,
    };
    match store.flag(key, default).await {
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
