//! What can go wrong on the device side, each saying what to do next. The GUI matches on the
//! variants; the CLI prints the message.

use syncer_crypto::{CryptoError, KeyId};

#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    #[error(
        "not signed in to a Syncer cloud on this device: sign up or sign in first (`syncer cloud signup` / `syncer cloud login`)"
    )]
    NotSignedIn,

    #[error(
        "cloud sync is locked on this device: enter your sync passphrase (`syncer cloud passphrase`)"
    )]
    Locked,

    #[error(
        "wrong passphrase: it does not open this account's key; try again (lost it? use your recovery code)"
    )]
    WrongPassphrase,

    #[error(
        "wrong key: the account's data is encrypted under key {expected}, but this device used \
         key {found}; enter this account's sync passphrase on this device and sync again. \
         Nothing was uploaded or changed"
    )]
    WrongKey { expected: String, found: String },

    #[error("the server ended this sign-in ({reason}); sign in again (`syncer cloud login`)")]
    SessionEnded { reason: String },

    #[error(
        "this device was removed from the cloud account (on another device); its session and \
         sync key are gone from here. Sign in again, or join with a new code, to sync again"
    )]
    DeviceRemoved,

    #[error(
        "this enrollment code has expired (codes last 10 minutes); ask for a new code on a \
         signed-in device"
    )]
    EnrollmentExpired,

    #[error(
        "this enrollment code was already used (each code works once); ask for a new code on a \
         signed-in device"
    )]
    EnrollmentUsed,

    #[error(
        "the server does not know this enrollment code; check that it was copied whole, or ask \
         for a new code"
    )]
    EnrollmentUnknown,

    #[error(
        "that is not a Syncer enrollment code ({reason}); copy the whole line that starts with \
         `syncer-enroll:`"
    )]
    BadEnrollmentCode { reason: String },

    #[error(
        "the server in the code, {url}, is not a Syncer cloud that takes enrollment codes \
         ({cause}); check the code, or update the server"
    )]
    WrongServer { url: String, cause: String },

    #[error(
        "this device is already signed in to a Syncer cloud ({email}); sign out first to join \
         with a code"
    )]
    AlreadySignedIn { email: String },

    #[error(
        "cannot reach the Syncer cloud at {url}: {cause}. Check the address and your connection, then try again"
    )]
    Unreachable { url: String, cause: String },

    #[error("the cloud refused: {message} [{code}]")]
    Api {
        status: u16,
        code: String,
        message: String,
        details: serde_json::Value,
    },

    #[error(transparent)]
    Crypto(#[from] CryptoError),

    #[error("the device's secret store failed: {0}")]
    Vault(#[from] syncer_auth::VaultError),

    #[error(transparent)]
    Store(#[from] syncer_store::StoreError),

    #[error(transparent)]
    Setup(#[from] syncer_store::SetupError),

    #[error("cannot read or write the cloud sync state at {path}: {cause}")]
    State { path: String, cause: String },

    #[error("{0}")]
    Invalid(String),
}

impl CloudError {
    /// The server's error code, when the server answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    pub(crate) fn from_crypto(err: CryptoError) -> Self {
        match err {
            CryptoError::WrongPassphrase => Self::WrongPassphrase,
            CryptoError::WrongKey { expected, found } => Self::WrongKey {
                expected: expected.to_string(),
                found: found.to_string(),
            },
            other => Self::Crypto(other),
        }
    }

    pub(crate) fn wrong_key(expected: &KeyId, found: &KeyId) -> Self {
        Self::WrongKey {
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }
}

pub type Result<T> = std::result::Result<T, CloudError>;
