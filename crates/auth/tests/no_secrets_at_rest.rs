//! After complete flows (sign-in, refresh, a 401, revocation), no token, code or key is found
//! in the SQLite files or the log file, and the vault file holds them only encrypted. Every
//! event at every level of our crates and the HTTP stack goes to the log file here.

// Helpers outside #[test] functions unwrap too: a failed step should stop the test there.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use syncer_auth::{
    Secret, StartOAuth, Vault, VaultOptions, VaultPreference, deep_link_redirect_uri,
};

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn no_token_reaches_sqlite_or_the_logs() {
    let scratch = tempfile::tempdir().unwrap();
    let log_path = scratch.path().join("logs/syncer-test.log");
    std::fs::create_dir_all(log_path.parent().unwrap()).unwrap();
    let log_file = std::fs::File::create(&log_path).unwrap();
    tracing_subscriber::fmt()
        .with_writer(Mutex::new(log_file))
        .with_ansi(false)
        // Everything of ours and of the HTTP stack; the stand-in server is not the product.
        .with_env_filter("trace,spotify_fake=off")
        .init();

    let vault_path = scratch.path().join("secrets.vault");
    let vault = Vault::open(&VaultOptions {
        preference: VaultPreference::File,
        file_path: vault_path.clone(),
        passphrase: Some(Secret::new("a passphrase for the test")),
    })
    .unwrap();
    let env = env_with(spotify_at, Some(vault)).await;
    let c = &env.connections;
    let mut secrets: Vec<String> = Vec::new();
    let mut messages: Vec<String> = Vec::new();

    // Sign in through the deep link.
    let callback = env.deep_link_callback().await;
    secrets.push(param(&callback, "code"));
    let info = c.complete_oauth(&callback).await.unwrap();
    let id = info.id.clone();
    let tokens = c.tokens(&id);
    secrets.push(tokens.access_token().await.unwrap().expose().to_owned());
    secrets.push(env.refresh_token(&id).await);
    c.test(&id).await.unwrap();

    // Refresh before expiry, with rotation.
    env.clock.advance(HOUR);
    let access = tokens.access_token().await.unwrap();
    secrets.push(access.expose().to_owned());
    secrets.push(env.refresh_token(&id).await);

    // A 401, answered by one refresh.
    env.fake.faults().expire_token(access.expose());
    c.test(&id).await.unwrap();
    secrets.push(tokens.access_token().await.unwrap().expose().to_owned());
    let last_refresh = env.refresh_token(&id).await;
    secrets.push(last_refresh.clone());

    // Refused sign-ins log and report too: a replay and a code injected into another state.
    messages.push(c.complete_oauth(&callback).await.unwrap_err().to_string());
    let a = env.deep_link_callback().await;
    let b = env.deep_link_callback().await;
    secrets.push(param(&a, "code"));
    messages.push(
        c.complete_oauth(&with_param(&b, "code", &param(&a, "code")))
            .await
            .unwrap_err()
            .to_string(),
    );

    // Revocation: the refresh fails for good.
    env.fake.faults().revoke_token(&last_refresh);
    env.clock.advance(HOUR);
    messages.push(tokens.access_token().await.unwrap_err().to_string());
    messages.push(format!("{:?}", c.get(&id).await.unwrap()));

    // A loopback sign-in as well (its code travels through our listener).
    let listener = syncer_auth::LoopbackListener::bind("spotify", 0)
        .await
        .unwrap();
    let redirect = listener.redirect_uri().to_owned();
    env.fake
        .register_client(CLIENT_ID, &[&redirect, &deep_link_redirect_uri("spotify")]);
    let start = c
        .start_oauth(StartOAuth::new("spotify", redirect))
        .await
        .unwrap();
    let (received, _) = tokio::join!(
        listener.wait_for_callback(start.state().unwrap(), Duration::from_secs(60)),
        browser_follow(&start.authorize_url)
    );
    let received = received.unwrap();
    secrets.push(param(&received, "code"));
    c.complete_oauth(&received).await.unwrap();
    secrets.push(tokens.access_token().await.unwrap().expose().to_owned());
    secrets.push(env.refresh_token(&id).await);

    let data_dir = env.dir.path().to_path_buf();
    env.store.clone().close().await;
    secrets.sort();
    secrets.dedup();
    assert!(secrets.len() >= 10, "{} secrets", secrets.len());
    assert!(secrets.iter().all(|s| s.len() >= 40));

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("access token renewed"),
        "the log is empty?\n{log}"
    );
    assert!(log.contains("connected"), "{log}");

    let mut checked = vec![(log_path.clone(), log.into_bytes())];
    for path in files_under(&data_dir) {
        checked.push((path.clone(), std::fs::read(&path).unwrap()));
    }
    assert!(
        checked
            .iter()
            .any(|(p, _)| p.extension().is_some_and(|e| e == "db")),
        "{checked:?}"
    );
    checked.push((vault_path.clone(), std::fs::read(&vault_path).unwrap()));
    for (path, bytes) in &checked {
        let text = String::from_utf8_lossy(bytes);
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a token or code is in {}",
                path.display()
            );
        }
    }
    for message in &messages {
        for secret in &secrets {
            assert!(!message.contains(secret.as_str()), "{message}");
        }
    }
}
