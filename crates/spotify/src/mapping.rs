//! Spotify's wire objects to core's provider-neutral values. Nothing here fails a sync: an
//! entry that cannot be routed becomes `Skipped` with its reason, an unreadable catalog
//! object becomes "unknown".

use syncer_core::ids::{AlbumId, ArtistId, PlaylistId, SnapshotId, TrackId};
use syncer_core::provider::{
    AlbumMeta, AlbumRef, AlbumType, ArtistMeta, ArtistRef, DatePrecision, EntryOrigin,
    PlaylistEntry, PlaylistInfo, ReleaseDate, SkipReason, TrackMeta, UserProfile,
};

use crate::model::{
    AlbumObject, ArtistObject, PlaylistEntryObject, PlaylistObject, SimplifiedAlbum,
    SimplifiedArtist, TrackObject, UserObject,
};

/// Whether `id` can be put into a path or an `ids=` list: Spotify ids are base62.
pub(crate) fn is_spotify_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub(crate) fn track_uri(id: &TrackId) -> String {
    format!("spotify:track:{}", id.as_str())
}

pub(crate) fn user(u: UserObject) -> UserProfile {
    UserProfile {
        id: u.id,
        display_name: u.display_name,
        country: u.country,
        product: u.product,
    }
}

/// Marks a version Syncer made up for a playlist the service sent without `snapshot_id`: it
/// never equals another, so such a playlist always counts as changed and is read in full
/// (change detection falls back to its items), and it is never sent back to the service.
const UNVERSIONED: &str = "syncer-unversioned:";

pub(crate) fn unversioned() -> SnapshotId {
    SnapshotId::new(format!("{UNVERSIONED}{:016x}", fastrand::u64(..)))
}

/// Whether `snapshot` is a real version the service gave (one to send back with a write).
pub(crate) fn is_versioned(snapshot: &SnapshotId) -> bool {
    !snapshot.as_str().is_empty() && !snapshot.as_str().starts_with(UNVERSIONED)
}

/// A playlist header. Refused only without an id (nothing could address it); the reason names
/// no content.
pub(crate) fn playlist(p: PlaylistObject) -> Result<PlaylistInfo, String> {
    let id =
        p.id.filter(|id| !id.is_empty())
            .ok_or_else(|| "the service sent a playlist without an id".to_owned())?;
    let snapshot = p
        .snapshot_id
        .filter(|s| !s.is_empty())
        .map_or_else(unversioned, SnapshotId::new);
    let (owner_id, owner_name) = p.owner.map_or((None, None), |o| (o.id, o.display_name));
    Ok(PlaylistInfo {
        total_items: p
            .items
            .and_then(|r| r.total)
            .or_else(|| p.tracks.and_then(|r| r.total)),
        id: PlaylistId::new(id),
        name: p.name.unwrap_or_default(),
        description: p.description.filter(|d| !d.is_empty()),
        owner_id,
        owner_name,
        snapshot_id: snapshot,
        public: p.public,
        collaborative: p.collaborative.unwrap_or(false),
    })
}

fn precision(text: Option<&str>) -> Option<DatePrecision> {
    match text? {
        "year" => Some(DatePrecision::Year),
        "month" => Some(DatePrecision::Month),
        "day" => Some(DatePrecision::Day),
        _ => None,
    }
}

fn release_date(date: Option<&str>, precision_text: Option<&str>) -> Option<ReleaseDate> {
    ReleaseDate::parse(date?, precision(precision_text))
}

fn popularity(p: Option<u32>) -> Option<u8> {
    p.map(|p| u8::try_from(p.min(100)).unwrap_or(100))
}

fn artist_ref(a: SimplifiedArtist) -> ArtistRef {
    ArtistRef {
        id: a.id.filter(|id| is_spotify_id(id)).map(ArtistId::new),
        name: a.name.unwrap_or_default(),
    }
}

fn album_ref(a: SimplifiedAlbum) -> AlbumRef {
    AlbumRef {
        id: a.id.filter(|id| is_spotify_id(id)).map(AlbumId::new),
        name: a.name.unwrap_or_default(),
        album_type: a.album_type.as_deref().map(AlbumType::parse),
        release_date: release_date(
            a.release_date.as_deref(),
            a.release_date_precision.as_deref(),
        ),
        artists: a.artists.into_iter().map(artist_ref).collect(),
    }
}

/// A track object to core's metadata, or why it cannot be routed.
pub(crate) fn track(t: TrackObject) -> Result<TrackMeta, SkipReason> {
    if t.is_local == Some(true) {
        return Err(SkipReason::LocalFile);
    }
    match t.kind.as_deref() {
        None | Some("track") => {}
        Some("episode") => return Err(SkipReason::Episode),
        Some(other) => {
            return Err(SkipReason::UnsupportedType {
                type_name: other.to_owned(),
            });
        }
    }
    if t.is_playable == Some(false) {
        return Err(SkipReason::Unavailable);
    }
    let id =
        t.id.filter(|id| is_spotify_id(id))
            .ok_or(SkipReason::MissingId)?;
    Ok(TrackMeta {
        id: TrackId::new(id),
        name: t.name.unwrap_or_default(),
        artists: t.artists.into_iter().map(artist_ref).collect(),
        album: t.album.map(album_ref),
        duration_ms: t.duration_ms,
        explicit: t.explicit,
        popularity: popularity(t.popularity),
        isrc: t
            .external_ids
            .and_then(|e| e.isrc)
            .filter(|i| !i.is_empty()),
        track_number: t.track_number,
        disc_number: t.disc_number,
        linked_from: t
            .linked_from
            .and_then(|l| l.id)
            .filter(|id| is_spotify_id(id))
            .map(TrackId::new),
    })
}

/// One playlist entry at `position`.
pub(crate) fn entry(position: u32, e: PlaylistEntryObject) -> PlaylistEntry {
    let origin = EntryOrigin {
        added_at: e.added_at,
        added_by: e.added_by.and_then(|u| u.id),
    };
    let content = e.item.or(e.track).filter(|v| !v.is_null());
    let skipped = |reason, uri| PlaylistEntry::Skipped {
        position,
        origin: origin.clone(),
        reason,
        uri,
    };
    let Some(content) = content else {
        return skipped(SkipReason::Unavailable, None);
    };
    let uri = content
        .get("uri")
        .and_then(|u| u.as_str())
        .map(str::to_owned);
    if e.is_local == Some(true) {
        return skipped(SkipReason::LocalFile, uri);
    }
    let parsed: TrackObject = match serde_json::from_value(content) {
        Ok(t) => t,
        Err(_) => return skipped(SkipReason::Unreadable, uri),
    };
    match track(parsed) {
        Ok(track) => PlaylistEntry::Track {
            position,
            origin,
            track,
        },
        Err(reason) => skipped(reason, uri),
    }
}

/// An artist; `genres_known` says whether this connection is known to provide genres, so an
/// empty list means "none" rather than "not told".
pub(crate) fn artist(a: ArtistObject, genres_known: bool) -> Option<ArtistMeta> {
    let id = a.id.filter(|id| is_spotify_id(id))?;
    Some(ArtistMeta {
        id: ArtistId::new(id),
        name: a.name.unwrap_or_default(),
        genres: genres(a.genres, genres_known),
        popularity: popularity(a.popularity),
        followers: a.followers.and_then(|f| f.total),
    })
}

fn genres(list: Option<Vec<String>>, known: bool) -> Option<Vec<String>> {
    match list {
        Some(g) if !g.is_empty() => Some(g),
        Some(empty) if known => Some(empty),
        _ => None,
    }
}

pub(crate) fn album(a: AlbumObject, genres_known: bool) -> Option<AlbumMeta> {
    let id = a.id.filter(|id| is_spotify_id(id))?;
    Some(AlbumMeta {
        id: AlbumId::new(id),
        name: a.name.unwrap_or_default(),
        album_type: a.album_type.as_deref().map(AlbumType::parse),
        release_date: release_date(
            a.release_date.as_deref(),
            a.release_date_precision.as_deref(),
        ),
        label: a.label.filter(|l| !l.is_empty()),
        popularity: popularity(a.popularity),
        artists: a.artists.into_iter().map(artist_ref).collect(),
        total_tracks: a.total_tracks,
        genres: genres(a.genres, genres_known),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry_from(v: serde_json::Value) -> PlaylistEntry {
        entry(7, serde_json::from_value(v).unwrap())
    }

    fn reason(e: &PlaylistEntry) -> Option<SkipReason> {
        match e {
            PlaylistEntry::Skipped { reason, .. } => Some(reason.clone()),
            PlaylistEntry::Track { .. } => None,
        }
    }

    #[test]
    fn messy_entries_are_skipped_with_reasons() {
        let null = entry_from(json!({"added_at": "2020-01-01T00:00:00Z", "item": null}));
        assert_eq!(reason(&null), Some(SkipReason::Unavailable));
        let local = entry_from(json!({"is_local": true, "item": {
            "id": null, "uri": "spotify:local:A:B:C:180", "type": "track", "is_local": true}}));
        assert_eq!(reason(&local), Some(SkipReason::LocalFile));
        let PlaylistEntry::Skipped { uri, .. } = &local else {
            panic!("local file routed")
        };
        assert_eq!(uri.as_deref(), Some("spotify:local:A:B:C:180"));
        let episode = entry_from(json!({"item": {"id": "abc", "type": "episode"}}));
        assert_eq!(reason(&episode), Some(SkipReason::Episode));
        let odd = entry_from(json!({"item": {"id": "abc", "type": "audiobook"}}));
        assert!(matches!(
            reason(&odd),
            Some(SkipReason::UnsupportedType { .. })
        ));
        let no_id = entry_from(json!({"track": {"id": null, "type": "track"}}));
        assert_eq!(reason(&no_id), Some(SkipReason::MissingId));
        let garbage = entry_from(json!({"item": {"id": 5, "type": "track"}}));
        assert_eq!(reason(&garbage), Some(SkipReason::Unreadable));
    }

    #[test]
    fn a_track_entry_from_either_generation() {
        let body = json!({"id": "4iV5W9uYEdYUVa79Axb7Rh", "type": "track", "name": "Ünïcödé 🎵 שלום",
            "duration_ms": 1000, "explicit": false, "track_number": 2, "disc_number": 1,
            "external_ids": {"isrc": "USRC17607839"}, "linked_from": {"id": "1301WleyT98MSxVHPZCA6M"},
            "artists": [{"id": "0TnOYISbd1XYRBk9myaseg", "name": "A"}],
            "album": {"id": "2up3OPMp9Tb4dAKM2erWXQ", "name": "Al", "album_type": "single",
                "release_date": "1999-05", "release_date_precision": "month", "artists": []}});
        for key in ["item", "track"] {
            let e =
                entry_from(json!({"added_at": "t", "added_by": {"id": "u"}, key: body.clone()}));
            let PlaylistEntry::Track {
                position,
                origin,
                track,
            } = e
            else {
                panic!("not routed")
            };
            assert_eq!(position, 7);
            assert_eq!(origin.added_by.as_deref(), Some("u"));
            assert_eq!(track.name, "Ünïcödé 🎵 שלום");
            // Fields the response left out are unknown, not zero.
            assert_eq!(track.popularity, None);
            assert_eq!(track.isrc.as_deref(), Some("USRC17607839"));
            assert_eq!(
                track.linked_from,
                Some(TrackId::new("1301WleyT98MSxVHPZCA6M"))
            );
            let album = track.album.unwrap();
            assert_eq!(album.album_type, Some(AlbumType::Single));
            assert_eq!(
                album.release_date.unwrap().precision(),
                DatePrecision::Month
            );
        }
    }

    #[test]
    fn empty_genres_mean_unknown_unless_the_connection_provides_genres() {
        let a = |genres: serde_json::Value| -> ArtistObject {
            serde_json::from_value(
                json!({"id": "0TnOYISbd1XYRBk9myaseg", "name": "A", "genres": genres}),
            )
            .unwrap()
        };
        assert_eq!(artist(a(json!([])), false).unwrap().genres, None);
        assert_eq!(artist(a(json!([])), true).unwrap().genres, Some(vec![]));
        assert_eq!(
            artist(a(json!(["indie"])), false).unwrap().genres,
            Some(vec!["indie".to_owned()])
        );
        let full: ArtistObject = serde_json::from_value(
            json!({"id": "x1", "name": "A", "popularity": 140, "followers": {"total": 3}}),
        )
        .unwrap();
        let full = artist(full, true).unwrap();
        assert_eq!(full.popularity, Some(100));
        assert_eq!(full.followers, Some(3));
    }

    #[test]
    fn ids_that_cannot_go_in_a_url_are_refused() {
        assert!(is_spotify_id("4iV5W9uYEdYUVa79Axb7Rh"));
        assert!(!is_spotify_id(""));
        assert!(!is_spotify_id("a/b"));
        assert!(!is_spotify_id("a,b"));
        assert!(!is_spotify_id("ä"));
    }
}
