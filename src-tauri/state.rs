//! What the shell holds for the lifetime of the window: the configuration and the shared
//! application layer, or why it could not open (the window still opens and says why).

use std::sync::Arc;

use syncer_app::connections::{VaultPlace, VaultStatus};
use syncer_app::records::AppPaths;
use syncer_app::{Config, Services};

use crate::error::{CommandError, CommandResult, ErrorCode};

#[derive(Debug)]
pub struct AppState {
    pub paths: AppPaths,
    /// The shared application layer: every command goes through it.
    services: Result<Arc<Services>, String>,
}

impl AppState {
    /// Opens the store and the vault as `config` says. With no keyring and no passphrase the
    /// secrets file starts locked, and the window asks for the passphrase.
    pub async fn open(config: Config) -> Self {
        let paths = config.paths.clone();
        let services = match Services::open(config).await {
            Ok((services, interrupted)) => {
                for event in &interrupted {
                    tracing::warn!(event = %event.id, base = %event.base, "a sync was interrupted when Syncer last stopped");
                }
                Ok(Arc::new(services))
            }
            Err(e) => {
                tracing::error!(error = %e, "local store unavailable");
                Err(e.to_string())
            }
        };
        Self { paths, services }
    }

    /// The shared application layer, or why it is unavailable.
    pub fn services(&self) -> CommandResult<Arc<Services>> {
        self.services
            .as_ref()
            .map(Arc::clone)
            .map_err(|e| CommandError::with_code(ErrorCode::Store, e.clone()))
    }

    /// Why the database could not open, for the Settings page.
    pub fn database_error(&self) -> Option<String> {
        self.services.as_ref().err().cloned()
    }

    /// Where sign-ins are kept, as the window shows it.
    pub fn vault_status(&self) -> VaultStatus {
        match &self.services {
            Ok(services) => services.vault_status(),
            Err(e) => VaultStatus {
                kind: VaultPlace::Unavailable,
                description: "Sign-ins cannot be stored until this is fixed.".to_owned(),
                error: Some(e.clone()),
                needs_passphrase: false,
                file_exists: false,
            },
        }
    }

    /// Refuses to start a sign-in while the secrets file is locked: its tokens would have
    /// nowhere to go when the browser answers, minutes later.
    pub fn ensure_vault_open(&self) -> CommandResult<()> {
        if self.vault_status().needs_passphrase {
            return Err(CommandError::with_code(
                ErrorCode::VaultLocked,
                "Sign-ins are kept in an encrypted file on this computer: choose (or enter) its \
                 passphrase under Add a connection first, then connect.",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use syncer_app::config::env;

    use super::*;

    /// The encrypted file and no passphrase: what a machine with no keyring starts with.
    fn locked(dir: &std::path::Path) -> Config {
        let vars = [(env::VAULT, "file")];
        Config::from_sources(None, &vars, Some(dir.to_path_buf())).unwrap()
    }

    #[tokio::test]
    async fn a_locked_vault_is_chosen_then_unlocked_and_asks_again_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(locked(dir.path())).await;
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
        let services = state.services().unwrap();
        assert!(services.list_connections().await.unwrap().is_empty());

        // A new file takes a passphrase worth the name.
        let short = services.unlock_vault("short").await.unwrap_err();
        assert!(short.to_string().contains("at least 8"), "{short}");
        assert!(state.vault_status().needs_passphrase);

        let opened = services.unlock_vault("a long passphrase").await.unwrap();
        assert_eq!(opened.kind, VaultPlace::File);
        assert!(!opened.needs_passphrase && opened.file_exists && opened.error.is_none());
        assert!(state.ensure_vault_open().is_ok());
        // Sign-ins work now: the connections service holds the same vault.
        services
            .auth()
            .await
            .unwrap()
            .vault()
            .set("probe", &syncer_auth::Secret::new("kept"))
            .await
            .unwrap();
        let again = services
            .unlock_vault("a long passphrase")
            .await
            .unwrap_err();
        assert!(again.to_string().contains("not locked"), "{again}");
        services.close().await;
        drop((state, services));

        // Next start: the file is there; a wrong passphrase changes nothing.
        let state = AppState::open(locked(dir.path())).await;
        let status = state.vault_status();
        assert!(status.needs_passphrase && status.file_exists, "{status:?}");
        let services = state.services().unwrap();
        let wrong = services
            .unlock_vault("not the passphrase")
            .await
            .unwrap_err();
        assert_eq!(wrong.kind(), syncer_app::ErrorKind::Invalid);
        assert!(wrong.to_string().contains("does not open"), "{wrong}");
        assert!(state.vault_status().needs_passphrase);
        services.unlock_vault("a long passphrase").await.unwrap();
        let vault = services.auth().await.unwrap().vault().clone();
        assert_eq!(vault.get("probe").await.unwrap().unwrap().expose(), "kept");
    }
}
