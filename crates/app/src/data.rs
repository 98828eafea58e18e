//! The user's data as a whole: all of it as one JSON document to keep or inspect (the store
//! holds no secrets, so nothing needs leaving out), and deleting all of it.

use serde_json::{Value, json};
use syncer_store::Store;

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// The export format's name and version, so a later Syncer can read an old export.
pub const EXPORT_FORMAT: &str = "syncer-export";
pub const EXPORT_VERSION: u32 = 1;

async fn export(store: &Store) -> AppResult<Value> {
    let connections: Vec<_> = store
        .list_connections()
        .await?
        .into_iter()
        .map(|c| {
            json!({"id": c.id, "provider": c.provider, "name": c.display_name,
                   "auth_kind": c.auth_kind, "account_id": c.account_id,
                   "status": c.status.as_str(), "created_at": c.created_at})
        })
        .collect();
    let mut bases = Vec::new();
    for b in store.list_bases().await? {
        let children: Vec<_> = store
            .list_children(&b.id)
            .await?
            .into_iter()
            .map(|c| {
                let mut child = json!({"id": c.id, "name": c.name, "query": c.query,
                       "mirror": c.mirror, "allow_empty": c.allow_empty});
                match &c.filter {
                    Ok(filter) => {
                        child["filter"] = syncer_core::filter::to_json_value(filter);
                    }
                    // Exported as stored, with the reason: an export loses nothing, and says
                    // which child needs its query replaced.
                    Err(broken) => {
                        child["filter"] = Value::Null;
                        child["broken"] = json!({"reason": broken.reason,
                                                 "stored_filter": broken.stored});
                    }
                }
                child
            })
            .collect();
        bases.push(
            json!({"id": b.id, "connection": b.connection, "name": b.name,
            "routing": b.routing, "schedule": b.schedule, "last_snapshot_id": b.last_snapshot,
            "last_synced_at": b.last_synced_at, "children": children}),
        );
    }
    let events: Vec<_> = store
        .list_events(None, u32::MAX)
        .await?
        .into_iter()
        .map(|e| {
            json!({"id": e.id, "base": e.base, "status": e.status, "started_at": e.started_at,
                   "finished_at": e.finished_at, "error": e.error, "report": e.report})
        })
        .collect();
    // The user's own genres are part of their setup ("my genres").
    let my_genres: Vec<_> = store
        .list_user_genres()
        .await?
        .into_iter()
        .map(|g| json!({"artist": g.artist, "name": g.name, "genres": g.genres}))
        .collect();
    Ok(
        json!({"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "connections": connections,
              "bases": bases, "my_genres": my_genres, "sync_events": events}),
    )
}

/// What "delete all data" removed, for the front end to say.
#[derive(Debug, Clone, Default)]
pub struct Deleted {
    pub connections: usize,
    /// Sign-ins whose secrets could not be removed from the vault (named, with why).
    pub secrets_left: Vec<String>,
    pub files: usize,
}

impl Services {
    /// Everything in the local store as one document.
    pub async fn export(&self) -> AppResult<Value> {
        export(&self.store).await
    }

    /// Deletes everything Syncer keeps on this machine: every sign-in's secrets in the vault
    /// (and the encrypted secrets file itself), the cloud account's tokens, key and state,
    /// every row of the database, its freed pages overwritten and the file compacted, and the
    /// logs. Playlists on the services stay. Refused while a sync runs anywhere.
    pub async fn delete_all_data(&self) -> AppResult<Deleted> {
        for base in self.base_ids().await? {
            if self.is_syncing(&base).await? {
                return Err(AppError::Busy(base));
            }
        }
        let mut deleted = Deleted::default();
        let connections = self.store.list_connections().await?;
        deleted.connections = connections.len();
        let signed_in: Vec<_> = connections
            .iter()
            .filter(|c| c.auth_kind != syncer_auth::NO_SIGN_IN)
            .collect();
        if !signed_in.is_empty() {
            match self.auth().await {
                // A locked vault: the rows go, and the user is told the secrets could not.
                Err(e) => deleted.secrets_left.push(format!(
                    "{} sign-in(s) could not be reached in the vault: {e}",
                    signed_in.len()
                )),
                Ok(auth) => {
                    for c in signed_in {
                        if let Err(e) = auth.remove(&c.id, &Vec::<String>::new(), true).await {
                            tracing::warn!(connection = %c.id, error = %e, "could not remove a sign-in");
                            deleted
                                .secrets_left
                                .push(format!("{}: {e}", c.display_name));
                        }
                    }
                }
            }
        }
        for c in &connections {
            self.forget_client(&c.id).await;
        }
        if let Ok(device) = self.cloud().await
            && let Err(e) = device.forget().await
        {
            tracing::warn!(error = %e, "could not forget the cloud account on this device");
            deleted.secrets_left.push(format!("cloud account: {e}"));
        }
        self.store.delete_all_data().await?;
        deleted.files += self.remove_local_files()?;
        tracing::info!(
            connections = deleted.connections,
            files = deleted.files,
            "all local data deleted"
        );
        Ok(deleted)
    }

    /// The files beside the database: the encrypted secrets file when it is the vault (its
    /// entries are gone; the file would still say a passphrase was chosen), the refresh lock,
    /// and the logs (emptied: the running process may still hold one open).
    fn remove_local_files(&self) -> AppResult<usize> {
        let dir = self.paths().data_dir();
        let mut count = 0;
        let io = |path: &std::path::Path, e: std::io::Error| {
            AppError::Io(format!("could not delete {}: {e}", path.display()))
        };
        let file = self.config().vault_options().file_path;
        let is_file_vault = self
            .vault
            .as_ref()
            .is_ok_and(|v| matches!(v.kind(), syncer_auth::VaultKind::EncryptedFile { .. }));
        let mut loose = vec![dir.join(syncer_auth::LOCK_FILE)];
        if is_file_vault {
            loose.push(file);
        }
        for path in loose {
            match std::fs::remove_file(&path) {
                Ok(()) => count += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io(&path, e)),
            }
        }
        let logs = self.paths().log_dir();
        if let Ok(entries) = std::fs::read_dir(&logs) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_file() {
                    std::fs::OpenOptions::new()
                        .write(true)
                        .truncate(true)
                        .open(&path)
                        .map_err(|e| io(&path, e))?;
                    count += 1;
                }
            }
        }
        Ok(count)
    }
}
