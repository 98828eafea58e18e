//! Fault injection and the request counters, over HTTP.

// Test helpers outside #[test] functions fail loudly by design (clippy.toml only exempts
// the test functions themselves).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::start;
use serde_json::json;
use spotify_fake::Mode;

#[tokio::test]
async fn rate_limit_after_n_with_retry_after() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.faults().rate_limit_after(2, 600);
    assert_eq!(h.get("/me").await.0, 200);
    assert_eq!(h.get("/me").await.0, 200);
    let resp = h
        .http
        .get(h.url("/me"))
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry));
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["status"], 429);
    // Hammering inside the window keeps failing and is counted.
    assert_eq!(h.get("/me").await.0, 429);
    assert_eq!(h.fake.requests().rate_limit_violations(), 1);
    assert_eq!(h.fake.requests().count_status("GET /v1/me", 429), 2);
    h.fake.faults().clear();
    assert_eq!(h.get("/me").await.0, 200);
}

#[tokio::test]
async fn rate_limit_every_kth_and_scoping() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.faults().on("GET /v1/me").rate_limit_every(2, 1);
    let p = h.owned_playlist(10);
    let statuses: Vec<u16> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            v.push(h.get("/me").await.0);
            // Out of scope: never limited, and not counted by the rule.
            assert_eq!(h.get(&format!("/playlists/{p}")).await.0, 200);
        }
        v
    };
    assert_eq!(statuses, [200, 429, 200, 429]);
}

#[tokio::test]
async fn fail_next_with_server_errors() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake
        .faults()
        .fail_next(1, 500)
        .fail_next(1, 502)
        .fail_next(1, 503);
    let mut got = Vec::new();
    for _ in 0..4 {
        let (status, body) = h.get("/me").await;
        if status != 200 {
            assert_eq!(body["error"]["status"], json!(status));
        }
        got.push(status);
    }
    // One-shot rules are consumed in the order they were armed.
    assert_eq!(got, [500, 502, 503, 200]);
}

#[tokio::test]
async fn dropped_connections_and_timeouts() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.faults().drop_next(1);
    let err = h.http.get(h.url("/me")).bearer_auth(&h.token).send().await;
    assert!(
        err.is_err(),
        "a dropped connection is an error, not a response"
    );
    assert_eq!(h.get("/me").await.0, 200);

    h.fake.faults().timeout_next(1);
    let err = h
        .http
        .get(h.url("/me"))
        .bearer_auth(&h.token)
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .expect_err("the request hangs");
    assert!(err.is_timeout());
    assert_eq!(h.get("/me").await.0, 200);
    let log = h.fake.requests().log();
    let faults: Vec<_> = log.iter().filter_map(|r| r.fault).collect();
    assert_eq!(faults, ["drop", "timeout"]);
}

#[tokio::test]
async fn latency_delays_but_answers() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.faults().latency(Duration::from_millis(20));
    assert_eq!(h.get("/me").await.0, 200);
}

#[tokio::test]
async fn revoked_token_is_401() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.faults().revoke_token(&h.token);
    let (status, body) = h.get("/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["message"], "Invalid access token");
}

#[tokio::test]
async fn counters_per_endpoint_and_reset() {
    let h = start(Mode::DevelopmentMode).await;
    let p = h.owned_playlist(57);
    h.get("/me").await;
    h.get(&format!("/playlists/{p}/items?limit=50")).await;
    h.get(&format!("/playlists/{p}/items?limit=50&offset=50"))
        .await;
    h.get(&format!("/playlists/{p}/items?limit=51")).await;
    let stats = h.fake.requests();
    assert_eq!(stats.total(), 4);
    assert_eq!(stats.count("GET /v1/me"), 1);
    assert_eq!(stats.count("GET /v1/playlists/{id}/items"), 3);
    assert_eq!(stats.count_status("GET /v1/playlists/{id}/items", 400), 1);
    let by = stats.by_endpoint();
    assert_eq!(by["GET /v1/playlists/{id}/items"].by_status[&200], 2);
    let log = stats.log();
    assert_eq!(log.len(), 4);
    assert_eq!(log[1].query.as_deref(), Some("limit=50"));
    assert_eq!(log[3].status, Some(400));
    stats.reset();
    assert_eq!(stats.total(), 0);
    assert!(stats.log().is_empty());
}
