//! Where Syncer keeps its files. The desktop app and the CLI must agree, so both ask here.

use std::path::{Path, PathBuf};

/// The app's identifier, as in tauri.conf.json. Tauri derives its data and log directories from
/// it, so the CLI uses the same one and both share a database.
pub const APP_IDENTIFIER: &str = "dev.syncer.Syncer";

const DATABASE_FILE: &str = "syncer.db";
const LOG_DIR: &str = "logs";

/// The directories and files of one Syncer installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    data_dir: PathBuf,
}

impl AppPaths {
    /// Uses `data_dir` as the installation's root.
    pub fn at(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join(DATABASE_FILE)
    }

    /// Same place Tauri's `app_log_dir()` resolves to on Linux, so "open the log folder" and the
    /// CLI's logs agree.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join(LOG_DIR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_live_under_the_data_dir() {
        let paths = AppPaths::at("/tmp/syncer-test");
        assert_eq!(
            paths.database_path(),
            Path::new("/tmp/syncer-test/syncer.db")
        );
        assert_eq!(paths.log_dir(), Path::new("/tmp/syncer-test/logs"));
    }
}
