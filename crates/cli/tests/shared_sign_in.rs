//! One Spotify sign-in shared by real `syncer` processes against the stand-in, which rotates
//! refresh tokens and revokes the whole grant when a spent one is presented again (RFC 9700):
//! several `syncer connections test` started together when the token is due must all pass,
//! with one refresh and no reuse. Also what a terminal user reads: "reconnect needed" names
//! `syncer connect spotify`, a missing vault passphrase has its own exit code, the sign-in's
//! end date shows in `connections list`, and `base add` refuses someone else's playlist.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use spotify_fake::{FakeConfig, FakeSpotify};
use support::browser::play_browser;

mod support;

const CLIENT_ID: &str = "cli-shared-client";
const PASSPHRASE: &str = "cli shared passphrase";
/// Processes started together in one round.
const PROCESSES: usize = 4;

fn base_command(dir: &Path, fake: &FakeSpotify) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_syncer"));
    command
        .arg("--data-dir")
        .arg(dir)
        .env_remove("RUST_LOG")
        .env("SYNCER_SPOTIFY_ACCOUNTS_URL", fake.accounts_base())
        .env("SYNCER_SPOTIFY_API_URL", fake.api_base())
        .env("SYNCER_VAULT", "file")
        .env("SYNCER_VAULT_PASSPHRASE", PASSPHRASE)
        .stdin(Stdio::null());
    command
}

fn run(dir: &Path, fake: &FakeSpotify, args: &[&str]) -> Output {
    base_command(dir, fake).args(args).output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `syncer connect spotify`, with the browser played by an HTTP client; returns the id.
async fn connect(dir: &Path, fake: &FakeSpotify) -> String {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/oauth/spotify");
    fake.register_client(CLIENT_ID, &[redirect.as_str()]);
    let mut command = base_command(dir, fake);
    command
        .args(["--json", "connect", "spotify", "--client-id", CLIENT_ID])
        .args(["--port", &port.to_string(), "--no-browser"]);
    let (status, page, out) = play_browser(&mut command).await;
    assert_eq!(status, 200);
    assert!(page.contains("Signed in"));
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["connection"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Starts `PROCESSES` `syncer connections test` at once and waits for all of them.
async fn test_together(dir: &Path, fake: &FakeSpotify, id: &str) -> Vec<Output> {
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            base_command(dir, fake)
                .args(["connections", "test", id])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect()
    })
    .await
    .unwrap()
}

/// How many rounds: SYNCER_SHARED_SIGN_IN_ROUNDS, or a few for an ordinary test run.
fn rounds(default: usize) -> usize {
    std::env::var("SYNCER_SHARED_SIGN_IN_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_sharing_a_sign_in_refresh_once_and_never_reuse_a_refresh_token() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeSpotify::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let id = connect(dir.path(), &fake).await;
    for round in 0..rounds(10) {
        // The token lapsed while no process ran: every process starts with a refused token.
        fake.faults().expire_all_access_tokens();
        let before = fake.requests().count("POST /api/token");
        for out in test_together(dir.path(), &fake, &id).await {
            assert!(out.status.success(), "round {round}: {}", text(&out));
        }
        assert_eq!(fake.refresh_token_reuses(), 0, "round {round}");
        assert_eq!(
            fake.requests().count("POST /api/token"),
            before + 1,
            "round {round}: one process refreshed, the others took its tokens"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_finding_the_token_due_by_time_share_one_refresh() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Two-second tokens: due after one second (the leeway is at most half a token's life).
    let fake = FakeSpotify::start(FakeConfig {
        token_lifetime: Duration::from_secs(2),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let id = connect(dir.path(), &fake).await;
    for round in 0..rounds(3) {
        tokio::time::sleep(Duration::from_millis(2_100)).await;
        for out in test_together(dir.path(), &fake, &id).await {
            assert!(out.status.success(), "round {round}: {}", text(&out));
        }
        assert_eq!(fake.refresh_token_reuses(), 0, "round {round}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_terminal_user_reads() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeSpotify::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let id = connect(dir.path(), &fake).await;

    // The sign-in's end date, and no notice while it is far.
    let list = run(dir.path(), &fake, &["--json", "connections", "list"]);
    assert!(list.status.success(), "{}", text(&list));
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let renew_by = rows[0]["sign_in_renew_by"].as_str().unwrap().to_owned();
    assert_eq!(renew_by.len(), 10, "{renew_by}");
    assert!(rows[0]["sign_in_notice"].is_null());

    // Fourteen days before the end: `connections list` says so, with the command to run.
    let db = dir.path().join("syncer.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    sqlx::query("UPDATE connections SET sign_in_granted_at = ? WHERE id = ?")
        .bind(now - 170 * 86_400)
        .bind(&id)
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let list = run(dir.path(), &fake, &["connections", "list"]);
    let shown = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(shown.contains("renews by"), "{shown}");
    assert!(shown.contains("syncer connect spotify"), "{shown}");

    // A missing passphrase: a local problem, its own exit code, one short sentence.
    let locked = base_command(dir.path(), &fake)
        .env_remove("SYNCER_VAULT_PASSPHRASE")
        .args(["connections", "test", &id])
        .output()
        .unwrap();
    assert_eq!(locked.status.code(), Some(11), "{}", text(&locked));
    let said = String::from_utf8_lossy(&locked.stderr).to_string();
    assert!(said.contains("SYNCER_VAULT_PASSPHRASE"), "{said}");
    assert_eq!(said.trim().lines().count(), 1, "{said}");

    // Someone else's playlist cannot be a base, and says why before anything is made.
    let user = fake.library().users()[0].id.clone();
    let followed = fake
        .library()
        .playlists_of(&user)
        .into_iter()
        .find(|p| p.owner_id != user && !p.collaborative)
        .unwrap();
    let add = run(dir.path(), &fake, &["base", "add", &followed.id]);
    assert_eq!(add.status.code(), Some(2), "{}", text(&add));
    let said = String::from_utf8_lossy(&add.stderr).to_string();
    assert!(said.contains("collaborate"), "{said}");
    let bases = run(dir.path(), &fake, &["--json", "base", "list"]);
    assert_eq!(String::from_utf8_lossy(&bases.stdout).trim(), "[]");

    // The user removed Syncer's access on Spotify: "reconnect needed", plainly.
    fake.faults().revoke_all_grants();
    let out = run(dir.path(), &fake, &["connections", "test", &id]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(said.contains("`syncer connect spotify`"), "{said}");
    assert!(!said.contains("Settings"), "{said}");
    assert!(!said.contains("reconnect needed: "), "not nested: {said}");
    let list = run(dir.path(), &fake, &["--json", "connections", "list"]);
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(rows[0]["status"], "reconnect_needed");

    // Reconnecting renews the same connection.
    assert_eq!(connect(dir.path(), &fake).await, id);
    let out = run(dir.path(), &fake, &["connections", "test", &id]);
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_missing_from_the_apps_user_list_is_named_as_such() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeSpotify::start(FakeConfig::default()).await.unwrap();
    let other = fake.library().users()[1].id.clone();
    fake.set_app_users(
        &[other.as_str()],
        spotify_fake::AppUserRefusal::NotRegistered,
    );
    let dir = tempfile::tempdir().unwrap();

    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/oauth/spotify");
    fake.register_client(CLIENT_ID, &[redirect.as_str()]);
    let mut command = base_command(dir.path(), &fake);
    command
        .args(["connect", "spotify", "--client-id", CLIENT_ID])
        .args(["--port", &port.to_string(), "--no-browser"]);
    let (_, _, out) = play_browser(&mut command).await;
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(7), "{said}");
    assert!(said.contains("User Management"), "{said}");
    assert!(
        said.contains("https://developer.spotify.com/dashboard"),
        "{said}"
    );
    assert!(!said.contains("own or collaborate"), "{said}");

    // The connection shows that state, not "ok".
    let list = run(dir.path(), &fake, &["--json", "connections", "list"]);
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(rows[0]["status"], "not_in_app_users", "{rows}");
    let id = rows[0]["id"].as_str().unwrap().to_owned();

    // Added under User Management: the next test clears it.
    fake.allow_all_app_users();
    let out = run(dir.path(), &fake, &["connections", "test", &id]);
    assert!(out.status.success(), "{}", text(&out));
    let list = run(dir.path(), &fake, &["--json", "connections", "list"]);
    let rows: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(rows[0]["status"], "ok");
}
