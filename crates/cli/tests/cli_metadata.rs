//! Genres in Development Mode through the `syncer` binary, against both stand-ins: the demo's
//! own (in the process), and a MusicBrainz stand-in named by SYNCER_MUSICBRAINZ_URL.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use serde_json::Value;
use spotify_fake::{FakeConfig, FakeSpotify, Mode};
use syncer_app::{DemoMode, DemoSpec};

const TRACKS: usize = 150;

fn syncer(dir: &Path, args: &[&str], musicbrainz: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_syncer"));
    cmd.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("SYNCER_MUSICBRAINZ_INTERVAL_MS")
        .env_remove("SYNCER_METADATA_TTL_DAYS");
    match musicbrainz {
        Some(url) => cmd.env("SYNCER_MUSICBRAINZ_URL", url),
        None => cmd.env_remove("SYNCER_MUSICBRAINZ_URL"),
    };
    cmd.output().unwrap()
}

fn ok(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn wanted(report: &Value) -> Vec<(String, u64)> {
    report["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["wanted"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn is_genre_child(name: &str) -> bool {
    ["Rock & Metal", "Electronic", "Hip hop & R&B"].contains(&name)
}

#[test]
fn the_development_mode_demo_fills_genres_then_routes_them() {
    let dir = tempfile::tempdir().unwrap();
    let tracks = TRACKS.to_string();
    let v = ok(&syncer(
        dir.path(),
        &[
            "--json",
            "demo",
            "--mode",
            "development",
            "--tracks",
            &tracks,
        ],
        None,
    ));
    let first = &v["first_sync"];
    assert!(first["metadata"][0]["filling"].as_u64().unwrap() > 0);
    assert_eq!(first["metadata"][0]["known"], 0);
    for (name, n) in wanted(first) {
        if is_genre_child(&name) {
            assert_eq!(n, 0, "{name} waits for genres");
        }
    }
    assert!(v["enrichment"]["total"]["requests"].as_u64().unwrap() > 0);
    let after = &v["after_enrichment"];
    let cov = &after["metadata"][0];
    assert_eq!(cov["filling"], 0);
    assert!(cov["known"].as_u64().unwrap() * 10 >= cov["total"].as_u64().unwrap() * 8);
    for (name, n) in wanted(after) {
        if is_genre_child(&name) {
            assert!(n > 0, "{name} routes once genres are known");
        }
    }
    assert_eq!(v["second_sync"]["unchanged"], true);

    // Run again on the same data, the genres are known from the start: nothing is asked.
    let again = ok(&syncer(
        dir.path(),
        &[
            "--json",
            "demo",
            "--mode",
            "development",
            "--tracks",
            &tracks,
        ],
        None,
    ));
    assert_eq!(again["first_sync"]["metadata"][0]["filling"], 0);
    assert_eq!(again["enrichment"]["total"]["requests"], 0);
    assert_eq!(wanted(&again["first_sync"]), wanted(after));

    // In words, too (on fresh data, where genres have to be filled).
    let fresh = tempfile::tempdir().unwrap();
    let out = syncer(
        fresh.path(),
        &["demo", "--mode", "development", "--tracks", &tracks],
        None,
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "still filling from MusicBrainz",
        "stand-in for MusicBrainz",
        "Sync with the genres found",
        "genre known for",
    ] {
        assert!(text.contains(needle), "{needle} missing in:\n{text}");
    }
}

fn demo_spec() -> DemoSpec {
    DemoSpec {
        seed: 42,
        mode: DemoMode::Development,
        tracks: TRACKS,
    }
}

async fn complete_musicbrainz() -> FakeMusicBrainz {
    FakeMusicBrainz::start(FakeMbConfig {
        seed: 42,
        library: demo_spec().library(),
        coverage: Coverage::complete(),
        rate: Some(RateRule {
            interval: Duration::from_millis(2),
            tolerance: Duration::from_millis(2),
        }),
        ..FakeMbConfig::default()
    })
    .await
    .unwrap()
}

async fn run(dir: &Path, args: &[&str], musicbrainz: Option<&str>) -> Output {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let musicbrainz = musicbrainz.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        syncer(&dir, &args, musicbrainz.as_deref())
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_musicbrainz_knowing_everything_development_mode_routes_like_extended_quota() {
    let mb = complete_musicbrainz().await;
    let url = mb.base_url();
    let tracks = TRACKS.to_string();
    let ext_dir = tempfile::tempdir().unwrap();
    let ext = ok(&run(
        ext_dir.path(),
        &["--json", "demo", "--mode", "extended", "--tracks", &tracks],
        Some(&url),
    )
    .await);
    assert_eq!(mb.stats().total(), 0, "extended quota has Spotify's genres");
    let dev_dir = tempfile::tempdir().unwrap();
    let dev = ok(&run(
        dev_dir.path(),
        &[
            "--json",
            "demo",
            "--mode",
            "development",
            "--tracks",
            &tracks,
        ],
        Some(&url),
    )
    .await);
    assert_eq!(
        wanted(&dev["after_enrichment"]),
        wanted(&ext["first_sync"]),
        "every child routes as with Spotify's own genres"
    );
    let stats = mb.stats();
    assert!(stats.total() > 0);
    assert!(stats.repeated().is_empty(), "{:?}", stats.repeated());
    assert!(
        stats
            .user_agents()
            .iter()
            .all(|ua| ua.starts_with("Syncer/") && ua.contains("( ")),
        "{:?}",
        stats.user_agents()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_tells_the_truth_while_genres_fill_and_my_genres_count() {
    let mb = complete_musicbrainz().await;
    let url = mb.base_url();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let tracks = TRACKS.to_string();
    ok(&run(
        d,
        &[
            "--json",
            "connect",
            "demo",
            "--mode",
            "development",
            "--tracks",
            &tracks,
        ],
        Some(&url),
    )
    .await);
    // The same library, read here to know its truth.
    let spotify = FakeSpotify::start(FakeConfig {
        mode: Mode::DevelopmentMode,
        seed: 42,
        library: demo_spec().library(),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let lib = spotify.library();
    let base = lib
        .playlists()
        .into_iter()
        .max_by_key(|p| p.item_count)
        .unwrap();
    ok(&run(d, &["--json", "base", "add", &base.id], Some(&url)).await);
    ok(&run(
        d,
        &[
            "--json",
            "child",
            "add",
            &base.id,
            "--create",
            "Rock",
            "--query",
            "genre:rock",
        ],
        Some(&url),
    )
    .await);

    let p = ok(&run(d, &["--json", "preview", &base.id], Some(&url)).await);
    let rock = &p["children"][0];
    assert_eq!(rock["count"], 0);
    assert_eq!(
        rock["unknown"], p["tracks"],
        "every track waits on its genre"
    );
    assert_eq!(rock["filling"][0]["known"], 0);
    assert!(rock["problems"].as_array().unwrap().is_empty());
    let text = String::from_utf8(run(d, &["preview", &base.id], Some(&url)).await.stdout).unwrap();
    assert!(text.contains("syncer enrich --wait"), "{text}");

    let status = ok(&run(d, &["--json", "enrich"], Some(&url)).await);
    assert!(status["status"]["queued"].as_u64().unwrap() > 0);
    assert_eq!(mb.stats().total(), 0, "`enrich` without --wait only tells");
    let filled = ok(&run(d, &["--json", "enrich", "--wait"], Some(&url)).await);
    assert!(filled["run"]["total"]["requests"].as_u64().unwrap() > 0);
    let cov = &filled["bases"][0]["coverage"][0];
    assert_eq!(cov["filling"], 0);
    assert_eq!(cov["known"], cov["total"]);

    let p = ok(&run(d, &["--json", "preview", &base.id], Some(&url)).await);
    let rock = &p["children"][0];
    assert!(rock["count"].as_u64().unwrap() > 0);
    assert_eq!(rock["unknown"], 0);
    assert!(rock.get("filling").is_none());

    // My genres: an artist of the base, by id, becomes "rock" too.
    let not_rock = lib
        .playlist_items(&base.id)
        .unwrap()
        .into_iter()
        .filter_map(|i| i.id)
        .filter_map(|id| lib.track(&id))
        .flat_map(|t| t.artist_ids)
        .find(|a| {
            !lib.artist(a)
                .unwrap()
                .genres
                .iter()
                .any(|g| g.contains("rock"))
        })
        .unwrap();
    let before = rock["count"].as_u64().unwrap();
    let tagged = ok(&run(
        d,
        &["--json", "genres", "tag", &not_rock, "garage rock"],
        Some(&url),
    )
    .await);
    assert_eq!(tagged["genres"][0], "garage rock");
    let listed = ok(&run(d, &["--json", "genres", "list"], Some(&url)).await);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let export = ok(&run(d, &["export"], Some(&url)).await);
    assert_eq!(export["my_genres"][0]["genres"][0], "garage rock");
    let p = ok(&run(d, &["--json", "preview", &base.id], Some(&url)).await);
    assert!(p["children"][0]["count"].as_u64().unwrap() > before);
    ok(&run(d, &["--json", "genres", "untag", &not_rock], Some(&url)).await);
    let listed = ok(&run(d, &["--json", "genres", "list"], Some(&url)).await);
    assert!(listed.as_array().unwrap().is_empty());
    let unknown = run(d, &["genres", "tag", "No Such Artist", "jazz"], Some(&url)).await;
    assert_eq!(unknown.status.code(), Some(5));
    spotify.shutdown().await;
}
