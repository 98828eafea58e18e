//! What can go wrong in the application layer, typed so each front end decides how to say it.
//!
//! Every error has one [`ErrorKind`] (what a front end does about it: an exit code, a window
//! code) and maybe a [`Hint`] (what the user can do next, for the front end to word with its
//! own controls: a command in the terminal, a button in the window). Messages here name no
//! front end's controls.

use serde::Serialize;
use syncer_core::engine::EngineError;
use syncer_core::filter::query::ParseError;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId};
use syncer_core::provider::ProviderError;
use syncer_store::{SetupError, StoreError};
use ts_rs::TS;

/// Something the user named that Syncer does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Thing {
    Connection,
    Base,
    Child,
    Sync,
    Artist,
    Playlist,
}

impl Thing {
    fn noun(self) -> &'static str {
        match self {
            Thing::Connection => "connection",
            Thing::Base => "base",
            Thing::Child => "child",
            Thing::Sync => "sync",
            Thing::Artist => "artist",
            Thing::Playlist => "playlist",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Something named does not exist.
    #[error("there is no {} {id} in Syncer", thing.noun())]
    Missing { thing: Thing, id: String },
    /// A use case needs a connection and there is none yet.
    #[error("there is no connection yet")]
    NoConnection,
    /// Several connections and none named.
    #[error("there are several connections: say which one")]
    WhichConnection,
    /// Not found, with the message saying what (an artist by name, a sync by id).
    #[error("{0}")]
    NotFound(String),
    /// The request itself does not make sense (a missing choice, a bad value).
    #[error("{0}")]
    Usage(String),
    /// The music service, or the demo's stand-in, could not do what was asked.
    #[error("{0}")]
    Service(String),
    /// A playlist the user follows but neither owns nor collaborates on: the service serves
    /// its items only to its owner and collaborators, so it cannot be a base.
    #[error(
        "\"{name}\" belongs to {owner}, and you neither own it nor collaborate on it: Spotify \
         lets apps read the items only of playlists you own or collaborate on, so it cannot be \
         a base. Copy it into a playlist of your own in Spotify (or ask its owner to make you a \
         collaborator), then add that one"
    )]
    NotYourPlaylist { name: String, owner: String },
    /// The connection's sign-in lacks a permission this needs (Liked Songs need
    /// `user-library-read`, which connections made before Syncer asked for it lack). Signing
    /// in again on the same connection adds it; its bases and children are kept.
    #[error(
        "connection {connection} was made before Syncer asked for permission to {what} \
         ({scope}); reconnect it and approve the new permission (its bases and children are \
         kept)"
    )]
    MissingScope {
        connection: String,
        provider: String,
        scope: String,
        what: String,
    },
    /// A filter's `in:` rule names no playlist of the connection, or a name two share.
    #[error("{0}")]
    UnknownList(String),
    /// A change that must wait while a sync of the base runs.
    #[error(
        "a sync of base {0} is in progress; wait for it to finish or cancel it, then try again"
    )]
    Busy(BasePlaylistId),
    /// A child's query does not parse; the error carries the column.
    #[error("invalid query: {0}")]
    Query(#[from] ParseError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Auth(#[from] syncer_auth::AuthError),
    #[error(transparent)]
    Vault(#[from] syncer_auth::VaultError),
    #[error("could not set up the client: {0}")]
    Client(#[from] syncer_spotify::BuildError),
    #[error("could not start the demo's stand-in on 127.0.0.1: {0}")]
    Demo(#[from] spotify_fake::FakeError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Cloud(#[from] syncer_cloud_client::CloudError),
    /// A file the user asked for could not be written or removed.
    #[error("{0}")]
    Io(String),
}

/// What kind of failure an error is: what each front end maps to its own code (an exit code,
/// the window's `ErrorCode`) with one exhaustive match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorKind {
    /// A sync of the base runs: wait or cancel.
    SyncInProgress,
    NotFound,
    /// A query or stored filter the user fixes by editing it.
    BadQuery,
    /// The request does not make sense as given.
    Invalid,
    /// Already there.
    Exists,
    /// The music service (or MusicBrainz) failed or refused.
    Service,
    /// A sign-in must be renewed.
    ReconnectNeeded,
    /// The secrets file is locked and needs its passphrase.
    VaultLocked,
    /// A sync was cancelled.
    Cancelled,
    /// The local database or files.
    Store,
    /// The configuration is not valid.
    Config,
    /// The cloud account: a sign-in, a passphrase or the key are needed.
    CloudKey,
    /// The cloud server failed or cannot be reached.
    Cloud,
    /// The cloud wants the account's password for this (deleting its data long after sign-in).
    PasswordRequired,
    /// The cloud account's email or password is wrong.
    WrongPassword,
    /// The cloud refused: the state does not allow it now, or not as asked.
    Refused,
}

/// What the user can do next; each front end words it with its own controls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// See what exists of this kind.
    List(Thing),
    /// Connect a service (or the demo) first.
    AddConnection,
    /// Name the connection.
    PickConnection,
    /// Add the base first.
    AddBase,
    /// Replace the child's query, or remove it.
    FixChild { child: ChildPlaylistId },
    /// Remove the child (its playlist is gone).
    RemoveChild { child: ChildPlaylistId },
    /// Cancel the running sync of the base.
    CancelSync { base: BasePlaylistId },
    /// Sign in to the provider again.
    Reconnect { provider: String },
    /// Give the secrets file's passphrase.
    UnlockVault,
    /// Sign in to the cloud account (again).
    CloudSignIn,
    /// Enter (or set) the cloud account's sync passphrase.
    CloudPassphrase,
}

impl AppError {
    pub fn missing(thing: Thing, id: impl Into<String>) -> AppError {
        AppError::Missing {
            thing,
            id: id.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        use ErrorKind as K;
        match self {
            AppError::Missing { .. } | AppError::NoConnection | AppError::NotFound(_) => {
                K::NotFound
            }
            AppError::WhichConnection | AppError::Usage(_) | AppError::NotYourPlaylist { .. } => {
                K::Invalid
            }
            AppError::Service(_) | AppError::Client(_) | AppError::Demo(_) => K::Service,
            AppError::MissingScope { .. } => K::ReconnectNeeded,
            AppError::Busy(_) => K::SyncInProgress,
            AppError::Query(_) | AppError::UnknownList(_) => K::BadQuery,
            AppError::Engine(e) => engine_kind(e),
            AppError::Setup(e) => setup_kind(e),
            AppError::Store(_) | AppError::Io(_) => K::Store,
            AppError::Provider(p) => provider_kind(p),
            AppError::Auth(a) => auth_kind(a),
            AppError::Vault(v) => vault_kind(v),
            AppError::Config(_) => K::Config,
            AppError::Cloud(c) => cloud_kind(c),
        }
    }

    /// What to do next, when there is one thing to say.
    pub fn hint(&self) -> Option<Hint> {
        match self {
            AppError::Missing { thing, .. } => Some(Hint::List(*thing)),
            AppError::NoConnection => Some(Hint::AddConnection),
            AppError::WhichConnection => Some(Hint::PickConnection),
            AppError::Busy(base) => Some(Hint::CancelSync { base: base.clone() }),
            AppError::MissingScope { provider, .. } => Some(Hint::Reconnect {
                provider: provider.clone(),
            }),
            AppError::Engine(e) => match e {
                EngineError::SyncInProgress { base } => {
                    Some(Hint::CancelSync { base: base.clone() })
                }
                EngineError::UnknownBase(_) => Some(Hint::AddBase),
                EngineError::Filter { child, .. } => Some(Hint::FixChild {
                    child: child.clone(),
                }),
                EngineError::ChildGone { child } => Some(Hint::RemoveChild {
                    child: child.clone(),
                }),
                EngineError::Provider(p) => provider_hint(p),
                _ => None,
            },
            AppError::Setup(e) => match e {
                SetupError::SyncInProgress { base } => {
                    Some(Hint::CancelSync { base: base.clone() })
                }
                SetupError::BrokenFilter { child, .. } => Some(Hint::FixChild {
                    child: child.clone(),
                }),
                _ => None,
            },
            AppError::Provider(p) => provider_hint(p),
            AppError::Cloud(c) => cloud_hint(c),
            AppError::Auth(syncer_auth::AuthError::Token(t)) => token_hint(t),
            AppError::Auth(syncer_auth::AuthError::Vault(v)) | AppError::Vault(v) => {
                matches!(v, syncer_auth::VaultError::PassphraseNeeded { .. })
                    .then_some(Hint::UnlockVault)
            }
            _ => None,
        }
    }

    /// True when the error is "a sync of this base is running", in whichever layer said it.
    pub fn is_sync_in_progress(&self) -> bool {
        self.kind() == ErrorKind::SyncInProgress
    }
}

impl ErrorKind {
    /// The kind of any error the shared layer or the crates under it return, wherever it
    /// sits in a chain of causes; `None` for errors of no known kind.
    pub fn of(e: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
        if let Some(e) = e.downcast_ref::<AppError>() {
            return Some(e.kind());
        }
        if let Some(e) = e.downcast_ref::<EngineError>() {
            return Some(engine_kind(e));
        }
        if let Some(e) = e.downcast_ref::<SetupError>() {
            return Some(setup_kind(e));
        }
        if let Some(e) = e.downcast_ref::<ProviderError>() {
            return Some(provider_kind(e));
        }
        if let Some(e) = e.downcast_ref::<syncer_auth::AuthError>() {
            return Some(auth_kind(e));
        }
        if let Some(e) = e.downcast_ref::<syncer_auth::TokenError>() {
            return Some(match e {
                syncer_auth::TokenError::ReconnectNeeded { .. } => ErrorKind::ReconnectNeeded,
                syncer_auth::TokenError::Vault(v) => vault_kind(v),
                _ => ErrorKind::Service,
            });
        }
        if let Some(e) = e.downcast_ref::<syncer_auth::VaultError>() {
            return Some(vault_kind(e));
        }
        if let Some(e) = e.downcast_ref::<syncer_cloud_client::CloudError>() {
            return Some(cloud_kind(e));
        }
        if e.downcast_ref::<ParseError>().is_some() {
            return Some(ErrorKind::BadQuery);
        }
        if e.downcast_ref::<StoreError>().is_some() {
            return Some(ErrorKind::Store);
        }
        if e.downcast_ref::<crate::config::ConfigError>().is_some() {
            return Some(ErrorKind::Config);
        }
        None
    }
}

impl Hint {
    /// The hint of an error in a chain of causes (the first that has one).
    pub fn of(e: &(dyn std::error::Error + 'static)) -> Option<Hint> {
        if let Some(e) = e.downcast_ref::<AppError>() {
            return e.hint();
        }
        if let Some(e) = e.downcast_ref::<EngineError>() {
            return AppError::Engine(e.clone()).hint();
        }
        if let Some(e) = e.downcast_ref::<ProviderError>() {
            return provider_hint(e);
        }
        if let Some(syncer_auth::AuthError::Token(t)) = e.downcast_ref::<syncer_auth::AuthError>() {
            return token_hint(t);
        }
        if let Some(t) = e.downcast_ref::<syncer_auth::TokenError>() {
            return token_hint(t);
        }
        if let Some(c) = e.downcast_ref::<syncer_cloud_client::CloudError>() {
            return cloud_hint(c);
        }
        if let Some(syncer_auth::VaultError::PassphraseNeeded { .. }) =
            e.downcast_ref::<syncer_auth::VaultError>()
        {
            return Some(Hint::UnlockVault);
        }
        None
    }
}

fn engine_kind(e: &EngineError) -> ErrorKind {
    match e {
        EngineError::SyncInProgress { .. } => ErrorKind::SyncInProgress,
        EngineError::UnknownBase(_)
        | EngineError::ChildGone { .. }
        | EngineError::NothingToUndo(_) => ErrorKind::NotFound,
        EngineError::Filter { .. } => ErrorKind::BadQuery,
        EngineError::Cancelled => ErrorKind::Cancelled,
        EngineError::Provider(p) => provider_kind(p),
        // Another process holds the database for a moment: a sync is writing.
        EngineError::Storage(s) if s.busy => ErrorKind::SyncInProgress,
        EngineError::Storage(_) => ErrorKind::Store,
    }
}

fn setup_kind(e: &SetupError) -> ErrorKind {
    match e {
        SetupError::SyncInProgress { .. } => ErrorKind::SyncInProgress,
        SetupError::NotFound { .. } => ErrorKind::NotFound,
        SetupError::Exists { .. } => ErrorKind::Exists,
        SetupError::Unreadable { .. } | SetupError::Store(_) => ErrorKind::Store,
        // The user fixes these by editing the child's query, as for a query that does not parse.
        SetupError::BrokenFilter { .. } | SetupError::InvalidFilter { .. } => ErrorKind::BadQuery,
    }
}

fn provider_kind(p: &ProviderError) -> ErrorKind {
    match p {
        ProviderError::ReconnectNeeded { .. } | ProviderError::MissingScope { .. } => {
            ErrorKind::ReconnectNeeded
        }
        _ => ErrorKind::Service,
    }
}

fn provider_hint(p: &ProviderError) -> Option<Hint> {
    match p {
        ProviderError::ReconnectNeeded { .. } | ProviderError::MissingScope { .. } => {
            Some(Hint::Reconnect {
                provider: crate::providers::SPOTIFY_PROVIDER.to_owned(),
            })
        }
        _ => None,
    }
}

fn cloud_hint(c: &syncer_cloud_client::CloudError) -> Option<Hint> {
    use syncer_cloud_client::CloudErrorKind as C;
    match c.kind() {
        C::SignedOut => Some(Hint::CloudSignIn),
        C::Locked => Some(Hint::CloudPassphrase),
        _ => None,
    }
}

fn token_hint(t: &syncer_auth::TokenError) -> Option<Hint> {
    match t {
        syncer_auth::TokenError::ReconnectNeeded { provider, .. } => Some(Hint::Reconnect {
            provider: provider.clone(),
        }),
        syncer_auth::TokenError::Vault(syncer_auth::VaultError::PassphraseNeeded { .. }) => {
            Some(Hint::UnlockVault)
        }
        _ => None,
    }
}

fn auth_kind(a: &syncer_auth::AuthError) -> ErrorKind {
    match a {
        syncer_auth::AuthError::Token(syncer_auth::TokenError::ReconnectNeeded { .. }) => {
            ErrorKind::ReconnectNeeded
        }
        syncer_auth::AuthError::Token(syncer_auth::TokenError::Vault(v))
        | syncer_auth::AuthError::Vault(v) => vault_kind(v),
        syncer_auth::AuthError::NotFound(_) => ErrorKind::NotFound,
        // Still used by bases: refused unless forced.
        syncer_auth::AuthError::InUse { .. } => ErrorKind::Refused,
        syncer_auth::AuthError::EmptyName
        | syncer_auth::AuthError::EmptyApiKey { .. }
        | syncer_auth::AuthError::MissingClientId { .. }
        | syncer_auth::AuthError::UnknownProvider { .. } => ErrorKind::Invalid,
        syncer_auth::AuthError::Store(_) => ErrorKind::Store,
        _ => ErrorKind::Service,
    }
}

fn vault_kind(v: &syncer_auth::VaultError) -> ErrorKind {
    match v {
        syncer_auth::VaultError::PassphraseNeeded { .. } => ErrorKind::VaultLocked,
        syncer_auth::VaultError::BadPreference(_) => ErrorKind::Config,
        _ => ErrorKind::Store,
    }
}

fn cloud_kind(c: &syncer_cloud_client::CloudError) -> ErrorKind {
    use syncer_cloud_client::CloudErrorKind as C;
    match c.kind() {
        C::SignedOut | C::Locked | C::WrongPassphrase | C::WrongKey => ErrorKind::CloudKey,
        C::PasswordRequired => ErrorKind::PasswordRequired,
        C::WrongPassword => ErrorKind::WrongPassword,
        C::NotFound => ErrorKind::NotFound,
        C::Malformed => ErrorKind::Invalid,
        C::Conflict | C::Invalid => ErrorKind::Refused,
        C::Unreachable | C::RateLimited { .. } | C::Server => ErrorKind::Cloud,
        C::Busy => ErrorKind::SyncInProgress,
        C::Local => ErrorKind::Store,
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_no_front_ends_controls() {
        let errors = [
            AppError::missing(Thing::Base, "b1"),
            AppError::NoConnection,
            AppError::WhichConnection,
            AppError::Busy(BasePlaylistId::new("b1")),
            AppError::Engine(EngineError::SyncInProgress {
                base: BasePlaylistId::new("b1"),
            }),
            AppError::Engine(EngineError::ChildGone {
                child: ChildPlaylistId::new("c1"),
            }),
        ];
        for e in errors {
            let text = e.to_string();
            assert!(!text.contains("syncer "), "{text}");
            assert!(!text.contains("--"), "{text}");
            assert!(e.hint().is_some(), "{text}");
        }
    }

    #[test]
    fn a_missing_permission_says_reconnect_in_every_layer() {
        let app = AppError::MissingScope {
            connection: "spotify-1".into(),
            provider: "spotify".into(),
            scope: "user-library-read".into(),
            what: "read your Liked Songs".into(),
        };
        let provider = ProviderError::MissingScope {
            scope: "user-library-read".into(),
            what: "read your Liked Songs".into(),
        };
        let engine = AppError::Engine(EngineError::Provider(provider.clone()));
        for e in [app, AppError::Provider(provider), engine] {
            assert_eq!(e.kind(), ErrorKind::ReconnectNeeded, "{e}");
            assert_eq!(
                e.hint(),
                Some(Hint::Reconnect {
                    provider: "spotify".into()
                })
            );
            let text = e.to_string();
            assert!(text.contains("user-library-read"), "{text}");
            assert!(!text.contains("syncer "), "{text}");
        }
    }

    #[test]
    fn each_layers_sync_in_progress_is_one_kind() {
        let base = BasePlaylistId::new("b");
        for e in [
            AppError::Busy(base.clone()),
            AppError::Engine(EngineError::SyncInProgress { base: base.clone() }),
            AppError::Setup(SetupError::SyncInProgress { base }),
        ] {
            assert_eq!(e.kind(), ErrorKind::SyncInProgress);
            assert!(e.is_sync_in_progress());
        }
        assert_eq!(
            AppError::Engine(EngineError::Cancelled).kind(),
            ErrorKind::Cancelled
        );
    }
}
