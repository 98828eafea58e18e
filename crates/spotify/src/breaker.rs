//! A small circuit breaker, one per connection: after `failure_threshold` transient failures
//! in a row (5xx, timeouts, dropped connections) the service is assumed down and requests
//! fail fast with `CircuitOpen` for `open_for`; then one trial request goes through
//! (half-open). Its success closes the circuit, its failure opens it again. Any HTTP answer
//! other than a 5xx counts as success: the service is up, even if it said no.
//!
//! Ours rather than a crate's because the states are few and the interplay with retries
//! (every attempt counts) and cancellation (a dropped trial must not wedge the breaker) is
//! easier to see in forty lines.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::config::BreakerConfig;

#[derive(Debug, Default)]
struct State {
    failures: u32,
    opened_at: Option<Instant>,
    trial_in_flight: bool,
}

#[derive(Debug)]
pub(crate) struct CircuitBreaker {
    config: BreakerConfig,
    state: Mutex<State>,
}

/// Leave to send one request. Report how it went with [`Permit::success`] or
/// [`Permit::failure`]; dropping it unreported (a cancelled request) frees a trial slot
/// without judging the service.
#[must_use]
pub(crate) struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    trial: bool,
}

impl CircuitBreaker {
    pub fn new(config: BreakerConfig) -> Self {
        CircuitBreaker {
            config,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is three plain fields updated in one step: still consistent after a
        // panic elsewhere, so a poisoned lock is recovered.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A permit, or how long until the circuit lets a trial through.
    pub fn permit(&self) -> Result<Permit<'_>, Duration> {
        let mut s = self.lock();
        let Some(opened_at) = s.opened_at else {
            return Ok(Permit {
                breaker: self,
                trial: false,
            });
        };
        let elapsed = opened_at.elapsed();
        if elapsed < self.config.open_for {
            return Err(self.config.open_for - elapsed);
        }
        if s.trial_in_flight {
            // Another request is the trial; wait for its verdict.
            return Err(Duration::from_secs(1));
        }
        s.trial_in_flight = true;
        Ok(Permit {
            breaker: self,
            trial: true,
        })
    }

    pub fn is_open(&self) -> bool {
        self.lock().opened_at.is_some()
    }
}

impl Permit<'_> {
    pub fn success(mut self) {
        let mut s = self.breaker.lock();
        *s = State::default();
        self.trial = false;
    }

    pub fn failure(mut self) {
        let mut s = self.breaker.lock();
        s.failures = s.failures.saturating_add(1);
        if self.trial {
            s.trial_in_flight = false;
            s.opened_at = Some(Instant::now());
            tracing::warn!(
                failures = s.failures,
                "circuit re-opened after a failed trial"
            );
        } else if s.opened_at.is_none() && s.failures >= self.breaker.config.failure_threshold {
            s.opened_at = Some(Instant::now());
            tracing::warn!(
                failures = s.failures,
                open_for_ms = self.breaker.config.open_for.as_millis() as u64,
                "circuit opened: the service keeps failing"
            );
        }
        self.trial = false;
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.trial {
            self.breaker.lock().trial_in_flight = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(open_for: Duration) -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig {
            failure_threshold: 3,
            open_for,
        })
    }

    #[test]
    fn opens_after_threshold_and_fails_fast() {
        let b = breaker(Duration::from_secs(3600));
        b.permit().unwrap().failure();
        b.permit().unwrap().failure();
        b.permit().unwrap().success();
        // The success reset the count.
        for _ in 0..3 {
            b.permit().unwrap().failure();
        }
        assert!(b.is_open());
        let wait = b.permit().err().unwrap();
        assert!(wait > Duration::from_secs(3000));
    }

    #[test]
    fn half_open_admits_one_trial() {
        let b = breaker(Duration::ZERO);
        for _ in 0..3 {
            b.permit().unwrap().failure();
        }
        let trial = b.permit().unwrap();
        assert!(b.permit().is_err(), "only one trial at a time");
        trial.failure();
        // Re-opened; with open_for zero the next trial is admitted at once.
        let trial = b.permit().unwrap();
        trial.success();
        assert!(!b.is_open());
        assert!(b.permit().is_ok());
    }

    #[test]
    fn a_dropped_trial_frees_the_slot() {
        let b = breaker(Duration::ZERO);
        for _ in 0..3 {
            b.permit().unwrap().failure();
        }
        drop(b.permit().unwrap());
        assert!(b.permit().is_ok());
    }
}
