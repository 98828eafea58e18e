//! Syncer's signed self-updates, over tauri-plugin-updater: where the feed is configured, and
//! the three steps (check, download + verify, install) with typed results and errors, so the
//! desktop's commands only call them and render the outcome.
//!
//! A build checks for updates only when it has a feed: the `plugins.updater` section of
//! tauri.conf.json (`endpoints` and `pubkey`, as Tauri documents them; release pipelines add
//! it), or, overriding it, a feed and key from Syncer's configuration (`update_feed` and
//! `update_pubkey`, or `SYNCER_UPDATE_FEED` and `SYNCER_UPDATE_PUBKEY`: tests, a local
//! mirror). With neither, updates are off and the plugin is not even registered.
//!
//! Every download is verified against the configured minisign public key before anything is
//! written; a signature made with another key, or bytes that differ from what was signed, are
//! refused with [`UpdateError::SignatureRejected`]. The signature must also name the version the
//! feed announced when it names one (Tauri's signer writes it), so a feed cannot pass an old,
//! validly signed build off as a new one.

use std::path::PathBuf;

use base64::Engine as _;
use serde::Serialize;
use tauri::plugin::TauriPlugin;
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::{Update, Updater, UpdaterExt as _};
use url::Url;

/// Why no update was found, verified or installed. Each message says what happened and that
/// nothing was changed where that is so; none carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("Updates are not configured for this build.")]
    NotConfigured,
    #[error("The update settings of this build are wrong: {0}")]
    BadConfig(String),
    #[error("Could not reach the update server: {0}")]
    Unreachable(String),
    #[error("The update server's answer could not be read: {0}")]
    BadFeed(String),
    #[error("The update server has no build of Syncer for this system ({0}).")]
    NoBuildForThisSystem(String),
    /// The download is not what Syncer's key signed: another key, altered bytes, or a
    /// signature for another version.
    #[error(
        "The download of Syncer {version} was refused: its signature does not match Syncer's \
         signing key ({reason}). Nothing was installed."
    )]
    SignatureRejected { version: String, reason: String },
    #[error("The update could not be installed: {0}")]
    Install(String),
}

/// Where a build's updates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedConfig {
    pub endpoint: Url,
    /// The minisign public key, base64 of the `.pub` file (Tauri's format).
    pub pubkey: String,
}

impl FeedConfig {
    /// The feed from the override (a feed address, in Tauri's `latest.json` format or a
    /// dynamic server, and the minisign public key in base64 as `tauri signer generate`
    /// prints it: both or neither) or, failing that, from tauri.conf.json's `plugins.updater`;
    /// `None` when neither has one.
    pub fn resolve(
        override_feed: Option<String>,
        override_pubkey: Option<String>,
        plugin_config: Option<&serde_json::Value>,
    ) -> Result<Option<Self>, UpdateError> {
        let non_empty = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        let (endpoint, pubkey) = match (non_empty(override_feed), non_empty(override_pubkey)) {
            (Some(feed), Some(key)) => (feed, key),
            (Some(_), None) | (None, Some(_)) => {
                return Err(UpdateError::BadConfig(
                    "set both the update feed and its public key (SYNCER_UPDATE_FEED and \
                     SYNCER_UPDATE_PUBKEY), or neither"
                        .to_owned(),
                ));
            }
            (None, None) => {
                let Some(config) = plugin_config else {
                    return Ok(None);
                };
                let endpoint = config
                    .get("endpoints")
                    .and_then(|e| e.as_array())
                    .and_then(|e| e.first())
                    .and_then(|e| e.as_str());
                let pubkey = config.get("pubkey").and_then(|k| k.as_str());
                match (endpoint, pubkey) {
                    (Some(e), Some(k)) if !k.trim().is_empty() => (e.to_owned(), k.to_owned()),
                    _ => return Ok(None),
                }
            }
        };
        let endpoint = Url::parse(endpoint.trim())
            .map_err(|e| UpdateError::BadConfig(format!("the feed address is not a URL: {e}")))?;
        if endpoint.scheme() != "https" && !is_loopback(&endpoint) {
            return Err(UpdateError::BadConfig(format!(
                "the feed must use https (plain http is accepted only on this computer), not {}",
                endpoint.scheme()
            )));
        }
        let pubkey = pubkey.trim().to_owned();
        check_pubkey(&pubkey)?;
        Ok(Some(Self { endpoint, pubkey }))
    }

    /// The plugin's configuration for this feed. Plain http is allowed only for a feed on this
    /// computer (tests, a local mirror): the signature still guards what is installed.
    pub fn plugin_config(&self) -> serde_json::Value {
        serde_json::json!({
            "endpoints": [self.endpoint.as_str()],
            "pubkey": self.pubkey,
            "dangerousInsecureTransportProtocol": is_loopback(&self.endpoint),
        })
    }

    /// Writes this feed into the app's configuration (where the plugin reads it) and returns
    /// the plugin to register.
    pub fn install_plugin<R: Runtime>(
        &self,
        context: &mut tauri::Context<R>,
    ) -> TauriPlugin<R, tauri_plugin_updater::Config> {
        context
            .config_mut()
            .plugins
            .0
            .insert("updater".to_owned(), self.plugin_config());
        tauri_plugin_updater::Builder::new()
            .pubkey(self.pubkey.clone())
            .build()
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// A key that cannot be a minisign public key is a configuration mistake, said at start rather
/// than as "signature rejected" on every update.
fn check_pubkey(pubkey: &str) -> Result<(), UpdateError> {
    let text = base64::engine::general_purpose::STANDARD
        .decode(pubkey)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    match text {
        Some(text) if text.lines().count() >= 2 => Ok(()),
        _ => Err(UpdateError::BadConfig(
            "the public key is not a minisign public key in base64 (what `tauri signer \
             generate` prints)"
                .to_owned(),
        )),
    }
}

/// A newer version the feed offers, as Settings shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateInfo {
    pub current_version: String,
    pub version: String,
    pub notes: Option<String>,
    /// As the feed wrote it (RFC 3339 in Tauri's format), when it gave one.
    pub date: Option<String>,
}

/// What a check found.
#[derive(Debug)]
pub enum UpdateCheck {
    UpToDate { current_version: String },
    Available(PendingUpdate),
}

/// Checks the configured feed; made for one check, it is cheap.
pub struct UpdateClient {
    updater: Updater,
    current_version: String,
}

impl std::fmt::Debug for UpdateClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateClient")
            .field("current_version", &self.current_version)
            .finish_non_exhaustive()
    }
}

impl UpdateClient {
    /// The client for the app's configured feed (the plugin must be registered, as
    /// [`FeedConfig::install_plugin`] does). `install_target` is the file an install replaces
    /// where the app is a single file (an AppImage); by default this executable.
    pub fn new<R: Runtime>(
        app: &AppHandle<R>,
        feed: &FeedConfig,
        install_target: Option<PathBuf>,
    ) -> Result<Self, UpdateError> {
        let mut builder = app
            .updater_builder()
            .endpoints(vec![feed.endpoint.clone()])
            .map_err(|e| UpdateError::BadConfig(e.to_string()))?
            .pubkey(feed.pubkey.clone())
            .timeout(std::time::Duration::from_secs(60));
        if let Some(path) = install_target {
            builder = builder.executable_path(path);
        }
        let updater = builder
            .build()
            .map_err(|e| UpdateError::BadConfig(e.to_string()))?;
        Ok(Self {
            updater,
            current_version: app.package_info().version.to_string(),
        })
    }

    /// Asks the feed for a version newer than this one.
    pub async fn check(&self) -> Result<UpdateCheck, UpdateError> {
        match self.updater.check().await {
            Ok(Some(update)) => {
                tracing::info!(current = %self.current_version, offered = %update.version, "an update is available");
                Ok(UpdateCheck::Available(PendingUpdate {
                    update: Box::new(update),
                }))
            }
            Ok(None) => Ok(UpdateCheck::UpToDate {
                current_version: self.current_version.clone(),
            }),
            Err(e) => Err(classify(e, None)),
        }
    }
}

/// A newer version, found but not downloaded.
#[derive(Clone)]
pub struct PendingUpdate {
    // Boxed: the plugin's update is large, and a check's answer is moved around.
    update: Box<Update>,
}

impl std::fmt::Debug for PendingUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingUpdate")
            .field("version", &self.update.version)
            .finish_non_exhaustive()
    }
}

impl PendingUpdate {
    pub fn info(&self) -> UpdateInfo {
        UpdateInfo {
            current_version: self.update.current_version.clone(),
            version: self.update.version.clone(),
            notes: self.update.body.clone(),
            date: self
                .update
                .raw_json
                .get("pub_date")
                .and_then(|d| d.as_str())
                .map(str::to_owned),
        }
    }

    /// Downloads the update and verifies its signature; only verified bytes come back.
    pub async fn download(&self) -> Result<VerifiedUpdate, UpdateError> {
        let bytes = self
            .update
            .download(|_, _| {}, || {})
            .await
            .map_err(|e| classify(e, Some(&self.update.version)))?;
        tracing::info!(version = %self.update.version, bytes = bytes.len(), "update downloaded and its signature verified");
        Ok(VerifiedUpdate {
            update: (*self.update).clone(),
            bytes,
        })
    }
}

/// A downloaded update whose signature matched the configured key.
pub struct VerifiedUpdate {
    update: Update,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for VerifiedUpdate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedUpdate")
            .field("version", &self.update.version)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

impl VerifiedUpdate {
    pub fn version(&self) -> &str {
        &self.update.version
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Installs it the way this installation was made: a .deb or .rpm through the package
    /// manager (asking for the administrator's password), otherwise (an AppImage) by replacing
    /// the app's file. The signature is checked once more first. The caller restarts the app.
    pub fn install(&self) -> Result<(), UpdateError> {
        self.update
            .install(&self.bytes)
            .map_err(|e| classify(e, Some(&self.update.version)))?;
        tracing::info!(version = %self.update.version, "update installed");
        Ok(())
    }
}

/// The plugin's errors, by what the user can do about them.
fn classify(error: tauri_plugin_updater::Error, version: Option<&str>) -> UpdateError {
    use tauri_plugin_updater::Error as E;
    let text = error.to_string();
    match error {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => UpdateError::SignatureRejected {
            version: version.unwrap_or("?").to_owned(),
            reason: text,
        },
        E::Reqwest(_) | E::Network(_) => UpdateError::Unreachable(text),
        E::ReleaseNotFound | E::Serialization(_) | E::Semver(_) | E::UrlParse(_) => {
            UpdateError::BadFeed(text)
        }
        E::TargetNotFound(_) | E::TargetsNotFound(_) | E::UnsupportedOs | E::UnsupportedArch => {
            UpdateError::NoBuildForThisSystem(text)
        }
        E::EmptyEndpoints | E::InsecureTransportProtocol => UpdateError::BadConfig(text),
        _ => UpdateError::Install(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "dW50cnVzdGVkIGNvbW1lbnQ6IG1pbmlzaWduIHB1YmxpYyBrZXkKUldUTEFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQo=";

    fn some(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    #[test]
    fn no_feed_means_updates_are_off() {
        assert_eq!(FeedConfig::resolve(None, None, None).unwrap(), None);
        let empty = serde_json::json!({ "endpoints": [], "pubkey": "" });
        assert_eq!(FeedConfig::resolve(None, None, Some(&empty)).unwrap(), None);
    }

    #[test]
    fn the_configuration_overrides_tauri_conf() {
        let conf = serde_json::json!({
            "endpoints": ["https://updates.example.invalid/latest.json"],
            "pubkey": KEY,
        });
        let from_conf = FeedConfig::resolve(None, None, Some(&conf))
            .unwrap()
            .unwrap();
        assert_eq!(
            from_conf.endpoint.host_str(),
            Some("updates.example.invalid")
        );
        let local = some("http://127.0.0.1:9/latest.json");
        let overridden = FeedConfig::resolve(local, some(KEY), Some(&conf))
            .unwrap()
            .unwrap();
        assert_eq!(overridden.endpoint.port(), Some(9));
        assert_eq!(
            overridden.plugin_config()["dangerousInsecureTransportProtocol"],
            true
        );
        assert_eq!(
            from_conf.plugin_config()["dangerousInsecureTransportProtocol"],
            false
        );
    }

    #[test]
    fn half_a_feed_or_plain_http_elsewhere_is_a_mistake() {
        let feed = || some("https://u.example.invalid/latest.json");
        let half = FeedConfig::resolve(feed(), None, None);
        assert!(matches!(half, Err(UpdateError::BadConfig(_))), "{half:?}");
        let http = FeedConfig::resolve(some("http://u.example.invalid/l.json"), some(KEY), None);
        assert!(matches!(http, Err(UpdateError::BadConfig(_))), "{http:?}");
        let bad_key = FeedConfig::resolve(feed(), some("nope"), None);
        assert!(
            matches!(bad_key, Err(UpdateError::BadConfig(_))),
            "{bad_key:?}"
        );
    }
}
