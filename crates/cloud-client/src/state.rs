//! What this device knows of its cloud account that is not secret: the server, the account
//! and device ids, the change cursor, and per record the version and content hash it last
//! synced. A JSON file in the app data folder (`cloud-sync.json`), replaced atomically.
//! It sits beside the local database rather than in it so the cloud's bookkeeping stays out of
//! the store's schema; it holds ids and hashes only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CloudError, Result};

pub const STATE_FILE: &str = "cloud-sync.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub server_url: String,
    pub email: String,
    pub user_id: String,
    pub device_id: String,
    /// The account's key id, once known on this device.
    pub key_id: Option<String>,
    /// The last change read from the server.
    pub cursor: i64,
    /// Unix milliseconds of the last completed sync.
    pub last_sync_at: Option<i64>,
    /// Server record id → what this device last synced of it.
    pub records: BTreeMap<String, Tracked>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracked {
    pub collection: String,
    /// The id in the local store (a playlist id, a connection id...).
    pub natural_id: String,
    /// The server version this device's copy corresponds to.
    pub version: i64,
    /// SHA-256 of the record's plaintext as last synced: a different local hash means the
    /// user changed it here since.
    pub hash: String,
    /// An open conflict on the record: it is not pushed again until resolved.
    pub conflict_id: Option<String>,
}

pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(STATE_FILE)
}

fn state_error(path: &Path, cause: impl std::fmt::Display) -> CloudError {
    CloudError::State {
        path: path.display().to_string(),
        cause: cause.to_string(),
    }
}

pub async fn load(path: &Path) -> Result<Option<SyncState>> {
    match tokio::fs::read(path).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| state_error(path, format!("{e}; sign out and in again to rebuild it"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(state_error(path, e)),
    }
}

pub async fn save(path: &Path, state: &SyncState) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(state).map_err(|e| state_error(path, e))?;
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| state_error(path, e))?;
    }
    // Write beside, then rename: a crash leaves the old state or the new, never half of one.
    let tmp = path.with_extension("json.tmp");
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| state_error(path, e))?;
    tokio::fs::rename(&tmp, path)
        .await
        .map_err(|e| state_error(path, e))
}

pub async fn remove(path: &Path) -> Result<()> {
    match tokio::fs::remove_file(path).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(state_error(path, e)),
    }
}
