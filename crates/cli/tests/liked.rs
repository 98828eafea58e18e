//! Liked Songs as a base, end to end against the stand-in: routed like a playlist with
//! `added_at` kept, unchanged for one request and no writes, a new like routed; and, through
//! the `syncer` binary, a connection made without `user-library-read` told to reconnect, then
//! reconnected and able to add it.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec, Mode};
use support::browser::play_browser;
use support::{child, liked_world};
use syncer_core::engine::SyncStatus;

fn liked_truth(w: &support::World, keep: impl Fn(i32, bool) -> bool) -> Vec<String> {
    let lib = w.fake.library();
    let user = lib.users()[0].id.clone();
    let mut seen = HashSet::new();
    lib.liked(&user)
        .into_iter()
        .map(|s| s.track_id)
        .filter(|id| {
            let t = lib.track(id).unwrap();
            let album = lib.album(&t.album_id).unwrap();
            let year: i32 = album.release_date[..4].parse().unwrap();
            keep(year, t.explicit)
        })
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

#[tokio::test]
async fn liked_songs_route_like_a_playlist_and_unchanged_costs_one_request() {
    let library = LibrarySpec {
        liked_per_user: 180,
        ..support::library(300)
    };
    let w = liked_world(
        Mode::DevelopmentMode,
        library,
        vec![
            child("recent", "year:>=2010"),
            child("explicit", "explicit"),
        ],
    )
    .await;
    let cold = w.sync().await;
    assert_eq!(cold.status, SyncStatus::Completed, "{cold:?}");
    assert_eq!(
        w.contents(&w.children[0]),
        liked_truth(&w, |y, _| y >= 2010)
    );
    assert_eq!(w.contents(&w.children[1]), liked_truth(&w, |_, e| e));
    // 180 saved tracks: the check and four pages of 50 (the contract's largest).
    assert_eq!(cold.requests.endpoint_total("GET /me/tracks"), 1 + 4);

    w.fake.requests().reset();
    let warm = w.sync().await;
    assert!(warm.unchanged, "{warm:?}");
    assert_eq!(warm.requests.total(), 1, "{:?}", warm.requests);
    assert_eq!(warm.requests.endpoint_total("GET /me/tracks"), 1);
    assert_eq!(warm.write_requests(), 0);
    assert_eq!(
        w.fake.requests().total(),
        1,
        "{:?}",
        w.fake.requests().log()
    );

    // A new like that a child wants is routed at the next sync.
    let user = w.fake.library().users()[0].id.clone();
    let liked: HashSet<String> = w
        .fake
        .library()
        .liked(&user)
        .into_iter()
        .map(|s| s.track_id)
        .collect();
    let lib = w.fake.library();
    let new = lib
        .track_ids()
        .into_iter()
        .find(|id| {
            let t = lib.track(id).unwrap();
            !liked.contains(id) && t.explicit
        })
        .unwrap();
    assert!(w.fake.like(&user, &new));
    let after = w.sync().await;
    assert!(!after.unchanged);
    assert_eq!(after.status, SyncStatus::Completed, "{after:?}");
    assert!(w.contents(&w.children[1]).contains(&new));
    assert_eq!(w.contents(&w.children[1]), liked_truth(&w, |_, e| e));
}

const CLIENT_ID: &str = "cli-liked-client";

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

async fn connect(dir: &Path, fake: &FakeSpotify, port: u16) -> String {
    let mut command = base_command(dir, fake);
    command
        .args(["--json", "connect", "spotify", "--client-id", CLIENT_ID])
        .args(["--port", &port.to_string(), "--no-browser"]);
    let out = play_browser(&mut command).await.2;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["connection"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_connection_is_told_to_reconnect_and_then_adds_liked_songs() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let fake = FakeSpotify::start(FakeConfig::default()).await.unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/oauth/spotify");
    fake.register_client(CLIENT_ID, &[redirect.as_str()]);
    let dir = tempfile::tempdir().unwrap();

    // A sign-in as an older Syncer made it: without user-library-read.
    fake.withhold_scopes(&["user-library-read"]);
    let id = connect(dir.path(), &fake, port).await;

    // Liked Songs are listed first, without a count, and choosing them says what to do.
    let listed = run(
        dir.path(),
        &fake,
        &["--json", "playlists", "--connection", &id],
    );
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let all: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(all[0]["name"], "Liked Songs");
    assert_eq!(all[0]["id"], format!("liked:{id}"));
    assert!(all[0]["total_items"].is_null());

    let refused = run(
        dir.path(),
        &fake,
        &["base", "add", "liked", "--connection", &id],
    );
    assert_eq!(
        refused.status.code(),
        Some(7),
        "reconnect needed: the service's code"
    );
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("user-library-read"), "{err}");
    assert!(err.contains("syncer connect spotify"), "{err}");
    let bases = run(dir.path(), &fake, &["--json", "base", "list"]);
    assert!(!String::from_utf8_lossy(&bases.stdout).contains("liked:"));

    // Reconnecting (the same account: the same connection) grants it.
    fake.withhold_scopes(&[]);
    assert_eq!(connect(dir.path(), &fake, port).await, id);
    let added = run(
        dir.path(),
        &fake,
        &["base", "add", "liked", "--connection", &id],
    );
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let text = String::from_utf8_lossy(&added.stdout);
    assert!(
        text.contains("Liked Songs") && text.contains(&format!("liked:{id}")),
        "{text}"
    );

    let listed = run(
        dir.path(),
        &fake,
        &["--json", "playlists", "--connection", &id],
    );
    let all: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let user = fake.library().users()[0].id.clone();
    assert_eq!(
        all[0]["total_items"].as_u64(),
        Some(fake.library().liked(&user).len() as u64)
    );
}
