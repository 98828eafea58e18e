//! Genres beyond Spotify, end to end through the engine: a Development Mode connection on the
//! Spotify stand-in, the real store, the enricher and the MusicBrainz client against the
//! MusicBrainz stand-in (seeded alike, so the same ISRCs and artists).
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use spotify_fake::Mode;
use support::{World, child, library, world_with};
use syncer_core::engine::{Clock, Engine, SyncOptions, SyncStatus};
use syncer_core::filter::Timestamp;
use syncer_core::ids::ArtistId;
use syncer_core::metadata::{
    EnrichProgress, EnrichStop, EnrichSummary, Enricher, EnricherConfig, FactsTtl,
    MetadataStore as _, SourceKind,
};
use syncer_musicbrainz::{MbClient, MbConfig, MusicBrainz};
use syncer_store::Store;
use tokio_util::sync::CancellationToken;

const TRACKS: usize = 120;

async fn musicbrainz(coverage: Coverage, rate: Option<RateRule>) -> FakeMusicBrainz {
    // The world's Spotify stand-in: seed 11, `support::library`.
    FakeMusicBrainz::start(FakeMbConfig {
        seed: 11,
        library: library(TRACKS),
        coverage,
        rate,
        ..FakeMbConfig::default()
    })
    .await
    .unwrap()
}

fn source(mb: &FakeMusicBrainz, interval: Duration) -> MusicBrainz {
    MusicBrainz::new(
        MbClient::new(MbConfig {
            interval,
            backoff: Duration::from_millis(20),
            ..MbConfig::with_base_url(mb.base_url())
        })
        .unwrap(),
    )
}

fn enricher(source: MusicBrainz, store: Store, ttl: FactsTtl) -> Enricher<MusicBrainz, Store> {
    Enricher::new(source, store).with_config(EnricherConfig {
        ttl,
        stop_when_idle: true,
        ..EnricherConfig::default()
    })
}

async fn fill(e: &Enricher<MusicBrainz, Store>) -> EnrichSummary {
    e.run(&CancellationToken::new(), None).await.unwrap()
}

const GENRE_CHILDREN: [(&str, &str); 3] = [
    ("rock", "genre:rock OR genre:metal OR genre:punk"),
    (
        "electronic",
        "genre:electronic OR genre:house OR genre:techno",
    ),
    ("recent", "year:>=2010"),
];

async fn dev_world() -> World {
    world_with(
        Mode::DevelopmentMode,
        TRACKS,
        GENRE_CHILDREN.iter().map(|(n, q)| child(n, q)).collect(),
    )
    .await
}

/// A clock the test moves by hand, for the TTLs.
struct ManualClock(AtomicI64);

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.load(Ordering::SeqCst))
    }
}

#[tokio::test]
async fn development_mode_routes_genres_like_extended_quota_once_enriched() {
    let mb = musicbrainz(Coverage::complete(), None).await;
    let w = dev_world().await;
    // While nothing is known the genre children wait, and the report and preview say so.
    let first = w.sync().await;
    assert_eq!(first.status, SyncStatus::Completed);
    let cov = &first.metadata[0];
    assert_eq!(cov.known, 0);
    assert_eq!(cov.filling, cov.total);
    assert!(w.contents(&w.children[0]).is_empty());
    let preview = w.engine.preview(&w.base).await.unwrap();
    let rock = &preview.children[0];
    assert_eq!(rock.count, 0);
    assert_eq!(
        rock.unknown, preview.tracks,
        "every track waits on its genre"
    );
    assert_eq!(rock.filling.len(), 1);
    assert!(
        rock.problems.is_empty(),
        "genre is filling, not unavailable"
    );
    assert!(
        preview.children[2].filling.is_empty(),
        "a year filter waits on nothing"
    );

    let summary = fill(&enricher(
        source(&mb, Duration::from_millis(1)),
        w.store.clone(),
        FactsTtl::default(),
    ))
    .await;
    assert_eq!(summary.stop, EnrichStop::Idle);
    assert_eq!(summary.progress.queued, 0);
    assert_eq!(summary.progress.found, u64::from(cov.total));

    // The base is unchanged, but what is known is not: the next sync routes again.
    let second = w.sync().await;
    assert!(!second.unchanged);
    let cov = &second.metadata[0];
    assert_eq!((cov.known, cov.filling), (cov.total, 0));
    assert_eq!(cov.by_source[&SourceKind::MusicBrainz], cov.total);

    let ext = world_with(
        Mode::ExtendedQuota,
        TRACKS,
        GENRE_CHILDREN.iter().map(|(n, q)| child(n, q)).collect(),
    )
    .await;
    ext.sync().await;
    for (i, (name, _)) in GENRE_CHILDREN.iter().enumerate() {
        let dev_tracks = w.contents(&w.children[i]);
        assert!(!dev_tracks.is_empty(), "{name}");
        assert_eq!(
            dev_tracks,
            ext.contents(&ext.children[i]),
            "{name} routes as with Spotify's own genres"
        );
    }

    // Warm: nothing new in the base, nothing to ask MusicBrainz.
    let asked = mb.stats().total();
    let warm = w.sync().await;
    assert!(warm.unchanged);
    let again = fill(&enricher(
        source(&mb, Duration::from_millis(1)),
        w.store.clone(),
        FactsTtl::default(),
    ))
    .await;
    assert_eq!(again.progress.requests, 0);
    w.engine.preview(&w.base).await.unwrap();
    assert_eq!(
        mb.stats().total(),
        asked,
        "a warm sync needs no metadata request"
    );
}

#[tokio::test]
async fn my_genres_route_without_any_open_source() {
    let w = world_with(
        Mode::DevelopmentMode,
        TRACKS,
        vec![child("mine", "genre:\"bedroom shoegaze\"")],
    )
    .await;
    let lib = w.fake.library();
    let items: Vec<_> = lib
        .playlist_items(w.base.as_str())
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == spotify_fake::library::ItemKind::Track)
        .collect();
    let first_track = lib
        .track(items.iter().find_map(|i| i.id.as_deref()).unwrap())
        .unwrap();
    let artist = first_track.artist_ids[0].clone();
    w.sync().await;
    assert!(w.contents(&w.children[0]).is_empty());
    w.store
        .tag_artist(
            &ArtistId::new(artist.as_str()),
            Some("Someone"),
            &["Bedroom Shoegaze".into()],
        )
        .await
        .unwrap();
    let report = w.sync().await;
    assert!(!report.unchanged, "new genres of yours route again");
    assert!(report.metadata[0].by_source[&SourceKind::User] >= 1);
    let mut seen = HashSet::new();
    let expected: Vec<String> = items
        .iter()
        .filter_map(|i| i.id.clone())
        .filter(|id| lib.track(id).unwrap().artist_ids.contains(&artist))
        .filter(|id| seen.insert(id.clone()))
        .collect();
    assert_eq!(w.contents(&w.children[0]), expected);
}

/// Over a run against the stand-in at MusicBrainz's own rule: no window shorter than a
/// second holds two requests, and the stand-in never had to refuse one.
#[tokio::test]
async fn enrichment_keeps_to_one_request_a_second_over_a_run() {
    let mb = musicbrainz(Coverage::complete(), Some(RateRule::default())).await;
    let w = dev_world().await;
    w.engine.preview(&w.base).await.unwrap();
    let e = enricher(
        source(&mb, Duration::from_secs(1)),
        w.store.clone(),
        FactsTtl::default(),
    );
    // Eight requests make the run; then it is stopped between two of them.
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let sink = Arc::new(move |p: &EnrichProgress| {
        if p.requests >= 8 {
            stop.cancel();
        }
    });
    let summary = e.run(&cancel, Some(sink)).await.unwrap();
    assert_eq!(summary.stop, EnrichStop::Cancelled);
    let stats = mb.stats();
    assert_eq!(stats.total(), 8, "{:?}", stats.by_endpoint());
    assert_eq!(stats.rate_limited(), 0);
    // 200 ms of scheduling jitter is allowed for; the pace itself is a second.
    assert_eq!(stats.max_in_window(Duration::from_millis(800)), 1);
    let span = stats.log.last().unwrap().at - stats.log[0].at;
    assert!(span >= Duration::from_millis(7 * 800), "{span:?}");
}

#[tokio::test]
async fn enrichment_resumes_after_a_restart_without_asking_twice() {
    let mb = musicbrainz(Coverage::default(), None).await;
    let w = dev_world().await;
    w.engine.preview(&w.base).await.unwrap();
    let path = w.store.path().to_path_buf();
    let queued_before = w
        .store
        .queue_stats(
            SourceKind::MusicBrainz,
            None,
            Timestamp::from_unix_seconds(i64::MAX),
        )
        .await
        .unwrap()
        .queued;
    {
        // A first process does some of the work and is stopped.
        let store = Store::open_file(&path, &Default::default()).await.unwrap();
        let e = enricher(
            source(&mb, Duration::from_millis(1)),
            store.clone(),
            FactsTtl::default(),
        );
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        let sink = Arc::new(move |p: &EnrichProgress| {
            if p.requests >= 25 {
                stop.cancel();
            }
        });
        let part = e.run(&cancel, Some(sink)).await.unwrap();
        assert_eq!(part.stop, EnrichStop::Cancelled);
        assert!(
            part.progress.queued > 0,
            "work is left for the next process"
        );
        store.close().await;
    }
    let first_part = mb.stats().total();
    // The next process opens the same file and goes on.
    let store = Store::open_file(&path, &Default::default()).await.unwrap();
    let rest = fill(&enricher(
        source(&mb, Duration::from_millis(1)),
        store.clone(),
        FactsTtl::default(),
    ))
    .await;
    assert_eq!(rest.progress.queued, 0);
    let stats = mb.stats();
    assert!(stats.total() > first_part);
    assert!(
        stats.repeated().is_empty(),
        "asked twice: {:?}",
        stats.repeated()
    );
    let counts = store.fact_counts(SourceKind::MusicBrainz).await.unwrap();
    assert_eq!(
        counts.found + counts.not_found + counts.ambiguous,
        queued_before,
        "every queued artist is settled, once"
    );
}

#[tokio::test]
async fn negative_answers_are_kept_until_they_expire() {
    let mb = musicbrainz(
        Coverage {
            unknown_artists: 0.3,
            ..Coverage::complete()
        },
        None,
    )
    .await;
    let w = dev_world().await;
    let clock = Arc::new(ManualClock(AtomicI64::new(1_000_000)));
    let ttl = FactsTtl {
        found: Duration::from_secs(30 * 86_400),
        not_found: Duration::from_secs(3_600),
    };
    let engine = Engine::new(w.client.clone(), w.store.clone())
        .with_clock(clock.clone())
        .with_config(syncer_core::engine::EngineConfig {
            metadata: syncer_core::engine::MetadataSettings {
                ttl,
                ..Default::default()
            },
            ..Default::default()
        });
    engine.preview(&w.base).await.unwrap();
    let e = enricher(source(&mb, Duration::from_millis(1)), w.store.clone(), ttl)
        .with_clock(clock.clone());
    let first = fill(&e).await;
    assert!(first.progress.not_found > 0, "{:?}", first.progress);
    let cov = &engine.preview(&w.base).await.unwrap().metadata[0];
    assert_eq!(cov.filling, 0, "a negative answer settles an artist");
    assert_eq!(u64::from(cov.unknown), first.progress.not_found);

    // Within the TTL, nothing is asked again: not the found, not the unknown.
    let asked = mb.stats().total();
    engine.preview(&w.base).await.unwrap();
    assert_eq!(fill(&e).await.progress.requests, 0);
    assert_eq!(mb.stats().total(), asked);

    // Once negatives expire (found ones have not), only they are asked again.
    clock.0.fetch_add(2 * 3_600, Ordering::SeqCst);
    let cov = &engine.preview(&w.base).await.unwrap().metadata[0];
    assert_eq!(u64::from(cov.filling), first.progress.not_found);
    let again = fill(&e).await;
    assert_eq!(again.progress.settled, first.progress.not_found);
    assert_eq!(again.progress.found, 0);
}

#[tokio::test]
async fn a_source_refusing_makes_the_artist_wait_not_the_queue_fail() {
    let mb = musicbrainz(Coverage::complete(), None).await;
    let w = dev_world().await;
    w.engine.preview(&w.base).await.unwrap();
    let clock = Arc::new(ManualClock(AtomicI64::new(2_000_000_000)));
    let client = MbClient::new(MbConfig {
        interval: Duration::from_millis(1),
        retries: 1,
        backoff: Duration::from_millis(5),
        ..MbConfig::with_base_url(mb.base_url())
    })
    .unwrap();
    let e = Enricher::new(MusicBrainz::new(client), w.store.clone())
        .with_clock(clock.clone())
        .with_config(EnricherConfig {
            stop_when_idle: true,
            ..EnricherConfig::default()
        });
    // 503 twice with Retry-After 0: the client retries once, then the enricher keeps the
    // failure: that artist waits, and the loop pauses a second as asked.
    mb.fail_next(2, 503, Some(0));
    let run = fill(&e).await;
    assert_eq!(run.progress.failures, 1);
    assert_eq!((run.progress.queued, run.progress.due), (1, 0));
    // Later the artist is due again and settles.
    clock.0.fetch_add(3_600, Ordering::SeqCst);
    let rest = fill(&e).await;
    assert_eq!(rest.progress.queued, 0);
    assert_eq!(rest.progress.failures, 0);
    // The sync meanwhile never failed for it.
    let report = w
        .engine
        .sync(&w.base, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(report.status, SyncStatus::Completed);
    assert_eq!(report.metadata[0].known, report.metadata[0].total);
}

#[tokio::test]
async fn one_enricher_per_database_so_two_processes_never_double_the_pace() {
    let mb = musicbrainz(Coverage::complete(), None).await;
    let w = dev_world().await;
    w.engine.preview(&w.base).await.unwrap();
    let now = syncer_core::engine::SystemClock.now();
    // Another process (the app, `syncer watch`) holds the lease and renews it.
    assert!(
        w.store
            .claim_enricher(SourceKind::MusicBrainz, "another process", now, now)
            .await
            .unwrap()
    );
    let e = enricher(
        source(&mb, Duration::from_millis(1)),
        w.store.clone(),
        FactsTtl::default(),
    );
    let busy = fill(&e).await;
    assert_eq!(busy.stop, EnrichStop::Busy);
    assert_eq!(mb.stats().total(), 0);
    w.store
        .release_enricher(SourceKind::MusicBrainz, "another process")
        .await
        .unwrap();
    let done = fill(&e).await;
    assert_eq!(done.stop, EnrichStop::Idle);
    assert!(mb.stats().total() > 0);
}
