//! Syncer's one typed configuration, loaded once at start by each front end and passed to
//! [`crate::Services::open`]: the file `config.toml` in the config directory, then `SYNCER_*`
//! variables over it, then the built-in defaults. No other module reads the environment.
//! docs/configuration.md lists every key and variable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use syncer_auth::{Registry, Secret, VaultError, VaultOptions, VaultPreference};
use syncer_core::calendar::{self, TimeZone};
use syncer_store::AppPaths;

/// Where the cloud account lives unless the user names another server: a self-hosted
/// `syncer-cloud` on this machine, as it listens out of the box.
pub const DEFAULT_CLOUD_URL: &str = "http://127.0.0.1:8787";

/// The file's name in the config directory.
pub const CONFIG_FILE: &str = "config.toml";

/// The variables, by name; each overrides the file's key of the same meaning.
pub mod env {
    /// The config file to read instead of `<config dir>/config.toml`.
    pub const CONFIG: &str = "SYNCER_CONFIG";
    pub const DATA_DIR: &str = "SYNCER_DATA_DIR";
    pub const VAULT: &str = "SYNCER_VAULT";
    pub const VAULT_PASSPHRASE: &str = "SYNCER_VAULT_PASSPHRASE";
    pub const TIME_ZONE: &str = "SYNCER_TIME_ZONE";
    pub const SPOTIFY_ACCOUNTS_URL: &str = "SYNCER_SPOTIFY_ACCOUNTS_URL";
    pub const SPOTIFY_API_URL: &str = "SYNCER_SPOTIFY_API_URL";
    pub const DEMO_LATENCY_MS: &str = "SYNCER_DEMO_LATENCY_MS";
    pub const MUSICBRAINZ_URL: &str = "SYNCER_MUSICBRAINZ_URL";
    pub const MUSICBRAINZ_CONTACT: &str = "SYNCER_MUSICBRAINZ_CONTACT";
    pub const MUSICBRAINZ_INTERVAL_MS: &str = "SYNCER_MUSICBRAINZ_INTERVAL_MS";
    pub const METADATA_TTL_DAYS: &str = "SYNCER_METADATA_TTL_DAYS";
    pub const CLOUD_URL: &str = "SYNCER_CLOUD_URL";
    pub const UPDATE_FEED: &str = "SYNCER_UPDATE_FEED";
    pub const UPDATE_PUBKEY: &str = "SYNCER_UPDATE_PUBKEY";
}

/// Why the configuration could not be loaded: the key or variable, and what it should be.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid: {message}")]
    File { path: PathBuf, message: String },
    #[error("{name}: {message}")]
    Value { name: String, message: String },
    #[error(
        "there is no data directory on this system (is HOME set?); set {} to one",
        env::DATA_DIR
    )]
    NoDataDir,
}

/// Where genres and other open metadata come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataSource {
    /// Not looked up at all.
    Off,
    /// MusicBrainz itself (a demo connection uses its own stand-in).
    MusicBrainz,
    /// Another ws/2 root (a mirror, or a stand-in in tests).
    Url(String),
}

/// The music services' endpoints: their real ones unless both are named (a stand-in).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpotifyEndpoints {
    pub accounts_url: Option<String>,
    pub api_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct MetadataConfig {
    pub source: MetadataSource,
    /// Who to contact, sent in the User-Agent as MusicBrainz asks.
    pub contact: Option<String>,
    /// At least one second for MusicBrainz itself, whatever is asked.
    pub interval: Option<Duration>,
    pub ttl_days: Option<u64>,
}

/// Everything Syncer can be configured with. `Debug` shows no secret.
#[derive(Debug, Clone)]
pub struct Config {
    pub paths: AppPaths,
    pub vault: VaultPreference,
    /// The encrypted secrets file's passphrase, from the environment only (never a file).
    pub vault_passphrase: Option<Secret>,
    /// Daily schedules and dates in filters are read in this zone.
    pub time_zone: TimeZone,
    pub spotify: SpotifyEndpoints,
    /// Latency the demo's stand-in adds to each answer.
    pub demo_latency: Option<Duration>,
    pub metadata: MetadataConfig,
    pub cloud_url: String,
    /// The desktop's update feed over tauri.conf.json's (tests, a local mirror).
    pub update: UpdateFeedOverride,
}

/// An update feed and its minisign public key that replace the build's own (crates/update
/// checks that both or neither are given).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateFeedOverride {
    pub feed: Option<String>,
    pub pubkey: Option<String>,
}

/// The file's shape: every key optional, unknown keys refused (a typo is an error, not a
/// silently ignored setting).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    vault: Option<String>,
    time_zone: Option<String>,
    spotify_accounts_url: Option<String>,
    spotify_api_url: Option<String>,
    demo_latency_ms: Option<u64>,
    musicbrainz_url: Option<String>,
    musicbrainz_contact: Option<String>,
    musicbrainz_interval_ms: Option<u64>,
    metadata_ttl_days: Option<u64>,
    cloud_url: Option<String>,
    update_feed: Option<String>,
    update_pubkey: Option<String>,
}

/// A source of variables: the process environment, or a map in tests.
pub trait Env {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment; empty values count as unset.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<const N: usize> Env for [(&str, &str); N] {
    fn get(&self, name: &str) -> Option<String> {
        self.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
            .filter(|v| !v.trim().is_empty())
    }
}

impl Config {
    /// The configuration of this process: the file, the environment, the defaults. A
    /// front end's `--data-dir` overrides all three.
    pub fn load(data_dir: Option<PathBuf>) -> Result<Config, ConfigError> {
        let file = ProcessEnv
            .get(env::CONFIG)
            .map(PathBuf::from)
            .or_else(default_config_file);
        Config::from_sources(file.as_deref(), &ProcessEnv, data_dir)
    }

    /// Defaults only, rooted at `data_dir`: tests and embedded uses.
    pub fn at(data_dir: impl Into<PathBuf>) -> Config {
        let no_env: [(&str, &str); 0] = [];
        // No file and no variables: nothing can be invalid.
        Config::from_sources(None, &no_env, Some(data_dir.into()))
            .unwrap_or_else(|_| unreachable!("defaults with a data dir always load"))
    }

    pub fn from_sources(
        file: Option<&Path>,
        env: &dyn Env,
        data_dir: Option<PathBuf>,
    ) -> Result<Config, ConfigError> {
        let file_config = match file {
            Some(path) if path.exists() => read_file(path)?,
            _ => FileConfig::default(),
        };
        let var = |name: &str| env.get(name);
        let number = |name: &str, from_file: Option<u64>| -> Result<Option<u64>, ConfigError> {
            match var(name) {
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .map(Some)
                    .map_err(|_| ConfigError::Value {
                        name: name.to_owned(),
                        message: format!("'{v}' is not a whole number"),
                    }),
                None => Ok(from_file),
            }
        };

        let data_dir = data_dir
            .or_else(|| var(env::DATA_DIR).map(PathBuf::from))
            .or(file_config.data_dir)
            .or_else(|| dirs::data_dir().map(|d| d.join(syncer_store::APP_IDENTIFIER)))
            .ok_or(ConfigError::NoDataDir)?;
        let vault = match var(env::VAULT).or(file_config.vault) {
            Some(v) => v.parse().map_err(|e: VaultError| ConfigError::Value {
                name: env::VAULT.to_owned(),
                message: e.to_string(),
            })?,
            None => VaultPreference::Auto,
        };
        let time_zone = match var(env::TIME_ZONE).or(file_config.time_zone) {
            Some(name) => calendar::zone(name.trim()).map_err(|message| ConfigError::Value {
                name: env::TIME_ZONE.to_owned(),
                message,
            })?,
            None => calendar::system_zone(),
        };
        let source = match var(env::MUSICBRAINZ_URL).or(file_config.musicbrainz_url) {
            Some(v) if v.trim().eq_ignore_ascii_case("off") => MetadataSource::Off,
            Some(v) => MetadataSource::Url(v.trim().trim_end_matches('/').to_owned()),
            None => MetadataSource::MusicBrainz,
        };
        Ok(Config {
            paths: AppPaths::at(data_dir),
            vault,
            vault_passphrase: var(env::VAULT_PASSPHRASE).map(Secret::new),
            time_zone,
            spotify: SpotifyEndpoints {
                accounts_url: var(env::SPOTIFY_ACCOUNTS_URL).or(file_config.spotify_accounts_url),
                api_url: var(env::SPOTIFY_API_URL).or(file_config.spotify_api_url),
            },
            demo_latency: number(env::DEMO_LATENCY_MS, file_config.demo_latency_ms)?
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis),
            metadata: MetadataConfig {
                source,
                contact: var(env::MUSICBRAINZ_CONTACT).or(file_config.musicbrainz_contact),
                interval: number(
                    env::MUSICBRAINZ_INTERVAL_MS,
                    file_config.musicbrainz_interval_ms,
                )?
                .map(Duration::from_millis),
                ttl_days: number(env::METADATA_TTL_DAYS, file_config.metadata_ttl_days)?
                    .filter(|d| *d > 0),
            },
            cloud_url: var(env::CLOUD_URL)
                .or(file_config.cloud_url)
                .unwrap_or_else(|| DEFAULT_CLOUD_URL.to_owned()),
            update: UpdateFeedOverride {
                feed: var(env::UPDATE_FEED).or(file_config.update_feed),
                pubkey: var(env::UPDATE_PUBKEY).or(file_config.update_pubkey),
            },
        })
    }

    /// How to open the secrets vault: the file in the data dir, the preference and passphrase
    /// configured.
    pub fn vault_options(&self) -> VaultOptions {
        VaultOptions {
            preference: self.vault,
            file_path: self.paths.data_dir().join(syncer_auth::vault::VAULT_FILE),
            passphrase: self.vault_passphrase.clone(),
        }
    }

    /// The providers this build knows, Spotify pointed at a stand-in when both of its
    /// endpoints are configured.
    pub fn registry(&self) -> Registry {
        match (&self.spotify.accounts_url, &self.spotify.api_url) {
            (Some(accounts), Some(api)) => Registry::builtin()
                .with(syncer_auth::providers::spotify::provider_at(accounts, api)),
            _ => Registry::builtin(),
        }
    }
}

/// `<config dir>/dev.syncer.Syncer/config.toml` (`~/.config/…` on Linux).
fn default_config_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join(syncer_store::APP_IDENTIFIER).join(CONFIG_FILE))
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::File {
        path: path.to_owned(),
        message: e.message().to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_the_file_which_overrides_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "time_zone = \"Europe/Berlin\"\ncloud_url = \"https://file.example\"\n\
             musicbrainz_url = \"off\"\ndata_dir = \"/from/file\"\n",
        )
        .unwrap();
        let env = [(env::CLOUD_URL, "https://env.example")];
        let config = Config::from_sources(Some(&file), &env, None).unwrap();
        assert_eq!(config.cloud_url, "https://env.example");
        assert_eq!(config.time_zone.iana_name(), Some("Europe/Berlin"));
        assert_eq!(config.metadata.source, MetadataSource::Off);
        assert_eq!(config.paths.data_dir(), Path::new("/from/file"));
        // A front end's --data-dir wins over both.
        let config = Config::from_sources(Some(&file), &env, Some("/flag".into())).unwrap();
        assert_eq!(config.paths.data_dir(), Path::new("/flag"));

        let defaults = Config::at(dir.path());
        assert_eq!(defaults.cloud_url, DEFAULT_CLOUD_URL);
        assert_eq!(defaults.metadata.source, MetadataSource::MusicBrainz);
        assert!(defaults.vault_passphrase.is_none());
    }

    #[test]
    fn bad_values_name_the_key_and_what_it_takes() {
        let dir = tempfile::tempdir().unwrap();
        let env = [(env::TIME_ZONE, "Mars/Olympus")];
        let err = Config::from_sources(None, &env, Some(dir.path().into())).unwrap_err();
        assert!(err.to_string().contains(env::TIME_ZONE), "{err}");
        let env = [(env::DEMO_LATENCY_MS, "fast")];
        let err = Config::from_sources(None, &env, Some(dir.path().into())).unwrap_err();
        assert!(err.to_string().contains("whole number"), "{err}");
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "colour = \"blue\"\n").unwrap();
        let no_env: [(&str, &str); 0] = [];
        let err = Config::from_sources(Some(&file), &no_env, None).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }

    #[test]
    fn the_passphrase_never_shows_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let env = [(env::VAULT_PASSPHRASE, "hunter2-very-secret")];
        let config = Config::from_sources(None, &env, Some(dir.path().into())).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
