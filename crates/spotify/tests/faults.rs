//! Every failure the client must live with, injected by the stand-in: 429s (single, too
//! long, cancelled, a storm), 5xx, timeouts, dropped connections, bounded attempts, the
//! circuit breaker, expired tokens. Timing is asserted only as lower bounds, never as
//! "finished within", so a slow machine cannot break these tests.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use spotify_fake::Mode;
use syncer_core::ids::{ConnectionId, SnapshotId, TrackId};
use syncer_core::provider::{MusicProvider, ProviderError, RequestOutcome};
use syncer_spotify::{BreakerConfig, SpotifyClient};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake);
    fake.faults().on("GET /v1/me").rate_limit_after(0, 1);
    let start = Instant::now();
    let me = client.current_user().await.unwrap();
    assert_eq!(me.id, first_user(&fake));
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(fake.requests().rate_limit_violations(), 0);
    let stats = client.request_stats();
    assert_eq!(stats.count("GET /me", RequestOutcome::RateLimited), 1);
    assert_eq!(stats.count("GET /me", RequestOutcome::Success), 1);
    assert_counters_match(&stats, &fake);
}

#[tokio::test]
async fn a_retry_after_longer_than_the_bound_ends_the_call() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake); // waits at most 5 s
    fake.faults().on("GET /v1/me").rate_limit_after(0, 3600);
    let err = client.current_user().await.unwrap_err();
    assert_eq!(
        err,
        ProviderError::RateLimited {
            retry_after: Duration::from_secs(3600)
        }
    );
    assert!(err.to_string().contains("3600s"));
    assert_eq!(fake.requests().count("GET /v1/me"), 1, "no second try");
    // The connection says how long the service asked it to wait: the whole hour, not the
    // capped pause, so a person can see when syncing will work again.
    let until = client.rate_limited_until().expect("rate-limited");
    let ahead = until
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    assert!(ahead > Duration::from_secs(3000), "{ahead:?}");
}

#[tokio::test]
async fn a_rate_limit_wait_is_cancellable() {
    let fake = start(Mode::DevelopmentMode).await;
    let mut config = config(&fake);
    config.retry.max_retry_after = Duration::from_secs(600);
    let client = client_with(&fake, config);
    fake.faults().on("GET /v1/me").rate_limit_after(0, 300);
    let cancel = CancellationToken::new();
    let sync = client.with_cancellation(cancel.clone());
    let call = tokio::spawn(async move { sync.current_user().await });
    // Cancel once the 429 has arrived and the wait began.
    while fake.requests().count("GET /v1/me") == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    cancel.cancel();
    // A generous guard against hanging, not a timing assertion.
    let result = tokio::time::timeout(Duration::from_secs(60), call)
        .await
        .expect("cancellation ends the 300 s wait")
        .unwrap();
    assert_eq!(result, Err(ProviderError::Cancelled));
}

#[tokio::test]
async fn after_a_429_storm_the_result_is_complete_and_correct() {
    let fake = start(Mode::ExtendedQuota).await;
    let base = largest_owned(&fake);
    // The truth, read without faults.
    let clean = client(&fake).playlist_items(&pid(&base)).await.unwrap();
    let ids: Vec<TrackId> = clean.tracks().map(|t| t.id.clone()).collect();
    let clean_tracks = client(&fake).tracks(&ids).await.unwrap();

    // Spotify's own model, tightened: a rolling window of 4 requests per second, and every
    // third Web API request refused on top.
    fake.requests().reset();
    fake.faults()
        .on_path_prefix("/v1/")
        .rate_limit_window(4, Duration::from_secs(1))
        .rate_limit_every(3, 1);
    let client = client(&fake);
    let stormy = client.playlist_items(&pid(&base)).await.unwrap();
    let stormy_tracks = client.tracks(&ids).await.unwrap();
    assert_eq!(stormy, clean, "every entry, in order");
    assert_eq!(stormy_tracks, clean_tracks);
    let stats = client.request_stats();
    assert!(
        stats.outcome_total(RequestOutcome::RateLimited) >= 3,
        "{stats:?}"
    );
    assert_counters_match(&stats, &fake);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake);
    let me = fake.faults().on("GET /v1/me");
    me.fail_next(1, 500);
    me.fail_next(1, 502);
    me.fail_next(1, 503);
    client.current_user().await.unwrap();
    let stats = client.request_stats();
    assert_eq!(stats.count("GET /me", RequestOutcome::ServerError), 3);
    assert_eq!(stats.count("GET /me", RequestOutcome::Success), 1);
    assert_eq!(fake.requests().count_status("GET /v1/me", 502), 1);
    assert_counters_match(&stats, &fake);
}

#[tokio::test]
async fn timeouts_and_dropped_connections_are_retried() {
    let fake = start(Mode::DevelopmentMode).await;
    let mut config = config(&fake);
    // Long enough that an ordinary answer never times out on a busy machine.
    config.request_timeout = Duration::from_secs(1);
    let client = client_with(&fake, config);
    fake.faults().on("GET /v1/me").timeout_next(1);
    fake.faults().on("GET /v1/me/playlists").drop_next(2);
    client.current_user().await.unwrap();
    client.all_playlists().await.unwrap();
    let stats = client.request_stats();
    assert_eq!(stats.count("GET /me", RequestOutcome::Timeout), 1);
    assert_eq!(
        stats.count("GET /me/playlists", RequestOutcome::NetworkError),
        2
    );
    assert_counters_match(&stats, &fake);
}

#[tokio::test]
async fn attempts_are_bounded_and_the_error_is_clear() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake); // 4 attempts
    fake.faults().on("GET /v1/me").fail_next(10, 503);
    let err = client.current_user().await.unwrap_err();
    assert_eq!(
        err,
        ProviderError::Server {
            status: 503,
            attempts: 4
        }
    );
    assert!(err.to_string().contains("try again in a few minutes"));
    assert_eq!(fake.requests().count("GET /v1/me"), 4);
}

#[tokio::test]
async fn the_circuit_opens_after_repeated_failures_and_closes_after_a_good_trial() {
    let fake = start(Mode::DevelopmentMode).await;
    let mut config = config(&fake);
    config.breaker = BreakerConfig {
        failure_threshold: 3,
        open_for: Duration::from_millis(300),
    };
    let client = client_with(&fake, config);
    fake.faults().fail_next(100, 500);

    // Three failures open the circuit; the fourth attempt is never sent.
    let err = client.current_user().await.unwrap_err();
    assert!(matches!(err, ProviderError::CircuitOpen { .. }), "{err:?}");
    assert!(client.is_circuit_open());
    assert_eq!(fake.requests().total(), 3);
    // While open, calls fail fast without touching the service.
    let err = client.all_playlists().await.unwrap_err();
    assert!(matches!(err, ProviderError::CircuitOpen { .. }));
    assert!(err.to_string().contains("tries again"));
    assert_eq!(fake.requests().total(), 3);

    // The service recovers; after `open_for` one trial goes through and closes it.
    fake.faults().clear();
    tokio::time::sleep(Duration::from_millis(400)).await;
    client.current_user().await.unwrap();
    assert!(!client.is_circuit_open());
    assert_counters_match(&client.request_stats(), &fake);
}

#[tokio::test]
async fn a_401_refreshes_once_then_succeeds() {
    let fake = start(Mode::DevelopmentMode).await;
    let user = first_user(&fake);
    let old = fake.mint_token(&user);
    let new = fake.mint_token(&user);
    fake.faults().expire_token(&old);
    let tokens = Arc::new(Rotating::new(old, vec![new]));
    let client = SpotifyClient::new(ConnectionId::new("c"), tokens.clone(), config(&fake)).unwrap();
    assert_eq!(client.current_user().await.unwrap().id, user);
    assert_eq!(tokens.refreshes(), 1);
    client.current_user().await.unwrap();
    assert_eq!(tokens.refreshes(), 1, "the renewed token is kept");
    let stats = client.request_stats();
    assert_eq!(stats.count("GET /me", RequestOutcome::Unauthorized), 1);
    assert_counters_match(&stats, &fake);
}

#[tokio::test]
async fn a_401_after_the_refresh_means_reconnect() {
    let fake = start(Mode::DevelopmentMode).await;
    let user = first_user(&fake);
    let old = fake.mint_token(&user);
    let renewed_but_revoked = fake.mint_token(&user);
    fake.faults().expire_token(&old);
    fake.faults().revoke_token(&renewed_but_revoked);
    let tokens = Arc::new(Rotating::new(old, vec![renewed_but_revoked]));
    let client = SpotifyClient::new(ConnectionId::new("c"), tokens.clone(), config(&fake)).unwrap();
    let err = client.current_user().await.unwrap_err();
    assert!(
        matches!(err, ProviderError::ReconnectNeeded { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("reconnect"));
    assert_eq!(tokens.refreshes(), 1, "one refresh, no loop");
    assert_eq!(fake.requests().count_status("GET /v1/me", 401), 2);

    // A source that cannot refresh (a fixed token) gives the same answer at once.
    let expired = fake.mint_token(&user);
    fake.faults().expire_token(&expired);
    let fixed = SpotifyClient::new(
        ConnectionId::new("s"),
        syncer_spotify::StaticToken::new(expired),
        config(&fake),
    )
    .unwrap();
    assert!(matches!(
        fixed.current_user().await,
        Err(ProviderError::ReconnectNeeded { .. })
    ));
}

#[tokio::test]
async fn an_add_whose_answer_was_lost_is_not_repeated() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake);
    let playlist = largest_owned(&fake);
    let before = playlist.item_count;
    let tracks: Vec<TrackId> = fake.library().track_ids()[..3]
        .iter()
        .map(TrackId::new)
        .collect();
    let snapshot = SnapshotId::new(playlist.snapshot_id.clone());

    // A dropped connection after sending: the add may have happened, so it is not repeated
    // (a repeat could add the tracks twice); the next sync converges.
    fake.faults()
        .on("POST /v1/playlists/{id}/items")
        .drop_next(1);
    let err = client
        .add_items(&pid(&playlist), &tracks, None, &snapshot)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::Network { attempts: 1, .. }),
        "{err:?}"
    );
    assert_eq!(fake.requests().count("POST /v1/playlists/{id}/items"), 1);

    // A 503 means the service did not act: retried, added exactly once.
    fake.faults()
        .on("POST /v1/playlists/{id}/items")
        .fail_next(1, 503);
    client
        .add_items(&pid(&playlist), &tracks, None, &snapshot)
        .await
        .unwrap();
    let after = fake.library().playlist(&playlist.id).unwrap().item_count;
    assert_eq!(after, before + tracks.len());
    assert_counters_match(&client.request_stats(), &fake);
}

#[tokio::test]
async fn counters_are_shared_by_clones_and_readable_per_sync() {
    let fake = start(Mode::ExtendedQuota).await;
    let client = client(&fake);
    client.detect_capabilities().await.unwrap();
    let before = client.request_stats();
    let sync = client.with_cancellation(CancellationToken::new());
    sync.playlist_items(&pid(&largest_owned(&fake)))
        .await
        .unwrap();
    let this_sync = client.request_stats().since(&before);
    assert_eq!(
        this_sync.count("GET /playlists/{id}/items", RequestOutcome::Success),
        5
    );
    assert_eq!(this_sync.total(), 5);
    assert_counters_match(&client.request_stats(), &fake);
}
