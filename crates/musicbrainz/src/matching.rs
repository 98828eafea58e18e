//! Deciding which MusicBrainz recording a track is, and which credited artist is which of the
//! track's artists. The rule is never a silent wrong match:
//!
//! - **By ISRC** (an identifier): the recordings that carry it are the track; each of the
//!   track's artists is linked to the credit of the same name (folded: case, accents, "&",
//!   a leading "the", sort names "Beatles, The"). A credit under another name is accepted only
//!   for a single-artist track on a single-credit recording, at lower confidence (another
//!   script or spelling). Recordings that disagree about who an artist is leave that artist
//!   unlinked; a recording credited to someone else altogether is refused as ambiguous.
//! - **By title, artist and duration** (a search, when the ISRC is unknown): the title must
//!   agree after normalisation (remaster and edition markers, "feat." dropped; live, acoustic,
//!   remix, demo... must agree), the primary artist by name, the duration within 3 s (1% for
//!   long tracks). Candidates by two different artists of the same name are refused as
//!   ambiguous.

use std::collections::BTreeSet;

use syncer_core::ids::ArtistId;
use syncer_core::metadata::{
    ArtistLink, Confidence, MatchMethod, ReleaseFacts, SourceKind, Sourced, TrackMatch, TrackQuery,
};
use syncer_core::provider::ReleaseDate;

use crate::model::{Recording, Release, by_votes};
use crate::normalize::{durations_agree, name_key, title_key};

/// "Beatles, The" → "The Beatles"; "Cave, Nick" → "Nick Cave".
fn unsort(sort_name: &str) -> String {
    match sort_name.rsplit_once(", ") {
        Some((last, first)) => format!("{first} {last}"),
        None => sort_name.to_owned(),
    }
}

/// The MBIDs of the credits on `rec` that name `name`.
fn credits_named(rec: &Recording, name: &str) -> BTreeSet<String> {
    let key = name_key(name);
    rec.artist_credit
        .iter()
        .filter(|c| {
            name_key(&c.name) == key
                || name_key(&c.artist.name) == key
                || c.artist
                    .sort_name
                    .as_deref()
                    .is_some_and(|s| name_key(&unsort(s)) == key)
        })
        .map(|c| c.artist.id.clone())
        .collect()
}

fn credit_names(rec: &Recording) -> String {
    rec.artist_credit
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The link of every query artist with an id, on one recording.
fn links(query: &TrackQuery, rec: &Recording, method: MatchMethod) -> Vec<(ArtistId, ArtistLink)> {
    let confidence = match method {
        MatchMethod::Isrc => Confidence::ISRC,
        MatchMethod::Search => Confidence::SEARCH,
    };
    query
        .artists
        .iter()
        .filter_map(|a| a.id.clone().map(|id| (id, a.name.as_str())))
        .map(|(id, name)| {
            let ids = credits_named(rec, name);
            let link = match ids.len() {
                1 => ArtistLink::Linked {
                    reference: ids.into_iter().next().unwrap_or_default(),
                    confidence,
                },
                0 if method == MatchMethod::Isrc
                    && query.artists.len() == 1
                    && rec.artist_credit.len() == 1 =>
                {
                    ArtistLink::Linked {
                        reference: rec.artist_credit[0].artist.id.clone(),
                        confidence: Confidence::ISRC_SOLE_CREDIT,
                    }
                }
                0 => ArtistLink::Unmatched {
                    reason: format!(
                        "MusicBrainz credits the recording to {}, not to {name}",
                        credit_names(rec)
                    ),
                },
                _ => ArtistLink::Unmatched {
                    reason: format!("two credited artists on the recording are named {name}"),
                },
            };
            (id, link)
        })
        .collect()
}

fn linked_id(link: &ArtistLink) -> Option<&str> {
    match link {
        ArtistLink::Linked { reference, .. } => Some(reference),
        ArtistLink::Unmatched { .. } => None,
    }
}

/// The release the track's album is: same title after normalisation, earliest first.
fn release_facts(
    query: &TrackQuery,
    rec: &Recording,
    confidence: Confidence,
) -> Option<Sourced<ReleaseFacts>> {
    let album = title_key(query.album.as_deref()?, None).core;
    let mut releases: Vec<&Release> = rec
        .releases
        .iter()
        .flatten()
        .filter(|r| {
            title_key(&r.title, None).core == album
                || r.release_group
                    .as_ref()
                    .is_some_and(|g| title_key(&g.title, None).core == album)
        })
        .collect();
    // Undated editions last.
    releases.sort_by_key(|r| (r.date.is_none(), r.date.clone()));
    let first = releases.first()?;
    let group = first.release_group.as_ref();
    let votes = |items: Option<&Vec<crate::model::Genre>>| {
        by_votes(
            items
                .into_iter()
                .flatten()
                .map(|g| (g.name.as_str(), g.count)),
        )
    };
    let original = group
        .and_then(|g| g.first_release_date.as_deref())
        .or(rec.first_release_date.as_deref())
        .or(first.date.as_deref())
        .and_then(|d| ReleaseDate::parse(d, None));
    Some(Sourced {
        value: ReleaseFacts {
            genres: votes(group.and_then(|g| g.genres.as_ref())),
            tags: by_votes(
                group
                    .and_then(|g| g.tags.as_ref())
                    .into_iter()
                    .flatten()
                    .map(|t| (t.name.as_str(), t.count)),
            ),
            label: first
                .label_info
                .iter()
                .flatten()
                .find_map(|l| l.label.as_ref().map(|l| l.name.clone())),
            country: first.country.clone().filter(|c| !c.is_empty()),
            original_date: original,
        },
        source: SourceKind::MusicBrainz,
        confidence,
        reference: group.map(|g| g.id.clone()),
    })
}

/// The recordings an ISRC lookup returned, decided.
pub fn match_isrc(query: &TrackQuery, recordings: &[Recording]) -> TrackMatch {
    decide(query, recordings, MatchMethod::Isrc)
}

/// A recording search's results, decided.
pub fn match_search(query: &TrackQuery, recordings: &[Recording]) -> TrackMatch {
    let want = title_key(&query.title, None);
    let fitting: Vec<Recording> = recordings
        .iter()
        .filter(|r| {
            let have = title_key(&r.title, r.disambiguation.as_deref());
            have.core == want.core && have.flavours == want.flavours
        })
        .filter(|r| match (query.duration_ms, r.length) {
            (Some(q), Some(l)) => durations_agree(q, l),
            // Without the recording's length the match cannot be checked: refused.
            (Some(_), None) => false,
            (None, _) => true,
        })
        .cloned()
        .collect();
    decide(query, &fitting, MatchMethod::Search)
}

fn decide(query: &TrackQuery, recordings: &[Recording], method: MatchMethod) -> TrackMatch {
    let Some(primary) = query.artists.first() else {
        return TrackMatch::NotFound;
    };
    if recordings.is_empty() {
        return TrackMatch::NotFound;
    }
    let per_rec: Vec<(&Recording, Vec<(ArtistId, ArtistLink)>)> = recordings
        .iter()
        .map(|r| (r, links(query, r, method)))
        .collect();
    let primary_index = primary.id.as_ref().and_then(|id| {
        per_rec
            .first()
            .and_then(|(_, l)| l.iter().position(|(a, _)| a == id))
    });
    // Recordings whose credit names the primary artist (or whose only credit stands for the
    // only artist).
    let kept: Vec<&(&Recording, Vec<(ArtistId, ArtistLink)>)> = per_rec
        .iter()
        .filter(|(r, l)| match primary_index {
            Some(i) => l.get(i).and_then(|(_, link)| linked_id(link)).is_some(),
            None => credits_named(r, &primary.name).len() == 1,
        })
        .collect();
    if kept.is_empty() {
        return match method {
            MatchMethod::Isrc => TrackMatch::Ambiguous {
                reason: format!(
                    "the ISRC's recording is credited to {}, not to {}",
                    recordings.first().map(credit_names).unwrap_or_default(),
                    primary.name
                ),
            },
            MatchMethod::Search => TrackMatch::NotFound,
        };
    }
    // Two artists of one name, each with a fitting recording: refused.
    let primaries: BTreeSet<String> = kept
        .iter()
        .filter_map(|(r, l)| match primary_index {
            Some(i) => l
                .get(i)
                .and_then(|(_, link)| linked_id(link))
                .map(str::to_owned),
            None => credits_named(r, &primary.name).into_iter().next(),
        })
        .collect();
    if primaries.len() > 1 {
        return TrackMatch::Ambiguous {
            reason: format!(
                "{} artists named {} have a recording called {:?}",
                primaries.len(),
                primary.name,
                query.title
            ),
        };
    }
    // Per artist, the MBIDs the kept recordings link it to: one, or it stays unlinked.
    let mut artists: Vec<(ArtistId, ArtistLink)> = Vec::new();
    if let Some((_, first_links)) = kept.first() {
        for (i, (id, _)) in first_links.iter().enumerate() {
            let linked: BTreeSet<(&str, Confidence)> = kept
                .iter()
                .filter_map(|(_, l)| match l.get(i).map(|(_, link)| link) {
                    Some(ArtistLink::Linked {
                        reference,
                        confidence,
                    }) => Some((reference.as_str(), *confidence)),
                    _ => None,
                })
                .collect();
            let ids: BTreeSet<&str> = linked.iter().map(|(r, _)| *r).collect();
            let link = match ids.len() {
                1 => {
                    let confidence = linked
                        .iter()
                        .map(|(_, c)| *c)
                        .min()
                        .unwrap_or(Confidence::SEARCH);
                    ArtistLink::Linked {
                        reference: ids.into_iter().next().unwrap_or_default().to_owned(),
                        confidence,
                    }
                }
                0 => kept
                    .first()
                    .and_then(|(_, l)| l.get(i).map(|(_, link)| link.clone()))
                    .unwrap_or(ArtistLink::Unmatched {
                        reason: "not credited".into(),
                    }),
                _ => ArtistLink::Unmatched {
                    reason: "the recordings of this ISRC disagree about who this artist is".into(),
                },
            };
            artists.push((id.clone(), link));
        }
    }
    // The recording to name: the title that agrees, then the closest duration.
    let want = title_key(&query.title, None);
    let chosen = kept.iter().map(|(r, _)| *r).min_by_key(|r| {
        let title = title_key(&r.title, r.disambiguation.as_deref());
        let title_off = u8::from(title.core != want.core || title.flavours != want.flavours);
        let off = match (query.duration_ms, r.length) {
            (Some(q), Some(l)) => q.abs_diff(l),
            _ => u32::MAX,
        };
        (title_off, off)
    });
    let Some(chosen) = chosen else {
        return TrackMatch::NotFound;
    };
    let confidence = artists
        .iter()
        .find(|(id, _)| Some(id) == primary.id.as_ref())
        .and_then(|(_, l)| match l {
            ArtistLink::Linked { confidence, .. } => Some(*confidence),
            ArtistLink::Unmatched { .. } => None,
        })
        .unwrap_or(match method {
            MatchMethod::Isrc => Confidence::ISRC,
            MatchMethod::Search => Confidence::SEARCH,
        });
    TrackMatch::Found {
        reference: chosen.id.clone(),
        method,
        confidence,
        release: release_facts(query, chosen, confidence),
        artists,
    }
}

#[cfg(test)]
mod tests;
