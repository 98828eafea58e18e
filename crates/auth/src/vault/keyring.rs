//! The OS keyring through the keyring crate: one entry per key, service `dev.syncer.Syncer`.

use keyring::Entry;
use syncer_store::APP_IDENTIFIER;

use super::VaultBackend;
use crate::error::VaultError;
use crate::secret::Secret;

/// An entry nobody writes: reading it tells whether the keyring answers at all.
const PROBE_KEY: &str = "probe";

#[derive(Debug)]
pub struct KeyringVault {
    service: String,
}

impl KeyringVault {
    /// Checks that a keyring is reachable (on Linux: a Secret Service on the session bus).
    pub fn probe() -> Result<Self, VaultError> {
        let vault = Self {
            service: APP_IDENTIFIER.to_owned(),
        };
        match vault.entry(PROBE_KEY)?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(vault),
            Err(e) => Err(VaultError::KeyringUnavailable { cause: cause(&e) }),
        }
    }

    fn entry(&self, key: &str) -> Result<Entry, VaultError> {
        Entry::new(&self.service, key).map_err(|e| VaultError::Keyring { cause: cause(&e) })
    }
}

impl VaultBackend for KeyringVault {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::BadEncoding(_)) => Err(VaultError::BadEntry {
                key: key.to_owned(),
                cause: "it is not text".to_owned(),
            }),
            Err(e) => Err(VaultError::Keyring { cause: cause(&e) }),
        }
    }

    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.entry(key)?
            .set_password(value.expose())
            .map_err(|e| VaultError::Keyring { cause: cause(&e) })
    }

    fn delete(&self, key: &str) -> Result<(), VaultError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(VaultError::Keyring { cause: cause(&e) }),
        }
    }
}

/// A keyring error in words, never with the secret bytes some variants carry.
fn cause(err: &keyring::Error) -> String {
    match err {
        keyring::Error::PlatformFailure(e) => format!("platform failure: {e}"),
        keyring::Error::NoStorageAccess(e) => format!("no access to the store: {e}"),
        keyring::Error::NoEntry => "no such entry".to_owned(),
        keyring::Error::BadEncoding(_) => "the stored value is not text".to_owned(),
        keyring::Error::TooLong(attr, limit) => format!("{attr} is longer than {limit}"),
        keyring::Error::Invalid(attr, why) => format!("{attr} is invalid: {why}"),
        keyring::Error::Ambiguous(found) => format!("{} entries match", found.len()),
        _ => "unknown keyring error".to_owned(),
    }
}
