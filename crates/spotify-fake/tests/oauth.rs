//! The Accounts service: authorization code + PKCE S256, consent, refresh with rotation,
//! revocation, and its error shapes.

// Test helpers outside #[test] functions fail loudly by design (clippy.toml only exempts
// the test functions themselves).
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use common::start;
use serde_json::Value;
use sha2::{Digest, Sha256};
use spotify_fake::{Consent, Mode};

const CLIENT: &str = "syncer-desktop-test";
const REDIRECT: &str = "http://127.0.0.1:53682/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-extra-length-ok";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn authorize(h: &common::Harness, state: &str) -> reqwest::Response {
    h.http
        .get(format!("{}/authorize", h.fake.accounts_base()))
        .query(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", REDIRECT),
            ("state", state),
            ("scope", "playlist-read-private playlist-modify-private"),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge(VERIFIER)),
        ])
        .send()
        .await
        .unwrap()
}

fn query_param(location: &str, key: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}

async fn token(h: &common::Harness, form: &[(&str, &str)]) -> (u16, Value) {
    let resp = h
        .http
        .post(format!("{}/api/token", h.fake.accounts_base()))
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

async fn code(h: &common::Harness) -> String {
    let resp = authorize(h, "xyz").await;
    assert!(resp.status().is_redirection());
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT));
    assert_eq!(query_param(&location, "state").as_deref(), Some("xyz"));
    query_param(&location, "code").expect("a code")
}

#[tokio::test]
async fn pkce_flow_refresh_rotation_and_revocation() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.register_client(CLIENT, &[REDIRECT]);
    let second = h.fake.library().users()[1].id.clone();
    assert!(h.fake.set_login_user(&second));
    let code = code(&h).await;

    let (status, body) = token(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();

    let me: Value = h
        .http
        .get(format!("{}/me", h.fake.api_base()))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["id"].as_str(), Some(second.as_str()));

    // The code is single-use.
    let (status, body) = token(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");

    // Refresh rotates: the old refresh token is spent.
    let (status, body) = token(
        &h,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, refresh);
    let (status, body) = token(
        &h,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());

    // Revoking the grant kills its access tokens and its refresh token.
    h.fake.faults().revoke_token(&rotated);
    let resp = h
        .http
        .get(format!("{}/me", h.fake.api_base()))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let (status, body) = token(
        &h,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &rotated),
            ("client_id", CLIENT),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn wrong_verifier_is_invalid_grant() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.register_client(CLIENT, &[REDIRECT]);
    let code = code(&h).await;
    let wrong = "A".repeat(64);
    let (status, body) = token(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("code_verifier", &wrong),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "code_verifier was incorrect");
}

#[tokio::test]
async fn denied_consent_and_bad_clients() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.register_client(CLIENT, &[REDIRECT]);
    h.fake.set_consent(Consent::Deny);
    let resp = authorize(&h, "s1").await;
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&location, "state").as_deref(), Some("s1"));

    // An unknown redirect URI is an error page, never a redirect.
    let resp = h
        .http
        .get(format!("{}/authorize", h.fake.accounts_base()))
        .query(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", "http://evil.invalid/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    let (status, body) = token(
        &h,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", "unknown"),
        ],
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_client");
    let (status, body) = token(&h, &[("client_id", CLIENT)]).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "unsupported_grant_type");
}

/// A signed-in grant: (access token, refresh token).
async fn signed_in(h: &common::Harness) -> (String, String) {
    h.fake.register_client(CLIENT, &[REDIRECT]);
    let code = code(h).await;
    let (status, body) = token(
        h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn refresh_with(h: &common::Harness, refresh: &str) -> (u16, Value) {
    token(
        h,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", CLIENT),
        ],
    )
    .await
}

async fn me_status(h: &common::Harness, access: &str) -> u16 {
    h.http
        .get(format!("{}/me", h.fake.api_base()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_grant() {
    let h = start(Mode::DevelopmentMode).await;
    let (_, first) = signed_in(&h).await;
    let (status, body) = refresh_with(&h, &first).await;
    assert_eq!(status, 200, "{body}");
    let access = body["access_token"].as_str().unwrap().to_owned();
    let successor = body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(me_status(&h, &access).await, 200);
    assert_eq!(h.fake.refresh_token_reuses(), 0);

    // Someone presents the spent one (RFC 9700 §4.14.2): the grant goes, for everyone.
    let (status, body) = refresh_with(&h, &first).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(h.fake.refresh_token_reuses(), 1);
    let (status, body) = refresh_with(&h, &successor).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(me_status(&h, &access).await, 401);
}

#[tokio::test]
async fn without_rotation_the_answer_has_no_refresh_token_and_the_old_one_stays() {
    let h = start(Mode::DevelopmentMode).await;
    h.fake.set_refresh_rotation(false);
    let (_, refresh) = signed_in(&h).await;
    for _ in 0..2 {
        let (status, body) = refresh_with(&h, &refresh).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("refresh_token").is_none(), "{body}");
        let access = body["access_token"].as_str().unwrap();
        assert_eq!(me_status(&h, access).await, 200);
    }
    assert_eq!(h.fake.refresh_token_reuses(), 0);
}

#[tokio::test]
async fn a_sign_in_ends_its_lifetime_after_the_authorisation_whatever_refreshing_does() {
    let h = start(Mode::DevelopmentMode).await;
    let (_, refresh) = signed_in(&h).await;
    let (status, body) = refresh_with(&h, &refresh).await;
    assert_eq!(status, 200, "{body}");
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    // Almost six months later refreshing still works (and rotating does not extend it).
    h.fake
        .age_sign_ins(spotify_fake::SIGN_IN_LIFETIME - std::time::Duration::from_secs(3600));
    let (status, body) = refresh_with(&h, &rotated).await;
    assert_eq!(status, 200, "{body}");
    let rotated = body["refresh_token"].as_str().unwrap().to_owned();
    h.fake.age_sign_ins(std::time::Duration::from_secs(3600));
    let (status, body) = refresh_with(&h, &rotated).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "Refresh token expired");
    assert_eq!(h.fake.refresh_token_reuses(), 0);
}
