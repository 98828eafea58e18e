//! The track as filters see it, and its pre-normalised form.
//!
//! [`FilterTrack`] is what the sync engine fills from whatever sources a connection reaches.
//! Every field but the id and the position is `Option`: `None` means **unknown** (no source
//! provided it), which evaluation keeps apart from "empty" or "zero". [`PreparedTrack`] folds
//! every text once so that a thousand rules never fold the same title twice.

use super::field::Field;
use super::normalize::fold;
use super::value::{DurationMs, PartialDate, Timestamp};
use crate::ids::TrackId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One base-playlist entry as filters see it. `None` = unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterTrack {
    pub id: TrackId,
    /// 1-based position in the base playlist.
    pub position: u32,
    pub title: Option<String>,
    /// Credited artists in order; the first is the primary artist.
    pub artists: Option<Vec<String>>,
    pub album: Option<String>,
    /// As the service names it: album, single, compilation, ...
    pub album_type: Option<String>,
    pub release: Option<PartialDate>,
    pub duration: Option<DurationMs>,
    pub explicit: Option<bool>,
    pub track_number: Option<u32>,
    pub disc_number: Option<u32>,
    pub isrc: Option<String>,
    pub added_at: Option<Timestamp>,
    pub added_by: Option<String>,
    /// The genres of the track's artists together; `None` if unknown for any of them.
    pub artist_genres: Option<Vec<String>>,
    pub album_genres: Option<Vec<String>>,
    pub label: Option<String>,
    pub popularity: Option<u8>,
    /// The primary artist's popularity.
    pub artist_popularity: Option<u8>,
}

impl FilterTrack {
    /// A track about which nothing but its id and position is known.
    pub fn unknown(id: impl Into<TrackId>, position: u32) -> FilterTrack {
        FilterTrack {
            id: id.into(),
            position,
            title: None,
            artists: None,
            album: None,
            album_type: None,
            release: None,
            duration: None,
            explicit: None,
            track_number: None,
            disc_number: None,
            isrc: None,
            added_at: None,
            added_by: None,
            artist_genres: None,
            album_genres: None,
            label: None,
            popularity: None,
            artist_popularity: None,
        }
    }

    pub fn primary_artist(&self) -> Option<&str> {
        self.artists.as_ref()?.first().map(String::as_str)
    }
}

/// A text as given and as folded for forgiving comparison. Boxed strings and no second copy
/// when folding changes nothing (most genres): a 10,000-track base holds many of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreparedText {
    exact: Box<str>,
    /// `None` when the folded text is the text itself.
    folded: Option<Box<str>>,
}

impl PreparedText {
    fn new(text: &str) -> PreparedText {
        let folded = fold(text);
        PreparedText {
            folded: (folded != text).then(|| folded.into_boxed_str()),
            exact: text.into(),
        }
    }

    pub(crate) fn get(&self, exact: bool) -> &str {
        if exact { &self.exact } else { self.folded() }
    }

    pub(crate) fn folded(&self) -> &str {
        self.folded.as_deref().unwrap_or(&self.exact)
    }
}

/// A list whose elements are partly or wholly known. `complete` is false when more elements
/// may exist that no source told us about (genres of an album no source described).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreparedList {
    pub(crate) items: Vec<PreparedText>,
    pub(crate) complete: bool,
}

impl PreparedList {
    fn known(items: &[String]) -> PreparedList {
        PreparedList {
            items: items.iter().map(|s| PreparedText::new(s)).collect(),
            complete: true,
        }
    }

    /// Union of two sources, each possibly unknown. Unknown when both are; otherwise the known
    /// part, complete only when both are known. Equal folded elements appear once.
    fn union(a: Option<&[String]>, b: Option<&[String]>) -> Option<PreparedList> {
        if a.is_none() && b.is_none() {
            return None;
        }
        let mut items: Vec<PreparedText> =
            Vec::with_capacity(a.map_or(0, <[String]>::len) + b.map_or(0, <[String]>::len));
        for s in a.into_iter().chain(b).flatten() {
            let text = PreparedText::new(s);
            if !items.iter().any(|t| t.folded() == text.folded()) {
                items.push(text);
            }
        }
        Some(PreparedList {
            items,
            complete: a.is_some() && b.is_some(),
        })
    }
}

/// A track with every text folded once, ready for any number of compiled filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedTrack {
    track: FilterTrack,
    pub(crate) title: Option<PreparedText>,
    pub(crate) primary_artist: Option<PreparedText>,
    pub(crate) album: Option<PreparedText>,
    pub(crate) album_type: Option<PreparedText>,
    pub(crate) isrc: Option<PreparedText>,
    pub(crate) added_by: Option<PreparedText>,
    pub(crate) label: Option<PreparedText>,
    pub(crate) artists: Option<PreparedList>,
    pub(crate) genres: Option<PreparedList>,
    pub(crate) artist_genres: Option<PreparedList>,
    pub(crate) album_genres: Option<PreparedList>,
}

impl PreparedTrack {
    /// Prepares every field.
    pub fn new(track: FilterTrack) -> PreparedTrack {
        PreparedTrack::prepare(track, |_| true)
    }

    /// Prepares only the fields in `fields` (what the filters of a base read, as
    /// [`crate::filter::Filter::fields`] lists them): a field no filter reads is never
    /// compared, so it need not be folded and held once more for every track.
    pub fn with_fields(track: FilterTrack, fields: &BTreeSet<Field>) -> PreparedTrack {
        PreparedTrack::prepare(track, |f| fields.contains(&f))
    }

    fn prepare(track: FilterTrack, reads: impl Fn(Field) -> bool) -> PreparedTrack {
        let text = |field: Field, s: &Option<String>| {
            s.as_deref().filter(|_| reads(field)).map(PreparedText::new)
        };
        let list = |field: Field, l: &Option<Vec<String>>| {
            l.as_deref()
                .filter(|_| reads(field))
                .map(PreparedList::known)
        };
        PreparedTrack {
            title: text(Field::Title, &track.title),
            primary_artist: track
                .primary_artist()
                .filter(|_| reads(Field::PrimaryArtist))
                .map(PreparedText::new),
            album: text(Field::Album, &track.album),
            album_type: text(Field::AlbumType, &track.album_type),
            isrc: text(Field::Isrc, &track.isrc),
            added_by: text(Field::AddedBy, &track.added_by),
            label: text(Field::Label, &track.label),
            artists: list(Field::Artist, &track.artists),
            genres: if reads(Field::Genre) {
                PreparedList::union(
                    track.artist_genres.as_deref(),
                    track.album_genres.as_deref(),
                )
            } else {
                None
            },
            artist_genres: list(Field::ArtistGenre, &track.artist_genres),
            album_genres: list(Field::AlbumGenre, &track.album_genres),
            track,
        }
    }

    pub fn track(&self) -> &FilterTrack {
        &self.track
    }

    /// The folded primary artist, for per-artist caps and title+artist deduplication.
    pub fn folded_primary_artist(&self) -> Option<&str> {
        self.primary_artist.as_ref().map(PreparedText::folded)
    }

    pub fn folded_title(&self) -> Option<&str> {
        self.title.as_ref().map(PreparedText::folded)
    }
}

/// Prepares a whole base playlist.
pub fn prepare_all(tracks: impl IntoIterator<Item = FilterTrack>) -> Vec<PreparedTrack> {
    tracks.into_iter().map(PreparedTrack::new).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genre_union_is_complete_only_when_both_sources_are_known() {
        let mut t = FilterTrack::unknown("t1", 1);
        assert!(PreparedTrack::new(t.clone()).genres.is_none());
        t.artist_genres = Some(vec!["Indie Rock".into(), "indie rock".into()]);
        let p = PreparedTrack::new(t.clone());
        let g = p.genres.as_ref().unwrap();
        assert!(!g.complete);
        assert_eq!(g.items.len(), 1);
        t.album_genres = Some(vec![]);
        assert!(PreparedTrack::new(t).genres.unwrap().complete);
    }

    #[test]
    fn only_the_fields_read_are_prepared_and_they_judge_alike() {
        let mut t = FilterTrack::unknown("t1", 1);
        t.title = Some("Héroes".into());
        t.artists = Some(vec!["David Bowie".into()]);
        t.artist_genres = Some(vec!["art rock".into(), "Glam Rock".into()]);
        t.album_genres = Some(vec![]);
        let fields: BTreeSet<Field> = [Field::Genre].into_iter().collect();
        let lean = PreparedTrack::with_fields(t.clone(), &fields);
        assert!(lean.title.is_none() && lean.artists.is_none() && lean.artist_genres.is_none());
        let full = PreparedTrack::new(t);
        assert_eq!(lean.genres, full.genres);
        assert_eq!(lean.track(), full.track());
        let genres = full.genres.unwrap();
        // Already folded: one copy only.
        assert!(genres.items[0].folded.is_none());
        assert_eq!(genres.items[1].folded(), "glam rock");
        assert_eq!(genres.items[1].get(true), "Glam Rock");
    }
}
