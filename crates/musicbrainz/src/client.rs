//! The ws/2 JSON client, keeping to MusicBrainz's rules: at most one request a second (a
//! `governor` bucket with no burst, and one request in flight at a time), a User-Agent naming
//! the application, its version and a contact, and backing off when the service answers 503
//! (which is how MusicBrainz says "too fast"), honouring `Retry-After`.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use syncer_core::provider::{RequestOutcome, RequestStats};

use crate::error::MbError;
use crate::model::{Artist, IsrcLookup, RecordingSearch};

/// MusicBrainz itself.
pub const MUSICBRAINZ_ORG: &str = "https://musicbrainz.org/ws/2";

/// How to talk to MusicBrainz (or a stand-in).
#[derive(Debug, Clone)]
pub struct MbConfig {
    /// The web service root, e.g. `https://musicbrainz.org/ws/2`.
    pub base_url: String,
    /// A URL or e-mail MusicBrainz can reach the application's maintainers at.
    pub contact: String,
    /// The least time between two requests: MusicBrainz asks for one a second at most.
    pub interval: Duration,
    pub timeout: Duration,
    /// Attempts after the first on a 503, another 5xx or a network failure.
    pub retries: u32,
    /// The first wait when the service gives no `Retry-After`; doubled on each retry.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for MbConfig {
    fn default() -> Self {
        MbConfig {
            base_url: MUSICBRAINZ_ORG.to_owned(),
            contact: env!("CARGO_PKG_REPOSITORY").to_owned(),
            interval: Duration::from_secs(1),
            timeout: Duration::from_secs(20),
            retries: 4,
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
        }
    }
}

impl MbConfig {
    pub fn with_base_url(base_url: impl Into<String>) -> MbConfig {
        MbConfig {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            ..MbConfig::default()
        }
    }

    /// `Syncer/<version> ( <contact> )`, the form MusicBrainz asks for.
    pub fn user_agent(&self) -> String {
        format!("Syncer/{} ( {} )", env!("CARGO_PKG_VERSION"), self.contact)
    }
}

struct Inner {
    http: reqwest::Client,
    config: MbConfig,
    bucket: DefaultDirectRateLimiter,
    /// One request in flight: the pace is the bucket's, never two arrivals at once.
    in_flight: tokio::sync::Mutex<()>,
    stats: Mutex<RequestStats>,
}

/// A MusicBrainz ws/2 client. Cheap to clone; clones share the pace and the counters.
#[derive(Clone)]
pub struct MbClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for MbClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MbClient")
            .field("base_url", &self.inner.config.base_url)
            .finish_non_exhaustive()
    }
}

fn outcome_of(status: StatusCode) -> RequestOutcome {
    match status.as_u16() {
        200..=299 => RequestOutcome::Success,
        429 | 503 => RequestOutcome::RateLimited,
        404 => RequestOutcome::NotFound,
        401 => RequestOutcome::Unauthorized,
        403 => RequestOutcome::Forbidden,
        500..=599 => RequestOutcome::ServerError,
        _ => RequestOutcome::ClientError,
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Keeps a query term literal in Lucene's syntax (what the search server reads).
pub fn lucene_phrase(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl MbClient {
    pub fn new(config: MbConfig) -> Result<MbClient, MbError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent())
            .timeout(config.timeout)
            .build()
            .map_err(|e| MbError::Setup {
                message: e.to_string(),
            })?;
        let period = config.interval.max(Duration::from_millis(1));
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::MIN);
        Ok(MbClient {
            inner: Arc::new(Inner {
                http,
                bucket: RateLimiter::direct(quota),
                in_flight: tokio::sync::Mutex::new(()),
                stats: Mutex::new(RequestStats::default()),
                config,
            }),
        })
    }

    pub fn config(&self) -> &MbConfig {
        &self.inner.config
    }

    /// Requests made so far, by endpoint and outcome (retries included).
    pub fn request_stats(&self) -> RequestStats {
        self.inner
            .stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn record(&self, endpoint: &str, outcome: RequestOutcome) {
        self.inner
            .stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(endpoint, outcome);
    }

    /// The recordings that carry an ISRC, with their credits, releases and release groups,
    /// genres and tags. `None`: MusicBrainz does not know the ISRC.
    pub async fn isrc(&self, isrc: &str) -> Result<Option<IsrcLookup>, MbError> {
        let isrc: String = isrc
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        if isrc.len() != 12 {
            return Ok(None);
        }
        self.get(
            "GET /ws/2/isrc/{isrc}",
            &format!("isrc/{isrc}"),
            &[("inc", "artists+releases+release-groups+genres+tags".into())],
        )
        .await
    }

    /// Recordings matching a Lucene query (e.g. `recording:"x" AND artist:"y"`).
    pub async fn search_recordings(
        &self,
        query: &str,
        limit: u32,
    ) -> Result<RecordingSearch, MbError> {
        let found: Option<RecordingSearch> = self
            .get(
                "GET /ws/2/recording",
                "recording",
                &[("query", query.to_owned()), ("limit", limit.to_string())],
            )
            .await?;
        Ok(found.unwrap_or(RecordingSearch {
            created: None,
            count: 0,
            offset: 0,
            recordings: Vec::new(),
        }))
    }

    /// An artist with its genres and tags. `None`: no such artist (any more).
    pub async fn artist(&self, mbid: &str) -> Result<Option<Artist>, MbError> {
        let mbid: String = mbid
            .chars()
            .filter(|c| c.is_ascii_hexdigit() || *c == '-')
            .collect();
        if mbid.is_empty() {
            return Ok(None);
        }
        self.get(
            "GET /ws/2/artist/{mbid}",
            &format!("artist/{mbid}"),
            &[("inc", "genres+tags".into())],
        )
        .await
    }

    /// One GET, paced and retried. `Ok(None)` on 404.
    async fn get<T: DeserializeOwned>(
        &self,
        endpoint: &'static str,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Option<T>, MbError> {
        let config = &self.inner.config;
        let url = format!("{}/{path}", config.base_url);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let answer = {
                let _one = self.inner.in_flight.lock().await;
                self.inner.bucket.until_ready().await;
                self.inner
                    .http
                    .get(&url)
                    .query(query)
                    .query(&[("fmt", "json")])
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
            };
            let wait = match answer {
                Ok(response) => {
                    let status = response.status();
                    self.record(endpoint, outcome_of(status));
                    if status.is_success() {
                        let body = response.bytes().await.map_err(|e| MbError::Network {
                            message: e.to_string(),
                            attempts: attempt,
                        })?;
                        return serde_json::from_slice(&body).map(Some).map_err(|e| {
                            MbError::InvalidResponse {
                                endpoint,
                                message: e.to_string(),
                            }
                        });
                    }
                    if status == StatusCode::NOT_FOUND {
                        return Ok(None);
                    }
                    let asked = retry_after(response.headers());
                    let backoff = self.backoff(attempt);
                    match status.as_u16() {
                        503 | 429 => {
                            let wait = asked.unwrap_or(backoff).min(config.max_backoff);
                            tracing::info!(
                                endpoint,
                                wait_ms = wait.as_millis() as u64,
                                "MusicBrainz asks Syncer to slow down"
                            );
                            if attempt > config.retries {
                                return Err(MbError::RateLimited {
                                    retry_after: wait,
                                    attempts: attempt,
                                });
                            }
                            wait
                        }
                        500..=599 => {
                            if attempt > config.retries {
                                return Err(MbError::Server {
                                    status: status.as_u16(),
                                    attempts: attempt,
                                });
                            }
                            asked.unwrap_or(backoff).min(config.max_backoff)
                        }
                        _ => {
                            let text = response.text().await.unwrap_or_default();
                            return Err(MbError::Refused {
                                status: status.as_u16(),
                                message: text.chars().take(200).collect(),
                            });
                        }
                    }
                }
                Err(e) => {
                    let outcome = if e.is_timeout() {
                        RequestOutcome::Timeout
                    } else {
                        RequestOutcome::NetworkError
                    };
                    self.record(endpoint, outcome);
                    if attempt > config.retries {
                        return Err(MbError::Network {
                            message: e.to_string(),
                            attempts: attempt,
                        });
                    }
                    self.backoff(attempt)
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Doubling from the configured first wait, with a little jitter, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let c = &self.inner.config;
        let base = c
            .backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(10));
        let jitter = base.mul_f64(fastrand::f64() * 0.2);
        (base + jitter).min(c.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_agent_names_the_app_its_version_and_a_contact() {
        let c = MbConfig {
            contact: "mailto:maintainers@example.invalid".into(),
            ..MbConfig::default()
        };
        assert_eq!(
            c.user_agent(),
            format!(
                "Syncer/{} ( mailto:maintainers@example.invalid )",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert_eq!(MbConfig::default().interval, Duration::from_secs(1));
    }

    #[test]
    fn lucene_phrases_escape_quotes() {
        assert_eq!(lucene_phrase(r#"say "hi" \o/"#), r#""say \"hi\" \\o/""#);
    }
}
