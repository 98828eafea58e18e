//! Rate limits on the sign-in endpoints: per client address and per account, so neither one
//! address trying many accounts nor many addresses trying one account get far.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Attempts allowed per minute (and as a burst).
#[derive(Debug, Clone, Copy)]
pub struct AuthLimits {
    pub per_ip_per_minute: u32,
    pub per_account_per_minute: u32,
}

impl Default for AuthLimits {
    fn default() -> Self {
        Self {
            per_ip_per_minute: 30,
            per_account_per_minute: 10,
        }
    }
}

#[derive(Clone)]
pub struct Limiters {
    per_ip: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    per_account: Arc<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl Limiters {
    pub fn new(limits: AuthLimits) -> Self {
        Self {
            per_ip: Arc::new(RateLimiter::keyed(quota(limits.per_ip_per_minute))),
            per_account: Arc::new(RateLimiter::keyed(quota(limits.per_account_per_minute))),
            clock: DefaultClock::default(),
        }
    }

    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.per_ip
            .check_key(&ip)
            .map_err(|not_until| self.refuse(not_until.wait_time_from(self.clock.now())))
    }

    /// `account` is the normalised email.
    pub fn check_account(&self, account: &str) -> Result<(), ApiError> {
        self.per_account
            .check_key(&account.to_owned())
            .map_err(|not_until| self.refuse(not_until.wait_time_from(self.clock.now())))
    }

    fn refuse(&self, wait: std::time::Duration) -> ApiError {
        crate::metrics::rate_limited();
        ApiError::rate_limited(wait.as_secs().max(1))
    }

    /// Forgets keys that have been quiet long enough to be back at a full quota.
    pub fn sweep(&self) {
        self.per_ip.retain_recent();
        self.per_account.retain_recent();
    }
}
