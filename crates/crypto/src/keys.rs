//! The account's master key and its public fingerprint.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hkdf::Hkdf;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::error::CryptoError;

/// Bytes of a key id on the wire (16 hex digits in text).
pub const KEY_ID_LEN: usize = 8;

/// The 256-bit key every record's content key is wrapped with. Wiped when dropped; `Debug`
/// prints only its id.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// A fresh key from the operating system's randomness.
    pub fn generate() -> Self {
        Self(Zeroizing::new(crate::random::bytes::<32>()))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The key's one-way fingerprint: what the server checks uploads against.
    pub fn key_id(&self) -> KeyId {
        let mut hash = Sha256::new();
        hash.update(b"syncer key id v1\0");
        hash.update(self.0.as_slice());
        let digest = hash.finalize();
        let mut raw = [0u8; KEY_ID_LEN];
        raw.copy_from_slice(&digest[..KEY_ID_LEN]);
        KeyId::from_raw(raw)
    }

    /// The id a record of `collection` named `natural_id` (a playlist id, say) goes by on the
    /// server: a keyed one-way function of both, so the server cannot tell which playlist a
    /// record is about, while every device of the account derives the same id.
    pub fn record_id(&self, collection: &str, natural_id: &str) -> String {
        let prk = Hkdf::<Sha256>::from_prk(self.0.as_slice());
        let mut out = [0u8; 16];
        let info = [
            b"syncer record id v1\0".as_slice(),
            collection.as_bytes(),
            b"\0",
            natural_id.as_bytes(),
        ];
        match prk {
            // 32 bytes is a valid pseudorandom key for HKDF-SHA256, and 16 bytes of output is
            // far under its limit, so neither branch below fails in practice.
            Ok(prk) if prk.expand_multi_info(&info, &mut out).is_ok() => {}
            _ => {
                out = Sha256::digest(natural_id.as_bytes())[..16]
                    .try_into()
                    .unwrap_or_default()
            }
        }
        out.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key as base64, for the device's secret store (keyring or encrypted file) only.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(B64.encode(self.0.as_slice()))
    }

    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        let raw = Zeroizing::new(
            B64.decode(text.trim())
                .map_err(|_| CryptoError::corrupt("the stored master key is not base64"))?,
        );
        let bytes: [u8; 32] = raw
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::corrupt("the stored master key is not 32 bytes"))?;
        Ok(Self::from_bytes(bytes))
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey({}, [redacted])", self.key_id())
    }
}

/// A master key's fingerprint: 8 bytes, written as 16 lowercase hex digits. Public: it names
/// the key without revealing it.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    pub fn from_raw(raw: [u8; KEY_ID_LEN]) -> Self {
        Self(raw.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn raw(&self) -> [u8; KEY_ID_LEN] {
        let mut out = [0u8; KEY_ID_LEN];
        for (i, byte) in out.iter_mut().enumerate() {
            // Validated at construction: 16 hex digits.
            *byte = u8::from_str_radix(&self.0[2 * i..2 * i + 2], 16).unwrap_or(0);
        }
        out
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let ok = text.len() == 2 * KEY_ID_LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(CryptoError::corrupt(format!(
                "{text:?} is not a key id (16 lowercase hex digits)"
            )))
        }
    }
}

impl TryFrom<String> for KeyId {
    type Error = CryptoError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<KeyId> for String {
    fn from(value: KeyId) -> Self {
        value.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_id_and_nothing_of_the_key() {
        let key = MasterKey::from_bytes([0xAB; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("redacted"), "{shown}");
        assert!(!shown.to_lowercase().contains("abab"), "{shown}");
        assert!(shown.contains(key.key_id().as_str()));
    }

    #[test]
    fn key_ids_round_trip_and_reject_junk() {
        let id = MasterKey::from_bytes([7; 32]).key_id();
        assert_eq!(KeyId::from_raw(id.raw()), id);
        assert_eq!(KeyId::parse(id.as_str()).unwrap(), id);
        assert!(KeyId::parse("ABCDEF0123456789").is_err());
        assert!(KeyId::parse("abc").is_err());
        assert!(serde_json::from_str::<KeyId>("\"zz\"").is_err());
    }

    #[test]
    fn record_ids_are_keyed_stable_and_distinct() {
        let key = MasterKey::from_bytes([3; 32]);
        let a = key.record_id("bases", "37i9dQZF1");
        assert_eq!(a, key.record_id("bases", "37i9dQZF1"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, key.record_id("children", "37i9dQZF1"));
        assert_ne!(
            a,
            MasterKey::from_bytes([4; 32]).record_id("bases", "37i9dQZF1")
        );
        assert!(!a.contains("37i9"));
    }

    #[test]
    fn base64_round_trip() {
        let key = MasterKey::generate();
        let back = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(back.bytes(), key.bytes());
        assert!(MasterKey::from_base64("AAAA").is_err());
    }
}
