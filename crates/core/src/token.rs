//! Where access tokens come from. Provider clients (crates/spotify) ask a [`TokenSource`]; the
//! auth crate implements it over its vault and refresh flow, and [`StaticToken`] serves tests
//! and demos. It lives in core so those two crates meet here without depending on each other.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// An OAuth access token. `Debug` and `Display` print nothing of it, so a token can never end
/// up in a log line or an error message by accident; [`AccessToken::expose_secret`] is the
/// one way to read it, and only the HTTP layer calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    pub fn new(secret: impl Into<String>) -> Self {
        AccessToken(Arc::from(secret.into()))
    }

    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Why no usable token could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The grant is gone (revoked, expired refresh token, no token stored): the user must
    /// connect the account again.
    #[error("reconnect needed: {0}")]
    ReconnectNeeded(String),
    /// The token service could not be reached; trying later may work.
    #[error("token service unavailable: {0}")]
    Unavailable(String),
}

/// Supplies access tokens for one connection.
///
/// The client calls `access_token` before every request (implementations cache) and, when the
/// service answers 401, `refresh` once with the token it rejected. Concurrent requests may
/// report the same rejected token: an implementation that already replaced it returns the
/// current token instead of refreshing again.
pub trait TokenSource: Send + Sync + 'static {
    fn access_token(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send;

    fn refresh(
        &self,
        rejected: &AccessToken,
    ) -> impl Future<Output = Result<AccessToken, TokenError>> + Send;
}

/// A shared source serves as well (one vault behind several clients, or a test that keeps a
/// handle on its source).
impl<T: TokenSource> TokenSource for Arc<T> {
    fn access_token(&self) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        T::access_token(self)
    }

    fn refresh(
        &self,
        rejected: &AccessToken,
    ) -> impl Future<Output = Result<AccessToken, TokenError>> + Send {
        T::refresh(self, rejected)
    }
}

/// A fixed token: it cannot be renewed, so a 401 means "reconnect".
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    pub fn new(secret: impl Into<String>) -> Self {
        StaticToken(AccessToken::new(secret))
    }
}

impl TokenSource for StaticToken {
    async fn access_token(&self) -> Result<AccessToken, TokenError> {
        Ok(self.0.clone())
    }

    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, TokenError> {
        Err(TokenError::ReconnectNeeded(
            "a fixed access token cannot be renewed".to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_never_print() {
        let token = AccessToken::new("BQD-very-secret");
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
        assert_eq!(format!("{token}"), "<redacted>");
        let source = StaticToken::new("BQD-very-secret");
        assert!(!format!("{source:?}").contains("secret"));
        let error = format!("{:?}", Some(token.clone()));
        assert!(!error.contains("secret"), "nested in other values too");
        assert_eq!(token.expose_secret(), "BQD-very-secret");
    }

    #[tokio::test]
    async fn a_static_token_cannot_refresh() {
        let source = StaticToken::new("t");
        let token = source.access_token().await.unwrap();
        assert!(matches!(
            source.refresh(&token).await,
            Err(TokenError::ReconnectNeeded(_))
        ));
    }
}
