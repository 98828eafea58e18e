//! MusicBrainz's side of spotify-fake's catalog: the same artists, recordings and ISRCs from
//! the same seed, written the way MusicBrainz writes them, with its gaps.
//!
//! - An artist gets an MBID derived from its Spotify id, its generated genres (the truth) voted
//!   in order, and sometimes a "seen live" tag (a tag, never a genre). Some artists are
//!   unknown to MusicBrainz (`unknown_artists`), and so are their tracks. Some names lose their
//!   accents (`plain_names`).
//! - A track becomes a recording credited to its known artists, titled as MusicBrainz does:
//!   no "(Remastered 2011)" or "(feat. …)", live versions told by their disambiguation,
//!   "(acoustic)", "(remix)", "(demo)", "(radio edit)" kept lowercase in the title. Its length
//!   differs by up to 1.5 s, a few have none, and some lack their ISRC (`missing_isrcs`:
//!   found by search only).
//! - An album becomes a release in a release group of the same title and date.

use std::collections::HashMap;

use spotify_fake::LibrarySpec;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// How much MusicBrainz knows of the generated catalog.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// Share of artists MusicBrainz does not know (their tracks neither).
    pub unknown_artists: f64,
    /// Share of recordings whose ISRC MusicBrainz lacks (found by search only).
    pub missing_isrcs: f64,
    /// Share of accented artist names MusicBrainz writes without accents.
    pub plain_names: f64,
    /// Share of recordings without a length.
    pub missing_lengths: f64,
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage {
            unknown_artists: 0.05,
            missing_isrcs: 0.1,
            plain_names: 0.3,
            missing_lengths: 0.02,
        }
    }
}

impl Coverage {
    /// Everything known, every ISRC attached: for tests that compare with the truth.
    pub fn complete() -> Coverage {
        Coverage {
            unknown_artists: 0.0,
            missing_isrcs: 0.0,
            plain_names: 0.0,
            missing_lengths: 0.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MbArtist {
    pub mbid: String,
    /// The name folded, for searches.
    pub folded: String,
    pub spotify_id: String,
    pub name: String,
    pub sort_name: String,
    /// Most voted first.
    pub genres: Vec<(String, i32)>,
    pub tags: Vec<(String, i32)>,
    pub kind: &'static str,
    pub country: &'static str,
}

#[derive(Debug, Clone)]
pub struct MbRelease {
    pub id: String,
    pub title: String,
    pub date: String,
    pub country: &'static str,
    pub group_id: String,
    pub primary_type: &'static str,
    pub secondary_types: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub struct MbRecording {
    pub mbid: String,
    pub spotify_id: String,
    pub title: String,
    /// The title folded, for searches.
    pub folded: String,
    pub disambiguation: String,
    pub length: Option<u32>,
    /// Indices into the artists, in credit order.
    pub artists: Vec<usize>,
    pub isrcs: Vec<String>,
    pub release: usize,
}

/// MusicBrainz's data, with the indexes the routes use.
#[derive(Debug, Default)]
pub struct MbCatalog {
    pub artists: Vec<MbArtist>,
    pub releases: Vec<MbRelease>,
    pub recordings: Vec<MbRecording>,
    pub by_isrc: HashMap<String, Vec<usize>>,
    pub by_mbid: HashMap<String, usize>,
    pub by_spotify_artist: HashMap<String, usize>,
}

/// splitmix64: a stable hash for per-entity decisions, so the same seed decides alike.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash(seed: u64, salt: &str, id: &str) -> u64 {
    let mut h = mix(seed);
    for b in salt.bytes().chain([0xff]).chain(id.bytes()) {
        h = mix(h ^ u64::from(b));
    }
    h
}

/// A number in [0, 1) decided by the seed, a salt and an id.
fn chance(seed: u64, salt: &str, id: &str) -> f64 {
    (hash(seed, salt, id) >> 11) as f64 / (1u64 << 53) as f64
}

/// An MBID-shaped id (UUID version 4 layout) for an entity.
pub fn mbid(seed: u64, kind: &str, id: &str) -> String {
    let a = hash(seed, kind, id);
    let b = hash(seed ^ 0x5555, kind, id);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][(b & 3) as usize],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Case and accents folded, punctuation collapsed: how the search compares.
pub fn fold_words(text: &str) -> String {
    let mut out = String::new();
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        let c = match c {
            'ø' | 'Ø' => 'o',
            'ł' | 'Ł' => 'l',
            _ => c,
        };
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    out.trim().to_owned()
}

fn strip_accents(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// A title as MusicBrainz writes it, and its disambiguation.
fn mb_title(title: &str) -> (String, String) {
    let Some(open) = title.rfind(" (") else {
        return (title.to_owned(), String::new());
    };
    let Some(inner) = title[open + 2..].strip_suffix(')') else {
        return (title.to_owned(), String::new());
    };
    let base = &title[..open];
    match inner {
        "Live" => (base.to_owned(), "live".to_owned()),
        v if v.starts_with("Remastered") || v.starts_with("feat.") => {
            (base.to_owned(), String::new())
        }
        "Acoustic" | "Remix" | "Demo" | "Radio Edit" => {
            (format!("{base} ({})", inner.to_lowercase()), String::new())
        }
        _ => (title.to_owned(), String::new()),
    }
}

const COUNTRIES: [&str; 8] = ["GB", "US", "SE", "DE", "FR", "JP", "XE", "XW"];

impl MbCatalog {
    pub fn build(seed: u64, spec: &LibrarySpec, coverage: &Coverage) -> MbCatalog {
        let source = spotify_fake::library::catalog(seed, spec);
        let mut cat = MbCatalog::default();
        for a in &source.artists {
            if chance(seed, "unknown-artist", &a.id) < coverage.unknown_artists {
                continue;
            }
            let plain = !a.name.is_ascii() && chance(seed, "plain", &a.id) < coverage.plain_names;
            let name = if plain {
                strip_accents(&a.name)
            } else {
                a.name.clone()
            };
            let sort_name = match name.strip_prefix("The ") {
                Some(rest) => format!("{rest}, The"),
                None => match name.rsplit_once(' ') {
                    Some((first, last)) if !name.starts_with("The ") => format!("{last}, {first}"),
                    _ => name.clone(),
                },
            };
            let n = i32::try_from(a.genres.len()).unwrap_or(0);
            let genres: Vec<(String, i32)> = a
                .genres
                .iter()
                .enumerate()
                .map(|(i, g)| (g.clone(), n + 2 - i32::try_from(i).unwrap_or(0)))
                .collect();
            let mut tags = genres.clone();
            if chance(seed, "seen-live", &a.id) < 0.3 {
                tags.push(("seen live".to_owned(), 1));
            }
            let index = cat.artists.len();
            let id = mbid(seed, "artist", &a.id);
            cat.by_mbid.insert(id.clone(), index);
            cat.by_spotify_artist.insert(a.id.clone(), index);
            cat.artists.push(MbArtist {
                mbid: id,
                spotify_id: a.id.clone(),
                folded: fold_words(&name),
                name,
                sort_name,
                genres,
                tags,
                kind: if a.name.starts_with("The ") {
                    "Group"
                } else {
                    "Person"
                },
                country: COUNTRIES[(hash(seed, "country", &a.id) % 6) as usize],
            });
        }
        let mut release_of_album: HashMap<&str, usize> = HashMap::new();
        for album in &source.albums {
            let Some(main) = album.artist_ids.first() else {
                continue;
            };
            if !cat.by_spotify_artist.contains_key(main) {
                continue;
            }
            let (primary_type, secondary_types) = match album.album_type.as_str() {
                "single" => ("Single", vec![]),
                "compilation" => ("Album", vec!["Compilation"]),
                _ => ("Album", vec![]),
            };
            release_of_album.insert(album.id.as_str(), cat.releases.len());
            cat.releases.push(MbRelease {
                id: mbid(seed, "release", &album.id),
                title: album.name.clone(),
                date: album.release_date.clone(),
                country: COUNTRIES[(hash(seed, "release-country", &album.id) % 8) as usize],
                group_id: mbid(seed, "release-group", &album.id),
                primary_type,
                secondary_types,
            });
        }
        for t in &source.tracks {
            let Some(&release) = release_of_album.get(t.album_id.as_str()) else {
                continue;
            };
            let artists: Vec<usize> = t
                .artist_ids
                .iter()
                .filter_map(|a| cat.by_spotify_artist.get(a).copied())
                .collect();
            if artists.is_empty() {
                continue;
            }
            let (title, disambiguation) = mb_title(&t.name);
            let jitter = i64::try_from(hash(seed, "length", &t.id) % 3_001).unwrap_or(0) - 1_500;
            let length =
                (chance(seed, "no-length", &t.id) >= coverage.missing_lengths).then(|| {
                    u32::try_from((i64::from(t.duration_ms) + jitter).max(1_000)).unwrap_or(1_000)
                });
            let isrcs = if chance(seed, "no-isrc", &t.id) < coverage.missing_isrcs {
                Vec::new()
            } else {
                vec![t.isrc.clone()]
            };
            let index = cat.recordings.len();
            for isrc in &isrcs {
                cat.by_isrc.entry(isrc.clone()).or_default().push(index);
            }
            cat.recordings.push(MbRecording {
                mbid: mbid(seed, "recording", &t.id),
                spotify_id: t.id.clone(),
                folded: fold_words(&title),
                title,
                disambiguation,
                length,
                artists,
                isrcs,
                release,
            });
        }
        cat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_written_the_musicbrainz_way() {
        assert_eq!(
            mb_title("Golden River (Live)"),
            ("Golden River".into(), "live".into())
        );
        assert_eq!(mb_title("Golden River (Remastered 2011)").0, "Golden River");
        assert_eq!(mb_title("Golden River (feat. Someone)").0, "Golden River");
        assert_eq!(
            mb_title("Golden River (Radio Edit)").0,
            "Golden River (radio edit)"
        );
        assert_eq!(mb_title("The River").0, "The River");
    }

    #[test]
    fn ids_look_like_mbids_and_are_stable() {
        let a = mbid(7, "artist", "abc");
        assert_eq!(a, mbid(7, "artist", "abc"));
        assert_ne!(a, mbid(8, "artist", "abc"));
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
        assert_eq!(&a[14..15], "4");
    }

    #[test]
    fn the_catalog_follows_spotify_fakes_and_the_coverage() {
        let spec = LibrarySpec::default();
        let full = MbCatalog::build(3, &spec, &Coverage::complete());
        let source = spotify_fake::library::catalog(3, &spec);
        assert_eq!(full.artists.len(), source.artists.len());
        assert_eq!(full.recordings.len(), source.tracks.len());
        let t = &source.tracks[10];
        let rec = &full.recordings[full.by_isrc[&t.isrc][0]];
        assert_eq!(rec.spotify_id, t.id);
        let partial = MbCatalog::build(3, &spec, &Coverage::default());
        assert!(partial.artists.len() < full.artists.len());
        assert!(partial.recordings.iter().any(|r| r.isrcs.is_empty()));
    }
}
