//! A child's detail and "why not?": the shared layer's `child_detail` and `explain`, as they
//! are (their types are the window's, generated into ui/src/bindings).

use syncer_app::detail::{ChildDetail, Why};
use syncer_core::ids::ChildPlaylistId;
use tauri::State;

use crate::error::{CommandResult, OrCommandError};
use crate::state::AppState;

/// A child's tracks now (read from the service), its counts and its last sync.
#[tauri::command]
pub async fn child_detail(state: State<'_, AppState>, child: String) -> CommandResult<ChildDetail> {
    state
        .services()?
        .child_detail(&ChildPlaylistId::new(child))
        .await
        .or_command_error()
}

/// Why a track of the base (an id, or words of its title or artist) is or is not in a child.
#[tauri::command]
pub async fn explain_track(
    state: State<'_, AppState>,
    child: String,
    track: String,
) -> CommandResult<Why> {
    state
        .services()?
        .explain(&ChildPlaylistId::new(child), &track)
        .await
        .or_command_error()
}
