//! Where secrets live: the OS keyring (Secret Service on Linux, Keychain on macOS, Credential
//! Manager on Windows), one entry per connection under the app id `dev.syncer.Syncer`; where
//! no keyring is reachable (headless Linux, CI), an AES-256-GCM file whose key is derived with
//! Argon2id from a passphrase. [`Vault::description`] tells the user which is in use.

mod file;
mod keyring;
mod locked;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use syncer_core::ids::ConnectionId;

pub use self::file::FileVault;
pub use self::keyring::KeyringVault;
use self::locked::LockedFile;
use crate::error::VaultError;
use crate::secret::Secret;

/// Chooses the store: `auto` (default), `keyring` or `file`.
pub const VAULT_ENV: &str = "SYNCER_VAULT";
/// The passphrase of the encrypted file, for headless use.
pub const PASSPHRASE_ENV: &str = "SYNCER_VAULT_PASSPHRASE";
/// The encrypted file's name in the app data dir.
pub const VAULT_FILE: &str = "secrets.vault";

/// One store of secrets, keyed by name. Calls may block (D-Bus, disk, Argon2): [`Vault`] runs
/// them off the async runtime.
pub trait VaultBackend: Send + Sync + 'static {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError>;
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError>;
    /// Removing a missing entry is not an error.
    fn delete(&self, key: &str) -> Result<(), VaultError>;
}

/// Which store is in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum VaultKind {
    Keyring,
    EncryptedFile {
        path: PathBuf,
    },
    /// Process memory only: tests and throwaway demos.
    Memory,
}

/// Which store the user wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VaultPreference {
    /// The keyring if one is reachable, else the encrypted file; an existing file is kept,
    /// because the secrets are in it.
    #[default]
    Auto,
    Keyring,
    File,
}

impl std::str::FromStr for VaultPreference {
    type Err = VaultError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "keyring" => Ok(Self::Keyring),
            "file" => Ok(Self::File),
            other => Err(VaultError::BadPreference(other.to_owned())),
        }
    }
}

/// How to open the vault (syncer-app's `Config::vault_options` fills it from the configuration); the GUI fills
/// `passphrase` from a prompt when [`VaultError::PassphraseNeeded`] comes back.
#[derive(Debug, Clone)]
pub struct VaultOptions {
    pub preference: VaultPreference,
    pub file_path: PathBuf,
    pub passphrase: Option<Secret>,
}

/// The secret store in use. Cheap to clone.
#[derive(Clone)]
pub struct Vault {
    backend: Arc<dyn VaultBackend>,
    kind: VaultKind,
    /// The same backend when it is the encrypted file waiting for its passphrase.
    lockable: Option<Arc<LockedFile>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault").field("kind", &self.kind).finish()
    }
}

impl Vault {
    /// Opens the store `options` choose. Blocking (a D-Bus probe, Argon2id): call it at
    /// start-up or through [`Vault::open_async`].
    pub fn open(options: &VaultOptions) -> Result<Self, VaultError> {
        match options.preference {
            VaultPreference::Keyring => Ok(Self::keyring(KeyringVault::probe()?)),
            VaultPreference::File => Self::file(&options.file_path, options.passphrase.as_ref()),
            VaultPreference::Auto => {
                if options.file_path.exists() {
                    return Self::file_because(
                        &options.file_path,
                        options.passphrase.as_ref(),
                        "your secrets are already in it",
                    );
                }
                match KeyringVault::probe() {
                    Ok(keyring) => Ok(Self::keyring(keyring)),
                    Err(unreachable) => {
                        tracing::info!(reason = %unreachable, "no system keyring; using the encrypted file");
                        match &options.passphrase {
                            Some(p) => Self::file(&options.file_path, Some(p)),
                            None => Err(VaultError::PassphraseNeeded {
                                path: options.file_path.clone(),
                                reason: format!(
                                    "no system keyring (Secret Service) is reachable: {unreachable}"
                                ),
                            }),
                        }
                    }
                }
            }
        }
    }

    pub async fn open_async(options: VaultOptions) -> Result<Self, VaultError> {
        tokio::task::spawn_blocking(move || Self::open(&options))
            .await
            .map_err(|e| VaultError::Keyring {
                cause: format!("the vault task stopped: {e}"),
            })?
    }

    fn keyring(backend: KeyringVault) -> Self {
        Self {
            backend: Arc::new(backend),
            kind: VaultKind::Keyring,
            lockable: None,
        }
    }

    /// The encrypted file at `path`, locked until [`Vault::unlock`] gets its passphrase (or
    /// one for a new file); until then every secret read or write fails with
    /// [`VaultError::PassphraseNeeded`] naming `reason`. For a window that asks the user
    /// rather than the environment.
    pub fn locked_file(path: &Path, reason: impl Into<String>) -> Self {
        let locked = Arc::new(LockedFile::new(path.to_path_buf(), reason.into()));
        Self {
            backend: locked.clone(),
            kind: VaultKind::EncryptedFile {
                path: path.to_path_buf(),
            },
            lockable: Some(locked),
        }
    }

    /// Waiting for a passphrase (see [`Vault::locked_file`]).
    pub fn is_locked(&self) -> bool {
        self.lockable.as_ref().is_some_and(|l| l.is_locked())
    }

    /// Opens a locked file with `passphrase` (Argon2id: run off the async runtime), creating
    /// it when missing; every holder of this vault then reads and writes the file. A wrong
    /// passphrase leaves it locked. Any other vault is open already: nothing to do.
    pub async fn unlock(&self, passphrase: &Secret) -> Result<(), VaultError> {
        let Some(locked) = self.lockable.clone() else {
            return Ok(());
        };
        let passphrase = passphrase.clone();
        run(move || locked.unlock(&passphrase)).await
    }

    /// The encrypted file at `path` (created if missing).
    pub fn file(path: &Path, passphrase: Option<&Secret>) -> Result<Self, VaultError> {
        Self::file_because(path, passphrase, "SYNCER_VAULT=file chose it")
    }

    fn file_because(
        path: &Path,
        passphrase: Option<&Secret>,
        why: &str,
    ) -> Result<Self, VaultError> {
        let Some(passphrase) = passphrase else {
            return Err(VaultError::PassphraseNeeded {
                path: path.to_path_buf(),
                reason: why.to_owned(),
            });
        };
        Ok(Self {
            backend: Arc::new(FileVault::open(path, passphrase)?),
            kind: VaultKind::EncryptedFile {
                path: path.to_path_buf(),
            },
            lockable: None,
        })
    }

    /// Secrets in process memory only, lost at exit: for tests and demos.
    pub fn memory() -> Self {
        Self {
            backend: Arc::new(MemoryVault::default()),
            kind: VaultKind::Memory,
            lockable: None,
        }
    }

    /// Any other backend.
    pub fn custom(backend: Arc<dyn VaultBackend>, kind: VaultKind) -> Self {
        Self {
            backend,
            kind,
            lockable: None,
        }
    }

    pub fn kind(&self) -> &VaultKind {
        &self.kind
    }

    /// One sentence for the user: where their secrets are.
    pub fn description(&self) -> String {
        match &self.kind {
            VaultKind::Keyring => "Tokens and keys are kept in your system keyring.".to_owned(),
            VaultKind::EncryptedFile { path } => format!(
                "No system keyring is in use, so tokens and keys are kept in an encrypted file, \
                 {}, unlocked with your vault passphrase (SYNCER_VAULT_PASSPHRASE).",
                path.display()
            ),
            VaultKind::Memory => {
                "Tokens and keys are kept in memory only and are forgotten when Syncer exits."
                    .to_owned()
            }
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        let (backend, key) = (self.backend.clone(), key.to_owned());
        run(move || backend.get(&key)).await
    }

    pub async fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        let (backend, key, value) = (self.backend.clone(), key.to_owned(), value.clone());
        run(move || backend.set(&key, &value)).await
    }

    pub async fn delete(&self, key: &str) -> Result<(), VaultError> {
        let (backend, key) = (self.backend.clone(), key.to_owned());
        run(move || backend.delete(&key)).await
    }
}

/// The vault entry of a connection's credentials.
pub fn connection_key(id: &ConnectionId) -> String {
    format!("connection:{id}")
}

async fn run<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| VaultError::Keyring {
            cause: format!("the vault task stopped: {e}"),
        })?
}

#[derive(Default)]
struct MemoryVault {
    entries: std::sync::Mutex<std::collections::HashMap<String, Secret>>,
}

impl MemoryVault {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Secret>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl VaultBackend for MemoryVault {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        Ok(self.lock().get(key).cloned())
    }
    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        self.lock().insert(key.to_owned(), value.clone());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), VaultError> {
        self.lock().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_locked_file_refuses_until_unlocked_and_every_clone_sees_it_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(VAULT_FILE);
        let vault = Vault::locked_file(&path, "no system keyring is reachable");
        let held = vault.clone();
        assert!(vault.is_locked());
        let err = vault.get("k").await.unwrap_err();
        assert!(
            matches!(&err, VaultError::PassphraseNeeded { reason, .. } if reason.contains("keyring")),
            "{err:?}"
        );
        assert!(
            !path.exists(),
            "nothing is created before a passphrase is chosen"
        );

        vault
            .unlock(&Secret::new("chosen passphrase"))
            .await
            .unwrap();
        assert!(!held.is_locked());
        held.set("k", &Secret::new("v")).await.unwrap();
        assert_eq!(vault.get("k").await.unwrap().unwrap().expose(), "v");

        // The next start: locked again; a wrong passphrase leaves it so, the right one opens
        // what was written.
        let next = Vault::locked_file(&path, "no system keyring is reachable");
        let wrong = next.unlock(&Secret::new("not it")).await.unwrap_err();
        assert!(
            matches!(wrong, VaultError::WrongPassphrase { .. }),
            "{wrong:?}"
        );
        assert!(next.is_locked());
        next.unlock(&Secret::new("chosen passphrase"))
            .await
            .unwrap();
        assert_eq!(next.get("k").await.unwrap().unwrap().expose(), "v");
        // Any other vault has nothing to unlock.
        assert!(!Vault::memory().is_locked());
        Vault::memory().unlock(&Secret::new("x")).await.unwrap();
    }

    #[test]
    fn preferences_parse_and_a_typo_says_what_is_allowed() {
        assert_eq!(
            "".parse::<VaultPreference>().unwrap(),
            VaultPreference::Auto
        );
        assert_eq!(
            "File".parse::<VaultPreference>().unwrap(),
            VaultPreference::File
        );
        let err = "keyrnig".parse::<VaultPreference>().unwrap_err();
        assert!(err.to_string().contains("auto, keyring or file"), "{err}");
    }

    #[test]
    fn auto_keeps_an_existing_file_and_says_where_secrets_are() {
        let dir = tempfile::tempdir().unwrap();
        let file_path = dir.path().join(VAULT_FILE);
        let options = |pass: &str| VaultOptions {
            preference: VaultPreference::Auto,
            file_path: file_path.clone(),
            passphrase: Some(Secret::new(pass)),
        };
        Vault::file(&file_path, Some(&Secret::new("pass"))).unwrap();

        let vault = Vault::open(&options("pass")).unwrap();
        assert_eq!(
            vault.kind(),
            &VaultKind::EncryptedFile {
                path: file_path.clone()
            }
        );
        let message = vault.description();
        assert!(message.contains("encrypted file"), "{message}");
        assert!(
            message.contains(&file_path.display().to_string()),
            "{message}"
        );

        let err = Vault::open(&options("not the pass")).unwrap_err();
        assert!(matches!(err, VaultError::WrongPassphrase { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn the_file_store_round_trips_through_the_async_api() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::file(&dir.path().join(VAULT_FILE), Some(&Secret::new("p"))).unwrap();
        let key = connection_key(&ConnectionId::new("c1"));
        assert_eq!(key, "connection:c1");
        vault.set(&key, &Secret::new("v")).await.unwrap();
        assert_eq!(vault.get(&key).await.unwrap().unwrap().expose(), "v");
        vault.delete(&key).await.unwrap();
        assert!(vault.get(&key).await.unwrap().is_none());
    }

    #[test]
    fn the_file_store_needs_a_passphrase_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let options = VaultOptions {
            preference: VaultPreference::File,
            file_path: dir.path().join(VAULT_FILE),
            passphrase: None,
        };
        let err = Vault::open(&options).unwrap_err();
        assert!(
            matches!(err, VaultError::PassphraseNeeded { .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("SYNCER_VAULT_PASSPHRASE"), "{err}");
    }
}
