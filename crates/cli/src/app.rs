//! What every command shares: the store (opened, interrupted syncs marked), the connections'
//! clients, and the demo stand-in running in this process.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec, Mode};
use syncer_auth::{Connections, Registry, SPOTIFY_API_ENV, Vault, VaultOptions};
use syncer_core::capabilities::Capabilities;
use syncer_core::engine::codec::{decode, encode};
use syncer_core::engine::{Engine, SyncLocks};
use syncer_core::ids::{BasePlaylistId, ConnectionId};
use syncer_core::provider::{MusicProvider, NewPlaylist};
use syncer_spotify::{ClientConfig, RateConfig, RetryPolicy, SpotifyClient, StaticToken};
use syncer_store::{AppPaths, BaseRecord, Store, StoreError};
use tokio::sync::Mutex;

use crate::cli::AppMode;
use crate::exit::{CliError, NOT_FOUND, SERVICE, USAGE};
use crate::tokens::CliTokens;

pub type Client = SpotifyClient<CliTokens>;
pub type SyncEngine = Engine<Client, Store>;

pub const DEMO_PROVIDER: &str = "demo";
pub const SPOTIFY_PROVIDER: &str = "spotify";

/// A demo connection's library: everything needed to generate it again, kept in the
/// connection's id (`demo-<seed>-<mode>-<tracks>`) since the stand-in forgets on exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoSpec {
    pub seed: u64,
    pub mode: AppMode,
    pub tracks: usize,
}

impl DemoSpec {
    pub fn connection_id(&self) -> ConnectionId {
        let mode = match self.mode {
            AppMode::Extended => "ext",
            AppMode::Development => "dev",
        };
        ConnectionId::new(format!("demo-{}-{mode}-{}", self.seed, self.tracks))
    }

    pub fn parse(id: &ConnectionId) -> Option<DemoSpec> {
        let mut parts = id.as_str().strip_prefix("demo-")?.split('-');
        let seed = parts.next()?.parse().ok()?;
        let mode = match parts.next()? {
            "ext" => AppMode::Extended,
            "dev" => AppMode::Development,
            _ => return None,
        };
        let tracks = parts.next()?.parse().ok()?;
        Some(DemoSpec { seed, mode, tracks })
    }

    pub fn fake_mode(&self) -> Mode {
        match self.mode {
            AppMode::Extended => Mode::ExtendedQuota,
            AppMode::Development => Mode::DevelopmentMode,
        }
    }

    /// One user owning a small playlist and the base-sized one.
    pub fn library(&self) -> LibrarySpec {
        LibrarySpec {
            users: 1,
            playlist_sizes: vec![25, self.tracks],
            followed_per_user: 0,
            catalog_tracks: (self.tracks * 2).max(1_500),
            shows: 2,
            ..LibrarySpec::default()
        }
    }

    pub fn describe(&self) -> String {
        let mode = match self.mode {
            AppMode::Extended => "extended quota",
            AppMode::Development => "Development Mode",
        };
        format!(
            "Demo library (seed {}, {mode}, {} tracks)",
            self.seed, self.tracks
        )
    }
}

/// A client tuned for the stand-in on loopback: no need to spare it.
/// The Spotify Web API the client talks to: Spotify's, or a stand-in named by
/// SYNCER_SPOTIFY_API_URL (on loopback it needs no sparing).
pub fn spotify_config() -> ClientConfig {
    match std::env::var(SPOTIFY_API_ENV) {
        Ok(base) if is_loopback(&base) => loopback_config(base),
        Ok(base) if !base.is_empty() => ClientConfig::with_api_base(base),
        _ => ClientConfig::default(),
    }
}

pub fn loopback_config(api_base: String) -> ClientConfig {
    ClientConfig {
        max_concurrency: 8,
        request_timeout: Duration::from_secs(5),
        rate: RateConfig {
            requests_per_second: 2_000,
            burst: 200,
            ..RateConfig::default()
        },
        retry: RetryPolicy {
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            ..RetryPolicy::default()
        },
        ..ClientConfig::with_api_base(api_base)
    }
}

/// A playlist Syncer just created is known to be empty: the first sync need not read it.
pub async fn known_empty(
    store: &Store,
    created: &syncer_core::provider::PlaylistInfo,
) -> anyhow::Result<()> {
    use syncer_core::engine::{KnownContents, SyncStorage as _};
    let known = KnownContents {
        snapshot: created.snapshot_id.clone(),
        tracks: Vec::new(),
    };
    store
        .set_known(
            &syncer_core::ids::ChildPlaylistId::new(created.id.as_str()),
            Some(&known),
        )
        .await?;
    Ok(())
}

fn is_loopback(base: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| base.starts_with(p))
}

pub struct App {
    pub store: Store,
    paths: AppPaths,
    pub json: bool,
    pub locks: SyncLocks,
    clients: Mutex<HashMap<ConnectionId, Client>>,
    fakes: Mutex<HashMap<ConnectionId, Arc<FakeSpotify>>>,
}

impl App {
    /// Opens the store and closes the books on syncs a previous process left running.
    pub async fn open(data_dir: Option<PathBuf>, json: bool) -> anyhow::Result<App> {
        let paths = match data_dir {
            Some(dir) => AppPaths::at(dir),
            None => AppPaths::from_env().ok_or(StoreError::NoDataDir)?,
        };
        let store = Store::open(&paths).await?;
        for event in store.mark_interrupted().await? {
            eprintln!(
                "note: sync {} of base {} was interrupted: {}",
                event.id,
                event.base,
                event.error.as_deref().unwrap_or("")
            );
        }
        Ok(App {
            store,
            paths,
            json,
            locks: SyncLocks::default(),
            clients: Mutex::new(HashMap::new()),
            fakes: Mutex::new(HashMap::new()),
        })
    }

    /// Sign-ins and their secrets: the vault (keyring, or the encrypted file with
    /// SYNCER_VAULT_PASSPHRASE), and the providers, Spotify pointed at a stand-in when
    /// SYNCER_SPOTIFY_ACCOUNTS_URL and SYNCER_SPOTIFY_API_URL say so.
    pub async fn auth(&self) -> anyhow::Result<Connections> {
        let options = VaultOptions::from_env(&self.paths)?;
        let vault = Vault::open_async(options).await?;
        tracing::debug!(vault = ?vault.kind(), "vault open");
        Ok(Connections::builder(self.store.clone(), vault)
            .registry(Registry::from_env())
            .build()?)
    }

    /// The one connection, or the one named.
    pub async fn resolve_connection(&self, named: Option<&str>) -> anyhow::Result<ConnectionId> {
        let all = self.store.list_connections().await?;
        match named {
            Some(id) => all
                .iter()
                .find(|c| c.id.as_str() == id)
                .map(|c| c.id.clone())
                .ok_or_else(|| {
                    CliError::not_found(format!(
                        "no connection {id}; `syncer connections list` shows them"
                    ))
                    .into()
                }),
            None => match all.as_slice() {
                [one] => Ok(one.id.clone()),
                [] => Err(CliError::not_found(
                    "no connection yet: `syncer connect demo` (or `syncer demo`) to try, \
                     `syncer connect spotify` for your account",
                )
                .into()),
                _ => Err(CliError::new(
                    USAGE,
                    "several connections: say which with --connection (`syncer connections list`)",
                )
                .into()),
            },
        }
    }

    pub async fn base(&self, id: &str) -> anyhow::Result<BaseRecord> {
        self.store
            .get_base(&BasePlaylistId::new(id))
            .await?
            .ok_or_else(|| {
                CliError::not_found(format!(
                    "{id} is not a base; `syncer base list` shows them, `syncer base add` adds one"
                ))
                .into()
            })
    }

    /// The stand-in of a demo connection, when it runs in this process.
    pub async fn fake(&self, connection: &ConnectionId) -> Option<Arc<FakeSpotify>> {
        self.fakes.lock().await.get(connection).cloned()
    }

    /// The client of a connection, built once per command.
    pub async fn client(&self, connection: &ConnectionId) -> anyhow::Result<Client> {
        if let Some(c) = self.clients.lock().await.get(connection) {
            return Ok(c.clone());
        }
        let record = self
            .store
            .get_connection(connection)
            .await?
            .ok_or_else(|| {
                CliError::new(
                    NOT_FOUND,
                    format!("no connection {connection}; `syncer connections list` shows them"),
                )
            })?;
        let caps: Capabilities = record
            .capabilities
            .as_deref()
            .and_then(|c| decode(c).ok())
            .unwrap_or_default();
        let client = match record.provider.as_str() {
            DEMO_PROVIDER => {
                let spec = DemoSpec::parse(connection).ok_or_else(|| {
                    CliError::new(
                        NOT_FOUND,
                        format!("{connection} is not a demo connection id"),
                    )
                })?;
                let client = self.start_demo(spec, caps).await?;
                self.rehydrate_demo(connection, &client).await?;
                client
            }
            SPOTIFY_PROVIDER => {
                let tokens = self.auth().await?.tokens(connection);
                SpotifyClient::with_capabilities(
                    connection.clone(),
                    CliTokens::Vault(tokens),
                    spotify_config(),
                    caps,
                )?
            }
            other => {
                return Err(CliError::new(
                    SERVICE,
                    format!("connections to {other} are not supported by this version"),
                )
                .into());
            }
        };
        self.clients
            .lock()
            .await
            .insert(connection.clone(), client.clone());
        Ok(client)
    }

    /// Starts the demo's stand-in on loopback and a client signed in as its user.
    pub async fn start_demo(&self, spec: DemoSpec, caps: Capabilities) -> anyhow::Result<Client> {
        let fake = FakeSpotify::start(FakeConfig {
            mode: spec.fake_mode(),
            seed: spec.seed,
            library: spec.library(),
            ..FakeConfig::default()
        })
        .await
        .context("could not start the demo's stand-in on 127.0.0.1")?;
        let user = fake
            .library()
            .users()
            .first()
            .map(|u| u.id.clone())
            .ok_or_else(|| CliError::new(SERVICE, "the demo library has no user"))?;
        let token = fake.mint_token(&user);
        let client = SpotifyClient::with_capabilities(
            spec.connection_id(),
            CliTokens::Fixed(StaticToken::new(token)),
            loopback_config(fake.api_base()),
            caps,
        )?;
        self.fakes
            .lock()
            .await
            .insert(spec.connection_id(), Arc::new(fake));
        Ok(client)
    }

    /// The stand-in starts afresh in each command: create the children's playlists again (the
    /// stand-in derives ids from the seed and their count, so they get the same ids) and
    /// forget what was known of their contents.
    async fn rehydrate_demo(
        &self,
        connection: &ConnectionId,
        client: &Client,
    ) -> anyhow::Result<()> {
        let bases: Vec<BaseRecord> = self
            .store
            .list_bases()
            .await?
            .into_iter()
            .filter(|b| &b.connection == connection)
            .collect();
        let mut wanted = std::collections::HashSet::new();
        for b in &bases {
            for c in self.store.list_children(&b.id).await? {
                wanted.insert(c.id.to_string());
            }
            self.store.forget_sync_state(&b.id).await?;
        }
        let mut attempts = wanted.len() + 20;
        while !wanted.is_empty() && attempts > 0 {
            attempts -= 1;
            let created = client
                .create_playlist(&NewPlaylist {
                    name: "Syncer demo child".into(),
                    description: None,
                    public: false,
                    collaborative: false,
                })
                .await?;
            if wanted.remove(created.id.as_str()) {
                known_empty(&self.store, &created).await?;
            }
        }
        Ok(())
    }

    pub async fn engine(&self, connection: &ConnectionId) -> anyhow::Result<SyncEngine> {
        let client = self.client(connection).await?;
        Ok(Engine::new(client, self.store.clone()).with_locks(self.locks.clone()))
    }

    /// Probes what the connection can provide and keeps it with the connection.
    pub async fn probe(&self, connection: &ConnectionId) -> anyhow::Result<Capabilities> {
        let client = self.client(connection).await?;
        let caps = client.detect_capabilities().await?;
        self.store
            .set_connection_capabilities(connection, Some(&encode(&caps)))
            .await?;
        Ok(caps)
    }
}
