//! One type per identifier, so a base playlist id can never be passed where a snapshot id is
//! expected. Each is a thin, serde-transparent wrapper over the provider's own string.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }
    };
}

string_id!(
    /// A playlist on a music service, as the service names it.
    PlaylistId
);
string_id!(
    /// The base playlist a set of children is routed from.
    BasePlaylistId
);
string_id!(
    /// A Syncer-managed child playlist.
    ChildPlaylistId
);
string_id!(
    /// A playlist's version on the service: unchanged id, unchanged contents.
    SnapshotId
);
string_id!(
    /// A track on a music service.
    TrackId
);
string_id!(
    /// An artist on a music service.
    ArtistId
);
string_id!(
    /// An album on a music service.
    AlbumId
);
string_id!(
    /// A connection to one account on one provider.
    ConnectionId
);

/// Liked Songs (Spotify's saved tracks) is no playlist, yet a base reads it as one: it goes by
/// the reserved playlist id `liked:<connection id>`. Why an id and not a `BaseSource` enum:
/// a base's id is its playlist's id everywhere (the store's key, the engine's
/// `PlaylistId::new(base)`, the window's bindings), so a reserved id lets Liked Songs pass
/// through all of them unchanged, while the provider alone knows to read `/me/tracks` for it.
/// It cannot collide with a real playlist: service ids never hold a `:`. The connection is in
/// the id because the store keys bases by id alone, and each connection has its own Liked
/// Songs.
const LIKED_SONGS_PREFIX: &str = "liked:";

/// What the user types and sees for Liked Songs in the terminal (`syncer base add liked`).
pub const LIKED_SONGS_KEYWORD: &str = "liked";

/// Liked Songs' name, as Spotify shows it.
pub const LIKED_SONGS_NAME: &str = "Liked Songs";

impl PlaylistId {
    /// The reserved id of `connection`'s Liked Songs.
    pub fn liked_songs(connection: &ConnectionId) -> PlaylistId {
        PlaylistId(format!("{LIKED_SONGS_PREFIX}{connection}"))
    }

    /// The connection whose Liked Songs this id names, if it names Liked Songs.
    pub fn liked_songs_of(&self) -> Option<ConnectionId> {
        self.0
            .strip_prefix(LIKED_SONGS_PREFIX)
            .filter(|c| !c.is_empty())
            .map(ConnectionId::new)
    }

    pub fn is_liked_songs(&self) -> bool {
        self.liked_songs_of().is_some()
    }
}

impl BasePlaylistId {
    /// The base that routes `connection`'s Liked Songs.
    pub fn liked_songs(connection: &ConnectionId) -> BasePlaylistId {
        BasePlaylistId(PlaylistId::liked_songs(connection).0)
    }

    pub fn is_liked_songs(&self) -> bool {
        self.0.starts_with(LIKED_SONGS_PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liked_songs_ids_name_their_connection_and_no_playlist() {
        let c = ConnectionId::new("c-1");
        let id = PlaylistId::liked_songs(&c);
        assert_eq!(id.as_str(), "liked:c-1");
        assert_eq!(id.liked_songs_of(), Some(c.clone()));
        assert!(BasePlaylistId::liked_songs(&c).is_liked_songs());
        assert!(!PlaylistId::new("37i9dQZF1DXcBWIGoYBM5M").is_liked_songs());
        assert_eq!(PlaylistId::new("liked:").liked_songs_of(), None);
        assert_eq!(PlaylistId::new("liked").liked_songs_of(), None);
    }

    #[test]
    fn ids_serialize_as_plain_strings() {
        let id = SnapshotId::new("abc");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"abc\"");
        let back: SnapshotId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back, id);
        assert_eq!(format!("{id:?}"), "SnapshotId(abc)");
    }
}
