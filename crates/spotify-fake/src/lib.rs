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
mod quirks;
mod render;
mod routes;
mod server;
mod state;
mod stats;
mod time;

pub use accounts_state::{ALL_SCOPES, Consent};
pub use error::FakeError;
pub use faults::{FaultController, Scope};
pub use library::{LibrarySpec, LibraryView, Messiness, SavedInfo};
pub use mode::{Mode, UnknownMode};
pub use quirks::AppUserRefusal;
pub use server::FakeSpotify;
pub use stats::{EndpointCounts, LoggedRequest, RequestStats};

use std::net::SocketAddr;
use std::time::Duration;

/// Six months, as Spotify counts a sign-in's life (here 182 days, the shorter half-year).
pub const SIGN_IN_LIFETIME: Duration = Duration::from_secs(182 * 24 * 3600);

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
    /// How long a sign-in (a grant: the refresh tokens of one authorization) lasts, counted
    /// from the authorization whatever refreshing does; then refresh answers `invalid_grant`.
    /// Spotify's, since July 2026: six months ([`SIGN_IN_LIFETIME`]).
    pub refresh_token_lifetime: Duration,
    /// Whether a refresh answers with a new refresh token (rotation, spending the old one) or
    /// without one (the old one stays valid).
    pub rotate_refresh_tokens: bool,
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
            refresh_token_lifetime: SIGN_IN_LIFETIME,
            rotate_refresh_tokens: true,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }
}
