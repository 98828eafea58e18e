//! `syncer watch`: the schedules in the foreground, for servers. The tray runs the same loop
//! (syncer_app::schedules); only how a sync is started and shown differs.

use std::sync::Arc;
use std::time::Duration;

use syncer_app::schedules::{StartSync, run_schedules};
use syncer_core::engine::SyncStatus;
use syncer_core::ids::BasePlaylistId;
use syncer_core::jobs::Outcome;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::run_sync;
use crate::app::App;
use crate::exit::OK;

struct CliStart<'a> {
    app: &'a App,
}

impl StartSync for CliStart<'_> {
    async fn sync(&self, base: &BasePlaylistId, force: bool) -> Outcome {
        match run_sync(self.app, base, force).await {
            Ok(report) => {
                if !self.app.json {
                    let name = self
                        .app
                        .base(base.as_str())
                        .await
                        .map_or_else(|_| base.to_string(), |b| b.name);
                    print!("{}", crate::render::sync_summary(&name, &report));
                }
                match report.status {
                    SyncStatus::Completed | SyncStatus::InProgress => Outcome::Succeeded,
                    // A failed sync names what failed; service trouble passes, so retry.
                    SyncStatus::Failed => Outcome::Failed { transient: true },
                    SyncStatus::Cancelled => Outcome::Failed { transient: false },
                }
            }
            Err(e) => {
                eprintln!("sync of {base} not started: {e:#}");
                Outcome::Failed { transient: false }
            }
        }
    }
}

pub async fn watch(app: &App) -> anyhow::Result<u8> {
    // Counted from each base's last sync, as the tray counts them.
    let scheduler = app.scheduler().await?;
    let bases = app.base_ids().await?;
    if !app.json {
        println!(
            "watching {} on their schedules (times in {}); Ctrl-C stops",
            crate::render::count(bases.len(), "base", "bases"),
            app.config()
                .time_zone
                .iana_name()
                .unwrap_or("the system's time zone")
        );
    }
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.cancel();
        }
    });
    let start = CliStart { app };
    // Genres from MusicBrainz fill in the background meanwhile, at its pace.
    let enrich = app.enrich_in_background(cancel.clone());
    let schedule = run_schedules(
        app,
        &start,
        Arc::new(Mutex::new(scheduler)),
        Duration::from_secs(60),
        cancel,
    );
    tokio::join!(schedule, enrich);
    Ok(OK)
}
