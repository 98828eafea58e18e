//! The scheduler: per-base schedules turned into jobs, and the loop that runs them. The tray
//! and the CLI drive the same loop; only the [`JobRunner`] differs.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::calendar::TimeZone;
use crate::engine::clock::Clock;
use crate::ids::BasePlaylistId;
use crate::jobs::queue::{Job, JobQueue, Priority, Trigger};
use crate::jobs::schedule::Schedule;

#[derive(Debug, Clone)]
struct Entry {
    schedule: Schedule,
    /// The last run (or version check, for on-change schedules).
    last: Option<i64>,
}

/// Which bases are due, by their schedules. Pure logic.
#[derive(Debug, Clone)]
pub struct Scheduler {
    entries: HashMap<BasePlaylistId, Entry>,
    /// The zone daily times are read in: the user's.
    zone: TimeZone,
}

/// What a due schedule asks for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    Run(BasePlaylistId),
    /// Check the base's version and run only if it changed.
    Check(BasePlaylistId),
}

impl Scheduler {
    pub fn new(zone: TimeZone) -> Scheduler {
        Scheduler {
            entries: HashMap::new(),
            zone,
        }
    }

    pub fn set(&mut self, base: BasePlaylistId, schedule: Schedule, last: Option<i64>) {
        self.entries.insert(base, Entry { schedule, last });
    }

    pub fn remove(&mut self, base: &BasePlaylistId) {
        self.entries.remove(base);
    }

    /// Everything due at `now`, marked as done at `now`.
    pub fn take_due(&mut self, now: i64) -> Vec<Due> {
        let mut due = Vec::new();
        for (base, e) in &mut self.entries {
            let Some(at) = e.schedule.next_due(e.last, now, &self.zone) else {
                continue;
            };
            if at <= now {
                e.last = Some(now);
                due.push(match e.schedule {
                    Schedule::OnChange { .. } => Due::Check(base.clone()),
                    _ => Due::Run(base.clone()),
                });
            }
        }
        // A stable order, whatever the map's.
        due.sort();
        due
    }

    pub fn next_due(&self, now: i64) -> Option<i64> {
        self.entries
            .values()
            .filter_map(|e| e.schedule.next_due(e.last, now, &self.zone))
            .min()
    }
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Failed; `transient` failures (rate limits, outages) are retried.
    Failed {
        transient: bool,
    },
}

/// What the loop runs jobs with: the engine, in the app and the CLI.
pub trait JobRunner: Send + Sync {
    fn run(&self, job: &Job) -> impl Future<Output = Outcome> + Send;
    /// Whether the base's version changed since its last sync (one cheap request).
    fn base_changed(&self, base: &BasePlaylistId) -> impl Future<Output = bool> + Send;
}

/// Runs due schedules and queued jobs until `cancel` fires. Jobs run one at a time; the
/// longest idle wait is `max_idle`, so jobs pushed from outside start within it.
pub async fn run_scheduler<R: JobRunner>(
    runner: &R,
    scheduler: Arc<Mutex<Scheduler>>,
    queue: Arc<Mutex<JobQueue>>,
    clock: Arc<dyn Clock>,
    max_idle: Duration,
    cancel: CancellationToken,
) {
    while !cancel.is_cancelled() {
        let now = clock.now().unix_seconds();
        let due = scheduler.lock().await.take_due(now);
        for d in due {
            let job = match d {
                Due::Run(base) => Some(Job::new(base, Priority::Scheduled, Trigger::Schedule, now)),
                Due::Check(base) => runner
                    .base_changed(&base)
                    .await
                    .then(|| Job::new(base, Priority::Background, Trigger::BaseChanged, now)),
            };
            if let Some(job) = job {
                queue.lock().await.push(job);
            }
        }
        loop {
            let now = clock.now().unix_seconds();
            let Some(job) = queue.lock().await.pop_ready(now) else {
                break;
            };
            let outcome = tokio::select! {
                () = cancel.cancelled() => return,
                o = runner.run(&job) => o,
            };
            let now = clock.now().unix_seconds();
            let (ok, transient) = match outcome {
                Outcome::Succeeded => (true, false),
                Outcome::Failed { transient } => (false, transient),
            };
            if let Some(retry) = queue.lock().await.finish(&job, ok, transient, now) {
                tracing::info!(base = %retry.base, attempt = retry.attempt, "sync will be retried");
            }
        }
        let now = clock.now().unix_seconds();
        let next = [
            scheduler.lock().await.next_due(now),
            queue.lock().await.next_ready_at(),
        ]
        .into_iter()
        .flatten()
        .min();
        let wait = next.map_or(max_idle, |at| {
            Duration::from_secs(u64::try_from((at - now).max(1)).unwrap_or(1)).min(max_idle)
        });
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// A clock that follows tokio's (pausable) time from a starting instant: what the scheduler
/// runs on in tests.
#[derive(Debug, Clone)]
pub struct TokioClock {
    start_unix: i64,
    start: tokio::time::Instant,
}

impl TokioClock {
    pub fn starting_at(unix_seconds: i64) -> TokioClock {
        TokioClock {
            start_unix: unix_seconds,
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> crate::filter::Timestamp {
        let elapsed = i64::try_from(self.start.elapsed().as_secs()).unwrap_or(i64::MAX);
        crate::filter::Timestamp::from_unix_seconds(self.start_unix + elapsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Default)]
    struct Recorder {
        runs: StdMutex<Vec<(String, i64, Trigger)>>,
        fail_first: AtomicU32,
        changed: StdMutex<bool>,
        clock_start: i64,
    }

    struct Runner {
        rec: Arc<Recorder>,
        clock: TokioClock,
    }

    impl JobRunner for Runner {
        async fn run(&self, job: &Job) -> Outcome {
            let now = self.clock.now().unix_seconds() - self.rec.clock_start;
            self.rec
                .runs
                .lock()
                .unwrap()
                .push((job.base.to_string(), now, job.trigger));
            if self.rec.fail_first.load(Ordering::SeqCst) > 0 {
                self.rec.fail_first.fetch_sub(1, Ordering::SeqCst);
                return Outcome::Failed { transient: true };
            }
            Outcome::Succeeded
        }

        async fn base_changed(&self, _base: &BasePlaylistId) -> bool {
            std::mem::take(&mut *self.rec.changed.lock().unwrap())
        }
    }

    #[tokio::test(start_paused = true)]
    async fn schedules_retries_and_change_polling_on_paused_time() {
        let start = 1_767_225_600;
        let clock = TokioClock::starting_at(start);
        let rec = Arc::new(Recorder {
            clock_start: start,
            ..Recorder::default()
        });
        rec.fail_first.store(1, Ordering::SeqCst);
        let runner = Runner {
            rec: rec.clone(),
            clock: clock.clone(),
        };
        let mut s = Scheduler::new(TimeZone::UTC);
        s.set(
            BasePlaylistId::new("every"),
            Schedule::Every { minutes: 30 },
            Some(start),
        );
        s.set(
            BasePlaylistId::new("watch"),
            Schedule::OnChange { poll_minutes: 5 },
            Some(start),
        );
        let scheduler = Arc::new(Mutex::new(s));
        let queue = Arc::new(Mutex::new(JobQueue::new(crate::jobs::RetryPolicy {
            max_attempts: 3,
            base_delay_secs: 60,
            max_delay_secs: 600,
        })));
        let cancel = CancellationToken::new();
        let task = {
            let (scheduler, queue, cancel) = (scheduler.clone(), queue.clone(), cancel.clone());
            let clock: Arc<dyn Clock> = Arc::new(clock.clone());
            tokio::spawn(async move {
                run_scheduler(
                    &runner,
                    scheduler,
                    queue,
                    clock,
                    Duration::from_secs(60),
                    cancel,
                )
                .await;
            })
        };
        // A user job pushed from outside runs within the idle wait.
        queue.lock().await.push(Job::new(
            BasePlaylistId::new("manual"),
            Priority::User,
            Trigger::User,
            start,
        ));
        tokio::time::sleep(Duration::from_secs(12 * 60)).await;
        *rec.changed.lock().unwrap() = true;
        tokio::time::sleep(Duration::from_secs(50 * 60)).await;
        cancel.cancel();
        task.await.unwrap();
        let runs = rec.runs.lock().unwrap().clone();
        // The manual job failed once (transient) and was retried 60 s later.
        let manual: Vec<_> = runs.iter().filter(|r| r.0 == "manual").collect();
        assert_eq!(manual.len(), 2, "{runs:?}");
        assert_eq!(manual[1].1 - manual[0].1, 60);
        assert_eq!(manual[1].2, Trigger::Retry);
        // Every 30 minutes: at 30 and 60.
        let every: Vec<i64> = runs
            .iter()
            .filter(|r| r.0 == "every")
            .map(|r| r.1)
            .collect();
        assert_eq!(every, vec![30 * 60, 60 * 60]);
        // The change was seen at the next poll (15 min) and synced once.
        let watch: Vec<_> = runs.iter().filter(|r| r.0 == "watch").collect();
        assert_eq!(watch.len(), 1, "{runs:?}");
        assert_eq!(watch[0].1, 15 * 60);
        assert_eq!(watch[0].2, Trigger::BaseChanged);
    }
}
