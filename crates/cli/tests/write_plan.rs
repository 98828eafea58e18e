//! "Never lose a user's track", tried the hard way: a sync with adds, removes, a whole-list
//! rewrite and tracks added by hand is interrupted at every one of its write requests, in
//! every way a write can fail (the service answers 500 from there on, the process dies before
//! the request is applied, the process dies after it was applied, the answer is lost), and
//! so is the undo after it. Each time, the next run must reach exactly the fault-free result,
//! with no duplicates and every hand-added track, and undo must restore the state before the
//! sync exactly.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;
use std::time::Duration;

use spotify_fake::Mode;
use support::{World, child, world_with};
use syncer_core::engine::{EngineError, SyncOptions, SyncStatus, UndoOptions};
use syncer_core::filter::query;
use syncer_core::ids::{ChildPlaylistId, TrackId};
use syncer_store::ChildEdit;

/// How a write request is interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interruption {
    /// The service answers 500 to this write and every later one (beyond the retries).
    ServerError,
    /// The process dies while the request is on its way, before the service applied it.
    KilledBefore,
    /// The process dies right after the service applied the request.
    KilledAfter,
    /// The service applies the request and the connection drops before the answer.
    AnswerLost,
}

const ALL: [Interruption; 4] = [
    Interruption::ServerError,
    Interruption::KilledBefore,
    Interruption::KilledAfter,
    Interruption::AnswerLost,
];

/// Writes the stand-in has seen so far.
fn writes_seen(w: &World) -> usize {
    w.fake
        .requests()
        .log()
        .iter()
        .filter(|r| r.path.starts_with("/v1/") && r.method != "GET")
        .count()
}

/// The world of the scenario, synced once: "recent" (2010 on) and "decade" (2000-2009),
/// each with a track the user added by hand. Returns the hand-added tracks.
async fn scenario() -> (World, Vec<TrackId>) {
    let w = world_with(
        Mode::ExtendedQuota,
        700,
        vec![
            child("recent", "year:>=2010"),
            child("decade", "year:2000..2009"),
        ],
    )
    .await;
    let first = w.sync().await;
    assert_eq!(first.status, SyncStatus::Completed, "{first:?}");
    let first = w.outsider(|y, _| y < 2000);
    let mine = vec![first.clone(), w.outsider_except(|y, _| y >= 2015, &[first])];
    w.user_adds(w.children[0].as_str(), &mine[..1]).await;
    w.user_adds(w.children[1].as_str(), &mine[1..]).await;
    // "recent" is now ordered by length: the whole list is rewritten (a replace of the first
    // 100 and appends). "decade" moves on five years: removes and adds.
    edit(&w, &w.children[0], "year:>=2010 | by shortest").await;
    edit(&w, &w.children[1], "year:2005..2014").await;
    (w, mine)
}

async fn edit(w: &World, child: &ChildPlaylistId, text: &str) {
    w.store
        .edit_child(
            child,
            &ChildEdit {
                query: Some((text.into(), query::parse(text).unwrap())),
                ..ChildEdit::default()
            },
        )
        .await
        .unwrap();
}

fn contents(w: &World) -> Vec<Vec<String>> {
    w.children.iter().map(|c| w.contents(c)).collect()
}

fn assert_no_duplicates(lists: &[Vec<String>], context: &str) {
    for list in lists {
        let distinct: HashSet<&String> = list.iter().collect();
        assert_eq!(distinct.len(), list.len(), "duplicates {context}");
    }
}

/// Arms the interruption at the `k`-th write from now (1-based).
fn arm(w: &World, k: usize, how: Interruption) {
    let at = w
        .fake
        .faults()
        .writes()
        .after(u64::try_from(k - 1).unwrap());
    match how {
        Interruption::ServerError => at.fail_next(u64::MAX, 500),
        Interruption::KilledBefore => at.timeout_next(1),
        Interruption::KilledAfter => at.apply_then_hang_next(1),
        Interruption::AnswerLost => at.lose_answer_next(1),
    };
}

/// Runs `op` with the interruption armed; a "killed" process is one whose future is dropped
/// once the stand-in holds the fatal request, and whose next start marks its event
/// interrupted.
async fn interrupted<F, T>(w: &World, how: Interruption, op: F)
where
    F: std::future::Future<Output = T>,
{
    match how {
        Interruption::ServerError | Interruption::AnswerLost => {
            let _ = op.await;
            // A 500 storm opens the client's circuit; the next run comes after its pause.
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        Interruption::KilledBefore | Interruption::KilledAfter => {
            let fault = if how == Interruption::KilledBefore {
                "timeout"
            } else {
                "apply_then_hang"
            };
            let held = async {
                loop {
                    if w.fake
                        .requests()
                        .log()
                        .iter()
                        .any(|r| r.fault == Some(fault))
                    {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            };
            tokio::select! {
                _ = op => {}
                () = held => {}
            }
            w.store.mark_interrupted().await.unwrap();
        }
    }
    w.fake.faults().clear();
}

/// The fault-free run: the children after the sync, and how many write requests it made.
async fn reference() -> (Vec<Vec<String>>, Vec<Vec<String>>, usize, usize) {
    let (w, _) = scenario().await;
    let before = contents(&w);
    let writes = writes_seen(&w);
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Completed, "{r:?}");
    let after = contents(&w);
    let sync_writes = writes_seen(&w) - writes;
    assert_ne!(before, after);
    let writes = writes_seen(&w);
    w.engine
        .undo(&w.base, &UndoOptions::default())
        .await
        .unwrap();
    assert_eq!(contents(&w), before, "a fault-free undo restores the state");
    let undo_writes = writes_seen(&w) - writes;
    (before, after, sync_writes, undo_writes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_interrupted_at_any_write_loses_nothing_and_undo_restores_it_all() {
    let (before_ref, after_ref, sync_writes, _) = reference().await;
    assert!(
        sync_writes >= 5,
        "the scenario writes enough to be interrupted: {sync_writes}"
    );
    for how in ALL {
        for k in 1..=sync_writes {
            let context = format!("({how:?} at write {k} of {sync_writes})");
            let (w, mine) = scenario().await;
            let before = contents(&w);
            assert_eq!(
                before, before_ref,
                "the scenario is deterministic {context}"
            );
            arm(&w, k, how);
            interrupted(&w, how, w.engine.sync(&w.base, &SyncOptions::default())).await;
            // Whatever the interruption left, every hand-added track is still listed, or
            // stored in the plan that the next run finishes.
            let next = w.sync().await;
            assert_eq!(next.status, SyncStatus::Completed, "{context}: {next:?}");
            let after = contents(&w);
            assert_eq!(after, after_ref, "the fault-free result {context}");
            assert_no_duplicates(&after, &context);
            assert!(after[0].contains(&mine[0].to_string()), "{context}");
            assert!(after[1].contains(&mine[1].to_string()), "{context}");
            // The interrupted run and the one that completed it are undone as one.
            w.engine
                .undo(&w.base, &UndoOptions::default())
                .await
                .unwrap();
            assert_eq!(contents(&w), before, "undo restores everything {context}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_interrupted_at_any_write_is_finished_by_the_next_undo() {
    let (before_ref, after_ref, _, undo_writes) = reference().await;
    assert!(undo_writes >= 2, "{undo_writes}");
    for how in ALL {
        for k in 1..=undo_writes {
            let context = format!("({how:?} at undo write {k} of {undo_writes})");
            let (w, mine) = scenario().await;
            let r = w.sync().await;
            assert_eq!(r.status, SyncStatus::Completed, "{context}");
            assert_eq!(contents(&w), after_ref, "{context}");
            arm(&w, k, how);
            interrupted(&w, how, w.engine.undo(&w.base, &UndoOptions::default())).await;
            // The hand-added tracks never left (or are in the undo's stored plan).
            match w.engine.undo(&w.base, &UndoOptions::default()).await {
                Ok(_) => {}
                // The interrupted undo may have finished after all (a lost answer retried).
                Err(EngineError::NothingToUndo(_)) => {}
                Err(e) => panic!("{context}: {e}"),
            }
            let now = contents(&w);
            assert_eq!(now, before_ref, "the state before the sync {context}");
            assert!(now[0].contains(&mine[0].to_string()), "{context}");
            assert!(now[1].contains(&mine[1].to_string()), "{context}");
        }
    }
}

#[tokio::test]
async fn an_interrupted_undo_is_finished_by_the_next_sync_without_losing_anything() {
    let (w, mine) = scenario().await;
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Completed);
    let synced = contents(&w);
    arm(&w, 1, Interruption::KilledAfter);
    interrupted(
        &w,
        Interruption::KilledAfter,
        w.engine.undo(&w.base, &UndoOptions::default()),
    )
    .await;
    // The next sync finishes the undo's half-written child first, then routes again (the
    // undo had started changing the children): the synced state, complete.
    let next = w.sync().await;
    assert_eq!(next.status, SyncStatus::Completed, "{next:?}");
    let now = contents(&w);
    assert_eq!(now, synced);
    assert!(now[0].contains(&mine[0].to_string()));
    assert!(now[1].contains(&mine[1].to_string()));
}

#[tokio::test]
async fn undo_keeps_tracks_added_by_hand_after_the_sync_unless_asked() {
    let (w, mine) = scenario().await;
    let before = contents(&w);
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Completed);
    let later = w.outsider_except(|_, _| true, &mine);
    w.user_adds(w.children[1].as_str(), std::slice::from_ref(&later))
        .await;
    let undo = w
        .engine
        .undo(&w.base, &UndoOptions::default())
        .await
        .unwrap();
    let decade = undo
        .children
        .iter()
        .find(|c| c.child == w.children[1])
        .unwrap();
    assert_eq!(decade.kept_added_by_hand, 1, "{undo:?}");
    let now = contents(&w);
    assert_eq!(now[0], before[0]);
    let mut expected = before[1].clone();
    expected.push(later.to_string());
    assert_eq!(
        now[1], expected,
        "the later track stays, where the user put it"
    );

    // Asked otherwise, the next undo of a sync takes it out too.
    let r = w
        .engine
        .sync(&w.base, &SyncOptions::default())
        .await
        .unwrap();
    assert_eq!(r.status, SyncStatus::Completed);
    w.user_adds(w.children[0].as_str(), std::slice::from_ref(&later))
        .await;
    let dropping = UndoOptions {
        drop_added_by_hand: true,
    };
    let undo = w.engine.undo(&w.base, &dropping).await.unwrap();
    assert!(undo.children.iter().all(|c| c.kept_added_by_hand == 0));
    assert!(!w.contents(&w.children[0]).contains(&later.to_string()));
}

#[tokio::test]
async fn an_undo_is_refused_while_a_sync_of_the_base_runs_elsewhere() {
    let (w, _) = scenario().await;
    let r = w.sync().await;
    assert_eq!(r.status, SyncStatus::Completed);
    // Another process's running sync: its marker in the same database.
    let other =
        syncer_store::Store::open_file(&w.dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
    let now = syncer_core::filter::Timestamp::from_unix_seconds(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap(),
    );
    use syncer_core::engine::{EventKind, SyncStorage as _};
    other
        .begin_event(
            &w.base,
            EventKind::Sync,
            now,
            syncer_core::filter::Timestamp::from_unix_seconds(0),
        )
        .await
        .unwrap();
    let synced = contents(&w);
    let refused = w.engine.undo(&w.base, &UndoOptions::default()).await;
    assert!(
        matches!(refused, Err(EngineError::SyncInProgress { .. })),
        "{refused:?}"
    );
    assert_eq!(contents(&w), synced, "nothing changed");
}
