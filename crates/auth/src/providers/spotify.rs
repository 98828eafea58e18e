//! Spotify: OAuth 2 authorization code with PKCE, the user's own client id (Spotify's 2026
//! Development Mode gives every user their own app).

use crate::registry::{Category, IdentityCall, OAuthEndpoints, Provider, ProviderAuth};

pub const NAME: &str = "spotify";
pub const ACCOUNTS_BASE: &str = "https://accounts.spotify.com";
pub const API_BASE: &str = "https://api.spotify.com/v1";

/// What Syncer reads and writes: the user's playlists (private and collaborative too), the
/// profile that names the connection, and Liked Songs (`user-library-read`, asked since Liked
/// Songs became a base: connections made before lack it, and reading Liked Songs on one says
/// to reconnect).
pub const SCOPES: &[&str] = &[
    "playlist-read-private",
    "playlist-read-collaborative",
    "playlist-modify-private",
    "playlist-modify-public",
    "user-read-private",
    "user-library-read",
];

/// Since July 2026 Spotify's refresh tokens stop working six months after the user authorised
/// the app, whatever refreshing does (then `invalid_grant`). 182 days: the shorter half-year,
/// so Syncer's reminder is never late.
pub const SIGN_IN_LIFETIME: std::time::Duration = std::time::Duration::from_secs(182 * 24 * 3600);

pub fn provider() -> Provider {
    provider_at(ACCOUNTS_BASE, API_BASE)
}

/// Spotify at other addresses: a stand-in server in tests and the demo.
pub fn provider_at(accounts_base: &str, api_base: &str) -> Provider {
    let accounts = accounts_base.trim_end_matches('/');
    Provider {
        name: NAME,
        display_name: "Spotify",
        category: Category::Music,
        scopes: SCOPES.to_vec(),
        auth: ProviderAuth::OAuth2Pkce(OAuthEndpoints {
            authorize_url: format!("{accounts}/authorize"),
            token_url: format!("{accounts}/api/token"),
        }),
        api_base: api_base.trim_end_matches('/').to_owned(),
        identity: IdentityCall {
            path: "/me",
            id_field: "id",
            name_field: "display_name",
        },
        credential_help: "Create an app at developer.spotify.com/dashboard, add the redirect \
                          URI shown here, and paste its Client ID. In Development Mode the app \
                          serves only the accounts listed under User Management (at most 5): \
                          add yours there",
        sign_in_lifetime: Some(SIGN_IN_LIFETIME),
    }
}
