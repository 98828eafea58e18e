//! Shared set-up: the stand-in Spotify on 127.0.0.1, a store in a temp dir, a manual clock,
//! and a "browser" that follows /authorize.

#![allow(dead_code)]
// each test binary uses a different part
// Test helpers: a failed set-up step should stop the test right there.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use spotify_fake::{FakeConfig, FakeSpotify};
use syncer_auth::vault::{VaultBackend, connection_key};
use syncer_auth::{
    Connections, ManualClock, Registry, Secret, StartOAuth, Vault, VaultError, VaultKind,
    deep_link_redirect_uri, providers,
};
use syncer_core::ids::ConnectionId;
use syncer_store::Store;

pub const CLIENT_ID: &str = "syncer-test-client";
pub const HOUR: Duration = Duration::from_secs(3600);

pub struct Env {
    pub fake: FakeSpotify,
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub connections: Connections,
    pub vault: Vault,
    /// How many secrets were written to the vault, ever.
    pub writes: Arc<Mutex<u64>>,
}

/// A memory vault that counts writes, so a test can prove nothing was stored.
#[derive(Default)]
pub struct CountingVault {
    entries: Mutex<std::collections::HashMap<String, Secret>>,
    writes: Arc<Mutex<u64>>,
}

impl VaultBackend for CountingVault {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self.entries.lock().unwrap().get(key).cloned())
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        *self.writes.lock().unwrap() += 1;
        self.entries
            .lock()
            .unwrap()
            .insert(key.to_owned(), value.clone());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.entries.lock().unwrap().remove(key);
        Ok(())
    }
}

pub fn spotify_at(fake: &FakeSpotify) -> Registry {
    Registry::builtin().with(providers::spotify::provider_at(
        &fake.accounts_base(),
        &fake.api_base(),
    ))
}

pub async fn env() -> Env {
    env_with(spotify_at, None).await
}

/// `vault`: `None` for a counting memory vault.
pub async fn env_with(
    registry: impl FnOnce(&FakeSpotify) -> Registry,
    vault: Option<Vault>,
) -> Env {
    env_with_config(FakeConfig::default(), registry, vault).await
}

/// As [`env_with`], with the stand-in configured (token lifetimes, rotation).
pub async fn env_with_config(
    config: FakeConfig,
    registry: impl FnOnce(&FakeSpotify) -> Registry,
    vault: Option<Vault>,
) -> Env {
    let fake = FakeSpotify::start(config).await.unwrap();
    fake.register_client(CLIENT_ID, &[&deep_link_redirect_uri("spotify")]);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
        .await
        .unwrap();
    let writes = Arc::new(Mutex::new(0));
    let vault = vault.unwrap_or_else(|| {
        Vault::custom(
            Arc::new(CountingVault {
                entries: Mutex::default(),
                writes: writes.clone(),
            }),
            VaultKind::Memory,
        )
    });
    let clock = Arc::new(ManualClock::starting_now());
    let connections = Connections::builder(store.clone(), vault.clone())
        .registry(registry(&fake))
        .clock(clock.clone())
        .build()
        .unwrap();
    connections
        .set_client_id("spotify", CLIENT_ID)
        .await
        .unwrap();
    Env {
        fake,
        dir,
        store,
        clock,
        connections,
        vault,
        writes,
    }
}

impl Env {
    pub fn writes(&self) -> u64 {
        *self.writes.lock().unwrap()
    }

    /// Starts a deep-link sign-in and lets the "browser" go through /authorize; returns the
    /// `syncer://` URL the OS would hand to the app.
    pub async fn deep_link_callback(&self) -> String {
        let start = self
            .connections
            .start_oauth(StartOAuth::new(
                "spotify",
                deep_link_redirect_uri("spotify"),
            ))
            .await
            .unwrap();
        browser_once(&start.authorize_url).await
    }

    pub async fn stored(&self, id: &ConnectionId) -> Option<serde_json::Value> {
        let secret = self.vault.get(&connection_key(id)).await.unwrap()?;
        Some(serde_json::from_str(secret.expose()).unwrap())
    }

    /// Another Syncer process on the same data: its own store handle, vault and memory.
    pub async fn other_process(&self, vault: Vault) -> Connections {
        let store = Store::open_file(&self.dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
        Connections::builder(store, vault)
            .registry(spotify_at(&self.fake))
            .clock(self.clock.clone())
            .build()
            .unwrap()
    }

    /// Signs in through the deep link; returns the new connection's id.
    pub async fn sign_in(&self) -> ConnectionId {
        let callback = self.deep_link_callback().await;
        self.connections.complete_oauth(&callback).await.unwrap().id
    }

    pub async fn refresh_token(&self, id: &ConnectionId) -> String {
        self.stored(id).await.unwrap()["refresh_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn http(follow: bool) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(if follow {
            reqwest::redirect::Policy::limited(5)
        } else {
            reqwest::redirect::Policy::none()
        })
        .build()
        .unwrap()
}

/// One browser step: GET /authorize and read where it redirects (a custom scheme cannot be
/// followed by an HTTP client, as a browser hands it to the OS).
pub async fn browser_once(authorize_url: &str) -> String {
    let response = http(false).get(authorize_url).send().await.unwrap();
    assert!(
        response.status().is_redirection(),
        "authorize answered {}: {}",
        response.status(),
        response.text().await.unwrap_or_default()
    );
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A browser that follows redirects, as to a loopback listener.
pub async fn browser_follow(authorize_url: &str) -> reqwest::Response {
    http(true).get(authorize_url).send().await.unwrap()
}

/// Asks the token endpoint directly, as an attacker holding an old refresh token would.
pub async fn raw_refresh(fake: &FakeSpotify, refresh_token: &str) -> reqwest::StatusCode {
    http(false)
        .post(format!("{}/api/token", fake.accounts_base()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", CLIENT_ID),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

/// Replaces one query parameter of a URL.
pub fn with_param(url: &str, key: &str, value: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == key {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

pub fn param(url: &str, key: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}
