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

/// What kind of failure a [`CloudError`] is: all a front end needs to choose its exit code,
/// error code or next step, in one exhaustive match (the message says the details).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloudErrorKind {
    /// No Syncer cloud answers at the address (down, offline, or not a Syncer cloud).
    Unreachable,
    /// This device is not signed in, or its sign-in ended (signed out, password changed
    /// elsewhere, device removed): sign in again.
    SignedOut,
    /// The sync key is not on this device: the passphrase unlocks it.
    Locked,
    /// The passphrase or recovery code does not open the account's key.
    WrongPassphrase,
    /// Data and account are under different keys.
    WrongKey,
    /// The server wants the account's password for this (a deletion, long after sign-in).
    PasswordRequired,
    /// The email or the account's password is wrong.
    WrongPassword,
    /// The state does not allow it now: a record changed meanwhile, or already signed in.
    Conflict,
    /// Gone or never there: an enrollment code (unknown, expired or used), a conflict, a device.
    NotFound,
    /// Too many attempts, or the server is at a limit: try again after `retry_after` seconds
    /// (when the server said).
    RateLimited { retry_after: Option<u64> },
    /// Typed text that is not what it should be (an enrollment or recovery code, an empty
    /// passphrase): nothing was sent.
    Malformed,
    /// Refused as invalid: a request the server or this device will not do as asked.
    Invalid,
    /// The server failed or answered what this version does not expect.
    Server,
    /// A base is syncing on this device: try again when it is done.
    Busy,
    /// This device's own storage failed: the database, the vault, the sync state file.
    Local,
}

impl CloudError {
    /// The kind of failure, for front ends to map with one match.
    pub fn kind(&self) -> CloudErrorKind {
        use CloudErrorKind as K;
        match self {
            Self::Unreachable { .. } | Self::WrongServer { .. } => K::Unreachable,
            Self::NotSignedIn | Self::SessionEnded { .. } | Self::DeviceRemoved => K::SignedOut,
            Self::Locked => K::Locked,
            Self::WrongPassphrase => K::WrongPassphrase,
            Self::WrongKey { .. } => K::WrongKey,
            Self::EnrollmentExpired | Self::EnrollmentUsed | Self::EnrollmentUnknown => K::NotFound,
            Self::AlreadySignedIn { .. } => K::Conflict,
            Self::BadEnrollmentCode { .. } => K::Malformed,
            Self::Invalid(_) => K::Invalid,
            Self::Crypto(e) => match e {
                CryptoError::WrongPassphrase | CryptoError::WrongRecoveryCode => K::WrongPassphrase,
                CryptoError::WrongKey { .. } => K::WrongKey,
                CryptoError::BadRecoveryCode { .. } | CryptoError::EmptyPassphrase => K::Malformed,
                CryptoError::WrongEnrollmentSecret | CryptoError::BadKdf(_) => K::Invalid,
                CryptoError::Corrupt { .. } | CryptoError::Unsupported { .. } => K::Server,
            },
            Self::Vault(_) | Self::Store(_) | Self::State { .. } => K::Local,
            Self::Setup(e) => match e {
                syncer_store::SetupError::SyncInProgress { .. } => K::Busy,
                syncer_store::SetupError::NotFound { .. } => K::NotFound,
                syncer_store::SetupError::Exists { .. } => K::Conflict,
                syncer_store::SetupError::BrokenFilter { .. }
                | syncer_store::SetupError::InvalidFilter { .. } => K::Invalid,
                syncer_store::SetupError::Unreadable { .. }
                | syncer_store::SetupError::Store(_) => K::Local,
            },
            Self::Api {
                status,
                code,
                details,
                ..
            } => match (*status, code.as_str()) {
                (_, "password_required") => K::PasswordRequired,
                (_, "invalid_credentials" | "unknown_account") => K::WrongPassword,
                (_, "rate_limited" | "busy") | (429, _) => K::RateLimited {
                    retry_after: details["retry_after_seconds"].as_u64(),
                },
                (401, _) => K::SignedOut,
                (404, _) => K::NotFound,
                (409, _) => K::Conflict,
                (400..=499, _) => K::Invalid,
                _ => K::Server,
            },
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str, details: serde_json::Value) -> CloudError {
        CloudError::Api {
            status,
            code: code.to_owned(),
            message: String::new(),
            details,
        }
    }

    /// The server's answers the front ends act on, by their code rather than their words.
    #[test]
    fn server_answers_have_their_kinds() {
        let none = serde_json::Value::Null;
        let cases = [
            (
                api(403, "password_required", none.clone()),
                CloudErrorKind::PasswordRequired,
            ),
            (
                api(401, "invalid_credentials", none.clone()),
                CloudErrorKind::WrongPassword,
            ),
            (
                api(401, "unauthorized", none.clone()),
                CloudErrorKind::SignedOut,
            ),
            (
                api(404, "not_found", none.clone()),
                CloudErrorKind::NotFound,
            ),
            (
                api(409, "version_conflict", none.clone()),
                CloudErrorKind::Conflict,
            ),
            (
                api(400, "invalid_json", none.clone()),
                CloudErrorKind::Invalid,
            ),
            (api(500, "internal", none.clone()), CloudErrorKind::Server),
            (
                api(
                    429,
                    "rate_limited",
                    serde_json::json!({"retry_after_seconds": 30}),
                ),
                CloudErrorKind::RateLimited {
                    retry_after: Some(30),
                },
            ),
            (
                api(503, "busy", none),
                CloudErrorKind::RateLimited { retry_after: None },
            ),
            (CloudError::NotSignedIn, CloudErrorKind::SignedOut),
            (CloudError::EnrollmentUsed, CloudErrorKind::NotFound),
            (
                CloudError::BadEnrollmentCode {
                    reason: String::new(),
                },
                CloudErrorKind::Malformed,
            ),
        ];
        for (error, kind) in cases {
            assert_eq!(error.kind(), kind, "{error:?}");
        }
    }
}
