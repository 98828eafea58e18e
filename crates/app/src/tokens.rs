//! Where a client's tokens come from: a fixed token (the demo's stand-in mints one per run) or
//! the vault behind a real sign-in, which refreshes and rotates on its own.

use std::future::Future;

use syncer_auth::ConnectionTokens;
use syncer_core::token::{AccessToken, StaticToken, TokenError, TokenSource};

#[derive(Debug, Clone)]
pub enum AppTokens {
    Fixed(StaticToken),
    Vault(ConnectionTokens),
}

impl TokenSource for AppTokens {
    fn access_token(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        let this = self.clone();
        async move {
            match this {
                Self::Fixed(t) => t.access_token().await,
                Self::Vault(t) => TokenSource::access_token(&t).await,
            }
        }
    }

    fn refresh(
        &self,
        rejected: &AccessToken,
    ) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        let this = self.clone();
        let rejected = rejected.clone();
        async move {
            match this {
                Self::Fixed(t) => t.refresh(&rejected).await,
                Self::Vault(t) => TokenSource::refresh(&t, &rejected).await,
            }
        }
    }
}
