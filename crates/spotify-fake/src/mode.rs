//! The two kinds of app Spotify serves differently. Development Mode (a desktop user's own
//! Client ID) is the default because that is what Syncer's users get.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// As of the February 2026 changes (existing apps migrated 2026-03-09): batch catalog
    /// lookups, `GET/POST /users/{id}/playlists` and the `/playlists/{id}/tracks` family
    /// answer 403; track `popularity`/`available_markets`/`linked_from`, album
    /// `popularity`/`label`, artist `popularity`/`followers` are omitted; artist `genres` is
    /// empty; `external_ids` (ISRC) is present.
    #[default]
    DevelopmentMode,
    /// Everything present, as before 2026.
    ExtendedQuota,
}

impl Mode {
    /// Batch `GET /tracks?ids`, `/artists?ids`, `/albums?ids`.
    pub fn batch_lookups(self) -> bool {
        self == Mode::ExtendedQuota
    }

    /// `GET /users/{id}/playlists` and `POST /users/{id}/playlists`.
    pub fn user_playlist_endpoints(self) -> bool {
        self == Mode::ExtendedQuota
    }

    /// Popularity, followers, labels, markets, relinking and genres.
    pub fn full_metadata(self) -> bool {
        self == Mode::ExtendedQuota
    }

    /// Whether the legacy `/playlists/{id}/tracks` family is served. Reports from
    /// Development Mode apps since 2026-03-09 show 403 for it; extended quota keeps it.
    pub fn legacy_tracks_endpoints(self) -> bool {
        self == Mode::ExtendedQuota
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::DevelopmentMode => "development",
            Mode::ExtendedQuota => "extended",
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown mode {0:?}: use \"development\" or \"extended\"")]
pub struct UnknownMode(String);

impl FromStr for Mode {
    type Err = UnknownMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "development" | "dev" | "development-mode" => Ok(Mode::DevelopmentMode),
            "extended" | "extended-quota" | "ext" => Ok(Mode::ExtendedQuota),
            _ => Err(UnknownMode(s.to_owned())),
        }
    }
}
