//! A faithful stand-in for Spotify's Web API and Accounts service, for tests, benchmarks and
//! the demo: the shapes, limits and failures of `fixed-spotify-open-api.yml` and the 2026
//! Development Mode rules (see `Mode`), over real HTTP on 127.0.0.1.
//!
//! ```no_run
//! # async fn demo() -> Result<(), spotify_fake::FakeError> {
//! let fake = spotify_fake::FakeSpotify::start(Default::default()).await?;
//! let user = fake.library().users()[0].id.clone();
//! let token = fake.mint_token(&user);
//! // GET {fake.api_base()}/me with `Authorization: Bearer {token}`
//! fake.faults().on("GET /v1/me").fail_next(1, 503);
//! fake.shutdown().await;
//! # Ok(()) }
//! ```

mod accounts_state;
mod error;
mod faults;
pub mod library;
mod middleware;
mod mode;
mod model;
mod projection;
mod render;
mod routes;
mod server;
mod state;
mod stats;
mod time;

pub use accounts_state::{ALL_SCOPES, Consent};
pub use error::FakeError;
pub use faults::{FaultController, Scope};
pub use library::{LibrarySpec, LibraryView, Messiness};
pub use mode::{Mode, UnknownMode};
pub use server::FakeSpotify;
pub use stats::{EndpointCounts, LoggedRequest, RequestStats};

use std::net::SocketAddr;
use std::time::Duration;

/// How to start the stand-in.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    pub mode: Mode,
    /// Same seed, same library (ids, names, playlists, messy entries).
    pub seed: u64,
    pub library: LibrarySpec,
    /// Added before every response (on top of any scripted latency).
    pub latency: Option<Duration>,
    /// Serve the legacy `/playlists/{id}/tracks` family regardless of mode (`Some(true)`), or
    /// refuse it (`Some(false)`). `None`: the mode decides (Development Mode refuses it with
    /// 403, as observed since 2026-03-09; extended quota serves it).
    pub legacy_tracks_endpoints: Option<bool>,
    /// `expires_in` of issued access tokens.
    pub token_lifetime: Duration,
    /// Where to listen; tests keep the default `127.0.0.1:0` (a free port).
    pub bind: SocketAddr,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            mode: Mode::default(),
            seed: 1,
            library: LibrarySpec::default(),
            latency: None,
            legacy_tracks_endpoints: None,
            token_lifetime: Duration::from_secs(3600),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}
