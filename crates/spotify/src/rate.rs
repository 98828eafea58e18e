//! How fast one connection may talk. Three layers, all per connection:
//!
//! 1. a token bucket (`governor`) at the configured sustained rate and burst;
//! 2. a pause: a 429's `Retry-After` stops *every* request of the connection until it has
//!    passed, not only the one that was refused (Spotify's window is per app and user, so
//!    the other requests would be refused too);
//! 3. a slowdown: each 429 halves the rate (extra spacing between requests, on top of the
//!    bucket), and every `recover_after` successes in a row undo one halving.

use std::num::NonZeroU32;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use syncer_core::provider::ProviderError;
use tokio_util::sync::CancellationToken;

use crate::config::RateConfig;
use crate::retry::sleep;

#[derive(Debug)]
struct State {
    paused_until: Option<Instant>,
    /// When the service said it would take requests again: the whole `Retry-After`, even
    /// one too long to wait out (the pause above is capped), so front ends can show it.
    limited_until: Option<Instant>,
    /// Halvings in force.
    slowdown: u32,
    successes: u32,
    /// The earliest start of the next request while slowed down.
    next_slot: Instant,
}

enum Wait {
    Paused(Duration),
    Spaced(Duration),
    Ready,
}

pub(crate) struct RateGate {
    bucket: DefaultDirectRateLimiter,
    base_interval: Duration,
    config: RateConfig,
    state: Mutex<State>,
}

impl RateGate {
    pub fn new(config: RateConfig) -> Self {
        let rate = NonZeroU32::new(config.requests_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(config.burst).unwrap_or(NonZeroU32::MIN);
        RateGate {
            bucket: RateLimiter::direct(Quota::per_second(rate).allow_burst(burst)),
            base_interval: Duration::from_secs(1) / rate.get(),
            config,
            state: Mutex::new(State {
                paused_until: None,
                limited_until: None,
                slowdown: 0,
                successes: 0,
                next_slot: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Plain fields, each update complete: a poisoned lock still holds consistent data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a request may start: the pause, then the slowdown spacing, then a token.
    pub async fn acquire(&self, cancel: &CancellationToken) -> Result<(), ProviderError> {
        loop {
            match self.next_wait() {
                Wait::Paused(d) => {
                    tracing::debug!(wait_ms = d.as_millis() as u64, "waiting out Retry-After");
                    // Checked again afterwards: another 429 may have extended the pause.
                    sleep(d, cancel).await?;
                }
                Wait::Spaced(d) => {
                    sleep(d, cancel).await?;
                    break;
                }
                Wait::Ready => break,
            }
        }
        tokio::select! {
            () = cancel.cancelled() => Err(ProviderError::Cancelled),
            () = self.bucket.until_ready() => Ok(()),
        }
    }

    fn next_wait(&self) -> Wait {
        let mut s = self.lock();
        let now = Instant::now();
        if let Some(until) = s.paused_until {
            if until > now {
                return Wait::Paused(until - now);
            }
            s.paused_until = None;
        }
        if s.slowdown == 0 {
            return Wait::Ready;
        }
        // Reserve the next slot; later callers queue behind it.
        let spacing = self.base_interval * (1u32 << s.slowdown);
        let slot = s.next_slot.max(now);
        s.next_slot = slot + spacing;
        Wait::Spaced(slot - now)
    }

    /// A 429: pause everyone for `retry_after` and slow down.
    pub fn rate_limited(&self, retry_after: Duration) {
        self.rate_limited_for(retry_after, retry_after);
    }

    /// A 429 whose `Retry-After` (`service_wait`) is longer than this client will wait:
    /// pause for `pause` only (the request fails with the service's figure), and remember
    /// the service's figure for [`RateGate::limited_until`].
    pub fn rate_limited_for(&self, pause: Duration, service_wait: Duration) {
        let mut s = self.lock();
        let now = Instant::now();
        let until = now + pause;
        let service_until = now + service_wait.max(pause);
        s.limited_until = Some(
            s.limited_until
                .map_or(service_until, |p| p.max(service_until)),
        );
        s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
        s.slowdown = (s.slowdown + 1).min(self.config.max_slowdown);
        s.successes = 0;
        s.next_slot = until;
        tracing::info!(
            retry_after_ms = service_wait.as_millis() as u64,
            slowdown = s.slowdown,
            "rate limited: pausing this connection"
        );
    }

    /// Until when the service asked this connection to wait, while that is in the future.
    pub fn limited_until(&self) -> Option<Instant> {
        let s = self.lock();
        s.limited_until.filter(|until| *until > Instant::now())
    }

    pub fn succeeded(&self) {
        let mut s = self.lock();
        // The service answered: whatever it said before no longer holds.
        s.limited_until = None;
        if s.slowdown == 0 {
            return;
        }
        s.successes += 1;
        if s.successes >= self.config.recover_after.max(1) {
            s.slowdown -= 1;
            s.successes = 0;
        }
    }

    #[cfg(test)]
    fn slowdown(&self) -> u32 {
        self.lock().slowdown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> RateGate {
        RateGate::new(RateConfig {
            requests_per_second: 1_000,
            burst: 1_000,
            max_slowdown: 2,
            recover_after: 2,
        })
    }

    #[tokio::test]
    async fn a_429_pauses_every_caller_until_retry_after() {
        let gate = gate();
        let cancel = CancellationToken::new();
        gate.acquire(&cancel).await.unwrap();
        gate.rate_limited(Duration::from_millis(150));
        let start = Instant::now();
        gate.acquire(&cancel).await.unwrap();
        // A lower bound only: a slow machine may wait longer, never shorter.
        assert!(start.elapsed() >= Duration::from_millis(150));
    }

    #[tokio::test]
    async fn the_pause_is_cancellable() {
        let gate = gate();
        let cancel = CancellationToken::new();
        gate.rate_limited(Duration::from_secs(3600));
        let waiter = gate.acquire(&cancel);
        cancel.cancel();
        assert_eq!(waiter.await, Err(ProviderError::Cancelled));
    }

    #[test]
    fn slowdown_is_bounded_and_recovers() {
        let gate = gate();
        for _ in 0..5 {
            gate.rate_limited(Duration::ZERO);
        }
        assert_eq!(gate.slowdown(), 2);
        gate.succeeded();
        gate.succeeded();
        assert_eq!(gate.slowdown(), 1);
        gate.succeeded();
        gate.succeeded();
        assert_eq!(gate.slowdown(), 0);
    }

    #[test]
    fn the_service_figure_is_kept_even_when_the_pause_is_capped() {
        let gate = gate();
        assert_eq!(gate.limited_until(), None);
        let before = Instant::now();
        gate.rate_limited_for(Duration::from_secs(5), Duration::from_secs(3600));
        let until = gate.limited_until().expect("limited");
        assert!(until >= before + Duration::from_secs(3600));
        // A shorter 429 later does not bring the figure forward.
        gate.rate_limited(Duration::from_secs(1));
        assert_eq!(gate.limited_until(), Some(until));
        // An answer means the service takes requests again.
        gate.succeeded();
        assert_eq!(gate.limited_until(), None);
    }

    #[test]
    fn a_passed_limit_is_not_reported() {
        let gate = gate();
        gate.rate_limited(Duration::ZERO);
        assert_eq!(gate.limited_until(), None);
    }
}
