//! Every knob of the client, with defaults that are gentle on the service. Tests shrink the
//! waits; production keeps the defaults.

use std::time::Duration;

/// Spotify's Web API.
pub const SPOTIFY_API_BASE: &str = "https://api.spotify.com/v1";

/// The largest page the client asks for (items and playlists alike).
pub const MAX_PAGE_SIZE: u32 = 50;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Web API base, without a trailing slash: `https://api.spotify.com/v1`, or the
    /// stand-in's `http://127.0.0.1:PORT/v1`.
    pub api_base: String,
    /// Requests in flight at once for this connection (page fan-out, lookups). Modest by
    /// default: Spotify's window is shared by everything the app does.
    pub max_concurrency: usize,
    /// Page size for playlists and playlist items, clamped to 1..=50.
    pub page_size: u32,
    /// Time for one attempt, from sending to the last byte of the body.
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    pub rate: RateConfig,
    pub retry: RetryPolicy,
    pub breaker: BreakerConfig,
    pub user_agent: String,
    /// Liked Songs have no `snapshot_id`; their change check is the first page's `total` and
    /// newest `added_at` (see `liked.rs`), which can miss a removal paired with an addition.
    /// The version it reports also changes once per this period, so such a miss lasts at most
    /// this long: the next check after it reads Liked Songs in full.
    pub liked_full_read_every: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_base: SPOTIFY_API_BASE.to_owned(),
            max_concurrency: 4,
            page_size: MAX_PAGE_SIZE,
            request_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            rate: RateConfig::default(),
            retry: RetryPolicy::default(),
            breaker: BreakerConfig::default(),
            user_agent: concat!("Syncer/", env!("CARGO_PKG_VERSION")).to_owned(),
            liked_full_read_every: Duration::from_secs(24 * 3600),
        }
    }
}

impl ClientConfig {
    /// Defaults, talking to another base URL (the stand-in).
    pub fn with_api_base(api_base: impl Into<String>) -> Self {
        ClientConfig {
            api_base: api_base.into(),
            ..ClientConfig::default()
        }
    }
}

/// The per-connection token bucket and how it slows down after a 429.
#[derive(Debug, Clone)]
pub struct RateConfig {
    /// Sustained requests per second. Spotify's rolling 30-second window is unpublished;
    /// 5/s (150 per window) stays well inside what Development Mode apps observe.
    pub requests_per_second: u32,
    /// Requests allowed back to back before the sustained rate applies.
    pub burst: u32,
    /// Each 429 halves the rate, down to `requests_per_second / 2^max_slowdown`.
    pub max_slowdown: u32,
    /// Successes in a row that undo one halving.
    pub recover_after: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            requests_per_second: 5,
            burst: 5,
            max_slowdown: 4,
            recover_after: 20,
        }
    }
}

/// Retries of transient failures (5xx, timeouts, dropped connections) and waits on 429.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all for one request failing transiently, the first included.
    pub max_attempts: u32,
    /// First backoff; doubles per attempt, with jitter (half fixed, half random).
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// The longest `Retry-After` the client waits out within a call; a longer one ends the
    /// call with `RateLimited` so the sync can be rescheduled.
    pub max_retry_after: Duration,
    /// 429s one request may wait out before giving up.
    pub max_rate_limit_waits: u32,
    /// Wait when a 429 carries no usable `Retry-After`.
    pub default_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            max_rate_limit_waits: 10,
            default_retry_after: Duration::from_secs(1),
        }
    }
}

/// The circuit breaker (see `breaker.rs`).
#[derive(Debug, Clone)]
pub struct BreakerConfig {
    /// Transient failures in a row (after retries' own attempts are counted one by one) that
    /// open the circuit.
    pub failure_threshold: u32,
    /// How long an open circuit refuses requests before letting one trial through.
    pub open_for: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            failure_threshold: 8,
            open_for: Duration::from_secs(30),
        }
    }
}
