//! The enrollment wrap: the master key wrapped for one new device, under a random secret that
//! travels only in the QR code (device to device), never to the server.
//!
//! The creating device makes a 32-byte [`EnrollmentSecret`], derives a key-encryption key and
//! a check value from it with HKDF-SHA256 (the secret is already uniformly random, so a slow
//! password hash would add nothing), and wraps the master key with AES-256-GCM. The server
//! keeps the [`EnrollmentWrap`] with the enrollment and hands it to the device that presents
//! the token; that device opens it with the secret from the same QR code. The server, or a
//! stolen copy of its database, holds the wrap without the secret: 256 bits it cannot guess.
//!
//! Format (JSON, `format: "syncer-enrollment-wrap"`, `version: 1`): `key_id`, and base64 of
//! the 16-byte HKDF salt, the 16-byte check, the 12-byte nonce and the 48-byte wrapped key
//! (+ tag). `HKDF-SHA256(salt, secret, info = "syncer enrollment v1")` gives 48 bytes: the
//! key-encryption key, then the check. The associated data is
//! `"syncer-enrollment-v1\0" ‖ key id`, so the wrap cannot pass for another key's.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::kdf::{CHECK_LEN, Derived};
use crate::keys::{KeyId, MasterKey};
use crate::keywrap;

pub const ENROLLMENT_WRAP_FORMAT: &str = "syncer-enrollment-wrap";
pub const ENROLLMENT_WRAP_VERSION: u32 = 1;
/// Bytes of an enrollment secret.
pub const ENROLLMENT_SECRET_LEN: usize = 32;

const INFO: &[u8] = b"syncer enrollment v1";
const AAD_PREFIX: &[u8] = b"syncer-enrollment-v1\0";

/// The secret half of an enrollment code. Wiped when dropped; `Debug` prints nothing of it.
#[derive(Clone)]
pub struct EnrollmentSecret(Zeroizing<[u8; ENROLLMENT_SECRET_LEN]>);

impl EnrollmentSecret {
    pub fn generate() -> Self {
        Self(Zeroizing::new(
            crate::random::bytes::<ENROLLMENT_SECRET_LEN>(),
        ))
    }

    pub fn from_bytes(bytes: [u8; ENROLLMENT_SECRET_LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// Base64url without padding (43 characters): what the QR code carries.
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(B64URL.encode(self.0.as_slice()))
    }

    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let raw = Zeroizing::new(B64URL.decode(text.trim()).map_err(|_| {
            CryptoError::corrupt("the enrollment secret is not base64url".to_owned())
        })?);
        let bytes: [u8; ENROLLMENT_SECRET_LEN] = raw.as_slice().try_into().map_err(|_| {
            CryptoError::corrupt(format!(
                "the enrollment secret is not {ENROLLMENT_SECRET_LEN} bytes"
            ))
        })?;
        Ok(Self::from_bytes(bytes))
    }
}

impl fmt::Debug for EnrollmentSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnrollmentSecret([redacted])")
    }
}

/// The master key wrapped under an enrollment secret: what the server keeps with an
/// enrollment. Nothing in it is secret without the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentWrap {
    pub format: String,
    pub version: u32,
    pub key_id: KeyId,
    /// Base64 of the 16-byte HKDF salt.
    pub salt: String,
    /// Base64 of the 16-byte check value: a mismatch means another secret.
    pub check: String,
    /// Base64 of the 12-byte AES-GCM nonce.
    pub nonce: String,
    /// Base64 of the wrapped key and its tag (48 bytes).
    pub ciphertext: String,
}

fn derive(secret: &EnrollmentSecret, salt: &[u8]) -> Result<Derived, CryptoError> {
    let mut out = Zeroizing::new([0u8; 32 + CHECK_LEN]);
    Hkdf::<Sha256>::new(Some(salt), secret.0.as_slice())
        .expand(INFO, out.as_mut_slice())
        .map_err(|e| CryptoError::BadKdf(e.to_string()))?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&out[..32]);
    let mut check = [0u8; CHECK_LEN];
    check.copy_from_slice(&out[32..]);
    Ok(Derived { key, check })
}

fn aad(key_id: &KeyId) -> Vec<u8> {
    let mut aad = AAD_PREFIX.to_vec();
    aad.extend_from_slice(key_id.as_str().as_bytes());
    aad
}

/// Wraps with a fixed salt and nonce (the known-answer test pins the output).
pub fn enrollment_wrap_with(
    master: &MasterKey,
    secret: &EnrollmentSecret,
    salt: [u8; 16],
    nonce: [u8; 12],
) -> Result<EnrollmentWrap, CryptoError> {
    let derived = derive(secret, &salt)?;
    let key_id = master.key_id();
    let sealed = keywrap::seal(master, &derived, nonce, &aad(&key_id))?;
    Ok(EnrollmentWrap {
        format: ENROLLMENT_WRAP_FORMAT.to_owned(),
        version: ENROLLMENT_WRAP_VERSION,
        key_id,
        salt: B64.encode(salt),
        check: sealed.check,
        nonce: sealed.nonce,
        ciphertext: sealed.ciphertext,
    })
}

impl EnrollmentWrap {
    /// Wraps `master` under `secret` with a fresh salt and nonce.
    pub fn wrap(master: &MasterKey, secret: &EnrollmentSecret) -> Result<Self, CryptoError> {
        enrollment_wrap_with(
            master,
            secret,
            crate::random::bytes::<16>(),
            crate::random::bytes::<12>(),
        )
    }

    /// The master key. Another secret is [`CryptoError::WrongEnrollmentSecret`]; damage with
    /// the right secret is [`CryptoError::Corrupt`].
    pub fn unwrap(&self, secret: &EnrollmentSecret) -> Result<MasterKey, CryptoError> {
        self.check_format()?;
        let salt = B64
            .decode(&self.salt)
            .ok()
            .filter(|s| s.len() == 16)
            .ok_or_else(|| CryptoError::corrupt("the enrollment wrap's salt"))?;
        let derived = derive(secret, &salt)?;
        keywrap::open(
            keywrap::Parts {
                check: &self.check,
                nonce: &self.nonce,
                ciphertext: &self.ciphertext,
            },
            &derived,
            &aad(&self.key_id),
            &self.key_id,
            "enrollment wrap",
            CryptoError::WrongEnrollmentSecret,
        )
    }

    pub fn to_json(&self) -> String {
        // Plain strings and numbers: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, CryptoError> {
        let wrap: Self = serde_json::from_str(text).map_err(|e| {
            CryptoError::corrupt(format!("the enrollment wrap is not readable: {e}"))
        })?;
        wrap.check_format()?;
        Ok(wrap)
    }

    fn check_format(&self) -> Result<(), CryptoError> {
        CryptoError::check_header(
            "enrollment wrap",
            (&self.format, ENROLLMENT_WRAP_FORMAT),
            (self.version, ENROLLMENT_WRAP_VERSION),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_opens_its_wrap_and_another_secret_is_told_apart_from_damage() {
        let master = MasterKey::generate();
        let secret = EnrollmentSecret::generate();
        let wrap = EnrollmentWrap::wrap(&master, &secret).unwrap();
        let back = EnrollmentWrap::from_json(&wrap.to_json())
            .unwrap()
            .unwrap(&EnrollmentSecret::parse(&secret.to_text()).unwrap())
            .unwrap();
        assert_eq!(back.bytes(), master.bytes());

        let other = EnrollmentSecret::generate();
        assert_eq!(
            wrap.unwrap(&other).unwrap_err(),
            CryptoError::WrongEnrollmentSecret
        );
        let mut damaged = wrap.clone();
        let mut raw = B64.decode(&damaged.ciphertext).unwrap();
        raw[0] ^= 1;
        damaged.ciphertext = B64.encode(raw);
        assert!(matches!(
            damaged.unwrap(&secret).unwrap_err(),
            CryptoError::Corrupt { .. }
        ));
        // Moved to another key id: the associated data no longer matches.
        let mut moved = wrap.clone();
        moved.key_id = MasterKey::generate().key_id();
        assert!(matches!(
            moved.unwrap(&secret).unwrap_err(),
            CryptoError::Corrupt { .. }
        ));
    }

    #[test]
    fn secrets_parse_strictly_and_never_print() {
        let secret = EnrollmentSecret::from_bytes([9; 32]);
        assert_eq!(secret.to_text().len(), 43);
        assert!(!format!("{secret:?}").contains("CQkJ"));
        assert!(EnrollmentSecret::parse("short").is_err());
        assert!(EnrollmentSecret::parse("!!!").is_err());
    }

    #[test]
    fn wraps_of_another_format_or_version_are_refused() {
        let wrap =
            EnrollmentWrap::wrap(&MasterKey::generate(), &EnrollmentSecret::generate()).unwrap();
        let mut v2 = wrap.clone();
        v2.version = 2;
        assert!(matches!(
            EnrollmentWrap::from_json(&v2.to_json()).unwrap_err(),
            CryptoError::Unsupported { .. }
        ));
        assert!(EnrollmentWrap::from_json("{\"format\":\"x\"}").is_err());
    }
}
