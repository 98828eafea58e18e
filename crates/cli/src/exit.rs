//! Exit codes, documented in docs/cli.md. Scripts branch on these, so they never change
//! meaning.

use syncer_app::{ErrorKind, Hint, Thing};
use syncer_core::provider::ProviderError;

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

/// The exit code of each kind of failure: one exhaustive match, so a new kind cannot go
/// unmapped.
pub fn code_of_kind(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::SyncInProgress => SYNC_IN_PROGRESS,
        ErrorKind::NotFound => NOT_FOUND,
        ErrorKind::BadQuery => BAD_QUERY,
        ErrorKind::Invalid => USAGE,
        ErrorKind::Exists => FAILURE,
        ErrorKind::Service
        | ErrorKind::ReconnectNeeded
        | ErrorKind::Cloud
        | ErrorKind::WrongPassword => SERVICE,
        ErrorKind::VaultLocked => VAULT_PASSPHRASE,
        ErrorKind::Cancelled => CANCELLED,
        ErrorKind::Store => STORE,
        ErrorKind::Config => USAGE,
        ErrorKind::CloudKey | ErrorKind::PasswordRequired => CLOUD_KEY,
        ErrorKind::Refused => FAILURE,
    }
}

/// What the terminal user does about a hint: the command to run.
fn hint_text(hint: &Hint) -> String {
    match hint {
        Hint::List(Thing::Connection) => "`syncer connections list` shows them".into(),
        Hint::List(Thing::Base) => {
            "`syncer base list` shows them, `syncer base add` adds one".into()
        }
        Hint::List(Thing::Child) => "`syncer child list BASE` shows them".into(),
        Hint::List(Thing::Sync) => "`syncer history` shows them".into(),
        Hint::List(Thing::Artist) => "`syncer genres list` shows who you tagged".into(),
        Hint::List(Thing::Playlist) => "`syncer playlists` shows them".into(),
        Hint::AddConnection => "`syncer connect demo` (or `syncer demo`) to try, `syncer \
                                connect spotify` for your account"
            .into(),
        Hint::PickConnection => "say which with --connection (`syncer connections list`)".into(),
        Hint::AddBase => "add it first: `syncer base add PLAYLIST`".into(),
        Hint::FixChild { child } => format!(
            "`syncer child edit {child} --query '...'` replaces its query, `syncer child \
             remove {child}` removes it"
        ),
        Hint::RemoveChild { child } => format!("`syncer child remove {child}` removes it"),
        Hint::CancelSync { base } => format!("`syncer cancel {base}` cancels it"),
        Hint::Reconnect { provider } => format!(
            "run `syncer connect {provider}` (the same connection is renewed; its bases, \
             children and history stay)"
        ),
        Hint::UnlockVault => "set SYNCER_VAULT_PASSPHRASE to its passphrase and run the \
                              command again"
            .into(),
        Hint::CloudSignIn => "`syncer cloud login` (or `syncer cloud signup`)".into(),
        Hint::CloudPassphrase => "`syncer cloud passphrase`".into(),
    }
}

/// What the CLI prints for an error: the error and its causes, then what to do next as a
/// command. A locked secrets file and a sign-in to renew get one plain sentence instead.
pub fn message_of(error: &anyhow::Error) -> String {
    let kind = error.chain().find_map(ErrorKind::of);
    let hint = error.chain().find_map(Hint::of);
    match (kind, &hint) {
        (Some(ErrorKind::VaultLocked), _) => {
            return "the secrets file is locked: set SYNCER_VAULT_PASSPHRASE to its passphrase \
                    and run the command again"
                .to_owned();
        }
        // A permission the sign-in lacks says so itself, then the command.
        (Some(ErrorKind::ReconnectNeeded), Some(Hint::Reconnect { provider }))
            if !lacks_scope(error) =>
        {
            let reason = error
                .chain()
                .find_map(|c| match c.downcast_ref::<ProviderError>() {
                    Some(ProviderError::ReconnectNeeded { reason }) => Some(reason.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| error.to_string());
            let name = if provider == "spotify" {
                "Spotify"
            } else {
                provider.as_str()
            };
            return format!(
                "the {name} sign-in must be renewed ({reason}): {}",
                hint_text(&Hint::Reconnect {
                    provider: provider.clone()
                })
            );
        }
        _ => {}
    }
    match hint {
        Some(hint) => format!("{error:#}\n{}", hint_text(&hint)),
        None => format!("{error:#}"),
    }
}

/// Whether the error is a sign-in without a permission Syncer needs (not an expired one).
fn lacks_scope(error: &anyhow::Error) -> bool {
    error.chain().any(|c| {
        matches!(
            c.downcast_ref::<syncer_app::AppError>(),
            Some(syncer_app::AppError::MissingScope { .. })
        ) || matches!(
            c.downcast_ref::<ProviderError>(),
            Some(ProviderError::MissingScope { .. })
        )
    })
}

/// The exit code for an error, from the first cause that says.
pub fn code_of(error: &anyhow::Error) -> u8 {
    for cause in error.chain() {
        if let Some(e) = cause.downcast_ref::<CliError>() {
            return e.code;
        }
        if let Some(kind) = ErrorKind::of(cause) {
            return code_of_kind(kind);
        }
    }
    FAILURE
}
