//! Load benchmark of the live events (not run by the tests): the release server as a separate
//! process, N concurrent streams (N users, one listening device each), one write per second
//! per 10 users from a second device of each user, for a fixed time. Measures delivery
//! latency (write acknowledged → event received by the listener; also write sent → event
//! received), the server's RSS per stream (from /proc/<pid>/status), and lost events.
//!
//! ```sh
//! cargo build --release -p syncer-cloud --bin syncer-cloud --example events_bench
//! ulimit -n 20000
//! target/release/examples/events_bench [--streams 1000,2000,5000,10000] [--seconds 30] \
//!     [--postgres URL [--instances 2]]
//! ```
//!
//! With `--instances 2` (PostgreSQL only: SQLite is one instance) two server processes share
//! the database: every stream is held by the first, every write goes through the second, so
//! each event crosses instances by NOTIFY before its stream sees it.
//!
//! Users, devices and tokens are seeded straight into the database before the server starts
//! (Argon2id sign-ups would take minutes at these counts and measure nothing of interest).
//! The server process is killed and waited for by `Server`'s Drop (or killed with the panic).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::zombie_processes)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use eventsource_stream::Eventsource as _;
use futures_util::StreamExt as _;
use syncer_cloud::model::LiveEvent;
use syncer_cloud::storage::{
    DeviceRow, PostgresStorage, Principal, SqliteStorage, Storage, TokenHashes, UserRow,
};
use syncer_cloud::tokens;
use syncer_crypto::{KdfParams, KeyBundle, MasterKey, Passphrase, RecordContext, seal_record};
use tokio::sync::mpsc;

struct Args {
    streams: Vec<usize>,
    seconds: u64,
    postgres: Option<String>,
    instances: usize,
    server: PathBuf,
}

fn args() -> Args {
    let mut out = Args {
        streams: vec![1000, 2000, 5000, 10000],
        seconds: 30,
        postgres: None,
        instances: 1,
        server: std::env::current_exe()
            .unwrap()
            .parent()
            .and_then(|p| p.parent())
            .unwrap()
            .join("syncer-cloud"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().expect("every flag takes a value");
        match flag.as_str() {
            "--streams" => {
                out.streams = value.split(',').map(|n| n.parse().unwrap()).collect();
            }
            "--seconds" => out.seconds = value.parse().unwrap(),
            "--postgres" => out.postgres = Some(value),
            "--instances" => out.instances = value.parse().unwrap(),
            "--server" => out.server = PathBuf::from(value),
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        out.instances >= 1 && (out.instances == 1 || out.postgres.is_some()),
        "--instances above 1 needs --postgres: SQLite mode is one instance"
    );
    out
}

/// One user's seeded credentials.
struct Seeded {
    listener_token: String,
    writer_token: String,
    writer_device: String,
}

async fn seed<S: Storage>(storage: &S, users: usize, key: &MasterKey, bundle: &str) -> Vec<Seeded> {
    let now = syncer_cloud::state::now_ms();
    let expires = now + 24 * 3600 * 1000;
    let mut out = Vec::with_capacity(users);
    for i in 0..users {
        let user_id = tokens::new_id();
        storage
            .create_user(&UserRow {
                id: user_id.clone(),
                email: format!("bench{i}-{user_id}@example.org"),
                password_hash: "not a hash: benchmark account".to_owned(),
                key_id: None,
                key_bundle: None,
                change_seq: 0,
                created_at: now,
            })
            .await
            .unwrap();
        storage
            .set_key(&user_id, None, key.key_id().as_str(), bundle, now)
            .await
            .unwrap();
        let mut tokens_of = Vec::new();
        for name in ["listener", "writer"] {
            let device_id = tokens::new_id();
            storage
                .create_device(&DeviceRow {
                    id: device_id.clone(),
                    user_id: user_id.clone(),
                    name: name.to_owned(),
                    enrolled_by: "password".to_owned(),
                    cursor: 0,
                    created_at: now,
                    last_seen_at: now,
                    revoked_at: None,
                    platform: None,
                    os_version: None,
                    model: None,
                    app_version: None,
                })
                .await
                .unwrap();
            let access = tokens::generate(tokens::ACCESS_PREFIX);
            let refresh = tokens::generate(tokens::REFRESH_PREFIX);
            storage
                .create_session(
                    &tokens::new_id(),
                    &Principal {
                        user_id: user_id.clone(),
                        device_id: device_id.clone(),
                        session_id: String::new(),
                    },
                    &TokenHashes {
                        access: tokens::hash(&access),
                        access_expires: expires,
                        refresh: tokens::hash(&refresh),
                        refresh_expires: expires,
                    },
                    now,
                )
                .await
                .unwrap();
            tokens_of.push((access, device_id));
        }
        let (writer_token, writer_device) = tokens_of.pop().unwrap();
        let (listener_token, _) = tokens_of.pop().unwrap();
        out.push(Seeded {
            listener_token,
            writer_token,
            writer_device,
        });
    }
    out
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(args: &Args, database_url: &str) -> Server {
    let port = free_port();
    let child = Command::new(&args.server)
        .env("SYNCER_CLOUD_LISTEN", format!("127.0.0.1:{port}"))
        .env("SYNCER_CLOUD_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {} ({e}): build it with cargo build --release -p syncer-cloud",
                args.server.display()
            )
        });
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("{url}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Server { child, url };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not answer /healthz");
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn run(args: &Args, n: usize, key: &MasterKey, bundle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let (database_url, users) = match &args.postgres {
        Some(url) => {
            let schema = format!("bench_{}", tokens::new_id());
            let storage = PostgresStorage::connect(url, Some(&schema)).await.unwrap();
            let users = seed(&storage, n, key, bundle).await;
            storage.pool().close().await;
            let sep = if url.contains('?') { '&' } else { '?' };
            (format!("{url}{sep}options=-csearch_path%3D{schema}"), users)
        }
        None => {
            let path = dir.path().join("cloud.db");
            let storage = SqliteStorage::open(&path).await.unwrap();
            let users = seed(&storage, n, key, bundle).await;
            storage.pool().close().await;
            (format!("sqlite://{}", path.display()), users)
        }
    };
    let mut servers = Vec::with_capacity(args.instances);
    for _ in 0..args.instances {
        servers.push(start_server(args, &database_url).await);
    }
    // Streams on the first instance, writes through the last (the same one when alone).
    let (server, writer) = (&servers[0], &servers[args.instances - 1]);
    let pid = server.child.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib(pid);

    // The listeners.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let (event_tx, mut event_rx) = mpsc::unbounded_channel::<(usize, i64, Instant)>();
    let connected = Arc::new(AtomicUsize::new(0));
    let mut listeners = Vec::with_capacity(n);
    for (i, user) in users.iter().enumerate() {
        let (http, url, token, tx, connected) = (
            http.clone(),
            server.url.clone(),
            user.listener_token.clone(),
            event_tx.clone(),
            connected.clone(),
        );
        listeners.push(tokio::spawn(async move {
            let response = loop {
                match http
                    .get(format!("{url}/v1/events"))
                    .bearer_auth(&token)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => break r,
                    _ => tokio::time::sleep(Duration::from_millis(200)).await,
                }
            };
            connected.fetch_add(1, Ordering::Relaxed);
            let mut frames = response.bytes_stream().eventsource();
            while let Some(Ok(frame)) = frames.next().await {
                let at = Instant::now();
                if let Some(LiveEvent::RecordChanged { cursor, .. }) =
                    LiveEvent::parse(&frame.event, &frame.data)
                {
                    let _ = tx.send((i, cursor, at));
                }
            }
        }));
        // Do not open thousands of connections in one burst (the listen backlog).
        if i % 200 == 199 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let opened = Instant::now();
    while connected.load(Ordering::Relaxed) < n {
        assert!(
            opened.elapsed() < Duration::from_secs(300),
            "only {} of {n} streams opened",
            connected.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let open_secs = opened.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_streams = rss_kib(pid);

    // The writers: n/10 writes per second, spread evenly over each second.
    let per_second = (n / 10).max(1);
    let (write_tx, mut write_rx) = mpsc::unbounded_channel::<(usize, i64, Instant, Instant)>();
    let period = Duration::from_secs(1) / u32::try_from(per_second).unwrap();
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let total = per_second * usize::try_from(args.seconds).unwrap();
    let users = Arc::new(users);
    let key = Arc::new(key.clone());
    let write_errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut in_flight = Vec::with_capacity(total);
    for w in 0..total {
        tick.tick().await;
        let i = w % n;
        let (http, url, users, key, tx, errors) = (
            http.clone(),
            writer.url.clone(),
            users.clone(),
            key.clone(),
            write_tx.clone(),
            write_errors.clone(),
        );
        in_flight.push(tokio::spawn(async move {
            let user = &users[i];
            let record_id = format!("r{w}");
            let sealed = seal_record(
                &key,
                &RecordContext {
                    collection: "bases",
                    record_id: &record_id,
                    version: 1,
                    device: &user.writer_device,
                },
                &[7u8; 700],
            );
            let body = serde_json::json!({
                "base_version": 0,
                "key_id": key.key_id().as_str(),
                "checksum": syncer_crypto::checksum(&sealed),
                "ciphertext": B64.encode(&sealed),
            });
            let sent = Instant::now();
            let answer = http
                .put(format!("{url}/v1/records/bases/{record_id}"))
                .bearer_auth(&user.writer_token)
                .json(&body)
                .send()
                .await;
            let acked = Instant::now();
            let seq = match answer {
                Ok(r) if r.status().is_success() => r
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .and_then(|v| v["seq"].as_i64()),
                _ => None,
            };
            match seq {
                Some(seq) => {
                    let _ = tx.send((i, seq, sent, acked));
                }
                None => {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let write_secs = started.elapsed().as_secs_f64();
    drop(write_tx);
    // Every write answered (stored or refused), then every stored write's event awaited: an
    // event counts as lost only when none arrives for 15 s, not when it is merely late.
    for write in in_flight {
        let _ = write.await;
    }
    let mut writes = HashMap::new();
    while let Ok((i, seq, sent, acked)) = write_rx.try_recv() {
        writes.insert((i, seq), (sent, acked));
    }
    let mut from_ack = Vec::new();
    let mut from_send = Vec::new();
    while !writes.is_empty() {
        match tokio::time::timeout(Duration::from_secs(15), event_rx.recv()).await {
            Ok(Some((i, seq, at))) => {
                if let Some((sent, acked)) = writes.remove(&(i, seq)) {
                    from_ack.push(at.saturating_duration_since(acked));
                    from_send.push(at.saturating_duration_since(sent));
                }
            }
            _ => break,
        }
    }
    let rss_end = rss_kib(pid);
    from_ack.sort();
    from_send.sort();
    let lost = writes.len();
    let events = from_ack.len();
    let events_per_s = events as f64 / write_secs;
    let (p50, p95, p99) = (
        ms(percentile(&from_ack, 50.0)),
        ms(percentile(&from_ack, 95.0)),
        ms(percentile(&from_ack, 99.0)),
    );
    let max = ms(from_ack.last().copied().unwrap_or_default());
    let p99_send = ms(percentile(&from_send, 99.0));
    let write_errors = write_errors.load(Ordering::Relaxed);
    let kib_per_stream = (rss_streams.saturating_sub(rss_before)) as f64 / n as f64;
    let rss_end_mib = rss_end as f64 / 1024.0;
    // Named, so a column cannot slip under another's heading.
    println!(
        "| {n} | {events} | {events_per_s:.0} | {p50} | {p95} | {p99} | {max} | {p99_send} | \
         {lost} | {write_errors} | {open_secs:.1} | {kib_per_stream:.1} | {rss_end_mib:.1} | \
         {write_secs:.1} |"
    );
    for l in listeners {
        l.abort();
    }
    drop(servers);
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = args();
    let keys = KeyBundle::create(&Passphrase::new("bench"), KdfParams::INSECURE_FOR_TESTS).unwrap();
    let bundle = keys.bundle.to_json();
    println!(
        "backend: {}; {} s of writes per run; one write per second per 10 users{}",
        if args.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        args.seconds,
        if args.instances > 1 {
            format!(
                "; {} instances: streams on the first, writes through the last",
                args.instances
            )
        } else {
            String::new()
        }
    );
    println!(
        "| streams | events | events/s | p50 ms | p95 ms | p99 ms | max ms | p99 from send ms | lost | write errors | open s | server KiB/stream | server RSS MiB at end | write s |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &n in &args.streams {
        run(&args, n, &keys.master, &bundle).await;
    }
}
