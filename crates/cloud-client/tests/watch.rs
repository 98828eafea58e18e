//! Live events on the device: a watching device pulls another device's change as soon as it
//! is made, without any polling call; it resumes after the server goes away; and its watch
//! ends when its session does.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use syncer_auth::Vault;
use syncer_cloud::backend_tests;
use syncer_cloud::testing::{TestServer, test_settings};
use syncer_cloud_client::{CloudDevice, CloudError, KdfParams, Passphrase, WatchUpdate};
use syncer_core::ids::{BasePlaylistId, ConnectionId};
use syncer_store::{NewBase, NewConnection, OpenOptions, Store};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(10);

struct Device {
    cloud: CloudDevice,
    dir: PathBuf,
}

impl Device {
    async fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "syncer-cloud-watch-{name}-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let store = Store::open_file(&dir.join("syncer.db"), &OpenOptions::default())
            .await
            .unwrap();
        let cloud = CloudDevice::new(store, Vault::memory(), &dir)
            .with_kdf(KdfParams::INSECURE_FOR_TESTS)
            .with_device_name(name);
        Self { cloud, dir }
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn pair(server: &TestServer) -> (Device, Device) {
    let a = Device::new("laptop").await;
    let b = Device::new("desktop").await;
    a.cloud
        .sign_up(&server.url(), "watch@example.org", "a long password")
        .await
        .unwrap();
    a.cloud
        .enter_passphrase(&Passphrase::new("pass phrase"))
        .await
        .unwrap();
    b.cloud
        .sign_in(&server.url(), "watch@example.org", "a long password")
        .await
        .unwrap();
    b.cloud
        .enter_passphrase(&Passphrase::new("pass phrase"))
        .await
        .unwrap();
    (a, b)
}

async fn add_base(store: &Store, id: &str, name: &str) {
    if store
        .get_connection(&ConnectionId::new("demo-1"))
        .await
        .unwrap()
        .is_none()
    {
        store
            .insert_connection(&NewConnection {
                id: ConnectionId::new("demo-1"),
                provider: "demo".into(),
                display_name: "Demo".into(),
                auth_kind: "oauth2_pkce".into(),
                account_id: Some("demo-account".into()),
            })
            .await
            .unwrap();
    }
    store
        .add_base(&NewBase {
            id: BasePlaylistId::new(id),
            connection: ConnectionId::new("demo-1"),
            name: name.into(),
        })
        .await
        .unwrap();
}

/// Waits for an update matching `want`, failing after WAIT.
async fn until(
    updates: &mut mpsc::UnboundedReceiver<WatchUpdate>,
    want: impl Fn(&WatchUpdate) -> bool,
) -> WatchUpdate {
    tokio::time::timeout(WAIT, async {
        loop {
            let update = updates.recv().await.expect("the watcher is running");
            if want(&update) {
                return update;
            }
        }
    })
    .await
    .expect("the update within the wait")
}

/// Waits, through the watcher's pulls, until `done` holds (failing after WAIT).
async fn pulled_until<F, Fut>(updates: &mut mpsc::UnboundedReceiver<WatchUpdate>, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    tokio::time::timeout(WAIT, async {
        loop {
            until(updates, |u| matches!(u, WatchUpdate::Pulled { .. })).await;
            if done().await {
                return;
            }
        }
    })
    .await
    .expect("the change pulled within the wait");
}

async fn has_base(store: &Store, id: &str) -> bool {
    store
        .get_base(&BasePlaylistId::new(id))
        .await
        .unwrap()
        .is_some()
}

backend_tests!(
    a_watching_device_pulls_without_polling,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let (a, b) = pair(&server).await;
        let (tx, mut updates) = mpsc::unbounded_channel();
        let watcher = b.cloud.watch(move |u| {
            let _ = tx.send(u);
        });
        let scenario = async {
            until(&mut updates, |u| matches!(u, WatchUpdate::Live)).await;
            add_base(a.cloud.store(), "base-1", "Everything").await;
            a.cloud.sync().await.unwrap();
            // B never calls sync: the events make it pull.
            pulled_until(&mut updates, || has_base(b.cloud.store(), "base-1")).await;
            // A second change, the same way.
            add_base(a.cloud.store(), "base-2", "Second").await;
            a.cloud.sync().await.unwrap();
            pulled_until(&mut updates, || has_base(b.cloud.store(), "base-2")).await;
        };
        tokio::select! {
            result = watcher => panic!("the watch ended: {result:?}"),
            () = scenario => {}
        }
        drop((a, b));
        server.finish().await;
    }
);

// A device that was offline catches up when its watch starts (its cursor is its
// Last-Event-ID), and the watch ends when the device signs out.
backend_tests!(
    catching_up_and_ending_with_the_session,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let (a, b) = pair(&server).await;
        add_base(a.cloud.store(), "while-away", "Made while B was away").await;
        a.cloud.sync().await.unwrap();
        let (tx, mut updates) = mpsc::unbounded_channel();
        let watcher = b.cloud.watch(move |u| {
            let _ = tx.send(u);
        });
        let scenario = async {
            pulled_until(&mut updates, || has_base(b.cloud.store(), "while-away")).await;
        };
        let watcher = {
            tokio::pin!(watcher);
            tokio::select! {
                result = &mut watcher => panic!("the watch ended: {result:?}"),
                () = scenario => {}
            }
            // Signing out (through another handle on the same vault would be the app; here the
            // server ends the session) closes the stream, and the watch gives up for good.
            // The watcher keeps running meanwhile (it may be pulling, which sign-out waits for).
            let (ended, ()) = tokio::join!(
                tokio::time::timeout(Duration::from_secs(30), watcher),
                async { b.cloud.sign_out().await.unwrap() }
            );
            ended.expect("the watch ends after sign-out")
        };
        assert!(
            matches!(
                watcher,
                Err(CloudError::NotSignedIn | CloudError::SessionEnded { .. })
            ),
            "{watcher:?}"
        );
        drop((a, b));
        server.finish().await;
    }
);
