//! The Settings page: background sync, notifications, start-up, theme, and the user's data
//! (export it, delete it, see the logs).

use std::sync::Arc;

use serde::Serialize;
use syncer_app::settings::{Setting, Settings, Theme};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_opener::OpenerExt as _;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::state::AppState;
use crate::syncing::SyncHub;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SettingsView {
    /// What Syncer keeps.
    pub settings: Settings,
    /// What the desktop keeps (an autostart entry).
    pub start_at_login: bool,
}

#[tauri::command]
pub async fn get_settings(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<SettingsView> {
    Ok(SettingsView {
        settings: state.services()?.settings().await.or_command_error()?,
        start_at_login: app.autolaunch().is_enabled().unwrap_or(false),
    })
}

#[tauri::command]
pub async fn set_flag(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    setting: Setting,
    value: bool,
) -> CommandResult<()> {
    state
        .services()?
        .set_flag(setting, value)
        .await
        .or_command_error()?;
    hub.publish_status().await;
    Ok(())
}

#[tauri::command]
pub async fn set_theme(state: State<'_, AppState>, theme: Theme) -> CommandResult<()> {
    state.services()?.set_theme(theme).await.or_command_error()
}

/// Starts Syncer when the user logs in (an autostart entry the desktop reads).
#[tauri::command]
pub async fn set_start_at_login(app: AppHandle, enabled: bool) -> CommandResult<bool> {
    let autolaunch = app.autolaunch();
    let result = if enabled {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    result.map_err(|e| CommandError::new(format!("could not change start at login: {e}")))?;
    Ok(autolaunch.is_enabled().unwrap_or(enabled))
}

/// Writes all local data (no secrets: there are none in it) as JSON; returns where.
#[tauri::command]
pub async fn export_data(app: AppHandle, state: State<'_, AppState>) -> CommandResult<String> {
    let value = state.services()?.export().await.or_command_error()?;
    let folder = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .unwrap_or_else(|_| state.paths.data_dir().to_path_buf());
    let stamp = crate::syncing::unix_now();
    let path = folder.join(format!("syncer-export-{stamp}.json"));
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| CommandError::new(format!("could not write the export: {e}")))?;
    tokio::fs::create_dir_all(&folder)
        .await
        .and(tokio::fs::write(&path, text).await)
        .map_err(|e| {
            CommandError::new(format!(
                "could not write {}: {e}. Is the disk full or the folder read-only?",
                path.display()
            ))
        })?;
    Ok(path.display().to_string())
}

/// Deletes everything Syncer keeps on this machine (the shared layer's one "delete all data",
/// the same as `syncer delete-all-data`). Playlists on the services stay. `confirm` must be
/// "delete", so nothing goes by a slip.
#[tauri::command]
pub async fn delete_all_data(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    confirm: String,
) -> CommandResult<()> {
    if confirm.trim() != "delete" {
        return Err(CommandError::with_code(
            ErrorCode::Invalid,
            "Type delete to confirm; nothing was deleted.",
        ));
    }
    let deleted = state
        .services()?
        .delete_all_data()
        .await
        .or_command_error()?;
    for left in &deleted.secrets_left {
        tracing::warn!(secret = %left, "a secret could not be removed");
    }
    hub.reschedule().await;
    Ok(())
}

#[tauri::command]
pub async fn open_log_folder(app: AppHandle, state: State<'_, AppState>) -> CommandResult<()> {
    let dir = state.paths.log_dir();
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| CommandError::new(format!("could not open {}: {e}", dir.display())))
}
