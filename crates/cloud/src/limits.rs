//! Rate limits on the sign-in endpoints: per client address, and per account *from* an
//! address, so one address trying many accounts gets nowhere and one trying one account gets
//! a few guesses a minute.
//!
//! Why not per account alone: then anyone who knows an email could keep its owner out, by
//! spending the account's attempts with wrong passwords (ten a minute did it). Keyed on
//! (account, address), the attacker's failures use up the attacker's budget only; the owner,
//! from their own address, still signs in. What an attacker with many addresses gains is
//! bounded by the per-address limit, Argon2id's cost, the hashing limit
//! ([`crate::password::HashLimits`]) and the minimum password length.

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
    /// Per account and client address (see the module's documentation).
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
    per_account: Arc<DefaultKeyedRateLimiter<(String, IpAddr)>>,
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

    /// `account` is the normalised email, `ip` the address the attempt came from.
    pub fn check_account(&self, account: &str, ip: IpAddr) -> Result<(), ApiError> {
        self.per_account
            .check_key(&(account.to_owned(), ip))
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
