//! The encrypted file before its passphrase is known. A desktop with no keyring starts with
//! this: everything that needs no secret works (the demo library, the playlists, the
//! settings), every read or write of a secret says the file is locked, and once the user types
//! the passphrase in the window the same vault serves them from the file. Holders of the vault
//! (the connections, the cloud device) need not be rebuilt.

use std::path::PathBuf;
use std::sync::{PoisonError, RwLock};

use super::{FileVault, VaultBackend};
use crate::error::VaultError;
use crate::secret::Secret;

pub(crate) struct LockedFile {
    path: PathBuf,
    /// Why the file is in use: told with every refusal.
    reason: String,
    open: RwLock<Option<FileVault>>,
}

impl LockedFile {
    pub(crate) fn new(path: PathBuf, reason: String) -> Self {
        Self {
            path,
            reason,
            open: RwLock::new(None),
        }
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.open
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    /// Opens the file (creating it when missing). A wrong passphrase leaves it locked.
    pub(crate) fn unlock(&self, passphrase: &Secret) -> Result<(), VaultError> {
        let file = FileVault::open(&self.path, passphrase)?;
        *self.open.write().unwrap_or_else(PoisonError::into_inner) = Some(file);
        Ok(())
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&FileVault) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        match &*self.open.read().unwrap_or_else(PoisonError::into_inner) {
            Some(file) => f(file),
            None => Err(VaultError::PassphraseNeeded {
                path: self.path.clone(),
                reason: self.reason.clone(),
            }),
        }
    }
}

impl VaultBackend for LockedFile {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        self.with(|f| f.get(key))
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.with(|f| f.set(key, value))
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.with(|f| f.delete(key))
    }
}
