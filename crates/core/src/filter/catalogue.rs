//! What a user interface needs to offer each field: a label, a hint, an example, its kind.
//!
//! The rule builder lists fields from here rather than keeping its own copy, so a field added
//! to [`Field`] shows up in the app with the name the query language uses for it.

use super::field::{Field, FieldKind, NumberField};
use serde::Serialize;
use ts_rs::TS;

/// One field as a rule builder shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldInfo {
    /// The field, spelled as the query language and the JSON form spell it (`primary_artist`).
    pub field: Field,
    /// A short human name: "Primary artist".
    pub label: &'static str,
    /// One sentence on what the field holds.
    pub description: &'static str,
    /// The heading it sits under in a field list: "Track", "Album", "Genres", "Popularity",
    /// "Base playlist".
    pub group: &'static str,
    pub kind: FieldKind,
    /// Other spellings the query language accepts.
    pub aliases: Vec<&'static str>,
    /// For list fields, what one element is called ("artist", "genre"): "any artist is …".
    pub element: Option<&'static str>,
    /// A typical value, in the query language's form, for placeholders ("2015", "4:30").
    pub example: &'static str,
    /// Values the field commonly holds, to offer as suggestions (album types).
    pub suggestions: Vec<&'static str>,
    /// The smallest meaningful value of a number field.
    #[ts(type = "number | null")]
    pub min: Option<i64>,
    /// The largest meaningful value of a number field.
    #[ts(type = "number | null")]
    pub max: Option<i64>,
}

/// Every field, in the order a field list shows them (grouped by [`FieldInfo::group`]).
pub fn field_catalogue() -> Vec<FieldInfo> {
    ORDER.into_iter().map(field_info).collect()
}

/// The order of the catalogue: the most used fields of each group first.
const ORDER: [Field; 23] = [
    Field::Title,
    Field::Artist,
    Field::PrimaryArtist,
    Field::Duration,
    Field::Explicit,
    Field::Isrc,
    Field::TrackNumber,
    Field::DiscNumber,
    Field::Album,
    Field::AlbumType,
    Field::Release,
    Field::Year,
    Field::Label,
    Field::Genre,
    Field::ArtistGenre,
    Field::AlbumGenre,
    Field::Popularity,
    Field::ArtistPopularity,
    Field::Added,
    Field::AddedBy,
    Field::Position,
    Field::Liked,
    Field::In,
];

const TRACK: &str = "Track";
const ALBUM: &str = "Album";
const GENRES: &str = "Genres";
const POPULARITY: &str = "Popularity";
const BASE: &str = "Base playlist";
const LIBRARY: &str = "Your library";

/// The catalogue entry of one field.
pub fn field_info(field: Field) -> FieldInfo {
    let (label, description, group, example) = match field {
        Field::Title => ("Title", "The track's title.", TRACK, "live"),
        Field::Artist => ("Artists", "Every credited artist.", TRACK, "radiohead"),
        Field::PrimaryArtist => (
            "Primary artist",
            "The first credited artist.",
            TRACK,
            "radiohead",
        ),
        Field::Duration => ("Duration", "The track's length.", TRACK, "4:30"),
        Field::Explicit => ("Explicit", "Whether the lyrics are explicit.", TRACK, ""),
        Field::Isrc => (
            "ISRC",
            "The recording's international code.",
            TRACK,
            "GBAYE0601498",
        ),
        Field::TrackNumber => ("Track number", "Its number on its disc.", TRACK, "1"),
        Field::DiscNumber => ("Disc number", "The disc it is on.", TRACK, "1"),
        Field::Album => ("Album", "The album's name.", ALBUM, "ok computer"),
        Field::AlbumType => (
            "Album type",
            "Album, single or compilation.",
            ALBUM,
            "single",
        ),
        Field::Release => (
            "Release date",
            "The album's release date, to the year, month or day.",
            ALBUM,
            "2015-06",
        ),
        Field::Year => ("Release year", "The release date's year.", ALBUM, "2015"),
        Field::Label => ("Label", "The album's record label.", ALBUM, "xl"),
        Field::Genre => (
            "Genres",
            "The artists' and the album's genres together.",
            GENRES,
            "indie rock",
        ),
        Field::ArtistGenre => (
            "Artist genres",
            "The artists' genres.",
            GENRES,
            "indie rock",
        ),
        Field::AlbumGenre => ("Album genres", "The album's genres.", GENRES, "indie rock"),
        Field::Popularity => (
            "Popularity",
            "How popular the track is, from 0 to 100.",
            POPULARITY,
            "60",
        ),
        Field::ArtistPopularity => (
            "Artist popularity",
            "How popular the primary artist is, from 0 to 100.",
            POPULARITY,
            "60",
        ),
        Field::Added => (
            "Date added",
            "When it was added to the base playlist.",
            BASE,
            "30d",
        ),
        Field::AddedBy => (
            "Added by",
            "Who added it to the base playlist.",
            BASE,
            "ada",
        ),
        Field::Position => (
            "Position",
            "Its position in the base playlist (1 is the first).",
            BASE,
            "1",
        ),
        Field::Liked => (
            "Liked",
            "Whether the track is in your Liked Songs.",
            LIBRARY,
            "",
        ),
        Field::In => (
            "In playlist",
            "Whether the track is in another of your playlists, named by its name or id.",
            LIBRARY,
            "Not for the gym",
        ),
    };
    let element = match field {
        Field::Artist => Some("artist"),
        Field::Genre | Field::ArtistGenre | Field::AlbumGenre => Some("genre"),
        _ => None,
    };
    let suggestions = match field {
        Field::AlbumType => vec!["album", "single", "compilation"],
        _ => Vec::new(),
    };
    // The same domain the filter checks refuse values outside of (`popularity:101`).
    let (min, max) = match NumberField::from_field(field) {
        Some(number) => {
            let domain = number.domain();
            (Some(domain.min), domain.max)
        }
        None => (None, None),
    };
    FieldInfo {
        field,
        label,
        description,
        group,
        kind: field.kind(),
        aliases: field.aliases().to_vec(),
        element,
        example,
        suggestions,
        min,
        max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::query::parse;
    use std::collections::BTreeSet;

    #[test]
    fn lists_every_field_once_under_its_query_name() {
        let catalogue = field_catalogue();
        let fields: BTreeSet<Field> = catalogue.iter().map(|f| f.field).collect();
        assert_eq!(fields.len(), Field::ALL.len());
        assert_eq!(catalogue.len(), Field::ALL.len());
        for info in &catalogue {
            // The JSON name the UI receives is the name the query language reads.
            let json = serde_json::to_value(info.field).unwrap();
            assert_eq!(json, info.field.name());
            assert_eq!(info.kind, info.field.kind());
            assert_eq!(info.element.is_some(), info.kind == FieldKind::List);
            assert!(!info.label.is_empty() && info.description.ends_with('.'));
        }
    }

    #[test]
    fn examples_are_values_the_query_language_accepts() {
        for info in field_catalogue() {
            let name = info.field.name();
            let query = match info.kind {
                FieldKind::Bool => name.to_owned(),
                FieldKind::Text | FieldKind::List | FieldKind::Playlist => {
                    format!("{name}:\"{}\"", info.example)
                }
                // A span ("30d") is written after `<`: "in the last 30 days".
                FieldKind::Date if info.example.ends_with('d') => {
                    format!("{name}:<{}", info.example)
                }
                FieldKind::Number | FieldKind::Duration | FieldKind::Date => {
                    format!("{name}:{}", info.example)
                }
            };
            assert!(parse(&query).is_ok(), "{query}");
        }
    }
}
