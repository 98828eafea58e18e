//! [`CloudDevice`]: this device's side of the cloud, what the desktop app and the CLI call.
//! Every method is async and returns a typed [`CloudError`]; the status and report types
//! serialise for the GUI.

use std::path::{Path, PathBuf};

use serde::Serialize;
use syncer_auth::Vault;
use syncer_cloud::model::{DeviceDetails, KeyBundleBody, LoginRequest, RegisterRequest, Session};
use syncer_crypto::{KdfParams, KeyBundle, KeyId, MasterKey, Passphrase, RecoveryCode};
use syncer_store::Store;
use tokio::sync::Mutex;

use crate::api::CloudApi;
use crate::error::{CloudError, Result};
use crate::secrets::{Secrets, Tokens};
use crate::state::{self, SyncState};

/// Where this device stands with the cloud.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CloudStatus {
    pub signed_in: bool,
    pub server_url: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<String>,
    pub device_id: Option<String>,
    /// The account's key id as this device knows it.
    pub key_id: Option<String>,
    /// The master key is on this device: it can sync.
    pub unlocked: bool,
    pub cursor: i64,
    /// Unix milliseconds.
    pub last_sync_at: Option<i64>,
    /// Records this device keeps in step.
    pub records: usize,
    /// Records with a conflict waiting for a choice.
    pub open_conflicts: usize,
}

/// What entering the passphrase did.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PassphraseOutcome {
    /// The account had no key: one was made. Show the recovery code once, with the warning.
    Created {
        key_id: String,
        recovery_code: String,
    },
    /// The account's key was unlocked on this device.
    Unlocked { key_id: String },
}

impl std::fmt::Debug for PassphraseOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Created { key_id, .. } => write!(f, "Created({key_id}, recovery code redacted)"),
            Self::Unlocked { key_id } => write!(f, "Unlocked({key_id})"),
        }
    }
}

/// The warning that goes with a recovery code, wherever it is shown.
pub const RECOVERY_WARNING: &str = "Write this recovery code down and keep it somewhere safe. \
    Your synced setup is encrypted with your sync passphrase; the server cannot read it or \
    reset it. If you lose both the passphrase and this code, the synced data is gone for good \
    (your devices keep their own copies).";

/// This device's cloud side. Cheap to share behind an `Arc`; one operation runs at a time.
pub struct CloudDevice {
    pub(crate) store: Store,
    pub(crate) secrets: Secrets,
    pub(crate) state_path: PathBuf,
    pub(crate) kdf: KdfParams,
    device_name: String,
    /// What this device tells the server about itself when it signs in (platform, OS, app).
    details: DeviceDetails,
    busy: Mutex<()>,
}

/// A signed-in session for one operation: the state, the API and a valid access token.
pub(crate) struct Ctx {
    pub state: SyncState,
    pub api: CloudApi,
    pub tokens: Tokens,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl CloudDevice {
    /// `data_dir` is the app data folder (the sync state file goes there), `vault` where the
    /// tokens and the key are kept.
    pub fn new(store: Store, vault: Vault, data_dir: &Path) -> Self {
        Self {
            store,
            secrets: Secrets::new(vault),
            state_path: state::path_in(data_dir),
            kdf: KdfParams::INTERACTIVE,
            device_name: default_device_name(),
            details: crate::machine::this_machine(None),
            busy: Mutex::new(()),
        }
    }

    /// Argon2id costs for a new passphrase (tests use cheap ones).
    pub fn with_kdf(mut self, kdf: KdfParams) -> Self {
        self.kdf = kdf;
        self
    }

    /// The name the server lists this device under.
    pub fn with_device_name(mut self, name: impl Into<String>) -> Self {
        self.device_name = name.into();
        self
    }

    /// The app's version, told to the server with the platform and OS when signing in, so the
    /// device list can say which version each device runs.
    pub fn with_app_version(mut self, version: impl Into<String>) -> Self {
        self.details.app_version = Some(version.into());
        self
    }

    pub(crate) fn device_name(&self) -> &str {
        &self.device_name
    }

    /// The status, for a caller that holds the lock already.
    pub(crate) async fn status_unlocked(&self) -> Result<Option<CloudStatus>> {
        if state::load(&self.state_path).await?.is_none() {
            return Ok(None);
        }
        self.status().await.map(Some)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The vault, for tests that plant or read entries.
    #[doc(hidden)]
    pub fn vault_for_tests(&self) -> &Vault {
        self.secrets.vault()
    }

    pub(crate) async fn lock(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.busy.lock().await
    }

    pub async fn status(&self) -> Result<CloudStatus> {
        let Some(state) = state::load(&self.state_path).await? else {
            return Ok(CloudStatus::default());
        };
        let signed_in = self.secrets.tokens().await?.is_some();
        let unlocked = self.secrets.master_key().await?.is_some();
        Ok(CloudStatus {
            signed_in,
            server_url: Some(state.server_url),
            email: Some(state.email),
            user_id: Some(state.user_id),
            device_id: Some(state.device_id),
            key_id: state.key_id,
            unlocked,
            cursor: state.cursor,
            last_sync_at: state.last_sync_at,
            records: state.records.len(),
            open_conflicts: state
                .records
                .values()
                .filter(|r| r.conflict_id.is_some())
                .count(),
        })
    }

    /// Creates an account on the server at `server_url` and signs this device in.
    pub async fn sign_up(
        &self,
        server_url: &str,
        email: &str,
        password: &str,
    ) -> Result<CloudStatus> {
        let _busy = self.lock().await;
        let api = CloudApi::new(server_url)?;
        let session = api
            .register(&RegisterRequest {
                email: email.to_owned(),
                password: password.to_owned(),
                device_name: self.device_name.clone(),
                details: self.details.clone(),
            })
            .await?;
        self.begin(api, email, session).await?;
        drop(_busy);
        self.status().await
    }

    /// Signs this device in to an existing account.
    pub async fn sign_in(
        &self,
        server_url: &str,
        email: &str,
        password: &str,
    ) -> Result<CloudStatus> {
        let _busy = self.lock().await;
        let api = CloudApi::new(server_url)?;
        let session = api
            .login(&LoginRequest {
                email: email.to_owned(),
                password: password.to_owned(),
                device_name: self.device_name.clone(),
                details: self.details.clone(),
            })
            .await?;
        self.begin(api, email, session).await?;
        drop(_busy);
        self.status().await
    }

    pub(crate) async fn begin(&self, api: CloudApi, email: &str, session: Session) -> Result<()> {
        // A previous account's key must never encrypt this one's records.
        self.secrets.clear().await?;
        self.secrets.set_tokens(&tokens_of(&session)).await?;
        let state = SyncState {
            server_url: api.base_url().to_owned(),
            email: email.trim().to_lowercase(),
            user_id: session.user_id,
            device_id: session.device_id,
            ..SyncState::default()
        };
        state::save(&self.state_path, &state).await?;
        tracing::info!(server = %state.server_url, device = %state.device_id, "signed in to the cloud");
        Ok(())
    }

    /// Signs out: the server ends the session (when reachable) and the tokens, the key and
    /// the sync state leave this device. The local setup stays.
    pub async fn sign_out(&self) -> Result<()> {
        let _busy = self.lock().await;
        if let (Some(state), Some(tokens)) = (
            state::load(&self.state_path).await?,
            self.secrets.tokens().await?,
        ) && let Ok(api) = CloudApi::new(&state.server_url)
            && let Err(e) = api.logout(&tokens.access_token).await
        {
            tracing::info!(error = %e, "the server did not take the sign-out; forgetting locally anyway");
        }
        self.forget().await
    }

    /// Forgets the account on this device without asking the server: the tokens, the key and
    /// the sync state go (what "delete all data" and a removed device need).
    pub async fn forget(&self) -> Result<()> {
        self.secrets.clear().await?;
        state::remove(&self.state_path).await
    }

    /// The state, the API and a fresh access token (refreshed when about to expire).
    pub(crate) async fn ctx(&self) -> Result<Ctx> {
        let state = state::load(&self.state_path)
            .await?
            .ok_or(CloudError::NotSignedIn)?;
        let tokens = self
            .secrets
            .tokens()
            .await?
            .ok_or(CloudError::NotSignedIn)?;
        let api = CloudApi::new(&state.server_url)?;
        let mut ctx = Ctx { state, api, tokens };
        if ctx.tokens.access_expires_at - now_ms() < 30_000 {
            self.refresh(&mut ctx).await?;
        }
        Ok(ctx)
    }

    pub(crate) async fn refresh(&self, ctx: &mut Ctx) -> Result<()> {
        match ctx.api.refresh(&ctx.tokens.refresh_token).await {
            Ok(session) => {
                ctx.tokens = tokens_of(&session);
                self.secrets.set_tokens(&ctx.tokens).await
            }
            Err(CloudError::DeviceRemoved) => {
                // Removed on another device: nothing of the account stays here.
                self.forget().await?;
                Err(CloudError::DeviceRemoved)
            }
            Err(CloudError::SessionEnded { reason }) => {
                self.secrets.clear().await?;
                Err(CloudError::SessionEnded { reason })
            }
            Err(CloudError::Api { code, message, .. }) if code == "token_invalid" => {
                self.secrets.clear().await?;
                Err(CloudError::SessionEnded { reason: message })
            }
            Err(e) => Err(e),
        }
    }

    /// Runs `call` with the access token; a token the server no longer takes is refreshed
    /// once and the call repeated.
    pub(crate) async fn authed<T, F, Fut>(&self, ctx: &mut Ctx, call: F) -> Result<T>
    where
        F: Fn(CloudApi, String) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        match call(ctx.api.clone(), ctx.tokens.access_token.clone()).await {
            Err(CloudError::DeviceRemoved) => {
                self.forget().await?;
                Err(CloudError::DeviceRemoved)
            }
            // A wrong password (401 too) is an answer, not an expired token.
            Err(CloudError::Api {
                status: 401, code, ..
            }) if code != "invalid_credentials" => {
                self.refresh(ctx).await?;
                call(ctx.api.clone(), ctx.tokens.access_token.clone()).await
            }
            other => other,
        }
    }

    pub(crate) async fn save(&self, state: &SyncState) -> Result<()> {
        state::save(&self.state_path, state).await
    }

    pub(crate) async fn master(&self) -> Result<MasterKey> {
        self.secrets.master_key().await?.ok_or(CloudError::Locked)
    }

    /// Sets up or enters the sync passphrase. On an account without a key this makes one
    /// (and a recovery code, shown once); otherwise it unlocks the account's key here, and a
    /// wrong passphrase is [`CloudError::WrongPassphrase`].
    pub async fn enter_passphrase(&self, passphrase: &Passphrase) -> Result<PassphraseOutcome> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        let existing = self
            .authed(&mut ctx, |api, t| async move { api.get_key(&t).await })
            .await?;
        match existing {
            None => {
                let (pass, kdf) = (passphrase.clone(), self.kdf);
                let keys = blocking(move || KeyBundle::create(&pass, kdf)).await?;
                let body = KeyBundleBody {
                    key_id: keys.bundle.key_id.to_string(),
                    bundle: serde_json::from_str(&keys.bundle.to_json())
                        .map_err(|e| CloudError::Invalid(e.to_string()))?,
                };
                self.authed(&mut ctx, |api, t| {
                    let body = body.clone();
                    async move { api.put_key(&t, &body).await }
                })
                .await?;
                self.keep_key(&mut ctx, &keys.master).await?;
                Ok(PassphraseOutcome::Created {
                    key_id: keys.master.key_id().to_string(),
                    recovery_code: keys.recovery.to_words().to_string(),
                })
            }
            Some(body) => {
                let bundle = KeyBundle::from_json(&body.bundle.to_string())
                    .map_err(CloudError::from_crypto)?;
                let pass = passphrase.clone();
                let master = blocking(move || bundle.unlock(&pass)).await?;
                self.keep_key(&mut ctx, &master).await?;
                Ok(PassphraseOutcome::Unlocked {
                    key_id: master.key_id().to_string(),
                })
            }
        }
    }

    /// Unlocks with the recovery code and sets a new passphrase (the old one stops working on
    /// every device; the key, and so the data, stay the same).
    pub async fn recover(
        &self,
        recovery_code: &str,
        new_passphrase: &Passphrase,
    ) -> Result<String> {
        let _busy = self.lock().await;
        let code = RecoveryCode::parse(recovery_code).map_err(CloudError::from_crypto)?;
        let mut ctx = self.ctx().await?;
        let bundle = self.account_bundle(&mut ctx).await?;
        let (new, kdf) = (new_passphrase.clone(), self.kdf);
        let (master, rewrapped) = blocking(move || {
            let master = bundle.unlock_with_recovery(&code)?;
            let rewrapped = bundle.change_passphrase(&master, &new, kdf)?;
            Ok((master, rewrapped))
        })
        .await?;
        self.upload_bundle(&mut ctx, &rewrapped).await?;
        self.keep_key(&mut ctx, &master).await?;
        Ok(master.key_id().to_string())
    }

    /// A new passphrase for the same key (this device must be unlocked).
    pub async fn change_passphrase(&self, new_passphrase: &Passphrase) -> Result<()> {
        let _busy = self.lock().await;
        let master = self.master().await?;
        let mut ctx = self.ctx().await?;
        let bundle = self.account_bundle(&mut ctx).await?;
        if bundle.key_id != master.key_id() {
            return Err(CloudError::wrong_key(&bundle.key_id, &master.key_id()));
        }
        let (new, kdf, key) = (new_passphrase.clone(), self.kdf, master.clone());
        let rewrapped = blocking(move || bundle.change_passphrase(&key, &new, kdf)).await?;
        self.upload_bundle(&mut ctx, &rewrapped).await
    }

    async fn account_bundle(&self, ctx: &mut Ctx) -> Result<KeyBundle> {
        let body = self
            .authed(ctx, |api, t| async move { api.get_key(&t).await })
            .await?
            .ok_or_else(|| {
                CloudError::Invalid(
                    "this account has no sync key yet: set a passphrase first (`syncer cloud passphrase`)"
                        .to_owned(),
                )
            })?;
        KeyBundle::from_json(&body.bundle.to_string()).map_err(CloudError::from_crypto)
    }

    async fn upload_bundle(&self, ctx: &mut Ctx, bundle: &KeyBundle) -> Result<()> {
        let body = KeyBundleBody {
            key_id: bundle.key_id.to_string(),
            bundle: serde_json::from_str(&bundle.to_json())
                .map_err(|e| CloudError::Invalid(e.to_string()))?,
        };
        self.authed(ctx, |api, t| {
            let body = body.clone();
            async move { api.put_key(&t, &body).await }
        })
        .await?;
        Ok(())
    }

    /// Keeps the key in the vault; a key other than the one this device synced with before
    /// (the cloud data was deleted and started over) means syncing everything afresh.
    pub(crate) async fn keep_key(&self, ctx: &mut Ctx, master: &MasterKey) -> Result<()> {
        self.secrets.set_master_key(master).await?;
        let key_id = master.key_id().to_string();
        if ctx.state.key_id.as_deref() != Some(key_id.as_str()) {
            ctx.state.records.clear();
            ctx.state.cursor = 0;
            ctx.state.key_id = Some(key_id);
        }
        self.save(&ctx.state).await
    }

    /// Deletes every record, conflict and the key from the server (GDPR); the account and
    /// this device's local setup stay. Other devices stop syncing until a new passphrase is
    /// set. The server allows it without the password only right after a password sign-in
    /// on this device; otherwise the answer is the API error `password_required`, and
    /// [`Self::delete_cloud_data_with_password`] is the way.
    pub async fn delete_cloud_data(&self) -> Result<()> {
        self.delete_cloud_data_confirmed(None).await
    }

    /// [`Self::delete_cloud_data`], confirmed with the account's password.
    pub async fn delete_cloud_data_with_password(&self, password: &str) -> Result<()> {
        self.delete_cloud_data_confirmed(Some(password)).await
    }

    async fn delete_cloud_data_confirmed(&self, password: Option<&str>) -> Result<()> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        let password = password.map(str::to_owned);
        self.authed(&mut ctx, |api, t| {
            let password = password.clone();
            async move { api.delete_all_data(&t, password.as_deref()).await }
        })
        .await?;
        self.secrets.clear_master_key().await?;
        ctx.state.key_id = None;
        ctx.state.records.clear();
        ctx.state.cursor = 0;
        self.save(&ctx.state).await
    }

    /// Deletes the account and everything on the server, then signs out here.
    pub async fn delete_account(&self, password: &str) -> Result<()> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        let password = password.to_owned();
        self.authed(&mut ctx, |api, t| {
            let password = password.clone();
            async move { api.delete_account(&t, &password).await }
        })
        .await?;
        self.forget().await
    }

    /// Changes the account password; the server signs every other device out (this one
    /// stays signed in). Returns how many sign-ins ended. The sync passphrase is unrelated
    /// and unchanged.
    pub async fn change_password(&self, current: &str, new: &str) -> Result<u64> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        let (current, new) = (current.to_owned(), new.to_owned());
        let changed = self
            .authed(&mut ctx, |api, t| {
                let (current, new) = (current.clone(), new.clone());
                async move { api.change_password(&t, &current, &new).await }
            })
            .await?;
        Ok(changed.signed_out_sessions)
    }

    /// Everything the server holds for the account, still encrypted.
    pub async fn export(&self) -> Result<syncer_cloud::model::Export> {
        let _busy = self.lock().await;
        let mut ctx = self.ctx().await?;
        self.authed(&mut ctx, |api, t| async move { api.export(&t).await })
            .await
    }

    /// The server's account key id; errors clearly when it differs from this device's.
    pub(crate) async fn check_account_key(&self, ctx: &mut Ctx, master: &MasterKey) -> Result<()> {
        let me = self
            .authed(ctx, |api, t| async move { api.me(&t).await })
            .await?;
        match me.key_id {
            None => Err(CloudError::Invalid(
                "the cloud data of this account was deleted: enter a sync passphrase again to \
                 start over (`syncer cloud passphrase`)"
                    .to_owned(),
            )),
            Some(account) if account != master.key_id().as_str() => {
                let expected = KeyId::parse(&account).map_err(CloudError::from_crypto)?;
                Err(CloudError::wrong_key(&expected, &master.key_id()))
            }
            Some(_) => Ok(()),
        }
    }
}

fn tokens_of(session: &Session) -> Tokens {
    Tokens {
        access_token: session.access_token.clone(),
        access_expires_at: now_ms() + session.access_expires_in * 1000,
        refresh_token: session.refresh_token.clone(),
    }
}

fn default_device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| format!("{} device", std::env::consts::OS))
}

/// Runs key derivation (Argon2id: a fraction of a second of CPU) off the async runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, syncer_crypto::CryptoError> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CloudError::Invalid(format!("key derivation stopped: {e}")))?
        .map_err(CloudError::from_crypto)
}
