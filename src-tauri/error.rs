//! What a failed command sends to the window: one sentence, and the shared layer's
//! [`ErrorKind`] as its code (disable edits while a sync runs, point at a query's column, ask
//! for the vault's passphrase). The crates' errors carry no secrets and name no front end's
//! controls, so their messages can be shown as they are.

use serde::Serialize;
use syncer_app::AppError;
use ts_rs::TS;

/// The kinds of failure the window treats differently: the shared layer's, unchanged.
pub type ErrorCode = syncer_app::ErrorKind;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
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

    /// The shared layer's errors, with their kind as the code.
    pub fn app(err: AppError) -> Self {
        Self {
            message: err.to_string(),
            code: Some(err.kind()),
        }
    }
}

impl From<AppError> for CommandError {
    fn from(err: AppError) -> Self {
        Self::app(err)
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
