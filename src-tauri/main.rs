//! The desktop shell: thin on purpose. It sets up logging and the local store, then hands the
//! window to the UI. Features live in the crates; this file only wires them to Tauri.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod app_info;
mod state;

use anyhow::Context;
use syncer_store::AppPaths;

fn main() -> anyhow::Result<()> {
    let paths = AppPaths::from_env().context(
        "cannot find a data directory for Syncer; set SYNCER_DATA_DIR to a writable folder",
    )?;
    let _log_guard =
        syncer_logging::init(&paths.log_dir(), syncer_logging::LogName("syncer-desktop"))
            .context("cannot set up logging")?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %paths.data_dir().display(), "Syncer starting");

    let state = tauri::async_runtime::block_on(state::AppState::open(paths));

    tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![app_info::app_info])
        .run(tauri::generate_context!())
        .context("the Syncer window could not start")?;
    tracing::info!("Syncer stopped");
    Ok(())
}
