//! The job queue and scheduler: which base syncs next, and when.
//!
//! - [`schedule`]: per-base schedules.
//! - [`queue`]: priorities, coalescing of duplicate jobs, retries with backoff (pure logic).
//! - [`scheduler`]: turns schedules into jobs, and a tokio runner that drives a queue.

pub mod queue;
pub mod schedule;
pub mod scheduler;

pub use queue::{Job, JobQueue, Priority, RetryPolicy, Trigger};
pub use schedule::Schedule;
pub use scheduler::{Due, JobRunner, Outcome, Scheduler, TokioClock, run_scheduler};
