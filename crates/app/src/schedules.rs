//! Syncs on schedules, for every front end: the scheduler loaded from the bases (counted from
//! each base's last sync, daily times in the user's zone), the "did the base change?" check of
//! on-change schedules, and the loop that runs due syncs. The tray and `syncer watch` run this
//! same loop; only how a sync is started and shown differs ([`StartSync`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use syncer_core::engine::SystemClock;
use syncer_core::ids::BasePlaylistId;
use syncer_core::jobs::{Job, JobQueue, JobRunner, Outcome, RetryPolicy, Scheduler, run_scheduler};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::error::AppResult;
use crate::services::Services;
use crate::settings::Setting;

/// How a front end runs one due sync, and whether it is paused (the tray's Pause).
pub trait StartSync: Send + Sync {
    /// Runs the sync to its end; the outcome tells the loop whether to retry.
    fn sync(&self, base: &BasePlaylistId, force: bool) -> impl Future<Output = Outcome> + Send;

    /// Paused by the user for now: due syncs are skipped, not queued.
    fn paused(&self) -> bool {
        false
    }
}

impl Services {
    /// Every base's schedule, timed schedules counted from the base's last sync (from now
    /// when it never synced, so a first start does not fire every base at once), daily times
    /// in the configured zone.
    pub async fn scheduler(&self) -> AppResult<Scheduler> {
        let now = unix_now();
        let mut scheduler = Scheduler::new(self.config().time_zone.clone());
        for b in self.store.list_bases().await? {
            let last = b
                .last_synced_at
                .as_deref()
                .and_then(|t| syncer_core::filter::Timestamp::parse_rfc3339(t).ok())
                .map(|t| t.unix_seconds())
                .or(Some(now));
            scheduler.set(b.id, b.schedule, last);
        }
        Ok(scheduler)
    }

    /// Whether the base needs routing since its last sync: its version (one cheap request),
    /// the versions of the lists its rules read, its setup. An error counts as "no change" and
    /// is logged: the next poll asks again.
    pub async fn base_changed(&self, base: &BasePlaylistId) -> bool {
        let Ok(record) = self.base(base.as_str()).await else {
            return false;
        };
        let Ok(engine) = self.engine(&record.connection).await else {
            return false;
        };
        // The check a sync starts with: the base, and the lists its rules read (an exclusion
        // list that changed is a change too).
        match engine.changed(&record.id).await {
            Ok(changed) => changed,
            Err(e) => {
                tracing::info!(base = %base, error = %e, "could not check the base for changes");
                false
            }
        }
    }
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

struct Runner<'a, S> {
    services: &'a Services,
    start: &'a S,
}

impl<S: StartSync> Runner<'_, S> {
    /// Paused, or background sync turned off in Settings: due syncs are skipped.
    async fn may_run(&self) -> bool {
        !self.start.paused()
            && self
                .services
                .flag(Setting::BackgroundSync)
                .await
                .unwrap_or(true)
    }
}

impl<S: StartSync> JobRunner for Runner<'_, S> {
    async fn run(&self, job: &Job) -> Outcome {
        if !self.may_run().await {
            tracing::info!(base = %job.base, "background sync paused: skipped");
            return Outcome::Succeeded;
        }
        self.start.sync(&job.base, job.force).await
    }

    async fn base_changed(&self, base: &BasePlaylistId) -> bool {
        self.may_run().await && self.services.base_changed(base).await
    }
}

/// Runs due syncs until `cancel` fires. `scheduler` is shared so a front end can reload it
/// when a schedule changes ([`Services::scheduler`]); `max_idle` bounds how long a change
/// waits to be seen.
pub async fn run_schedules<S: StartSync>(
    services: &Services,
    start: &S,
    scheduler: Arc<Mutex<Scheduler>>,
    max_idle: Duration,
    cancel: CancellationToken,
) {
    let runner = Runner { services, start };
    run_scheduler(
        &runner,
        scheduler,
        Arc::new(Mutex::new(JobQueue::new(RetryPolicy::default()))),
        Arc::new(SystemClock),
        max_idle,
        cancel,
    )
    .await;
}
