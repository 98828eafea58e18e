//! What a sync knows from open sources and the user, gathered from storage for one base's
//! tracks, and how much of it there is ("genre known for 1,812 of 2,000 artists"). The sync
//! never asks an open source itself: it uses what is kept and queues the rest for the enricher.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::engine::storage::StorageResult;
use crate::filter::{Field, Timestamp};
use crate::ids::{AlbumId, ArtistId, ConnectionId};
use crate::metadata::merge::{MergedGenres, artist_genres};
use crate::metadata::model::{ArtistFacts, ReleaseFacts, SourceKind, Sourced, TrackQuery};
use crate::metadata::store::{FactState, FactsTtl, MetadataStore, QueuedArtist};
use crate::provider::{ArtistMeta, TrackMeta};

/// How many tracks of an artist are kept as candidates for recognising it.
pub const CANDIDATES_PER_ARTIST: usize = 3;

/// What open sources and the user said, for the artists and albums of one base.
#[derive(Debug, Clone, Default)]
pub struct OpenCatalog {
    /// The user's genres ("my genres").
    pub user_genres: HashMap<ArtistId, Vec<String>>,
    /// Usable answers of the open source about artists.
    pub artists: HashMap<ArtistId, Sourced<ArtistFacts>>,
    /// Usable answers of the open source about albums (their releases).
    pub albums: HashMap<AlbumId, Sourced<ReleaseFacts>>,
    /// Artists the open source is still to answer for (queued).
    pub filling: HashSet<ArtistId>,
    /// Of those, the ones already linked (one request left rather than about two).
    pub linked: HashSet<ArtistId>,
}

/// Which metadata a coverage line counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageKind {
    /// The genres of the base's artists (what `genre:` and `artist_genre:` read).
    ArtistGenres,
}

/// How much of one kind of metadata is known for a base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataCoverage {
    pub kind: CoverageKind,
    /// Filter fields that read it.
    pub fields: Vec<Field>,
    /// Distinct artists in the base.
    pub total: u32,
    /// Artists whose genres are known, from any source.
    pub known: u32,
    /// Artists an open source is still to answer for.
    pub filling: u32,
    /// Artists no source could answer for (not found, ambiguous, or unsure).
    pub unknown: u32,
    /// Artists whose genres came from each source (an artist may count under two).
    pub by_source: BTreeMap<SourceKind, u32>,
    /// The open source filling it, if any.
    pub source: Option<SourceKind>,
    /// About how many requests filling the rest takes.
    pub requests_left: u32,
}

impl MetadataCoverage {
    pub fn is_complete(&self) -> bool {
        self.filling == 0
    }
}

/// Distinct artist ids of the tracks, in first-seen order.
pub fn artists_of<'a>(tracks: impl IntoIterator<Item = &'a TrackMeta>) -> Vec<ArtistId> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for t in tracks {
        for id in t.artists.iter().filter_map(|a| a.id.as_ref()) {
            if seen.insert(id) {
                out.push(id.clone());
            }
        }
    }
    out
}

/// Distinct album ids of the tracks.
fn albums_of<'a>(tracks: impl IntoIterator<Item = &'a TrackMeta>) -> Vec<AlbumId> {
    let mut seen = HashSet::new();
    tracks
        .into_iter()
        .filter_map(|t| t.album.as_ref().and_then(|a| a.id.clone()))
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// Queue entries for `wanted` artists, each with the tracks that best identify it: an ISRC
/// first, then credited first, then shorter credit lists (fewer artists to tell apart).
pub fn queue_items(
    tracks: &[&TrackMeta],
    wanted: &[ArtistId],
    source: SourceKind,
    connection: &ConnectionId,
    now: Timestamp,
) -> Vec<QueuedArtist> {
    let wanted_set: HashSet<&ArtistId> = wanted.iter().collect();
    let mut by_artist: HashMap<&ArtistId, Vec<(u8, &TrackMeta)>> = HashMap::new();
    for t in tracks {
        for (i, a) in t.artists.iter().enumerate() {
            let Some(id) = a.id.as_ref().filter(|id| wanted_set.contains(id)) else {
                continue;
            };
            let rank = u8::from(t.isrc.is_none()) * 4
                + u8::from(i > 0) * 2
                + u8::from(t.artists.len() > 2);
            let list = by_artist.entry(id).or_default();
            if !list.iter().any(|(_, other)| other.id == t.id) {
                list.push((rank, t));
            }
        }
    }
    wanted
        .iter()
        .filter_map(|id| {
            let mut list = by_artist.remove(id)?;
            list.sort_by_key(|(rank, _)| *rank);
            Some(QueuedArtist {
                artist: id.clone(),
                source,
                connection: connection.clone(),
                candidates: list
                    .into_iter()
                    .take(CANDIDATES_PER_ARTIST)
                    .map(|(_, t)| TrackQuery::from_meta(t))
                    .collect(),
                tried: 0,
                attempts: 0,
                ambiguous: false,
                not_before: now,
                added_at: now,
            })
        })
        .collect()
}

/// What to gather for one base.
pub struct GatherRequest<'a> {
    pub tracks: &'a [&'a TrackMeta],
    /// The user's genres are wanted (a filter reads genres).
    pub user_genres: bool,
    /// The open source is wanted (genres read, and the connection cannot provide them).
    pub open: Option<SourceKind>,
    pub connection: &'a ConnectionId,
    pub ttl: &'a FactsTtl,
    pub now: Timestamp,
}

/// Reads what is kept for the base's artists and albums, and queues for the enricher every
/// artist the open source has no fresh answer for.
pub async fn gather<S: MetadataStore>(
    store: &S,
    req: &GatherRequest<'_>,
) -> StorageResult<OpenCatalog> {
    let mut out = OpenCatalog::default();
    if !req.user_genres && req.open.is_none() {
        return Ok(out);
    }
    let artists = artists_of(req.tracks.iter().copied());
    if req.user_genres {
        out.user_genres = store.user_genres(&artists).await?;
    }
    let Some(source) = req.open else {
        return Ok(out);
    };
    let mut answered: HashSet<ArtistId> = HashSet::new();
    for row in store.artist_facts(source, &artists).await? {
        if !row.is_fresh(req.ttl, req.now) {
            continue;
        }
        if row.state == FactState::Linked {
            out.linked.insert(row.artist.clone());
            continue;
        }
        answered.insert(row.artist.clone());
        if let Some(facts) = row.usable() {
            out.artists.insert(row.artist.clone(), facts);
        }
    }
    let albums = albums_of(req.tracks.iter().copied());
    for row in store.album_facts(source, &albums).await? {
        if row.is_fresh(req.ttl, req.now)
            && let Some(facts) = row.usable()
        {
            out.albums.insert(row.album.clone(), facts);
        }
    }
    let missing: Vec<ArtistId> = artists
        .into_iter()
        .filter(|a| !answered.contains(a))
        .collect();
    if !missing.is_empty() {
        let items = queue_items(req.tracks, &missing, source, req.connection, req.now);
        store.enqueue(&items).await?;
        tracing::debug!(artists = items.len(), source = %source, "queued for enrichment");
    }
    out.linked.retain(|a| missing.contains(a));
    out.filling = missing.into_iter().collect();
    Ok(out)
}

/// The genres of one artist from every source (see [`crate::metadata::merge`]).
pub fn genres_of(
    artist: &ArtistId,
    service: Option<&ArtistMeta>,
    open: &OpenCatalog,
) -> Option<MergedGenres> {
    artist_genres(
        service.and_then(|m| m.genres.as_deref()),
        open.user_genres.get(artist).map(Vec::as_slice),
        open.artists.get(artist),
    )
}

/// Counts how much of the base's artists' genres is known.
pub fn genre_coverage(
    tracks: &[&TrackMeta],
    service: &HashMap<ArtistId, ArtistMeta>,
    open: &OpenCatalog,
    source: Option<SourceKind>,
    fields: Vec<Field>,
) -> MetadataCoverage {
    let mut c = MetadataCoverage {
        kind: CoverageKind::ArtistGenres,
        fields,
        total: 0,
        known: 0,
        filling: 0,
        unknown: 0,
        by_source: BTreeMap::new(),
        source,
        requests_left: 0,
    };
    for artist in artists_of(tracks.iter().copied()) {
        c.total += 1;
        match genres_of(&artist, service.get(&artist), open) {
            Some(merged) => {
                c.known += 1;
                for s in merged.sources {
                    *c.by_source.entry(s).or_insert(0) += 1;
                }
            }
            None if open.filling.contains(&artist) => {
                c.filling += 1;
                c.requests_left += if open.linked.contains(&artist) { 1 } else { 2 };
            }
            None => c.unknown += 1,
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::{AlbumRef, ArtistRef};

    fn track(id: &str, artists: &[&str], isrc: bool) -> TrackMeta {
        TrackMeta {
            id: id.into(),
            name: format!("Song {id}"),
            artists: artists
                .iter()
                .map(|a| ArtistRef {
                    id: Some((*a).into()),
                    name: format!("Artist {a}"),
                })
                .collect(),
            album: Some(AlbumRef {
                id: Some(format!("al-{id}").into()),
                name: "Album".into(),
                album_type: None,
                release_date: None,
                artists: vec![],
            }),
            duration_ms: Some(200_000),
            explicit: Some(false),
            popularity: None,
            isrc: isrc.then(|| format!("XX{id}")),
            track_number: None,
            disc_number: None,
            linked_from: None,
        }
    }

    #[test]
    fn candidates_prefer_an_isrc_and_a_first_credit() {
        let t1 = track("t1", &["b", "a"], true);
        let t2 = track("t2", &["a"], false);
        let t3 = track("t3", &["a"], true);
        let t4 = track("t4", &["a", "c"], true);
        let t5 = track("t5", &["a"], true);
        let tracks = vec![&t1, &t2, &t3, &t4, &t5];
        let items = queue_items(
            &tracks,
            &["a".into()],
            SourceKind::MusicBrainz,
            &ConnectionId::new("c"),
            Timestamp::from_unix_seconds(0),
        );
        assert_eq!(items.len(), 1);
        let ids: Vec<&str> = items[0]
            .candidates
            .iter()
            .map(|c| c.track.as_str())
            .collect();
        assert_eq!(ids, vec!["t3", "t4", "t5"]);
    }

    #[test]
    fn coverage_counts_sources_and_what_is_filling() {
        let t1 = track("t1", &["a", "b"], true);
        let t2 = track("t2", &["c"], true);
        let t3 = track("t3", &["d"], true);
        let tracks = vec![&t1, &t2, &t3];
        let mut open = OpenCatalog::default();
        open.user_genres.insert("a".into(), vec!["shoegaze".into()]);
        open.artists.insert(
            "a".into(),
            Sourced {
                value: ArtistFacts {
                    genres: vec!["rock".into()],
                    tags: vec![],
                },
                source: SourceKind::MusicBrainz,
                confidence: crate::metadata::Confidence::ISRC,
                reference: None,
            },
        );
        open.filling.insert("b".into());
        open.filling.insert("c".into());
        open.linked.insert("c".into());
        let c = genre_coverage(
            &tracks,
            &HashMap::new(),
            &open,
            Some(SourceKind::MusicBrainz),
            vec![Field::Genre],
        );
        assert_eq!((c.total, c.known, c.filling, c.unknown), (4, 1, 2, 1));
        assert_eq!(c.by_source[&SourceKind::User], 1);
        assert_eq!(c.by_source[&SourceKind::MusicBrainz], 1);
        assert_eq!(c.requests_left, 3);
        assert!(!c.is_complete());
    }
}
