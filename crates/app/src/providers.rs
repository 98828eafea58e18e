//! The providers a connection can be of, by the name stored with it.

/// The demo library: Spotify's stand-in, run in this process.
pub const DEMO_PROVIDER: &str = "demo";
pub const SPOTIFY_PROVIDER: &str = "spotify";
