//! Issue 18: every use case is written once here, and behaves the same whichever front end
//! calls it. These tests hold the use cases to what both front ends used to do differently.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use syncer_app::config::env;
use syncer_app::{Config, DemoSpec, ErrorKind, Services};
use syncer_core::filter::Timestamp;
use tokio_util::sync::CancellationToken;

/// Services on a data dir with the encrypted-file vault (as a machine with no keyring).
async fn services(dir: &Path) -> Services {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let vars = [
        (env::VAULT, "file"),
        (env::VAULT_PASSPHRASE, "a long test passphrase"),
        (env::MUSICBRAINZ_URL, "off"),
    ];
    let config = Config::from_sources(None, &vars, Some(dir.to_path_buf())).unwrap();
    Services::open(config).await.unwrap().0
}

fn spec() -> DemoSpec {
    DemoSpec {
        tracks: 150,
        ..DemoSpec::default()
    }
}

/// The front ends must not reach the store themselves: only syncer-app may depend on it
/// (tests may, to arrange state).
#[test]
fn front_ends_reach_the_store_only_through_syncer_app() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    for manifest in ["Cargo.toml", "crates/cli/Cargo.toml"] {
        let text = std::fs::read_to_string(root.join(manifest)).unwrap();
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        let deps = parsed["dependencies"].as_table().unwrap();
        for store in ["syncer-store", "syncer_store"] {
            assert!(
                !deps.contains_key(store),
                "{manifest} depends on {store}: use syncer-app instead"
            );
        }
        assert!(deps.contains_key("syncer-app"), "{manifest}");
    }
}

/// Every byte of the data dir, for a scan.
fn everything_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn delete_all_data_leaves_nothing_readable() {
    let dir = tempfile::tempdir().unwrap();
    let services = services(dir.path()).await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    syncer_app::sync::run_sync(
        &services,
        &demo.base.id,
        false,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    // A secret in the vault, as a signed-in connection leaves one.
    services
        .auth()
        .await
        .unwrap()
        .vault()
        .set(
            "connection:probe",
            &syncer_auth::Secret::new("a-refresh-token"),
        )
        .await
        .unwrap();
    // A log line naming the base.
    let logs = services.paths().log_dir();
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(
        logs.join("syncer.log"),
        format!("synced {}\n", demo.base.name),
    )
    .unwrap();

    let mut needles: Vec<String> = vec![
        demo.base.name.clone(),
        demo.base.id.to_string(),
        demo.connection.to_string(),
    ];
    for c in &demo.children {
        needles.push(c.name.clone());
        needles.push(c.query.clone());
        needles.push(c.id.to_string());
    }
    let before = everything_under(dir.path());
    assert!(
        before.iter().any(|(_, b)| contains(b, &demo.base.name)),
        "the scan finds the names before"
    );

    let deleted = services.delete_all_data().await.unwrap();
    assert_eq!(deleted.connections, 1);
    assert!(
        deleted.secrets_left.is_empty(),
        "{:?}",
        deleted.secrets_left
    );

    for (file, bytes) in everything_under(dir.path()) {
        for needle in &needles {
            assert!(!contains(&bytes, needle), "{file} still holds {needle:?}");
        }
        assert!(
            !contains(&bytes, "a-refresh-token"),
            "{file} holds a secret"
        );
    }
    assert!(
        !dir.path().join("secrets.vault").exists(),
        "the secrets file goes"
    );
    assert!(services.list_connections().await.unwrap().is_empty());
    assert!(services.bases().await.unwrap().is_empty());
    // The app keeps working on the empty data.
    let again = services.set_up_demo(spec()).await.unwrap();
    assert_eq!(again.children.len(), 5);
}

#[tokio::test]
async fn a_connection_in_use_is_refused_whatever_its_kind_and_forgotten_once_removed() {
    let dir = tempfile::tempdir().unwrap();
    let services = services(dir.path()).await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    assert!(services.fake(&demo.connection).await.is_some());

    let refused = services
        .remove_connection(&demo.connection, false)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Refused, "{refused}");
    assert!(refused.to_string().contains(&demo.base.name), "{refused}");

    let removed = services
        .remove_connection(&demo.connection, true)
        .await
        .unwrap();
    assert_eq!(removed.orphaned_bases, vec![demo.base.name.clone()]);
    // The client and its stand-in are forgotten: nothing answers for the old connection.
    assert!(services.fake(&demo.connection).await.is_none());
    let gone = services.connection(&demo.connection).await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn testing_a_connection_checks_and_keeps_what_it_can_provide() {
    let dir = tempfile::tempdir().unwrap();
    let services = services(dir.path()).await;
    let info = services.connect_demo(spec()).await.unwrap();
    let test = services.test_connection(&info.id).await.unwrap();
    assert_eq!(test.report.account_name, info.display_name);
    assert_eq!(
        services.capabilities(&info.id).await.unwrap(),
        Some(test.capabilities)
    );
}

/// `syncer watch` and the tray count a timed schedule from the base's last sync, not from
/// when they started.
#[tokio::test]
async fn schedules_count_from_the_last_sync() {
    let dir = tempfile::tempdir().unwrap();
    let services = services(dir.path()).await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    syncer_app::sync::run_sync(
        &services,
        &demo.base.id,
        false,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let overview = services
        .set_schedule(&demo.base.id, "every 2h")
        .await
        .unwrap();
    let last = Timestamp::parse_rfc3339(overview.base.last_synced_at.as_deref().unwrap())
        .unwrap()
        .unix_seconds();
    let scheduler = services.scheduler().await.unwrap();
    let now = syncer_app::schedules::unix_now();
    assert_eq!(scheduler.next_due(now), Some(last + 2 * 3600));
}

/// The crate's modules form a tree: no module reaches, directly or through others, back to
/// itself (`crate::x` paths in each file).
#[test]
fn the_shared_layers_modules_have_no_cycles() {
    use std::collections::{BTreeMap, BTreeSet};
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap().flatten() {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let refs = text
            .split("crate::")
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .filter(|m| *m != name && src.join(format!("{m}.rs")).exists())
            .collect();
        uses.insert(name, refs);
    }
    assert!(uses.len() > 10, "{uses:?}");
    // Depth-first: a module on the current path met again is a cycle.
    fn visit(
        m: &str,
        uses: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        assert!(!path.iter().any(|p| p == m), "cycle: {path:?} -> {m}");
        path.push(m.to_owned());
        for next in uses.get(m).into_iter().flatten() {
            visit(next, uses, path, done);
        }
        path.pop();
        done.insert(m.to_owned());
    }
    let mut done = BTreeSet::new();
    for m in uses.keys() {
        visit(m, &uses, &mut Vec::new(), &mut done);
    }
}
