//! The tray: an icon that shows idle, syncing or error, and a menu with Sync all now,
//! Pause / Resume background sync, the next scheduled sync, Open Syncer and Quit. The menu's
//! actions go through [`run_action`], the same path the `tray_action` command takes.

use std::sync::Arc;

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, State};

use crate::error::CommandResult;
use crate::syncing::{HubStatus, SyncHub};

const TRAY_ID: &str = "syncer";

/// What the tray's icon says, and the window's status bar with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrayState {
    Idle,
    Syncing,
    Error,
}

impl TrayState {
    fn icon(self) -> &'static [u8] {
        match self {
            TrayState::Idle => include_bytes!("../icons/tray/tray-idle@2x.png"),
            TrayState::Syncing => include_bytes!("../icons/tray/tray-syncing@2x.png"),
            TrayState::Error => include_bytes!("../icons/tray/tray-error@2x.png"),
        }
    }
}

/// The menu entries whose text follows the status.
pub struct TrayMenu {
    pause: MenuItem<tauri::Wry>,
    next: MenuItem<tauri::Wry>,
}

/// Builds the tray. Where the desktop has no tray, the app still runs; closing the window
/// then quits instead of hiding (see `main`).
pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let sync_all = MenuItem::with_id(
        app,
        TrayAction::SyncAll.id(),
        "Sync all now",
        true,
        None::<&str>,
    )?;
    let pause = MenuItem::with_id(
        app,
        TrayAction::TogglePause.id(),
        "Pause background sync",
        true,
        None::<&str>,
    )?;
    let next = MenuItem::with_id(
        app,
        "next",
        "Next sync: none scheduled",
        false,
        None::<&str>,
    )?;
    let open = MenuItem::with_id(
        app,
        TrayAction::Open.id(),
        "Open Syncer",
        true,
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, TrayAction::Quit.id(), "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &sync_all,
            &pause,
            &next,
            &PredefinedMenuItem::separator(app)?,
            &open,
            &quit,
        ],
    )?;
    TrayIconBuilder::with_id(TRAY_ID)
        .icon(Image::from_bytes(TrayState::Idle.icon())?)
        .tooltip("Syncer")
        .menu(&menu)
        .on_menu_event(|app, event| {
            let app = app.clone();
            let Some(action) = TrayAction::of_id(event.id.as_ref()) else {
                return;
            };
            tauri::async_runtime::spawn(async move {
                if let Err(e) = run_action(&app, action).await {
                    tracing::warn!(?action, error = %e.message, "tray action failed");
                }
            });
        })
        .build(app)?;
    app.manage(TrayMenu { pause, next });
    Ok(())
}

/// Follows the status: the icon, the tooltip, Pause/Resume and the next sync's time.
pub fn show_status(app: &AppHandle, status: &HubStatus) {
    let state = status.tray;
    if let Some(tray) = app.tray_by_id(TRAY_ID) {
        if let Ok(icon) = Image::from_bytes(state.icon()) {
            let _ = tray.set_icon(Some(icon));
        }
        let tooltip = match state {
            TrayState::Idle => "Syncer".to_owned(),
            TrayState::Syncing => format!("Syncer: syncing {} base(s)", status.running.len()),
            TrayState::Error => format!(
                "Syncer: {}",
                status
                    .last_error
                    .as_deref()
                    .unwrap_or("the last sync failed")
            ),
        };
        let _ = tray.set_tooltip(Some(tooltip));
    }
    if let Some(menu) = app.try_state::<TrayMenu>() {
        let _ = menu.pause.set_text(if status.paused {
            "Resume background sync"
        } else {
            "Pause background sync"
        });
        let _ = menu.next.set_text(next_sync_text(status));
    }
}

fn next_sync_text(status: &HubStatus) -> String {
    if !status.background_sync {
        return "Background sync is off".to_owned();
    }
    if status.paused {
        return "Background sync paused".to_owned();
    }
    match status.next_sync_at {
        Some(at) => {
            let minutes = (at - crate::syncing::unix_now()).max(0) / 60;
            match minutes {
                0 => "Next sync: within a minute".to_owned(),
                m if m < 120 => format!("Next sync: in {m} min"),
                m => format!("Next sync: in {} h", m / 60),
            }
        }
        None => "Next sync: none scheduled".to_owned(),
    }
}

/// Shows the main window, building it again if it was closed.
pub fn open_window(app: &AppHandle) {
    crate::window::open_main_window(app);
}

/// What the tray's menu can do; the window's `tray_action` command takes the same actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TrayAction {
    SyncAll,
    TogglePause,
    Open,
    Quit,
}

impl TrayAction {
    /// The menu entry's id, which comes back in its click event.
    fn id(self) -> &'static str {
        match self {
            TrayAction::SyncAll => "sync_all",
            TrayAction::TogglePause => "toggle_pause",
            TrayAction::Open => "open",
            TrayAction::Quit => "quit",
        }
    }

    fn of_id(id: &str) -> Option<TrayAction> {
        [
            TrayAction::SyncAll,
            TrayAction::TogglePause,
            TrayAction::Open,
            TrayAction::Quit,
        ]
        .into_iter()
        .find(|a| a.id() == id)
    }
}

/// What a tray menu entry does; the window's `tray_action` command takes the same path.
pub async fn run_action(app: &AppHandle, action: TrayAction) -> CommandResult<()> {
    let hub = app.state::<Arc<SyncHub>>().inner().clone();
    match action {
        TrayAction::SyncAll => hub.start_all().await.map(|_| ()),
        TrayAction::TogglePause => {
            hub.set_paused(!hub.is_paused()).await;
            Ok(())
        }
        TrayAction::Open => {
            open_window(app);
            Ok(())
        }
        TrayAction::Quit => {
            app.state::<crate::window::WindowLifecycle>()
                .quit_requested();
            app.exit(0);
            Ok(())
        }
    }
}

#[tauri::command]
pub async fn tray_action(
    app: AppHandle,
    _hub: State<'_, Arc<SyncHub>>,
    action: TrayAction,
) -> CommandResult<()> {
    run_action(&app, action).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status() -> HubStatus {
        HubStatus {
            running: Vec::new(),
            paused: false,
            background_sync: true,
            next_sync_at: None,
            tray: TrayState::Idle,
            last_error: None,
        }
    }

    #[test]
    fn the_next_sync_line_says_why_nothing_will_run() {
        assert_eq!(next_sync_text(&status()), "Next sync: none scheduled");
        let paused = HubStatus {
            paused: true,
            ..status()
        };
        assert_eq!(next_sync_text(&paused), "Background sync paused");
        let off = HubStatus {
            background_sync: false,
            ..status()
        };
        assert_eq!(next_sync_text(&off), "Background sync is off");
        let soon = HubStatus {
            next_sync_at: Some(crate::syncing::unix_now() + 30 * 60 + 5),
            ..status()
        };
        assert_eq!(next_sync_text(&soon), "Next sync: in 30 min");
    }
}
