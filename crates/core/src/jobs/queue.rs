//! The job queue: pure logic, driven by the caller's clock (unix seconds).
//!
//! - One job per base: a job for a base already queued merges into it (the higher priority,
//!   the earlier time, `force` if either asked).
//! - A base runs one job at a time; a job for a running base waits its turn.
//! - Ready jobs run by priority, then by due time, then first come first served.
//! - A failed job is retried with exponential backoff, up to a number of attempts.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::ids::BasePlaylistId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Retries and polling-triggered work.
    Background,
    Scheduled,
    /// The user asked (button, tray, CLI).
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    User,
    Schedule,
    BaseChanged,
    Retry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub base: BasePlaylistId,
    pub priority: Priority,
    pub trigger: Trigger,
    /// 0 for the first try.
    pub attempt: u32,
    /// Not before this time (unix seconds).
    pub not_before: i64,
    pub force: bool,
    seq: u64,
}

impl Job {
    pub fn new(base: BasePlaylistId, priority: Priority, trigger: Trigger, now: i64) -> Job {
        Job {
            base,
            priority,
            trigger,
            attempt: 0,
            not_before: now,
            force: false,
            seq: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay_secs: i64,
    pub max_delay_secs: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay_secs: 60,
            max_delay_secs: 30 * 60,
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`.
    pub fn delay(&self, attempt: u32) -> i64 {
        let factor = 1i64.checked_shl(attempt.min(30)).unwrap_or(i64::MAX);
        self.base_delay_secs
            .saturating_mul(factor)
            .min(self.max_delay_secs)
    }
}

#[derive(Debug, Clone, Default)]
pub struct JobQueue {
    queued: Vec<Job>,
    running: HashSet<BasePlaylistId>,
    retry: RetryPolicy,
    next_seq: u64,
}

impl JobQueue {
    pub fn new(retry: RetryPolicy) -> JobQueue {
        JobQueue {
            retry,
            ..JobQueue::default()
        }
    }

    /// Queues a job. Returns false when it merged into one already queued for the base.
    pub fn push(&mut self, mut job: Job) -> bool {
        if let Some(existing) = self.queued.iter_mut().find(|j| j.base == job.base) {
            existing.priority = existing.priority.max(job.priority);
            existing.not_before = existing.not_before.min(job.not_before);
            existing.force |= job.force;
            if job.priority == Priority::User {
                existing.trigger = Trigger::User;
            }
            return false;
        }
        job.seq = self.next_seq;
        self.next_seq += 1;
        self.queued.push(job);
        true
    }

    /// The next job to run now, marked running; `None` when nothing is ready.
    pub fn pop_ready(&mut self, now: i64) -> Option<Job> {
        let best = self
            .queued
            .iter()
            .enumerate()
            .filter(|(_, j)| j.not_before <= now && !self.running.contains(&j.base))
            .max_by(|(_, a), (_, b)| {
                a.priority
                    .cmp(&b.priority)
                    .then(b.not_before.cmp(&a.not_before))
                    .then(b.seq.cmp(&a.seq))
            })
            .map(|(i, _)| i)?;
        let job = self.queued.remove(best);
        self.running.insert(job.base.clone());
        Some(job)
    }

    /// Ends a job. A failure that may pass is retried after a backoff; returns the retry.
    pub fn finish(&mut self, job: &Job, succeeded: bool, transient: bool, now: i64) -> Option<Job> {
        self.running.remove(&job.base);
        if succeeded || !transient || job.attempt + 1 >= self.retry.max_attempts {
            return None;
        }
        let retry = Job {
            base: job.base.clone(),
            priority: Priority::Background.max(job.priority.min(Priority::Scheduled)),
            trigger: Trigger::Retry,
            attempt: job.attempt + 1,
            not_before: now + self.retry.delay(job.attempt),
            force: job.force,
            seq: 0,
        };
        self.push(retry.clone());
        Some(retry)
    }

    /// The earliest time a queued job becomes ready (ignoring running bases).
    pub fn next_ready_at(&self) -> Option<i64> {
        self.queued.iter().map(|j| j.not_before).min()
    }

    pub fn len(&self) -> usize {
        self.queued.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queued.is_empty()
    }

    pub fn is_running(&self, base: &BasePlaylistId) -> bool {
        self.running.contains(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(base: &str, p: Priority, at: i64) -> Job {
        Job::new(BasePlaylistId::new(base), p, Trigger::Schedule, at)
    }

    #[test]
    fn duplicates_coalesce_into_the_strongest() {
        let mut q = JobQueue::default();
        assert!(q.push(job("a", Priority::Scheduled, 100)));
        let mut forced = job("a", Priority::User, 50);
        forced.force = true;
        assert!(!q.push(forced));
        assert_eq!(q.len(), 1);
        let j = q.pop_ready(60).unwrap();
        assert_eq!(j.priority, Priority::User);
        assert_eq!(j.trigger, Trigger::User);
        assert!(j.force);
    }

    #[test]
    fn priority_then_time_then_arrival() {
        let mut q = JobQueue::default();
        q.push(job("a", Priority::Scheduled, 0));
        q.push(job("b", Priority::User, 5));
        q.push(job("c", Priority::Scheduled, 0));
        q.push(job("d", Priority::User, 100));
        let order: Vec<String> = std::iter::from_fn(|| q.pop_ready(10))
            .map(|j| j.base.to_string())
            .collect();
        assert_eq!(order, vec!["b", "a", "c"]);
        assert!(q.pop_ready(99).is_none());
        assert_eq!(q.next_ready_at(), Some(100));
    }

    #[test]
    fn one_job_per_base_at_a_time() {
        let mut q = JobQueue::default();
        q.push(job("a", Priority::User, 0));
        let running = q.pop_ready(0).unwrap();
        q.push(job("a", Priority::User, 0));
        assert!(q.pop_ready(0).is_none(), "a is running");
        q.finish(&running, true, false, 1);
        assert!(q.pop_ready(1).is_some());
    }

    #[test]
    fn transient_failures_retry_with_backoff_then_give_up() {
        let policy = RetryPolicy {
            max_attempts: 3,
            base_delay_secs: 10,
            max_delay_secs: 15,
        };
        let mut q = JobQueue::new(policy);
        q.push(job("a", Priority::User, 0));
        let j = q.pop_ready(0).unwrap();
        let r1 = q.finish(&j, false, true, 0).unwrap();
        assert_eq!(
            (r1.attempt, r1.not_before, r1.trigger),
            (1, 10, Trigger::Retry)
        );
        assert!(q.pop_ready(9).is_none());
        let j = q.pop_ready(10).unwrap();
        let r2 = q.finish(&j, false, true, 10).unwrap();
        assert_eq!(r2.not_before, 25, "capped at max delay");
        let j = q.pop_ready(25).unwrap();
        assert!(q.finish(&j, false, true, 25).is_none(), "attempts used up");
        // A failure the user must fix is not retried.
        q.push(job("b", Priority::User, 0));
        let j = q.pop_ready(30).unwrap();
        assert!(q.finish(&j, false, false, 30).is_none());
    }
}
