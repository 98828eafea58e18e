//! Fresh access tokens for a connection: refreshed ahead of expiry (with leeway) and once more
//! when the provider answers 401. A refresh the provider refuses for good (revoked, unknown
//! grant) marks the connection "reconnect needed" and no request is made for it again until
//! the user reconnects. Rotated refresh tokens replace the old ones in the vault.
//!
//! One [`TokenCell`] per connection serialises refreshes: concurrent callers wait for the one
//! refresh in flight and share its result.

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
pub const DEFAULT_REFRESH_LEEWAY: Duration = Duration::from_secs(120);

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

/// How a connection stands, from its credentials.
#[derive(Debug, Clone)]
pub(crate) struct CellSnapshot {
    pub expires_at: Option<i64>,
    pub has_refresh_token: bool,
    pub reconnect: Option<String>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Expired or about to: the current token may still work if the refresh cannot happen.
    Expiring,
    /// The provider refused the current token.
    Rejected,
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
        self.refuse_if_reconnect(&state)?;
        let now = unix_seconds(self.inner.clock.now());
        let leeway = i64::try_from(self.inner.leeway.as_secs()).unwrap_or(i64::MAX);
        match &state.credential {
            Some(Credential::ApiKey(key)) => Ok(key.clone()),
            Some(Credential::OAuth(c)) => match c.expires_at {
                Some(at) if now.saturating_add(leeway) >= at => {
                    self.refresh_locked(&mut state, Why::Expiring).await
                }
                _ => Ok(c.access_token.clone()),
            },
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
            Some(Credential::OAuth(_)) => self.refresh_locked(&mut state, Why::Rejected).await,
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
        self.refuse_if_reconnect(&state)?;
        match &state.credential {
            Some(Credential::OAuth(c)) if c.access_token.expose() != rejected => {
                Ok(c.access_token.clone())
            }
            Some(Credential::OAuth(_)) => self.refresh_locked(&mut state, Why::Rejected).await,
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
        Ok(CellSnapshot {
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
        let Some(Credential::OAuth(current)) = state.credential.clone() else {
            return Err(TokenError::Missing {
                connection: self.id.clone(),
            });
        };
        let Some(refresh_token) = current.refresh_token.clone() else {
            return Err(self
                .mark_reconnect(state, "the provider gave no refresh token".to_owned())
                .await);
        };
        let endpoints = match self.inner.registry.get(&state.provider).map(|p| &p.auth) {
            Some(ProviderAuth::OAuth2Pkce(endpoints)) => endpoints.clone(),
            _ => {
                let reason = format!(
                    "{} is not an OAuth provider in this version",
                    state.provider
                );
                return Err(self.mark_reconnect(state, reason).await);
            }
        };

        let result = flow::refresh(
            &self.inner.http,
            &endpoints,
            &current.client_id,
            &refresh_token,
        )
        .await;
        let now = unix_seconds(self.inner.clock.now());
        match result {
            Ok(grant) => {
                let rotated = grant.refresh_token.is_some();
                let renewed = OAuthCredential {
                    access_token: grant.access_token,
                    // Without rotation the old refresh token stays valid.
                    refresh_token: grant.refresh_token.or(Some(refresh_token)),
                    expires_at: grant.expires_in.map(|d| {
                        now.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
                    }),
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
                tracing::info!(connection = %self.id, rotated, reason = ?why, "access token renewed");
                Ok(access)
            }
            Err(RefreshFailure::Permanent(reason)) => {
                tracing::warn!(connection = %self.id, %reason, "refresh refused for good");
                Err(self
                    .mark_reconnect(
                        state,
                        format!("the provider refused to renew access: {reason}"),
                    )
                    .await)
            }
            Err(RefreshFailure::Transient(cause)) => {
                tracing::warn!(connection = %self.id, %cause, "refresh failed; will retry");
                let still_valid = current.expires_at.is_none_or(|at| now < at);
                if why == Why::Expiring && still_valid {
                    // Inside the leeway the old token still works: use it, refresh next time.
                    return Ok(current.access_token);
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
