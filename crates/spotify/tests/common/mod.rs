//! What every test against the stand-in needs: a server, a client configured for quick
//! tests, the stand-in's truth in core's terms, and counter comparison.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use spotify_fake::library::{ItemKind, PlaylistInfo};
use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec, Mode};
use syncer_core::ids::{ConnectionId, PlaylistId};
use syncer_core::provider::{PlaylistEntry, RequestOutcome, RequestStats, SkipReason};
use syncer_spotify::{
    AccessToken, BreakerConfig, ClientConfig, RateConfig, RetryPolicy, SpotifyClient, StaticToken,
    TokenError, TokenSource,
};

pub async fn start(mode: Mode) -> FakeSpotify {
    start_with(mode, LibrarySpec::default()).await
}

pub async fn start_with(mode: Mode, library: LibrarySpec) -> FakeSpotify {
    FakeSpotify::start(FakeConfig {
        mode,
        library,
        ..FakeConfig::default()
    })
    .await
    .expect("the stand-in starts")
}

/// Quick waits, generous limits: tests exercise behaviour, not patience.
pub fn config(fake: &FakeSpotify) -> ClientConfig {
    ClientConfig {
        api_base: fake.api_base(),
        max_concurrency: 4,
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        rate: RateConfig {
            requests_per_second: 500,
            burst: 100,
            max_slowdown: 3,
            recover_after: 5,
        },
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
            max_rate_limit_waits: 30,
            default_retry_after: Duration::from_secs(1),
        },
        breaker: BreakerConfig {
            failure_threshold: 100,
            open_for: Duration::from_secs(1),
        },
        ..ClientConfig::default()
    }
}

pub fn first_user(fake: &FakeSpotify) -> String {
    fake.library().users()[0].id.clone()
}

pub fn client(fake: &FakeSpotify) -> SpotifyClient<StaticToken> {
    client_with(fake, config(fake))
}

pub fn client_with(fake: &FakeSpotify, config: ClientConfig) -> SpotifyClient<StaticToken> {
    let token = fake.mint_token(&first_user(fake));
    SpotifyClient::new(ConnectionId::new("test"), StaticToken::new(token), config)
        .expect("client builds")
}

/// The first user's largest own playlist.
pub fn largest_owned(fake: &FakeSpotify) -> PlaylistInfo {
    fake.library()
        .owned_by(&first_user(fake))
        .into_iter()
        .max_by_key(|p| p.item_count)
        .expect("the user owns playlists")
}

/// A playlist the first user follows but neither owns nor collaborates on.
pub fn followed(fake: &FakeSpotify) -> PlaylistInfo {
    let user = first_user(fake);
    fake.library()
        .playlists_of(&user)
        .into_iter()
        .find(|p| p.owner_id != user && !p.collaborator_ids.contains(&user))
        .expect("the user follows someone else's playlist")
}

pub fn pid(p: &PlaylistInfo) -> PlaylistId {
    PlaylistId::new(p.id.clone())
}

/// "GET /playlists/{id}" → the stand-in's key "GET /v1/playlists/{id}".
pub fn v1(endpoint: &str) -> String {
    match endpoint.split_once(' ') {
        Some((method, path)) => format!("{method} /v1{path}"),
        None => endpoint.to_owned(),
    }
}

/// The client's counters agree with what the stand-in saw, endpoint by endpoint and outcome
/// by outcome (the stand-in counts dropped and hung requests under status 0).
pub fn assert_counters_match(stats: &RequestStats, fake: &FakeSpotify) {
    let seen = fake.requests().by_endpoint();
    for (endpoint, outcomes) in stats.endpoints() {
        let theirs = seen.get(&v1(endpoint)).cloned().unwrap_or_default();
        let mut want: BTreeMap<RequestOutcome, u64> = BTreeMap::new();
        for (status, n) in &theirs.by_status {
            *want.entry(outcome_of(*status)).or_default() += n;
        }
        let mut ours = outcomes.clone();
        // Both kinds of "no answer" are status 0 to the stand-in.
        let silent = ours.remove(&RequestOutcome::Timeout).unwrap_or(0)
            + ours.remove(&RequestOutcome::NetworkError).unwrap_or(0);
        if silent > 0 {
            ours.insert(RequestOutcome::NetworkError, silent);
        }
        assert_eq!(ours, want, "requests to {endpoint}");
    }
    assert_eq!(
        stats.total(),
        fake.requests().total(),
        "every request counted once"
    );
}

fn outcome_of(status: u16) -> RequestOutcome {
    match status {
        0 => RequestOutcome::NetworkError,
        200..=299 => RequestOutcome::Success,
        401 => RequestOutcome::Unauthorized,
        403 => RequestOutcome::Forbidden,
        404 => RequestOutcome::NotFound,
        429 => RequestOutcome::RateLimited,
        500..=599 => RequestOutcome::ServerError,
        _ => RequestOutcome::ClientError,
    }
}

/// Checks entries against the stand-in's truth, position by position.
pub fn assert_entries_match(entries: &[PlaylistEntry], fake: &FakeSpotify, playlist: &str) {
    let truth = fake
        .library()
        .playlist_items(playlist)
        .expect("playlist exists");
    assert_eq!(
        entries.len(),
        truth.len(),
        "one entry per item, duplicates kept"
    );
    for (i, (got, want)) in entries.iter().zip(&truth).enumerate() {
        assert_eq!(got.position() as usize, i);
        match (got, want.kind) {
            (PlaylistEntry::Track { track, origin, .. }, ItemKind::Track) => {
                assert_eq!(Some(track.id.as_str()), want.id.as_deref(), "position {i}");
                assert_eq!(origin.added_by.as_deref(), Some(want.added_by.as_str()));
                assert_eq!(origin.added_at.as_deref(), Some(want.added_at.as_str()));
            }
            (PlaylistEntry::Skipped { reason, .. }, kind) => {
                let expected = match kind {
                    ItemKind::Episode => SkipReason::Episode,
                    ItemKind::LocalFile => SkipReason::LocalFile,
                    ItemKind::Unavailable => SkipReason::Unavailable,
                    ItemKind::Track => panic!("track at {i} skipped: {reason:?}"),
                };
                assert_eq!(reason, &expected, "position {i}");
            }
            (got, kind) => panic!("position {i}: got {got:?}, stand-in has {kind:?}"),
        }
    }
}

/// A token source that hands out prepared tokens on refresh, counting refreshes.
pub struct Rotating {
    current: Mutex<AccessToken>,
    spares: Mutex<VecDeque<AccessToken>>,
    pub refreshes: AtomicU32,
}

impl Rotating {
    pub fn new(current: String, spares: Vec<String>) -> Self {
        Rotating {
            current: Mutex::new(AccessToken::new(current)),
            spares: Mutex::new(spares.into_iter().map(AccessToken::new).collect()),
            refreshes: AtomicU32::new(0),
        }
    }

    pub fn refreshes(&self) -> u32 {
        self.refreshes.load(Ordering::SeqCst)
    }
}

impl TokenSource for Rotating {
    async fn access_token(&self) -> Result<AccessToken, TokenError> {
        Ok(self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone())
    }

    async fn refresh(&self, _rejected: &AccessToken) -> Result<AccessToken, TokenError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let next = self
            .spares
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()
            .ok_or_else(|| TokenError::ReconnectNeeded("refresh token revoked".into()))?;
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = next.clone();
        Ok(next)
    }
}
