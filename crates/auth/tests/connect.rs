//! Connecting Spotify against the stand-in Accounts service: the whole life of a connection,
//! every rejected sign-in, the loopback path, API keys, and removal.

// Helpers outside #[test] functions unwrap too: a failed step should stop the test there.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use spotify_fake::Consent;
use syncer_auth::{
    AuthError, ConnectionTokens, HealthState, LoopbackConnect, LoopbackListener, NoDependents,
    Provider, ProviderAuth, StartOAuth, Status, TokenError, deep_link_redirect_uri, providers,
};
use syncer_core::ids::ConnectionId;
use syncer_store::ConnectionStatus;

const TOKEN: &str = "POST /api/token";

#[tokio::test]
async fn authorize_callback_exchange_refresh_rotation_and_revoke() {
    let env = env().await;
    let c = &env.connections;

    // Authorize: the URL carries the PKCE challenge (S256), the scopes and a 32-byte state.
    let start = c
        .start_oauth(StartOAuth::new(
            "spotify",
            deep_link_redirect_uri("spotify"),
        ))
        .await
        .unwrap();
    assert!(start.authorize_url.starts_with(&env.fake.accounts_base()));
    assert_eq!(param(&start.authorize_url, "code_challenge_method"), "S256");
    assert_eq!(param(&start.authorize_url, "client_id"), CLIENT_ID);
    assert_eq!(param(&start.authorize_url, "state").len(), 43);
    assert!(param(&start.authorize_url, "scope").contains("playlist-modify-private"));

    // Callback through the deep link, then the code exchange.
    let callback = browser_once(&start.authorize_url).await;
    assert!(
        callback.starts_with("syncer://oauth/spotify?"),
        "{callback}"
    );
    let info = c.complete_oauth(&callback).await.unwrap();
    let user = &env.fake.library().users()[0];
    assert_eq!(info.provider, "spotify");
    assert_eq!(info.account_id.as_deref(), Some(user.id.as_str()));
    assert_eq!(info.display_name, user.display_name);
    assert_eq!(info.status, Status::Ok);
    assert_eq!(c.list().await.unwrap(), vec![info.clone()]);
    let id = info.id.clone();

    let tokens = c.tokens(&id);
    let first_access = tokens.access_token().await.unwrap();
    let first_refresh = env.refresh_token(&id).await;
    assert_eq!(
        env.stored(&id).await.unwrap()["access_token"],
        first_access.expose()
    );
    assert_eq!(c.test(&id).await.unwrap().account_id, user.id);
    assert_eq!(c.get(&id).await.unwrap().health.state, HealthState::Ready);
    assert_eq!(env.fake.requests().count(TOKEN), 1);

    // Refresh ahead of expiry: inside the leeway, not after it.
    env.clock.advance(HOUR - Duration::from_secs(300));
    assert_eq!(tokens.access_token().await.unwrap(), first_access);
    env.clock.advance(Duration::from_secs(240));
    assert_eq!(
        c.get(&id).await.unwrap().health.state,
        HealthState::WillRefresh
    );
    let second_access = tokens.access_token().await.unwrap();
    assert_ne!(second_access, first_access);
    assert_eq!(env.fake.requests().count(TOKEN), 2);

    // Rotation: the new refresh token is stored and the old one is spent.
    let second_refresh = env.refresh_token(&id).await;
    assert_ne!(second_refresh, first_refresh);
    // (Presenting `first_refresh` again would revoke the whole grant: reuse detection, see
    // tests/shared_sign_in.rs.)

    // Once on a 401: the provider stops accepting the token before its time.
    let before = env.fake.requests().count(TOKEN);
    env.fake.faults().expire_token(second_access.expose());
    assert_eq!(c.test(&id).await.unwrap().account_id, user.id);
    assert_eq!(env.fake.requests().count_status("GET /v1/me", 401), 1);
    assert_eq!(env.fake.requests().count(TOKEN), before + 1);
    let third_refresh = env.refresh_token(&id).await;
    assert_ne!(third_refresh, second_refresh);

    // Concurrent 401s coalesce into one refresh.
    let (a, b) = tokio::join!(
        tokens.refresh_after_unauthorized(),
        tokens.refresh_after_unauthorized()
    );
    assert_eq!(a.unwrap(), b.unwrap());
    assert_eq!(env.fake.requests().count(TOKEN), before + 2);

    // A request that failed with an already-replaced token gets the current one, no refresh.
    let current = tokens.access_token().await.unwrap();
    let stale = tokens
        .refresh_rejected(second_access.expose())
        .await
        .unwrap();
    assert_eq!(stale, current);
    assert_eq!(env.fake.requests().count(TOKEN), before + 2);
    let renewed = tokens.refresh_rejected(current.expose()).await.unwrap();
    assert_ne!(renewed, current);
    assert_eq!(env.fake.requests().count(TOKEN), before + 3);

    // Revoke: the user removes Syncer's access on Spotify. The next refresh fails for good.
    let current_refresh = env.refresh_token(&id).await;
    env.fake.faults().revoke_token(&current_refresh);
    env.clock.advance(HOUR);
    let err = tokens.access_token().await.unwrap_err();
    assert!(matches!(err, TokenError::ReconnectNeeded { .. }), "{err:?}");
    assert!(err.needs_user());
    assert!(err.to_string().contains("signed in again"), "{err}");
    assert!(!err.to_string().contains(&current_refresh), "{err}");
    let row = env.store.get_connection(&id).await.unwrap().unwrap();
    assert_eq!(row.status, ConnectionStatus::ReconnectNeeded);
    assert_eq!(
        c.get(&id).await.unwrap().health.state,
        HealthState::ReconnectNeeded
    );

    // ...and stops retrying: neither this process nor a new one calls the provider again.
    let refreshes = env.fake.requests().count(TOKEN);
    assert!(tokens.access_token().await.is_err());
    assert!(tokens.refresh_after_unauthorized().await.is_err());
    assert!(matches!(c.test(&id).await, Err(AuthError::Token(_))));
    let restarted = syncer_auth::Connections::builder(env.store.clone(), env.vault.clone())
        .registry(spotify_at(&env.fake))
        .clock(env.clock.clone())
        .build()
        .unwrap();
    let err = restarted.tokens(&id).access_token().await.unwrap_err();
    assert!(matches!(err, TokenError::ReconnectNeeded { .. }), "{err:?}");
    assert_eq!(env.fake.requests().count(TOKEN), refreshes);

    // Reconnect renews the same connection.
    let mut again = StartOAuth::new("spotify", deep_link_redirect_uri("spotify"));
    again.reconnect = Some(id.clone());
    let start = c.start_oauth(again).await.unwrap();
    let renewed = c
        .complete_oauth(&browser_once(&start.authorize_url).await)
        .await
        .unwrap();
    assert_eq!(renewed.id, id);
    assert_eq!(renewed.status, Status::Ok);
    assert!(tokens.access_token().await.is_ok());
    assert_eq!(c.list().await.unwrap().len(), 1);
}

/// Each refused sign-in: its error, and that nothing reached the store or the vault.
async fn assert_nothing_stored(env: &Env, writes_before: u64, connections_before: usize) {
    assert_eq!(env.writes(), writes_before, "a secret was written");
    assert_eq!(
        env.connections.list().await.unwrap().len(),
        connections_before
    );
}

#[tokio::test]
async fn a_replayed_state_is_refused() {
    let env = env().await;
    let callback = env.deep_link_callback().await;
    env.connections.complete_oauth(&callback).await.unwrap();
    let writes = env.writes();

    let err = env.connections.complete_oauth(&callback).await.unwrap_err();
    assert!(matches!(err, AuthError::StateReplayed), "{err:?}");
    assert!(err.to_string().contains("already used"), "{err}");
    assert_nothing_stored(&env, writes, 1).await;
}

#[tokio::test]
async fn an_expired_state_is_refused() {
    let env = env().await;
    let callback = env.deep_link_callback().await;
    env.clock.advance(Duration::from_secs(600));

    let err = env.connections.complete_oauth(&callback).await.unwrap_err();
    assert!(matches!(err, AuthError::StateExpired), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the sign-in link expired after 10 minutes; start connecting again"
    );
    assert_nothing_stored(&env, 0, 0).await;
    // The code was never exchanged.
    assert_eq!(env.fake.requests().count(TOKEN), 0);
}

#[tokio::test]
async fn a_state_for_another_provider_is_refused() {
    // A second OAuth provider, registered as one more module would register it.
    let env = env_with(
        |fake| {
            let mut other: Provider =
                providers::spotify::provider_at(&fake.accounts_base(), &fake.api_base());
            other.name = "otherfm";
            other.display_name = "OtherFM";
            spotify_at(fake).with(other)
        },
        None,
    )
    .await;
    assert_eq!(env.connections.providers().len(), 2);
    let callback = env.deep_link_callback().await;
    let forged = callback.replace("syncer://oauth/spotify", "syncer://oauth/otherfm");

    let err = env.connections.complete_oauth(&forged).await.unwrap_err();
    assert!(
        matches!(&err, AuthError::WrongProvider { expected, actual } if expected == "spotify" && actual == "otherfm"),
        "{err:?}"
    );
    assert!(err.to_string().contains("start connecting again"), "{err}");
    assert_nothing_stored(&env, 0, 0).await;
    // The state is spent: the genuine answer cannot be used after a forged one either.
    assert!(matches!(
        env.connections.complete_oauth(&callback).await,
        Err(AuthError::StateReplayed)
    ));
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_by_the_provider() {
    // A code injected into another sign-in: the code belongs to A, the state (and so the
    // verifier) to B. PKCE is what catches it.
    let env = env().await;
    let a = env.deep_link_callback().await;
    let b = env.deep_link_callback().await;
    let injected = with_param(&b, "code", &param(&a, "code"));

    let err = env.connections.complete_oauth(&injected).await.unwrap_err();
    assert!(
        matches!(&err, AuthError::ProviderRefused { code, .. } if code == "invalid_grant"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("code_verifier was incorrect"), "{message}");
    assert!(message.contains("start connecting again"), "{message}");
    assert!(!message.contains(&param(&a, "code")), "{message}");
    assert_nothing_stored(&env, 0, 0).await;
}

#[tokio::test]
async fn an_answer_at_another_redirect_is_refused() {
    let env = env().await;
    let callback = env.deep_link_callback().await;
    let elsewhere = callback.replace("syncer://oauth/spotify", "http://127.0.0.1:9/oauth/spotify");

    let err = env
        .connections
        .complete_oauth(&elsewhere)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::RedirectMismatch { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("syncer://oauth/spotify"), "{message}");
    assert!(!message.contains(&param(&callback, "code")), "{message}");
    assert_nothing_stored(&env, 0, 0).await;
    assert_eq!(env.fake.requests().count(TOKEN), 0);
}

#[tokio::test]
async fn access_denied_by_the_user_is_refused() {
    let env = env().await;
    env.fake.set_consent(Consent::Deny);
    let callback = env.deep_link_callback().await;
    assert!(callback.contains("error=access_denied"), "{callback}");

    let err = env.connections.complete_oauth(&callback).await.unwrap_err();
    assert!(matches!(err, AuthError::Denied { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "you declined access in Spotify, so nothing was connected. Connect again if that was \
         a mistake"
    );
    assert_nothing_stored(&env, 0, 0).await;
}

#[tokio::test]
async fn strangers_and_missing_settings_are_refused_clearly() {
    let env = env().await;
    let err = env
        .connections
        .complete_oauth("syncer://oauth/spotify?code=abc&state=never-issued")
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::StateUnknown), "{err:?}");

    let err = env
        .connections
        .start_oauth(StartOAuth::new(
            "spotify",
            "https://evil.example/oauth/spotify",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AuthError::UnsupportedRedirect { .. }),
        "{err:?}"
    );

    let err = env
        .connections
        .start_oauth(StartOAuth::new("tidal", deep_link_redirect_uri("tidal")))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("known: spotify"), "{err}");

    // No client id saved and none given: say where to get one.
    let fresh = env_with(spotify_at, None).await;
    let store =
        syncer_store::Store::open_file(&fresh.dir.path().join("other.db"), &Default::default())
            .await
            .unwrap();
    let bare = syncer_auth::Connections::builder(store, syncer_auth::Vault::memory())
        .registry(spotify_at(&fresh.fake))
        .build()
        .unwrap();
    let err = bare
        .start_oauth(StartOAuth::new(
            "spotify",
            deep_link_redirect_uri("spotify"),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::MissingClientId { .. }), "{err:?}");
    assert!(err.to_string().contains("developer.spotify.com"), "{err}");
    assert_nothing_stored(&env, 0, 0).await;
}

#[tokio::test]
async fn the_loopback_listener_receives_the_browsers_redirect() {
    let env = env().await;

    // The pieces, as the CLI uses them: a real listener on 127.0.0.1:0.
    let listener = LoopbackListener::bind("spotify", 0).await.unwrap();
    let redirect = listener.redirect_uri().to_owned();
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    env.fake.register_client(CLIENT_ID, &[&redirect]);
    let start = env
        .connections
        .start_oauth(StartOAuth::new("spotify", redirect.clone()))
        .await
        .unwrap();
    let (received, page) = tokio::join!(
        listener.wait_for_callback(start.state().unwrap(), Duration::from_secs(60)),
        browser_follow(&start.authorize_url)
    );
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("close this tab"));
    let received = received.unwrap();
    assert!(received.starts_with(&format!("{redirect}?")), "{received}");
    let info = env.connections.complete_oauth(&received).await.unwrap();
    assert_eq!(info.status, Status::Ok);

    // The one-call helper, as the desktop app uses it; the "browser" registers the redirect
    // it is given (the port is only known once the listener is bound) and follows it.
    let fake_handle = &env.fake;
    let browser = std::sync::Mutex::new(None);
    let done = env
        .connections
        .connect_with_loopback(LoopbackConnect::new("spotify"), |url| {
            let redirect = param(url, "redirect_uri");
            fake_handle.register_client(CLIENT_ID, &[&redirect]);
            let url = url.to_owned();
            *browser.lock().unwrap() =
                Some(tokio::spawn(
                    async move { browser_follow(&url).await.status() },
                ));
            Ok(())
        })
        .await
        .unwrap();
    let browsing = browser.lock().unwrap().take().unwrap();
    let status = browsing.await.unwrap();
    assert_eq!(status, 200);
    // Same account as before: renewed, not duplicated.
    assert_eq!(done.id, info.id);
    assert_eq!(env.connections.list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn api_key_connections_are_checked_then_stored() {
    let env = env_with(
        |fake| {
            let keyed = Provider {
                name: "keyed",
                display_name: "Keyed",
                auth: ProviderAuth::ApiKey(syncer_auth::ApiKeyPlacement::Header {
                    name: "Authorization",
                    prefix: "Bearer ",
                }),
                ..providers::spotify::provider_at(&fake.accounts_base(), &fake.api_base())
            };
            spotify_at(fake).with(keyed)
        },
        None,
    )
    .await;
    let c = &env.connections;

    let err = c
        .connect_api_key("keyed", None, syncer_auth::Secret::new("not-a-key"))
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::ApiKeyRefused { .. }), "{err:?}");
    assert!(!err.to_string().contains("not-a-key"));
    assert_nothing_stored(&env, 0, 0).await;
    let err = c
        .start_oauth(StartOAuth::new("keyed", deep_link_redirect_uri("keyed")))
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::WrongAuthKind { .. }), "{err:?}");

    let user = env.fake.library().users()[0].id.clone();
    let key = env.fake.mint_token(&user);
    let info = c
        .connect_api_key(
            "keyed",
            Some("My key".into()),
            syncer_auth::Secret::new(key.clone()),
        )
        .await
        .unwrap();
    assert_eq!(info.auth_kind, "api_key");
    assert_eq!(info.display_name, "My key");
    assert_eq!(
        c.tokens(&info.id).access_token().await.unwrap().expose(),
        key
    );
    assert_eq!(c.test(&info.id).await.unwrap().account_id, user);

    // A key the provider stops accepting cannot be refreshed: reconnect.
    env.fake.faults().revoke_token(&key);
    let err = c.test(&info.id).await.unwrap_err();
    assert!(err.to_string().contains("API key was refused"), "{err}");
    assert_eq!(
        c.get(&info.id).await.unwrap().health.state,
        HealthState::ReconnectNeeded
    );
}

#[tokio::test]
async fn lifecycle_rename_get_and_remove_guarded_by_dependent_bases() {
    let env = env().await;
    let c = &env.connections;
    let info = c
        .complete_oauth(&env.deep_link_callback().await)
        .await
        .unwrap();
    let id = info.id.clone();

    let renamed = c.rename(&id, "  Home account ").await.unwrap();
    assert_eq!(renamed.display_name, "Home account");
    assert!(matches!(
        c.rename(&id, " ").await,
        Err(AuthError::EmptyName)
    ));
    let details = c.get(&id).await.unwrap();
    assert_eq!(details.connection.display_name, "Home account");
    assert!(details.health.access_expires_at.is_some());
    let json = serde_json::to_string(&details).unwrap();
    assert!(
        !json.contains(
            env.stored(&id).await.unwrap()["access_token"]
                .as_str()
                .unwrap()
        )
    );

    // Used by bases: refused, naming them; nothing removed.
    let bases = vec!["Indie 2015-2020".to_owned(), "Focus".to_owned()];
    let err = c.remove(&id, &bases, false).await.unwrap_err();
    assert!(matches!(err, AuthError::InUse { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("Indie 2015-2020, Focus"), "{message}");
    assert!(message.contains("Home account"), "{message}");
    assert!(env.stored(&id).await.is_some());

    // Forced: removed with its secret, and the bases it orphaned are reported.
    let removed = c.remove(&id, &bases, true).await.unwrap();
    assert_eq!(removed.orphaned_bases, bases);
    assert!(env.stored(&id).await.is_none());
    assert!(c.list().await.unwrap().is_empty());
    assert!(matches!(c.get(&id).await, Err(AuthError::NotFound(_))));
    assert!(matches!(
        c.tokens(&id).access_token().await,
        Err(TokenError::NotFound(_))
    ));
    assert!(matches!(
        c.remove(&ConnectionId::new("nope"), &NoDependents, false)
            .await,
        Err(AuthError::NotFound(_))
    ));
}

#[allow(dead_code)]
fn tokens_are_shareable_across_tasks(tokens: ConnectionTokens) -> impl Send + Sync {
    tokens
}

#[tokio::test]
async fn a_provider_outage_during_refresh_is_retried_not_a_reconnect() {
    let env = env().await;
    let c = &env.connections;
    let info = c
        .complete_oauth(&env.deep_link_callback().await)
        .await
        .unwrap();
    let tokens = c.tokens(&info.id);
    let first = tokens.access_token().await.unwrap();

    // Inside the leeway the refresh fails (503): the still-valid token is used.
    env.fake.faults().on(TOKEN).fail_next(2, 503);
    env.clock.advance(HOUR - Duration::from_secs(60));
    assert_eq!(tokens.access_token().await.unwrap(), first);

    // Past expiry a failed refresh is "try later", and the connection stays usable.
    env.clock.advance(Duration::from_secs(120));
    let err = tokens.access_token().await.unwrap_err();
    assert!(matches!(err, TokenError::Unavailable { .. }), "{err:?}");
    assert!(!err.needs_user());
    assert!(err.to_string().contains("will try again"), "{err}");
    assert_eq!(c.list().await.unwrap()[0].status, Status::Ok);

    // The provider is back: the next call refreshes.
    assert_ne!(tokens.access_token().await.unwrap(), first);
}

#[tokio::test]
async fn headless_a_pasted_address_is_checked_like_a_redirect() {
    let env = env().await;
    let fake_handle = &env.fake;
    let (paste, pasted) = tokio::sync::mpsc::channel(4);
    let rejected = std::sync::Mutex::new(Vec::new());
    let answer = std::sync::Mutex::new(None);
    let done = env
        .connections
        .connect_with_loopback_or_paste(
            LoopbackConnect::new("spotify"),
            |url| {
                let redirect = param(url, "redirect_uri");
                fake_handle.register_client(CLIENT_ID, &[&redirect]);
                // The browser runs elsewhere: it ends on the redirect address but cannot load
                // it. The user copies that address; first a wrong one, then the right one.
                let url = url.to_owned();
                let paste = paste.clone();
                *answer.lock().unwrap() = Some(tokio::spawn(async move {
                    let location = browser_once(&url).await;
                    let forged = with_param(&location, "state", "not-this-sign-in");
                    paste.send("not an address".to_owned()).await.unwrap();
                    paste.send(forged).await.unwrap();
                    paste.send(format!("  {location}  ")).await.unwrap();
                }));
                Ok(())
            },
            pasted,
            |why| rejected.lock().unwrap().push(why.to_owned()),
        )
        .await
        .unwrap();
    let browsing = answer.lock().unwrap().take().unwrap();
    browsing.await.unwrap();
    assert_eq!(done.status, Status::Ok);
    let rejected = rejected.lock().unwrap().clone();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert!(rejected[1].contains("another sign-in"), "{rejected:?}");
    assert_eq!(env.connections.list().await.unwrap().len(), 1);
}
