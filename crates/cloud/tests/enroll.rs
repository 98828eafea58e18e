//! Device enrollment by QR code and device management over HTTP on 127.0.0.1:0, on both
//! backends: the whole flow, every refusal (unknown, expired, used, concurrent completion),
//! and revocation that ends a device's tokens at once.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Api, start};
use syncer_cloud::backend_tests;
use syncer_cloud::testing::{TestServer, test_settings};
use syncer_crypto::{EnrollmentSecret, EnrollmentWrap, MasterKey};

fn phone() -> Value {
    json!({
        "device_name": "phone",
        "platform": "android",
        "os_version": "15",
        "model": "Pixel 9",
        "app_version": "0.9.0",
    })
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

backend_tests!(
    a_new_device_joins_with_the_code_alone,
    |backend| async move {
        let (server, mut a) = start(backend).await;
        let session_a = a.register("ada@example.org").await;
        let master = a.set_key().await;
        let (token, secret, created) = a.enroll(&master).await;
        assert_eq!(created["expires_in"], 600);

        let anon = Api::new(server.url());
        let (status, info) = anon.get(&format!("/v1/enrollments/{token}")).await;
        assert_eq!(status, StatusCode::OK, "{info}");
        assert_eq!(info["email"], "ada@example.org");
        assert_eq!(info["created_by_device"], "laptop");
        assert_eq!(info["expires_at"], created["expires_at"]);

        let (status, enrolled) = anon
            .post(&format!("/v1/enrollments/{token}/complete"), phone())
            .await;
        assert_eq!(status, StatusCode::CREATED, "{enrolled}");
        assert_eq!(enrolled["email"], "ada@example.org");
        assert_eq!(enrolled["key_id"], master.key_id().as_str());
        let session = &enrolled["session"];
        assert_eq!(session["user_id"], session_a["user_id"]);
        assert_ne!(session["device_id"], session_a["device_id"]);
        assert!(
            session["refresh_token"]
                .as_str()
                .unwrap()
                .starts_with("scr_")
        );
        // The wrapped key opens with the secret from the code: the same master key.
        let wrap = EnrollmentWrap::from_json(&enrolled["wrapped_key"].to_string()).unwrap();
        assert_eq!(wrap.unwrap(&secret).unwrap().key_id(), master.key_id());

        // The new device is signed in, and reads its instructions.
        let b = anon.with_token(session["access_token"].as_str().unwrap());
        let url = enrolled["instructions_url"].as_str().unwrap();
        assert_eq!(url, format!("{}/v1/instructions", server.url()));
        let (status, instructions) = b.get("/v1/instructions").await;
        assert_eq!(status, StatusCode::OK, "{instructions}");
        assert_eq!(instructions["server_url"], server.url());
        assert_eq!(instructions["enrolled_by"], "qr");
        assert_eq!(instructions["device_id"], session["device_id"]);
        assert_eq!(instructions["sync"]["batch_size"], 500);
        assert_eq!(instructions["sync"]["compression"], "gzip");
        assert_eq!(instructions["sync"]["interval_secs"], 900);
        let (status, _) = anon.get("/v1/instructions").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = b.get("/v1/keys").await;
        assert_eq!(status, StatusCode::OK);

        // Both devices are listed, each marked "this device" for itself.
        let (status, list) = a.get("/v1/devices").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["device_id"], session_a["device_id"]);
        let devices = list["devices"].as_array().unwrap();
        assert_eq!(devices.len(), 2);
        let new = devices
            .iter()
            .find(|d| d["id"] == session["device_id"])
            .unwrap();
        assert_eq!(new["name"], "phone");
        assert_eq!(new["enrolled_by"], "qr");
        assert_eq!(new["platform"], "android");
        assert_eq!(new["os_version"], "15");
        assert_eq!(new["model"], "Pixel 9");
        assert_eq!(new["app_version"], "0.9.0");
        assert_eq!(new["current"], false);
        assert!(new["created_at"].as_i64().unwrap() > 0);
        assert!(new["last_seen_at"].as_i64().unwrap() > 0);
        let old = devices
            .iter()
            .find(|d| d["id"] == session_a["device_id"])
            .unwrap();
        assert_eq!(
            (old["enrolled_by"].as_str(), old["current"].as_bool()),
            (Some("password"), Some(true))
        );
        let (_, list_b) = b.get("/v1/devices").await;
        assert_eq!(list_b["device_id"], session["device_id"]);

        // Used: the code works once.
        let (status, body) = anon.get(&format!("/v1/enrollments/{token}")).await;
        assert_eq!((status, code(&body)), (StatusCode::GONE, "enrollment_used"));
        let (status, body) = anon
            .post(&format!("/v1/enrollments/{token}/complete"), phone())
            .await;
        assert_eq!((status, code(&body)), (StatusCode::GONE, "enrollment_used"));
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("new code")
        );

        // Unknown.
        let (status, body) = anon.get("/v1/enrollments/sce_nothing").await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::NOT_FOUND, "enrollment_unknown")
        );
        let (status, body) = anon
            .post("/v1/enrollments/sce_nothing/complete", phone())
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::NOT_FOUND, "enrollment_unknown")
        );
        let (_, list) = a.get("/v1/devices").await;
        assert_eq!(list["devices"].as_array().unwrap().len(), 2);
        server.finish().await;
    }
);

backend_tests!(
    creating_a_code_needs_the_accounts_key,
    |backend| async move {
        let (server, mut a) = start(backend).await;
        a.register("key@example.org").await;
        let stray = MasterKey::generate();
        let secret = EnrollmentSecret::generate();
        let wrap = |key: &MasterKey| {
            serde_json::from_str::<Value>(&EnrollmentWrap::wrap(key, &secret).unwrap().to_json())
                .unwrap()
        };
        let body = json!({"key_id": stray.key_id().as_str(), "wrapped_key": wrap(&stray)});
        let (status, err) = a.post("/v1/enrollments", body.clone()).await;
        assert_eq!((status, code(&err)), (StatusCode::NOT_FOUND, "no_key"));
        let master = a.set_key().await;
        let (status, err) = a.post("/v1/enrollments", body).await;
        assert_eq!(
            (status, code(&err)),
            (StatusCode::UNPROCESSABLE_ENTITY, "wrong_key")
        );
        let (status, err) = a
            .post(
                "/v1/enrollments",
                json!({"key_id": master.key_id().as_str(), "wrapped_key": wrap(&stray)}),
            )
            .await;
        assert_eq!(
            (status, code(&err)),
            (StatusCode::BAD_REQUEST, "key_id_mismatch")
        );
        let (status, err) = a
            .post(
                "/v1/enrollments",
                json!({"key_id": master.key_id().as_str(), "wrapped_key": {"format": "nope"}}),
            )
            .await;
        assert_eq!(
            (status, code(&err)),
            (StatusCode::BAD_REQUEST, "invalid_enrollment_wrap")
        );
        let anon = Api::new(server.url());
        let (status, _) = anon
            .post(
                "/v1/enrollments",
                json!({"key_id": master.key_id().as_str(), "wrapped_key": wrap(&master)}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // A bad device name is refused before the code is spent.
        let (token, _, _) = a.enroll(&master).await;
        let (status, err) = anon
            .post(
                &format!("/v1/enrollments/{token}/complete"),
                json!({"device_name": "  "}),
            )
            .await;
        assert_eq!(
            (status, code(&err)),
            (StatusCode::BAD_REQUEST, "invalid_device_name")
        );
        let (status, _) = anon
            .post(
                &format!("/v1/enrollments/{token}/complete"),
                json!({"device_name": "tablet"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        server.finish().await;
    }
);

backend_tests!(an_expired_code_is_refused, |backend| async move {
    // A lifetime of zero: every code is expired the moment it exists, with no waiting.
    let mut settings = test_settings();
    settings.enrollment_ttl = Duration::ZERO;
    let server = TestServer::start(backend, settings).await.unwrap();
    let mut a = Api::new(server.url());
    a.register("late@example.org").await;
    let master = a.set_key().await;
    let (token, _, _) = a.enroll(&master).await;
    let anon = Api::new(server.url());
    let (status, body) = anon.get(&format!("/v1/enrollments/{token}")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::GONE, "enrollment_expired")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("new code")
    );
    let (status, body) = anon
        .post(&format!("/v1/enrollments/{token}/complete"), phone())
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::GONE, "enrollment_expired")
    );
    let (_, list) = a.get("/v1/devices").await;
    assert_eq!(list["devices"].as_array().unwrap().len(), 1);
    server.finish().await;
});

backend_tests!(
    of_concurrent_completions_exactly_one_wins,
    |backend| async move {
        let (server, mut a) = start(backend).await;
        a.register("race@example.org").await;
        let master = a.set_key().await;
        let (token, _, _) = a.enroll(&master).await;
        let anon = Api::new(server.url());
        let racers: Vec<_> = (0..8)
            .map(|i| {
                let anon = anon.clone();
                let token = token.clone();
                tokio::spawn(async move {
                    anon.post(
                        &format!("/v1/enrollments/{token}/complete"),
                        json!({"device_name": format!("racer {i}")}),
                    )
                    .await
                })
            })
            .collect();
        let mut won = 0;
        for racer in racers {
            let (status, body) = racer.await.unwrap();
            match status {
                StatusCode::CREATED => won += 1,
                StatusCode::GONE => assert_eq!(code(&body), "enrollment_used", "{body}"),
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(won, 1);
        let (_, list) = a.get("/v1/devices").await;
        assert_eq!(list["devices"].as_array().unwrap().len(), 2);
        server.finish().await;
    }
);

backend_tests!(a_revoked_device_is_out_at_once, |backend| async move {
    let (server, mut a) = start(backend).await;
    let session_a = a.register("rev@example.org").await;
    let master = a.set_key().await;
    let (token, _, _) = a.enroll(&master).await;
    let anon = Api::new(server.url());
    let (_, enrolled) = anon
        .post(&format!("/v1/enrollments/{token}/complete"), phone())
        .await;
    let session_b = &enrolled["session"];
    let b = anon.with_token(session_b["access_token"].as_str().unwrap());
    let b_id = session_b["device_id"].as_str().unwrap();
    assert_eq!(b.get("/v1/me").await.0, StatusCode::OK);

    // B shows a code of its own, then is removed: the code dies with it.
    let (pending, _, _) = b.enroll(&master).await;

    // Another account can neither rename nor remove A's devices: as if they did not exist.
    let mut other = Api::new(server.url());
    other.register("mallory@example.org").await;
    let (status, _) = other.delete(&format!("/v1/devices/{b_id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other
        .patch(&format!("/v1/devices/{b_id}"), json!({"name": "mine"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(b.get("/v1/me").await.0, StatusCode::OK);

    let (status, _) = a.delete(&format!("/v1/devices/{b_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Its access token stops at once; its refresh token says why.
    let (status, _) = b.get("/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = anon
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": session_b["refresh_token"]}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "device_revoked")
    );
    let (status, body) = anon
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": session_b["refresh_token"]}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "device_revoked")
    );
    // The code the removed device showed ended with its sign-in.
    let (status, body) = anon.get(&format!("/v1/enrollments/{pending}")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::GONE, "enrollment_revoked")
    );
    let (_, list) = a.get("/v1/devices").await;
    let ids: Vec<&str> = list["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![session_a["device_id"].as_str().unwrap()]);
    // Removing it twice: it is gone.
    let (status, _) = a.delete(&format!("/v1/devices/{b_id}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A's own sessions are untouched; removing itself signs it out.
    let a_id = session_a["device_id"].as_str().unwrap();
    let (status, _) = a.delete(&format!("/v1/devices/{a_id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(a.get("/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = anon
        .post(
            "/v1/auth/refresh",
            json!({"refresh_token": session_a["refresh_token"]}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "device_revoked")
    );
    server.finish().await;
});

backend_tests!(devices_are_renamed, |backend| async move {
    let (server, mut a) = start(backend).await;
    let session = a.register("name@example.org").await;
    let id = session["device_id"].as_str().unwrap();
    let (status, device) = a
        .patch(
            &format!("/v1/devices/{id}"),
            json!({"name": "  work laptop "}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{device}");
    assert_eq!(device["name"], "work laptop");
    assert_eq!(device["current"], true);
    let (status, body) = a
        .patch(&format!("/v1/devices/{id}"), json!({"name": ""}))
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_device_name")
    );
    let (status, _) = a.patch("/v1/devices/nope", json!({"name": "x"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = a.get("/v1/devices").await;
    assert_eq!(list["devices"][0]["name"], "work laptop");
    let (_, me) = a.get("/v1/me").await;
    assert_eq!(me["devices"][0]["name"], "work laptop");
    server.finish().await;
});
