//! The main window's lifecycle. Syncer lives in the tray; the window is only a view. Closing
//! it destroys the webview (WebKit's web process and the window's memory go with it) instead
//! of hiding it, and the tray's Open, a `syncer://` link or a second launch builds it again
//! from tauri.conf.json, on the page the user left: the page is remembered here, in the
//! backend, as the window navigates, and the window asks for it when it starts.
//!
//! Nothing keeps a `WebviewWindow` across a close: every caller looks the window up by its
//! label, and everything the backend tells the window goes through `AppHandle::emit`, which
//! reaches whatever webviews exist (none is fine).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State, WebviewWindowBuilder};
use ts_rs::TS;

/// The label of the one window, as tauri.conf.json names it (`create: false` there: the app
/// builds it itself, or not at all when starting minimised).
pub const MAIN_WINDOW: &str = "main";

/// The window's pages (ui/src/routes.ts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Route {
    Connections,
    Playlists,
    History,
    Settings,
}

/// What the backend keeps for the window across its closes, and whether closing it leaves
/// the app running.
#[derive(Debug, Default)]
pub struct WindowLifecycle {
    /// Set when the tray is up: the app keeps running with no window.
    tray_up: AtomicBool,
    /// Set by Quit: the next exit request goes through.
    quitting: AtomicBool,
    route: Mutex<Option<Route>>,
}

/// What to do when the last window has closed and the runtime asks to exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnLastWindowClosed {
    /// Stay in the tray, windowless: syncs and schedules go on.
    KeepRunning,
    Exit,
}

impl WindowLifecycle {
    pub fn set_tray_up(&self, up: bool) {
        self.tray_up.store(up, Ordering::SeqCst);
    }

    pub fn tray_up(&self) -> bool {
        self.tray_up.load(Ordering::SeqCst)
    }

    /// Quit was chosen: let the exit through.
    pub fn quit_requested(&self) {
        self.quitting.store(true, Ordering::SeqCst);
    }

    /// An exit request with no code comes from the runtime (the last window closed); one with
    /// a code from `AppHandle::exit` (Quit, the updater's restart), which always goes through.
    pub fn on_exit_requested(&self, code: Option<i32>) -> OnLastWindowClosed {
        if code.is_none() && self.tray_up() && !self.quitting.load(Ordering::SeqCst) {
            OnLastWindowClosed::KeepRunning
        } else {
            OnLastWindowClosed::Exit
        }
    }

    pub fn remember(&self, route: Route) {
        if let Ok(mut slot) = self.route.lock() {
            *slot = Some(route);
        }
    }

    pub fn last_route(&self) -> Option<Route> {
        self.route.lock().ok().and_then(|slot| *slot)
    }
}

/// Shows and focuses the main window, building it (and its webview) first when it was closed.
pub fn open_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    match build_main_window(app) {
        Ok(()) => tracing::info!(route = ?last_route_of(app), "window opened"),
        Err(e) => tracing::error!(error = %e, "could not open the window"),
    }
}

/// Builds the main window as tauri.conf.json describes it. The window is dropped at once:
/// it is found again by its label when needed, so nothing holds it across a close.
pub fn build_main_window(app: &AppHandle) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .cloned()
        .ok_or_else(|| {
            tauri::Error::WindowNotFound // tauri.conf.json lost its window: a build mistake
        })?;
    let window = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    let _ = window.set_focus();
    Ok(())
}

/// How long after the window closes WebKit's network process is ended: time for the page's
/// last storage writes, which go through it, to land.
#[cfg(target_os = "linux")]
const NETWORK_PROCESS_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// The window is gone; Syncer stays in the tray. WebKit's network process (about 30 MB) would
/// stay too: on Linux, Tauri keeps the web context for the app's life, and WebKit never ends
/// that process while its context lives, though with no page it serves nothing. So it is ended
/// here, a moment after the close, if no window came back meanwhile; WebKit starts a new one
/// for the next window (it treats the old one's end as a crash it recovers from).
pub fn window_closed(app: &AppHandle) {
    #[cfg(target_os = "linux")]
    {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(NETWORK_PROCESS_GRACE).await;
            if !app.webview_windows().is_empty() {
                return;
            }
            for pid in children_running("WebKitNetworkProcess") {
                let pid = nix::unistd::Pid::from_raw(pid);
                match nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM) {
                    Ok(()) => tracing::info!(%pid, "ended WebKit's idle network process"),
                    Err(e) => {
                        tracing::debug!(%pid, error = %e, "could not end WebKit's network process")
                    }
                }
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// This process's children whose executable is named `program`.
#[cfg(target_os = "linux")]
fn children_running(program: &str) -> Vec<i32> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .filter_map(|pid| pid.parse::<i32>().ok())
                .collect::<Vec<_>>()
        })
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .is_ok_and(|exe| exe.file_name().is_some_and(|name| name == program))
        })
        .collect()
}

fn last_route_of(app: &AppHandle) -> Option<Route> {
    app.try_state::<WindowLifecycle>()
        .and_then(|l| l.last_route())
}

/// The window tells the backend each page it shows, so a new window opens on the same page.
#[tauri::command]
pub fn remember_route(lifecycle: State<'_, WindowLifecycle>, route: Route) {
    tracing::info!(?route, "window shows a page");
    lifecycle.remember(route);
}

/// The page a new window opens on: the one the last window showed, if any.
#[tauri::command]
pub fn last_route(lifecycle: State<'_, WindowLifecycle>) -> Option<Route> {
    lifecycle.last_route()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_the_last_window_keeps_the_tray_app_running_until_quit() {
        let lifecycle = WindowLifecycle::default();
        // No tray (a desktop without one): closing the window quits.
        assert_eq!(lifecycle.on_exit_requested(None), OnLastWindowClosed::Exit);
        lifecycle.set_tray_up(true);
        assert_eq!(
            lifecycle.on_exit_requested(None),
            OnLastWindowClosed::KeepRunning
        );
        // AppHandle::exit (Quit, a restart after an update) always goes through.
        assert_eq!(
            lifecycle.on_exit_requested(Some(0)),
            OnLastWindowClosed::Exit
        );
        lifecycle.quit_requested();
        assert_eq!(lifecycle.on_exit_requested(None), OnLastWindowClosed::Exit);
    }

    #[test]
    fn the_page_outlives_the_window() {
        let lifecycle = WindowLifecycle::default();
        assert_eq!(lifecycle.last_route(), None);
        lifecycle.remember(Route::History);
        lifecycle.remember(Route::Settings);
        assert_eq!(lifecycle.last_route(), Some(Route::Settings));
        assert_eq!(
            serde_json::to_value(Route::Playlists).unwrap(),
            serde_json::json!("playlists")
        );
    }
}
