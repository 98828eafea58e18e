//! Where open metadata comes from: MusicBrainz's one shared client (its limit is per client,
//! whatever the connection), a stand-in per demo connection, and the client settings the
//! configuration asks for (docs/configuration.md). The use cases over it are in
//! the `genres` module.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use syncer_core::engine::MetadataSettings;
use syncer_core::ids::ConnectionId;
use syncer_core::metadata::{FactsTtl, SourceKind};
use syncer_musicbrainz::{MUSICBRAINZ_ORG, MbClient, MbConfig, MusicBrainz};
use tokio::sync::Mutex;

use crate::config::{MetadataConfig, MetadataSource};
use crate::demo::DemoSpec;
use crate::error::{AppError, AppResult};

/// MusicBrainz's rule: one request a second at most.
const MUSICBRAINZ_INTERVAL: Duration = Duration::from_secs(1);
/// A stand-in on loopback needs no sparing; the demo's fills in seconds.
const LOOPBACK_INTERVAL: Duration = Duration::from_millis(5);
/// How often the background enricher looks for new work when the queue is empty.
pub(crate) const BACKGROUND_POLL: Duration = Duration::from_secs(30);

fn is_loopback(url: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"]
        .iter()
        .any(|p| url.starts_with(p))
}

/// How a sync uses open metadata (on unless configured off).
pub fn metadata_settings(config: &MetadataConfig) -> MetadataSettings {
    let ttl = config
        .ttl_days
        .map_or_else(FactsTtl::default, FactsTtl::days);
    MetadataSettings {
        open_genres: config.source != MetadataSource::Off,
        source: SourceKind::MusicBrainz,
        ttl,
    }
}

/// The client settings for a ws/2 root: one request a second for MusicBrainz (never less),
/// faster for a stand-in on loopback.
pub fn client_config(url: &str, config: &MetadataConfig) -> MbConfig {
    let asked = config.interval;
    let interval = if is_loopback(url) {
        asked.unwrap_or(LOOPBACK_INTERVAL)
    } else {
        asked
            .unwrap_or(MUSICBRAINZ_INTERVAL)
            .max(MUSICBRAINZ_INTERVAL)
    };
    let mut mb = MbConfig {
        interval,
        ..MbConfig::with_base_url(url)
    };
    if let Some(contact) = config.contact.as_deref().map(str::trim)
        && !contact.is_empty()
    {
        mb.contact = contact.to_owned();
    }
    if is_loopback(url) {
        mb.backoff = Duration::from_millis(50);
        mb.max_backoff = Duration::from_secs(2);
        mb.timeout = Duration::from_secs(5);
    }
    mb
}

/// The MusicBrainz sources of this process: one shared client for MusicBrainz (its limit is
/// per client, whatever the connection), and a stand-in per demo connection.
#[derive(Default)]
pub struct OpenMetadata {
    shared: Mutex<Option<MusicBrainz>>,
    demos: Mutex<HashMap<ConnectionId, (Arc<FakeMusicBrainz>, MusicBrainz)>>,
}

impl std::fmt::Debug for OpenMetadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenMetadata").finish_non_exhaustive()
    }
}

impl OpenMetadata {
    /// The MusicBrainz that answers for a connection; `None` when open metadata is off.
    pub async fn source(
        &self,
        connection: &ConnectionId,
        config: &MetadataConfig,
    ) -> AppResult<Option<MusicBrainz>> {
        let demo = DemoSpec::parse(connection);
        match (&config.source, demo) {
            (MetadataSource::Off, _) => Ok(None),
            (MetadataSource::MusicBrainz, Some(spec)) => {
                let mut demos = self.demos.lock().await;
                if let Some((_, source)) = demos.get(connection) {
                    return Ok(Some(source.clone()));
                }
                let fake = FakeMusicBrainz::start(FakeMbConfig {
                    seed: spec.seed,
                    library: spec.library(),
                    coverage: Coverage::default(),
                    rate: Some(RateRule {
                        interval: Duration::from_millis(2),
                        tolerance: Duration::from_millis(2),
                    }),
                    ..FakeMbConfig::default()
                })
                .await
                .map_err(|e| AppError::Service(e.to_string()))?;
                let client =
                    MbClient::new(client_config(&fake.base_url(), config)).map_err(mb_error)?;
                let source = MusicBrainz::new(client);
                demos.insert(connection.clone(), (Arc::new(fake), source.clone()));
                Ok(Some(source))
            }
            (origin, _) => {
                let mut shared = self.shared.lock().await;
                if let Some(source) = shared.as_ref() {
                    return Ok(Some(source.clone()));
                }
                let url = match origin {
                    MetadataSource::Url(url) => url.clone(),
                    _ => MUSICBRAINZ_ORG.to_owned(),
                };
                let client = MbClient::new(client_config(&url, config)).map_err(mb_error)?;
                let source = MusicBrainz::new(client);
                *shared = Some(source.clone());
                Ok(Some(source))
            }
        }
    }

    /// The MusicBrainz stand-in of a demo connection, when it runs in this process.
    pub async fn stand_in(&self, connection: &ConnectionId) -> Option<Arc<FakeMusicBrainz>> {
        self.demos
            .lock()
            .await
            .get(connection)
            .map(|(f, _)| f.clone())
    }
}

fn mb_error(e: syncer_musicbrainz::MbError) -> AppError {
    AppError::Service(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn musicbrainz_itself_never_gets_more_than_one_request_a_second() {
        let mut config = Config::at("/nowhere").metadata;
        config.interval = Some(Duration::from_millis(10));
        let c = client_config("https://musicbrainz.org/ws/2", &config);
        assert!(c.interval >= Duration::from_secs(1));
        let c = client_config("http://127.0.0.1:9/ws/2", &config);
        assert!(c.interval < Duration::from_secs(1));
    }
}
