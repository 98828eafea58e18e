//! Key derivation: Argon2id for the passphrase (slow on purpose: the server holds the wrapped
//! key and could guess offline), HKDF-SHA256 for the recovery code (already 128 random bits).
//! Each derivation yields a 32-byte key-encryption key and a 16-byte check value: the check
//! tells a wrong passphrase apart from damaged data without trying to decrypt.

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::CryptoError;

pub(crate) const CHECK_LEN: usize = 16;
const SALT_LEN: usize = 16;

/// Argon2id's costs for a new passphrase wrap. Stored beside the wrapped key, so they can be
/// raised later without breaking older bundles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl KdfParams {
    /// The default for new accounts: 64 MiB, 3 passes, 1 lane (a fraction of a second on a
    /// laptop; expensive to guess at scale).
    pub const INTERACTIVE: Self = Self {
        m_cost: 64 * 1024,
        t_cost: 3,
        p_cost: 1,
    };

    /// Cheap parameters for tests only: they protect nothing.
    pub const INSECURE_FOR_TESTS: Self = Self {
        m_cost: 64,
        t_cost: 1,
        p_cost: 1,
    };
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::INTERACTIVE
    }
}

/// How a wrapping key is derived, as stored in the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "algorithm", rename_all = "kebab-case")]
pub enum Kdf {
    Argon2id {
        /// Argon2's version number (0x13 = 19).
        version: u32,
        m_cost: u32,
        t_cost: u32,
        p_cost: u32,
        salt: String,
    },
    HkdfSha256 {
        salt: String,
    },
}

/// A derived key-encryption key and its check value.
pub(crate) struct Derived {
    pub key: Zeroizing<[u8; 32]>,
    pub check: [u8; CHECK_LEN],
}

impl Kdf {
    pub(crate) fn argon2id(params: KdfParams, salt: [u8; SALT_LEN]) -> Self {
        Self::Argon2id {
            version: 19,
            m_cost: params.m_cost,
            t_cost: params.t_cost,
            p_cost: params.p_cost,
            salt: B64.encode(salt),
        }
    }

    pub(crate) fn hkdf(salt: [u8; SALT_LEN]) -> Self {
        Self::HkdfSha256 {
            salt: B64.encode(salt),
        }
    }

    pub(crate) fn new_salt() -> [u8; SALT_LEN] {
        crate::random::bytes::<SALT_LEN>()
    }

    pub(crate) fn derive(&self, secret: &[u8]) -> Result<Derived, CryptoError> {
        let mut out = Zeroizing::new([0u8; 32 + CHECK_LEN]);
        match self {
            Self::Argon2id {
                version,
                m_cost,
                t_cost,
                p_cost,
                salt,
            } => {
                if *version != 19 {
                    return Err(CryptoError::Unsupported {
                        what: format!("Argon2 version {version}"),
                    });
                }
                // Bounds keep a tampered bundle from making a device allocate gigabytes or
                // spin for minutes.
                if *m_cost > 1024 * 1024 || *t_cost > 16 || *p_cost > 16 {
                    return Err(CryptoError::BadKdf(format!(
                        "Argon2id costs m={m_cost} KiB, t={t_cost}, p={p_cost} are beyond the \
                         limits (1 GiB, 16, 16)"
                    )));
                }
                let salt = decode_salt(salt)?;
                let params = Params::new(*m_cost, *t_cost, *p_cost, Some(out.len()))
                    .map_err(|e| CryptoError::BadKdf(e.to_string()))?;
                Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                    .hash_password_into(secret, &salt, out.as_mut_slice())
                    .map_err(|e| CryptoError::BadKdf(e.to_string()))?;
            }
            Self::HkdfSha256 { salt } => {
                let salt = decode_salt(salt)?;
                Hkdf::<Sha256>::new(Some(&salt), secret)
                    .expand(b"syncer recovery v1", out.as_mut_slice())
                    .map_err(|e| CryptoError::BadKdf(e.to_string()))?;
            }
        }
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&out[..32]);
        let mut check = [0u8; CHECK_LEN];
        check.copy_from_slice(&out[32..]);
        Ok(Derived { key, check })
    }
}

fn decode_salt(salt: &str) -> Result<Vec<u8>, CryptoError> {
    let raw = B64
        .decode(salt)
        .map_err(|_| CryptoError::corrupt("the key bundle's salt is not base64"))?;
    if !(SALT_LEN..=64).contains(&raw.len()) {
        return Err(CryptoError::BadKdf(format!(
            "a salt of {} bytes (16 to 64 expected)",
            raw.len()
        )));
    }
    Ok(raw)
}
