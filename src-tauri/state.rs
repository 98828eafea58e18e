//! What the shell holds for the lifetime of the window.

use std::sync::Arc;

use serde::Serialize;
use syncer_app::Services;
use syncer_auth::{Connections, Registry, Vault, VaultKind, VaultOptions};
use syncer_store::{AppPaths, Store, StoreError};
use ts_rs::TS;

use crate::error::CommandError;

/// The app's shared state. Parts that failed to open are kept as their errors, so the window
/// still opens and tells the user what is wrong and what to do, instead of vanishing at start.
#[derive(Debug)]
pub struct AppState {
    pub paths: AppPaths,
    pub store: Result<Store, StoreError>,
    pub connections: Result<Connections, String>,
    pub vault: VaultStatus,
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
}

impl AppState {
    pub async fn open(paths: AppPaths) -> Self {
        let store = Store::open(&paths).await;
        if let Err(err) = &store {
            tracing::error!(error = %err, "local store unavailable");
        }
        let vault = open_vault(&paths).await;
        let vault_status = match &vault {
            Ok(v) => VaultStatus {
                kind: match v.kind() {
                    VaultKind::Keyring => "keyring",
                    VaultKind::EncryptedFile { .. } => "file",
                    VaultKind::Memory => "memory",
                }
                .to_owned(),
                description: v.description(),
                error: None,
            },
            Err(e) => VaultStatus {
                kind: "unavailable".to_owned(),
                description: "Sign-ins cannot be stored until this is fixed.".to_owned(),
                error: Some(e.clone()),
            },
        };
        let connections = match (&store, vault) {
            (Ok(store), Ok(vault)) => Connections::builder(store.clone(), vault)
                .registry(Registry::from_env())
                .build()
                .map_err(|e| e.to_string()),
            (Err(e), _) => Err(e.to_string()),
            (_, Err(e)) => Err(e),
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
            vault: vault_status,
            services,
        }
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

async fn open_vault(paths: &AppPaths) -> Result<Vault, String> {
    let options = VaultOptions::from_env(paths).map_err(|e| e.to_string())?;
    let vault = Vault::open_async(options)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(vault = ?vault.kind(), "secret vault open");
    Ok(vault)
}
