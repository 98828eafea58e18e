//! The desktop shell: thin on purpose. It sets up logging, the local store and the connections
//! service, then hands the window to the UI. Features live in the crates; this file only wires
//! them to Tauri.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app_info;
mod background;
mod cloud;
mod cloud_events;
mod connections;
mod devices;
mod error;
mod filters;
mod genres;
mod history;
mod library;
mod notify;
mod renewals;
mod settings;
mod state;
mod syncing;
mod tray;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use syncer_app::Config;
use syncer_app::settings::Setting;
use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;

/// Set when the tray is up: closing the window then hides it instead of quitting.
static TRAY_UP: AtomicBool = AtomicBool::new(false);

fn main() -> anyhow::Result<()> {
    // The one configuration: the file, SYNCER_* variables, the defaults (docs/configuration.md).
    let config = Config::load(None).context("Syncer's configuration is not valid")?;
    let paths = config.paths.clone();
    let _log_guard =
        syncer_logging::init(&paths.log_dir(), syncer_logging::LogName("syncer-desktop"))
            .context("cannot set up logging")?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        data_dir = %paths.data_dir().display(),
        "Syncer starting"
    );

    tauri::Builder::default()
        // First: a second launch (e.g. the OS opening a syncer:// link) hands its arguments to
        // this instance and exits; with the deep-link feature they arrive as open-url events.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            connections::focus_main_window(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .setup(move |app| {
            // Opened here, after the single-instance plugin: a second launch (the OS handing
            // over a syncer:// link) has already passed the link on and exited, without
            // migrating the database or unlocking the vault for nothing.
            let state = tauri::async_runtime::block_on(state::AppState::open(config));
            let services = state.services().ok();
            let start_minimised = match &services {
                Some(s) => {
                    tauri::async_runtime::block_on(s.flag(Setting::StartMinimised)).unwrap_or(false)
                }
                None => false,
            };
            app.manage(state);
            let hub = Arc::new(syncing::SyncHub::new(app.handle().clone(), services));
            app.manage(Arc::clone(&hub));
            match tray::build(app.handle()) {
                Ok(()) => TRAY_UP.store(true, Ordering::SeqCst),
                Err(e) => {
                    tracing::warn!(error = %e, "no tray on this desktop; closing the window quits")
                }
            }
            if start_minimised
                && TRAY_UP.load(Ordering::SeqCst)
                && let Some(window) = app.get_webview_window("main")
            {
                let _ = window.hide();
            }
            cloud_events::start(app.handle().clone(), Arc::clone(&hub));
            background::start(hub);
            renewals::start(app.handle().clone());
            // Linux has no install-time registry of URL schemes for a binary run in place
            // (dev builds, AppImage): register syncer:// with the desktop at start.
            #[cfg(any(target_os = "linux", all(debug_assertions, windows)))]
            if let Err(e) = app.deep_link().register_all() {
                tracing::warn!(error = %e, "could not register the syncer:// scheme");
            }
            let handle = app.handle().clone();
            app.deep_link().on_open_url(move |event| {
                for url in event.urls() {
                    connections::handle_deep_link(&handle, url.to_string());
                }
            });
            // Started by the link itself (`syncer-desktop %u` from the desktop entry, no
            // instance running): the plugin read it from the arguments before the listener
            // above existed, so it is only in get_current.
            match app.deep_link().get_current() {
                Ok(Some(urls)) => {
                    for url in urls {
                        connections::handle_deep_link(app.handle(), url.to_string());
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not read the link Syncer started with"),
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // Syncer keeps syncing in the background: closing the window hides it to the tray.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && TRAY_UP.load(Ordering::SeqCst)
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
        .invoke_handler(tauri::generate_handler![
            app_info::app_info,
            connections::list_providers,
            connections::list_connections,
            connections::get_client_id,
            connections::set_client_id,
            connections::vault_status,
            connections::unlock_vault,
            connections::start_connect,
            connections::open_url,
            connections::test_connection,
            connections::rename_connection,
            connections::remove_connection,
            connections::connection_capabilities,
            connections::connect_demo,
            filters::parse_query,
            filters::format_query,
            filters::filter_fields,
            genres::list_user_genres,
            genres::tag_artist,
            genres::untag_artist,
            library::list_playlists,
            library::list_bases,
            library::add_base,
            library::remove_base,
            library::add_child,
            library::edit_child,
            library::remove_child,
            library::set_routing,
            library::set_schedule,
            library::preview,
            library::preview_draft,
            library::set_up_demo,
            syncing::sync_base,
            syncing::sync_all,
            syncing::cancel_sync,
            syncing::sync_status,
            syncing::undo_sync,
            history::list_history,
            history::retry_sync,
            settings::get_settings,
            settings::set_flag,
            settings::set_theme,
            settings::set_start_at_login,
            settings::export_data,
            settings::delete_all_data,
            settings::open_log_folder,
            tray::tray_action,
            cloud::cloud_status,
            cloud::cloud_sign_in,
            cloud::cloud_passphrase,
            cloud::cloud_sync,
            cloud::cloud_conflicts,
            cloud::cloud_resolve,
            cloud::cloud_sign_out,
            cloud::cloud_delete_data,
            cloud::cloud_change_password,
            devices::cloud_create_enrollment,
            devices::cloud_devices,
            devices::cloud_rename_device,
            devices::cloud_revoke_device,
            devices::cloud_join,
        ])
        .run(tauri::generate_context!())
        .context("the Syncer window could not start")?;
    tracing::info!("Syncer stopped");
    Ok(())
}
