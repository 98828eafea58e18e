//! Connections as use cases: list, the demo, test, rename, remove, what a connection can
//! provide, and where sign-ins are kept (the vault, and unlocking it).

use serde::Serialize;
use syncer_auth::{
    ConnectionDetails, ConnectionInfo, ProviderInfo, Removed, Secret, TestReport, VaultError,
    VaultKind,
};
use syncer_core::capabilities::Capabilities;
use syncer_core::engine::codec::decode;
use syncer_core::ids::ConnectionId;
use syncer_store::NewConnection;
use ts_rs::TS;

use crate::demo::DemoSpec;
use crate::error::{AppError, AppResult, Thing};
use crate::services::{DEMO_PROVIDER, Services};

/// The shortest passphrase a new secrets file takes: it is all that guards the sign-ins.
pub const MIN_NEW_PASSPHRASE: usize = 8;

/// A test of a connection: who it reached, and what it can feed filters now.
#[derive(Debug, Clone)]
pub struct ConnectionTest {
    pub report: TestReport,
    pub capabilities: Capabilities,
}

/// Where sign-ins are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VaultPlace {
    Keyring,
    File,
    Memory,
    Unavailable,
}

/// Where sign-ins are kept, for the user to see.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct VaultStatus {
    pub kind: VaultPlace,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    /// No keyring, and the encrypted file waits for its passphrase: until then, what needs a
    /// sign-in cannot work.
    pub needs_passphrase: bool,
    /// The encrypted file exists (enter its passphrase) or not yet (choose one).
    pub file_exists: bool,
}

impl Services {
    /// The providers this build can connect to.
    pub fn providers(&self) -> AppResult<Vec<ProviderInfo>> {
        Ok(self.config().registry().list())
    }

    /// Every connection and how it stands, sharpened by a 429 this process's client is
    /// waiting out. Needs no secret: it works while the vault is locked.
    pub async fn list_connections(&self) -> AppResult<Vec<ConnectionDetails>> {
        let mut out = Vec::new();
        for info in self.sign_ins().await?.list().await? {
            out.push(self.connection_details(&info.id).await?);
        }
        Ok(out)
    }

    /// One connection as stored, or "no such connection".
    pub async fn connection(&self, id: &ConnectionId) -> AppResult<ConnectionInfo> {
        Ok(self.connection_details(id).await?.connection)
    }

    /// What the connection was last found able to provide; `None` before its first probe.
    /// The one place the stored capabilities are read.
    pub async fn capabilities(&self, id: &ConnectionId) -> AppResult<Option<Capabilities>> {
        let record = self
            .store
            .get_connection(id)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Connection, id.as_str()))?;
        Ok(record.capabilities.as_deref().and_then(|c| decode(c).ok()))
    }

    /// Adds (or finds) a demo connection and probes what it can provide.
    pub async fn connect_demo(&self, spec: DemoSpec) -> AppResult<ConnectionInfo> {
        let id = spec.connection_id();
        if self.store.get_connection(&id).await?.is_none() {
            self.store
                .insert_connection(&NewConnection {
                    id: id.clone(),
                    provider: DEMO_PROVIDER.into(),
                    display_name: spec.describe(),
                    auth_kind: syncer_auth::NO_SIGN_IN.into(),
                    account_id: None,
                })
                .await?;
        }
        self.probe(&id).await?;
        self.connection(&id).await
    }

    /// After a sign-in finished (loopback, pasted address or deep link): the client built
    /// before is stale, and what the app may use (Development Mode or not) is probed.
    pub async fn signed_in(&self, info: &ConnectionInfo) -> AppResult<Capabilities> {
        self.forget_client(&info.id).await;
        self.probe(&info.id).await
    }

    /// Checks a connection works: its sign-in answers (refreshed if due) and the capability
    /// probe succeeds; what it can provide is kept. A connection with nothing to sign in to
    /// (the demo) is tested by the probe alone.
    pub async fn test_connection(&self, id: &ConnectionId) -> AppResult<ConnectionTest> {
        let info = self.connection(id).await?;
        let report = if info.auth_kind == syncer_auth::NO_SIGN_IN {
            TestReport {
                account_id: info.account_id.clone().unwrap_or_else(|| id.to_string()),
                account_name: info.display_name.clone(),
            }
        } else {
            self.auth().await?.test(id).await?
        };
        let capabilities = self.probe(id).await?;
        Ok(ConnectionTest {
            report,
            capabilities,
        })
    }

    pub async fn rename_connection(
        &self,
        id: &ConnectionId,
        name: &str,
    ) -> AppResult<ConnectionInfo> {
        Ok(self.sign_ins().await?.rename(id, name.trim()).await?)
    }

    /// Removes a connection and its secrets. Refused while bases use it unless `force` (then
    /// those bases go too, and are named); the client this process holds is dropped.
    pub async fn remove_connection(&self, id: &ConnectionId, force: bool) -> AppResult<Removed> {
        let info = self.connection(id).await?;
        let removed = if info.auth_kind == syncer_auth::NO_SIGN_IN {
            // Nothing in the vault: works while it is locked too, with the same rule.
            self.sign_ins()
                .await?
                .remove_unsigned(id, &self.store, force)
                .await?
        } else {
            self.auth().await?.remove(id, &self.store, force).await?
        };
        self.forget_client(id).await;
        Ok(removed)
    }

    /// The app's own client id for a provider, when the user set one.
    pub async fn client_id(&self, provider: &str) -> AppResult<Option<String>> {
        Ok(self.sign_ins().await?.client_id(provider).await?)
    }

    /// Keeps the user's own client id for an OAuth provider (refused when empty).
    pub async fn set_client_id(&self, provider: &str, client_id: &str) -> AppResult<()> {
        Ok(self
            .sign_ins()
            .await?
            .set_client_id(provider, client_id)
            .await?)
    }

    /// The connections service, for what needs no secret (listing, renaming, client ids).
    async fn sign_ins(&self) -> AppResult<&syncer_auth::Connections> {
        self.connections_service().await
    }

    /// Where sign-ins are kept, as the user sees it.
    pub async fn vault_status(&self) -> VaultStatus {
        let vault = match &self.open_secrets().await.vault {
            Ok(vault) => vault,
            Err(e) => {
                return VaultStatus {
                    kind: VaultPlace::Unavailable,
                    description: "Sign-ins cannot be stored until this is fixed.".to_owned(),
                    error: Some(e.clone()),
                    needs_passphrase: false,
                    file_exists: false,
                };
            }
        };
        let file = match vault.kind() {
            VaultKind::EncryptedFile { path } => Some(path),
            _ => None,
        };
        let file_exists = file.is_some_and(|p| p.exists());
        let description = match (vault.is_locked(), file_exists) {
            (true, true) => "Your sign-ins are in an encrypted file on this computer: enter its \
                             passphrase to use them."
                .to_owned(),
            (true, false) => "No system keyring (such as GNOME Keyring or KWallet) is available, \
                              so Syncer keeps sign-ins in an encrypted file on this computer: \
                              choose its passphrase."
                .to_owned(),
            (false, _) => vault.description(),
        };
        VaultStatus {
            kind: match vault.kind() {
                VaultKind::Keyring => VaultPlace::Keyring,
                VaultKind::EncryptedFile { .. } => VaultPlace::File,
                VaultKind::Memory => VaultPlace::Memory,
            },
            description,
            error: None,
            needs_passphrase: vault.is_locked(),
            file_exists,
        }
    }

    /// Opens the locked secrets file with the passphrase the user typed (creating the file
    /// when there is none); everything holding the vault then reads and writes it. A wrong
    /// passphrase changes nothing and says so.
    pub async fn unlock_vault(&self, passphrase: &str) -> AppResult<VaultStatus> {
        let vault = self
            .open_secrets()
            .await
            .vault
            .as_ref()
            .map_err(|e| AppError::Service(e.clone()))?;
        if !vault.is_locked() {
            return Err(AppError::Usage(
                "Sign-ins are not locked: there is nothing to unlock.".into(),
            ));
        }
        if passphrase.is_empty() {
            return Err(AppError::Usage("Type the passphrase.".into()));
        }
        if !self.vault_status().await.file_exists && passphrase.chars().count() < MIN_NEW_PASSPHRASE
        {
            return Err(AppError::Usage(format!(
                "Choose a passphrase of at least {MIN_NEW_PASSPHRASE} characters: it alone \
                 guards your sign-ins."
            )));
        }
        vault
            .unlock(&Secret::new(passphrase))
            .await
            .map_err(|e| match e {
                VaultError::WrongPassphrase { .. } => AppError::Usage(
                    "That passphrase does not open Syncer's secrets file; try again. If it is \
                     lost, move secrets.vault out of the data folder and connect your services \
                     again."
                        .into(),
                ),
                other => AppError::Vault(other),
            })?;
        tracing::info!("secret vault unlocked");
        Ok(self.vault_status().await)
    }
}

impl Services {
    /// Sign-ins that must be renewed soon (or already ended), soonest first: what the tray
    /// reminds of once a day and `syncer connections list` prints.
    pub async fn sign_in_renewals(&self) -> AppResult<Vec<syncer_auth::SignInRenewal>> {
        Ok(self.sign_ins().await?.sign_ins_to_renew().await?)
    }
}
