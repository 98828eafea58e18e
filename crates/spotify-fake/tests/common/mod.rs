//! Helpers shared by the integration tests: a started stand-in, a token, an HTTP client.
#![allow(dead_code)]

use serde_json::Value;
use spotify_fake::{FakeConfig, FakeSpotify, Mode};

pub struct Harness {
    pub fake: FakeSpotify,
    pub http: reqwest::Client,
    pub user: String,
    pub token: String,
}

pub async fn start(mode: Mode) -> Harness {
    start_with(FakeConfig {
        mode,
        ..FakeConfig::default()
    })
    .await
}

pub async fn start_with(config: FakeConfig) -> Harness {
    let fake = FakeSpotify::start(config).await.expect("start the fake");
    let user = fake.library().users()[0].id.clone();
    let token = fake.mint_token(&user);
    // Built with the workspace's reqwest features, a client needs a TLS crypto provider even
    // for plain HTTP; installing one twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Harness {
        fake,
        http,
        user,
        token,
    }
}

impl Harness {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.fake.api_base())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.get_url(&self.url(path)).await
    }

    pub async fn get_url(&self, url: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(url)
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// The id of a playlist the harness user owns with at least `min` items.
    pub fn owned_playlist(&self, min: usize) -> String {
        self.fake
            .library()
            .owned_by(&self.user)
            .into_iter()
            .find(|p| p.item_count >= min)
            .expect("an owned playlist that large")
            .id
    }

    /// A playlist the user follows but neither owns nor collaborates on.
    pub fn followed_playlist(&self) -> String {
        self.fake
            .library()
            .playlists_of(&self.user)
            .into_iter()
            .find(|p| p.owner_id != self.user && !p.collaborator_ids.contains(&self.user))
            .expect("a followed playlist")
            .id
    }
}
