//! Connecting Spotify from the app, end to end: the user enters their Client ID, presses
//! Connect, signs in at the (stand-in) Accounts service, and the OS hands the `syncer://`
//! answer to the running app through `xdg-open`, as a browser would. The single-instance
//! plugin forwards it from the second launch to the window, which shows the new connection.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;

use spotify_fake::{FakeConfig, FakeSpotify};
use support::*;

const CLIENT_ID: &str = "e2e-client-id";

/// What a browser does with the authorize URL: the stand-in approves at once and redirects;
/// the redirect's target is what the browser would hand to the OS.
async fn sign_in_at(authorize_url: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = http.get(authorize_url).send().await.unwrap();
    assert!(answer.status().is_redirection(), "{}", answer.status());
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// The OS opening a link, in the app's display and D-Bus session.
fn xdg_open(driver: &Driver, url: &str) {
    let status = Command::new("xdg-open")
        .arg(url)
        .envs(driver.session_env())
        .envs(&driver.env)
        .status()
        .expect("run xdg-open (package xdg-utils)");
    assert!(status.success(), "xdg-open failed: {status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_spotify_through_the_deep_link() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeSpotify::start(FakeConfig::default()).await.unwrap();
    fake.register_client(CLIENT_ID, &["syncer://oauth/spotify"]);
    let user = fake.library().users()[0].clone();

    let data = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let driver = start_driver(
        "connect",
        &[
            app_env(h, data.path(), "e2e connect passphrase"),
            vec![
                // xdg-open hands links to gio, as on a GNOME desktop. (Its generic fallback
                // for no desktop at all mishandles the quoted Exec path the deep-link plugin
                // writes.)
                ("XDG_CURRENT_DESKTOP", "GNOME".to_owned()),
                ("SYNCER_SPOTIFY_ACCOUNTS_URL", fake.accounts_base()),
                ("SYNCER_SPOTIFY_API_URL", fake.api_base()),
            ],
        ]
        .concat(),
    );
    let client = connect(&driver).await;
    wait_text(&client, "[data-testid=page-title]", |t| t == "Connections").await;

    // The Client ID, entered once.
    find(&client, "[data-testid=provider-spotify]").await;
    find(&client, "[data-testid=client-id-input]")
        .await
        .send_keys(CLIENT_ID)
        .await
        .unwrap();
    click(&client, "[data-testid=client-id-save]").await;
    find(&client, "[data-testid=connect-spotify]:not([disabled])").await;

    // Connect through the deep link; the window shows the sign-in link.
    click(&client, "[data-testid=channel-deep_link]").await;
    click(&client, "[data-testid=connect-spotify]").await;
    let authorize_url = wait_text(&client, "[data-testid=authorize-url]", |t| {
        t.starts_with("http")
    })
    .await;
    assert!(
        authorize_url.starts_with(&fake.accounts_base()),
        "{authorize_url}"
    );
    screenshot(&client, "connect-pending").await;

    let answer = sign_in_at(authorize_url.trim()).await;
    assert!(answer.starts_with("syncer://oauth/spotify?"), "{answer}");
    xdg_open(&driver, &answer);

    // The running app received it: the connection is listed, and works.
    let account = wait_text(&client, "[data-testid=connection-account]", |t| {
        t.contains(&user.id)
    })
    .await;
    assert!(account.contains(&user.id));
    click(&client, "[data-testid=connection-test]").await;
    wait_text(&client, "[data-testid=connection-test-result]", |t| {
        t.contains(&user.display_name)
    })
    .await;
    screenshot(&client, "connections-connected").await;

    // The same answer again is refused clearly, and nothing changes.
    xdg_open(&driver, &answer);
    let refusal = wait_text(&client, "[data-testid=connect-error]", |t| !t.is_empty()).await;
    assert!(refusal.contains("already used"), "{refusal}");

    // Tokens went to the vault file, never to the database.
    // The database and its write-ahead log, where recent rows live until a checkpoint.
    let mut bytes = std::fs::read(data.path().join("syncer.db")).unwrap();
    bytes.extend(std::fs::read(data.path().join("syncer.db-wal")).unwrap_or_default());
    let db = String::from_utf8_lossy(&bytes);
    assert!(db.contains(&user.id), "the connection row is there");
    assert!(!db.contains("access_token") && !db.contains("refresh_token"));
    assert!(data.path().join("secrets.vault").exists());

    // Removing it, after confirming, empties the list again.
    click(&client, "[data-testid=connection-remove]").await;
    click(&client, "[data-testid=connection-remove-confirm]").await;
    find(&client, "[data-testid=empty-state]").await;

    client.close().await.unwrap();
    drop(driver);
}
