//! The `app_info` command: where this installation keeps its data, for Settings and support.

use serde::Serialize;
use ts_rs::TS;

use crate::state::AppState;

/// What Settings shows under "Where your data lives".
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_dir: String,
    pub database_path: String,
    /// Why the local database could not be opened, with what to do; absent when it is fine.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub database_error: Option<String>,
}

impl AppInfo {
    pub fn from_state(state: &AppState) -> Self {
        Self {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: state.paths.data_dir().display().to_string(),
            log_dir: state.paths.log_dir().display().to_string(),
            database_path: state.paths.database_path().display().to_string(),
            database_error: state.database_error(),
        }
    }
}

#[tauri::command]
pub fn app_info(state: tauri::State<'_, AppState>) -> AppInfo {
    AppInfo::from_state(&state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncer_app::Config;

    #[tokio::test]
    async fn reports_paths_and_a_healthy_store() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::open(Config::at(dir.path())).await;
        let info = AppInfo::from_state(&state);
        assert_eq!(info.data_dir, dir.path().display().to_string());
        assert!(info.database_path.ends_with("syncer.db"));
        assert!(info.database_error.is_none(), "{:?}", info.database_error);
        let json = serde_json::to_value(&info).unwrap();
        assert!(
            json.get("databasePath").is_some(),
            "camelCase for the UI: {json}"
        );
    }

    #[tokio::test]
    async fn reports_a_broken_store_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("syncer.db"), vec![7u8; 4096]).unwrap();
        let state = AppState::open(Config::at(dir.path())).await;
        let info = AppInfo::from_state(&state);
        let error = info
            .database_error
            .expect("a corrupt file must be reported");
        assert!(error.contains("damaged"), "{error}");
    }
}
