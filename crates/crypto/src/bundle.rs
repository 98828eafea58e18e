//! The key bundle: the master key wrapped by the passphrase and by the recovery code. The
//! server stores it as an opaque JSON document so that a new device can fetch and unwrap it.

use serde::{Deserialize, Serialize};

use crate::error::CryptoError;
use crate::kdf::{Kdf, KdfParams};
use crate::keys::{KeyId, MasterKey};
use crate::keywrap;
use crate::recovery::RecoveryCode;
use crate::secret::Passphrase;

pub const BUNDLE_FORMAT: &str = "syncer-key-bundle";
pub const BUNDLE_VERSION: u32 = 1;

/// The master key wrapped under one derived key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub kdf: Kdf,
    /// Base64 of the derivation's 16-byte check value: a mismatch means a wrong passphrase.
    pub check: String,
    /// Base64 of the 12-byte AES-GCM nonce.
    pub nonce: String,
    /// Base64 of the wrapped key and its tag (48 bytes).
    pub ciphertext: String,
}

/// What the server keeps per account: the wrapped master key, never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyBundle {
    pub format: String,
    pub version: u32,
    pub key_id: KeyId,
    pub passphrase: WrappedKey,
    pub recovery: WrappedKey,
}

/// A new account's keys: the master key (kept on the device), the bundle (sent to the server)
/// and the recovery code (shown to the user once).
#[derive(Debug)]
pub struct NewKeys {
    pub master: MasterKey,
    pub bundle: KeyBundle,
    pub recovery: RecoveryCode,
}

#[derive(Clone, Copy)]
enum Label {
    Passphrase,
    Recovery,
}

impl Label {
    fn as_str(self) -> &'static str {
        match self {
            Self::Passphrase => "passphrase",
            Self::Recovery => "recovery",
        }
    }
}

/// The wrap's associated data: the bundle format, the key id and which wrap this is, so a
/// recovery wrap cannot pass for a passphrase wrap or move to another key's bundle.
fn wrap_aad(key_id: &KeyId, label: Label) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    aad.extend_from_slice(b"syncer-key-bundle-v1\0");
    aad.extend_from_slice(key_id.as_str().as_bytes());
    aad.push(0);
    aad.extend_from_slice(label.as_str().as_bytes());
    aad
}

fn wrap(
    master: &MasterKey,
    kdf: Kdf,
    secret: &[u8],
    nonce: [u8; 12],
    label: Label,
) -> Result<WrappedKey, CryptoError> {
    let derived = kdf.derive(secret)?;
    let sealed = keywrap::seal(master, &derived, nonce, &wrap_aad(&master.key_id(), label))?;
    Ok(WrappedKey {
        kdf,
        check: sealed.check,
        nonce: sealed.nonce,
        ciphertext: sealed.ciphertext,
    })
}

/// Builds a bundle from fixed inputs (the wire-format tests pin its output).
#[allow(clippy::too_many_arguments)]
pub fn create_with(
    master: MasterKey,
    passphrase: &Passphrase,
    params: KdfParams,
    passphrase_salt: [u8; 16],
    passphrase_nonce: [u8; 12],
    recovery: RecoveryCode,
    recovery_salt: [u8; 16],
    recovery_nonce: [u8; 12],
) -> Result<NewKeys, CryptoError> {
    if passphrase.is_empty() {
        return Err(CryptoError::EmptyPassphrase);
    }
    let passphrase_wrap = wrap(
        &master,
        Kdf::argon2id(params, passphrase_salt),
        passphrase.bytes(),
        passphrase_nonce,
        Label::Passphrase,
    )?;
    let recovery_wrap = wrap(
        &master,
        Kdf::hkdf(recovery_salt),
        recovery.entropy(),
        recovery_nonce,
        Label::Recovery,
    )?;
    let bundle = KeyBundle {
        format: BUNDLE_FORMAT.to_owned(),
        version: BUNDLE_VERSION,
        key_id: master.key_id(),
        passphrase: passphrase_wrap,
        recovery: recovery_wrap,
    };
    Ok(NewKeys {
        master,
        bundle,
        recovery,
    })
}

impl KeyBundle {
    /// A new master key, wrapped under `passphrase` (Argon2id with `params`) and a new
    /// recovery code.
    pub fn create(passphrase: &Passphrase, params: KdfParams) -> Result<NewKeys, CryptoError> {
        create_with(
            MasterKey::generate(),
            passphrase,
            params,
            Kdf::new_salt(),
            crate::random::bytes::<12>(),
            RecoveryCode::generate(),
            Kdf::new_salt(),
            crate::random::bytes::<12>(),
        )
    }

    /// The master key, with the sync passphrase.
    pub fn unlock(&self, passphrase: &Passphrase) -> Result<MasterKey, CryptoError> {
        self.check_format()?;
        if !matches!(self.passphrase.kdf, Kdf::Argon2id { .. }) {
            return Err(CryptoError::corrupt(
                "the passphrase wrap does not use Argon2id",
            ));
        }
        self.unwrap(
            &self.passphrase,
            passphrase.bytes(),
            Label::Passphrase,
            CryptoError::WrongPassphrase,
        )
    }

    /// The master key, with the recovery code (when the passphrase is lost).
    pub fn unlock_with_recovery(&self, code: &RecoveryCode) -> Result<MasterKey, CryptoError> {
        self.check_format()?;
        if !matches!(self.recovery.kdf, Kdf::HkdfSha256 { .. }) {
            return Err(CryptoError::corrupt("the recovery wrap does not use HKDF"));
        }
        self.unwrap(
            &self.recovery,
            code.entropy(),
            Label::Recovery,
            CryptoError::WrongRecoveryCode,
        )
    }

    /// The same master key under a new passphrase (new salt, current parameters); the
    /// recovery code stays valid.
    pub fn change_passphrase(
        &self,
        master: &MasterKey,
        new_passphrase: &Passphrase,
        params: KdfParams,
    ) -> Result<KeyBundle, CryptoError> {
        if new_passphrase.is_empty() {
            return Err(CryptoError::EmptyPassphrase);
        }
        if master.key_id() != self.key_id {
            return Err(CryptoError::WrongKey {
                expected: self.key_id.clone(),
                found: master.key_id(),
            });
        }
        let passphrase = wrap(
            master,
            Kdf::argon2id(params, Kdf::new_salt()),
            new_passphrase.bytes(),
            crate::random::bytes::<12>(),
            Label::Passphrase,
        )?;
        Ok(KeyBundle {
            passphrase,
            ..self.clone()
        })
    }

    pub fn to_json(&self) -> String {
        // Plain strings and numbers: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self, CryptoError> {
        let bundle: Self = serde_json::from_str(text)
            .map_err(|e| CryptoError::corrupt(format!("the key bundle is not readable: {e}")))?;
        bundle.check_format()?;
        Ok(bundle)
    }

    fn check_format(&self) -> Result<(), CryptoError> {
        CryptoError::check_header(
            "key bundle",
            (&self.format, BUNDLE_FORMAT),
            (self.version, BUNDLE_VERSION),
        )
    }

    fn unwrap(
        &self,
        wrapped: &WrappedKey,
        secret: &[u8],
        label: Label,
        wrong: CryptoError,
    ) -> Result<MasterKey, CryptoError> {
        let derived = wrapped.kdf.derive(secret)?;
        keywrap::open(
            keywrap::Parts {
                check: &wrapped.check,
                nonce: &wrapped.nonce,
                ciphertext: &wrapped.ciphertext,
            },
            &derived,
            &wrap_aad(&self.key_id, label),
            &self.key_id,
            "key bundle",
            wrong,
        )
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD as B64;

    use super::*;

    fn keys(pass: &str) -> NewKeys {
        KeyBundle::create(&Passphrase::new(pass), KdfParams::INSECURE_FOR_TESTS).unwrap()
    }

    #[test]
    fn the_passphrase_and_the_recovery_code_both_unlock_the_same_key() {
        let new = keys("correct horse battery staple");
        let by_pass = new
            .bundle
            .unlock(&Passphrase::new("correct horse battery staple"))
            .unwrap();
        assert_eq!(by_pass.key_id(), new.master.key_id());
        let by_code = new.bundle.unlock_with_recovery(&new.recovery).unwrap();
        assert_eq!(by_code.bytes(), new.master.bytes());
    }

    #[test]
    fn a_wrong_passphrase_says_wrong_passphrase_not_corrupt() {
        let new = keys("right");
        let err = new.bundle.unlock(&Passphrase::new("wrong")).unwrap_err();
        assert_eq!(err, CryptoError::WrongPassphrase);
        assert!(err.to_string().starts_with("wrong passphrase"), "{err}");
        let other = RecoveryCode::generate();
        assert_eq!(
            new.bundle.unlock_with_recovery(&other).unwrap_err(),
            CryptoError::WrongRecoveryCode
        );
    }

    #[test]
    fn a_damaged_wrap_says_corrupt() {
        let new = keys("right");
        let mut bundle = new.bundle.clone();
        let mut raw = B64.decode(&bundle.passphrase.ciphertext).unwrap();
        raw[3] ^= 1;
        bundle.passphrase.ciphertext = B64.encode(raw);
        let err = bundle.unlock(&Passphrase::new("right")).unwrap_err();
        assert!(matches!(err, CryptoError::Corrupt { .. }), "{err:?}");

        // Swapping the two wraps is caught by the associated data, not mistaken for success.
        let mut swapped = new.bundle.clone();
        swapped.recovery.ciphertext = swapped.passphrase.ciphertext.clone();
        swapped.recovery.nonce = swapped.passphrase.nonce.clone();
        assert!(matches!(
            swapped.unlock_with_recovery(&new.recovery).unwrap_err(),
            CryptoError::Corrupt { .. }
        ));
    }

    #[test]
    fn changing_the_passphrase_keeps_the_key_and_the_recovery_code() {
        let new = keys("old");
        let changed = new
            .bundle
            .change_passphrase(
                &new.master,
                &Passphrase::new("new"),
                KdfParams::INSECURE_FOR_TESTS,
            )
            .unwrap();
        assert_eq!(changed.key_id, new.bundle.key_id);
        assert_eq!(
            changed.unlock(&Passphrase::new("old")).unwrap_err(),
            CryptoError::WrongPassphrase
        );
        assert_eq!(
            changed.unlock(&Passphrase::new(" new\n")).unwrap().key_id(),
            new.master.key_id()
        );
        changed.unlock_with_recovery(&new.recovery).unwrap();
        let json = changed.to_json();
        assert_eq!(KeyBundle::from_json(&json).unwrap(), changed);
    }

    #[test]
    fn an_empty_passphrase_is_refused() {
        assert_eq!(
            KeyBundle::create(&Passphrase::new("  "), KdfParams::INSECURE_FOR_TESTS).unwrap_err(),
            CryptoError::EmptyPassphrase
        );
    }

    #[test]
    fn costs_beyond_the_limits_are_refused_before_allocating() {
        let new = keys("p");
        let mut bundle = new.bundle;
        if let Kdf::Argon2id { m_cost, .. } = &mut bundle.passphrase.kdf {
            *m_cost = u32::MAX;
        }
        assert!(matches!(
            bundle.unlock(&Passphrase::new("p")).unwrap_err(),
            CryptoError::BadKdf(_)
        ));
    }
}
