//! What the shell holds for the lifetime of the window.

use syncer_store::{AppPaths, Store, StoreError};

/// The app's shared state. A store that failed to open is kept as its error, so the window still
/// opens and tells the user what is wrong and what to do, instead of vanishing at start.
#[derive(Debug)]
pub struct AppState {
    pub paths: AppPaths,
    pub store: Result<Store, StoreError>,
}

impl AppState {
    pub async fn open(paths: AppPaths) -> Self {
        let store = Store::open(&paths).await;
        if let Err(err) = &store {
            tracing::error!(error = %err, "local store unavailable");
        }
        Self { paths, store }
    }
}
