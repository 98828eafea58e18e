//! The server under attack (issue #24's "Security and abuse"), over HTTP on 127.0.0.1:0, on
//! both backends: sign-ins that end take their enrollment codes with them, wiping all data
//! needs the password, connections and event streams are bounded, password hashing is
//! bounded, the rate limit keys on the trusted proxy's hop and on (account, address), NUL
//! characters and out-of-range versions are refused with 400, and signup and login agree on
//! whether an email has an account.
#![allow(clippy::unwrap_used)]

mod support;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Api, start};
use syncer_cloud::backend_tests;
use syncer_cloud::password::{HashLimits, PasswordCost};
use syncer_cloud::testing::{Backend, TestServer, test_settings};
use syncer_cloud::{AuthLimits, Settings};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Long enough for a slow shared machine; what should happen happens well before.
const WAIT: Duration = Duration::from_secs(10);
const PASSWORD: &str = "a long password";

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

fn phone() -> Value {
    json!({"device_name": "phone", "platform": "android"})
}

async fn server(backend: Backend, settings: Settings) -> TestServer {
    TestServer::start(backend, settings).await.unwrap()
}

/// Signs `email` in on a new device; the client holds its token.
async fn login(base: &str, email: &str) -> (Api, Value) {
    let (status, body) = Api::new(base.to_owned())
        .post(
            "/v1/auth/login",
            json!({"email": email, "password": PASSWORD, "device_name": "intruder"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let api = Api::new(base.to_owned()).with_token(body["access_token"].as_str().unwrap());
    (api, body)
}

// ---- enrollment codes end with the sign-in that made them -----------------------------------

backend_tests!(
    a_password_change_ends_the_codes_of_the_sessions_it_ends,
    |backend| async move {
        let (server, mut user) = start(backend).await;
        user.register("victim@example.org").await;
        let master = user.set_key().await;
        // The intruder knows the password, signs in, and makes a code for later.
        let (intruder, _) = login(&server.url(), "victim@example.org").await;
        let (intruder_code, _, _) = intruder.enroll(&master).await;
        // The user's own code, made by the session that stays.
        let (own_code, _, _) = user.enroll(&master).await;

        let (status, body) = user
            .put(
                "/v1/account/password",
                json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(intruder.get("/v1/me").await.0, StatusCode::UNAUTHORIZED);

        let anon = Api::new(server.url());
        let (status, body) = anon.get(&format!("/v1/enrollments/{intruder_code}")).await;
        assert_eq!(status, StatusCode::GONE, "{body}");
        let (status, body) = anon
            .post(
                &format!("/v1/enrollments/{intruder_code}/complete"),
                phone(),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::GONE, "enrollment_revoked"),
            "{body}"
        );
        // Nothing was created by the refused code.
        let (_, devices) = user.get("/v1/devices").await;
        assert!(
            devices["devices"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["name"] != "phone"),
            "{devices}"
        );

        // The code of the session that asked still works.
        let (status, body) = anon
            .post(&format!("/v1/enrollments/{own_code}/complete"), phone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        server.finish().await;
    }
);

backend_tests!(
    sign_out_device_removal_and_refresh_reuse_end_codes_too,
    |backend| async move {
        let (server, mut user) = start(backend).await;
        user.register("pat@example.org").await;
        let master = user.set_key().await;
        let anon = Api::new(server.url());
        let completes = |token: String| {
            let anon = anon.clone();
            async move {
                let (status, body) = anon
                    .post(&format!("/v1/enrollments/{token}/complete"), phone())
                    .await;
                (status, code(&body).to_owned())
            }
        };
        let refused = (StatusCode::GONE, "enrollment_revoked".to_owned());

        // Sign-out.
        let (signed_out, _) = login(&server.url(), "pat@example.org").await;
        let (token, _, _) = signed_out.enroll(&master).await;
        let (status, _) = signed_out.post("/v1/auth/logout", json!({})).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(completes(token).await, refused);

        // Removing the device that made the code.
        let (removed, session) = login(&server.url(), "pat@example.org").await;
        let (token, _, _) = removed.enroll(&master).await;
        let device = session["device_id"].as_str().unwrap();
        let (status, _) = user.delete(&format!("/v1/devices/{device}"), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body) = completes(token).await;
        assert_eq!(status, StatusCode::GONE, "{body}");

        // A refresh token used twice ends its sign-in, and the sign-in's codes.
        let (copied, session) = login(&server.url(), "pat@example.org").await;
        let (token, _, _) = copied.enroll(&master).await;
        let refresh = json!({"refresh_token": session["refresh_token"]});
        assert_eq!(
            anon.post("/v1/auth/refresh", refresh.clone()).await.0,
            StatusCode::OK
        );
        let (status, body) = anon.post("/v1/auth/refresh", refresh).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "refresh_reused")
        );
        assert_eq!(completes(token).await, refused);
        server.finish().await;
    }
);

// ---- wiping all cloud data asks for more than a token ---------------------------------------

backend_tests!(wiping_all_data_needs_the_password, |backend| async move {
    // Nothing counts as a fresh sign-in here: only the password will do.
    let settings = Settings {
        fresh_sign_in: Duration::ZERO,
        ..test_settings()
    };
    let server = server(backend, settings).await;
    let mut api = Api::new(server.url());
    api.register("wipe@example.org").await;
    api.set_key().await;

    let (status, body) = api.delete("/v1/records", None).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "password_required"),
        "{body}"
    );
    let (status, body) = api
        .delete("/v1/records", Some(json!({"password": "not the password"})))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials"),
        "{body}"
    );
    assert_eq!(
        api.get("/v1/keys").await.0,
        StatusCode::OK,
        "nothing was deleted"
    );

    // A body that is not an object is refused, not read as "no password".
    let (status, body) = api.delete("/v1/records", Some(json!([]))).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_json"),
        "{body}"
    );
    let (status, body) = api.delete("/v1/records", Some(Value::Null)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "password_required"),
        "{body}"
    );
    let (status, body) = api
        .delete("/v1/records", Some(json!({"password": PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = api.get("/v1/keys").await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "no_key"));
    server.finish().await;
});

backend_tests!(
    a_fresh_password_sign_in_may_wipe_without_the_password_but_a_code_may_not,
    |backend| async move {
        let (server, mut api) = start(backend).await;
        api.register("fresh@example.org").await;
        let master = api.set_key().await;
        // A device that joined by code never typed the password: it must send it.
        let (token, _, _) = api.enroll(&master).await;
        let (status, enrolled) = Api::new(server.url())
            .post(&format!("/v1/enrollments/{token}/complete"), phone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{enrolled}");
        let joined = Api::new(server.url())
            .with_token(enrolled["session"]["access_token"].as_str().unwrap());
        let (status, body) = joined.delete("/v1/records", None).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::FORBIDDEN, "password_required")
        );
        // The device that signed in with the password a moment ago may.
        let (status, body) = api.delete("/v1/records", None).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        server.finish().await;
    }
);

// ---- connections ------------------------------------------------------------------------------

/// Sends raw bytes and reads until the server closes or `WAIT` passes; returns what came and
/// whether the server closed the connection.
async fn read_until_closed(stream: &mut TcpStream) -> (String, bool) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return (String::from_utf8_lossy(&out).into_owned(), false),
            Ok(Ok(0) | Err(_)) => return (String::from_utf8_lossy(&out).into_owned(), true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

backend_tests!(
    connections_past_the_limit_get_a_clear_503,
    |backend| async move {
        let settings = Settings {
            max_connections: Some(3),
            ..test_settings()
        };
        let server = server(backend, settings).await;
        let addr = server.server.addr();
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(TcpStream::connect(addr).await.unwrap());
        }
        // The server takes them off the backlog in its own time.
        tokio::time::sleep(Duration::from_millis(300)).await;

        let mut extra = TcpStream::connect(addr).await.unwrap();
        extra
            .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let (answer, closed) = read_until_closed(&mut extra).await;
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        assert!(answer.to_lowercase().contains("retry-after: 1"), "{answer}");
        let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(code(&body), "busy");
        assert!(closed, "the refused connection is closed");

        // Once the held ones go, the server answers again.
        drop(held);
        let api = Api::new(server.url());
        let started = Instant::now();
        loop {
            let ok = api
                .http
                .get(format!("{}/healthz", server.url()))
                .send()
                .await
                .is_ok_and(|r| r.status() == StatusCode::OK);
            if ok {
                break;
            }
            assert!(started.elapsed() < WAIT, "the server never recovered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = api;
        server.finish().await;
    }
);

backend_tests!(
    silent_and_idle_connections_are_closed,
    |backend| async move {
        let settings = Settings {
            header_read_timeout: Duration::from_millis(300),
            event_keepalive: Duration::from_millis(200),
            idle_timeout: Duration::from_millis(500),
            ..test_settings()
        };
        let server = server(backend, settings).await;
        let addr = server.server.addr();

        // Connected, and not a byte sent.
        let started = Instant::now();
        let mut silent = TcpStream::connect(addr).await.unwrap();
        let (_, closed) = read_until_closed(&mut silent).await;
        assert!(
            closed && started.elapsed() < Duration::from_secs(5),
            "silent connection kept"
        );

        // Half the headers, then nothing.
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        let (_, closed) = read_until_closed(&mut slow).await;
        assert!(
            closed,
            "a connection that never finished its headers was kept"
        );

        // One request answered, then the kept-alive connection waits too long for the next.
        let mut kept = TcpStream::connect(addr).await.unwrap();
        kept.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
            .await
            .unwrap();
        let (answer, closed) = read_until_closed(&mut kept).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(closed, "an idle kept-alive connection was kept");

        // Headers sent, the body promised and never sent: idle, closed.
        let mut stalled = TcpStream::connect(addr).await.unwrap();
        stalled
            .write_all(
                b"POST /v1/auth/login HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
              content-length: 100\r\n\r\n{\"email\"",
            )
            .await
            .unwrap();
        let (_, closed) = read_until_closed(&mut stalled).await;
        assert!(closed, "a stalled body was kept");

        // An event stream with its keep-alives is not idle: it outlives several idle timeouts.
        let mut api = Api::new(server.url());
        api.register("idle@example.org").await;
        let mut stream = api
            .http
            .get(format!("{}/v1/events", server.url()))
            .bearer_auth(api.token.as_deref().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        let started = Instant::now();
        let mut keepalives = 0;
        while started.elapsed() < Duration::from_millis(1500) {
            let chunk = tokio::time::timeout(WAIT, stream.chunk())
                .await
                .expect("the stream stalled")
                .expect("the stream failed")
                .expect("the stream ended while busy with keep-alives");
            keepalives += usize::from(String::from_utf8_lossy(&chunk).contains("keep-alive"));
        }
        assert!(keepalives >= 3, "{keepalives} keep-alives");
        server.finish().await;
    }
);

backend_tests!(
    a_device_holds_a_bounded_number_of_event_streams,
    |backend| async move {
        let settings = Settings {
            events_per_device: 2,
            ..test_settings()
        };
        let server = server(backend, settings).await;
        let mut api = Api::new(server.url());
        api.register("streams@example.org").await;
        let open = async || {
            let response = api
                .http
                .get(format!("{}/v1/events", server.url()))
                .bearer_auth(api.token.as_deref().unwrap())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response
        };
        let mut oldest = open().await;
        let mut second = open().await;
        // Give the streams time to register before the third arrives.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut third = open().await;

        // The oldest ends: its body finishes.
        let ended = tokio::time::timeout(WAIT, async {
            while let Ok(Some(_)) = oldest.chunk().await {}
        })
        .await;
        assert!(ended.is_ok(), "the oldest stream was not ended");

        // The other two still deliver: a device enrolled is announced to both.
        let master = api.set_key().await;
        let (token, _, _) = api.enroll(&master).await;
        let (status, _) = Api::new(server.url())
            .post(&format!("/v1/enrollments/{token}/complete"), phone())
            .await;
        assert_eq!(status, StatusCode::CREATED);
        for stream in [&mut second, &mut third] {
            let got = tokio::time::timeout(WAIT, async {
                let mut seen = String::new();
                while let Ok(Some(chunk)) = stream.chunk().await {
                    seen.push_str(&String::from_utf8_lossy(&chunk));
                    if seen.contains("device_enrolled") {
                        return true;
                    }
                }
                false
            })
            .await;
            assert_eq!(got, Ok(true), "a live stream missed the event");
        }
        server.finish().await;
    }
);

// ---- password hashing is bounded ------------------------------------------------------------

backend_tests!(
    password_hashing_past_its_limit_is_refused_with_503,
    |backend| async move {
        let settings = Settings {
            // Costly enough that the attempts below overlap.
            password_cost: PasswordCost {
                m_cost_kib: 16 * 1024,
                t_cost: 2,
            },
            hash_limits: HashLimits {
                concurrent: 1,
                queued: 1,
            },
            ..test_settings()
        };
        let server = server(backend, settings).await;
        let mut api = Api::new(server.url());
        api.register("hash@example.org").await;
        let attempts = (0..16).map(|_| {
            let anon = Api::new(server.url());
            async move {
                let response = anon
                    .http
                    .post(format!("{}/v1/auth/login", anon.base))
                    .json(&json!({"email": "hash@example.org", "password": "wrong password!", "device_name": "x"}))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                let retry_after = response.headers().get("retry-after").cloned();
                let body: Value = response.json().await.unwrap();
                (status, retry_after, code(&body).to_owned())
            }
        });
        let answers = futures_util::future::join_all(attempts).await;
        let busy: Vec<_> = answers
            .iter()
            .filter(|(status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
            .collect();
        assert!(!busy.is_empty(), "{answers:?}");
        for (_, retry_after, code) in &busy {
            assert_eq!(code, "busy");
            assert_eq!(retry_after.as_ref().unwrap(), "1");
        }
        assert!(
            answers.iter().all(
                |(status, _, code)| *status == StatusCode::SERVICE_UNAVAILABLE
                    || (*status == StatusCode::UNAUTHORIZED && code == "invalid_credentials")
            ),
            "{answers:?}"
        );
        // Once the storm passed, the right password works.
        let (status, body) = Api::new(server.url())
            .post(
                "/v1/auth/login",
                json!({"email": "hash@example.org", "password": PASSWORD, "device_name": "x"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        server.finish().await;
    }
);

// ---- rate limits ------------------------------------------------------------------------------

async fn login_from(api: &Api, forwarded_for: &str, password: &str) -> (StatusCode, Value) {
    let response = api
        .http
        .post(format!("{}/v1/auth/login", api.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": "xff@example.org", "password": password, "device_name": "x"}))
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

backend_tests!(
    the_rate_limit_keys_on_the_hop_the_trusted_proxy_wrote,
    |backend| async move {
        for hops in [1, 2] {
            let settings = Settings {
                trust_forwarded_for: true,
                trusted_proxy_hops: hops,
                auth_limits: AuthLimits {
                    per_ip_per_minute: 3,
                    per_account_per_minute: 10_000,
                },
                ..test_settings()
            };
            let server = server(backend, settings).await;
            let mut api = Api::new(server.url());
            api.register("xff@example.org").await;
            // What the proxies appended: the client's address, then the inner proxy's.
            let trusted = |client: &str| match hops {
                1 => client.to_owned(),
                _ => format!("{client}, 10.0.0.1"),
            };
            // The client writes a new first hop every time; it does not get it past the limit.
            let mut statuses = Vec::new();
            for i in 0..6 {
                let header = format!("192.0.2.{i}, {}", trusted("203.0.113.5"));
                statuses.push(login_from(&api, &header, "wrong password!").await.0);
            }
            assert_eq!(
                statuses
                    .iter()
                    .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
                    .count(),
                3,
                "hops {hops}: {statuses:?}"
            );
            // Another client behind the same proxy has its own budget.
            let (status, body) = login_from(&api, &trusted("203.0.113.6"), PASSWORD).await;
            assert_eq!(status, StatusCode::OK, "hops {hops}: {body}");
            server.finish().await;
        }
    }
);

backend_tests!(
    wrong_logins_from_elsewhere_do_not_lock_the_owner_out,
    |backend| async move {
        let settings = Settings {
            auth_limits: AuthLimits {
                per_ip_per_minute: 10_000,
                per_account_per_minute: 4,
            },
            ..test_settings()
        };
        let server = server(backend, settings).await;
        let mut owner = Api::new(server.url());
        owner.register("owner@example.org").await;

        // The attacker, from another address, spends far more than the account's budget.
        let mut attacker = Api::new(server.url());
        attacker.http = reqwest::Client::builder()
            .local_address("127.0.0.2".parse::<IpAddr>().unwrap())
            .build()
            .unwrap();
        let wrong = json!({"email": "owner@example.org", "password": "wrong password!", "device_name": "x"});
        let mut statuses = Vec::new();
        for _ in 0..10 {
            statuses.push(attacker.post("/v1/auth/login", wrong.clone()).await.0);
        }
        assert_eq!(statuses[9], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");

        // The owner, from their own address, signs in and changes the password.
        let (status, body) = Api::new(server.url())
            .post(
                "/v1/auth/login",
                json!({"email": "owner@example.org", "password": PASSWORD, "device_name": "phone"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = owner
            .put(
                "/v1/account/password",
                json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        server.finish().await;
    }
);

// ---- input the databases cannot hold ---------------------------------------------------------

backend_tests!(nul_characters_are_refused_with_400, |backend| async move {
    let (server, mut api) = start(backend).await;
    let anon = Api::new(server.url());
    let nul = "a\u{0}b";
    let mut answers = vec![
        anon.post(
            "/v1/auth/register",
            json!({"email": format!("{nul}@example.org"), "password": PASSWORD, "device_name": "x"}),
        )
        .await,
        anon.post(
            "/v1/auth/register",
            json!({"email": "n@example.org", "password": PASSWORD, "device_name": nul}),
        )
        .await,
        anon.post(
            "/v1/auth/register",
            json!({"email": "n@example.org", "password": format!("{PASSWORD}{nul}"), "device_name": "x"}),
        )
        .await,
        anon.post(
            "/v1/auth/login",
            json!({"email": format!("{nul}@example.org"), "password": PASSWORD, "device_name": "x"}),
        )
        .await,
        anon.post(
            "/v1/auth/login",
            json!({"email": "n@example.org", "password": PASSWORD, "device_name": "x", "model": nul}),
        )
        .await,
        anon.get("/v1/enrollments/%00").await,
        anon.post("/v1/enrollments/%00/complete", phone()).await,
    ];
    let session = api.register("n@example.org").await;
    let device = session["device_id"].as_str().unwrap();
    answers.extend([
        api.patch(&format!("/v1/devices/{device}"), json!({"name": nul}))
            .await,
        api.patch("/v1/devices/%00", json!({"name": "ok"})).await,
        api.delete("/v1/devices/%00", None).await,
        api.post(
            "/v1/conflicts/%00/resolve",
            json!({"resolution": "remote_wins"}),
        )
        .await,
        api.get("/v1/records/bases/x%00y").await,
        api.get("/v1/conflicts?state=%00").await,
        api.delete("/v1/records/bases/x?base_version=1%00", None)
            .await,
        api.put("/v1/keys", json!({"key_id": nul, "bundle": {"x": nul}}))
            .await,
    ]);
    for (i, (status, body)) in answers.iter().enumerate() {
        assert_eq!(
            (*status, code(body)),
            (StatusCode::BAD_REQUEST, "invalid_text"),
            "request {i}: {body}"
        );
    }
    // The device's name is untouched, and the account works.
    let (_, devices) = api.get("/v1/devices").await;
    assert_eq!(devices["devices"][0]["name"], "laptop");
    server.finish().await;
});

backend_tests!(
    versions_out_of_range_are_refused_with_400,
    |backend| async move {
        let (server, mut api) = start(backend).await;
        api.register("v@example.org").await;
        let master = api.set_key().await;
        let sealed = syncer_crypto::seal_record(
            &master,
            &syncer_crypto::RecordContext {
                collection: "bases",
                record_id: "r1",
                version: 1,
                device: "d",
            },
            b"x",
        );
        use base64::Engine as _;
        let upload = |base: i64| {
            json!({
                "base_version": base,
                "key_id": master.key_id().as_str(),
                "checksum": syncer_crypto::checksum(&sealed),
                "ciphertext": base64::engine::general_purpose::STANDARD.encode(&sealed),
            })
        };
        let batch_item = |mut upload: Value| {
            upload["collection"] = json!("bases");
            upload["record_id"] = json!("r1");
            upload
        };
        for base in [i64::MAX, -1, 1 << 53] {
            let (status, body) = api.put("/v1/records/bases/r1", upload(base)).await;
            assert_eq!(
                (status, code(&body)),
                (StatusCode::BAD_REQUEST, "invalid_version"),
                "{base}: {body}"
            );
            let (status, body) = api
                .post(
                    "/v1/records/batch",
                    json!({"records": [batch_item(upload(base))]}),
                )
                .await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{base}: {body}");
        }
        let (status, body) = api
            .delete(
                "/v1/records/bases/r1?base_version=9223372036854775807",
                None,
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "invalid_version"),
            "{body}"
        );
        // Past i64 and not a number: the query is refused in the API's error shape.
        for query in ["base_version=9223372036854775808", "base_version=x", ""] {
            let (status, body) = api
                .delete(&format!("/v1/records/bases/r1?{query}"), None)
                .await;
            assert_eq!(
                (status, code(&body)),
                (StatusCode::BAD_REQUEST, "invalid_query"),
                "{query}: {body}"
            );
        }
        // The change feed's cursor and page size are bounded the same way, and say so.
        for query in [
            "since=-1",
            "since=9007199254740992",
            "limit=0",
            "limit=501",
            "limit=x",
        ] {
            let (status, body) = api.get(&format!("/v1/changes?{query}")).await;
            assert_eq!(
                (status, code(&body)),
                (StatusCode::BAD_REQUEST, "invalid_query"),
                "{query}: {body}"
            );
        }
        let (status, body) = api.get("/v1/conflicts?state=everything").await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "invalid_query"),
            "{body}"
        );
        // The largest allowed version is only a conflict (the record does not exist).
        let (status, body) = api.put("/v1/records/bases/r1", upload((1 << 53) - 1)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        server.finish().await;
    }
);

// ---- whether an email has an account ----------------------------------------------------------

backend_tests!(
    signup_and_login_agree_on_whether_an_email_has_an_account,
    |backend| async move {
        let (server, mut api) = start(backend).await;
        api.register("known@example.org").await;
        let anon = Api::new(server.url());
        let (status, body) = anon
            .post(
                "/v1/auth/register",
                json!({"email": "known@example.org", "password": PASSWORD, "device_name": "x"}),
            )
            .await;
        assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "email_taken"));
        let (status, body) = anon
            .post(
                "/v1/auth/login",
                json!({"email": "unknown@example.org", "password": PASSWORD, "device_name": "x"}),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "unknown_account")
        );
        let (status, body) = anon
            .post(
                "/v1/auth/login",
                json!({"email": "known@example.org", "password": "wrong password!", "device_name": "x"}),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        );
        server.finish().await;
    }
);
