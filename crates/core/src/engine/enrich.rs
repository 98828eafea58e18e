//! Enrichment: which catalog lookups the filters need, served from the cache first, and the
//! tracks as filters see them.
//!
//! Playlist items already carry names, artists, album, release date, duration, explicit and
//! (where the app gets them) popularity and ISRC. Only genres and artist popularity need the
//! artists, only labels and album genres need the albums, and only a missing track
//! popularity or ISRC needs the tracks: each lookup is planned only when a filter reads a
//! field it serves and the connection is not known to withhold that field.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::capabilities::{Capabilities, Field as CapField, LookupKind};
use crate::filter::{
    Availability, DurationMs, Field, FieldAvailability, FilterTrack, PartialDate, Timestamp,
};
use crate::ids::{AlbumId, ArtistId, TrackId};
use crate::metadata::coverage::{OpenCatalog, genres_of};
use crate::metadata::merge::album_genres;
use crate::provider::{AlbumMeta, AlbumType, ArtistMeta, EntryOrigin, TrackMeta};

/// How long cached catalog metadata is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheTtl {
    pub track: Duration,
    pub artist: Duration,
    pub album: Duration,
}

impl Default for CacheTtl {
    fn default() -> Self {
        const DAY: u64 = 24 * 60 * 60;
        CacheTtl {
            track: Duration::from_secs(DAY),
            artist: Duration::from_secs(7 * DAY),
            album: Duration::from_secs(7 * DAY),
        }
    }
}

impl CacheTtl {
    pub fn of(&self, kind: LookupKind) -> Duration {
        match kind {
            LookupKind::Track => self.track,
            LookupKind::Artist => self.artist,
            LookupKind::Album => self.album,
        }
    }
}

/// Which lookups a sync makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EnrichmentPlan {
    pub artists: bool,
    pub albums: bool,
    /// Look up tracks whose item lacks popularity or ISRC.
    pub tracks: bool,
    /// Take artists' genres from an open source (MusicBrainz), as the connection cannot
    /// provide them. The sync only reads what the enricher kept; see [`crate::metadata`].
    #[serde(default)]
    pub open_artists: bool,
    /// Add the user's own genres ("my genres"): whenever a filter reads genres.
    #[serde(default)]
    pub user_genres: bool,
}

impl EnrichmentPlan {
    pub fn for_fields(fields: &BTreeSet<Field>, caps: &Capabilities) -> EnrichmentPlan {
        let may = |f: CapField| !caps.field(f).is_unavailable();
        let uses = |f: Field| fields.contains(&f);
        let genres = uses(Field::Genre) || uses(Field::ArtistGenre);
        EnrichmentPlan {
            artists: (genres && may(CapField::Genres))
                || (uses(Field::ArtistPopularity) && may(CapField::ArtistPopularity)),
            albums: (uses(Field::Label) && may(CapField::AlbumLabel)) || uses(Field::AlbumGenre),
            tracks: (uses(Field::Popularity) && may(CapField::TrackPopularity))
                || (uses(Field::Isrc) && may(CapField::Isrc)),
            open_artists: genres && !may(CapField::Genres),
            user_genres: genres,
        }
    }

    /// Whether artists' genres are built at all (from any source).
    pub fn genres(&self) -> bool {
        self.artists || self.open_artists || self.user_genres
    }
}

/// What the connection can provide, in the filter check's terms, with genres also available
/// when an open source fills them (`open_genres`): then "still filling" is what preview
/// reports, not "unavailable".
pub fn field_availability_with(caps: &Capabilities, open_genres: bool) -> FieldAvailability {
    let mut out = field_availability(caps);
    if open_genres {
        out.set(Field::Genre, Availability::Available)
            .set(Field::ArtistGenre, Availability::Available);
    }
    out
}

/// What the connection can provide, in the filter check's terms.
pub fn field_availability(caps: &Capabilities) -> FieldAvailability {
    let mut out = FieldAvailability::all_available();
    let pairs = [
        (Field::Genre, CapField::Genres),
        (Field::ArtistGenre, CapField::Genres),
        (Field::Popularity, CapField::TrackPopularity),
        (Field::ArtistPopularity, CapField::ArtistPopularity),
        (Field::Label, CapField::AlbumLabel),
        (Field::Isrc, CapField::Isrc),
    ];
    for (field, cap) in pairs {
        let support = caps.field(cap);
        if let Some(reason) = support.reason() {
            out.set(
                field,
                Availability::Unavailable {
                    reason: reason.to_string(),
                },
            );
        } else if !support.is_available() {
            out.set(field, Availability::NotYetKnown);
        }
    }
    out
}

/// Catalog objects at hand for building filter tracks.
#[derive(Debug, Default)]
pub struct Catalog {
    pub artists: HashMap<ArtistId, ArtistMeta>,
    pub albums: HashMap<AlbumId, AlbumMeta>,
    pub tracks: HashMap<TrackId, TrackMeta>,
    /// What open sources and the user said.
    pub open: OpenCatalog,
}

/// The ids each planned lookup needs, distinct, in first-seen order.
pub fn ids_to_look_up<'a>(
    plan: &EnrichmentPlan,
    tracks: impl Iterator<Item = &'a TrackMeta>,
) -> (Vec<ArtistId>, Vec<AlbumId>, Vec<TrackId>) {
    let mut artists = Vec::new();
    let mut albums = Vec::new();
    let mut track_ids = Vec::new();
    let (mut sa, mut sb, mut st) = (HashSet::new(), HashSet::new(), HashSet::new());
    for t in tracks {
        if plan.artists {
            for id in t.artists.iter().filter_map(|a| a.id.as_ref()) {
                if sa.insert(id.clone()) {
                    artists.push(id.clone());
                }
            }
        }
        if let Some(id) = t.album.as_ref().and_then(|a| a.id.as_ref())
            && plan.albums
            && sb.insert(id.clone())
        {
            albums.push(id.clone());
        }
        if plan.tracks && (t.popularity.is_none() || t.isrc.is_none()) && st.insert(t.id.clone()) {
            track_ids.push(t.id.clone());
        }
    }
    (artists, albums, track_ids)
}

fn album_type_name(t: &AlbumType) -> String {
    match t {
        AlbumType::Album => "album".to_owned(),
        AlbumType::Single => "single".to_owned(),
        AlbumType::Compilation => "compilation".to_owned(),
        AlbumType::Other(s) => s.clone(),
    }
}

/// A base entry as filters see it. `position` is 0-based here, 1-based in the result.
pub fn filter_track(
    position: u32,
    origin: &EntryOrigin,
    track: &TrackMeta,
    plan: &EnrichmentPlan,
    catalog: &Catalog,
) -> FilterTrack {
    let looked_up = catalog.tracks.get(&track.id);
    let album_meta = track
        .album
        .as_ref()
        .and_then(|a| a.id.as_ref())
        .and_then(|id| catalog.albums.get(id));
    let artist_genres = if plan.genres() {
        let mut all: Vec<String> = Vec::new();
        let mut known = !track.artists.is_empty();
        for a in &track.artists {
            let merged =
                a.id.as_ref()
                    .and_then(|id| genres_of(id, catalog.artists.get(id), &catalog.open));
            match merged {
                Some(m) => all.extend(m.genres),
                None => known = false,
            }
        }
        known.then_some(all)
    } else {
        None
    };
    let service_album_genres = match album_meta {
        Some(m) => m.genres.clone(),
        // Spotify's album genres have been empty for every album for years: when genres are
        // wanted and albums were not looked up, "none" is the truth, and saying so lets
        // `genre:` rules decide on the artists' genres alone instead of staying unknown.
        None if plan.genres() && !plan.albums => Some(Vec::new()),
        None => None,
    };
    let open_album = track
        .album
        .as_ref()
        .and_then(|a| a.id.as_ref())
        .and_then(|id| catalog.open.albums.get(id));
    let album_genres = album_genres(service_album_genres.as_deref(), open_album);
    let primary = track
        .artists
        .first()
        .and_then(|a| a.id.as_ref())
        .and_then(|id| catalog.artists.get(id));
    FilterTrack {
        id: track.id.clone(),
        position: position.saturating_add(1),
        title: Some(track.name.clone()),
        artists: Some(track.artists.iter().map(|a| a.name.clone()).collect()),
        album: track.album.as_ref().map(|a| a.name.clone()),
        album_type: track
            .album
            .as_ref()
            .and_then(|a| a.album_type.as_ref())
            .map(album_type_name),
        release: track
            .album
            .as_ref()
            .and_then(|a| a.release_date)
            .and_then(|d| PartialDate::new(d.year, d.month, d.day).ok()),
        duration: track.duration_ms.map(|d| DurationMs(u64::from(d))),
        explicit: track.explicit,
        track_number: track.track_number,
        disc_number: track.disc_number,
        isrc: track
            .isrc
            .clone()
            .or_else(|| looked_up.and_then(|t| t.isrc.clone())),
        added_at: origin
            .added_at
            .as_deref()
            .and_then(|s| Timestamp::parse_rfc3339(s).ok()),
        added_by: origin.added_by.clone(),
        artist_genres,
        album_genres,
        label: album_meta.and_then(|m| m.label.clone()),
        popularity: track
            .popularity
            .or_else(|| looked_up.and_then(|t| t.popularity)),
        artist_popularity: primary.and_then(|m| m.popularity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::{MissingReason, Support};

    fn fields(list: &[Field]) -> BTreeSet<Field> {
        list.iter().copied().collect()
    }

    #[test]
    fn only_the_lookups_the_fields_need() {
        let caps = Capabilities::unknown();
        let p = EnrichmentPlan::for_fields(&fields(&[Field::Year, Field::Explicit]), &caps);
        assert_eq!(p, EnrichmentPlan::default());
        let p = EnrichmentPlan::for_fields(&fields(&[Field::Genre, Field::Year]), &caps);
        assert!(p.artists && !p.albums && !p.tracks);
        let p = EnrichmentPlan::for_fields(&fields(&[Field::Label]), &caps);
        assert!(p.albums && !p.artists);
    }

    #[test]
    fn withheld_fields_are_not_fetched() {
        let mut caps = Capabilities::unknown();
        caps.record_field(
            CapField::Genres,
            Support::Unavailable {
                reason: MissingReason::EmptyInPractice { sampled: 5 },
            },
        );
        let p = EnrichmentPlan::for_fields(&fields(&[Field::Genre]), &caps);
        assert!(!p.artists);
        let avail = field_availability(&caps);
        assert!(matches!(
            avail.get(Field::Genre),
            Availability::Unavailable { .. }
        ));
    }
}
