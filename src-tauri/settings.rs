//! The Settings page: background sync, notifications, start-up, theme, and the user's data
//! (export it, delete it, see the logs).

use std::sync::Arc;

use serde::Serialize;
use syncer_store::SettingKey;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_opener::OpenerExt as _;
use ts_rs::TS;

use crate::error::{CommandError, CommandResult, ErrorCode, OrCommandError};
use crate::state::AppState;
use crate::syncing::SyncHub;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SettingsView {
    pub background_sync: bool,
    pub notify_on_success: bool,
    pub notify_on_failure: bool,
    pub start_minimised: bool,
    pub start_at_login: bool,
    /// system, light or dark.
    pub theme: String,
}

/// The yes/no settings the window may change, by name.
fn flag_key(name: &str) -> Option<(SettingKey, bool)> {
    Some(match name {
        "background_sync" => (SettingKey::BackgroundSync, true),
        "notify_on_success" => (SettingKey::NotifyOnSuccess, false),
        "notify_on_failure" => (SettingKey::NotifyOnFailure, true),
        "start_minimised" => (SettingKey::StartMinimised, false),
        _ => return None,
    })
}

#[tauri::command]
pub async fn get_settings(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CommandResult<SettingsView> {
    let store = state.store()?;
    let flag = |name: &str| {
        let (key, default) = flag_key(name).unwrap_or((SettingKey::BackgroundSync, true));
        store.flag(key, default)
    };
    Ok(SettingsView {
        background_sync: flag("background_sync").await.or_command_error()?,
        notify_on_success: flag("notify_on_success").await.or_command_error()?,
        notify_on_failure: flag("notify_on_failure").await.or_command_error()?,
        start_minimised: flag("start_minimised").await.or_command_error()?,
        start_at_login: app.autolaunch().is_enabled().unwrap_or(false),
        theme: store
            .setting(SettingKey::Theme)
            .await
            .or_command_error()?
            .unwrap_or_else(|| "system".to_owned()),
    })
}

#[tauri::command]
pub async fn set_flag(
    state: State<'_, AppState>,
    hub: State<'_, Arc<SyncHub>>,
    name: String,
    value: bool,
) -> CommandResult<()> {
    let (key, _) = flag_key(&name).ok_or_else(|| {
        CommandError::with_code(ErrorCode::Invalid, format!("no setting called {name}"))
    })?;
    state
        .store()?
        .set_flag(key, value)
        .await
        .or_command_error()?;
    hub.publish_status().await;
    Ok(())
}

#[tauri::command]
pub async fn set_theme(state: State<'_, AppState>, theme: String) -> CommandResult<()> {
    if !["system", "light", "dark"].contains(&theme.as_str()) {
        return Err(CommandError::with_code(
            ErrorCode::Invalid,
            format!("'{theme}' is not a theme: system, light or dark"),
        ));
    }
    state
        .store()?
        .set_setting(SettingKey::Theme, &theme)
        .await
        .or_command_error()
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
    let services = state.services()?;
    let value = syncer_app::data::export(&services.store)
        .await
        .or_command_error()?;
    let folder = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .unwrap_or_else(|_| state.paths.data_dir().to_path_buf());
    let stamp = crate::syncing::unix_now();
    let path = folder.join(format!("syncer-export-{stamp}.json"));
    let text = serde_json::to_string_pretty(&value)?;
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

/// Deletes every connection, base, child, history entry and cache kept on this machine.
/// Playlists on the services stay. `confirm` must be "delete", so nothing goes by a slip.
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
    if !hub.status().await.running.is_empty() {
        return Err(CommandError::with_code(
            ErrorCode::SyncInProgress,
            "A sync is running: cancel it or let it finish, then delete.",
        ));
    }
    let services = state.services()?;
    // Signed-in connections' secrets go from the vault too.
    if let Ok(connections) = state.connections() {
        for c in services.store.list_connections().await.or_command_error()? {
            if let Err(e) = connections.remove(&c.id, &services.store, true).await {
                tracing::warn!(connection = %c.id, error = %e, "could not remove a sign-in");
            }
            services.forget_client(&c.id).await;
        }
    }
    services.store.delete_all_data().await.or_command_error()?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_the_window_sets_has_a_key_and_others_do_not() {
        for name in [
            "background_sync",
            "notify_on_success",
            "notify_on_failure",
            "start_minimised",
        ] {
            assert!(flag_key(name).is_some(), "{name}");
        }
        assert!(flag_key("theme").is_none());
        assert!(flag_key("client_secret").is_none());
    }

    #[test]
    fn failures_notify_by_default_successes_do_not() {
        assert_eq!(flag_key("notify_on_failure").map(|k| k.1), Some(true));
        assert_eq!(flag_key("notify_on_success").map(|k| k.1), Some(false));
    }
}
