//! The fields a filter can ask about, grouped by the type of value they hold.
//!
//! Each rule names a field of one kind ([`TextField`], [`ListField`], [`NumberField`],
//! [`DurationField`], [`DateField`], [`BoolField`]), so a rule can never pair a field with an
//! operator of another type. [`Field`] is the flat list of all of them: what the availability
//! check reports and what the enrichment planner asks for.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// Every field a filter (or a post-step) can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    /// All credited artists (a list).
    Artist,
    /// The first credited artist.
    PrimaryArtist,
    Album,
    AlbumType,
    /// The album's release date, at its own precision.
    Release,
    /// The release date's year.
    Year,
    Duration,
    Explicit,
    TrackNumber,
    DiscNumber,
    Isrc,
    /// When the track was added to the base playlist.
    Added,
    /// Who added it to the base playlist.
    AddedBy,
    /// Its position in the base playlist (1-based).
    Position,
    /// The artists' and the album's genres together.
    Genre,
    ArtistGenre,
    AlbumGenre,
    Label,
    Popularity,
    /// The primary artist's popularity.
    ArtistPopularity,
    /// The track is in the user's Liked Songs.
    Liked,
    /// The track is in another playlist of the same connection (`in:"Not for the gym"`).
    In,
}

/// The type of value a field holds, which decides the operators it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    List,
    Number,
    Duration,
    Date,
    Bool,
    /// Membership in a playlist, named by its name or id.
    Playlist,
}

impl Field {
    pub const ALL: [Field; 23] = [
        Field::Title,
        Field::Artist,
        Field::PrimaryArtist,
        Field::Album,
        Field::AlbumType,
        Field::Release,
        Field::Year,
        Field::Duration,
        Field::Explicit,
        Field::TrackNumber,
        Field::DiscNumber,
        Field::Isrc,
        Field::Added,
        Field::AddedBy,
        Field::Position,
        Field::Genre,
        Field::ArtistGenre,
        Field::AlbumGenre,
        Field::Label,
        Field::Popularity,
        Field::ArtistPopularity,
        Field::Liked,
        Field::In,
    ];

    /// The canonical name, used by the query language and the JSON form alike.
    pub fn name(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Artist => "artist",
            Field::PrimaryArtist => "primary_artist",
            Field::Album => "album",
            Field::AlbumType => "album_type",
            Field::Release => "release",
            Field::Year => "year",
            Field::Duration => "duration",
            Field::Explicit => "explicit",
            Field::TrackNumber => "track_number",
            Field::DiscNumber => "disc_number",
            Field::Isrc => "isrc",
            Field::Added => "added",
            Field::AddedBy => "added_by",
            Field::Position => "position",
            Field::Genre => "genre",
            Field::ArtistGenre => "artist_genre",
            Field::AlbumGenre => "album_genre",
            Field::Label => "label",
            Field::Popularity => "popularity",
            Field::ArtistPopularity => "artist_popularity",
            Field::Liked => "liked",
            Field::In => "in",
        }
    }

    /// Other spellings the query language accepts; the formatter always writes [`Self::name`].
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Field::Title => &["name"],
            Field::Artist => &["artists"],
            Field::PrimaryArtist => &["main_artist"],
            Field::AlbumType => &["type"],
            Field::Release => &["date", "released", "release_date"],
            Field::Duration => &["length", "time"],
            Field::TrackNumber => &["track", "tracknumber"],
            Field::DiscNumber => &["disc", "discnumber"],
            Field::Added => &["added_at"],
            Field::Position => &["pos"],
            Field::Genre => &["genres"],
            Field::ArtistGenre => &["artist_genres"],
            Field::AlbumGenre => &["album_genres"],
            Field::Popularity => &["pop"],
            Field::Liked => &["saved"],
            Field::In => &["in_playlist", "playlist"],
            _ => &[],
        }
    }

    /// Looks a field up by name or alias, case-insensitively.
    pub fn from_name(name: &str) -> Option<Field> {
        let lower = name.to_ascii_lowercase();
        Field::ALL
            .into_iter()
            .find(|f| f.name() == lower || f.aliases().contains(&lower.as_str()))
    }

    pub fn kind(self) -> FieldKind {
        match self {
            Field::Title
            | Field::PrimaryArtist
            | Field::Album
            | Field::AlbumType
            | Field::Isrc
            | Field::AddedBy
            | Field::Label => FieldKind::Text,
            Field::Artist | Field::Genre | Field::ArtistGenre | Field::AlbumGenre => {
                FieldKind::List
            }
            Field::Year
            | Field::TrackNumber
            | Field::DiscNumber
            | Field::Position
            | Field::Popularity
            | Field::ArtistPopularity => FieldKind::Number,
            Field::Duration => FieldKind::Duration,
            Field::Release | Field::Added => FieldKind::Date,
            Field::Explicit | Field::Liked => FieldKind::Bool,
            Field::In => FieldKind::Playlist,
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Generates a typed subset of [`Field`] with conversions both ways.
macro_rules! field_subset {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[ts(export)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn field(self) -> Field {
                match self {
                    $($name::$variant => Field::$variant),+
                }
            }

            pub fn from_field(field: Field) -> Option<$name> {
                match field {
                    $(Field::$variant => Some($name::$variant),)+
                    #[allow(unreachable_patterns)]
                    _ => None,
                }
            }
        }

        impl From<$name> for Field {
            fn from(value: $name) -> Field {
                value.field()
            }
        }
    };
}

field_subset!(
    /// A field holding one piece of text.
    TextField {
        Title,
        PrimaryArtist,
        Album,
        AlbumType,
        Isrc,
        AddedBy,
        Label,
    }
);

field_subset!(
    /// A field holding a list of texts (several artists, several genres).
    ListField {
        Artist,
        Genre,
        ArtistGenre,
        AlbumGenre,
    }
);

field_subset!(
    /// A field holding a whole number.
    NumberField {
        Year,
        TrackNumber,
        DiscNumber,
        Position,
        Popularity,
        ArtistPopularity,
    }
);

field_subset!(
    /// A field holding a length of time.
    DurationField { Duration }
);

field_subset!(
    /// A field holding a date (a calendar date at some precision, or an instant).
    DateField { Release, Added }
);

field_subset!(
    /// A field holding yes or no.
    BoolField { Explicit, Liked }
);

field_subset!(
    /// A field naming a playlist the track is in.
    PlaylistField { In }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_resolve_to_one_field_each() {
        for field in Field::ALL {
            assert_eq!(Field::from_name(field.name()), Some(field));
            for alias in field.aliases() {
                assert_eq!(Field::from_name(alias), Some(field), "{alias}");
            }
        }
        assert_eq!(Field::from_name("GENRE"), Some(Field::Genre));
        assert_eq!(Field::from_name("gnre"), None);
    }

    #[test]
    fn subsets_match_kinds() {
        for field in Field::ALL {
            let kind = field.kind();
            assert_eq!(
                TextField::from_field(field).is_some(),
                kind == FieldKind::Text
            );
            assert_eq!(
                ListField::from_field(field).is_some(),
                kind == FieldKind::List
            );
            assert_eq!(
                NumberField::from_field(field).is_some(),
                kind == FieldKind::Number
            );
            assert_eq!(
                DurationField::from_field(field).is_some(),
                kind == FieldKind::Duration
            );
            assert_eq!(
                DateField::from_field(field).is_some(),
                kind == FieldKind::Date
            );
            assert_eq!(
                BoolField::from_field(field).is_some(),
                kind == FieldKind::Bool
            );
            assert_eq!(
                PlaylistField::from_field(field).is_some(),
                kind == FieldKind::Playlist
            );
        }
    }
}
