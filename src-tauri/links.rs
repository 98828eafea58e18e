//! "Open in Spotify": the window names what to open (a base, a child, a track of a base), the
//! shared layer builds its address (syncer_app::links), and only an address it built is
//! handed to the opener. The window itself holds no opener permission (capabilities/), so it
//! cannot open anything else.

use syncer_app::links::{PageOf, ServicePage, is_service_url};
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt as _;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::state::AppState;

/// Opens a base, a child or a track on its service; a thing with no page (the demo) is an
/// `invalid` error saying why, and nothing opens.
#[tauri::command]
pub async fn open_in_service(
    app: AppHandle,
    state: State<'_, AppState>,
    what: PageOf,
) -> CommandResult<()> {
    let page = state.services()?.page_of(&what).await.or_command_error()?;
    match page {
        ServicePage::Web { url } if is_service_url(&url) => app
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| CommandError::new(format!("could not open the browser ({e})"))),
        ServicePage::Web { .. } => Err(CommandError::with_code(
            ErrorCode::Invalid,
            "Syncer opens only the service's own pages",
        )),
        ServicePage::None { reason } => Err(CommandError::with_code(
            ErrorCode::Invalid,
            reason.message(),
        )),
    }
}
