//! Settings the app and CLI share, as typed keys over a key/value table.

use crate::error::StoreError;
use crate::open::Store;

/// Every setting Syncer knows. A closed set, so a typo is a compile error, not a lost setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKey {
    /// "system", "light" or "dark".
    Theme,
    /// Whether the tray runs scheduled syncs.
    BackgroundSync,
}

impl SettingKey {
    fn as_str(self) -> &'static str {
        match self {
            Self::Theme => "theme",
            Self::BackgroundSync => "background_sync",
        }
    }
}

impl Store {
    pub async fn setting(&self, key: SettingKey) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| StoreError::classify(self.path().to_path_buf(), &e))
    }

    pub async fn set_setting(&self, key: SettingKey, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, \
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        )
        .bind(key.as_str())
        .bind(value)
        .execute(self.pool())
        .await
        .map_err(|e| StoreError::classify(self.path().to_path_buf(), &e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settings_round_trip_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syncer.db");
        let store = Store::open_file(&path, &Default::default()).await.unwrap();
        assert_eq!(store.setting(SettingKey::Theme).await.unwrap(), None);
        store.set_setting(SettingKey::Theme, "dark").await.unwrap();
        store.set_setting(SettingKey::Theme, "light").await.unwrap();
        store.close().await;

        let store = Store::open_file(&path, &Default::default()).await.unwrap();
        assert_eq!(
            store.setting(SettingKey::Theme).await.unwrap().as_deref(),
            Some("light")
        );
    }
}
