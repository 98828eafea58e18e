//! The vault-backed tokens, as the provider clients ask for them (core's `TokenSource`).
//!
//! Errors cross as two kinds only: "the user must reconnect" stops the sync and asks them to,
//! anything else is worth another try later. Their messages carry no secret (see error.rs).

use syncer_core::token::{AccessToken, TokenError as SourceError, TokenSource};

use crate::error::TokenError;
use crate::refresh::ConnectionTokens;

fn to_source_error(err: TokenError) -> SourceError {
    // Only the reason travels: the client's own error says what to do, once.
    if let TokenError::ReconnectNeeded { reason, .. } = err {
        return SourceError::ReconnectNeeded(reason);
    }
    if err.needs_user() {
        SourceError::ReconnectNeeded(err.to_string())
    } else {
        SourceError::Unavailable(err.to_string())
    }
}

// The futures own a clone of the (cheap, shared) handle rather than borrowing `self`: the
// refresh path awaits oauth2's HTTP future, whose lifetime the compiler cannot tie to a borrow
// in a `Send` trait future.
impl TokenSource for ConnectionTokens {
    fn access_token(
        &self,
    ) -> impl std::future::Future<Output = Result<AccessToken, SourceError>> + Send {
        let this = self.clone();
        async move {
            ConnectionTokens::access_token(&this)
                .await
                .map(|secret| AccessToken::new(secret.expose()))
                .map_err(to_source_error)
        }
    }

    fn refresh(
        &self,
        rejected: &AccessToken,
    ) -> impl std::future::Future<Output = Result<AccessToken, SourceError>> + Send {
        let this = self.clone();
        let rejected = rejected.clone();
        async move {
            this.refresh_rejected(rejected.expose_secret())
                .await
                .map(|secret| AccessToken::new(secret.expose()))
                .map_err(to_source_error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncer_core::ids::ConnectionId;

    #[test]
    fn only_what_the_user_must_fix_becomes_reconnect_needed() {
        let gone = to_source_error(TokenError::Missing {
            connection: ConnectionId::new("c1"),
        });
        assert!(matches!(gone, SourceError::ReconnectNeeded(_)), "{gone:?}");
        let outage = to_source_error(TokenError::Unavailable {
            provider: "spotify".into(),
            cause: "503".into(),
        });
        assert!(matches!(outage, SourceError::Unavailable(_)), "{outage:?}");
    }
}
