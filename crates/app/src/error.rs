//! What can go wrong in the application layer, typed so each front end decides how to say it
//! (the CLI picks an exit code, the desktop app a message and an action).

use syncer_core::engine::EngineError;
use syncer_core::filter::query::ParseError;
use syncer_core::provider::ProviderError;
use syncer_store::{SetupError, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Something named does not exist; the message says where to look.
    #[error("{0}")]
    NotFound(String),
    /// The request itself does not make sense (a missing choice, an ambiguous connection).
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
}

impl AppError {
    /// True when the error is "a sync of this base is running", in whichever layer said it.
    pub fn is_sync_in_progress(&self) -> bool {
        matches!(
            self,
            AppError::Engine(EngineError::SyncInProgress { .. })
                | AppError::Setup(SetupError::SyncInProgress { .. })
        ) || matches!(self, AppError::Engine(EngineError::Storage(s)) if s.busy)
    }
}

pub type AppResult<T> = Result<T, AppError>;
