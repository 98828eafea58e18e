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
mod detail;
mod devices;
mod error;
mod filters;
mod genres;
mod history;
mod library;
mod links;
mod notify;
mod renewals;
mod settings;
mod state;
mod syncing;
mod tray;
mod updates;
mod window;

use std::sync::Arc;

use anyhow::Context;
use syncer_app::Config;
use syncer_app::settings::Setting;
use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;

use crate::window::{OnLastWindowClosed, WindowLifecycle};

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

    // Two async workers, however many cores: Syncer's work is network-bound and mostly waits,
    // and each worker thread costs a stack and, once it allocates, a malloc arena that keeps
    // what it freed, which a tray app pays for as long as it runs. Blocking work (SQLite,
    // notifications) has its own pool.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("syncer-async")
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    tauri::async_runtime::set(runtime.handle().clone());
    let mut context = tauri::generate_context!();
    // Updates only for a build with a feed: tauri.conf.json's plugins.updater, or the
    // configuration's update_feed + update_pubkey over it. A wrong one is logged, and updates
    // stay off.
    let feed = syncer_update::FeedConfig::resolve(
        config.update.feed.clone(),
        config.update.pubkey.clone(),
        context.config().plugins.0.get("updater"),
    )
    .unwrap_or_else(|e| {
        tracing::warn!(error = %e, "updates are off");
        None
    });
    tracing::info!(configured = feed.is_some(), "update feed");
    let mut builder = tauri::Builder::default()
        // First: a second launch (e.g. the OS opening a syncer:// link) hands its arguments to
        // this instance and exits; with the deep-link feature they arrive as open-url events.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            window::open_main_window(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ));
    if let Some(feed) = &feed {
        builder = builder.plugin(feed.install_plugin(&mut context));
    }
    let app = builder
        .setup(move |app| {
            app.manage(updates::Updates::new(feed));
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
            app.manage(WindowLifecycle::default());
            let hub = Arc::new(syncing::SyncHub::new(app.handle().clone(), services));
            app.manage(Arc::clone(&hub));
            let tray_up = match tray::build(app.handle()) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "no tray on this desktop; closing the window quits");
                    false
                }
            };
            app.state::<WindowLifecycle>().set_tray_up(tray_up);
            // Minimised to the tray means no webview at all, not a hidden one: the window is
            // built on the tray's Open.
            if !(start_minimised && tray_up) {
                window::build_main_window(app.handle())?;
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
            // Closing is not prevented: the window and its webview go, and the app stays in
            // the tray (the exit that follows is refused below).
            if let tauri::WindowEvent::Destroyed = event {
                tracing::info!(
                    window = window.label(),
                    "window closed; Syncer stays in the tray"
                );
                window::window_closed(window.app_handle());
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
            filters::filter_exclusions,
            filters::set_filter_exclusions,
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
            links::open_in_service,
            detail::child_detail,
            detail::explain_track,
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
            window::remember_route,
            window::last_route,
            updates::update_status,
            updates::check_for_updates,
            updates::install_update,
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
        .build(context)
        .context("the Syncer window could not start")?;
    app.run(|app, event| {
        // The last window closed: Syncer syncs on in the tray until Quit.
        if let tauri::RunEvent::ExitRequested { code, api, .. } = event
            && app.state::<WindowLifecycle>().on_exit_requested(code)
                == OnLastWindowClosed::KeepRunning
        {
            api.prevent_exit();
        }
    });
    tracing::info!("Syncer stopped");
    Ok(())
}
