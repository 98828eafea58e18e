//! The CLI's view of the shared application layer: the services, plus whether to print JSON.

use std::ops::Deref;
use std::path::PathBuf;

use syncer_app::{Config, DemoMode, Services};

use crate::cli::AppMode;

pub use syncer_app::{DEMO_PROVIDER, DemoSpec, SPOTIFY_PROVIDER};

impl From<AppMode> for DemoMode {
    fn from(mode: AppMode) -> DemoMode {
        match mode {
            AppMode::Extended => DemoMode::Extended,
            AppMode::Development => DemoMode::Development,
        }
    }
}

pub struct App {
    services: Services,
    pub json: bool,
}

/// Commands call the use cases directly: the CLI adds only how it prints.
impl Deref for App {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

impl App {
    /// Loads the configuration, opens the store and notes the syncs a previous process left
    /// running.
    pub async fn open(data_dir: Option<PathBuf>, json: bool) -> anyhow::Result<App> {
        let config = Config::load(data_dir).map_err(syncer_app::AppError::from)?;
        let (services, interrupted) = Services::open(config).await?;
        for event in interrupted {
            eprintln!(
                "note: sync {} of base {} was interrupted: {}",
                event.id,
                event.base,
                event.error.as_deref().unwrap_or("")
            );
        }
        Ok(App { services, json })
    }
}
