//! Syncer's Spotify Web API client, behind core's [`MusicProvider`] trait.
//!
//! One [`SpotifyClient`] is one connection (one account). It pages through playlists and
//! their items (both generations, at most 50 a page, projected to what a sync reads), looks
//! up tracks, artists and albums in batches where the app may and one by one where it may
//! not, and writes in chunks of 100 that keep order and chain `snapshot_id`.
//!
//! Every request goes through the same pipeline (`http.rs`): circuit breaker → rate gate
//! (token bucket, `Retry-After` pause, slowdown) → concurrency limit → token → send →
//! classify → count → retry with backoff or give up with an error that says what to do.
//! What the connection can reach is recorded as it is learnt (`capabilities.rs`).
//!
//! [`MusicProvider`]: syncer_core::provider::MusicProvider

mod breaker;
mod capabilities;
mod client;
mod config;
mod http;
mod liked;
mod mapping;
mod model;
mod paging;
mod rate;
mod retry;
mod token;

pub use client::{BuildError, SpotifyClient};
pub use config::{
    BreakerConfig, ClientConfig, MAX_PAGE_SIZE, RateConfig, RetryPolicy, SPOTIFY_API_BASE,
};
pub use liked::{LIKED_SONGS_ENDPOINT, USER_LIBRARY_READ};
pub use token::{AccessToken, StaticToken, TokenError, TokenSource};
