//! How answers from several sources become the one value a filter reads.
//!
//! Precedence, first to last: **the music service** (Spotify's own fields, where the connection
//! provides them), **the user** ("my genres"), **open sources** (MusicBrainz).
//!
//! - Genres are lists, and the user's are always added: tagging an artist "shoegaze" makes
//!   `genre:shoegaze` match it whatever else is known. Besides the user's, the service's list is
//!   used when the connection provides genres at all (an artist it gives no genre has none),
//!   otherwise the open source's. The merged list keeps that order, each genre once (compared
//!   folded: "Hip Hop" = "hip hop").
//! - An artist's genres are known when the service provides them, the user tagged the artist,
//!   or an open source answered with usable confidence. Otherwise they are unknown, and a rule
//!   on them is Unknown (never a silent "no").
//! - Single-valued fields (label, release country, original date) take the first source in
//!   precedence that has a value; between answers of one source, the more confident.

use crate::filter::normalize::fold;
use crate::metadata::model::{ArtistFacts, ReleaseFacts, SourceKind, Sourced};

/// Genres from every source, merged, with the sources that contributed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MergedGenres {
    pub genres: Vec<String>,
    pub sources: Vec<SourceKind>,
}

impl MergedGenres {
    fn add(&mut self, source: SourceKind, genres: &[String]) {
        if !self.sources.contains(&source) {
            self.sources.push(source);
        }
        for g in genres {
            let folded = fold(g.trim());
            if folded.is_empty() {
                continue;
            }
            if !self.genres.iter().any(|have| fold(have) == folded) {
                self.genres.push(g.trim().to_owned());
            }
        }
    }
}

/// One artist's genres. `service`: `Some` when the connection provides genres (the list may be
/// empty), `None` when it cannot. `user`: the user's tags for the artist. `open`: the usable
/// answer of an open source, if any.
pub fn artist_genres(
    service: Option<&[String]>,
    user: Option<&[String]>,
    open: Option<&Sourced<ArtistFacts>>,
) -> Option<MergedGenres> {
    let mut merged = MergedGenres::default();
    let mut known = false;
    if let Some(list) = service {
        merged.add(SourceKind::Service, list);
        known = true;
    }
    if let Some(list) = user {
        merged.add(SourceKind::User, list);
        known = true;
    }
    if service.is_none()
        && let Some(o) = open
    {
        merged.add(o.source, &o.value.genres);
        known = true;
    }
    known.then_some(merged)
}

/// An album's genres. `service`: what the connection said (Spotify's are empty for every
/// album); `open`: the usable answer of an open source about the album's release.
pub fn album_genres(
    service: Option<&[String]>,
    open: Option<&Sourced<ReleaseFacts>>,
) -> Option<Vec<String>> {
    match (service, open) {
        (Some(list), _) if !list.is_empty() => Some(list.to_vec()),
        (_, Some(o)) => Some(o.value.genres.clone()),
        (Some(list), None) => Some(list.to_vec()),
        (None, None) => None,
    }
}

/// The value of a single-valued field: the first source in precedence, then the most confident.
pub fn first_in_precedence<T>(
    candidates: impl IntoIterator<Item = Sourced<T>>,
) -> Option<Sourced<T>> {
    candidates.into_iter().min_by(|a, b| {
        a.source
            .cmp(&b.source)
            .then(b.confidence.cmp(&a.confidence))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::model::Confidence;

    fn s(list: &[&str]) -> Vec<String> {
        list.iter().map(|x| (*x).to_owned()).collect()
    }

    fn open(genres: &[&str]) -> Sourced<ArtistFacts> {
        Sourced {
            value: ArtistFacts {
                genres: s(genres),
                tags: vec![],
            },
            source: SourceKind::MusicBrainz,
            confidence: Confidence::ISRC,
            reference: Some("mbid".into()),
        }
    }

    #[test]
    fn the_service_wins_over_open_sources_and_the_user_is_always_added() {
        let service = s(&["indie rock"]);
        let user = s(&["Shoegaze", "Indie Rock"]);
        let mb = open(&["rock"]);
        let m = artist_genres(Some(&service), Some(&user), Some(&mb)).unwrap();
        assert_eq!(m.genres, s(&["indie rock", "Shoegaze"]));
        assert_eq!(m.sources, vec![SourceKind::Service, SourceKind::User]);
    }

    #[test]
    fn an_empty_list_from_the_service_is_an_answer() {
        let m = artist_genres(Some(&[]), None, Some(&open(&["rock"]))).unwrap();
        assert!(m.genres.is_empty());
    }

    #[test]
    fn without_the_service_open_sources_and_the_user_fill_in() {
        let user = s(&["shoegaze"]);
        let m = artist_genres(None, Some(&user), Some(&open(&["rock", "Rock"]))).unwrap();
        assert_eq!(m.genres, s(&["shoegaze", "rock"]));
        assert_eq!(m.sources, vec![SourceKind::User, SourceKind::MusicBrainz]);
        let m = artist_genres(None, Some(&user), None).unwrap();
        assert_eq!(m.genres, s(&["shoegaze"]));
        assert_eq!(artist_genres(None, None, None), None);
    }

    #[test]
    fn album_genres_prefer_a_non_empty_service_list() {
        let release = Sourced {
            value: ReleaseFacts {
                genres: s(&["jazz"]),
                ..ReleaseFacts::default()
            },
            source: SourceKind::MusicBrainz,
            confidence: Confidence::ISRC,
            reference: None,
        };
        assert_eq!(album_genres(Some(&[]), Some(&release)), Some(s(&["jazz"])));
        assert_eq!(
            album_genres(Some(&s(&["pop"])), Some(&release)),
            Some(s(&["pop"]))
        );
        assert_eq!(album_genres(Some(&[]), None), Some(vec![]));
        assert_eq!(album_genres(None, None), None);
    }

    #[test]
    fn single_values_follow_precedence_then_confidence() {
        let v = |value: &str, source, confidence| Sourced {
            value: value.to_owned(),
            source,
            confidence: Confidence::new(confidence),
            reference: None,
        };
        let picked = first_in_precedence([
            v("mb low", SourceKind::MusicBrainz, 80),
            v("mb high", SourceKind::MusicBrainz, 95),
        ])
        .unwrap();
        assert_eq!(picked.value, "mb high");
        let picked = first_in_precedence([
            v("mb", SourceKind::MusicBrainz, 95),
            v("spotify", SourceKind::Service, 100),
        ])
        .unwrap();
        assert_eq!(picked.value, "spotify");
    }
}
