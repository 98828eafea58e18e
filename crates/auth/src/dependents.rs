//! Which base playlists use a connection, read from the store's bases: what guards `remove`.

use syncer_core::ids::ConnectionId;
use syncer_store::{Store, StoreError};

use crate::connections::DependentBases;
use crate::error::AuthError;

impl DependentBases for Store {
    async fn bases_using(&self, connection: &ConnectionId) -> Result<Vec<String>, AuthError> {
        let bases = self.list_bases().await.map_err(|e| {
            AuthError::Store(StoreError::Other {
                path: self.path().to_path_buf(),
                cause: e.to_string(),
            })
        })?;
        Ok(bases
            .into_iter()
            .filter(|b| &b.connection == connection)
            .map(|b| b.name)
            .collect())
    }
}
