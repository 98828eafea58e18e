//! The server over HTTP on 127.0.0.1:0, on both backends: accounts and tokens, records and
//! conflicts, the key check, limits, the error shape, the OpenAPI document, operations.
#![allow(clippy::unwrap_used)]

mod support;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Api, start};
use syncer_cloud::backend_tests;
use syncer_cloud::testing::{Backend, TestServer, test_settings};
use syncer_crypto::{KdfParams, KeyBundle, MasterKey, Passphrase, RecordContext, seal_record};

fn upload(
    key: &MasterKey,
    collection: &str,
    id: &str,
    base: i64,
    device: &str,
    plain: &str,
) -> Value {
    let sealed = seal_record(
        key,
        &RecordContext {
            collection,
            record_id: id,
            version: u64::try_from(base).unwrap() + 1,
            device,
        },
        plain.as_bytes(),
    );
    json!({
        "base_version": base,
        "key_id": key.key_id().as_str(),
        "checksum": syncer_crypto::checksum(&sealed),
        "ciphertext": B64.encode(&sealed),
    })
}

fn assert_error_shape(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["error"]["details"].is_object(), "{body}");
}

backend_tests!(accounts_sign_in_and_out, |backend| async move {
    let (server, mut api) = start(backend).await;
    let session = api.register("Ada@Example.org").await;
    assert!(
        session["access_token"]
            .as_str()
            .unwrap()
            .starts_with("sca_")
    );
    assert!(
        session["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("scr_")
    );
    let (status, me) = api.get("/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "ada@example.org");
    assert_eq!(me["device_id"], session["device_id"]);
    assert_eq!(me["devices"].as_array().unwrap().len(), 1);

    // Taken email.
    let anon = Api::new(server.url());
    let (status, body) = anon
        .post(
            "/v1/auth/register",
            json!({"email": "ada@example.org", "password": "another password", "device_name": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_error_shape(&body, "email_taken");
    let (status, body) = anon
        .post(
            "/v1/auth/register",
            json!({"email": "b@example.org", "password": "short", "device_name": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&body, "weak_password");

    // Signing in tells an unknown email from a wrong password, as registering tells a taken
    // email: whether an email has an account is not a secret here (docs/cloud.md).
    let (s1, wrong_password) = anon
        .post(
            "/v1/auth/login",
            json!({"email": "ada@example.org", "password": "not the password", "device_name": "x"}),
        )
        .await;
    let (s2, unknown_user) = anon
        .post("/v1/auth/login", json!({"email": "nobody@example.org", "password": "not the password", "device_name": "x"}))
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_error_shape(&wrong_password, "invalid_credentials");
    assert_error_shape(&unknown_user, "unknown_account");

    // A device signing in says what it is; the device list shows it.
    let (status, body) = anon
        .post("/v1/auth/login", json!({"email": "ada@example.org", "password": "a long password", "device_name": "phone", "model": "x".repeat(101)}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&body, "invalid_device_details");
    let (status, login) = anon
        .post(
            "/v1/auth/login",
            json!({
                "email": " ADA@example.org ", "password": "a long password", "device_name": "phone",
                "platform": "linux", "os_version": " Debian GNU/Linux 12 ", "app_version": "1.2.3",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_ne!(login["device_id"], session["device_id"]);
    let (_, me) = api.get("/v1/me").await;
    let devices = me["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 2);
    let phone = devices
        .iter()
        .find(|d| d["id"] == login["device_id"])
        .unwrap();
    assert_eq!(phone["enrolled_by"], "password");
    assert_eq!(phone["platform"], "linux");
    assert_eq!(phone["os_version"], "Debian GNU/Linux 12");
    assert_eq!(phone["app_version"], "1.2.3");
    assert_eq!(phone["model"], Value::Null);

    // Signing out ends this device's tokens at once.
    let (status, _) = api.post("/v1/auth/logout", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = api.get("/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error_shape(&body, "token_invalid");
    let (status, body) = anon.get("/v1/me").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error_shape(&body, "unauthorized");
    server.finish().await;
});

backend_tests!(
    refresh_rotates_and_reuse_revokes_the_family,
    |backend| async move {
        let (server, mut api) = start(backend).await;
        let first = api.register("r@example.org").await;
        let old_refresh = first["refresh_token"].as_str().unwrap().to_owned();

        let (status, second) = api
            .post("/v1/auth/refresh", json!({"refresh_token": old_refresh}))
            .await;
        assert_eq!(status, StatusCode::OK, "{second}");
        assert_ne!(second["access_token"], first["access_token"]);
        assert_eq!(second["device_id"], first["device_id"]);
        api.token = Some(second["access_token"].as_str().unwrap().to_owned());
        assert_eq!(api.get("/v1/me").await.0, StatusCode::OK);

        // The spent token again: reuse. The whole family ends, including the new pair.
        let (status, body) = api
            .post("/v1/auth/refresh", json!({"refresh_token": old_refresh}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error_shape(&body, "refresh_reused");
        assert_eq!(api.get("/v1/me").await.0, StatusCode::UNAUTHORIZED);
        let (status, body) = api
            .post(
                "/v1/auth/refresh",
                json!({"refresh_token": second["refresh_token"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error_shape(&body, "token_invalid");

        let (status, body) = api
            .post("/v1/auth/refresh", json!({"refresh_token": "scr_made_up"}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error_shape(&body, "token_invalid");
        server.finish().await;
    }
);

backend_tests!(
    records_version_and_conflicts_resolve,
    |backend| async move {
        let (server, mut api) = start(backend).await;
        let session = api.register("c@example.org").await;
        let device = session["device_id"].as_str().unwrap().to_owned();

        // No key yet: a clear refusal.
        let stray = MasterKey::generate();
        let (status, body) = api
            .put(
                "/v1/records/bases/b1",
                upload(&stray, "bases", "b1", 0, &device, "x"),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_error_shape(&body, "no_key");
        assert_eq!(api.get("/v1/keys").await.0, StatusCode::NOT_FOUND);

        let key = api.set_key().await;
        let (status, stored) = api
            .put(
                "/v1/records/bases/b1",
                upload(&key, "bases", "b1", 0, &device, "v1"),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{stored}");
        assert_eq!(stored["version"], 1);
        assert_eq!(stored["status"], "stored");

        // A write that replaces version 0 again is stale: 409, kept as a conflict.
        let (status, body) = api
            .put(
                "/v1/records/bases/b1",
                upload(&key, "bases", "b1", 0, &device, "other"),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_error_shape(&body, "version_conflict");
        assert_eq!(body["error"]["details"]["current_version"], 1);
        let conflict_id = body["error"]["details"]["conflict_id"]
            .as_str()
            .unwrap()
            .to_owned();

        let (_, conflicts) = api.get("/v1/conflicts").await;
        let list = conflicts.as_array().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["id"], conflict_id.as_str());
        assert_eq!(list[0]["base_version"], 0);
        assert_eq!(list[0]["remote"]["version"], 1);
        // Both versions are there, sealed, and open on the device.
        let local = B64
            .decode(list[0]["local"]["ciphertext"].as_str().unwrap())
            .unwrap();
        let opened = syncer_crypto::open_record(
            &key,
            &RecordContext {
                collection: "bases",
                record_id: "b1",
                version: 1,
                device: &device,
            },
            &local,
        )
        .unwrap();
        assert_eq!(opened, b"other");

        // Resolving without a record where one is needed says so.
        let (status, body) = api
            .post(
                &format!("/v1/conflicts/{conflict_id}/resolve"),
                json!({"resolution": "local_wins"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_shape(&body, "record_required");
        let (status, resolved) = api
        .post(&format!("/v1/conflicts/{conflict_id}/resolve"), json!({"resolution": "local_wins", "record": upload(&key, "bases", "b1", 1, &device, "other")}))
        .await;
        assert_eq!(status, StatusCode::OK, "{resolved}");
        assert_eq!(resolved["version"], 2);
        let (status, body) = api
            .post(
                &format!("/v1/conflicts/{conflict_id}/resolve"),
                json!({"resolution": "remote_wins"}),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_error_shape(&body, "already_resolved");

        // A second conflict, resolved the other way; the history keeps both.
        let (_, body) = api
            .put(
                "/v1/records/bases/b1",
                upload(&key, "bases", "b1", 1, &device, "late"),
            )
            .await;
        let second = body["error"]["details"]["conflict_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, _) = api
            .post(
                &format!("/v1/conflicts/{second}/resolve"),
                json!({"resolution": "remote_wins"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            api.get("/v1/conflicts")
                .await
                .1
                .as_array()
                .unwrap()
                .is_empty()
        );
        let (_, history) = api.get("/v1/conflicts?state=all").await;
        let resolutions: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["resolution"].as_str().unwrap())
            .collect();
        assert_eq!(resolutions, ["local_wins", "remote_wins"]);
        let (_, record) = api.get("/v1/records/bases/b1").await;
        assert_eq!(record["version"], 2);

        // Delete, stating the version; a stale delete conflicts too.
        let (status, body) = api
            .delete("/v1/records/bases/b1?base_version=1", None)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, body) = api
            .delete("/v1/records/bases/b1?base_version=2", None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, record) = api.get("/v1/records/bases/b1").await;
        assert_eq!(record["deleted"], true);
        assert!(record["ciphertext"].is_null());
        server.finish().await;
    }
);

backend_tests!(
    uploads_under_another_key_are_refused,
    |backend| async move {
        let (server, mut api) = start(backend).await;
        let session = api.register("k@example.org").await;
        let device = session["device_id"].as_str().unwrap().to_owned();
        let key = api.set_key().await;
        let other = MasterKey::generate();

        let (status, body) = api
            .put(
                "/v1/records/bases/b1",
                upload(&other, "bases", "b1", 0, &device, "x"),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_error_shape(&body, "wrong_key");
        assert_eq!(
            body["error"]["details"]["account_key_id"],
            key.key_id().as_str()
        );
        assert_eq!(
            body["error"]["details"]["upload_key_id"],
            other.key_id().as_str()
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("passphrase")
        );

        // Claiming the right key id over bytes sealed under another is caught from the header.
        let mut lying = upload(&other, "bases", "b1", 0, &device, "x");
        lying["key_id"] = json!(key.key_id().as_str());
        let (status, body) = api.put("/v1/records/bases/b1", lying).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_error_shape(&body, "wrong_key");

        // A different key cannot replace the account's; the same key under a new passphrase can.
        let keys = KeyBundle::create(&Passphrase::new("p"), KdfParams::INSECURE_FOR_TESTS).unwrap();
        let (status, body) = api
        .put("/v1/keys", json!({"key_id": keys.master.key_id().as_str(), "bundle": serde_json::from_str::<Value>(&keys.bundle.to_json()).unwrap()}))
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_error_shape(&body, "key_exists");

        // A damaged checksum and a non-record are refused before anything is stored.
        let mut bad = upload(&key, "bases", "b1", 0, &device, "x");
        bad["checksum"] = json!("00");
        let (status, body) = api.put("/v1/records/bases/b1", bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_shape(&body, "checksum_mismatch");
        let junk = json!({"base_version": 0, "key_id": key.key_id().as_str(), "checksum": "", "ciphertext": B64.encode(b"plain text")});
        let (status, body) = api.put("/v1/records/bases/b1", junk).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_shape(&body, "invalid_ciphertext");
        assert_eq!(
            api.get("/v1/records/bases/b1").await.0,
            StatusCode::NOT_FOUND
        );
        server.finish().await;
    }
);

backend_tests!(
    changing_the_password_signs_out_the_other_devices,
    |backend| async move {
        let (server, mut api) = start(backend).await;
        api.register("pat@example.org").await;
        let mut phone = Api::new(server.url());
        let (status, login) = phone
        .post(
            "/v1/auth/login",
            json!({"email": "pat@example.org", "password": "a long password", "device_name": "phone"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{login}");
        phone.token = Some(login["access_token"].as_str().unwrap().to_owned());

        // Refused: the wrong current password, then a weak new one; nothing changes.
        let (status, body) = api
        .put(
            "/v1/account/password",
            json!({"current_password": "not it at all", "new_password": "a brand new password"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error_shape(&body, "invalid_credentials");
        let (status, body) = api
            .put(
                "/v1/account/password",
                json!({"current_password": "a long password", "new_password": "short"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_shape(&body, "weak_password");
        assert_eq!(phone.get("/v1/me").await.0, StatusCode::OK);

        let (status, body) = api
        .put(
            "/v1/account/password",
            json!({"current_password": "a long password", "new_password": "a brand new password"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["signed_out_sessions"], 1);

        // This device stays in; the phone is out, its refresh token too.
        assert_eq!(api.get("/v1/me").await.0, StatusCode::OK);
        let (status, body) = phone.get("/v1/me").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error_shape(&body, "token_invalid");
        let anon = Api::new(server.url());
        let (status, _) = anon
            .post(
                "/v1/auth/refresh",
                json!({"refresh_token": login["refresh_token"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // The old password no longer signs in; the new one does.
        let (status, _) = anon
        .post(
            "/v1/auth/login",
            json!({"email": "pat@example.org", "password": "a long password", "device_name": "x"}),
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = anon
        .post(
            "/v1/auth/login",
            json!({"email": "pat@example.org", "password": "a brand new password", "device_name": "x"}),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        server.finish().await;
    }
);

backend_tests!(changes_page_through_a_cursor, |backend| async move {
    let (server, mut api) = start(backend).await;
    let session = api.register("p@example.org").await;
    let device = session["device_id"].as_str().unwrap().to_owned();
    let key = api.set_key().await;
    let items: Vec<Value> = (0..7)
        .map(|i| {
            let id = format!("r{i}");
            let mut item = upload(&key, "children", &id, 0, &device, "x");
            item["collection"] = json!("children");
            item["record_id"] = json!(id);
            item
        })
        .collect();
    let (status, body) = api
        .post("/v1/records/batch", json!({"records": items}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "stored")
    );

    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let (_, page) = api
            .get(&format!("/v1/changes?since={cursor}&limit=3"))
            .await;
        for c in page["changes"].as_array().unwrap() {
            seen.push(c["record_id"].as_str().unwrap().to_owned());
        }
        cursor = page["cursor"].as_i64().unwrap();
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    assert_eq!(seen, ["r0", "r1", "r2", "r3", "r4", "r5", "r6"]);
    let (_, page) = api.get(&format!("/v1/changes?since={cursor}")).await;
    assert!(page["changes"].as_array().unwrap().is_empty());
    assert_eq!(page["cursor"], cursor);
    // The device's durable cursor followed.
    let (_, me) = api.get("/v1/me").await;
    assert_eq!(me["devices"][0]["cursor"], cursor);
    assert_eq!(me["change_seq"], cursor);

    // An update moves a record to the end of the feed.
    api.put(
        "/v1/records/children/r2",
        upload(&key, "children", "r2", 1, &device, "y"),
    )
    .await;
    let (_, page) = api.get(&format!("/v1/changes?since={cursor}")).await;
    let changed: Vec<&str> = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["record_id"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["r2"]);
    server.finish().await;
});

backend_tests!(export_and_delete_everything, |backend| async move {
    let (server, mut api) = start(backend).await;
    let session = api.register("g@example.org").await;
    let device = session["device_id"].as_str().unwrap().to_owned();
    let key = api.set_key().await;
    api.put(
        "/v1/records/bases/b1",
        upload(&key, "bases", "b1", 0, &device, "MARKER-export"),
    )
    .await;
    api.put(
        "/v1/records/bases/b1",
        upload(&key, "bases", "b1", 0, &device, "MARKER-conflict"),
    )
    .await;
    let (status, export) = api.get("/v1/export").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(export["format"], "syncer-cloud-export");
    assert_eq!(export["records"].as_array().unwrap().len(), 1);
    assert_eq!(export["conflicts"].as_array().unwrap().len(), 1);
    assert_eq!(export["key_bundle"]["key_id"], key.key_id().as_str());
    assert!(
        !export.to_string().contains("MARKER"),
        "the export is still encrypted"
    );

    let (status, _) = api.delete("/v1/records", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, export) = api.get("/v1/export").await;
    assert!(export["records"].as_array().unwrap().is_empty());
    assert!(export["conflicts"].as_array().unwrap().is_empty());
    assert!(export["key_id"].is_null());

    let (status, body) = api
        .delete("/v1/account", Some(json!({"password": "wrong password"})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error_shape(&body, "invalid_credentials");
    let (status, _) = api
        .delete("/v1/account", Some(json!({"password": "a long password"})))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(api.get("/v1/me").await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = Api::new(server.url())
        .post(
            "/v1/auth/login",
            json!({"email": "g@example.org", "password": "a long password", "device_name": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let leftovers: Vec<_> = server
        .dump_all()
        .await
        .into_iter()
        .filter(|(column, _)| !column.starts_with("_sqlx_migrations"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "deleting the account leaves nothing: {:?}",
        leftovers.iter().map(|l| &l.0).collect::<Vec<_>>()
    );
    server.finish().await;
});

backend_tests!(rate_limits_bite, |backend| async move {
    let mut settings = test_settings();
    settings.auth_limits.per_account_per_minute = 3;
    settings.auth_limits.per_ip_per_minute = 5;
    let server = TestServer::start(backend, settings).await.unwrap();
    let api = Api::new(server.url());
    let attempt = |email: &'static str| {
        let api = &api;
        async move {
            api.post(
                "/v1/auth/login",
                json!({"email": email, "password": "guess guess guess", "device_name": "x"}),
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(
            attempt("victim@example.org").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // Per account: the fourth try on one account is refused, with a wait.
    let (status, body) = attempt("victim@example.org").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_error_shape(&body, "rate_limited");
    assert!(
        body["error"]["details"]["retry_after_seconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // Per address: other accounts from the same address run out too.
    assert_eq!(attempt("a@example.org").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        attempt("b@example.org").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let resp = api
        .http
        .post(format!("{}/v1/auth/refresh", server.url()))
        .json(&json!({"refresh_token": "scr_x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_some());
    server.finish().await;
});

backend_tests!(errors_limits_and_compression, |backend| async move {
    let mut settings = test_settings();
    settings.max_body_bytes = 4096;
    let server = TestServer::start(backend, settings).await.unwrap();
    let mut api = Api::new(server.url());
    let (status, body) = api.get("/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error_shape(&body, "not_found");
    let (status, body) = api.call(reqwest::Method::PATCH, "/v1/me", None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error_shape(&body, "method_not_allowed");
    let (status, body) = api.post("/v1/auth/login", json!({"email": 3})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&body, "invalid_json");

    api.register("z@example.org").await;
    let big = json!({"records": [{"collection": "c", "record_id": "r", "base_version": 0, "key_id": "x", "checksum": "x", "ciphertext": "A".repeat(10_000)}]});
    let (status, body) = api.post("/v1/records/batch", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_shape(&body, "payload_too_large");

    // A gzip body is accepted, and is limited after decompression (no zip bombs).
    let gzip = |text: &str| {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap()
    };
    let send = |bytes: Vec<u8>| {
        api.http
            .post(format!("{}/v1/auth/login", server.url()))
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(bytes)
            .send()
    };
    let ok = send(gzip(
        r#"{"email":"z@example.org","password":"a long password","device_name":"gz"}"#,
    ))
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let bomb = format!(
        r#"{{"email":"z@example.org","password":"{}","device_name":"gz"}}"#,
        "a".repeat(100_000)
    );
    let refused = send(gzip(&bomb)).await.unwrap();
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Responses are gzipped for clients that ask.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let resp = raw
        .get(format!("{}/openapi.json", server.url()))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers().get("content-encoding").unwrap(), "gzip");
    server.finish().await;
});

backend_tests!(operations_endpoints_answer, |backend| async move {
    let (server, api) = start(backend).await;
    let (status, body) = api.get("/healthz").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let (status, body) = api.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["backend"], expected);
    let (status, text) = api.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().unwrap();
    assert!(text.contains("syncer_cloud_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/readyz\""), "{text}");
    server.finish().await;
});

#[tokio::test]
async fn the_openapi_document_is_served_and_matches_the_checked_in_copy() {
    let server = TestServer::start(Backend::Sqlite, test_settings())
        .await
        .unwrap();
    let api = Api::new(server.url());
    let (status, served) = api.get("/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
    let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &pretty).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == pretty,
        "crates/cloud/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test -p syncer-cloud --test api, and commit it"
    );
    for route in [
        "/v1/auth/register",
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/auth/logout",
        "/v1/me",
        "/v1/account",
        "/v1/account/password",
        "/v1/keys",
        "/v1/records",
        "/v1/records/batch",
        "/v1/records/{collection}/{record_id}",
        "/v1/changes",
        "/v1/conflicts",
        "/v1/conflicts/{id}/resolve",
        "/v1/export",
        "/v1/enrollments",
        "/v1/enrollments/{token}",
        "/v1/enrollments/{token}/complete",
        "/v1/instructions",
        "/v1/devices",
        "/v1/devices/{id}",
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
    ] {
        assert!(
            served["paths"][route].is_object(),
            "{route} is not documented"
        );
    }
    assert!(served["components"]["schemas"]["ErrorBody"].is_object());
    server.finish().await;
}

backend_tests!(the_database_holds_no_plaintext, |backend| async move {
    let (server, mut api) = start(backend).await;
    let session = api.register("blind@example.org").await;
    let device = session["device_id"].as_str().unwrap().to_owned();
    let key = api.set_key().await;
    for i in 0..5 {
        let id = format!("rec{i}");
        api.put(
            &format!("/v1/records/bases/{id}"),
            upload(
                &key,
                "bases",
                &id,
                0,
                &device,
                &format!("PLAINTEXT-MARKER-{i}"),
            ),
        )
        .await;
    }
    api.put(
        "/v1/records/bases/rec0",
        upload(
            &key,
            "bases",
            "rec0",
            0,
            &device,
            "PLAINTEXT-MARKER-conflict",
        ),
    )
    .await;
    // An enrollment, completed: the server keeps the wrap, never its secret or the key.
    let secret = syncer_crypto::EnrollmentSecret::generate();
    let wrap = syncer_crypto::EnrollmentWrap::wrap(&key, &secret).unwrap();
    let (status, created) = api
        .post(
            "/v1/enrollments",
            json!({
                "key_id": key.key_id().as_str(),
                "wrapped_key": serde_json::from_str::<Value>(&wrap.to_json()).unwrap(),
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap();
    let (status, enrolled) = Api::new(server.url())
        .post(
            &format!("/v1/enrollments/{token}/complete"),
            json!({"device_name": "phone"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
    let secret_text = secret.to_text().to_string();
    let secret_raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&secret_text)
        .unwrap();
    let key_text = key.to_base64().to_string();
    let key_raw = B64.decode(&key_text).unwrap();
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let dump = server.dump_all().await;
    assert!(dump.iter().any(|(c, _)| c == "records.ciphertext"));
    assert!(dump.iter().any(|(c, _)| c == "enrollments.wrapped_key"));
    for (column, value) in &dump {
        let hay = String::from_utf8_lossy(value);
        assert!(
            !hay.contains("PLAINTEXT-MARKER"),
            "{column} holds plaintext"
        );
        assert!(!hay.contains("sync pass"), "{column} holds the passphrase");
        assert!(!hay.contains(token), "{column} holds the enrollment token");
        for (what, text) in [
            ("enrollment secret", &secret_text),
            ("master key", &key_text),
        ] {
            assert!(!hay.contains(text.as_str()), "{column} holds the {what}");
            assert!(
                !hay.contains(&hex(text.as_bytes())),
                "{column} holds the {what}"
            );
        }
        for (what, raw) in [("enrollment secret", &secret_raw), ("master key", &key_raw)] {
            assert!(
                !value.windows(raw.len()).any(|w| w == raw.as_slice()),
                "{column} holds the {what}'s bytes"
            );
            assert!(!hay.contains(&hex(raw)), "{column} holds the {what} in hex");
            assert!(
                !hay.contains(&B64.encode(raw)),
                "{column} holds the {what} in base64"
            );
        }
    }
    server.finish().await;
});
