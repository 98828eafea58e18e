//! The sync engine end to end: the real client against the stand-in, the real store.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use support::{ChildSpec, child, world, world_with};
use syncer_core::engine::{
    ChildState, Clock, Engine, EngineError, MirrorMode, Progress, Stage, SyncOptions, SyncStatus,
    SyncStorage,
};
use syncer_core::filter::{Timestamp, query};
use syncer_core::ids::{ChildPlaylistId, PlaylistId};
use syncer_core::provider::MusicProvider;
use syncer_store::{ChildEdit, NewChild, OpenOptions, SetupError, Store};
use tokio_util::sync::CancellationToken;

fn recent(year: i32, _: bool) -> bool {
    year >= 2010
}

fn explicit(_: i32, e: bool) -> bool {
    e
}

#[tokio::test]
async fn cold_sync_matches_the_truth_and_warm_sync_costs_one_request() {
    let w = world(vec![
        child("recent", "year:>=2010"),
        child("explicit", "explicit"),
    ])
    .await;
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Completed, "{r:?}");
    assert_eq!(w.contents(&w.children[0]), w.expected(recent));
    assert_eq!(w.contents(&w.children[1]), w.expected(explicit));
    assert!(
        r.skipped.iter().map(|s| s.count).sum::<u32>() > 0,
        "messy entries are counted"
    );
    assert!(r.requests.total() > 0);

    let warm = w.sync().await;
    assert!(warm.unchanged);
    assert_eq!(warm.requests.total(), 1, "{:?}", warm.requests);
    assert_eq!(warm.write_requests(), 0);
    let events = w.store.list_events(Some(&w.base), 10).await.unwrap();
    assert_eq!(events.len(), 2);
    assert!(events.iter().all(|e| e.status == SyncStatus::Completed));
}

#[tokio::test]
async fn genres_are_looked_up_once_and_then_served_from_the_cache() {
    let w = world(vec![child("rock", "genre:rock")]).await;
    let cold = w.sync().await;
    assert!(cold.requests.endpoint_total("GET /artists") > 0);
    assert!(!w.contents(&w.children[0]).is_empty());
    let forced = w
        .engine
        .sync(
            &w.base,
            &SyncOptions {
                force: true,
                ..SyncOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(forced.requests.endpoint_total("GET /artists"), 0);
    assert_eq!(forced.cache.misses, 0);
    assert!(forced.cache.hit_rate() > 0.99);
    assert_eq!(forced.write_requests(), 0);
}

#[tokio::test]
async fn tracks_the_user_added_are_kept_and_undo_restores() {
    let w = world(vec![child("recent", "year:>=2010")]).await;
    w.sync().await;
    let c = &w.children[0];
    let mine = w.outsider(|y, _| y < 2010);
    w.user_adds(c.as_str(), std::slice::from_ref(&mine)).await;
    let before = w.contents(c);
    // Narrow the filter: Syncer's tracks from 2010-2014 leave, the user's track stays.
    w.store
        .edit_child(
            c,
            &ChildEdit {
                query: Some(("year:>=2015".into(), query::parse("year:>=2015").unwrap())),
                ..ChildEdit::default()
            },
        )
        .await
        .unwrap();
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Completed, "{r:?}");
    let after = w.contents(c);
    assert!(
        after.contains(&mine.to_string()),
        "the user's track is kept"
    );
    let mut expected = w.expected(|y, _| y >= 2015);
    expected.push(mine.to_string());
    let mut got = after.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    assert_eq!(r.children[0].kept_user_tracks, 1);

    let undo = w.engine.undo(&w.base, &Default::default()).await.unwrap();
    assert_eq!(undo.children.len(), 1);
    assert_eq!(w.contents(c), before, "undo restores the previous contents");
    // Only the last sync is undone: stepping further back would cross the user's own edit.
    assert!(matches!(
        w.engine.undo(&w.base, &Default::default()).await,
        Err(EngineError::NothingToUndo(_))
    ));
}

#[tokio::test]
async fn a_strict_mirror_removes_what_the_filter_does_not_want() {
    let w = world(vec![ChildSpec {
        mirror: MirrorMode::Strict,
        ..child("recent", "year:>=2010")
    }])
    .await;
    w.sync().await;
    let c = &w.children[0];
    w.user_adds(c.as_str(), &[w.outsider(|y, _| y < 2010)])
        .await;
    w.engine
        .sync(
            &w.base,
            &SyncOptions {
                force: true,
                ..SyncOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(w.contents(c), w.expected(recent));
}

#[tokio::test]
async fn failures_in_the_middle_of_writes_converge_on_the_next_run() {
    let w = world(vec![
        child("recent", "year:>=2010"),
        child("old", "year:<2010"),
    ])
    .await;
    // Two adds pass, then every add fails with 500 (more than the client's retries).
    let fake_faults = w.fake.faults();
    let armed = Arc::new(AtomicBool::new(false));
    let flag = armed.clone();
    let options = SyncOptions {
        progress: Some(Arc::new(move |p: &Progress| {
            if p.stage == Stage::Writing && p.done >= 1 && !flag.swap(true, Ordering::SeqCst) {
                fake_faults
                    .on("POST /v1/playlists/{id}/items")
                    .fail_next(40, 500);
            }
        })),
        ..SyncOptions::default()
    };
    let r = w.engine.sync(&w.base, &options).await.unwrap();
    assert_eq!(r.status, SyncStatus::Failed, "{r:?}");
    assert!(r.error.as_deref().unwrap().contains("next sync retries"));
    assert!(
        r.children.iter().any(|c| c.state == ChildState::Writing),
        "the partly written child is named: {r:?}"
    );
    w.fake.faults().clear();
    // A 429 in the middle of the next run's writes is waited out.
    w.fake
        .faults()
        .on("POST /v1/playlists/{id}/items")
        .rate_limit_after(1, 1);
    let again = w.sync().await;
    assert_eq!(again.status, SyncStatus::Completed, "{again:?}");
    assert_eq!(w.contents(&w.children[0]), w.expected(recent));
    assert_eq!(w.contents(&w.children[1]), w.expected(|y, _| y < 2010));
}

#[tokio::test]
async fn timeouts_while_reading_fail_cleanly_then_the_next_run_succeeds() {
    let w = world(vec![child("recent", "year:>=2010")]).await;
    w.fake
        .faults()
        .on("GET /v1/playlists/{id}/items")
        .timeout_next(8);
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Failed);
    assert!(r.error.unwrap().contains("did not answer in time"));
    w.fake.faults().clear();
    let again = w.sync().await;
    assert_eq!(again.status, SyncStatus::Completed, "{again:?}");
    assert_eq!(w.contents(&w.children[0]), w.expected(recent));
}

#[tokio::test]
async fn a_cancelled_sync_stops_at_a_safe_point_and_reports_what_was_written() {
    let w = world_with(
        spotify_fake::Mode::ExtendedQuota,
        900,
        vec![child("all", "year:>=1900")],
    )
    .await;
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    let options = SyncOptions {
        cancel,
        progress: Some(Arc::new(move |p: &Progress| {
            if p.stage == Stage::Writing && p.done >= 2 {
                trigger.cancel();
            }
        })),
        ..SyncOptions::default()
    };
    let r = w.engine.sync(&w.base, &options).await.unwrap();
    assert_eq!(r.status, SyncStatus::Cancelled);
    let written = w.contents(&w.children[0]).len() as u32;
    assert_eq!(r.added(), written, "the report says what was written");
    assert!(written > 0 && written < r.children[0].wanted, "{written}");
    let events = w.store.list_events(Some(&w.base), 1).await.unwrap();
    assert_eq!(events[0].status, SyncStatus::Cancelled);
    let again = w.sync().await;
    assert_eq!(again.status, SyncStatus::Completed);
    assert_eq!(w.contents(&w.children[0]), w.expected(|y, _| y >= 1900));
}

/// What the filter `keep` takes, with the user's own `track` first unless the filter takes it.
fn expected_keeping(
    w: &support::World,
    keep: impl Fn(i32, bool) -> bool,
    track: &syncer_core::ids::TrackId,
) -> Vec<String> {
    let mut expected = w.expected(keep);
    if !expected.contains(&track.to_string()) {
        expected.insert(0, track.to_string());
    }
    expected
}

#[tokio::test]
async fn a_sync_killed_mid_write_is_marked_interrupted_and_loses_nothing() {
    let w = world(vec![child("recent", "year:>=2010")]).await;
    let c = w.children[0].clone();
    let mine = w.outsider(recent);
    w.user_adds(c.as_str(), std::slice::from_ref(&mine)).await;
    // The process "dies" right after the first write: the sync's future is dropped there,
    // leaving the database exactly as a killed process would.
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let tx = std::sync::Mutex::new(Some(tx));
    let options = SyncOptions {
        progress: Some(Arc::new(move |p: &Progress| {
            if p.stage == Stage::Writing
                && p.done >= 1
                && let Some(tx) = tx.lock().unwrap().take()
            {
                let _ = tx.send(());
            }
        })),
        ..SyncOptions::default()
    };
    tokio::select! {
        _ = w.engine.sync(&w.base, &options) => panic!("the sync should have been killed"),
        _ = rx => {}
    }
    // Start-up of the next process.
    let marked = w.store.mark_interrupted().await.unwrap();
    assert_eq!(marked.len(), 1);
    let message = marked[0].error.clone().unwrap();
    assert!(
        message.contains("interrupted") && message.contains("recent"),
        "{message}"
    );
    assert!(
        w.contents(&c).contains(&mine.to_string()),
        "the user's track is still there"
    );
    let undo = w.store.last_undo(&w.base).await.unwrap().unwrap();
    assert_eq!(undo.entries[0].previous, vec![mine.clone()]);
    let again = w.sync().await;
    assert_eq!(again.status, SyncStatus::Completed, "{again:?}");
    assert_eq!(w.contents(&c), expected_keeping(&w, recent, &mine));
}

#[tokio::test]
async fn edits_are_refused_while_a_sync_runs() {
    let w = world(vec![child("recent", "year:>=2010")]).await;
    let now = syncer_core::filter::Timestamp::from_unix_seconds(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    let stale = syncer_core::filter::Timestamp::from_unix_seconds(now.unix_seconds() - 1800);
    let event = w
        .store
        .begin_event(&w.base, syncer_core::engine::EventKind::Sync, now, stale)
        .await
        .unwrap();
    let edit = w
        .store
        .edit_child(&w.children[0], &ChildEdit::default())
        .await;
    assert!(matches!(edit, Err(SetupError::SyncInProgress { .. })));
    assert!(edit.unwrap_err().to_string().contains("sync of base"));
    let add = w
        .store
        .add_child(&NewChild {
            id: ChildPlaylistId::new("another"),
            base: w.base.clone(),
            name: "x".into(),
            query: "explicit".into(),
            filter: query::parse("explicit").unwrap(),
            mirror: MirrorMode::KeepUserTracks,
            allow_empty: false,
        })
        .await;
    assert!(matches!(add, Err(SetupError::SyncInProgress { .. })));
    assert!(matches!(
        w.store.remove_base(&w.base).await,
        Err(SetupError::SyncInProgress { .. })
    ));
    assert!(matches!(
        w.engine.sync(&w.base, &SyncOptions::default()).await,
        Err(EngineError::SyncInProgress { .. })
    ));
    // In this process, the lock refuses a second sync as well.
    let _held = w.engine.locks().try_lock(&w.base).unwrap();
    assert!(matches!(
        w.engine.undo(&w.base, &Default::default()).await,
        Err(EngineError::SyncInProgress { .. })
    ));
    let _ = event;
}

#[tokio::test]
async fn a_child_deleted_on_the_service_is_a_clear_error() {
    let w = world(vec![child("recent", "year:>=2010")]).await;
    w.store
        .add_child(&NewChild {
            id: ChildPlaylistId::new("0000000000000000000000"),
            base: w.base.clone(),
            name: "gone".into(),
            query: "explicit".into(),
            filter: query::parse("explicit").unwrap(),
            mirror: MirrorMode::KeepUserTracks,
            allow_empty: false,
        })
        .await
        .unwrap();
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Failed);
    let gone = r.children.iter().find(|c| c.name == "gone").unwrap();
    assert_eq!(gone.state, ChildState::Failed);
    assert!(gone.error.as_deref().unwrap().contains("no longer exists"));
    // The other child was synced all the same.
    assert_eq!(w.contents(&w.children[0]), w.expected(recent));
}

#[tokio::test]
async fn an_emptied_base_empties_only_children_that_allow_it() {
    let w = world(vec![
        child("kept", "year:>=2010"),
        ChildSpec {
            allow_empty: true,
            ..child("emptied", "year:>=2010")
        },
    ])
    .await;
    w.sync().await;
    let kept = w.contents(&w.children[0]);
    assert!(!kept.is_empty());
    let base = PlaylistId::new(w.base.as_str());
    let snap = w.client.snapshot_id(&base).await.unwrap();
    w.client.replace_items(&base, &[], &snap).await.unwrap();
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Completed);
    assert_eq!(r.children[0].state, ChildState::Held);
    assert!(
        r.children[0]
            .note
            .as_deref()
            .unwrap()
            .contains("left as it is")
    );
    assert_eq!(w.contents(&w.children[0]), kept);
    assert!(w.contents(&w.children[1]).is_empty());
}

#[tokio::test]
async fn a_filter_that_matches_nothing_holds_the_child_and_preview_says_so() {
    let w = world(vec![child("recent", "year:>=2010")]).await;
    w.sync().await;
    let c = &w.children[0];
    let before = w.contents(c);
    w.store
        .edit_child(
            c,
            &ChildEdit {
                query: Some(("year:<1800".into(), query::parse("year:<1800").unwrap())),
                ..ChildEdit::default()
            },
        )
        .await
        .unwrap();
    let preview = w.engine.preview(&w.base).await.unwrap();
    assert_eq!(preview.children[0].count, 0);
    assert!(
        preview.children[0]
            .note
            .as_deref()
            .unwrap()
            .contains("leave this child")
    );
    let r = w.sync().await;
    assert_eq!(r.children[0].state, ChildState::Held);
    assert_eq!(w.contents(c), before);
    w.store
        .edit_child(
            c,
            &ChildEdit {
                allow_empty: Some(true),
                ..ChildEdit::default()
            },
        )
        .await
        .unwrap();
    w.sync().await;
    assert!(w.contents(c).is_empty());
}

#[tokio::test]
async fn development_mode_preview_names_fields_the_app_cannot_get() {
    let w = world_with(
        spotify_fake::Mode::DevelopmentMode,
        120,
        vec![child("rock", "genre:rock"), child("recent", "year:>=2010")],
    )
    .await;
    // With open metadata off, genres cannot be known at all: the preview says why.
    let spotify_only = syncer_core::engine::Engine::new(w.client.clone(), w.store.clone())
        .with_config(syncer_core::engine::EngineConfig {
            metadata: syncer_core::engine::MetadataSettings {
                open_genres: false,
                ..Default::default()
            },
            ..Default::default()
        });
    let p = spotify_only.preview(&w.base).await.unwrap();
    let rock = &p.children[0];
    assert_eq!(rock.problems.len(), 1, "{rock:?}");
    assert!(rock.problems[0].is_blocking());
    assert!(rock.filling.is_empty());
    assert!(p.children[1].problems.is_empty());
    // With it on (the default), they are filling from MusicBrainz (tests/metadata.rs).
    let p = w.engine.preview(&w.base).await.unwrap();
    assert!(p.children[0].problems.is_empty());
    assert_eq!(p.children[0].filling.len(), 1);
    let r = w.sync().await;
    // Genres cannot be known: no artist lookups are spent on them.
    assert_eq!(r.requests.endpoint_total("GET /artists/{id}"), 0);
    assert_eq!(r.requests.endpoint_total("GET /artists"), 0);
    assert_eq!(w.contents(&w.children[1]), w.expected(recent));
}

/// A clock the test moves by hand.
struct TestClock(std::sync::atomic::AtomicI64);

impl TestClock {
    fn at(seconds: i64) -> Arc<TestClock> {
        Arc::new(TestClock(std::sync::atomic::AtomicI64::new(seconds)))
    }

    fn set(&self, seconds: i64) {
        self.0.store(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.load(Ordering::SeqCst))
    }
}

const DAY: i64 = 24 * 60 * 60;

/// When each of the base's tracks was added, from the stand-in's truth.
fn added_times(w: &support::World) -> Vec<(String, i64)> {
    w.fake
        .library()
        .playlist_items(w.base.as_str())
        .unwrap()
        .into_iter()
        .filter(|i| i.kind == spotify_fake::library::ItemKind::Track)
        .filter_map(|i| {
            let at = Timestamp::parse_rfc3339(&i.added_at)
                .unwrap()
                .unix_seconds();
            i.id.map(|id| (id, at))
        })
        .collect()
}

/// The tracks `added:<30d` takes at `now`: added no earlier than 30 days before, and not after.
fn added_within_30_days(times: &[(String, i64)], now: i64) -> HashSet<String> {
    times
        .iter()
        .filter(|(_, at)| *at >= now - 30 * DAY && *at <= now)
        .map(|(id, _)| id.clone())
        .collect()
}

#[tokio::test]
async fn relative_dates_move_with_the_days_while_the_base_stays_the_same() {
    let w = world(vec![child("added lately", "added:<30d")]).await;
    let times = added_times(&w);
    let mut latest: Vec<i64> = times.iter().map(|(_, at)| *at).collect();
    latest.sort_unstable_by(|a, b| b.cmp(a));
    latest.dedup();
    // The window starts exactly at the 10th latest addition; a day later, that one and
    // whatever was added in the day after it have left the window.
    let edge = latest[9.min(latest.len() - 1)];
    let day_one = edge + 30 * DAY;
    let clock = TestClock::at(day_one);
    let engine = Engine::new(w.client.clone(), w.store.clone()).with_clock(clock.clone());
    let sync = || async { engine.sync(&w.base, &SyncOptions::default()).await.unwrap() };
    let child = &w.children[0];
    let contents = || w.contents(child).into_iter().collect::<HashSet<_>>();

    let first = sync().await;
    assert_eq!(first.status, SyncStatus::Completed, "{first:?}");
    let before = added_within_30_days(&times, day_one);
    assert!(!before.is_empty());
    assert_eq!(contents(), before);

    // Same day, same base: nothing to evaluate again.
    let warm = sync().await;
    assert!(warm.unchanged);
    assert_eq!(warm.requests.total(), 1, "{:?}", warm.requests);

    // The next day: the base is unchanged, but the window moved.
    let day_two = day_one + DAY;
    clock.set(day_two);
    let next = sync().await;
    assert_eq!(next.status, SyncStatus::Completed, "{next:?}");
    assert!(!next.unchanged);
    let after = added_within_30_days(&times, day_two);
    assert!(
        after.len() < before.len(),
        "the edge track leaves the window"
    );
    assert_eq!(contents(), after);
    // Only the difference is written: the tracks that left, in one batch.
    let left = u32::try_from(before.difference(&after).count()).unwrap();
    assert_eq!(next.removed(), left);
    assert_eq!(next.added(), 0);
    assert_eq!(next.write_requests(), 1);
    // The tracks' metadata needed no lookup: what the base's pages carry is enough.
    assert_eq!(next.requests.endpoint_total("GET /tracks"), 0);
    assert_eq!(next.requests.endpoint_total("GET /artists"), 0);

    // And again on that day: back to one request, no writes.
    let warm = sync().await;
    assert!(warm.unchanged);
    assert_eq!(warm.requests.total(), 1, "{:?}", warm.requests);
    assert_eq!(warm.write_requests(), 0);
}

#[tokio::test]
async fn without_relative_dates_a_new_day_changes_nothing() {
    let w = world(vec![child("recent", "year:>=2010 added:>2015")]).await;
    let clock = TestClock::at(1_800_000_000);
    let engine = Engine::new(w.client.clone(), w.store.clone()).with_clock(clock.clone());
    let first = engine.sync(&w.base, &SyncOptions::default()).await.unwrap();
    assert_eq!(first.status, SyncStatus::Completed, "{first:?}");
    clock.set(1_800_000_000 + 40 * DAY);
    let later = engine.sync(&w.base, &SyncOptions::default()).await.unwrap();
    assert!(later.unchanged);
    assert_eq!(later.requests.total(), 1, "{:?}", later.requests);
    assert_eq!(later.write_requests(), 0);
}

/// Pages the database at `path` holds now, WAL included: a cap at this is a disk with no room.
async fn pages_in(path: &std::path::Path) -> u32 {
    use sqlx::Connection as _;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    u32::try_from(pages).unwrap()
}

#[tokio::test]
async fn a_full_disk_stops_the_sync_with_a_clear_error_and_loses_nothing() {
    let w = world(vec![
        child("recent", "year:>=2010"),
        child("rock", "genre:rock"),
    ])
    .await;
    let c = w.children[0].clone();
    let mine = w.outsider(recent);
    w.user_adds(c.as_str(), std::slice::from_ref(&mine)).await;

    // The disk fills: the database cannot grow past what it holds now.
    let path = w.dir.path().join("syncer.db");
    let full = Store::open_file(
        &path,
        &OpenOptions {
            max_pages: Some(pages_in(&path).await),
            ..OpenOptions::default()
        },
    )
    .await
    .unwrap();
    let engine = Engine::new(w.client.clone(), full.clone());
    let failed = engine.sync(&w.base, &SyncOptions::default()).await.unwrap();
    assert_eq!(failed.status, SyncStatus::Failed, "{failed:?}");
    let message = failed.error.unwrap_or_default();
    assert!(
        message.contains("is full") && message.contains("Free some space"),
        "{message}"
    );
    // History says so too (updating the sync's own entry needs no new room).
    let events = w.store.list_events(Some(&w.base), 1).await.unwrap();
    assert_eq!(events[0].status, SyncStatus::Failed);
    assert_eq!(events[0].error.as_deref(), Some(message.as_str()));
    assert!(
        w.contents(&c).contains(&mine.to_string()),
        "the user's track is still there"
    );
    full.close().await;

    // Space is freed: the next sync finishes the job, the user's track kept.
    let again = w.sync().await;
    assert_eq!(again.status, SyncStatus::Completed, "{again:?}");
    assert_eq!(w.contents(&c), expected_keeping(&w, recent, &mine));
    assert!(!w.contents(&w.children[1]).is_empty());
}
