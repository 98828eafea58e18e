//! The tricky cases, as a table: remasters, live versions, featuring credits, diacritics,
//! other scripts, same-name artists, durations, and ISRCs shared by disagreeing recordings.

use super::*;
use crate::model::{ArtistCredit, ArtistRef as MbArtist, ReleaseGroup};
use syncer_core::provider::ArtistRef;

fn rec(id: &str, title: &str, length: Option<u32>, credits: &[(&str, &str)]) -> Recording {
    Recording {
        id: id.into(),
        title: title.into(),
        length,
        disambiguation: None,
        video: Some(false),
        score: None,
        first_release_date: None,
        artist_credit: credits
            .iter()
            .enumerate()
            .map(|(i, (mbid, name))| ArtistCredit {
                name: (*name).into(),
                joinphrase: Some(if i + 1 < credits.len() { " feat. " } else { "" }.into()),
                artist: MbArtist {
                    id: (*mbid).into(),
                    name: (*name).into(),
                    sort_name: None,
                    disambiguation: None,
                },
            })
            .collect(),
        releases: None,
        isrcs: None,
        genres: None,
        tags: None,
    }
}

fn live(mut r: Recording, note: &str) -> Recording {
    r.disambiguation = Some(note.into());
    r
}

fn query(title: &str, artists: &[&str], duration: Option<u32>) -> TrackQuery {
    TrackQuery {
        track: "t1".into(),
        isrc: Some("GBAYE6900522".into()),
        title: title.into(),
        artists: artists
            .iter()
            .enumerate()
            .map(|(i, name)| ArtistRef {
                id: Some(format!("sp{i}").into()),
                name: (*name).into(),
            })
            .collect(),
        album: None,
        album_id: None,
        duration_ms: duration,
    }
}

/// What a case expects: the recording and each query artist's MBID (None: unlinked).
#[derive(Debug)]
enum Want {
    Found(&'static str, &'static [Option<&'static str>]),
    NotFound,
    Ambiguous,
}

struct Case {
    name: &'static str,
    method: MatchMethod,
    query: TrackQuery,
    recordings: Vec<Recording>,
    want: Want,
}

fn cases() -> Vec<Case> {
    use MatchMethod::{Isrc, Search};
    vec![
        Case {
            name: "ISRC, plain",
            method: Isrc,
            query: query("Come Together", &["The Beatles"], Some(259_000)),
            recordings: vec![rec(
                "r1",
                "Come Together",
                Some(259_000),
                &[("mb-beatles", "The Beatles")],
            )],
            want: Want::Found("r1", &[Some("mb-beatles")]),
        },
        Case {
            name: "ISRC, remaster title on the service",
            method: Isrc,
            query: query(
                "Come Together - Remastered 2019",
                &["The Beatles"],
                Some(259_500),
            ),
            recordings: vec![rec(
                "r1",
                "Come Together",
                Some(259_000),
                &[("mb-beatles", "The Beatles")],
            )],
            want: Want::Found("r1", &[Some("mb-beatles")]),
        },
        Case {
            name: "ISRC, diacritics differ",
            method: Isrc,
            query: query("Halo", &["Beyonce"], None),
            recordings: vec![rec("r1", "Halo", Some(261_000), &[("mb-b", "Beyoncé")])],
            want: Want::Found("r1", &[Some("mb-b")]),
        },
        Case {
            name: "ISRC, a leading 'The' and '&'",
            method: Isrc,
            query: query("Red Right Hand", &["Nick Cave and the Bad Seeds"], None),
            recordings: vec![rec(
                "r1",
                "Red Right Hand",
                None,
                &[("mb-nc", "Nick Cave & The Bad Seeds")],
            )],
            want: Want::Found("r1", &[Some("mb-nc")]),
        },
        Case {
            name: "ISRC, featuring credit on both sides",
            method: Isrc,
            query: query(
                "Golden River (feat. Maya Silva)",
                &["Alice Andersson", "Maya Silva"],
                None,
            ),
            recordings: vec![rec(
                "r1",
                "Golden River",
                None,
                &[("mb-a", "Alice Andersson"), ("mb-m", "Maya Silva")],
            )],
            want: Want::Found("r1", &[Some("mb-a"), Some("mb-m")]),
        },
        Case {
            name: "ISRC, featured artist only in the title on MusicBrainz",
            method: Isrc,
            query: query(
                "Golden River (feat. Maya Silva)",
                &["Alice Andersson", "Maya Silva"],
                None,
            ),
            recordings: vec![rec(
                "r1",
                "Golden River (feat. Maya Silva)",
                None,
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::Found("r1", &[Some("mb-a"), None]),
        },
        Case {
            name: "ISRC, the only credit in another script",
            method: Isrc,
            query: query("Merry Christmas Mr. Lawrence", &["坂本龍一"], None),
            recordings: vec![rec(
                "r1",
                "Merry Christmas Mr. Lawrence",
                None,
                &[("mb-rs", "Ryuichi Sakamoto")],
            )],
            want: Want::Found("r1", &[Some("mb-rs")]),
        },
        Case {
            name: "ISRC, credited to other artists: refused",
            method: Isrc,
            query: query("Golden River", &["Alice Andersson"], None),
            recordings: vec![rec(
                "r1",
                "Golden River",
                None,
                &[("mb-x", "Bruno Novak"), ("mb-y", "Eva Okafor")],
            )],
            want: Want::Ambiguous,
        },
        Case {
            name: "ISRC, two recordings of one artist",
            method: Isrc,
            query: query("Golden River", &["Alice Andersson"], Some(200_000)),
            recordings: vec![
                rec(
                    "r1",
                    "Golden River",
                    Some(230_000),
                    &[("mb-a", "Alice Andersson")],
                ),
                rec(
                    "r2",
                    "Golden River",
                    Some(200_500),
                    &[("mb-a", "Alice Andersson")],
                ),
            ],
            want: Want::Found("r2", &[Some("mb-a")]),
        },
        Case {
            name: "ISRC, recordings by two artists of one name: refused",
            method: Isrc,
            query: query("Lithium", &["Nirvana"], None),
            recordings: vec![
                rec("r1", "Lithium", None, &[("mb-nirvana-us", "Nirvana")]),
                rec("r2", "Lithium", None, &[("mb-nirvana-uk", "Nirvana")]),
            ],
            want: Want::Ambiguous,
        },
        Case {
            name: "ISRC, unknown",
            method: Isrc,
            query: query("Golden River", &["Alice Andersson"], None),
            recordings: vec![],
            want: Want::NotFound,
        },
        Case {
            name: "search, exact",
            method: Search,
            query: query("Golden River", &["Alice Andersson"], Some(200_000)),
            recordings: vec![rec(
                "r1",
                "Golden River",
                Some(201_000),
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::Found("r1", &[Some("mb-a")]),
        },
        Case {
            name: "search, remaster marker dropped",
            method: Search,
            query: query(
                "Golden River (Remastered 2011)",
                &["Alice Andersson"],
                Some(200_000),
            ),
            recordings: vec![rec(
                "r1",
                "Golden River",
                Some(199_000),
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::Found("r1", &[Some("mb-a")]),
        },
        Case {
            name: "search, live on the service, only the studio recording on MusicBrainz",
            method: Search,
            query: query(
                "Golden River - Live at Wembley",
                &["Alice Andersson"],
                Some(200_000),
            ),
            recordings: vec![rec(
                "r1",
                "Golden River",
                Some(200_000),
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::NotFound,
        },
        Case {
            name: "search, live told apart by the disambiguation",
            method: Search,
            query: query("Golden River (Live)", &["Alice Andersson"], Some(240_000)),
            recordings: vec![
                rec(
                    "r1",
                    "Golden River",
                    Some(240_500),
                    &[("mb-a", "Alice Andersson")],
                ),
                live(
                    rec(
                        "r2",
                        "Golden River",
                        Some(241_000),
                        &[("mb-a", "Alice Andersson")],
                    ),
                    "live, 1999-05-01: Oslo",
                ),
            ],
            want: Want::Found("r2", &[Some("mb-a")]),
        },
        Case {
            name: "search, studio on the service, only a live recording on MusicBrainz",
            method: Search,
            query: query("Golden River", &["Alice Andersson"], Some(240_000)),
            recordings: vec![live(
                rec(
                    "r2",
                    "Golden River",
                    Some(240_000),
                    &[("mb-a", "Alice Andersson")],
                ),
                "live",
            )],
            want: Want::NotFound,
        },
        Case {
            name: "search, acoustic is another recording",
            method: Search,
            query: query(
                "Golden River (Acoustic)",
                &["Alice Andersson"],
                Some(200_000),
            ),
            recordings: vec![rec(
                "r1",
                "Golden River",
                Some(200_000),
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::NotFound,
        },
        Case {
            name: "search, same-name artists with fitting recordings: refused",
            method: Search,
            query: query("Golden River", &["Nirvana"], Some(200_000)),
            recordings: vec![
                rec(
                    "r1",
                    "Golden River",
                    Some(200_000),
                    &[("mb-nirvana-us", "Nirvana")],
                ),
                rec(
                    "r2",
                    "Golden River",
                    Some(201_500),
                    &[("mb-nirvana-uk", "Nirvana")],
                ),
            ],
            want: Want::Ambiguous,
        },
        Case {
            name: "search, same-name artists told apart by the duration",
            method: Search,
            query: query("Golden River", &["Nirvana"], Some(200_000)),
            recordings: vec![
                rec(
                    "r1",
                    "Golden River",
                    Some(200_000),
                    &[("mb-nirvana-us", "Nirvana")],
                ),
                rec(
                    "r2",
                    "Golden River",
                    Some(260_000),
                    &[("mb-nirvana-uk", "Nirvana")],
                ),
            ],
            want: Want::Found("r1", &[Some("mb-nirvana-us")]),
        },
        Case {
            name: "search, duration too far off",
            method: Search,
            query: query("Golden River", &["Alice Andersson"], Some(200_000)),
            recordings: vec![rec(
                "r1",
                "Golden River",
                Some(215_000),
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::NotFound,
        },
        Case {
            name: "search, recording without a length cannot be checked",
            method: Search,
            query: query("Golden River", &["Alice Andersson"], Some(200_000)),
            recordings: vec![rec(
                "r1",
                "Golden River",
                None,
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::NotFound,
        },
        Case {
            name: "search, another song of the same artist",
            method: Search,
            query: query("Golden River", &["Alice Andersson"], Some(200_000)),
            recordings: vec![rec(
                "r1",
                "Golden Rivers",
                Some(200_000),
                &[("mb-a", "Alice Andersson")],
            )],
            want: Want::NotFound,
        },
        Case {
            name: "search, another artist of another name",
            method: Search,
            query: query("Golden River", &["Alice Andersson"], Some(200_000)),
            recordings: vec![rec(
                "r1",
                "Golden River",
                Some(200_000),
                &[("mb-b", "Bruno Novak")],
            )],
            want: Want::NotFound,
        },
        Case {
            name: "search, diacritics in title and artist",
            method: Search,
            query: query("Agaetis Byrjun", &["Sigur Ros"], Some(470_000)),
            recordings: vec![rec(
                "r1",
                "Ágætis byrjun",
                Some(468_000),
                &[("mb-sr", "Sigur Rós")],
            )],
            want: Want::Found("r1", &[Some("mb-sr")]),
        },
        Case {
            name: "search, featuring in the title without brackets",
            method: Search,
            query: query(
                "Golden River feat. Maya Silva",
                &["Alice Andersson", "Maya Silva"],
                Some(200_000),
            ),
            recordings: vec![rec(
                "r1",
                "Golden River",
                Some(200_000),
                &[("mb-a", "Alice Andersson"), ("mb-m", "Maya Silva")],
            )],
            want: Want::Found("r1", &[Some("mb-a"), Some("mb-m")]),
        },
        Case {
            name: "search, the only credit in another script is not enough without an ISRC",
            method: Search,
            query: query("Merry Christmas Mr. Lawrence", &["坂本龍一"], Some(280_000)),
            recordings: vec![rec(
                "r1",
                "Merry Christmas Mr. Lawrence",
                Some(280_000),
                &[("mb-rs", "Ryuichi Sakamoto")],
            )],
            want: Want::NotFound,
        },
    ]
}

#[test]
fn the_tricky_cases() {
    let mut failures = Vec::new();
    for case in cases() {
        let got = match case.method {
            MatchMethod::Isrc => match_isrc(&case.query, &case.recordings),
            MatchMethod::Search => match_search(&case.query, &case.recordings),
        };
        let ok = match (&case.want, &got) {
            (Want::NotFound, TrackMatch::NotFound) => true,
            (Want::Ambiguous, TrackMatch::Ambiguous { .. }) => true,
            (
                Want::Found(reference, links),
                TrackMatch::Found {
                    reference: r,
                    artists,
                    method,
                    ..
                },
            ) => {
                let got_links: Vec<Option<&str>> =
                    artists.iter().map(|(_, l)| linked_id(l)).collect();
                r == reference && got_links == *links && *method == case.method
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: wanted {:?}, got {got:?}",
                case.name, case.want
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn confidence_reflects_how_the_artist_was_recognised() {
    let sole = match_isrc(
        &query("Merry Christmas Mr. Lawrence", &["坂本龍一"], None),
        &[rec(
            "r1",
            "Merry Christmas Mr. Lawrence",
            None,
            &[("mb-rs", "Ryuichi Sakamoto")],
        )],
    );
    let TrackMatch::Found { confidence, .. } = sole else {
        panic!("{sole:?}")
    };
    assert_eq!(confidence, Confidence::ISRC_SOLE_CREDIT);
    assert!(confidence.is_usable());
    let searched = match_search(
        &query("Golden River", &["Alice Andersson"], Some(200_000)),
        &[rec(
            "r1",
            "Golden River",
            Some(200_000),
            &[("mb-a", "Alice Andersson")],
        )],
    );
    let TrackMatch::Found { confidence, .. } = searched else {
        panic!("{searched:?}")
    };
    assert_eq!(confidence, Confidence::SEARCH);
}

#[test]
fn the_release_is_taken_only_when_it_is_the_album() {
    let mut q = query("Come Together", &["The Beatles"], None);
    q.album = Some("Abbey Road (Remastered)".into());
    let mut r = rec(
        "r1",
        "Come Together",
        None,
        &[("mb-beatles", "The Beatles")],
    );
    let group = |id: &str, title: &str, date: &str| ReleaseGroup {
        id: id.into(),
        title: title.into(),
        primary_type: Some("Album".into()),
        secondary_types: vec![],
        first_release_date: Some(date.into()),
        genres: Some(vec![crate::model::Genre {
            id: None,
            name: "rock".into(),
            count: 4,
            disambiguation: None,
        }]),
        tags: None,
    };
    r.releases = Some(vec![
        Release {
            id: "rel-comp".into(),
            title: "1".into(),
            status: Some("Official".into()),
            date: Some("2000-11-13".into()),
            country: Some("XW".into()),
            release_group: Some(group("rg-1", "1", "2000-11-13")),
            label_info: None,
        },
        Release {
            id: "rel-2019".into(),
            title: "Abbey Road".into(),
            status: Some("Official".into()),
            date: Some("2019-09-27".into()),
            country: Some("XE".into()),
            release_group: Some(group("rg-abbey", "Abbey Road", "1969-09-26")),
            label_info: None,
        },
        Release {
            id: "rel-1969".into(),
            title: "Abbey Road".into(),
            status: Some("Official".into()),
            date: Some("1969-09-26".into()),
            country: Some("GB".into()),
            release_group: Some(group("rg-abbey", "Abbey Road", "1969-09-26")),
            label_info: None,
        },
    ]);
    let m = match_isrc(&q, std::slice::from_ref(&r));
    let TrackMatch::Found {
        release: Some(release),
        ..
    } = m
    else {
        panic!("{m:?}")
    };
    assert_eq!(release.reference.as_deref(), Some("rg-abbey"));
    assert_eq!(release.value.country.as_deref(), Some("GB"));
    assert_eq!(release.value.genres, vec!["rock"]);
    assert_eq!(
        release
            .value
            .original_date
            .map(|d| d.to_string())
            .as_deref(),
        Some("1969-09-26")
    );
    q.album = Some("Greatest Hits".into());
    let m = match_isrc(&q, &[r]);
    let TrackMatch::Found { release, .. } = m else {
        panic!("{m:?}")
    };
    assert!(
        release.is_none(),
        "a release of another album is not this album's"
    );
}
