//! `syncer cancel` from elsewhere: the flag in the store stops a running sync at a safe point.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use syncer_app::DemoMode;
use syncer_cli::app::{App, DemoSpec};
use syncer_cli::commands::{connect_demo, run_sync};
use syncer_core::engine::{SyncStatus, SyncStorage};
use syncer_core::filter::query;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId};
use syncer_core::provider::{MusicProvider, NewPlaylist};
use syncer_store::{NewBase, NewChild};

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
    let conn = connect_demo(&app, spec).await.unwrap();
    let client = app.client(&conn).await.unwrap();
    let base = syncer_app::setup::biggest_playlist(&app, &conn)
        .await
        .unwrap();
    let base_id = BasePlaylistId::new(base.id.as_str());
    app.store
        .add_base(&NewBase {
            id: base_id.clone(),
            connection: conn.clone(),
            name: base.name.clone(),
        })
        .await
        .unwrap();
    let created = client
        .create_playlist(&NewPlaylist {
            name: "all".into(),
            description: None,
            public: false,
            collaborative: false,
        })
        .await
        .unwrap();
    app.store
        .add_child(&NewChild {
            id: ChildPlaylistId::new(created.id.as_str()),
            base: base_id.clone(),
            name: "all".into(),
            query: "year:>=1900".into(),
            filter: query::parse("year:>=1900").unwrap(),
            mirror: Default::default(),
            allow_empty: false,
        })
        .await
        .unwrap();
    // Writes are slow enough (1.2 s each) to be caught in the middle however slow the machine.
    app.fake(&conn)
        .await
        .unwrap()
        .faults()
        .on("POST /v1/playlists/{id}/items")
        .latency(Duration::from_millis(1_200));
    let store = app.store.clone();
    let canceller = {
        let base = base_id.clone();
        tokio::spawn(async move {
            // Wait until the sync has written something, then ask it to stop, as
            // `syncer cancel` in another terminal does.
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let writing = store
                    .list_events(Some(&base), 1)
                    .await
                    .unwrap()
                    .first()
                    .and_then(|e| e.report.clone())
                    .is_some_and(|r| r.added() > 0);
                if writing {
                    assert!(store.request_cancel(&base).await.unwrap());
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
    assert!(app.store.last_undo(&base_id).await.unwrap().is_some());
}
