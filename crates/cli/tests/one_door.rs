//! Issue 18: the CLI and the window call the same use cases, so the same scenario leaves the
//! same store behind. The scenario runs through the `syncer` binary on one data dir and
//! through the shared layer's functions (what the window's commands call) on another.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use syncer_app::library::{ChildSpec, ChildTarget, RoutingChanges};
use syncer_app::{Config, DemoSpec, Services};
use syncer_core::engine::MirrorMode;
use syncer_core::filter::RoutingMode;
use tokio_util::sync::CancellationToken;

const TRACKS: usize = 150;

fn syncer(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_syncer"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("RUST_LOG")
        .env("SYNCER_VAULT", "file")
        .env("SYNCER_VAULT_PASSPHRASE", "a long test passphrase")
        .env("SYNCER_MUSICBRAINZ_URL", "off")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "syncer {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// What the setup is, without the times and counters that differ between two runs.
fn setup_of(export: &Value) -> Value {
    let mut v = export.clone();
    let obj = v.as_object_mut().unwrap();
    obj.remove("sync_events");
    for c in obj["connections"].as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("created_at");
    }
    for b in obj["bases"].as_array_mut().unwrap() {
        let b = b.as_object_mut().unwrap();
        b.remove("last_synced_at");
        b.remove("last_snapshot_id");
    }
    v
}

#[tokio::test]
async fn the_same_scenario_through_the_cli_and_the_shared_layer_leaves_the_same_store() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let tracks = TRACKS.to_string();

    // Through the binary.
    let cli = tempfile::tempdir().unwrap();
    let d = cli.path();
    syncer(d, &["connect", "demo", "--tracks", &tracks]);
    let playlists = json(&syncer(d, &["--json", "playlists"]));
    let base = playlists
        .as_array()
        .unwrap()
        .iter()
        .max_by_key(|p| p["total_items"].as_u64().unwrap_or(0))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    syncer(d, &["base", "add", &base]);
    let rock = json(&syncer(
        d,
        &[
            "--json",
            "child",
            "add",
            &base,
            "--create",
            "Rock",
            "--query",
            "genre:rock",
        ],
    ))["child"]
        .as_str()
        .unwrap()
        .to_owned();
    let old = json(&syncer(
        d,
        &[
            "--json",
            "child",
            "add",
            &base,
            "--create",
            "Old",
            "--query",
            "year:<2000",
            "--mirror",
            "strict",
        ],
    ))["child"]
        .as_str()
        .unwrap()
        .to_owned();
    syncer(
        d,
        &["base", "routing", &base, "first-match", "--catch-all", &old],
    );
    syncer(d, &["child", "move", &old, "--position", "1"]);
    syncer(d, &["schedule", &base, "daily 07:30"]);
    syncer(d, &["sync", &base]);
    let through_cli = json(&syncer(d, &["export"]));

    // Through the shared layer, as the window's commands call it.
    let window = tempfile::tempdir().unwrap();
    let config = Config::from_sources(
        None,
        &[
            ("SYNCER_VAULT", "file"),
            ("SYNCER_VAULT_PASSPHRASE", "a long test passphrase"),
            ("SYNCER_MUSICBRAINZ_URL", "off"),
        ],
        Some(window.path().to_path_buf()),
    )
    .unwrap();
    let (services, _) = Services::open(config).await.unwrap();
    let connection = services
        .connect_demo(DemoSpec {
            tracks: TRACKS,
            ..DemoSpec::default()
        })
        .await
        .unwrap()
        .id;
    let biggest = services.biggest_playlist(&connection).await.unwrap();
    assert_eq!(biggest.id.as_str(), base, "the same demo library");
    let record = services.add_base(&connection, &biggest.id).await.unwrap();
    let spec = |name: &str, query: &str, mirror| ChildSpec {
        target: ChildTarget::Create { name: name.into() },
        query: query.into(),
        mirror,
        allow_empty: false,
    };
    let w_rock = services
        .add_child(
            &record.id,
            &spec("Rock", "genre:rock", MirrorMode::KeepUserTracks),
        )
        .await
        .unwrap();
    let w_old = services
        .add_child(&record.id, &spec("Old", "year:<2000", MirrorMode::Strict))
        .await
        .unwrap();
    assert_eq!((w_rock.id.as_str(), w_old.id.as_str()), (&*rock, &*old));
    services
        .set_routing(
            &record.id,
            RoutingChanges {
                mode: Some(RoutingMode::FirstMatch),
                order: None,
                catch_all: Some(Some(w_old.id.clone())),
            },
        )
        .await
        .unwrap();
    services.move_child(&w_old.id, 1).await.unwrap();
    services
        .set_schedule(&record.id, "daily 07:30")
        .await
        .unwrap();
    syncer_app::sync::run_sync(&services, &record.id, false, None, CancellationToken::new())
        .await
        .unwrap();
    let through_window = services.export().await.unwrap();

    assert_eq!(setup_of(&through_cli), setup_of(&through_window));
    let events = |v: &Value| {
        v["sync_events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["status"].clone(), e["report"]["children"].clone()))
            .map(|(s, children)| {
                let added: Vec<Value> = children
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["added"].clone())
                    .collect();
                (s, added)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(events(&through_cli), events(&through_window));
}

#[test]
fn delete_all_data_through_the_cli_removes_sign_ins_and_leaves_nothing_readable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = json(&syncer(
        d,
        &["--json", "demo", "--tracks", &TRACKS.to_string()],
    ));
    let base = demo["base"].as_str().unwrap().to_owned();
    let names: Vec<String> = demo["children"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            [
                c["name"].as_str().unwrap().to_owned(),
                c["child"].as_str().unwrap().to_owned(),
            ]
        })
        .chain([base.clone()])
        .collect();
    let out = syncer(d, &["--json", "delete-all-data", "--yes"]);
    assert_eq!(json(&out)["deleted"], true);
    assert_eq!(json(&out)["connections"], 1);

    let mut stack = vec![d.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for name in &names {
                assert!(
                    !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
                    "{} still holds {name:?}",
                    path.display()
                );
            }
        }
    }
    let listed = json(&syncer(d, &["--json", "connections", "list"]));
    assert!(listed.as_array().unwrap().is_empty());
    let bases = json(&syncer(d, &["--json", "base", "list"]));
    assert!(bases.as_array().unwrap().is_empty());
}
