//! Where a playlist or a track lives on its service: the one place its web address is built,
//! from a typed id and the connection's provider, so no front end assembles a URL from text.
//! A Spotify address (`https://open.spotify.com/…`) opens in the web player, or in the app
//! where the system hands such links to it. The demo library is a stand-in on this computer:
//! it has no page, and the front ends say so instead of showing a broken link.

use serde::{Deserialize, Serialize};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, PlaylistId, TrackId};
use ts_rs::TS;

use crate::error::{AppError, AppResult, Thing};
use crate::providers::{DEMO_PROVIDER, SPOTIFY_PROVIDER};
use crate::services::Services;

/// Every address this module builds starts with this: what an opener may be asked to open.
pub const SPOTIFY_WEB: &str = "https://open.spotify.com/";

/// Something with a page on its service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceThing<'a> {
    Playlist(&'a PlaylistId),
    Track(&'a TrackId),
}

/// Where a thing opens, or why it does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServicePage {
    /// Its page on the service (`https://open.spotify.com/…`).
    Web { url: String },
    /// Nothing to open, and why.
    None { reason: NoPage },
}

/// Why a thing has no page to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum NoPage {
    /// The demo library runs on this computer: the service never saw it.
    Demo,
    /// A provider this version cannot link to.
    UnknownProvider,
    /// An id no service page could have (not what the service gives out).
    BadId,
}

impl NoPage {
    /// Said where a link would be.
    pub fn message(self) -> &'static str {
        match self {
            NoPage::Demo => "the demo library has no page on a service: it runs on this computer",
            NoPage::UnknownProvider => "Syncer cannot link to this service yet",
            NoPage::BadId => "this id is not one the service gives out, so it has no page",
        }
    }
}

impl ServicePage {
    pub fn url(&self) -> Option<&str> {
        match self {
            ServicePage::Web { url } => Some(url),
            ServicePage::None { .. } => None,
        }
    }
}

/// Spotify's ids are base-62: anything else would put text of our choosing into a path.
fn spotify_id(id: &str) -> Option<&str> {
    (!id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(id)
}

/// The page of a playlist or track of a connection of `provider`. The one function that
/// builds such an address.
pub fn service_page(provider: &str, thing: ServiceThing<'_>) -> ServicePage {
    let none = |reason| ServicePage::None { reason };
    match provider {
        DEMO_PROVIDER => none(NoPage::Demo),
        SPOTIFY_PROVIDER => {
            let path = match thing {
                ServiceThing::Playlist(p) if p.is_liked_songs() => Some("collection/tracks".into()),
                ServiceThing::Playlist(p) => {
                    spotify_id(p.as_str()).map(|id| format!("playlist/{id}"))
                }
                ServiceThing::Track(t) => spotify_id(t.as_str()).map(|id| format!("track/{id}")),
            };
            path.map_or(none(NoPage::BadId), |path| ServicePage::Web {
                url: format!("{SPOTIFY_WEB}{path}"),
            })
        }
        _ => none(NoPage::UnknownProvider),
    }
}

/// Whether an address is one [`service_page`] builds: the last check before an opener is
/// asked to open anything, so a front end cannot be talked into opening something else.
pub fn is_service_url(url: &str) -> bool {
    url.strip_prefix(SPOTIFY_WEB).is_some_and(|path| {
        let mut parts = path.split('/');
        matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some("playlist" | "track"), Some(id), None) if spotify_id(id).is_some()
        ) || path == "collection/tracks"
    })
}

/// What a front end asks to open: a base, a child, or a track of a base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageOf {
    Base {
        base: String,
    },
    Child {
        child: String,
    },
    /// A track, of the connection of the base (or child) it was listed under.
    Track {
        base: String,
        track: String,
    },
}

impl Services {
    /// The provider of the connection a base belongs to.
    pub async fn provider_of(&self, base: &BasePlaylistId) -> AppResult<String> {
        let record = self.base(base.as_str()).await?;
        self.store
            .get_connection(&record.connection)
            .await?
            .map(|c| c.provider)
            .ok_or_else(|| AppError::missing(Thing::Connection, record.connection.as_str()))
    }

    /// Where a base, a child or a track opens on its service.
    pub async fn page_of(&self, what: &PageOf) -> AppResult<ServicePage> {
        Ok(match what {
            PageOf::Base { base } => {
                let base = self.base(base).await?.id;
                let provider = self.provider_of(&base).await?;
                service_page(
                    &provider,
                    ServiceThing::Playlist(&PlaylistId::new(base.as_str())),
                )
            }
            PageOf::Child { child } => {
                let record = self.child(&ChildPlaylistId::new(child.as_str())).await?;
                let provider = self.provider_of(&record.base).await?;
                service_page(
                    &provider,
                    ServiceThing::Playlist(&PlaylistId::new(record.id.as_str())),
                )
            }
            PageOf::Track { base, track } => {
                let base = self.base(base).await?.id;
                let provider = self.provider_of(&base).await?;
                service_page(
                    &provider,
                    ServiceThing::Track(&TrackId::new(track.as_str())),
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncer_core::ids::ConnectionId;

    fn url(page: ServicePage) -> String {
        page.url().map(str::to_owned).unwrap_or_default()
    }

    #[test]
    fn spotify_playlists_tracks_and_liked_songs_open_on_the_web_player() {
        let playlist = PlaylistId::new("37i9dQZF1DXcBWIGoYBM5M");
        assert_eq!(
            url(service_page(
                SPOTIFY_PROVIDER,
                ServiceThing::Playlist(&playlist)
            )),
            "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"
        );
        let track = TrackId::new("4uLU6hMCjMI75M1A2tKUQC");
        assert_eq!(
            url(service_page(SPOTIFY_PROVIDER, ServiceThing::Track(&track))),
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"
        );
        let liked = PlaylistId::liked_songs(&ConnectionId::new("c-1"));
        assert_eq!(
            url(service_page(
                SPOTIFY_PROVIDER,
                ServiceThing::Playlist(&liked)
            )),
            "https://open.spotify.com/collection/tracks"
        );
    }

    #[test]
    fn the_demo_has_no_page_and_says_why() {
        let playlist = PlaylistId::new("abc");
        assert_eq!(
            service_page(DEMO_PROVIDER, ServiceThing::Playlist(&playlist)),
            ServicePage::None {
                reason: NoPage::Demo
            }
        );
        assert_eq!(
            service_page("tidal", ServiceThing::Playlist(&playlist)),
            ServicePage::None {
                reason: NoPage::UnknownProvider
            }
        );
    }

    #[test]
    fn an_id_that_is_not_base62_gets_no_address() {
        for id in ["../../evil", "a/b", "a?x=1", "", "spotify:track:x"] {
            assert_eq!(
                service_page(SPOTIFY_PROVIDER, ServiceThing::Track(&TrackId::new(id))),
                ServicePage::None {
                    reason: NoPage::BadId
                },
                "{id}"
            );
        }
    }

    #[test]
    fn only_addresses_this_module_builds_pass_the_opener_check() {
        for good in [
            "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M",
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
            "https://open.spotify.com/collection/tracks",
        ] {
            assert!(is_service_url(good), "{good}");
        }
        for bad in [
            "http://open.spotify.com/track/abc",
            "https://open.spotify.com.evil.example/track/abc",
            "https://open.spotify.com/track/abc/../../x",
            "https://open.spotify.com/track/a?b",
            "https://example.com/",
            "file:///etc/passwd",
            "https://open.spotify.com/",
        ] {
            assert!(!is_service_url(bad), "{bad}");
        }
    }
}
