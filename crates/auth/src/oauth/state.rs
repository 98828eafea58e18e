//! Sign-ins in progress, keyed by their `state`: 32 random bytes, single use, valid for 10
//! minutes, bound to the provider and the redirect URI the sign-in started with. The PKCE
//! verifier stays here, in memory, until the answer arrives.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::SystemTime;

use syncer_core::ids::ConnectionId;

use super::STATE_LIFETIME;
use crate::error::AuthError;
use crate::secret::Secret;

/// How many used states are remembered, to tell a replay from a stranger.
const REMEMBERED_USED: usize = 256;

#[derive(Debug)]
pub(crate) struct Pending {
    pub provider: String,
    pub redirect_uri: String,
    pub client_id: String,
    pub verifier: Secret,
    pub created_at: SystemTime,
    /// Reconnecting this connection rather than creating one.
    pub reconnect: Option<ConnectionId>,
    /// The name the user gave, if any.
    pub name: Option<String>,
}

#[derive(Debug, Default)]
struct Inner {
    pending: HashMap<String, Pending>,
    used: VecDeque<String>,
}

#[derive(Debug, Default)]
pub(crate) struct PendingSignIns {
    inner: Mutex<Inner>,
}

/// What an answer claims about itself, checked against the sign-in its state names.
pub(crate) struct Arrival<'a> {
    pub state: &'a str,
    pub provider: &'a str,
    pub redirect_uri: &'a str,
    pub now: SystemTime,
}

impl PendingSignIns {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere while holding the lock leaves the map itself consistent.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh state: 32 random bytes, unpadded base64url.
    pub fn new_state() -> String {
        crate::random::token::<32>()
    }

    /// Remembers a new sign-in under `state`.
    pub fn insert(&self, state: String, pending: Pending) {
        let mut inner = self.lock();
        let now = pending.created_at;
        // Abandoned sign-ins would otherwise pile up for the life of the process.
        inner.pending.retain(|_, p| !is_expired(p.created_at, now));
        inner.pending.insert(state, pending);
    }

    /// Takes the sign-in an answer belongs to. The state is spent whatever the outcome, so a
    /// state that failed a check cannot be tried again.
    pub fn take(&self, arrival: &Arrival<'_>) -> Result<Pending, AuthError> {
        let mut inner = self.lock();
        let Some(pending) = inner.pending.remove(arrival.state) else {
            return Err(if inner.used.iter().any(|u| u == arrival.state) {
                AuthError::StateReplayed
            } else {
                AuthError::StateUnknown
            });
        };
        if inner.used.len() >= REMEMBERED_USED {
            inner.used.pop_front();
        }
        inner.used.push_back(arrival.state.to_owned());
        drop(inner);

        if is_expired(pending.created_at, arrival.now) {
            return Err(AuthError::StateExpired);
        }
        if pending.provider != arrival.provider {
            return Err(AuthError::WrongProvider {
                expected: pending.provider,
                actual: arrival.provider.to_owned(),
            });
        }
        if pending.redirect_uri != arrival.redirect_uri {
            return Err(AuthError::RedirectMismatch {
                expected: pending.redirect_uri,
                actual: arrival.redirect_uri.to_owned(),
            });
        }
        Ok(pending)
    }
}

fn is_expired(created_at: SystemTime, now: SystemTime) -> bool {
    // A clock that went backwards counts as fresh: the lifetime still bounds it going forward.
    now.duration_since(created_at)
        .is_ok_and(|age| age >= STATE_LIFETIME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn pending(at: SystemTime) -> Pending {
        Pending {
            provider: "spotify".into(),
            redirect_uri: "syncer://oauth/spotify".into(),
            client_id: "c".into(),
            verifier: Secret::new("v"),
            created_at: at,
            reconnect: None,
            name: None,
        }
    }

    fn arrival(state: &str, now: SystemTime) -> Arrival<'_> {
        Arrival {
            state,
            provider: "spotify",
            redirect_uri: "syncer://oauth/spotify",
            now,
        }
    }

    #[test]
    fn states_are_32_random_bytes_and_single_use() {
        let t0 = SystemTime::now();
        let states = PendingSignIns::default();
        let (a, b) = (PendingSignIns::new_state(), PendingSignIns::new_state());
        states.insert(a.clone(), pending(t0));
        states.insert(b.clone(), pending(t0));
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes as unpadded base64url");
        assert!(states.take(&arrival(&a, t0)).is_ok());
        assert!(matches!(
            states.take(&arrival(&a, t0)),
            Err(AuthError::StateReplayed)
        ));
        assert!(matches!(
            states.take(&arrival("never-issued", t0)),
            Err(AuthError::StateUnknown)
        ));
    }

    #[test]
    fn a_state_expires_after_ten_minutes() {
        let t0 = SystemTime::now();
        let states = PendingSignIns::default();
        let (fresh, stale) = (PendingSignIns::new_state(), PendingSignIns::new_state());
        states.insert(fresh.clone(), pending(t0));
        states.insert(stale.clone(), pending(t0));
        let almost = t0 + STATE_LIFETIME - Duration::from_secs(1);
        assert!(states.take(&arrival(&fresh, almost)).is_ok());
        assert!(matches!(
            states.take(&arrival(&stale, t0 + STATE_LIFETIME)),
            Err(AuthError::StateExpired)
        ));
    }
}
