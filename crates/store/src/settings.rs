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
    /// Whether a finished sync says so on the desktop (failures always may).
    NotifyOnSuccess,
    /// Whether a failed sync says so on the desktop.
    NotifyOnFailure,
    /// Whether the app starts hidden in the tray.
    StartMinimised,
}

impl SettingKey {
    fn as_str(self) -> &'static str {
        match self {
            Self::Theme => "theme",
            Self::BackgroundSync => "background_sync",
            Self::NotifyOnSuccess => "notify_on_success",
            Self::NotifyOnFailure => "notify_on_failure",
            Self::StartMinimised => "start_minimised",
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

    /// A yes/no setting, or its default when never set.
    pub async fn flag(&self, key: SettingKey, default: bool) -> Result<bool, StoreError> {
        Ok(match self.setting(key).await?.as_deref() {
            Some("true") => true,
            Some("false") => false,
            _ => default,
        })
    }

    pub async fn set_flag(&self, key: SettingKey, value: bool) -> Result<(), StoreError> {
        self.set_setting(key, if value { "true" } else { "false" })
            .await
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

    #[tokio::test]
    async fn flags_have_defaults_until_set() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
        assert!(store.flag(SettingKey::NotifyOnFailure, true).await.unwrap());
        store
            .set_flag(SettingKey::NotifyOnFailure, false)
            .await
            .unwrap();
        assert!(!store.flag(SettingKey::NotifyOnFailure, true).await.unwrap());
        store
            .set_flag(SettingKey::StartMinimised, true)
            .await
            .unwrap();
        assert!(store.flag(SettingKey::StartMinimised, false).await.unwrap());
    }
}
