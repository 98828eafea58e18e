//! What the shell holds for the lifetime of the window.

use std::sync::Arc;

use serde::Serialize;
use syncer_app::Services;
use syncer_auth::{Connections, Registry, Secret, Vault, VaultError, VaultKind, VaultOptions};
use syncer_store::{AppPaths, Store, StoreError};
use ts_rs::TS;

use crate::error::{CommandError, ErrorCode};

/// The shortest passphrase a new secrets file takes: it is all that guards the sign-ins.
const MIN_NEW_PASSPHRASE: usize = 8;

/// The app's shared state. Parts that failed to open are kept as their errors, so the window
/// still opens and tells the user what is wrong and what to do, instead of vanishing at start.
#[derive(Debug)]
pub struct AppState {
    pub paths: AppPaths,
    pub store: Result<Store, StoreError>,
    pub connections: Result<Connections, String>,
    /// Where secrets go: open, or the encrypted file waiting for the passphrase the window
    /// asks for; or why there is no vault at all.
    vault: Result<Vault, String>,
    /// The shared application layer over the store: what the playlist, sync and history
    /// commands use.
    pub services: Result<Arc<Services>, String>,
}

/// Where sign-ins are kept, for the user to see.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct VaultStatus {
    /// "keyring", "file", "memory", or "unavailable".
    pub kind: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    /// No keyring, and the encrypted file waits for its passphrase (`unlock_vault`): until
    /// then, what needs a sign-in cannot work. The window asks for it.
    pub needs_passphrase: bool,
    /// The encrypted file exists (enter its passphrase) or not yet (choose one).
    pub file_exists: bool,
}

impl VaultStatus {
    fn of(vault: &Vault) -> Self {
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
        Self {
            kind: match vault.kind() {
                VaultKind::Keyring => "keyring",
                VaultKind::EncryptedFile { .. } => "file",
                VaultKind::Memory => "memory",
            }
            .to_owned(),
            description,
            error: None,
            needs_passphrase: vault.is_locked(),
            file_exists,
        }
    }

    fn failed(error: &str) -> Self {
        Self {
            kind: "unavailable".to_owned(),
            description: "Sign-ins cannot be stored until this is fixed.".to_owned(),
            error: Some(error.to_owned()),
            needs_passphrase: false,
            file_exists: false,
        }
    }
}

impl AppState {
    /// Opens everything the window needs; the vault as `SYNCER_VAULT` and
    /// `SYNCER_VAULT_PASSPHRASE` say.
    pub async fn open(paths: AppPaths) -> Self {
        let options = VaultOptions::from_env(&paths);
        Self::open_with(paths, options).await
    }

    /// As [`AppState::open`], with the vault looked for as `vault_options` say. With no
    /// keyring and no passphrase the encrypted file starts locked, and the window asks.
    pub async fn open_with(
        paths: AppPaths,
        vault_options: Result<VaultOptions, VaultError>,
    ) -> Self {
        let store = Store::open(&paths).await;
        if let Err(err) = &store {
            tracing::error!(error = %err, "local store unavailable");
        }
        let vault = match vault_options {
            Ok(options) => open_vault(options).await,
            Err(e) => Err(e.to_string()),
        };
        let connections = match (&store, &vault) {
            (Ok(store), Ok(vault)) => Connections::builder(store.clone(), vault.clone())
                .registry(Registry::from_env())
                .build()
                .map_err(|e| e.to_string()),
            (Err(e), _) => Err(e.to_string()),
            (_, Err(e)) => Err(e.clone()),
        };
        if let Err(err) = &connections {
            tracing::warn!(error = %err, "connections unavailable");
        }
        let services = match &store {
            Ok(store) => match Services::with_store(store.clone(), paths.clone()).await {
                Ok((services, interrupted)) => {
                    for event in &interrupted {
                        tracing::warn!(event = %event.id, base = %event.base, "a sync was interrupted when Syncer last stopped");
                    }
                    let services = match &connections {
                        Ok(c) => services.with_connections(c.clone()),
                        Err(_) => services,
                    };
                    Ok(Arc::new(services))
                }
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.to_string()),
        };
        Self {
            paths,
            store,
            connections,
            vault,
            services,
        }
    }

    /// Where sign-ins are kept, as the window shows it.
    pub fn vault_status(&self) -> VaultStatus {
        match &self.vault {
            Ok(vault) => VaultStatus::of(vault),
            Err(e) => VaultStatus::failed(e),
        }
    }

    /// Opens the locked secrets file with the passphrase the user typed (creating the file
    /// when there is none); everything holding the vault then reads and writes it. A wrong
    /// passphrase changes nothing and says so.
    pub async fn unlock_vault(&self, passphrase: &str) -> Result<VaultStatus, CommandError> {
        let vault = self
            .vault
            .as_ref()
            .map_err(|e| CommandError::new(e.clone()))?;
        if !vault.is_locked() {
            return Err(CommandError::with_code(
                ErrorCode::Invalid,
                "Sign-ins are not locked: there is nothing to unlock.",
            ));
        }
        if passphrase.is_empty() {
            return Err(CommandError::with_code(
                ErrorCode::Invalid,
                "Type the passphrase.",
            ));
        }
        if !VaultStatus::of(vault).file_exists && passphrase.chars().count() < MIN_NEW_PASSPHRASE {
            return Err(CommandError::with_code(
                ErrorCode::Invalid,
                format!(
                    "Choose a passphrase of at least {MIN_NEW_PASSPHRASE} characters: it alone \
                     guards your sign-ins."
                ),
            ));
        }
        vault
            .unlock(&Secret::new(passphrase))
            .await
            .map_err(|e| match e {
                VaultError::WrongPassphrase { .. } => CommandError::with_code(
                    ErrorCode::Invalid,
                    "That passphrase does not open Syncer's secrets file; try again. If it is \
                     lost, move secrets.vault out of the data folder and connect your services \
                     again.",
                ),
                other => CommandError::new(other.to_string()),
            })?;
        tracing::info!("secret vault unlocked");
        Ok(self.vault_status())
    }

    /// Refuses to start a sign-in while the secrets file is locked: its tokens would have
    /// nowhere to go when the browser answers, minutes later.
    pub fn ensure_vault_open(&self) -> Result<(), CommandError> {
        if self.vault.as_ref().is_ok_and(Vault::is_locked) {
            return Err(CommandError::with_code(
                ErrorCode::Invalid,
                "Sign-ins are kept in an encrypted file on this computer: choose (or enter) its \
                 passphrase under Add a connection first, then connect.",
            ));
        }
        Ok(())
    }

    /// The shared application layer, or why it is unavailable.
    pub fn services(&self) -> Result<Arc<Services>, CommandError> {
        self.services
            .as_ref()
            .map(Arc::clone)
            .map_err(|e| CommandError::with_code(crate::error::ErrorCode::Store, e.clone()))
    }

    /// The connections service, or why it is unavailable.
    pub fn connections(&self) -> Result<&Connections, CommandError> {
        self.connections.as_ref().map_err(CommandError::new)
    }

    pub fn store(&self) -> Result<&Store, CommandError> {
        self.store
            .as_ref()
            .map_err(|e| CommandError::new(e.to_string()))
    }
}

/// The vault the options choose; with no passphrase for the encrypted file, that file,
/// locked, for the window to ask about.
async fn open_vault(options: VaultOptions) -> Result<Vault, String> {
    match Vault::open_async(options).await {
        Ok(vault) => {
            tracing::info!(vault = ?vault.kind(), "secret vault open");
            Ok(vault)
        }
        Err(VaultError::PassphraseNeeded { path, reason }) => {
            tracing::info!(%reason, "secrets file locked until its passphrase is given");
            Ok(Vault::locked_file(&path, reason))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use syncer_auth::VaultPreference;

    use super::*;

    /// The encrypted file and no passphrase: what a machine with no keyring starts with.
    fn locked(dir: &std::path::Path) -> Result<VaultOptions, VaultError> {
        Ok(VaultOptions {
            preference: VaultPreference::File,
            file_path: dir.join("secrets.vault"),
            passphrase: None,
        })
    }

    #[tokio::test]
    async fn a_locked_vault_is_chosen_then_unlocked_and_asks_again_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open_with(AppPaths::at(dir.path()), locked(dir.path())).await;
        let status = state.vault_status();
        assert!(status.needs_passphrase && !status.file_exists, "{status:?}");
        assert!(
            status.description.contains("choose"),
            "{}",
            status.description
        );
        // Everything that needs no secret works while locked: the connections list included.
        // A sign-in cannot start: its tokens would have nowhere to go.
        let refused = state.ensure_vault_open().unwrap_err();
        assert!(
            refused.message.contains("passphrase"),
            "{}",
            refused.message
        );
        let connections = state.connections().unwrap().clone();
        assert!(connections.list().await.unwrap().is_empty());

        // A new file takes a passphrase worth the name.
        let short = state.unlock_vault("short").await.unwrap_err();
        assert!(short.message.contains("at least 8"), "{}", short.message);
        assert!(state.vault_status().needs_passphrase);

        let opened = state.unlock_vault("a long passphrase").await.unwrap();
        assert_eq!(opened.kind, "file");
        assert!(!opened.needs_passphrase && opened.file_exists && opened.error.is_none());
        assert!(state.ensure_vault_open().is_ok());
        // The connections built at start hold the same vault: it is open for them now.
        assert!(!connections.vault().is_locked());
        connections
            .vault()
            .set("probe", &Secret::new("kept"))
            .await
            .unwrap();
        let again = state.unlock_vault("a long passphrase").await.unwrap_err();
        assert!(again.message.contains("not locked"), "{}", again.message);
        drop((state, connections));

        // Next start: the file is there; a wrong passphrase changes nothing.
        let state = AppState::open_with(AppPaths::at(dir.path()), locked(dir.path())).await;
        let status = state.vault_status();
        assert!(status.needs_passphrase && status.file_exists, "{status:?}");
        let wrong = state.unlock_vault("not the passphrase").await.unwrap_err();
        assert_eq!(wrong.code, Some(ErrorCode::Invalid));
        assert!(wrong.message.contains("does not open"), "{}", wrong.message);
        assert!(state.vault_status().needs_passphrase);
        state.unlock_vault("a long passphrase").await.unwrap();
        let vault = state.connections().unwrap().vault().clone();
        assert_eq!(vault.get("probe").await.unwrap().unwrap().expose(), "kept");
    }
}
