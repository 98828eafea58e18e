//! A signed update served from a local static server, as a release feed would: a `latest.json`
//! in Tauri's static format and the artifact beside it, signed with a throwaway minisign key.
//! The updater finds the newer version, verifies the download, refuses a signature made with
//! another key or over other bytes with a clear message, and installs the verified build the way
//! an AppImage installation is updated (its file replaced), on a stand-in file rather than the
//! running test binary.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::path::PathBuf;

use axum::Router;
use axum::routing::get;
use base64::Engine as _;
use syncer_update::{FeedConfig, UpdateCheck, UpdateClient, UpdateError};

const NEW_VERSION: &str = "9.9.9";

/// What the installed app's file holds before the update.
const INSTALLED: &[u8] = b"\x7fELF the installed Syncer";

fn b64(text: String) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// An AppImage as far as the updater can tell: an ELF header's worth of bytes.
fn artifact() -> Vec<u8> {
    let mut bytes = b"\x7fELF Syncer 9.9.9".to_vec();
    bytes.resize(4096, 7);
    bytes
}

/// A minisign key pair, as `tauri signer generate` makes one (public key in base64).
struct Key {
    pk: minisign::PublicKey,
    sk: minisign::SecretKey,
}

impl Key {
    fn new() -> Self {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        Self {
            pk: pair.pk,
            sk: pair.sk,
        }
    }

    fn public_base64(&self) -> String {
        b64(self.pk.to_box().unwrap().into_string())
    }

    /// The `.sig` file's contents in base64, with the version in the trusted comment as
    /// Tauri's signer writes it.
    fn sign(&self, bytes: &[u8], version: &str) -> String {
        let signature = minisign::sign(
            Some(&self.pk),
            &self.sk,
            Cursor::new(bytes),
            Some(&format!(
                "timestamp:1796000000\tfile:Syncer.AppImage\tversion:{version}"
            )),
            Some("signature from tauri secret key"),
        )
        .unwrap();
        b64(signature.into_string())
    }
}

fn manifest(base: &str, version: &str, artifact_path: &str, signature: &str) -> String {
    let target = format!("linux-{}", std::env::consts::ARCH);
    serde_json::json!({
        "version": version,
        "notes": "Faster syncs.",
        "pub_date": "2026-12-01T12:00:00Z",
        "platforms": { target: { "url": format!("{base}{artifact_path}"), "signature": signature } },
    })
    .to_string()
}

/// Serves every feed the test needs on 127.0.0.1:0; returns its base URL.
async fn serve(key: &Key, other: &Key) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let good = artifact();
    let mut altered = artifact();
    altered[100] ^= 1;
    let signature = key.sign(&good, NEW_VERSION);
    let feeds = [
        // A newer version, properly signed.
        (
            "/ok/latest.json",
            manifest(&base, NEW_VERSION, "/Syncer.AppImage", &signature),
        ),
        // The same version as the app: nothing to do.
        (
            "/current/latest.json",
            manifest(&base, "0.1.0", "/Syncer.AppImage", &signature),
        ),
        // Signed, but with a key that is not the app's.
        (
            "/other-key/latest.json",
            manifest(
                &base,
                NEW_VERSION,
                "/Syncer.AppImage",
                &other.sign(&good, NEW_VERSION),
            ),
        ),
        // The right key's signature, over other bytes than those served.
        (
            "/altered/latest.json",
            manifest(&base, NEW_VERSION, "/altered.AppImage", &signature),
        ),
        // An old build's valid signature passed off as a new version.
        (
            "/replayed/latest.json",
            manifest(
                &base,
                NEW_VERSION,
                "/Syncer.AppImage",
                &key.sign(&good, "0.0.9"),
            ),
        ),
    ];
    let mut router = Router::new()
        .route("/Syncer.AppImage", get(move || async move { good.clone() }))
        .route(
            "/altered.AppImage",
            get(move || async move { altered.clone() }),
        );
    for (path, body) in feeds {
        router = router.route(
            path,
            get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body.clone(),
                )
            }),
        );
    }
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

/// The app (a mock Tauri app at version 0.1.0) with the updater for `feed`, and the stand-in
/// for its installed AppImage.
fn app_for(
    feed: &FeedConfig,
) -> (
    tauri::App<tauri::test::MockRuntime>,
    tempfile::TempDir,
    PathBuf,
) {
    let mut context = tauri::test::mock_context(tauri::test::noop_assets());
    let plugin = feed.install_plugin(&mut context);
    let app = tauri::test::mock_builder()
        .plugin(plugin)
        .build(context)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let installed = dir.path().join("Syncer.AppImage");
    std::fs::write(&installed, INSTALLED).unwrap();
    (app, dir, installed)
}

fn feed(base: &str, path: &str, key: &Key) -> FeedConfig {
    // As SYNCER_UPDATE_FEED and SYNCER_UPDATE_PUBKEY give them.
    FeedConfig::resolve(
        Some(format!("{base}{path}")),
        Some(key.public_base64()),
        None,
    )
    .unwrap()
    .unwrap()
}

#[tokio::test]
async fn a_signed_newer_version_is_found_verified_and_installed() {
    let (key, other) = (Key::new(), Key::new());
    let base = serve(&key, &other).await;
    let feed = feed(&base, "/ok/latest.json", &key);
    let (app, _dir, installed) = app_for(&feed);
    let client = UpdateClient::new(app.handle(), &feed, Some(installed.clone())).unwrap();

    let UpdateCheck::Available(pending) = client.check().await.unwrap() else {
        panic!("the newer version was not found");
    };
    let info = pending.info();
    assert_eq!(
        (info.current_version.as_str(), info.version.as_str()),
        ("0.1.0", NEW_VERSION)
    );
    assert_eq!(info.notes.as_deref(), Some("Faster syncs."));
    assert_eq!(info.date.as_deref(), Some("2026-12-01T12:00:00Z"));

    let verified = pending.download().await.unwrap();
    assert_eq!(verified.version(), NEW_VERSION);
    assert_eq!(verified.bytes(), artifact().as_slice());
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        INSTALLED,
        "nothing installed yet"
    );

    verified.install().unwrap();
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        artifact(),
        "the AppImage was replaced"
    );
}

#[tokio::test]
async fn the_current_version_is_up_to_date() {
    let (key, other) = (Key::new(), Key::new());
    let base = serve(&key, &other).await;
    let feed = feed(&base, "/current/latest.json", &key);
    let (app, _dir, installed) = app_for(&feed);
    let client = UpdateClient::new(app.handle(), &feed, Some(installed)).unwrap();
    match client.check().await.unwrap() {
        UpdateCheck::UpToDate { current_version } => assert_eq!(current_version, "0.1.0"),
        UpdateCheck::Available(p) => panic!("offered {:?}", p.info()),
    }
}

#[tokio::test]
async fn a_tampered_signature_is_refused_and_nothing_is_installed() {
    let (key, other) = (Key::new(), Key::new());
    let base = serve(&key, &other).await;
    for path in [
        "/other-key/latest.json",
        "/altered/latest.json",
        "/replayed/latest.json",
    ] {
        let feed = feed(&base, path, &key);
        let (app, _dir, installed) = app_for(&feed);
        let client = UpdateClient::new(app.handle(), &feed, Some(installed.clone())).unwrap();
        let UpdateCheck::Available(pending) = client.check().await.unwrap() else {
            panic!("{path}: the feed offers a newer version");
        };
        let error = pending.download().await.unwrap_err();
        assert!(
            matches!(&error, UpdateError::SignatureRejected { version, .. } if version == NEW_VERSION),
            "{path}: {error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("signature does not match Syncer's signing key")
                && message.contains("Nothing was installed"),
            "{path}: {message}"
        );
        assert_eq!(
            std::fs::read(&installed).unwrap(),
            INSTALLED,
            "{path}: untouched"
        );
    }
}

#[tokio::test]
async fn an_unreachable_feed_says_so() {
    let key = Key::new();
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let feed = feed(&format!("http://127.0.0.1:{port}"), "/latest.json", &key);
    let (app, _dir, installed) = app_for(&feed);
    let client = UpdateClient::new(app.handle(), &feed, Some(installed)).unwrap();
    let error = client.check().await.unwrap_err();
    assert!(matches!(error, UpdateError::Unreachable(_)), "{error:?}");
}
