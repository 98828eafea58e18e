//! Sealing the master key under a derived key-encryption key, the one step the key bundle
//! (passphrase and recovery wraps) and the enrollment wrap share. What differs between them
//! (how the key is derived, the associated data) is the caller's.

use aes_gcm::aead::{Aead as _, KeyInit as _, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::error::CryptoError;
use crate::kdf::Derived;
use crate::keys::{KeyId, MasterKey};

/// The stored parts of a wrapped key, base64 as on the wire.
pub(crate) struct Sealed {
    /// The derived check value: a wrong secret shows here, before any decryption.
    pub check: String,
    pub nonce: String,
    /// The wrapped key and its tag.
    pub ciphertext: String,
}

/// Wraps `master` with AES-256-GCM under `derived`, binding `aad`.
pub(crate) fn seal(
    master: &MasterKey,
    derived: &Derived,
    nonce: [u8; 12],
    aad: &[u8],
) -> Result<Sealed, CryptoError> {
    let cipher = Aes256Gcm::new_from_slice(derived.key.as_slice())
        .map_err(|_| CryptoError::corrupt("key length"))?;
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: master.bytes(),
                aad,
            },
        )
        .map_err(|_| CryptoError::corrupt("could not wrap the key"))?;
    Ok(Sealed {
        check: B64.encode(derived.check),
        nonce: B64.encode(nonce),
        ciphertext: B64.encode(ciphertext),
    })
}

/// The stored parts as read back, borrowed from the wrap that holds them.
pub(crate) struct Parts<'a> {
    pub check: &'a str,
    pub nonce: &'a str,
    pub ciphertext: &'a str,
}

/// Opens what [`seal`] made. A check that does not match is `wrong` (the caller's "wrong
/// passphrase" or "wrong code"); anything damaged is corrupt data naming `what` ("key
/// bundle"); a key whose id is not `expected` too.
pub(crate) fn open(
    sealed: Parts<'_>,
    derived: &Derived,
    aad: &[u8],
    expected: &KeyId,
    what: &str,
    wrong: CryptoError,
) -> Result<MasterKey, CryptoError> {
    let check = B64
        .decode(sealed.check)
        .map_err(|_| CryptoError::corrupt(format!("the {what}'s check is not base64")))?;
    if !bool::from(derived.check.as_slice().ct_eq(&check)) {
        return Err(wrong);
    }
    let nonce: [u8; 12] = B64
        .decode(sealed.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| CryptoError::corrupt(format!("the {what}'s nonce")))?;
    let ciphertext = B64
        .decode(sealed.ciphertext)
        .map_err(|_| CryptoError::corrupt("the wrapped key is not base64"))?;
    let cipher = Aes256Gcm::new_from_slice(derived.key.as_slice())
        .map_err(|_| CryptoError::corrupt("key length"))?;
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::corrupt(format!("the {what}'s wrapped master key")))?,
    );
    let bytes: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::corrupt("the wrapped master key has the wrong length"))?;
    let master = MasterKey::from_bytes(bytes);
    if master.key_id() != *expected {
        return Err(CryptoError::corrupt(format!(
            "the unwrapped key does not match the {what}'s key id"
        )));
    }
    Ok(master)
}
