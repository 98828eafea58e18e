//! What every front end shares: the store, the connections' clients (built once, kept for the
//! process), and the demo stand-ins running in this process.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use spotify_fake::{FakeConfig, FakeSpotify};
use syncer_auth::{ConnectionDetails, Connections, Vault, VaultError};
use syncer_cloud_client::CloudDevice;
use syncer_core::capabilities::Capabilities;
use syncer_core::engine::codec::encode;
use syncer_core::engine::{Engine, EngineConfig, KnownContents, SyncLocks, SyncStorage as _};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId};
use syncer_core::provider::{MusicProvider, NewPlaylist, PlaylistInfo, ProviderError};
use syncer_spotify::{ClientConfig, RateConfig, RetryPolicy, SpotifyClient, StaticToken};
use syncer_store::{AppPaths, BaseRecord, ConnectionStatus, Store, SyncEventRecord};
use tokio::sync::Mutex;

use crate::config::Config;
use crate::demo::DemoSpec;
use crate::error::{AppError, AppResult, Thing};
use crate::tokens::AppTokens;

pub type Client = SpotifyClient<AppTokens>;
pub type SyncEngine = Engine<Client, Store>;

pub use crate::providers::{DEMO_PROVIDER, SPOTIFY_PROVIDER};

/// The Spotify Web API the client talks to: Spotify's, or a stand-in the configuration names
/// (on loopback it needs no sparing).
pub fn spotify_config(config: &Config) -> ClientConfig {
    match config.spotify.api_url.clone() {
        Some(base) if is_loopback(&base) => loopback_config(base),
        Some(base) => ClientConfig::with_api_base(base),
        None => ClientConfig::default(),
    }
}

/// A client tuned for a stand-in on loopback: no need to spare it.
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

pub(crate) fn is_loopback(base: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| base.starts_with(p))
}

/// A playlist Syncer just created is known to be empty: the first sync need not read it.
pub async fn known_empty(store: &Store, created: &PlaylistInfo) -> AppResult<()> {
    let known = KnownContents {
        snapshot: created.snapshot_id.clone(),
        tracks: Vec::new(),
    };
    store
        .set_known(&ChildPlaylistId::new(created.id.as_str()), Some(&known))
        .await
        .map_err(|e| AppError::Engine(e.into()))
}

pub struct Services {
    /// Private to this crate: every use of the store is a use case here, so the front ends
    /// cannot grow their own copies.
    pub(crate) store: Store,
    config: Config,
    /// Where secrets are kept: opened once (possibly locked, waiting for the passphrase), or
    /// why it could not be.
    pub(crate) vault: Result<Vault, String>,
    /// The connections service, when the front end opened it already (the desktop app keeps
    /// one for its life); otherwise each call to [`Services::auth`] opens the vault.
    connections: Option<Connections>,
    pub locks: SyncLocks,
    clients: Mutex<HashMap<ConnectionId, Client>>,
    fakes: Mutex<HashMap<ConnectionId, Arc<FakeSpotify>>>,
    /// MusicBrainz's clients and the demos' stand-ins (see [`crate::metadata`]).
    pub(crate) metadata: crate::metadata::OpenMetadata,
    /// This device's side of the cloud account, made on first use.
    cloud: tokio::sync::OnceCell<Arc<CloudDevice>>,
}

impl std::fmt::Debug for Services {
    /// Where it works; clients and stand-ins hold nothing worth printing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("data_dir", &self.config.paths.data_dir())
            .finish_non_exhaustive()
    }
}

impl Services {
    /// Opens the store and the vault as `config` says, and closes the books on syncs a
    /// previous process left running; returns those, so the front end can say so. With no
    /// keyring and no passphrase the secrets file starts locked ([`Services::unlock_vault`]).
    pub async fn open(config: Config) -> AppResult<(Services, Vec<SyncEventRecord>)> {
        let store = Store::open(&config.paths).await?;
        let interrupted = store.mark_interrupted().await?;
        let vault = match Vault::open_async(config.vault_options()).await {
            Ok(vault) => Ok(vault),
            Err(VaultError::PassphraseNeeded { path, reason }) => {
                tracing::info!(%reason, "secrets file locked until its passphrase is given");
                Ok(Vault::locked_file(&path, reason))
            }
            Err(e) => Err(e.to_string()),
        };
        if let Ok(vault) = &vault {
            tracing::debug!(vault = ?vault.kind(), "vault open");
        }
        let connections = match &vault {
            Ok(vault) => Some(
                // Every process sharing this data dir renews tokens under the same lock.
                Connections::builder(store.clone(), vault.clone())
                    .registry(config.registry())
                    .refresh_lock(config.paths.data_dir().join(syncer_auth::LOCK_FILE))
                    .build()?,
            ),
            Err(_) => None,
        };
        Ok((
            Services {
                store,
                config,
                vault,
                connections,
                locks: SyncLocks::default(),
                clients: Mutex::new(HashMap::new()),
                fakes: Mutex::new(HashMap::new()),
                metadata: crate::metadata::OpenMetadata::default(),
                cloud: tokio::sync::OnceCell::new(),
            },
            interrupted,
        ))
    }

    pub fn paths(&self) -> &AppPaths {
        &self.config.paths
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sign-ins and their secrets: the vault and the providers. Refuses, saying why, while
    /// the vault is locked or could not open.
    pub async fn auth(&self) -> AppResult<Connections> {
        let vault = self
            .vault
            .as_ref()
            .map_err(|e| AppError::Service(e.clone()))?;
        if vault.is_locked() {
            return Err(AppError::Vault(VaultError::PassphraseNeeded {
                path: self.config.vault_options().file_path,
                reason: "no system keyring, and the secrets file's passphrase was not given".into(),
            }));
        }
        self.connections
            .clone()
            .ok_or_else(|| AppError::Service("sign-ins are unavailable".into()))
    }

    /// The connections service even while the vault is locked: listing needs no secret.
    pub(crate) fn connections_service(&self) -> Option<&Connections> {
        self.connections.as_ref()
    }

    /// This device's side of the optional cloud account (sign-in, passphrase, setup sync,
    /// enrollment), built once per process over the store and the vault.
    pub async fn cloud(&self) -> AppResult<Arc<CloudDevice>> {
        let vault = self
            .vault
            .as_ref()
            .map_err(|e| AppError::Service(e.clone()))?
            .clone();
        let device = self
            .cloud
            .get_or_init(|| async {
                Arc::new(
                    CloudDevice::new(self.store.clone(), vault, self.config.paths.data_dir())
                        .with_app_version(env!("CARGO_PKG_VERSION")),
                )
            })
            .await;
        Ok(Arc::clone(device))
    }

    /// Closes the store: the last thing a front end does.
    pub async fn close(&self) {
        self.store.clone().close().await;
    }

    /// The one connection, or the one named.
    pub async fn resolve_connection(&self, named: Option<&str>) -> AppResult<ConnectionId> {
        let all = self.store.list_connections().await?;
        match named {
            Some(id) => all
                .iter()
                .find(|c| c.id.as_str() == id)
                .map(|c| c.id.clone())
                .ok_or_else(|| AppError::missing(Thing::Connection, id)),
            None => match all.as_slice() {
                [one] => Ok(one.id.clone()),
                [] => Err(AppError::NoConnection),
                _ => Err(AppError::WhichConnection),
            },
        }
    }

    pub async fn base(&self, id: &str) -> AppResult<BaseRecord> {
        self.store
            .get_base(&BasePlaylistId::new(id))
            .await?
            .ok_or_else(|| AppError::missing(Thing::Base, id))
    }

    /// The stand-in of a demo connection, when it runs in this process.
    pub async fn fake(&self, connection: &ConnectionId) -> Option<Arc<FakeSpotify>> {
        self.fakes.lock().await.get(connection).cloned()
    }

    /// Forgets a connection's client (after it was removed or signed in again).
    pub async fn forget_client(&self, connection: &ConnectionId) {
        self.clients.lock().await.remove(connection);
        self.fakes.lock().await.remove(connection);
    }

    /// Until when the service asked this connection to wait, from the client this process
    /// holds (none built yet means no 429 seen here). Builds nothing and calls nothing.
    pub async fn rate_limited_until(&self, connection: &ConnectionId) -> Option<SystemTime> {
        self.clients
            .lock()
            .await
            .get(connection)
            .and_then(Client::rate_limited_until)
    }

    /// A connection and how it stands: the stored view, sharpened by a live 429 this
    /// process's client is waiting out.
    pub async fn connection_details(
        &self,
        connection: &ConnectionId,
    ) -> AppResult<ConnectionDetails> {
        let connections = self.connections_service().ok_or_else(|| {
            AppError::Service(self.vault.as_ref().err().cloned().unwrap_or_default())
        })?;
        let mut details = match connections.get(connection).await {
            Err(syncer_auth::AuthError::NotFound(_)) => {
                return Err(AppError::missing(Thing::Connection, connection.as_str()));
            }
            other => other?,
        };
        if let Some(until) = self.rate_limited_until(connection).await {
            details.health = details.health.rate_limited(until);
        }
        Ok(details)
    }

    /// The client of a connection, built once per process.
    pub async fn client(&self, connection: &ConnectionId) -> AppResult<Client> {
        if let Some(c) = self.clients.lock().await.get(connection) {
            return Ok(c.clone());
        }
        let record = self
            .store
            .get_connection(connection)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Connection, connection.as_str()))?;
        let caps = self.capabilities(connection).await?.unwrap_or_default();
        let client = match record.provider.as_str() {
            DEMO_PROVIDER => {
                let spec = DemoSpec::parse(connection)
                    .ok_or_else(|| AppError::missing(Thing::Connection, connection.as_str()))?;
                let client = self.start_demo(spec, caps).await?;
                self.rehydrate_demo(connection, &client).await?;
                client
            }
            SPOTIFY_PROVIDER => {
                let tokens = self.auth().await?.tokens(connection);
                SpotifyClient::with_capabilities(
                    connection.clone(),
                    AppTokens::Vault(tokens),
                    spotify_config(&self.config),
                    caps,
                )?
            }
            other => {
                return Err(AppError::Service(format!(
                    "connections to {other} are not supported by this version"
                )));
            }
        };
        self.clients
            .lock()
            .await
            .insert(connection.clone(), client.clone());
        Ok(client)
    }

    /// Starts the demo's stand-in on loopback and a client signed in as its user.
    pub async fn start_demo(&self, spec: DemoSpec, caps: Capabilities) -> AppResult<Client> {
        let fake = FakeSpotify::start(FakeConfig {
            mode: spec.fake_mode(),
            seed: spec.seed,
            library: spec.library(),
            latency: self.config.demo_latency,
            ..FakeConfig::default()
        })
        .await?;
        let user = fake
            .library()
            .users()
            .first()
            .map(|u| u.id.clone())
            .ok_or_else(|| AppError::Service("the demo library has no user".into()))?;
        let token = fake.mint_token(&user);
        let client = SpotifyClient::with_capabilities(
            spec.connection_id(),
            AppTokens::Fixed(StaticToken::new(token)),
            loopback_config(fake.api_base()),
            caps,
        )?;
        self.fakes
            .lock()
            .await
            .insert(spec.connection_id(), Arc::new(fake));
        Ok(client)
    }

    /// The stand-in starts afresh in each process: create the children's playlists again
    /// (the stand-in derives ids from the seed and their count, so they get the same ids)
    /// and forget what was known of their contents.
    async fn rehydrate_demo(&self, connection: &ConnectionId, client: &Client) -> AppResult<()> {
        let bases: Vec<BaseRecord> = self
            .store
            .list_bases()
            .await?
            .into_iter()
            .filter(|b| &b.connection == connection)
            .collect();
        let mut wanted = HashSet::new();
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

    pub async fn engine(&self, connection: &ConnectionId) -> AppResult<SyncEngine> {
        let client = self.client(connection).await?;
        let config = EngineConfig {
            metadata: crate::metadata::metadata_settings(&self.config.metadata),
            zone: self.config.time_zone.clone(),
            ..EngineConfig::default()
        };
        Ok(Engine::new(client, self.store.clone())
            .with_locks(self.locks.clone())
            .with_config(config))
    }

    /// Probes what the connection can provide and keeps it with the connection.
    pub async fn probe(&self, connection: &ConnectionId) -> AppResult<Capabilities> {
        let client = self.client(connection).await?;
        let caps = match client.detect_capabilities().await {
            Ok(caps) => caps,
            Err(e) => {
                self.note_provider_error(connection, &e).await?;
                return Err(e.into());
            }
        };
        self.store
            .set_connection_capabilities(connection, Some(&encode(&caps)))
            .await?;
        self.note_answering(connection).await?;
        Ok(caps)
    }

    /// Keeps with the connection what a failure says about the account itself: Development
    /// Mode's "not on the app's user list" shows on the connection until a call succeeds.
    pub async fn note_provider_error(
        &self,
        connection: &ConnectionId,
        error: &ProviderError,
    ) -> AppResult<()> {
        if let ProviderError::NotInAppUsers { message } = error {
            self.store
                .set_connection_status(connection, ConnectionStatus::NotInAppUsers, Some(message))
                .await?;
        }
        Ok(())
    }

    /// A call on the connection succeeded: a stale "not on the app's user list" goes.
    pub async fn note_answering(&self, connection: &ConnectionId) -> AppResult<()> {
        let stale = self
            .store
            .get_connection(connection)
            .await?
            .is_some_and(|c| c.status == ConnectionStatus::NotInAppUsers);
        if stale {
            self.store
                .set_connection_status(connection, ConnectionStatus::Ok, None)
                .await?;
        }
        Ok(())
    }
}
