//! The track as filters see it, and its pre-normalised form.
//!
//! [`FilterTrack`] is what the sync engine fills from whatever sources a connection reaches.
//! Every field but the id and the position is `Option`: `None` means **unknown** (no source
//! provided it), which evaluation keeps apart from "empty" or "zero". [`PreparedTrack`] folds
//! every text once so that a thousand rules never fold the same title twice.

use super::normalize::fold;
use super::value::{DurationMs, PartialDate, Timestamp};
use crate::ids::TrackId;
use serde::{Deserialize, Serialize};

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

/// A text as given and as folded for forgiving comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreparedText {
    pub(crate) exact: String,
    pub(crate) folded: String,
}

impl PreparedText {
    fn new(text: &str) -> PreparedText {
        PreparedText {
            exact: text.to_owned(),
            folded: fold(text),
        }
    }

    pub(crate) fn get(&self, exact: bool) -> &str {
        if exact { &self.exact } else { &self.folded }
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
        let mut items: Vec<PreparedText> = Vec::new();
        for s in a.into_iter().chain(b).flatten() {
            let text = PreparedText::new(s);
            if !items.iter().any(|t| t.folded == text.folded) {
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
    pub fn new(track: FilterTrack) -> PreparedTrack {
        let text = |s: &Option<String>| s.as_deref().map(PreparedText::new);
        PreparedTrack {
            title: text(&track.title),
            primary_artist: track.primary_artist().map(PreparedText::new),
            album: text(&track.album),
            album_type: text(&track.album_type),
            isrc: text(&track.isrc),
            added_by: text(&track.added_by),
            label: text(&track.label),
            artists: track.artists.as_deref().map(PreparedList::known),
            genres: PreparedList::union(
                track.artist_genres.as_deref(),
                track.album_genres.as_deref(),
            ),
            artist_genres: track.artist_genres.as_deref().map(PreparedList::known),
            album_genres: track.album_genres.as_deref().map(PreparedList::known),
            track,
        }
    }

    pub fn track(&self) -> &FilterTrack {
        &self.track
    }

    /// The folded primary artist, for per-artist caps and title+artist deduplication.
    pub fn folded_primary_artist(&self) -> Option<&str> {
        self.primary_artist.as_ref().map(|t| t.folded.as_str())
    }

    pub fn folded_title(&self) -> Option<&str> {
        self.title.as_ref().map(|t| t.folded.as_str())
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
}
