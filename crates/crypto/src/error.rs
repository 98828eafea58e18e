//! What can go wrong opening the envelope, sorted by what the user can do about it: a wrong
//! passphrase is retyped, a wrong key means another account's (or an old) key is in use,
//! corrupt data is reported.

use crate::keys::KeyId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("wrong passphrase: this is not the sync passphrase of this account; try again")]
    WrongPassphrase,

    #[error(
        "wrong recovery code: the words are valid but do not open this account's key; check \
         that it is the code of this account"
    )]
    WrongRecoveryCode,

    #[error(
        "this enrollment code does not open the key it was made for (it was altered, or mixed \
         with another code); ask for a new code"
    )]
    WrongEnrollmentSecret,

    #[error(
        "the recovery code is not valid: {reason}. It is {words} words from the list shown when \
         it was made, in order",
        words = crate::recovery::RECOVERY_WORDS
    )]
    BadRecoveryCode { reason: String },

    #[error(
        "wrong key: the data was encrypted under key {found}, but this device holds key \
         {expected}; sign in to the account that wrote it, or enter that account's passphrase"
    )]
    WrongKey { expected: KeyId, found: KeyId },

    #[error(
        "corrupt data ({what}): it was damaged, altered, or moved from where it was written; \
         nothing was decrypted"
    )]
    Corrupt { what: String },

    #[error("unsupported format: {what}; update Syncer to read it")]
    Unsupported { what: String },

    #[error("the passphrase is empty; choose one (a few words are best)")]
    EmptyPassphrase,

    #[error("bad key-derivation parameters: {0}")]
    BadKdf(String),
}

impl CryptoError {
    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt { what: what.into() }
    }

    /// The `format` / `version` header every JSON envelope starts with: another format is
    /// corrupt data, another version one this build cannot read. `what` names the envelope
    /// ("key bundle").
    pub(crate) fn check_header(
        what: &str,
        (format, expected_format): (&str, &str),
        (version, expected_version): (u32, u32),
    ) -> Result<(), Self> {
        if format != expected_format {
            return Err(Self::corrupt(format!("not a {what} (format {format:?})")));
        }
        if version != expected_version {
            return Err(Self::Unsupported {
                what: format!("{what} version {version}"),
            });
        }
        Ok(())
    }
}
