//! One sign-in shared by several holders (the app, `syncer watch`, a cron `syncer sync`):
//! refreshes under the lock beside the vault, the vault read again before refreshing and
//! before "reconnect needed", rotation with reuse detection, refresh answers without a refresh
//! token, the leeway capped at half a token's life, and sign-ins that end six months after the
//! authorisation. (tests/multi_process.rs in syncer-cli does the same with real processes.)

// Helpers outside #[test] functions unwrap too: a failed step should stop the test there.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::*;
use spotify_fake::FakeConfig;
use syncer_auth::{Secret, StartOAuth, Status, TokenError, Vault, deep_link_redirect_uri};
use syncer_store::ConnectionStatus;

const TOKEN: &str = "POST /api/token";
const DAY: Duration = Duration::from_secs(24 * 3600);

fn file_vault(env: &Env) -> Vault {
    Vault::file(
        &env.dir.path().join("secrets.vault"),
        Some(&Secret::new("test passphrase")),
    )
    .unwrap()
}

async fn file_env(config: FakeConfig) -> Env {
    // The vault file lives in the env's own temp dir: made after the env, then swapped in.
    let env = env_with_config(config, spotify_at, None).await;
    let vault = file_vault(&env);
    let connections = env.other_process(vault.clone()).await;
    connections
        .set_client_id("spotify", CLIENT_ID)
        .await
        .unwrap();
    Env {
        connections,
        vault,
        ..env
    }
}

#[tokio::test]
async fn two_holders_with_stale_copies_refresh_once_and_never_reuse_a_spent_token() {
    let env = file_env(FakeConfig::default()).await;
    let id = env.sign_in().await;
    let other = env.other_process(file_vault(&env)).await;
    let (mine, theirs) = (env.connections.tokens(&id), other.tokens(&id));
    // Both load the same sign-in into memory.
    let old = mine.access_token().await.unwrap();
    assert_eq!(theirs.access_token().await.unwrap(), old);
    let refreshes = env.fake.requests().count(TOKEN);

    // The service stops taking the token: both holders see a 401 at once.
    env.fake.faults().expire_token(old.expose());
    let (a, b) = tokio::join!(
        mine.refresh_rejected(old.expose()),
        theirs.refresh_rejected(old.expose())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b, "the second took what the first stored");
    assert_ne!(a, old);
    assert_eq!(env.fake.requests().count(TOKEN), refreshes + 1);
    assert_eq!(env.fake.refresh_token_reuses(), 0);
    assert!(
        !env.connections
            .test(&id)
            .await
            .unwrap()
            .account_id
            .is_empty()
    );

    // Time passes: the one that refreshes first rotates; the other finds the new tokens in
    // the vault instead of spending the refresh token it holds in memory.
    env.clock.advance(2 * HOUR);
    let renewed = mine.access_token().await.unwrap();
    let seen = theirs.access_token().await.unwrap();
    assert_eq!(renewed, seen);
    assert_eq!(env.fake.requests().count(TOKEN), refreshes + 2);
    assert_eq!(env.fake.refresh_token_reuses(), 0);
    assert!(other.test(&id).await.is_ok());
    assert!(dir_has_lock(&env));
}

fn dir_has_lock(env: &Env) -> bool {
    env.dir.path().join(syncer_auth::LOCK_FILE).exists()
}

#[tokio::test]
async fn a_spent_refresh_token_presented_again_revokes_the_grant() {
    let env = env().await;
    let id = env.sign_in().await;
    let first = env.refresh_token(&id).await;
    env.clock.advance(2 * HOUR);
    env.connections.tokens(&id).access_token().await.unwrap();
    assert_ne!(env.refresh_token(&id).await, first);
    // Someone holding the old one (a copy of the vault, an old process) tries it.
    assert_eq!(raw_refresh(&env.fake, &first).await, 400);
    assert_eq!(env.fake.refresh_token_reuses(), 1);
    env.clock.advance(2 * HOUR);
    let err = env
        .connections
        .tokens(&id)
        .access_token()
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::ReconnectNeeded { .. }), "{err:?}");
    let text = err.to_string();
    // Neutral words: each front end adds its own way to reconnect.
    assert!(text.contains("signed in again"), "{text}");
    assert!(!text.contains(&first), "{text}");
}

#[tokio::test]
async fn without_rotation_the_old_refresh_token_is_kept() {
    let env = env().await;
    env.fake.set_refresh_rotation(false);
    let id = env.sign_in().await;
    let refresh = env.refresh_token(&id).await;
    let tokens = env.connections.tokens(&id);
    for _ in 0..3 {
        let before = tokens.access_token().await.unwrap();
        env.clock.advance(2 * HOUR);
        assert_ne!(tokens.access_token().await.unwrap(), before);
        assert_eq!(env.refresh_token(&id).await, refresh);
    }
    assert!(env.connections.test(&id).await.is_ok());
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_once_per_life_not_on_every_call() {
    // 60 s tokens and the default 120 s leeway: uncapped, every call would refresh.
    let env = env_with_config(
        FakeConfig {
            token_lifetime: Duration::from_secs(60),
            ..FakeConfig::default()
        },
        spotify_at,
        None,
    )
    .await;
    let id = env.sign_in().await;
    let tokens = env.connections.tokens(&id);
    let first = tokens.access_token().await.unwrap();
    for _ in 0..5 {
        assert_eq!(tokens.access_token().await.unwrap(), first);
    }
    assert_eq!(
        env.fake.requests().count(TOKEN),
        1,
        "the code exchange only"
    );
    env.clock.advance(Duration::from_secs(29));
    assert_eq!(tokens.access_token().await.unwrap(), first);
    env.clock.advance(Duration::from_secs(2));
    let second = tokens.access_token().await.unwrap();
    assert_ne!(second, first);
    for _ in 0..5 {
        assert_eq!(tokens.access_token().await.unwrap(), second);
    }
    assert_eq!(env.fake.requests().count(TOKEN), 2);
}

#[tokio::test]
async fn a_reconnect_elsewhere_revives_a_holder_that_gave_up() {
    let env = file_env(FakeConfig::default()).await;
    let id = env.sign_in().await;
    let watcher = env.other_process(file_vault(&env)).await;
    let tokens = watcher.tokens(&id);
    tokens.access_token().await.unwrap();
    env.fake
        .faults()
        .revoke_token(&env.refresh_token(&id).await);
    env.clock.advance(2 * HOUR);
    assert!(matches!(
        tokens.access_token().await,
        Err(TokenError::ReconnectNeeded { .. })
    ));

    // The user signs in again in another process (`syncer connect spotify`).
    let mut again = StartOAuth::new("spotify", deep_link_redirect_uri("spotify"));
    again.reconnect = Some(id.clone());
    let start = env.connections.start_oauth(again).await.unwrap();
    let renewed = env
        .connections
        .complete_oauth(&browser_once(&start.authorize_url).await)
        .await
        .unwrap();
    assert_eq!(renewed.id, id);
    // The long-running holder carries on with the new sign-in, without a restart.
    assert!(tokens.access_token().await.is_ok());
    assert!(watcher.test(&id).await.is_ok());
}

#[tokio::test]
async fn sign_ins_end_six_months_after_authorisation_and_say_so_two_weeks_before() {
    let env = env().await;
    let id = env.sign_in().await;
    let row = env.store.get_connection(&id).await.unwrap().unwrap();
    let granted_at = row.sign_in_granted_at.expect("the grant time is recorded");
    let lifetime = syncer_auth::providers::spotify::SIGN_IN_LIFETIME.as_secs() as i64;
    let details = env.connections.get(&id).await.unwrap();
    assert_eq!(
        details.connection.sign_in_renew_by,
        Some(granted_at + lifetime)
    );
    assert_eq!(details.health.sign_in_renew_by, Some(granted_at + lifetime));
    assert!(
        details.health.message.contains("renews by"),
        "{}",
        details.health.message
    );
    assert!(details.health.sign_in_notice.is_none());
    assert!(
        env.connections
            .sign_ins_to_renew()
            .await
            .unwrap()
            .is_empty()
    );

    // Refreshing does not extend it.
    env.clock.advance(100 * DAY);
    env.fake.age_sign_ins(100 * DAY);
    env.connections.tokens(&id).access_token().await.unwrap();
    let row = env.store.get_connection(&id).await.unwrap().unwrap();
    assert_eq!(row.sign_in_granted_at, Some(granted_at));

    // Fourteen days before: the tray, a notification and the CLI have something to say.
    env.clock.advance(68 * DAY);
    env.fake.age_sign_ins(68 * DAY);
    let due = env.connections.sign_ins_to_renew().await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].connection, id);
    assert_eq!(due[0].days_left, 14);
    assert!(due[0].message.contains("renews by"), "{}", due[0].message);
    let details = env.connections.get(&id).await.unwrap();
    let notice = details.health.sign_in_notice.unwrap();
    assert!(notice.contains("14 days left"), "{notice}");
    assert!(details.health.message.contains(&notice));

    // Past it, the service answers invalid_grant: reconnect needed.
    env.clock.advance(15 * DAY);
    env.fake.age_sign_ins(15 * DAY);
    let err = env
        .connections
        .tokens(&id)
        .access_token()
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::ReconnectNeeded { .. }), "{err:?}");
    assert!(err.to_string().contains("Refresh token expired"), "{err}");

    // Reconnecting renews the same connection and starts a new six months.
    let mut again = StartOAuth::new("spotify", deep_link_redirect_uri("spotify"));
    again.reconnect = Some(id.clone());
    let start = env.connections.start_oauth(again).await.unwrap();
    let renewed = env
        .connections
        .complete_oauth(&browser_once(&start.authorize_url).await)
        .await
        .unwrap();
    assert_eq!(renewed.id, id);
    assert_eq!(renewed.status, Status::Ok);
    let row = env.store.get_connection(&id).await.unwrap().unwrap();
    assert_eq!(row.status, ConnectionStatus::Ok);
    assert_eq!(
        row.sign_in_granted_at,
        Some(granted_at + (183 * DAY).as_secs() as i64)
    );
    assert!(
        env.connections
            .sign_ins_to_renew()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(env.connections.test(&id).await.is_ok());
}
