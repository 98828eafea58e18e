//! Fresh access tokens for a connection: refreshed ahead of expiry (with leeway) and once more
//! when the provider answers 401. A refresh the provider refuses for good (revoked, unknown
//! grant, expired sign-in) marks the connection "reconnect needed" and no request is made for
//! it again until the user reconnects. Rotated refresh tokens replace the old ones in the vault.
//!
//! One [`TokenCell`] per connection serialises refreshes inside a process: concurrent callers
//! wait for the one refresh in flight and share its result. Between processes (the app,
//! `syncer watch`, a cron `syncer sync` share a connection) a file lock beside the vault does
//! the same, and the vault is read again under it: a process whose copy went stale takes what
//! another stored instead of spending a refresh token that was already rotated (a server with
//! reuse detection would revoke the whole grant for that, RFC 9700 §4.14.2).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use syncer_core::ids::ConnectionId;
use syncer_store::ConnectionStatus;

use crate::clock::unix_seconds;
use crate::connections::Inner;
use crate::credential::{Credential, OAuthCredential};
use crate::error::TokenError;
use crate::oauth::flow::{self, RefreshFailure};
use crate::registry::ProviderAuth;
use crate::secret::Secret;
use crate::vault::connection_key;

/// Refresh this long before the provider's expiry, so a token is never sent as it lapses.
/// Capped at half the token's life ([`effective_leeway`]).
pub const DEFAULT_REFRESH_LEEWAY: Duration = Duration::from_secs(120);

/// The leeway for a token that lives `lifetime` seconds: the configured one, but at most half
/// the token's life, so a short-lived token is refreshed once per life rather than on every
/// call.
pub(crate) fn effective_leeway(configured: Duration, lifetime: Option<i64>) -> i64 {
    let configured = i64::try_from(configured.as_secs()).unwrap_or(i64::MAX);
    match lifetime {
        Some(life) if life > 0 => configured.min(life / 2),
        _ => configured,
    }
}

/// Whether an OAuth credential is due for renewal at `now`.
pub(crate) fn is_due(c: &OAuthCredential, configured: Duration, now: i64) -> bool {
    c.expires_at
        .is_some_and(|at| now.saturating_add(effective_leeway(configured, c.lifetime)) >= at)
}

#[derive(Debug, Default)]
pub(crate) struct CellState {
    loaded: bool,
    provider: String,
    credential: Option<Credential>,
    /// Set once a refresh failed for good: why, in words for the user.
    reconnect: Option<String>,
}

/// A connection's credentials in memory, shared by every handle on it.
#[derive(Debug, Default)]
pub(crate) struct TokenCell {
    state: tokio::sync::Mutex<CellState>,
    /// Bumped on every refresh: a caller that saw a 401 can tell whether someone else
    /// refreshed meanwhile.
    generation: AtomicU64,
}

impl TokenCell {
    /// Puts fresh credentials in (after a reconnect), or forgets them (after removal).
    pub(crate) async fn reset(&self, provider: &str, credential: Option<Credential>) {
        let mut state = self.state.lock().await;
        *state = CellState {
            loaded: credential.is_some(),
            provider: provider.to_owned(),
            credential,
            reconnect: None,
        };
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// How one refresh request ended, short of an error to pass on.
enum Refreshed {
    Token(Secret),
    /// Refused for good, in words for the user.
    Refused(String),
}

/// How a connection stands, from its credentials.
#[derive(Debug, Clone)]
pub(crate) struct CellSnapshot {
    pub expires_at: Option<i64>,
    pub has_refresh_token: bool,
    pub reconnect: Option<String>,
    /// Whether the access token is due for renewal (the next use refreshes it).
    pub due: bool,
}

/// Gives fresh access tokens for one connection. Cheap to clone; every clone shares one cell,
/// so refreshes are coalesced.
///
/// This is what the provider clients hold: `access_token()` before each request, and
/// `refresh_after_unauthorized()` once when a request comes back 401.
#[derive(Clone)]
pub struct ConnectionTokens {
    pub(crate) inner: Arc<Inner>,
    pub(crate) id: ConnectionId,
    pub(crate) cell: Arc<TokenCell>,
}

impl std::fmt::Debug for ConnectionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionTokens")
            .field("connection", &self.id)
            .finish()
    }
}

#[derive(Debug, Clone)]
enum Why {
    /// Expired or about to: the current token may still work if the refresh cannot happen.
    Expiring,
    /// The provider refused this token.
    Rejected(Secret),
}

impl Why {
    fn label(&self) -> &'static str {
        match self {
            Why::Expiring => "expiring",
            Why::Rejected(_) => "rejected",
        }
    }
}

impl ConnectionTokens {
    pub fn connection_id(&self) -> &ConnectionId {
        &self.id
    }

    /// A token to send now: the stored one while it is valid beyond the leeway, else a new
    /// one from a refresh (an API key is returned as it is).
    pub async fn access_token(&self) -> Result<Secret, TokenError> {
        let mut state = self.cell.state.lock().await;
        self.load(&mut state).await?;
        self.revive_if_reconnected(&mut state).await?;
        self.refuse_if_reconnect(&state)?;
        let now = unix_seconds(self.inner.clock.now());
        match &state.credential {
            Some(Credential::ApiKey(key)) => Ok(key.clone()),
            Some(Credential::OAuth(c)) if is_due(c, self.inner.leeway, now) => {
                self.refresh_locked(&mut state, Why::Expiring).await
            }
            Some(Credential::OAuth(c)) => Ok(c.access_token.clone()),
            None => Err(TokenError::Missing {
                connection: self.id.clone(),
            }),
        }
    }

    /// Call once when the provider answered 401 to a token from [`Self::access_token`]:
    /// refreshes (unless another caller already did since) and returns the new token. A
    /// second 401 with the new token is not worth another refresh: report it.
    pub async fn refresh_after_unauthorized(&self) -> Result<Secret, TokenError> {
        let seen = self.cell.generation.load(Ordering::Acquire);
        let mut state = self.cell.state.lock().await;
        self.load(&mut state).await?;
        self.revive_if_reconnected(&mut state).await?;
        self.refuse_if_reconnect(&state)?;
        if self.cell.generation.load(Ordering::Acquire) != seen {
            // Someone refreshed while we waited for the lock: use their token.
            if let Some(Credential::OAuth(c)) = &state.credential {
                return Ok(c.access_token.clone());
            }
        }
        match &state.credential {
            Some(Credential::ApiKey(_)) => Err(self
                .mark_reconnect(&mut state, "the API key was refused".to_owned())
                .await),
            Some(Credential::OAuth(c)) => {
                let rejected = c.access_token.clone();
                self.refresh_locked(&mut state, Why::Rejected(rejected))
                    .await
            }
            None => Err(TokenError::Missing {
                connection: self.id.clone(),
            }),
        }
    }

    /// As [`Self::refresh_after_unauthorized`], told which token was refused: if it was
    /// already replaced (another request refreshed meanwhile), the current one is returned
    /// without a refresh. This is the shape of syncer-spotify's `TokenSource::refresh`.
    pub async fn refresh_rejected(&self, rejected: &str) -> Result<Secret, TokenError> {
        let mut state = self.cell.state.lock().await;
        self.load(&mut state).await?;
        self.revive_if_reconnected(&mut state).await?;
        self.refuse_if_reconnect(&state)?;
        match &state.credential {
            Some(Credential::OAuth(c)) if c.access_token.expose() != rejected => {
                Ok(c.access_token.clone())
            }
            Some(Credential::OAuth(_)) => {
                self.refresh_locked(&mut state, Why::Rejected(Secret::new(rejected)))
                    .await
            }
            Some(Credential::ApiKey(_)) => Err(self
                .mark_reconnect(&mut state, "the API key was refused".to_owned())
                .await),
            None => Err(TokenError::Missing {
                connection: self.id.clone(),
            }),
        }
    }

    pub(crate) async fn snapshot(&self) -> Result<CellSnapshot, TokenError> {
        let mut state = self.cell.state.lock().await;
        self.load(&mut state).await?;
        self.revive_if_reconnected(&mut state).await?;
        if state.reconnect.is_none() {
            // Another process may have renewed: show what the vault holds.
            self.adopt_stored(&mut state).await?;
        }
        let now = unix_seconds(self.inner.clock.now());
        Ok(CellSnapshot {
            due: matches!(&state.credential, Some(Credential::OAuth(c)) if is_due(c, self.inner.leeway, now)),
            expires_at: state.credential.as_ref().and_then(Credential::expires_at),
            has_refresh_token: matches!(
                &state.credential,
                Some(Credential::OAuth(OAuthCredential {
                    refresh_token: Some(_),
                    ..
                }))
            ),
            reconnect: state.reconnect.clone(),
        })
    }

    fn refuse_if_reconnect(&self, state: &CellState) -> Result<(), TokenError> {
        match &state.reconnect {
            Some(reason) => Err(TokenError::ReconnectNeeded {
                connection: self.id.clone(),
                provider: state.provider.clone(),
                reason: reason.clone(),
            }),
            None => Ok(()),
        }
    }

    /// A connection marked "reconnect needed" may have been signed in again since, by another
    /// process (`syncer connect spotify` while the app runs): the store says so, and the cell
    /// reads the new sign-in instead of refusing for the rest of its life.
    async fn revive_if_reconnected(&self, state: &mut CellState) -> Result<(), TokenError> {
        if state.reconnect.is_none() {
            return Ok(());
        }
        let record = self
            .inner
            .store
            .get_connection(&self.id)
            .await?
            .ok_or_else(|| TokenError::NotFound(self.id.clone()))?;
        if record.status == ConnectionStatus::ReconnectNeeded {
            return Ok(());
        }
        tracing::info!(connection = %self.id, "signed in again elsewhere; using the new sign-in");
        *state = CellState::default();
        self.cell.generation.fetch_add(1, Ordering::AcqRel);
        self.load(state).await
    }

    /// Reads the vault again and takes what it holds when another process stored other tokens
    /// (it renewed, or the user reconnected). Returns whether the tokens changed.
    async fn adopt_stored(&self, state: &mut CellState) -> Result<bool, TokenError> {
        let key = connection_key(&self.id);
        let Some(secret) = self.inner.vault.get(&key).await? else {
            // Removed meanwhile: keep what this process holds; the next load says so.
            return Ok(false);
        };
        let stored = Credential::from_secret(&key, &secret)?;
        let changed = state
            .credential
            .as_ref()
            .is_none_or(|held| !held.same_tokens(&stored));
        if changed {
            tracing::debug!(connection = %self.id, "took the tokens another process stored");
            state.credential = Some(stored);
            self.cell.generation.fetch_add(1, Ordering::AcqRel);
        }
        Ok(changed)
    }

    /// Reads the connection and its secret the first time they are needed.
    async fn load(&self, state: &mut CellState) -> Result<(), TokenError> {
        if state.loaded {
            return Ok(());
        }
        let record = self
            .inner
            .store
            .get_connection(&self.id)
            .await?
            .ok_or_else(|| TokenError::NotFound(self.id.clone()))?;
        state.provider = record.provider;
        if record.status == ConnectionStatus::ReconnectNeeded {
            state.reconnect = Some(
                record
                    .status_detail
                    .unwrap_or_else(|| "its sign-in is no longer valid".to_owned()),
            );
        } else {
            let key = connection_key(&self.id);
            let secret = self
                .inner
                .vault
                .get(&key)
                .await?
                .ok_or_else(|| TokenError::Missing {
                    connection: self.id.clone(),
                })?;
            state.credential = Some(Credential::from_secret(&key, &secret)?);
        }
        state.loaded = true;
        Ok(())
    }

    async fn refresh_locked(&self, state: &mut CellState, why: Why) -> Result<Secret, TokenError> {
        // One process at a time renews; the others wait here, then find its tokens below.
        let _held = match &self.inner.refresh_lock {
            Some(path) => Some(crate::lock::acquire(path).await?),
            None => None,
        };
        // The vault is the truth: another process may have renewed while this one waited or
        // ran on an old copy.
        self.adopt_stored(state).await?;
        let now = unix_seconds(self.inner.clock.now());
        if let Some(Credential::OAuth(c)) = &state.credential {
            let good_now = match &why {
                Why::Expiring => !is_due(c, self.inner.leeway, now),
                Why::Rejected(rejected) => c.access_token.expose() != rejected.expose(),
            };
            if good_now {
                tracing::info!(connection = %self.id, reason = why.label(), "another process renewed access");
                return Ok(c.access_token.clone());
            }
        }
        // One retry at most: when the refresh token was refused but the vault turns out to
        // hold another one (renewed or reconnected by a process that did not wait for the
        // lock), that one is tried before anything is declared.
        let mut retried = false;
        loop {
            match self.refresh_once(state, &why, now).await? {
                Refreshed::Token(token) => return Ok(token),
                Refreshed::Refused(reason) => {
                    if !retried && self.adopt_stored(state).await? {
                        retried = true;
                        if let Some(Credential::OAuth(c)) = &state.credential
                            && !is_due(c, self.inner.leeway, now)
                        {
                            return Ok(c.access_token.clone());
                        }
                        continue;
                    }
                    tracing::warn!(connection = %self.id, %reason, "refresh refused for good");
                    return Err(self.mark_reconnect(state, reason).await);
                }
            }
        }
    }

    /// One refresh request with the refresh token `state` holds; stores what it grants.
    async fn refresh_once(
        &self,
        state: &mut CellState,
        why: &Why,
        now: i64,
    ) -> Result<Refreshed, TokenError> {
        let Some(Credential::OAuth(current)) = state.credential.clone() else {
            return Err(TokenError::Missing {
                connection: self.id.clone(),
            });
        };
        let Some(refresh_token) = current.refresh_token.clone() else {
            return Ok(Refreshed::Refused(
                "the provider gave no refresh token".to_owned(),
            ));
        };
        let endpoints = match self.inner.registry.get(&state.provider).map(|p| &p.auth) {
            Some(ProviderAuth::OAuth2Pkce(endpoints)) => endpoints.clone(),
            _ => {
                return Ok(Refreshed::Refused(format!(
                    "{} is not an OAuth provider in this version",
                    state.provider
                )));
            }
        };

        let result = flow::refresh(
            &self.inner.http,
            &endpoints,
            &current.client_id,
            &refresh_token,
        )
        .await;
        match result {
            Ok(grant) => {
                let rotated = grant.refresh_token.is_some();
                let lifetime = grant
                    .expires_in
                    .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
                let renewed = OAuthCredential {
                    access_token: grant.access_token,
                    // Without rotation the old refresh token stays valid: keep it.
                    refresh_token: grant.refresh_token.or(Some(refresh_token)),
                    expires_at: lifetime.map(|l| now.saturating_add(l)),
                    lifetime,
                    scope: grant.scope.or(current.scope),
                    client_id: current.client_id,
                };
                let access = renewed.access_token.clone();
                let credential = Credential::OAuth(renewed);
                let secret = credential.to_secret()?;
                // Memory first: with rotation the old refresh token is spent already, so the
                // new one must not be lost even if the vault write fails.
                state.credential = Some(credential);
                self.cell.generation.fetch_add(1, Ordering::AcqRel);
                self.inner
                    .vault
                    .set(&connection_key(&self.id), &secret)
                    .await?;
                tracing::info!(connection = %self.id, rotated, reason = why.label(), "access token renewed");
                Ok(Refreshed::Token(access))
            }
            Err(RefreshFailure::Permanent(reason)) => Ok(Refreshed::Refused(format!(
                "the provider refused to renew access: {reason}"
            ))),
            Err(RefreshFailure::Transient(cause)) => {
                tracing::warn!(connection = %self.id, %cause, "refresh failed; will retry");
                let still_valid = current.expires_at.is_none_or(|at| now < at);
                if matches!(why, Why::Expiring) && still_valid {
                    // Inside the leeway the old token still works: use it, refresh next time.
                    return Ok(Refreshed::Token(current.access_token));
                }
                Err(TokenError::Unavailable {
                    provider: state.provider.clone(),
                    cause,
                })
            }
        }
    }

    /// Records that the user must reconnect, and returns the error saying so.
    async fn mark_reconnect(&self, state: &mut CellState, reason: String) -> TokenError {
        state.reconnect = Some(reason.clone());
        if let Err(e) = self
            .inner
            .store
            .set_connection_status(&self.id, ConnectionStatus::ReconnectNeeded, Some(&reason))
            .await
        {
            // The in-memory mark still stops retries in this process.
            tracing::error!(connection = %self.id, error = %e, "could not record reconnect-needed");
        }
        TokenError::ReconnectNeeded {
            connection: self.id.clone(),
            provider: state.provider.clone(),
            reason,
        }
    }
}
