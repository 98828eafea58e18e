//! The seam between auth and the Spotify client: a connection made through the real sign-in
//! flow feeds the real client its tokens, and a token the service stops accepting is renewed
//! through the vault once, without the client knowing how.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use syncer_auth::{StartOAuth, deep_link_redirect_uri};
use syncer_core::provider::{MusicProvider, ProviderError};
use syncer_spotify::{ClientConfig, SpotifyClient};

const TOKEN: &str = "POST /api/token";

#[tokio::test]
async fn the_client_uses_vault_tokens_and_renews_an_expired_one() {
    let env = env().await;
    let c = &env.connections;
    let start = c
        .start_oauth(StartOAuth::new(
            "spotify",
            deep_link_redirect_uri("spotify"),
        ))
        .await
        .unwrap();
    let callback = browser_once(&start.authorize_url).await;
    let info = c.complete_oauth(&callback).await.unwrap();
    let tokens = c.tokens(&info.id);

    let config = ClientConfig {
        api_base: env.fake.api_base(),
        ..ClientConfig::default()
    };
    let client = SpotifyClient::new(info.id.clone(), tokens.clone(), config).unwrap();
    let me = client.current_user().await.unwrap();
    assert_eq!(Some(me.id.as_str()), info.account_id.as_deref());
    assert_eq!(
        env.fake.requests().count(TOKEN),
        1,
        "only the code exchange"
    );

    // The service stops accepting the token before its stated expiry: one 401, one refresh
    // through the vault, and the call succeeds.
    let old = tokens.access_token().await.unwrap();
    env.fake.faults().expire_token(old.expose());
    let again = client.current_user().await.unwrap();
    assert_eq!(again.id, me.id);
    assert_eq!(env.fake.requests().count(TOKEN), 2, "exactly one refresh");
    assert_ne!(tokens.access_token().await.unwrap(), old);

    // The grant revoked: the client reports that the user must reconnect.
    let refresh = env.refresh_token(&info.id).await;
    env.fake.faults().revoke_token(&refresh);
    let current = tokens.access_token().await.unwrap();
    env.fake.faults().expire_token(current.expose());
    let err = client.current_user().await.unwrap_err();
    assert!(
        matches!(err, ProviderError::ReconnectNeeded { .. }),
        "{err:?}"
    );
    assert!(!format!("{err} {err:?}").contains(current.expose()));
}
