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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_as_plain_strings() {
        let id = SnapshotId::new("abc");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"abc\"");
        let back: SnapshotId = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(back, id);
        assert_eq!(format!("{id:?}"), "SnapshotId(abc)");
    }
}
