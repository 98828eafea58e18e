//! `syncer connect spotify` signs in for real: the browser's part is played by an HTTP client
//! following the printed link through the stand-in's consent to the CLI's loopback listener.
//! Then the connection is listed, tested (with the vault's token) and removed.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

mod support;

use spotify_fake::{Consent, FakeConfig, FakeSpotify};
use support::browser::play_browser;

const CLIENT_ID: &str = "cli-test-client";

fn base_command(dir: &Path, fake: &FakeSpotify) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_syncer"));
    command
        .arg("--data-dir")
        .arg(dir)
        .env_remove("RUST_LOG")
        .env("SYNCER_SPOTIFY_ACCOUNTS_URL", fake.accounts_base())
        .env("SYNCER_SPOTIFY_API_URL", fake.api_base())
        .env("SYNCER_VAULT", "file")
        .env("SYNCER_VAULT_PASSPHRASE", "cli test passphrase");
    command
}

fn run(dir: &Path, fake: &FakeSpotify, args: &[&str]) -> Output {
    base_command(dir, fake).args(args).output().unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `syncer connect spotify`, plays the browser for the link it prints, and returns
/// the finished command's output.
async fn connect(dir: &Path, fake: &FakeSpotify, port: u16) -> Output {
    let mut command = base_command(dir, fake);
    command
        .args(["--json", "connect", "spotify", "--client-id", CLIENT_ID])
        .args(["--port", &port.to_string(), "--no-browser"]);
    play_browser(&mut command).await.2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_list_test_and_remove_a_spotify_connection() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeSpotify::start(FakeConfig::default()).await.unwrap();
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/oauth/spotify");
    fake.register_client(CLIENT_ID, &[redirect.as_str()]);
    let user = fake.library().users()[0].clone();
    let dir = tempfile::tempdir().unwrap();

    let out = connect(dir.path(), &fake, port).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["connection"]
        .as_str()
        .unwrap()
        .to_owned();

    let list = run(dir.path(), &fake, &["--json", "connections", "list"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains(&id) && text.contains("spotify"), "{text}");

    // The test uses the token from the vault (no token was given on the command line).
    let test = run(dir.path(), &fake, &["connections", "test", &id]);
    assert!(
        test.status.success(),
        "{}",
        String::from_utf8_lossy(&test.stderr)
    );
    let playlists = run(
        dir.path(),
        &fake,
        &["--json", "playlists", "--connection", &id],
    );
    assert!(
        playlists.status.success(),
        "{}",
        String::from_utf8_lossy(&playlists.stderr)
    );
    let names = String::from_utf8_lossy(&playlists.stdout);
    let first = &fake.library().playlists_of(&user.id)[0];
    assert!(names.contains(first.id.as_str()), "{names}");

    // No token in the database (nor its write-ahead log): they live in the vault file.
    let mut db = std::fs::read(dir.path().join("syncer.db")).unwrap();
    db.extend(std::fs::read(dir.path().join("syncer.db-wal")).unwrap_or_default());
    assert!(!String::from_utf8_lossy(&db).contains("access_token"));
    assert!(dir.path().join("secrets.vault").exists());

    let removed = run(dir.path(), &fake, &["connections", "remove", &id]);
    assert!(
        removed.status.success(),
        "{}",
        String::from_utf8_lossy(&removed.stderr)
    );
    let list = run(dir.path(), &fake, &["--json", "connections", "list"]);
    assert!(!String::from_utf8_lossy(&list.stdout).contains(&id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_sign_in_says_so_and_stores_nothing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeSpotify::start(FakeConfig::default()).await.unwrap();
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/oauth/spotify");
    fake.register_client(CLIENT_ID, &[redirect.as_str()]);
    fake.set_consent(Consent::Deny);
    let dir = tempfile::tempdir().unwrap();

    let out = connect(dir.path(), &fake, port).await;
    assert_eq!(
        out.status.code(),
        Some(7),
        "exit code 7: the service side refused"
    );
    // --json puts the error on stdout, as JSON, with what to do next.
    let error: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let message = error["error"].as_str().unwrap().to_lowercase();
    assert!(
        message.contains("denied") || message.contains("declined"),
        "{message}"
    );
    assert!(
        message.contains("connect"),
        "says how to try again: {message}"
    );
    let list = run(dir.path(), &fake, &["--json", "connections", "list"]);
    assert_eq!(String::from_utf8_lossy(&list.stdout).trim(), "[]");
}
