//! Exit codes, documented in docs/cli.md. Scripts branch on these, so they never change
//! meaning.

use syncer_app::AppError;
use syncer_core::engine::EngineError;
use syncer_core::filter::query::ParseError;
use syncer_core::provider::ProviderError;
use syncer_store::{SetupError, StoreError};

pub const OK: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const SYNC_FAILED: u8 = 3;
pub const SYNC_IN_PROGRESS: u8 = 4;
pub const NOT_FOUND: u8 = 5;
pub const BAD_QUERY: u8 = 6;
pub const SERVICE: u8 = 7;
pub const CANCELLED: u8 = 8;
pub const STORE: u8 = 9;
/// The cloud needs a sign-in or the sync passphrase, or holds another key.
pub const CLOUD_KEY: u8 = 10;
/// The encrypted secrets file needs its passphrase and none was given (a local problem:
/// set SYNCER_VAULT_PASSPHRASE).
pub const VAULT_PASSPHRASE: u8 = 11;

/// An error the CLI itself decides the exit code of.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    pub fn new(code: u8, message: impl Into<String>) -> CliError {
        CliError {
            code,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> CliError {
        CliError::new(NOT_FOUND, message)
    }
}

/// Whether the vault's "passphrase needed" is the cause, wherever it is wrapped.
fn passphrase_needed(error: &anyhow::Error) -> bool {
    use syncer_auth::{AuthError, TokenError, VaultError};
    fn vault(v: &VaultError) -> bool {
        matches!(v, VaultError::PassphraseNeeded { .. })
    }
    fn token(t: &TokenError) -> bool {
        matches!(t, TokenError::Vault(v) if vault(v))
    }
    fn auth(a: &AuthError) -> bool {
        match a {
            AuthError::Vault(v) => vault(v),
            AuthError::Token(t) => token(t),
            _ => false,
        }
    }
    error.chain().any(|cause| {
        cause.downcast_ref::<VaultError>().is_some_and(vault)
            || cause.downcast_ref::<TokenError>().is_some_and(token)
            || cause.downcast_ref::<AuthError>().is_some_and(auth)
            || match cause.downcast_ref::<AppError>() {
                Some(AppError::Vault(v)) => vault(v),
                Some(AppError::Auth(a)) => auth(a),
                _ => false,
            }
    })
}

/// Whether the error is a sign-in that must be renewed, wherever it is wrapped.
fn reconnect_needed(error: &anyhow::Error) -> Option<String> {
    use syncer_auth::{AuthError, TokenError};
    let of_provider = |p: &ProviderError| match p {
        ProviderError::ReconnectNeeded { reason } => Some(reason.clone()),
        _ => None,
    };
    let of_token = |t: &TokenError| match t {
        TokenError::ReconnectNeeded { reason, .. } => Some(reason.clone()),
        _ => None,
    };
    let of_engine = |e: &EngineError| match e {
        EngineError::Provider(p) => of_provider(p),
        _ => None,
    };
    error.chain().find_map(|cause| {
        if let Some(p) = cause.downcast_ref::<ProviderError>() {
            return of_provider(p);
        }
        if let Some(t) = cause.downcast_ref::<TokenError>() {
            return of_token(t);
        }
        if let Some(e) = cause.downcast_ref::<EngineError>() {
            return of_engine(e);
        }
        if let Some(AuthError::Token(t)) = cause.downcast_ref::<AuthError>() {
            return of_token(t);
        }
        match cause.downcast_ref::<AppError>()? {
            AppError::Provider(p) => of_provider(p),
            AppError::Engine(e) => of_engine(e),
            AppError::Auth(AuthError::Token(t)) => of_token(t),
            _ => None,
        }
    })
}

/// What the CLI prints for an error: for the cases a terminal user fixes in the terminal, one
/// plain sentence saying the command to run; otherwise the error and its causes.
pub fn message_of(error: &anyhow::Error) -> String {
    if passphrase_needed(error) {
        return "the secrets file is locked: set SYNCER_VAULT_PASSPHRASE to its passphrase and \
                run the command again"
            .to_owned();
    }
    if let Some(reason) = reconnect_needed(error) {
        return format!(
            "the Spotify sign-in must be renewed ({reason}): run `syncer connect spotify` (the \
             same connection is renewed; its bases, children and history stay)"
        );
    }
    format!("{error:#}")
}

/// The exit code for an error, from the first cause that says.
pub fn code_of(error: &anyhow::Error) -> u8 {
    if passphrase_needed(error) {
        return VAULT_PASSPHRASE;
    }
    for cause in error.chain() {
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return e.code;
        }
        // The shared layer's own cases; the errors it wraps are matched below.
        if let Some(e) = cause.downcast_ref::<AppError>() {
            match e {
                AppError::NotFound(_) => return NOT_FOUND,
                AppError::Usage(_) => return USAGE,
                AppError::Service(_) | AppError::Client(_) | AppError::Demo(_) => return SERVICE,
                AppError::NotYourPlaylist { .. } => return USAGE,
                AppError::Query(_) => return BAD_QUERY,
                // Transparent wrappers hide the wrapped error from the chain: ask it here.
                AppError::Engine(e) => return engine_code(e),
                AppError::Setup(e) => return setup_code(e),
                AppError::Store(_) => return STORE,
                AppError::Provider(_) | AppError::Auth(_) | AppError::Vault(_) => return SERVICE,
            }
        }
        if cause.downcast_ref::<ParseError>().is_some() {
            return BAD_QUERY;
        }
        if let Some(e) = cause.downcast_ref::<EngineError>() {
            return engine_code(e);
        }
        if let Some(e) = cause.downcast_ref::<SetupError>() {
            return setup_code(e);
        }
        // A refused or failed sign-in, or a connection that needs one: the service side.
        if cause.downcast_ref::<ProviderError>().is_some()
            || cause.downcast_ref::<syncer_auth::AuthError>().is_some()
            || cause.downcast_ref::<syncer_auth::TokenError>().is_some()
        {
            return SERVICE;
        }
        if let Some(e) = cause.downcast_ref::<syncer_cloud_client::CloudError>() {
            return crate::commands::cloud::exit_code(e);
        }
        if cause.downcast_ref::<StoreError>().is_some() {
            return STORE;
        }
    }
    FAILURE
}

fn engine_code(e: &EngineError) -> u8 {
    match e {
        EngineError::SyncInProgress { .. } => SYNC_IN_PROGRESS,
        EngineError::UnknownBase(_) | EngineError::ChildGone { .. } => NOT_FOUND,
        EngineError::NothingToUndo(_) => NOT_FOUND,
        EngineError::Filter { .. } => BAD_QUERY,
        EngineError::Cancelled => CANCELLED,
        EngineError::Provider(_) => SERVICE,
        EngineError::Storage(s) if s.busy => SYNC_IN_PROGRESS,
        EngineError::Storage(_) => STORE,
    }
}

fn setup_code(e: &SetupError) -> u8 {
    match e {
        SetupError::SyncInProgress { .. } => SYNC_IN_PROGRESS,
        SetupError::NotFound { .. } => NOT_FOUND,
        SetupError::Exists { .. } => FAILURE,
        SetupError::Unreadable { .. } | SetupError::Store(_) => STORE,
        // The user fixes these by editing the child's query, as for a query that does not parse.
        SetupError::BrokenFilter { .. } | SetupError::InvalidFilter { .. } => BAD_QUERY,
    }
}
