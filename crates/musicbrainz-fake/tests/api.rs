//! The stand-in as a client sees it: MusicBrainz's rules (User-Agent, JSON, the rate limit),
//! its error shapes, and agreement with spotify-fake started from the same seed.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use musicbrainz_fake::{Coverage, FakeMbConfig, FakeMusicBrainz, RateRule};
use serde_json::Value;
use spotify_fake::{FakeConfig, FakeSpotify, LibrarySpec};

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

fn spec() -> LibrarySpec {
    LibrarySpec {
        users: 1,
        playlist_sizes: vec![40],
        catalog_tracks: 300,
        ..LibrarySpec::default()
    }
}

async fn start(rate: Option<RateRule>) -> FakeMusicBrainz {
    FakeMusicBrainz::start(FakeMbConfig {
        seed: 5,
        library: spec(),
        coverage: Coverage::complete(),
        rate,
        ..FakeMbConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn identifies_clients_speaks_json_and_enforces_its_rate() {
    let mb = start(Some(RateRule::default())).await;
    let url = format!(
        "{}/artist/00000000-0000-4000-8000-000000000000?fmt=json",
        mb.base_url()
    );
    let anonymous = http().get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), 403);
    // Straight after, too fast: 503 with Retry-After, like MusicBrainz.
    let fast = http()
        .get(&url)
        .header("User-Agent", "Test/1 ( test@example.invalid )")
        .send()
        .await
        .unwrap();
    assert_eq!(fast.status(), 503);
    assert_eq!(fast.headers()["retry-after"], "1");
    let body: Value = fast.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("rate limit"));
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    let answered = http()
        .get(&url)
        .header("User-Agent", "Test/1 ( test@example.invalid )")
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 404);
    let body: Value = answered.json().await.unwrap();
    assert_eq!(body["error"], "Not Found");
    let stats = mb.stats();
    assert_eq!(stats.total(), 3);
    assert_eq!(stats.rate_limited(), 1);
}

#[tokio::test]
async fn shapes_of_isrc_search_and_artist_answers() {
    let mb = start(None).await;
    let spotify = FakeSpotify::start(FakeConfig {
        seed: 5,
        library: spec(),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let lib = spotify.library();
    let base = lib
        .playlists()
        .into_iter()
        .max_by_key(|p| p.item_count)
        .unwrap();
    let tracks: Vec<_> = lib
        .playlist_items(&base.id)
        .unwrap()
        .into_iter()
        .filter_map(|i| i.id)
        .filter_map(|id| lib.track(&id))
        .collect();
    assert!(!tracks.is_empty());
    // Every ISRC spotify-fake serves is MusicBrainz's too (complete coverage).
    assert!(tracks.iter().all(|t| mb.knows_isrc(&t.isrc)));
    let get = |path: String| {
        let mb_url = mb.base_url();
        async move {
            http()
                .get(format!("{mb_url}/{path}"))
                .header("User-Agent", "Test/1 ( test@example.invalid )")
                .header("Accept", "application/json")
                .send()
                .await
                .unwrap()
        }
    };
    let t = &tracks[0];
    let v: Value = get(format!(
        "isrc/{}?inc=artists+releases+release-groups+genres+tags",
        t.isrc
    ))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(v["isrc"], t.isrc.as_str());
    let rec = &v["recordings"][0];
    for key in [
        "id",
        "title",
        "length",
        "disambiguation",
        "artist-credit",
        "releases",
        "genres",
        "tags",
    ] {
        assert!(rec.get(key).is_some(), "{key} missing in {rec}");
    }
    let credit = &rec["artist-credit"][0];
    assert_eq!(
        credit["artist"]["id"].as_str(),
        mb.artist_mbid(&t.artist_ids[0]).as_deref()
    );
    assert!(rec["releases"][0]["release-group"]["first-release-date"].is_string());
    // Without inc, a lookup is the bare recording.
    let bare: Value = get(format!("isrc/{}", t.isrc)).await.json().await.unwrap();
    assert!(bare["recordings"][0].get("artist-credit").is_none());

    let mbid = credit["artist"]["id"].as_str().unwrap().to_owned();
    let a: Value = get(format!("artist/{mbid}?inc=genres+tags"))
        .await
        .json()
        .await
        .unwrap();
    let genres: Vec<String> = a["genres"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(Some(genres), mb.genres_of(&t.artist_ids[0]));
    assert_eq!(
        lib.artist(&t.artist_ids[0]).unwrap().genres,
        mb.genres_of(&t.artist_ids[0]).unwrap(),
        "the generated truth"
    );

    let title = rec["title"].as_str().unwrap();
    let name = credit["name"].as_str().unwrap();
    let query = format!("recording:\"{title}\" AND artist:\"{name}\"");
    let found: Value = get(format!("recording?query={}&limit=5", url_escape(&query)))
        .await
        .json()
        .await
        .unwrap();
    assert!(found["count"].as_u64().unwrap() >= 1);
    assert!(
        found["recordings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == rec["id"] && r["score"].as_u64().unwrap() > 0)
    );
    assert_eq!(get("isrc/nonsense".into()).await.status(), 400);
    assert_eq!(get("isrc/ZZZZZ9999999".into()).await.status(), 404);
    assert_eq!(get("recording".into()).await.status(), 400);
    spotify.shutdown().await;
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
