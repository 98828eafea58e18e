//! The HTTP client the server's integration tests share: JSON in, status and JSON out, with
//! the account steps most tests begin with.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses a part

use reqwest::StatusCode;
use serde_json::{Value, json};
use syncer_cloud::testing::{Backend, TestServer, test_settings};
use syncer_crypto::{
    EnrollmentSecret, EnrollmentWrap, KdfParams, KeyBundle, MasterKey, Passphrase,
};

/// One device talking to the server, signed in once `token` is set.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
}

impl Api {
    pub fn new(base: String) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            base,
            http: reqwest::Client::new(),
            token: None,
        }
    }

    /// The same server, as the holder of `token`.
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(reqwest::Method::DELETE, path, body).await
    }

    /// Registers (device "laptop"), keeps the access token, returns the session.
    pub async fn register(&mut self, email: &str) -> Value {
        let (status, body) = self
            .post(
                "/v1/auth/register",
                json!({"email": email, "password": "a long password", "device_name": "laptop"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        self.token = Some(body["access_token"].as_str().unwrap().to_owned());
        body
    }

    /// Makes a key, registers its bundle, returns the key.
    pub async fn set_key(&self) -> MasterKey {
        let keys = KeyBundle::create(&Passphrase::new("sync pass"), KdfParams::INSECURE_FOR_TESTS)
            .unwrap();
        let bundle: Value = serde_json::from_str(&keys.bundle.to_json()).unwrap();
        let (status, body) = self
            .put(
                "/v1/keys",
                json!({"key_id": keys.master.key_id().as_str(), "bundle": bundle}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        keys.master
    }

    /// Creates an enrollment for `master`; returns the token, the secret and the answer.
    pub async fn enroll(&self, master: &MasterKey) -> (String, EnrollmentSecret, Value) {
        let secret = EnrollmentSecret::generate();
        let wrap = EnrollmentWrap::wrap(master, &secret).unwrap();
        let (status, body) = self
            .post(
                "/v1/enrollments",
                json!({
                    "key_id": master.key_id().as_str(),
                    "wrapped_key": serde_json::from_str::<Value>(&wrap.to_json()).unwrap(),
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let token = body["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("sce_"), "{token}");
        (token, secret, body)
    }
}

/// A server on 127.0.0.1:0 and a client for it, signed out.
pub async fn start(backend: Backend) -> (TestServer, Api) {
    let server = TestServer::start(backend, test_settings()).await.unwrap();
    let api = Api::new(server.url());
    (server, api)
}
