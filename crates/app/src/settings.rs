//! The user's settings, typed: each with its one default, read and written as a whole or one
//! at a time. The window's Settings page and the background loop read them here.

use serde::{Deserialize, Serialize};
use syncer_store::SettingKey;
use ts_rs::TS;

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// A yes/no setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Setting {
    /// The tray runs scheduled syncs.
    BackgroundSync,
    /// A finished sync says so on the desktop.
    NotifyOnSuccess,
    /// A failed sync says so on the desktop.
    NotifyOnFailure,
    /// The app starts hidden in the tray.
    StartMinimised,
}

impl Setting {
    pub const ALL: [Setting; 4] = [
        Setting::BackgroundSync,
        Setting::NotifyOnSuccess,
        Setting::NotifyOnFailure,
        Setting::StartMinimised,
    ];

    /// The one place each default is written.
    pub fn default_value(self) -> bool {
        match self {
            Setting::BackgroundSync | Setting::NotifyOnFailure => true,
            Setting::NotifyOnSuccess | Setting::StartMinimised => false,
        }
    }

    fn key(self) -> SettingKey {
        match self {
            Setting::BackgroundSync => SettingKey::BackgroundSync,
            Setting::NotifyOnSuccess => SettingKey::NotifyOnSuccess,
            Setting::NotifyOnFailure => SettingKey::NotifyOnFailure,
            Setting::StartMinimised => SettingKey::StartMinimised,
        }
    }
}

/// The window's colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn parse(text: &str) -> Option<Theme> {
        [Theme::System, Theme::Light, Theme::Dark]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

/// Every setting, as stored or defaulted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Settings {
    pub background_sync: bool,
    pub notify_on_success: bool,
    pub notify_on_failure: bool,
    pub start_minimised: bool,
    pub theme: Theme,
}

impl Services {
    pub async fn flag(&self, setting: Setting) -> AppResult<bool> {
        Ok(self
            .store
            .flag(setting.key(), setting.default_value())
            .await?)
    }

    pub async fn set_flag(&self, setting: Setting, value: bool) -> AppResult<()> {
        Ok(self.store.set_flag(setting.key(), value).await?)
    }

    pub async fn theme(&self) -> AppResult<Theme> {
        // An unknown stored value (a newer version's) reads as the default.
        Ok(self
            .store
            .setting(SettingKey::Theme)
            .await?
            .as_deref()
            .and_then(Theme::parse)
            .unwrap_or_default())
    }

    pub async fn set_theme(&self, theme: Theme) -> AppResult<()> {
        Ok(self
            .store
            .set_setting(SettingKey::Theme, theme.as_str())
            .await?)
    }

    pub async fn settings(&self) -> AppResult<Settings> {
        Ok(Settings {
            background_sync: self.flag(Setting::BackgroundSync).await?,
            notify_on_success: self.flag(Setting::NotifyOnSuccess).await?,
            notify_on_failure: self.flag(Setting::NotifyOnFailure).await?,
            start_minimised: self.flag(Setting::StartMinimised).await?,
            theme: self.theme().await?,
        })
    }
}

/// A setting named in text (the CLI), or what names there are.
pub fn setting_named(name: &str) -> AppResult<Setting> {
    Setting::ALL
        .into_iter()
        .find(|s| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(|n| n == name))
                .unwrap_or(false)
        })
        .ok_or_else(|| AppError::Usage(format!("no setting called {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_notify_by_default_successes_do_not() {
        assert!(Setting::NotifyOnFailure.default_value());
        assert!(!Setting::NotifyOnSuccess.default_value());
        assert_eq!(
            setting_named("background_sync").ok(),
            Some(Setting::BackgroundSync)
        );
        assert!(setting_named("client_secret").is_err());
    }
}
