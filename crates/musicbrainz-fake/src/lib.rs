//! A stand-in for MusicBrainz's ws/2 JSON web service, for tests, benchmarks and the demo:
//! ISRC lookups, recording searches and artist lookups in MusicBrainz's documented shapes,
//! over real HTTP on 127.0.0.1, from the same seed as spotify-fake (same artists, same ISRCs).
//!
//! Like MusicBrainz it enforces its rate limit (one request a second by default, answering
//! 503 when exceeded) and refuses requests without a User-Agent; faults (503 or 500 with a
//! `Retry-After`, latency) can be scripted, and every request is counted with its arrival
//! time, so tests can check the pace a client keeps.
//!
//! ```no_run
//! # async fn demo() -> Result<(), musicbrainz_fake::FakeMbError> {
//! use musicbrainz_fake::{FakeMusicBrainz, FakeMbConfig};
//! let mb = FakeMusicBrainz::start(FakeMbConfig { seed: 42, ..FakeMbConfig::default() }).await?;
//! // GET {mb.base_url()}/isrc/{isrc}?inc=artists&fmt=json with a User-Agent
//! mb.fail_next(1, 503, Some(2));
//! let stats = mb.stats();
//! mb.shutdown().await;
//! # Ok(()) }
//! ```

mod catalog;
mod routes;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use spotify_fake::LibrarySpec;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use catalog::{Coverage, MbCatalog, mbid};

/// How fast clients may ask, as MusicBrainz rules it: on average one request per `interval`.
/// A request arriving more than `tolerance` early (after the previous accepted one plus the
/// interval) is answered 503, and does not count towards the pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateRule {
    pub interval: Duration,
    pub tolerance: Duration,
}

impl Default for RateRule {
    fn default() -> Self {
        RateRule {
            interval: Duration::from_secs(1),
            tolerance: Duration::from_millis(250),
        }
    }
}

#[derive(Debug, Clone)]
pub struct FakeMbConfig {
    /// spotify-fake's seed and library spec: the same give the same artists and ISRCs.
    pub seed: u64,
    pub library: LibrarySpec,
    pub coverage: Coverage,
    /// `None`: no limit (benchmarks count requests without waiting for them).
    pub rate: Option<RateRule>,
    /// Added before every answer.
    pub latency: Option<Duration>,
    pub bind: SocketAddr,
}

impl Default for FakeMbConfig {
    fn default() -> Self {
        FakeMbConfig {
            seed: 1,
            library: LibrarySpec::default(),
            coverage: Coverage::default(),
            rate: Some(RateRule::default()),
            latency: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FakeMbError {
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// One request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// Since the stand-in started.
    pub at: Duration,
    /// `"GET /ws/2/isrc/{isrc}"`.
    pub endpoint: String,
    pub path: String,
    pub query: Option<String>,
    pub status: u16,
    pub user_agent: Option<String>,
    /// `"rate_limit"` when the limit refused it, `"fail"` for a scripted fault.
    pub refused: Option<&'static str>,
}

/// Counts and the request log, as of when [`FakeMusicBrainz::stats`] was called.
#[derive(Debug, Clone, Default)]
pub struct MbStats {
    pub log: Vec<Logged>,
}

impl MbStats {
    pub fn total(&self) -> u64 {
        self.log.len() as u64
    }

    /// Requests per endpoint key.
    pub fn by_endpoint(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for l in &self.log {
            *out.entry(l.endpoint.clone()).or_insert(0) += 1;
        }
        out
    }

    pub fn endpoint(&self, key: &str) -> u64 {
        self.log.iter().filter(|l| l.endpoint == key).count() as u64
    }

    /// Requests the rate limit refused with 503.
    pub fn rate_limited(&self) -> u64 {
        self.log
            .iter()
            .filter(|l| l.refused == Some("rate_limit"))
            .count() as u64
    }

    pub fn user_agents(&self) -> BTreeSet<String> {
        self.log
            .iter()
            .filter_map(|l| l.user_agent.clone())
            .collect()
    }

    /// The most requests that arrived within any window of length `window`.
    pub fn max_in_window(&self, window: Duration) -> usize {
        let at: Vec<Duration> = self.log.iter().map(|l| l.at).collect();
        let mut best = 0;
        let mut start = 0;
        for end in 0..at.len() {
            while at[end].saturating_sub(at[start]) >= window {
                start += 1;
            }
            best = best.max(end + 1 - start);
        }
        best
    }

    /// Requests per whole second since the first one: `[n in second 0, n in second 1, …]`.
    pub fn per_second(&self) -> Vec<usize> {
        let Some(first) = self.log.first().map(|l| l.at) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = Vec::new();
        for l in &self.log {
            let s = (l.at - first).as_secs() as usize;
            if out.len() <= s {
                out.resize(s + 1, 0);
            }
            out[s] += 1;
        }
        out
    }

    /// Paths asked more than once (with their query), e.g. to show nothing was fetched twice.
    pub fn repeated(&self) -> Vec<String> {
        let mut seen = BTreeMap::new();
        for l in self.log.iter().filter(|l| l.refused.is_none()) {
            let key = format!("{}?{}", l.path, l.query.clone().unwrap_or_default());
            *seen.entry(key).or_insert(0u32) += 1;
        }
        seen.into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(k, _)| k)
            .collect()
    }
}

#[derive(Debug, Default)]
struct Faults {
    /// Answers to give instead of the real ones: status and `Retry-After` seconds.
    next: VecDeque<(u16, Option<u64>)>,
}

#[derive(Debug)]
struct Pace {
    /// When the next request is due (GCRA's theoretical arrival time).
    due: Option<Instant>,
}

pub(crate) struct Shared {
    pub config: FakeMbConfig,
    pub catalog: MbCatalog,
    pub origin: String,
    started: Instant,
    log: Mutex<Vec<Logged>>,
    faults: Mutex<Faults>,
    pace: Mutex<Pace>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Plain data, each update complete: a poisoned lock still holds consistent values.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn since_start(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn record(&self, entry: Logged) {
        lock(&self.log).push(entry);
    }

    /// A scripted answer for this request, if one is armed.
    pub fn take_fault(&self) -> Option<(u16, Option<u64>)> {
        lock(&self.faults).next.pop_front()
    }

    /// Whether the rate rule admits a request arriving now (and counts it if so).
    pub fn admit(&self, now: Instant) -> bool {
        let Some(rule) = self.config.rate else {
            return true;
        };
        let mut pace = lock(&self.pace);
        match pace.due {
            Some(due) if now + rule.tolerance < due => false,
            Some(due) => {
                pace.due = Some(due.max(now) + rule.interval);
                true
            }
            None => {
                pace.due = Some(now + rule.interval);
                true
            }
        }
    }
}

/// A running stand-in. Dropping it stops the server (without waiting).
pub struct FakeMusicBrainz {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FakeMusicBrainz {
    /// Builds the catalog from the seed and serves it on `config.bind` (default a free port on
    /// 127.0.0.1).
    pub async fn start(config: FakeMbConfig) -> Result<FakeMusicBrainz, FakeMbError> {
        let listener =
            TcpListener::bind(config.bind)
                .await
                .map_err(|source| FakeMbError::Bind {
                    addr: config.bind,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| FakeMbError::Bind {
            addr: config.bind,
            source,
        })?;
        let catalog = MbCatalog::build(config.seed, &config.library, &config.coverage);
        let shared = Arc::new(Shared {
            config,
            catalog,
            origin: format!("http://{addr}"),
            started: Instant::now(),
            log: Mutex::new(Vec::new()),
            faults: Mutex::new(Faults::default()),
            pace: Mutex::new(Pace { due: None }),
        });
        let app = routes::router(shared.clone());
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            if let Err(e) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::warn!(error = %e, "musicbrainz-fake stopped");
            }
        });
        tracing::info!(%addr, "musicbrainz-fake listening");
        Ok(FakeMusicBrainz {
            shared,
            addr,
            stop,
            task: Some(task),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/ws/2`
    pub fn base_url(&self) -> String {
        format!("{}/ws/2", self.shared.origin)
    }

    pub fn stats(&self) -> MbStats {
        MbStats {
            log: lock(&self.shared.log).clone(),
        }
    }

    /// Forgets the request log (the pace is kept).
    pub fn reset_stats(&self) {
        lock(&self.shared.log).clear();
    }

    /// The next `n` requests are answered `status` (503, 500, …), with `Retry-After` when set.
    pub fn fail_next(&self, n: usize, status: u16, retry_after: Option<u64>) {
        let mut f = lock(&self.shared.faults);
        for _ in 0..n {
            f.next.push_back((status, retry_after));
        }
    }

    /// What MusicBrainz says the genres of a Spotify artist are (`None`: unknown to it).
    pub fn genres_of(&self, spotify_artist: &str) -> Option<Vec<String>> {
        let cat = &self.shared.catalog;
        cat.by_spotify_artist.get(spotify_artist).map(|&i| {
            cat.artists[i]
                .genres
                .iter()
                .map(|(g, _)| g.clone())
                .collect()
        })
    }

    /// The MBID MusicBrainz gives a Spotify artist.
    pub fn artist_mbid(&self, spotify_artist: &str) -> Option<String> {
        let cat = &self.shared.catalog;
        cat.by_spotify_artist
            .get(spotify_artist)
            .map(|&i| cat.artists[i].mbid.clone())
    }

    /// Whether MusicBrainz can find a track by its ISRC.
    pub fn knows_isrc(&self, isrc: &str) -> bool {
        self.shared.catalog.by_isrc.contains_key(isrc)
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeMusicBrainz {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(at_ms: u64) -> Logged {
        Logged {
            at: Duration::from_millis(at_ms),
            endpoint: "GET /ws/2/artist/{mbid}".into(),
            path: format!("/ws/2/artist/{at_ms}"),
            query: None,
            status: 200,
            user_agent: None,
            refused: None,
        }
    }

    #[test]
    fn windows_count_arrivals() {
        let s = MbStats {
            log: [0, 1_000, 2_000, 2_500, 4_000].map(logged).to_vec(),
        };
        assert_eq!(s.max_in_window(Duration::from_secs(1)), 2);
        assert_eq!(s.max_in_window(Duration::from_millis(500)), 1);
        assert_eq!(s.per_second(), vec![1, 1, 2, 0, 1]);
        assert!(s.repeated().is_empty());
    }
}
