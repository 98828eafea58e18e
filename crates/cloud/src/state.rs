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
            event_keepalive: crate::events::stream::DEFAULT_KEEPALIVE,
            event_backlog_max: 1000,
            event_retention: Duration::from_secs(7 * 24 * 3600),
            event_prune_every: Duration::from_secs(3600),
            enrollment_ttl: Duration::from_secs(10 * 60),
            public_url: None,
            sync_interval: Duration::from_secs(15 * 60),
        }
    }
}

pub struct AppState<S> {
    pub storage: S,
    pub settings: Arc<Settings>,
    pub limiters: Limiters,
    /// A hash of the configured cost that no password matches: an unknown email is checked
    /// against it, so it takes as long to refuse as a wrong password.
    pub dummy_hash: Arc<String>,
    /// Wakes this instance's event streams (see [`crate::events`]).
    pub events: EventHub,
}

impl<S: Clone> Clone for AppState<S> {
    fn clone(&self) -> Self {
        Self {
            storage: self.storage.clone(),
            settings: self.settings.clone(),
            limiters: self.limiters.clone(),
            dummy_hash: self.dummy_hash.clone(),
            events: self.events.clone(),
        }
    }
}

impl<S: Storage> AppState<S> {
    pub async fn new(storage: S, settings: Settings) -> Result<Self, String> {
        let dummy = crate::password::hash(crate::tokens::new_id(), settings.password_cost).await?;
        Ok(Self {
            storage,
            limiters: Limiters::new(settings.auth_limits),
            settings: Arc::new(settings),
            dummy_hash: Arc::new(dummy),
            events: EventHub::new(),
        })
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
