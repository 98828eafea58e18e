//! `syncer cancel` from elsewhere: the flag in the store stops a running sync at a safe point.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use syncer_app::DemoMode;
use syncer_app::library::{ChildSpec, ChildTarget};
use syncer_app::sync::HistoryQuery;
use syncer_cli::app::{App, DemoSpec};
use syncer_cli::commands::run_sync;
use syncer_core::engine::{SyncStatus, SyncStorage};
use syncer_core::ids::PlaylistId;
use syncer_core::provider::{MusicProvider, NewPlaylist};
use syncer_store::{AppPaths, Store};

#[tokio::test]
async fn a_cancel_request_in_the_store_stops_the_running_sync() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Some(dir.path().to_path_buf()), true)
        .await
        .unwrap();
    let spec = DemoSpec {
        seed: 9,
        mode: DemoMode::Extended,
        tracks: 400,
    };
    let conn = app.connect_demo(spec).await.unwrap().id;
    let client = app.client(&conn).await.unwrap();
    let base = app.biggest_playlist(&conn).await.unwrap();
    let base_id = app.add_base(&conn, &base.id).await.unwrap().id;
    let created = client
        .create_playlist(&NewPlaylist {
            name: "all".into(),
            description: None,
            public: false,
            collaborative: false,
        })
        .await
        .unwrap();
    app.add_child(
        &base_id,
        &ChildSpec {
            target: ChildTarget::Adopt {
                playlist: PlaylistId::new(created.id.as_str()),
            },
            query: "year:>=1900".into(),
            mirror: Default::default(),
            allow_empty: false,
        },
    )
    .await
    .unwrap();
    // Writes are slow enough (1.2 s each) to be caught in the middle however slow the machine.
    app.fake(&conn)
        .await
        .unwrap()
        .faults()
        .on("POST /v1/playlists/{id}/items")
        .latency(Duration::from_millis(1_200));
    // Another terminal: its own services on the same data.
    let other = App::open(Some(dir.path().to_path_buf()), true)
        .await
        .unwrap();
    let canceller = {
        let base = base_id.clone();
        tokio::spawn(async move {
            // Wait until the sync has written something, then ask it to stop, as
            // `syncer cancel` in another terminal does.
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let writing = other
                    .history(&HistoryQuery {
                        base: Some(base.clone()),
                        status: None,
                        limit: Some(1),
                    })
                    .await
                    .unwrap()
                    .first()
                    .and_then(|e| e.event.report.clone())
                    .is_some_and(|r| r.added() > 0);
                if writing {
                    other.cancel_sync(&base).await.unwrap();
                    return;
                }
            }
        })
    };
    let report = run_sync(&app, &base_id, false).await.unwrap();
    canceller.await.unwrap();
    assert_eq!(report.status, SyncStatus::Cancelled, "{report:?}");
    let wanted = report.children[0].wanted;
    assert!(report.added() > 0 && report.added() < wanted, "{report:?}");
    let store = Store::open(&AppPaths::at(dir.path())).await.unwrap();
    assert!(store.last_undo(&base_id).await.unwrap().is_some());
}
