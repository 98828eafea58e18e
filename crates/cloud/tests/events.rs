//! Live events over HTTP on 127.0.0.1:0, read with an SSE parser (eventsource-stream) as a
//! device would: events for another device's writes, resuming with Last-Event-ID without
//! loss, sync_required for a device too far behind, authentication, the end of a stream with
//! its session, keep-alives, and two instances on one PostgreSQL.
#![allow(clippy::unwrap_used)]

mod support;

use std::pin::Pin;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use eventsource_stream::{Event, Eventsource as _};
use futures_util::{Stream, StreamExt as _};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::Api;
use syncer_cloud::backend_tests;
use syncer_cloud::events::{self, EventKind};
use syncer_cloud::model::LiveEvent;
use syncer_cloud::state::AppState;
use syncer_cloud::storage::SqliteStorage;
use syncer_cloud::testing::{Backend, TestServer, test_settings};
use syncer_cloud::{RunningServer, Settings};
use syncer_crypto::{MasterKey, RecordContext, seal_record};

/// Long enough for a slow shared machine; an event that should come comes well before.
const WAIT: Duration = Duration::from_secs(10);

/// A signed-in device: the shared client holding its token, and its id.
#[derive(Clone)]
struct Device {
    api: Api,
    device_id: String,
}

impl Device {
    async fn sign(base: &str, email: &str, register: bool) -> Self {
        let path = if register { "register" } else { "login" };
        let (status, body) = Api::new(base.to_owned())
            .post(
                &format!("/v1/auth/{path}"),
                json!({"email": email, "password": "a long password", "device_name": path}),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
        Self {
            api: Api::new(base.to_owned()).with_token(body["access_token"].as_str().unwrap()),
            device_id: body["device_id"].as_str().unwrap().to_owned(),
        }
    }

    /// The same device's session through another server instance.
    fn via(&self, base: &str) -> Self {
        let mut other = self.clone();
        other.api.base = base.to_owned();
        other
    }

    fn token(&self) -> &str {
        self.api.token.as_deref().unwrap_or_default()
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.api.call(method, path, body).await;
        assert!(
            status.is_success() || status == StatusCode::CONFLICT,
            "{status} {body}"
        );
        body
    }

    async fn set_key(&self) -> MasterKey {
        self.api.set_key().await
    }

    /// Writes `collection/id` over `base`; returns the answer (a write result or a conflict).
    async fn put(&self, key: &MasterKey, collection: &str, id: &str, base: i64) -> Value {
        let sealed = seal_record(
            key,
            &RecordContext {
                collection,
                record_id: id,
                version: u64::try_from(base).unwrap() + 1,
                device: &self.device_id,
            },
            b"secret contents",
        );
        let upload = json!({
            "base_version": base,
            "key_id": key.key_id().as_str(),
            "checksum": syncer_crypto::checksum(&sealed),
            "ciphertext": B64.encode(&sealed),
        });
        self.send(
            reqwest::Method::PUT,
            &format!("/v1/records/{collection}/{id}"),
            Some(upload),
        )
        .await
    }

    async fn open(&self, last_event_id: Option<i64>) -> reqwest::Response {
        let mut req = self
            .api
            .http
            .get(format!("{}/v1/events", self.api.base))
            .bearer_auth(self.token());
        if let Some(id) = last_event_id {
            req = req.header("Last-Event-ID", id.to_string());
        }
        req.send().await.unwrap()
    }

    async fn events(&self, last_event_id: Option<i64>) -> Events {
        let resp = self.open(last_event_id).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Events {
            inner: Box::pin(resp.bytes_stream().eventsource()),
        }
    }
}

type Frames = Pin<
    Box<
        dyn Stream<Item = Result<Event, eventsource_stream::EventStreamError<reqwest::Error>>>
            + Send,
    >,
>;

struct Events {
    inner: Frames,
}

impl Events {
    /// The next event (not a keep-alive, which the parser skips), or a failure after WAIT.
    async fn next(&mut self) -> (i64, LiveEvent) {
        let frame = tokio::time::timeout(WAIT, self.inner.next())
            .await
            .expect("an event within the wait")
            .expect("the stream is still open")
            .expect("a well-formed frame");
        let event = LiveEvent::parse(&frame.event, &frame.data)
            .unwrap_or_else(|| panic!("unknown event {frame:?}"));
        (frame.id.parse().unwrap(), event)
    }

    /// Nothing arrives for a short while (used only to check that no flood follows).
    async fn quiet(&mut self) -> bool {
        tokio::time::timeout(Duration::from_millis(300), self.inner.next())
            .await
            .is_err()
    }

    /// The server ends the stream within the wait.
    async fn ends(&mut self) {
        let end = tokio::time::timeout(WAIT, async {
            loop {
                match self.inner.next().await {
                    None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert!(end.is_ok(), "the stream should have ended");
    }
}

async fn account(server: &str, email: &str) -> (Device, Device, MasterKey) {
    let a = Device::sign(server, email, true).await;
    let key = a.set_key().await;
    let b = Device::sign(server, email, false).await;
    (a, b, key)
}

backend_tests!(another_devices_writes_arrive, |backend| async move {
    let server = TestServer::start(backend, test_settings()).await.unwrap();
    let (a, b, key) = account(&server.url(), "ev@example.org").await;
    let mut stream = b.events(None).await;

    let written = a.put(&key, "bases", "r1", 0).await;
    let seq = written["seq"].as_i64().unwrap();
    let (id, event) = stream.next().await;
    assert_eq!(id, seq, "the event id is the change number");
    assert_eq!(
        event,
        LiveEvent::RecordChanged {
            collection: "bases".into(),
            cursor: seq,
            device_id: a.device_id.clone()
        }
    );

    // A stale write: a conflict event, with the conflict's id.
    let refused = a.put(&key, "bases", "r1", 0).await;
    let (conflict_seq, event) = stream.next().await;
    assert!(conflict_seq > seq);
    assert_eq!(
        event,
        LiveEvent::Conflict {
            conflict_id: refused["error"]["details"]["conflict_id"]
                .as_str()
                .unwrap()
                .to_owned(),
            collection: "bases".into(),
            record_id: "r1".into(),
            device_id: a.device_id.clone(),
        }
    );

    // A batch: one event per collection, at its last record's change number.
    let item = |collection: &str, id: &str| {
        let sealed = seal_record(
            &key,
            &RecordContext {
                collection,
                record_id: id,
                version: 1,
                device: &a.device_id,
            },
            b"x",
        );
        json!({"collection": collection, "record_id": id, "base_version": 0,
            "key_id": key.key_id().as_str(), "checksum": syncer_crypto::checksum(&sealed),
            "ciphertext": B64.encode(&sealed)})
    };
    let batch = a
        .send(
            reqwest::Method::POST,
            "/v1/records/batch",
            Some(json!({"records": [item("bases", "b1"), item("children", "c1"), item("bases", "b2")]})),
        )
        .await;
    let seqs: Vec<i64> = batch["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seq"].as_i64().unwrap())
        .collect();
    let (first, children) = stream.next().await;
    let (second, bases) = stream.next().await;
    assert_eq!((first, second), (seqs[1], seqs[2]));
    assert!(
        matches!(children, LiveEvent::RecordChanged { ref collection, .. } if collection == "children")
    );
    assert!(
        matches!(bases, LiveEvent::RecordChanged { ref collection, cursor, .. } if collection == "bases" && cursor == seqs[2])
    );
    // The writer's own stream sees the same events (it may skip its own device's).
    let mut own = a.events(Some(seq)).await;
    assert_eq!(own.next().await.0, conflict_seq);
    drop(stream);
    drop(own);
    server.finish().await;
});

backend_tests!(
    resume_with_last_event_id_loses_nothing,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let (a, b, key) = account(&server.url(), "resume@example.org").await;
        let mut stream = b.events(None).await;
        a.put(&key, "bases", "first", 0).await;
        let (last_seen, _) = stream.next().await;
        drop(stream); // the connection drops

        let mut written = Vec::new();
        for i in 0..5 {
            let result = a.put(&key, "children", &format!("c{i}"), 0).await;
            written.push(result["seq"].as_i64().unwrap());
        }
        let mut resumed = b.events(Some(last_seen)).await;
        let mut received = Vec::new();
        for _ in 0..5 {
            let (id, event) = resumed.next().await;
            assert!(matches!(event, LiveEvent::RecordChanged { cursor, .. } if cursor == id));
            received.push(id);
        }
        assert_eq!(received, written, "every write made while away, in order");
        // And live again after the replay.
        let more = a.put(&key, "children", "c5", 0).await;
        assert_eq!(resumed.next().await.0, more["seq"].as_i64().unwrap());
        drop(resumed);
        server.finish().await;
    }
);

backend_tests!(
    too_far_behind_gets_one_sync_required,
    |backend| async move {
        let settings = Settings {
            event_backlog_max: 3,
            ..test_settings()
        };
        let server = TestServer::start(backend, settings).await.unwrap();
        let (a, b, key) = account(&server.url(), "behind@example.org").await;
        let mut latest = 0;
        for i in 0..6 {
            latest = a.put(&key, "bases", &format!("r{i}"), 0).await["seq"]
                .as_i64()
                .unwrap();
        }
        let mut stream = b.events(Some(0)).await;
        let (id, event) = stream.next().await;
        assert_eq!(
            id, latest,
            "sync_required carries the cursor to resume from"
        );
        assert_eq!(
            event,
            LiveEvent::SyncRequired {
                reason: "too_far_behind".into()
            }
        );
        assert!(stream.quiet().await, "one nudge, not a flood");
        // Within the backlog, events are replayed as usual.
        let mut close = b.events(Some(latest - 2)).await;
        assert_eq!(close.next().await.0, latest - 1);
        assert_eq!(close.next().await.0, latest);

        // Events pruned by age: resuming from before them is sync_required too.
        let pruned = server.prune_events(i64::MAX).await;
        assert_eq!(pruned, 6);
        let mut old = b.events(Some(latest - 1)).await;
        assert_eq!(
            old.next().await,
            (
                latest,
                LiveEvent::SyncRequired {
                    reason: "pruned".into()
                }
            )
        );
        // A cursor the account never reached.
        let mut future = b.events(Some(latest + 100)).await;
        assert!(matches!(
            future.next().await.1,
            LiveEvent::SyncRequired { reason } if reason == "unknown_cursor"
        ));
        // After sync_required the stream goes on live.
        let next = a.put(&key, "bases", "after", 0).await["seq"]
            .as_i64()
            .unwrap();
        assert_eq!(stream.next().await.0, next);
        drop((stream, close, old, future));
        server.finish().await;
    }
);

backend_tests!(a_stream_needs_a_valid_token, |backend| async move {
    let server = TestServer::start(backend, test_settings()).await.unwrap();
    let anon = Api::new(server.url());
    let (status, body) = anon.get("/v1/events").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, body) = anon.with_token("sca_not-a-token").get("/v1/events").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "token_invalid");
    let a = Device::sign(&server.url(), "auth@example.org", true).await;
    let resp = a
        .api
        .http
        .get(format!("{}/v1/events", a.api.base))
        .bearer_auth(a.token())
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    server.finish().await;
});

backend_tests!(a_stream_ends_at_sign_out, |backend| async move {
    let server = TestServer::start(backend, test_settings()).await.unwrap();
    let (a, b, key) = account(&server.url(), "out@example.org").await;
    let mut b_stream = b.events(None).await;
    let mut a_stream = a.events(None).await;
    b.send(reqwest::Method::POST, "/v1/auth/logout", None).await;
    b_stream.ends().await;
    // The other device's stream goes on.
    let seq = a.put(&key, "bases", "r", 0).await["seq"].as_i64().unwrap();
    assert_eq!(a_stream.next().await.0, seq);
    // And the signed-out token opens no new one.
    assert_eq!(b.open(None).await.status(), StatusCode::UNAUTHORIZED);
    drop(a_stream);
    server.finish().await;
});

backend_tests!(idle_streams_carry_keep_alives, |backend| async move {
    let settings = Settings {
        event_keepalive: Duration::from_millis(200),
        ..test_settings()
    };
    let server = TestServer::start(backend, settings).await.unwrap();
    let a = Device::sign(&server.url(), "alive@example.org", true).await;
    let resp = a.open(None).await;
    let mut bytes = resp.bytes_stream();
    let mut seen = String::new();
    let found = tokio::time::timeout(WAIT, async {
        while let Some(chunk) = bytes.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            // Two of them: the stream stays up after the first.
            if seen.matches(": keep-alive").count() >= 2 {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        found,
        Ok(true),
        "keep-alive comments on an idle stream: {seen:?}"
    );
    server.finish().await;
});

/// Two instances on one PostgreSQL: a write through one wakes a stream held by the other
/// (LISTEN/NOTIFY), and a sign-out through one ends a stream on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres() {
    if syncer_cloud::testing::postgres_url().is_none() {
        return;
    }
    let one = TestServer::start(Backend::Postgres, test_settings())
        .await
        .unwrap();
    let two = one.another_instance(test_settings()).await;
    let (a, b, key) = account(&one.url(), "two@example.org").await;
    let b_on_two = b.via(&two.url());
    let mut stream = b_on_two.events(None).await;
    let mut a_stream = a.via(&two.url()).events(None).await;
    for i in 0..3 {
        let seq = a.put(&key, "bases", &format!("r{i}"), 0).await["seq"]
            .as_i64()
            .unwrap();
        assert_eq!(stream.next().await.0, seq, "written on one, heard on two");
        assert_eq!(a_stream.next().await.0, seq);
    }
    b.send(reqwest::Method::POST, "/v1/auth/logout", None).await;
    stream.ends().await;
    let seq = a.put(&key, "bases", "last", 0).await["seq"]
        .as_i64()
        .unwrap();
    assert_eq!(a_stream.next().await.0, seq);
    drop(a_stream);
    two.stop().await;
    one.finish().await;
}

/// The publish API the enrollment and device endpoints call: a device_enrolled reaches every
/// stream; a device_revoked reaches them too and ends the revoked device's own stream. The
/// hub forgets users whose streams are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_device_events_and_the_revoked_devices_stream() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("cloud.db"))
        .await
        .unwrap();
    let state = AppState::new(storage, test_settings()).await.unwrap();
    let server = RunningServer::start_with_state(state.clone(), ([127, 0, 0, 1], 0).into())
        .await
        .unwrap();
    let (a, b, _key) = account(&server.url(), "pub@example.org").await;
    let user_id = {
        let me = a.send(reqwest::Method::GET, "/v1/me", None).await;
        me["user_id"].as_str().unwrap().to_owned()
    };
    let mut a_stream = a.events(None).await;
    let mut b_stream = b.events(None).await;
    assert_eq!(state.events.users_watching(), 1);

    let enrolled = EventKind::DeviceEnrolled {
        device_id: "new-device".into(),
        name: "phone".into(),
    };
    let id = events::publish(&state, &user_id, enrolled.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a_stream.next().await, (id, enrolled.clone()));
    assert_eq!(b_stream.next().await, (id, enrolled));

    let revoked = EventKind::DeviceRevoked {
        device_id: b.device_id.clone(),
    };
    let id = events::publish(&state, &user_id, revoked.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b_stream.next().await, (id, revoked.clone()));
    b_stream.ends().await;
    assert_eq!(a_stream.next().await, (id, revoked));
    drop(a_stream);
    drop(b_stream);
    let forgotten = tokio::time::timeout(WAIT, async {
        while state.events.users_watching() != 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        forgotten.is_ok(),
        "the hub keeps no entry for a user without streams"
    );
    assert_eq!(
        events::publish(
            &state,
            "no-such-user",
            EventKind::DeviceRevoked {
                device_id: "x".into()
            }
        )
        .await
        .unwrap(),
        None
    );
    server.stop().await;
}

backend_tests!(
    joining_by_code_and_removing_a_device_are_announced,
    |backend| async move {
        let server = TestServer::start(backend, test_settings()).await.unwrap();
        let (a, b, key) = account(&server.url(), "join@example.org").await;
        let mut a_stream = a.events(None).await;
        let mut b_stream = b.events(None).await;

        // A makes a code; a new device completes it: every stream hears of the new device.
        let secret = syncer_crypto::EnrollmentSecret::generate();
        let wrap = syncer_crypto::EnrollmentWrap::wrap(&key, &secret).unwrap();
        let created = a
            .send(
                reqwest::Method::POST,
                "/v1/enrollments",
                Some(json!({
                    "key_id": key.key_id().as_str(),
                    "wrapped_key": serde_json::from_str::<Value>(&wrap.to_json()).unwrap(),
                })),
            )
            .await;
        let token = created["token"].as_str().unwrap();
        let (status, enrolled) = Api::new(server.url())
            .post(
                &format!("/v1/enrollments/{token}/complete"),
                json!({"device_name": "phone", "platform": "android"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{enrolled}");
        let phone = enrolled["session"]["device_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let announced = EventKind::DeviceEnrolled {
            device_id: phone.clone(),
            name: "phone".into(),
        };
        assert_eq!(a_stream.next().await.1, announced);
        assert_eq!(b_stream.next().await.1, announced);

        // A removes B: both hear it, and B's stream closes.
        a.send(
            reqwest::Method::DELETE,
            &format!("/v1/devices/{}", b.device_id),
            None,
        )
        .await;
        let removed = EventKind::DeviceRevoked {
            device_id: b.device_id.clone(),
        };
        assert_eq!(a_stream.next().await.1, removed);
        // B is told it was removed (that event only), then its stream closes.
        assert_eq!(b_stream.next().await.1, removed);
        b_stream.ends().await;
        // B cannot open another.
        assert_eq!(b.open(None).await.status(), StatusCode::UNAUTHORIZED);
        server.finish().await;
    }
);
