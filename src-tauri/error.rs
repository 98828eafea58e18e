//! What a failed command sends to the window: one sentence that says what to do next. The
//! crates' errors already carry no secrets, so their messages can be shown as they are.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct CommandError {
    pub message: String,
}

impl CommandError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl<E: std::error::Error> From<E> for CommandError {
    fn from(err: E) -> Self {
        Self::new(err.to_string())
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
