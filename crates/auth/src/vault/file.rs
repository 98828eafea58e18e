//! The encrypted-file store, for machines with no keyring: one JSON file holding an
//! AES-256-GCM ciphertext of every entry, with a key derived from the user's passphrase by
//! Argon2id. The KDF's parameters and salt travel in the file (and are bound to the ciphertext
//! as associated data), so they can be raised later without breaking older files. Each write
//! uses a fresh nonce and replaces the file atomically; the file is readable by its owner only.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::VaultBackend;
use crate::error::VaultError;
use crate::secret::Secret;

const FORMAT: &str = "syncer-vault";
const VERSION: u32 = 1;
/// OWASP's Argon2id baseline (19 MiB, 2 passes, 1 lane): well under a second on a laptop.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Kdf {
    algorithm: String,
    m_cost: u32,
    t_cost: u32,
    p_cost: u32,
    salt: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    kdf: Kdf,
    nonce: String,
    ciphertext: String,
}

type Key = Zeroizing<[u8; 32]>;

#[derive(Debug)]
pub struct FileVault {
    path: PathBuf,
    passphrase: Secret,
    /// The key of the file's current KDF; re-derived only if another process re-created it.
    key: Mutex<(Kdf, Key)>,
}

impl FileVault {
    /// Opens the file, or creates an empty one. A wrong passphrase is found here, not at the
    /// first read.
    pub fn open(path: &Path, passphrase: &Secret) -> Result<Self, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::PassphraseNeeded {
                path: path.to_path_buf(),
                reason: "the passphrase given is empty".to_owned(),
            });
        }
        if path.exists() {
            let envelope = read_envelope(path)?;
            let key = derive(path, passphrase, &envelope.kdf)?;
            decrypt(path, &key, &envelope)?;
            return Ok(Self {
                path: path.to_path_buf(),
                passphrase: passphrase.clone(),
                key: Mutex::new((envelope.kdf, key)),
            });
        }
        let kdf = Kdf {
            algorithm: "argon2id".to_owned(),
            m_cost: M_COST_KIB,
            t_cost: T_COST,
            p_cost: P_COST,
            salt: B64.encode(crate::random::bytes::<16>()),
        };
        let key = derive(path, passphrase, &kdf)?;
        let vault = Self {
            path: path.to_path_buf(),
            passphrase: passphrase.clone(),
            key: Mutex::new((kdf, key)),
        };
        vault.write(&BTreeMap::new())?;
        tracing::info!(path = %path.display(), "created the encrypted secrets file");
        Ok(vault)
    }

    fn key_guard(&self) -> std::sync::MutexGuard<'_, (Kdf, Key)> {
        self.key.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Reads every entry. Holding the key lock serialises this process's read-modify-writes.
    fn read(&self, cached: &mut (Kdf, Key)) -> Result<BTreeMap<String, String>, VaultError> {
        let envelope = read_envelope(&self.path)?;
        if envelope.kdf != cached.0 {
            *cached = (
                envelope.kdf.clone(),
                derive(&self.path, &self.passphrase, &envelope.kdf)?,
            );
        }
        let plain = decrypt(&self.path, &cached.1, &envelope)?;
        serde_json::from_slice(&plain).map_err(|e| corrupt(&self.path, e))
    }

    fn write(&self, entries: &BTreeMap<String, String>) -> Result<(), VaultError> {
        let guard = self.key_guard();
        self.write_with(&guard, entries)
    }

    fn write_with(
        &self,
        (kdf, key): &(Kdf, Key),
        entries: &BTreeMap<String, String>,
    ) -> Result<(), VaultError> {
        let plain =
            Zeroizing::new(serde_json::to_vec(entries).map_err(|e| corrupt(&self.path, e))?);
        let nonce = crate::random::bytes::<12>();
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|e| corrupt(&self.path, e))?;
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &associated_data(kdf),
                },
            )
            .map_err(|e| corrupt(&self.path, e))?;
        let envelope = Envelope {
            format: FORMAT.to_owned(),
            version: VERSION,
            kdf: kdf.clone(),
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        };
        let bytes = serde_json::to_vec_pretty(&envelope).map_err(|e| corrupt(&self.path, e))?;
        write_atomically(&self.path, &bytes)
    }
}

impl VaultBackend for FileVault {
    fn get(&self, key: &str) -> Result<Option<Secret>, VaultError> {
        let mut guard = self.key_guard();
        Ok(self.read(&mut guard)?.remove(key).map(Secret::new))
    }

    fn set(&self, key: &str, value: &Secret) -> Result<(), VaultError> {
        let mut guard = self.key_guard();
        let mut entries = self.read(&mut guard)?;
        entries.insert(key.to_owned(), value.expose().to_owned());
        self.write_with(&guard, &entries)
    }

    fn delete(&self, key: &str) -> Result<(), VaultError> {
        let mut guard = self.key_guard();
        let mut entries = self.read(&mut guard)?;
        if entries.remove(key).is_some() {
            self.write_with(&guard, &entries)?;
        }
        Ok(())
    }
}

/// The KDF is bound to the ciphertext: a file whose salt or costs were edited fails to open.
fn associated_data(kdf: &Kdf) -> Vec<u8> {
    format!(
        "{FORMAT}/{VERSION}/{}/{}/{}/{}/{}",
        kdf.algorithm, kdf.m_cost, kdf.t_cost, kdf.p_cost, kdf.salt
    )
    .into_bytes()
}

fn derive(path: &Path, passphrase: &Secret, kdf: &Kdf) -> Result<Key, VaultError> {
    if kdf.algorithm != "argon2id" {
        return Err(corrupt(path, format!("unknown KDF {}", kdf.algorithm)));
    }
    let salt = B64.decode(&kdf.salt).map_err(|e| corrupt(path, e))?;
    let params = argon2::Params::new(kdf.m_cost, kdf.t_cost, kdf.p_cost, Some(32))
        .map_err(|e| corrupt(path, e))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase.expose().as_bytes(), &salt, key.as_mut())
        .map_err(|e| corrupt(path, e))?;
    Ok(key)
}

fn decrypt(path: &Path, key: &Key, envelope: &Envelope) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let nonce = B64.decode(&envelope.nonce).map_err(|e| corrupt(path, e))?;
    if nonce.len() != 12 {
        return Err(corrupt(path, "the nonce is not 12 bytes"));
    }
    let ciphertext = B64
        .decode(&envelope.ciphertext)
        .map_err(|e| corrupt(path, e))?;
    let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|e| corrupt(path, e))?;
    // GCM cannot tell a wrong key from edited bytes; with an intact envelope the key is by far
    // the likelier cause, and it is the one the user can act on.
    cipher
        .decrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: &associated_data(&envelope.kdf),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::WrongPassphrase {
            path: path.to_path_buf(),
        })
}

fn read_envelope(path: &Path) -> Result<Envelope, VaultError> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|e| corrupt(path, e))?;
    if envelope.format != FORMAT || envelope.version != VERSION {
        return Err(corrupt(
            path,
            format!(
                "format {} version {}, this Syncer reads {FORMAT} version {VERSION}",
                envelope.format, envelope.version
            ),
        ));
    }
    Ok(envelope)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io(path, e))?;
    }
    let tmp = path.with_extension("vault.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| io(path, e))?;
    file.write_all(bytes).map_err(|e| io(path, e))?;
    file.sync_all().map_err(|e| io(path, e))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

fn corrupt(path: &Path, cause: impl std::fmt::Display) -> VaultError {
    VaultError::Corrupt {
        path: path.to_path_buf(),
        cause: cause.to_string(),
    }
}

fn io(path: &Path, cause: std::io::Error) -> VaultError {
    VaultError::Io {
        path: path.to_path_buf(),
        cause: cause.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_encrypted_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.vault");
        let pass = Secret::new("correct horse");
        let vault = FileVault::open(&path, &pass).unwrap();
        vault
            .set("connection:a", &Secret::new("AQ-refresh-1"))
            .unwrap();
        vault.set("connection:b", &Secret::new("key-2")).unwrap();
        vault.delete("connection:b").unwrap();
        vault.delete("connection:never").unwrap();

        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(!on_disk.contains("AQ-refresh-1"), "{on_disk}");
        assert!(
            !on_disk.contains("connection:a"),
            "entry names are encrypted too"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }

        let again = FileVault::open(&path, &pass).unwrap();
        assert_eq!(
            again.get("connection:a").unwrap().unwrap().expose(),
            "AQ-refresh-1"
        );
        assert!(again.get("connection:b").unwrap().is_none());
    }

    #[test]
    fn a_wrong_passphrase_is_refused_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.vault");
        let vault = FileVault::open(&path, &Secret::new("right")).unwrap();
        vault.set("k", &Secret::new("v")).unwrap();

        let err = FileVault::open(&path, &Secret::new("wrong")).unwrap_err();
        assert!(matches!(err, VaultError::WrongPassphrase { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("SYNCER_VAULT_PASSPHRASE"), "{message}");
        assert!(message.contains(&path.display().to_string()), "{message}");
        // Nothing was overwritten: the right passphrase still opens it.
        let back = FileVault::open(&path, &Secret::new("right")).unwrap();
        assert_eq!(back.get("k").unwrap().unwrap().expose(), "v");
    }

    #[test]
    fn an_edited_or_damaged_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.vault");
        FileVault::open(&path, &Secret::new("p")).unwrap();

        // The salt is bound to the ciphertext: editing it breaks the file.
        let mut envelope: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        envelope["kdf"]["salt"] = serde_json::json!(B64.encode([7u8; 16]));
        std::fs::write(&path, serde_json::to_vec(&envelope).unwrap()).unwrap();
        assert!(FileVault::open(&path, &Secret::new("p")).is_err());

        std::fs::write(&path, b"not json").unwrap();
        let err = FileVault::open(&path, &Secret::new("p")).unwrap_err();
        assert!(matches!(err, VaultError::Corrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("move it aside"), "{err}");
    }
}
