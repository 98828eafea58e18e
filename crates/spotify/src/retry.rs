//! Backoff for transient failures, and waits that a cancellation ends at once.

use std::time::Duration;

use syncer_core::provider::ProviderError;
use tokio_util::sync::CancellationToken;

use crate::config::RetryPolicy;

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry): exponential, capped,
    /// with "equal jitter" (half of it fixed, half random) so that many clients failing
    /// together do not come back together, yet each still waits a predictable minimum.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16))
            .min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// How long to wait on a 429, from its `Retry-After` header (whole seconds; Spotify sends
    /// no dates). `None` when the wait is longer than the client is willing to wait.
    pub fn rate_limit_wait(&self, retry_after: Option<&str>) -> Result<Duration, Duration> {
        let wait = retry_after
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(self.default_retry_after, Duration::from_secs);
        if wait > self.max_retry_after {
            Err(wait)
        } else {
            Ok(wait)
        }
    }
}

/// Sleeps `d` unless `cancel` fires first.
pub(crate) async fn sleep(d: Duration, cancel: &CancellationToken) -> Result<(), ProviderError> {
    if d.is_zero() {
        return Ok(());
    }
    tokio::select! {
        () = cancel.cancelled() => Err(ProviderError::Cancelled),
        () = tokio::time::sleep(d) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1_000),
            max_retry_after: Duration::from_secs(10),
            default_retry_after: Duration::from_secs(2),
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let p = policy();
        for _ in 0..50 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = p.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let capped = p.backoff(30);
            assert!(capped >= Duration::from_millis(500) && capped <= Duration::from_millis(1_000));
        }
    }

    #[test]
    fn retry_after_is_honoured_and_bounded() {
        let p = policy();
        assert_eq!(p.rate_limit_wait(Some("3")), Ok(Duration::from_secs(3)));
        assert_eq!(p.rate_limit_wait(None), Ok(Duration::from_secs(2)));
        assert_eq!(p.rate_limit_wait(Some("soon")), Ok(Duration::from_secs(2)));
        assert_eq!(
            p.rate_limit_wait(Some("3600")),
            Err(Duration::from_secs(3600))
        );
    }

    #[tokio::test]
    async fn a_wait_ends_on_cancel() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let got = sleep(Duration::from_secs(3600), &cancel).await;
        assert_eq!(got, Err(ProviderError::Cancelled));
    }
}
