//! Errors that say what happened and what to do next. None of them carries a token, a code or
//! a key: messages are built from ids, provider names and the provider's error codes only.

use std::path::PathBuf;

use syncer_core::ids::ConnectionId;
use syncer_store::StoreError;

/// The secret store failed.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error(
        "Syncer keeps secrets in the encrypted file {path} ({reason}), which needs its \
         passphrase: enter it in the Syncer window (Connections, Add a connection), or set \
         SYNCER_VAULT_PASSPHRASE"
    )]
    PassphraseNeeded { path: PathBuf, reason: String },

    #[error(
        "the passphrase does not open the secrets file {path}. Check SYNCER_VAULT_PASSPHRASE \
         (or the passphrase you entered); if it is lost, move the file aside and reconnect \
         your services"
    )]
    WrongPassphrase { path: PathBuf },

    #[error(
        "the secrets file {path} is damaged ({cause}); move it aside and reconnect your \
         services"
    )]
    Corrupt { path: PathBuf, cause: String },

    #[error("cannot read or write the secrets file {path}: {cause}")]
    Io { path: PathBuf, cause: String },

    #[error(
        "the system keyring is not available ({cause}). Log in to a desktop session with a \
         keyring, or set SYNCER_VAULT=file and SYNCER_VAULT_PASSPHRASE to keep secrets in an \
         encrypted file"
    )]
    KeyringUnavailable { cause: String },

    #[error("the system keyring refused the request ({cause}). Unlock your keyring and try again")]
    Keyring { cause: String },

    #[error("the stored secret for {key} is unreadable ({cause}); reconnect it")]
    BadEntry { key: String, cause: String },

    #[error("SYNCER_VAULT is \"{0}\"; use auto, keyring or file")]
    BadPreference(String),
}

/// Getting a usable access token failed.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(
        "the {provider} connection {connection} needs to be signed in again ({reason}); \
         reconnecting renews the same connection, its bases and history stay"
    )]
    ReconnectNeeded {
        connection: ConnectionId,
        provider: String,
        reason: String,
    },

    #[error("could not renew access to {provider} ({cause}); Syncer will try again")]
    Unavailable { provider: String, cause: String },

    #[error("no secret is stored for connection {connection}; reconnect it")]
    Missing { connection: ConnectionId },

    #[error("no connection {0}; it may have been removed")]
    NotFound(ConnectionId),

    #[error("could not take the sign-in lock {path} ({cause}); Syncer will try again")]
    Lock { path: PathBuf, cause: String },

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Vault(#[from] VaultError),
}

impl TokenError {
    /// True when only the user can fix it (reconnect, or the connection is gone); false when
    /// trying again later may work.
    pub fn needs_user(&self) -> bool {
        matches!(
            self,
            Self::ReconnectNeeded { .. } | Self::Missing { .. } | Self::NotFound(_)
        )
    }
}

/// Connecting, and managing connections, failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no provider named \"{name}\" is known to this version of Syncer (known: {known})")]
    UnknownProvider { name: String, known: String },

    #[error("{provider} does not sign in with {attempted}; use its {expected} form instead")]
    WrongAuthKind {
        provider: String,
        attempted: &'static str,
        expected: &'static str,
    },

    #[error(
        "no {provider} Client ID is set. {help}; enter it in Settings (or give it to the CLI \
         with --client-id) and connect again"
    )]
    MissingClientId { provider: String, help: String },

    #[error(
        "{uri} cannot receive the sign-in answer: use the syncer:// link or a loopback \
         address (http://127.0.0.1:PORT/...)"
    )]
    UnsupportedRedirect { uri: String },

    #[error("the sign-in answer is malformed ({reason}); start connecting again from Syncer")]
    BadCallback { reason: String },

    #[error("this sign-in link was already used; start connecting again")]
    StateReplayed,

    #[error(
        "this sign-in answer does not belong to a sign-in Syncer started (or Syncer was \
         restarted since); start connecting again"
    )]
    StateUnknown,

    #[error("the sign-in link expired after 10 minutes; start connecting again")]
    StateExpired,

    #[error(
        "this sign-in was started for {expected}, but the answer came back for {actual}; \
         start connecting again"
    )]
    WrongProvider { expected: String, actual: String },

    #[error(
        "the sign-in answer arrived at {actual}, but this sign-in expects it at {expected}; \
         start connecting again, and check the redirect URI registered with the provider"
    )]
    RedirectMismatch { expected: String, actual: String },

    #[error(
        "you declined access in {provider}, so nothing was connected. Connect again if that \
         was a mistake"
    )]
    Denied { provider: String },

    #[error("{provider} refused the sign-in ({code}{description}); start connecting again")]
    ProviderRefused {
        provider: String,
        code: String,
        description: String,
    },

    #[error("could not reach {provider} ({cause}); check your connection and try again")]
    Unreachable { provider: String, cause: String },

    #[error("{provider} answered unexpectedly ({cause}); try again later")]
    BadResponse { provider: String, cause: String },

    #[error(
        "{provider} refused this account for this app ({message}): an app in Development Mode \
         serves only the users listed in its dashboard. Add the account's email under User \
         Management in your app's dashboard ({dashboard}), then test the connection again",
        dashboard = syncer_core::provider::DEVELOPER_DASHBOARD
    )]
    NotInAppUsers { provider: String, message: String },

    #[error("the {provider} API key is empty; paste the key from your {provider} account")]
    EmptyApiKey { provider: String },

    #[error("{provider} refused the API key ({status}); check it and enter it again")]
    ApiKeyRefused { provider: String, status: u16 },

    #[error("no connection {0}; it may have been removed")]
    NotFound(ConnectionId),

    #[error(
        "the connection \"{name}\" is used by base playlists: {bases}. Remove those first, or \
         remove the connection anyway (their syncs will stop until they get another)",
        bases = .bases.join(", ")
    )]
    InUse { name: String, bases: Vec<String> },

    #[error("a connection's name cannot be empty")]
    EmptyName,

    #[error("cannot listen for the sign-in answer on 127.0.0.1 ({cause})")]
    Loopback { cause: String },

    #[error(
        "no sign-in answer reached Syncer within {seconds} s; start connecting again (and \
         finish signing in in the browser)"
    )]
    CallbackTimeout { seconds: u64 },

    #[error("could not open the browser ({cause}); open this address yourself: {url}")]
    Browser { cause: String, url: String },

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    Vault(#[from] VaultError),

    #[error(transparent)]
    Token(#[from] TokenError),
}
