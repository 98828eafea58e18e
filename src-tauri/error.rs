//! What a failed command sends to the window: one sentence that says what to do next, and a
//! code the window can act on (disable edits while a sync runs, point at a query's column).
//! The crates' errors already carry no secrets, so their messages can be shown as they are.

use serde::Serialize;
use syncer_app::AppError;
use ts_rs::TS;

/// The kinds of failure the window treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ErrorCode {
    SyncInProgress,
    NotFound,
    BadQuery,
    Service,
    Store,
    Invalid,
    /// An update's download did not match Syncer's signing key: refused, nothing installed.
    UpdateRejected,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CommandError {
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub code: Option<ErrorCode>,
}

impl CommandError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: None,
        }
    }

    pub fn with_code(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: Some(code),
        }
    }

    /// The shared layer's errors, with the code that says what kind they are.
    pub fn app(err: AppError) -> Self {
        let code = if err.is_sync_in_progress() {
            Some(ErrorCode::SyncInProgress)
        } else {
            match &err {
                AppError::NotFound(_) => Some(ErrorCode::NotFound),
                AppError::Usage(_) | AppError::NotYourPlaylist { .. } => Some(ErrorCode::Invalid),
                AppError::Query(_) => Some(ErrorCode::BadQuery),
                AppError::Service(_)
                | AppError::Provider(_)
                | AppError::Auth(_)
                | AppError::Client(_)
                | AppError::Demo(_) => Some(ErrorCode::Service),
                AppError::Store(_) | AppError::Vault(_) => Some(ErrorCode::Store),
                AppError::Engine(e) => match e {
                    syncer_core::engine::EngineError::UnknownBase(_)
                    | syncer_core::engine::EngineError::ChildGone { .. }
                    | syncer_core::engine::EngineError::NothingToUndo(_) => {
                        Some(ErrorCode::NotFound)
                    }
                    syncer_core::engine::EngineError::Filter { .. } => Some(ErrorCode::BadQuery),
                    syncer_core::engine::EngineError::Provider(_) => Some(ErrorCode::Service),
                    _ => None,
                },
                AppError::Setup(syncer_store::SetupError::NotFound { .. }) => {
                    Some(ErrorCode::NotFound)
                }
                // A child whose stored filter cannot be read: fixed by giving it a new query.
                AppError::Setup(
                    syncer_store::SetupError::BrokenFilter { .. }
                    | syncer_store::SetupError::InvalidFilter { .. },
                ) => Some(ErrorCode::BadQuery),
                AppError::Setup(_) => Some(ErrorCode::Store),
            }
        };
        Self {
            message: err.to_string(),
            code,
        }
    }
}

impl<E: std::error::Error> From<E> for CommandError {
    fn from(err: E) -> Self {
        Self::new(err.to_string())
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

/// Turns a shared-layer result (or anything it wraps) into a command result with its code.
pub trait OrCommandError<T> {
    fn or_command_error(self) -> CommandResult<T>;
}

impl<T, E: Into<AppError>> OrCommandError<T> for Result<T, E> {
    fn or_command_error(self) -> CommandResult<T> {
        self.map_err(|e| CommandError::app(e.into()))
    }
}
