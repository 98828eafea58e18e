//! The state every handler shares. Locks are std locks held for microseconds and never across
//! an `.await`; a poisoned lock (a panicking handler) still holds consistent data for a
//! stand-in, so it is recovered rather than propagated.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::sync::watch;

use crate::FakeConfig;
use crate::accounts_state::AuthState;
use crate::faults::FaultState;
use crate::model::Library;
use crate::quirks::Quirks;
use crate::stats::StatsState;

pub(crate) struct Shared {
    pub config: FakeConfig,
    /// `http://127.0.0.1:PORT`, for `href`s and `next` links.
    pub origin: String,
    library: RwLock<Library>,
    auth: Mutex<AuthState>,
    faults: Mutex<FaultState>,
    quirks: Mutex<Quirks>,
    stats: Mutex<StatsState>,
    /// Flips to `true` on shutdown: hanging requests and open connections end.
    pub shutdown: watch::Sender<bool>,
}

impl Shared {
    pub fn new(config: FakeConfig, origin: String, library: Library) -> Self {
        let mut auth = AuthState::new(config.seed, config.token_lifetime);
        auth.refresh_lifetime = config.refresh_token_lifetime;
        auth.rotate = config.rotate_refresh_tokens;
        Shared {
            config,
            origin,
            library: RwLock::new(library),
            auth: Mutex::new(auth),
            faults: Mutex::new(FaultState::default()),
            quirks: Mutex::new(Quirks::default()),
            stats: Mutex::new(StatsState::default()),
            shutdown: watch::Sender::new(false),
        }
    }

    pub fn api_base(&self) -> String {
        format!("{}/v1", self.origin)
    }

    /// Whether the legacy `/playlists/{id}/tracks` family is served.
    pub fn legacy_tracks(&self) -> bool {
        self.config
            .legacy_tracks_endpoints
            .unwrap_or(self.config.mode.legacy_tracks_endpoints())
    }

    pub fn library(&self) -> RwLockReadGuard<'_, Library> {
        self.library.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn library_mut(&self) -> RwLockWriteGuard<'_, Library> {
        self.library.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn auth(&self) -> MutexGuard<'_, AuthState> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn quirks(&self) -> MutexGuard<'_, Quirks> {
        self.quirks.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn stats(&self) -> MutexGuard<'_, StatsState> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
}
