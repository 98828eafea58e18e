//! The cloud's numbers: record upload and download throughput on loopback, and the time to
//! bring a setup of 50 bases and 500 children to a new device, for SQLite and PostgreSQL
//! (PostgreSQL when SYNCER_TEST_POSTGRES_URL is set; `scripts/postgres-for-tests.sh` prints
//! one).
//!
//!     cargo run --release -p syncer-cloud-client --example cloud_bench [-- RECORDS]
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use syncer_auth::Vault;
use syncer_cloud::model::{
    BatchUpload, BatchUploadItem, KeyBundleBody, RecordUpload, RegisterRequest,
};
use syncer_cloud::testing::{Backend, TestServer, test_settings};
use syncer_cloud_client::{CloudApi, CloudDevice, KdfParams, Passphrase};
use syncer_core::engine::MirrorMode;
use syncer_core::filter::query;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId};
use syncer_crypto::{KeyBundle, RecordContext, checksum, open_record, seal_record};
use syncer_store::{NewBase, NewChild, NewConnection, OpenOptions, Store};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let records: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000);
    let mut backends = vec![Backend::Sqlite];
    if std::env::var("SYNCER_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        backends.push(Backend::Postgres);
    } else {
        println!("(PostgreSQL skipped: set SYNCER_TEST_POSTGRES_URL)");
    }
    for backend in backends {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        println!("== {backend:?} ==");
        throughput(&server.url(), records).await;
        new_device(&server.url()).await;
        server.finish().await;
    }
}

fn rate(n: usize, took: Duration) -> String {
    format!(
        "{:>8.0} records/s ({:.2} s)",
        n as f64 / took.as_secs_f64(),
        took.as_secs_f64()
    )
}

async fn throughput(url: &str, n: usize) {
    let api = CloudApi::new(url).unwrap();
    let session = api
        .register(&RegisterRequest {
            email: "bench@example.org".into(),
            password: "a long bench password".into(),
            device_name: "bench".into(),
            details: Default::default(),
        })
        .await
        .unwrap();
    let token = session.access_token;
    let keys = KeyBundle::create(&Passphrase::new("p"), KdfParams::INSECURE_FOR_TESTS).unwrap();
    let master = keys.master;
    api.put_key(
        &token,
        &KeyBundleBody {
            key_id: master.key_id().to_string(),
            bundle: serde_json::from_str(&keys.bundle.to_json()).unwrap(),
        },
    )
    .await
    .unwrap();
    // About the size of a child's record: a name, a query and its filter JSON.
    let plain = vec![b'x'; 700];
    let sealed: Vec<BatchUploadItem> = (0..n)
        .map(|i| {
            let id = format!("r{i:06}");
            let bytes = seal_record(
                &master,
                &RecordContext {
                    collection: "children",
                    record_id: &id,
                    version: 1,
                    device: &session.device_id,
                },
                &plain,
            );
            BatchUploadItem {
                collection: "children".into(),
                record_id: id,
                upload: RecordUpload {
                    base_version: 0,
                    key_id: master.key_id().to_string(),
                    checksum: checksum(&bytes),
                    ciphertext: B64.encode(&bytes),
                },
            }
        })
        .collect();
    let started = Instant::now();
    for chunk in sealed.chunks(500) {
        api.batch(
            &token,
            &BatchUpload {
                records: chunk.to_vec(),
            },
        )
        .await
        .unwrap();
    }
    let up = started.elapsed();
    let started = Instant::now();
    let mut cursor = 0;
    let mut got = Vec::with_capacity(n);
    loop {
        let page = api.changes(&token, cursor, 500).await.unwrap();
        got.extend(page.changes);
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    let down = started.elapsed();
    let started = Instant::now();
    for r in &got {
        let bytes = B64.decode(r.ciphertext.as_deref().unwrap()).unwrap();
        open_record(
            &master,
            &RecordContext {
                collection: &r.collection,
                record_id: &r.record_id,
                version: 1,
                device: &r.device_id,
            },
            &bytes,
        )
        .unwrap();
    }
    let open = started.elapsed();
    assert_eq!(got.len(), n);
    println!(
        "upload   {n} records of 700 B, batches of 500: {}",
        rate(n, up)
    );
    println!(
        "download {n} records, pages of 500:         {}",
        rate(n, down)
    );
    println!(
        "decrypt  {n} records on the device:          {}",
        rate(n, open)
    );
}

async fn device(name: &str) -> (CloudDevice, std::path::PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("syncer-cloud-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open_file(&dir.join("syncer.db"), &OpenOptions::default())
        .await
        .unwrap();
    (
        CloudDevice::new(store, Vault::memory(), &dir)
            .with_kdf(KdfParams::INTERACTIVE)
            .with_device_name(name),
        dir,
    )
}

async fn new_device(url: &str) {
    let (a, dir_a) = device("a").await;
    let (b, dir_b) = device("b").await;
    let store = a.store();
    store
        .insert_connection(&NewConnection {
            id: ConnectionId::new("demo-1-ext-10"),
            provider: "demo".into(),
            display_name: "Demo".into(),
            auth_kind: "oauth2_pkce".into(),
            account_id: None,
        })
        .await
        .unwrap();
    let filter = query::parse("genre:rock year:2015..2020 -explicit").unwrap();
    for base in 0..50 {
        let id = BasePlaylistId::new(format!("base-{base:02}"));
        store
            .add_base(&NewBase {
                id: id.clone(),
                connection: ConnectionId::new("demo-1-ext-10"),
                name: format!("Base {base}"),
            })
            .await
            .unwrap();
        for child in 0..10 {
            store
                .add_child(&NewChild {
                    id: ChildPlaylistId::new(format!("child-{base:02}-{child}")),
                    base: id.clone(),
                    name: format!("Child {child} of {base}"),
                    query: "genre:rock year:2015..2020 -explicit".into(),
                    filter: filter.clone(),
                    mirror: MirrorMode::KeepUserTracks,
                    allow_empty: false,
                })
                .await
                .unwrap();
        }
    }
    a.sign_up(url, "setup@example.org", "a long bench password")
        .await
        .unwrap();
    let started = Instant::now();
    a.enter_passphrase(&Passphrase::new("bench passphrase"))
        .await
        .unwrap();
    let make_key = started.elapsed();
    let started = Instant::now();
    let pushed = a.sync().await.unwrap();
    let first_push = started.elapsed();

    let started = Instant::now();
    b.sign_in(url, "setup@example.org", "a long bench password")
        .await
        .unwrap();
    let sign_in = started.elapsed();
    let started = Instant::now();
    b.enter_passphrase(&Passphrase::new("bench passphrase"))
        .await
        .unwrap();
    let unlock = started.elapsed();
    let started = Instant::now();
    let pulled = b.sync().await.unwrap();
    let bring = started.elapsed();
    assert_eq!(pulled.applied, 551);
    println!(
        "setup of 50 bases, 500 children ({} records):",
        pushed.pushed
    );
    println!(
        "  first device: key made (Argon2id 64 MiB, t=3) {:.2} s, first push {:.2} s",
        make_key.as_secs_f64(),
        first_push.as_secs_f64()
    );
    println!(
        "  new device:   sign-in {:.2} s, unlock {:.2} s, sync (download, decrypt, apply) {:.2} s; total {:.2} s",
        sign_in.as_secs_f64(),
        unlock.as_secs_f64(),
        bring.as_secs_f64(),
        (sign_in + unlock + bring).as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(dir_a);
    let _ = std::fs::remove_dir_all(dir_b);
}
