//! `syncer watch`: the scheduler in the foreground, for servers (the tray runs the same loop).

use std::sync::Arc;
use std::time::Duration;

use syncer_core::engine::{Clock, SyncStatus, SystemClock};
use syncer_core::ids::{BasePlaylistId, PlaylistId};
use syncer_core::jobs::{Job, JobQueue, JobRunner, Outcome, RetryPolicy, Scheduler, run_scheduler};
use syncer_core::provider::MusicProvider;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::run_sync;
use crate::app::App;
use crate::exit::OK;

struct CliRunner<'a> {
    app: &'a App,
}

impl JobRunner for CliRunner<'_> {
    async fn run(&self, job: &Job) -> Outcome {
        match run_sync(self.app, &job.base, job.force).await {
            Ok(report) => {
                if !self.app.json {
                    let name = self
                        .app
                        .base(job.base.as_str())
                        .await
                        .map_or_else(|_| job.base.to_string(), |b| b.name);
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
                eprintln!("sync of {} not started: {e:#}", job.base);
                Outcome::Failed { transient: false }
            }
        }
    }

    async fn base_changed(&self, base: &BasePlaylistId) -> bool {
        let Ok(record) = self.app.base(base.as_str()).await else {
            return false;
        };
        let Ok(client) = self.app.client(&record.connection).await else {
            return false;
        };
        match client.snapshot_id(&PlaylistId::new(base.as_str())).await {
            Ok(snapshot) => record.last_snapshot.as_ref() != Some(&snapshot),
            Err(e) => {
                eprintln!("could not check {base}: {e}");
                false
            }
        }
    }
}

pub async fn watch(app: &App) -> anyhow::Result<u8> {
    let mut scheduler = Scheduler::new(0);
    let now = SystemClock.now().unix_seconds();
    let bases = app.store.list_bases().await?;
    for b in &bases {
        // Timed schedules count from now: a restart does not fire every base at once.
        scheduler.set(b.id.clone(), b.schedule, Some(now));
    }
    if !app.json {
        println!(
            "watching {} on their schedules; Ctrl-C stops",
            crate::render::count(bases.len(), "base", "bases")
        );
    }
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            stop.cancel();
        }
    });
    let runner = CliRunner { app };
    // Genres from MusicBrainz fill in the background meanwhile, at its pace.
    let enrich = app.enrich_in_background(cancel.clone());
    let schedule = run_scheduler(
        &runner,
        Arc::new(Mutex::new(scheduler)),
        Arc::new(Mutex::new(JobQueue::new(RetryPolicy::default()))),
        Arc::new(SystemClock),
        Duration::from_secs(60),
        cancel,
    );
    tokio::join!(schedule, enrich);
    Ok(OK)
}
