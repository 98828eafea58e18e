//! What every handler shares: the storage, the settings, the rate limiters.

use std::sync::Arc;
use std::time::Duration;

use crate::events::EventHub;
use crate::limits::{AuthLimits, Limiters};
use crate::password::PasswordCost;
use crate::storage::Storage;

/// The server's behaviour, independent of how it was configured (flags, env, tests).
#[derive(Debug, Clone)]
pub struct Settings {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// The largest request body, after decompression.
    pub max_body_bytes: usize,
    /// The largest sealed record.
    pub max_record_bytes: usize,
    /// Records in one batch upload, and in one page of changes.
    pub max_batch: usize,
    pub auth_limits: AuthLimits,
    pub password_cost: PasswordCost,
    /// Take the client's address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// How many proxies we run in front of the server, each appending to `X-Forwarded-For`:
    /// the client is the entry this many from the right (see
    /// [`crate::extract::forwarded_client`]).
    pub trusted_proxy_hops: usize,
    /// How often an idle event stream sends a keep-alive comment (and rechecks its session).
    pub event_keepalive: Duration,
    /// The most events a stream replays to catch up; beyond it, one `sync_required`.
    pub event_backlog_max: i64,
    /// How long events stay in the journal; resuming from an older one is `sync_required`.
    pub event_retention: Duration,
    /// How often old events are pruned.
    pub event_prune_every: Duration,
    /// How long an enrollment code (QR) can be used. Zero makes every code expired at once
    /// (tests of the refusal).
    pub enrollment_ttl: Duration,
    /// The address devices are told to use (app instructions); `None`: the `Host` the request
    /// came to.
    pub public_url: Option<String>,
    /// How often devices are told to sync when nothing wakes them.
    pub sync_interval: Duration,
    /// Event streams one device may hold open on one instance; a new one ends the oldest.
    pub events_per_device: usize,
    /// How long a client may take to send a request's headers, and how long a kept-alive
    /// connection may wait for its next request.
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed (an event
    /// stream's keep-alives count as traffic).
    pub idle_timeout: Duration,
    /// Open connections at most; beyond, a new one is answered 503 and closed. `None`: from
    /// the open-file limit (see [`crate::server::connection_limit`]).
    pub max_connections: Option<usize>,
    /// Password hashes (Argon2id) computed at once, and how many more may wait for a turn;
    /// beyond, 503 with Retry-After. Each running hash holds `password_cost`'s memory.
    pub hash_limits: crate::password::HashLimits,
    /// How recent a password sign-in must be for its session to delete all cloud data
    /// without typing the password again.
    pub fresh_sign_in: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(30 * 24 * 3600),
            max_body_bytes: 8 * 1024 * 1024,
            max_record_bytes: 256 * 1024,
            max_batch: 500,
            auth_limits: AuthLimits::default(),
            password_cost: PasswordCost::default(),
            trust_forwarded_for: false,
            trusted_proxy_hops: 1,
            event_keepalive: crate::events::stream::DEFAULT_KEEPALIVE,
            event_backlog_max: 1000,
            event_retention: Duration::from_secs(7 * 24 * 3600),
            event_prune_every: Duration::from_secs(3600),
            enrollment_ttl: Duration::from_secs(10 * 60),
            public_url: None,
            sync_interval: Duration::from_secs(15 * 60),
            events_per_device: 4,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: None,
            hash_limits: crate::password::HashLimits::default(),
            fresh_sign_in: Duration::from_secs(10 * 60),
        }
    }
}

pub struct AppState<S> {
    pub storage: S,
    pub settings: Arc<Settings>,
    pub limiters: Limiters,
    /// Every password hash and check goes through it: a bounded number at once.
    pub passwords: crate::password::Passwords,
    /// Wakes this instance's event streams (see [`crate::events`]).
    pub events: EventHub,
}

impl<S: Clone> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            storage: self.storage.clone(),
            settings: self.settings.clone(),
            limiters: self.limiters.clone(),
            passwords: self.passwords.clone(),
            events: self.events.clone(),
        }
    }
}

impl<S: Storage> AppState<S> {
    pub async fn new(storage: S, settings: Settings) -> Result<Self, String> {
        // The costs are checked once here, so a bad configuration stops the start.
        let passwords =
            crate::password::Passwords::new(settings.password_cost, settings.hash_limits)
                .map_err(|e| e.to_string())?;
        Ok(Self {
            storage,
            limiters: Limiters::new(settings.auth_limits),
            events: EventHub::new(settings.events_per_device),
            settings: Arc::new(settings),
            passwords,
        })
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
