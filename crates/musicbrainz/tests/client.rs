//! The client and the matcher against the MusicBrainz stand-in, over HTTP on loopback.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use spotify_fake::LibrarySpec;
use spotify_fake::library::{Catalog, catalog};
use syncer_core::metadata::{
    ArtistLink, MatchMethod, MetadataError, MetadataSource, TrackMatch, TrackQuery,
};
use syncer_core::provider::ArtistRef;
use syncer_musicbrainz::{MbClient, MbConfig, MbError, MusicBrainz};

const SEED: u64 = 21;

fn spec() -> LibrarySpec {
    LibrarySpec {
        users: 1,
        playlist_sizes: vec![50],
        catalog_tracks: 600,
        ..LibrarySpec::default()
    }
}

async fn fake(coverage: Coverage, rate: Option<RateRule>) -> FakeMusicBrainz {
    FakeMusicBrainz::start(FakeMbConfig {
        seed: SEED,
        library: spec(),
        coverage,
        rate,
        ..FakeMbConfig::default()
    })
    .await
    .unwrap()
}

/// A client for the stand-in, pacing at `interval`, waiting little between retries.
fn client(mb: &FakeMusicBrainz, interval: Duration) -> MbClient {
    MbClient::new(MbConfig {
        interval,
        backoff: Duration::from_millis(20),
        contact: "mailto:tests@example.invalid".into(),
        ..MbConfig::with_base_url(mb.base_url())
    })
    .unwrap()
}

fn fast_rule() -> Option<RateRule> {
    Some(RateRule {
        interval: Duration::from_millis(5),
        tolerance: Duration::from_millis(5),
    })
}

fn query(cat: &Catalog, i: usize) -> TrackQuery {
    let names: HashMap<&str, &str> = cat
        .artists
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    let t = &cat.tracks[i];
    let album = cat.albums.iter().find(|a| a.id == t.album_id).unwrap();
    TrackQuery {
        track: t.id.as_str().into(),
        isrc: Some(t.isrc.clone()),
        title: t.name.clone(),
        artists: t
            .artist_ids
            .iter()
            .map(|a| ArtistRef {
                id: Some(a.as_str().into()),
                name: names[a.as_str()].to_owned(),
            })
            .collect(),
        album: Some(album.name.clone()),
        album_id: Some(album.id.as_str().into()),
        duration_ms: Some(t.duration_ms),
    }
}

#[tokio::test]
async fn an_isrc_links_the_artists_and_the_artist_lookup_gives_the_genres() {
    let mb = fake(Coverage::complete(), fast_rule()).await;
    let source = MusicBrainz::new(client(&mb, Duration::from_millis(10)));
    let cat = catalog(SEED, &spec());
    let q = query(&cat, 3);
    let found = source.match_track(&q, MatchMethod::Isrc).await.unwrap();
    let TrackMatch::Found {
        artists, release, ..
    } = found
    else {
        panic!("{found:?}")
    };
    let primary = q.artists[0].id.clone().unwrap();
    let (_, link) = artists.iter().find(|(a, _)| *a == primary).unwrap();
    let ArtistLink::Linked { reference, .. } = link else {
        panic!("{link:?}")
    };
    assert_eq!(Some(reference.clone()), mb.artist_mbid(primary.as_str()));
    let release = release.expect("the album's release is described");
    assert!(release.value.original_date.is_some());
    let facts = source.artist(reference).await.unwrap().unwrap();
    assert_eq!(Some(facts.genres.clone()), mb.genres_of(primary.as_str()));
    assert!(
        !facts.genres.iter().any(|g| g == "seen live"),
        "tags are not genres"
    );
    // Unknown ids are answers too, not errors.
    assert_eq!(
        source
            .artist("00000000-0000-4000-8000-000000000000")
            .await
            .unwrap(),
        None
    );
    let mut unknown = q.clone();
    unknown.isrc = Some("ZZZZZ9999999".into());
    assert_eq!(
        source
            .match_track(&unknown, MatchMethod::Isrc)
            .await
            .unwrap(),
        TrackMatch::NotFound
    );
    // Every request named Syncer, its version and a contact.
    let agents = mb.stats().user_agents();
    assert_eq!(agents.len(), 1);
    let ua = agents.into_iter().next().unwrap();
    assert!(
        ua.starts_with("Syncer/") && ua.ends_with("( mailto:tests@example.invalid )"),
        "{ua}"
    );
}

/// Against the stand-in's whole catalog, with MusicBrainz's gaps and spelling differences:
/// every answer is right, or it is no answer. Never a wrong artist.
#[tokio::test]
async fn never_a_silent_wrong_match_by_isrc_or_by_search() {
    let mb = fake(Coverage::default(), None).await;
    let source = MusicBrainz::new(client(&mb, Duration::from_millis(1)));
    let cat = catalog(SEED, &spec());
    let (mut right, mut refused) = (0, 0);
    for i in (0..cat.tracks.len()).step_by(7).take(60) {
        let q = query(&cat, i);
        for method in [MatchMethod::Isrc, MatchMethod::Search] {
            match source.match_track(&q, method).await.unwrap() {
                TrackMatch::Found { artists, .. } => {
                    for (artist, link) in artists {
                        if let ArtistLink::Linked { reference, .. } = link {
                            assert_eq!(
                                Some(reference),
                                mb.artist_mbid(artist.as_str()),
                                "{method:?} linked {artist} to the wrong artist for {q:?}"
                            );
                            right += 1;
                        }
                    }
                }
                TrackMatch::NotFound | TrackMatch::Ambiguous { .. } => refused += 1,
            }
        }
    }
    assert!(
        right > 60,
        "most tracks are recognised ({right} links, {refused} refused)"
    );
}

#[tokio::test]
async fn a_503_is_waited_out_as_retry_after_says() {
    let mb = fake(Coverage::complete(), fast_rule()).await;
    let c = client(&mb, Duration::from_millis(10));
    mb.fail_next(2, 503, Some(1));
    let started = Instant::now();
    let cat = catalog(SEED, &spec());
    let found = c.isrc(&cat.tracks[0].isrc).await.unwrap();
    assert!(found.is_some());
    // Two refusals, each waited out for the second it asked: a lower bound, not a speed.
    assert!(started.elapsed() >= Duration::from_secs(2));
    let stats = mb.stats();
    assert_eq!(stats.total(), 3);
    let outcomes = c.request_stats();
    assert_eq!(
        outcomes.count(
            "GET /ws/2/isrc/{isrc}",
            syncer_core::provider::RequestOutcome::RateLimited
        ),
        2
    );
}

#[tokio::test]
async fn persistent_refusals_end_in_typed_errors() {
    let mb = fake(Coverage::complete(), fast_rule()).await;
    let c = MbClient::new(MbConfig {
        interval: Duration::from_millis(5),
        retries: 1,
        backoff: Duration::from_millis(5),
        ..MbConfig::with_base_url(mb.base_url())
    })
    .unwrap();
    mb.fail_next(2, 503, Some(0));
    let e = c
        .artist("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(
        matches!(e, MbError::RateLimited { attempts: 2, .. }),
        "{e:?}"
    );
    let meta: MetadataError = e.into();
    assert!(meta.is_transient());
    mb.fail_next(2, 500, None);
    let e = c
        .artist("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            MbError::Server {
                status: 500,
                attempts: 2
            }
        ),
        "{e:?}"
    );
    mb.shutdown().await;
    let e = c
        .artist("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(matches!(e, MbError::Network { .. }), "{e:?}");
}

/// One request a second, measured at the stand-in over a run: no window shorter than a
/// second holds two arrivals, and the stand-in's own limit never had to refuse one.
#[tokio::test]
async fn keeps_to_one_request_a_second() {
    let mb = fake(Coverage::complete(), Some(RateRule::default())).await;
    let source = MusicBrainz::new(client(&mb, Duration::from_secs(1)));
    let cat = catalog(SEED, &spec());
    for i in 0..3 {
        let q = query(&cat, i * 5);
        if let TrackMatch::Found { artists, .. } =
            source.match_track(&q, MatchMethod::Isrc).await.unwrap()
            && let Some((_, ArtistLink::Linked { reference, .. })) = artists.first()
        {
            source.artist(reference).await.unwrap();
        }
    }
    let stats = mb.stats();
    assert!(stats.total() >= 5, "{:?}", stats.by_endpoint());
    assert_eq!(stats.rate_limited(), 0, "the stand-in never had to refuse");
    // Arrivals are a second apart; 200 ms of scheduling jitter is allowed for.
    assert_eq!(stats.max_in_window(Duration::from_millis(800)), 1);
    let span = stats.log.last().unwrap().at - stats.log[0].at;
    assert!(
        span >= Duration::from_millis(800) * u32::try_from(stats.total() - 1).unwrap(),
        "{span:?} for {} requests",
        stats.total()
    );
}
