//! The client against the stand-in, in both modes: what each endpoint gives, how capability
//! detection reads the mode, and that lookups, paging and writes hold to the contract.

mod common;

use common::*;
use spotify_fake::Mode;
use syncer_core::capabilities::{Endpoint, Field, LookupKind, MissingReason, Support};
use syncer_core::ids::{AlbumId, ArtistId, SnapshotId, TrackId};
use syncer_core::provider::{MusicProvider, NewPlaylist, PageRequest, RequestOutcome};

#[tokio::test]
async fn development_mode_is_detected_and_worked_around() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake);

    let caps = client.detect_capabilities().await.unwrap();
    assert!(caps.is_probed());
    for kind in [LookupKind::Track, LookupKind::Artist, LookupKind::Album] {
        assert!(
            !caps.can_batch(kind),
            "{kind:?} batches are gone in Development Mode"
        );
        assert_eq!(
            caps.endpoint(kind.batch_endpoint()).reason(),
            Some(&MissingReason::NotForThisApp { status: 403 })
        );
    }
    assert!(caps.endpoint(Endpoint::PlaylistItems).is_available());
    assert!(
        caps.endpoint(Endpoint::PlaylistTracksLegacy)
            .is_unavailable()
    );
    for field in [
        Field::TrackPopularity,
        Field::ArtistPopularity,
        Field::ArtistFollowers,
        Field::AlbumPopularity,
        Field::AlbumLabel,
        Field::AvailableMarkets,
        Field::LinkedFrom,
    ] {
        assert_eq!(
            caps.field(field).reason(),
            Some(&MissingReason::FieldOmitted),
            "{field:?}"
        );
    }
    assert!(matches!(
        caps.field(Field::Genres).reason(),
        Some(MissingReason::EmptyInPractice { .. })
    ));
    assert!(caps.provides(Field::Isrc), "ISRCs came back in March 2026");

    // Lookups fall back to single requests, and missing fields are None, never zero.
    let ids: Vec<TrackId> = fake.library().track_ids()[..60]
        .iter()
        .map(TrackId::new)
        .collect();
    let before = client.request_stats();
    let tracks = client.tracks(&ids).await.unwrap();
    let used = client.request_stats().since(&before);
    assert_eq!(
        used.endpoint_total("GET /tracks"),
        0,
        "known refused: not retried"
    );
    assert_eq!(used.count("GET /tracks/{id}", RequestOutcome::Success), 60);
    for (id, track) in ids.iter().zip(&tracks) {
        let track = track.as_ref().expect("every catalog track is found");
        assert_eq!(&track.id, id);
        assert_eq!(track.popularity, None);
        assert!(track.isrc.is_some());
    }

    let artist_ids: Vec<ArtistId> = fake.library().artist_ids()[..5]
        .iter()
        .map(ArtistId::new)
        .collect();
    let artists = client.artists(&artist_ids).await.unwrap();
    for a in artists.iter().map(|a| a.as_ref().unwrap()) {
        assert_eq!(
            a.genres, None,
            "empty genres in Development Mode are unknown"
        );
        assert_eq!(a.popularity, None);
        assert_eq!(a.followers, None);
    }
    let album_ids: Vec<AlbumId> = fake.library().album_ids()[..5]
        .iter()
        .map(AlbumId::new)
        .collect();
    for (id, album) in album_ids
        .iter()
        .zip(client.albums(&album_ids).await.unwrap())
    {
        let album = album.unwrap();
        let truth = fake.library().album(id.as_str()).unwrap();
        assert_eq!(album.label, None);
        assert_eq!(album.popularity, None);
        assert_eq!(
            album.release_date.map(|d| d.to_string()),
            Some(truth.release_date)
        );
    }
    assert_counters_match(&client.request_stats(), &fake);
}

#[tokio::test]
async fn extended_quota_uses_batches_and_gets_every_field() {
    let fake = start(Mode::ExtendedQuota).await;
    let client = client(&fake);

    let caps = client.detect_capabilities().await.unwrap();
    for kind in [LookupKind::Track, LookupKind::Artist, LookupKind::Album] {
        assert!(caps.endpoint(kind.batch_endpoint()).is_available());
    }
    assert!(caps.endpoint(Endpoint::PlaylistTracksLegacy).is_available());
    for field in [
        Field::TrackPopularity,
        Field::ArtistPopularity,
        Field::AlbumLabel,
        Field::AlbumPopularity,
        Field::Isrc,
    ] {
        assert!(caps.provides(field), "{field:?}");
    }

    // 120 tracks (with a duplicate and an id the catalog lacks) in 50-id batches.
    let mut ids: Vec<TrackId> = fake.library().track_ids()[..120]
        .iter()
        .map(TrackId::new)
        .collect();
    ids.push(ids[0].clone());
    ids.push(TrackId::new("0000000000000000000000"));
    let before = client.request_stats();
    let tracks = client.tracks(&ids).await.unwrap();
    let used = client.request_stats().since(&before);
    assert_eq!(used.count("GET /tracks", RequestOutcome::Success), 3);
    assert_eq!(used.endpoint_total("GET /tracks/{id}"), 0);
    assert_eq!(tracks.len(), ids.len(), "one slot per id asked");
    assert!(tracks[122 - 1].is_none(), "unknown id is None");
    assert_eq!(tracks[120], tracks[0]);
    for (id, t) in ids.iter().zip(&tracks).take(120) {
        let t = t.as_ref().unwrap();
        let truth = fake.library().track(id.as_str()).unwrap();
        assert_eq!(t.popularity, Some(truth.popularity));
        assert_eq!(t.name, truth.name, "names survive unusual Unicode");
        assert_eq!(t.duration_ms, Some(truth.duration_ms));
    }

    // Albums go 20 at a time; artists keep their genres (empty means none).
    let album_ids: Vec<AlbumId> = fake.library().album_ids()[..45]
        .iter()
        .map(AlbumId::new)
        .collect();
    let before = client.request_stats();
    let albums = client.albums(&album_ids).await.unwrap();
    assert_eq!(
        client
            .request_stats()
            .since(&before)
            .count("GET /albums", RequestOutcome::Success),
        3
    );
    for (id, a) in album_ids.iter().zip(&albums) {
        let truth = fake.library().album(id.as_str()).unwrap();
        assert_eq!(
            a.as_ref().unwrap().label.as_deref(),
            Some(truth.label.as_str())
        );
    }
    let artist_ids: Vec<ArtistId> = fake.library().artist_ids()[..60]
        .iter()
        .map(ArtistId::new)
        .collect();
    let artists = client.artists(&artist_ids).await.unwrap();
    assert!(client.capabilities().provides(Field::Genres));
    for (id, a) in artist_ids.iter().zip(&artists) {
        let truth = fake.library().artist(id.as_str()).unwrap();
        assert_eq!(a.as_ref().unwrap().genres.as_ref(), Some(&truth.genres));
        assert_eq!(a.as_ref().unwrap().popularity, Some(truth.popularity));
    }
    assert_counters_match(&client.request_stats(), &fake);
}

#[tokio::test]
async fn playlists_are_listed_page_by_page_with_snapshots() {
    for mode in [Mode::DevelopmentMode, Mode::ExtendedQuota] {
        let fake = start(mode).await;
        let client = client(&fake);
        let me = client.current_user().await.unwrap();
        assert_eq!(me.id, first_user(&fake));

        let truth = fake.library().playlists_of(&me.id);
        let all = client.all_playlists().await.unwrap();
        let got: Vec<(&str, &str)> = all
            .iter()
            .map(|p| (p.id.as_str(), p.snapshot_id.as_str()))
            .collect();
        let want: Vec<(&str, &str)> = truth
            .iter()
            .map(|p| (p.id.as_str(), p.snapshot_id.as_str()))
            .collect();
        assert_eq!(got, want, "{mode}");

        let page = client
            .playlists_page(PageRequest {
                offset: 1,
                limit: 2,
            })
            .await
            .unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].id.as_str(), truth[1].id);
        assert_eq!(page.total as usize, truth.len());

        let largest = largest_owned(&fake);
        let details = client.playlist(&pid(&largest)).await.unwrap();
        assert_eq!(details.name, largest.name);
        assert_eq!(details.total_items, Some(largest.item_count as u32));
        assert_eq!(details.snapshot_id.as_str(), largest.snapshot_id);
        assert_eq!(
            client.snapshot_id(&pid(&largest)).await.unwrap().as_str(),
            largest.snapshot_id
        );
        assert_counters_match(&client.request_stats(), &fake);
    }
}

#[tokio::test]
async fn items_are_read_completely_in_pages_of_at_most_50() {
    for mode in [Mode::DevelopmentMode, Mode::ExtendedQuota] {
        let fake = start(mode).await;
        let client = client(&fake);
        let largest = largest_owned(&fake);
        let items = client.playlist_items(&pid(&largest)).await.unwrap();
        assert_entries_match(&items.entries, &fake, &largest.id);

        for r in fake.requests().log() {
            if r.endpoint.ends_with("/items") && r.method == "GET" {
                let q = r.query.unwrap_or_default();
                let limit: u32 = q
                    .split('&')
                    .find_map(|kv| kv.strip_prefix("limit="))
                    .and_then(|v| v.parse().ok())
                    .expect("every page request names its size");
                assert!(limit <= 50, "{q}");
                assert!(q.contains("fields="), "pages are projected: {q}");
            }
        }
        let pages = largest.item_count.div_ceil(50) as u64;
        assert_eq!(
            client
                .request_stats()
                .count("GET /playlists/{id}/items", RequestOutcome::Success),
            pages
        );
        assert_counters_match(&client.request_stats(), &fake);
    }
}

#[tokio::test]
async fn followed_playlists_need_the_legacy_generation() {
    // Extended quota: `/items` refuses (not the user's), `/tracks` serves.
    let fake = start(Mode::ExtendedQuota).await;
    let extended = client(&fake);
    let other = followed(&fake);
    let items = extended.playlist_items(&pid(&other)).await.unwrap();
    assert_entries_match(&items.entries, &fake, &other.id);
    assert_eq!(
        extended
            .request_stats()
            .count("GET /playlists/{id}/items", RequestOutcome::Forbidden),
        1
    );

    // Development Mode: neither generation serves it; the error says why.
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake);
    client.detect_capabilities().await.unwrap();
    let other = followed(&fake);
    let err = client.playlist_items(&pid(&other)).await.unwrap_err();
    let text = err.to_string();
    assert!(text.contains("own or collaborate"), "{text}");
    assert_eq!(
        client
            .request_stats()
            .endpoint_total("GET /playlists/{id}/tracks"),
        1,
        "only the probe tried the refused legacy generation"
    );
}

#[tokio::test]
async fn writes_are_chunked_ordered_and_chain_snapshots() {
    for mode in [Mode::DevelopmentMode, Mode::ExtendedQuota] {
        let fake = start(mode).await;
        let client = client(&fake);
        client.detect_capabilities().await.unwrap();
        let created = client
            .create_playlist(&NewPlaylist {
                name: "Indie 2015–2020 ✨".into(),
                description: Some("made by Syncer".into()),
                public: false,
                collaborative: false,
            })
            .await
            .unwrap();
        assert!(
            client
                .capabilities()
                .endpoint(Endpoint::CreatePlaylist)
                .is_available()
        );
        let id = created.id.clone();
        let catalog: Vec<TrackId> = fake.library().track_ids()[..260]
            .iter()
            .map(TrackId::new)
            .collect();

        let before = client.request_stats();
        let s1 = client
            .add_items(&id, &catalog[..250], None, &created.snapshot_id)
            .await
            .unwrap();
        let used = client.request_stats().since(&before);
        assert_eq!(
            used.count("POST /playlists/{id}/items", RequestOutcome::Success),
            3
        );
        let now = |fake: &spotify_fake::FakeSpotify| {
            fake.library()
                .playlist_items(id.as_str())
                .unwrap()
                .into_iter()
                .map(|i| i.id.unwrap())
                .collect::<Vec<_>>()
        };
        let want: Vec<String> = catalog[..250].iter().map(|t| t.to_string()).collect();
        assert_eq!(now(&fake), want, "{mode}: order kept across chunks");
        assert_eq!(
            s1.as_str(),
            fake.library().playlist(id.as_str()).unwrap().snapshot_id
        );

        // Insert at a position, in order.
        let s2 = client
            .add_items(&id, &catalog[250..260], Some(5), &s1)
            .await
            .unwrap();
        assert_eq!(now(&fake)[5..15], want_ids(&catalog[250..260]));

        // Remove 120 tracks (two requests), every occurrence.
        let s3 = client
            .remove_items(&id, &catalog[..120], &s2)
            .await
            .unwrap();
        let left = now(&fake);
        assert_eq!(left.len(), 260 - 120);
        assert!(
            catalog[..120]
                .iter()
                .all(|t| !left.contains(&t.to_string()))
        );

        // Replace with 130 (one PUT, then an append), and clear.
        let s4 = client
            .replace_items(&id, &catalog[..130], &s3)
            .await
            .unwrap();
        assert_eq!(now(&fake), want_ids(&catalog[..130]));
        let s5 = client.replace_items(&id, &[], &s4).await.unwrap();
        assert!(now(&fake).is_empty());
        let snaps = [&created.snapshot_id, &s1, &s2, &s3, &s4, &s5];
        for pair in snaps.windows(2) {
            assert_ne!(pair[0], pair[1], "every write moves the version");
        }
        assert_eq!(
            s5.as_str(),
            fake.library().playlist(id.as_str()).unwrap().snapshot_id
        );

        // Nothing to write: nothing sent, version unchanged.
        let before = client.request_stats();
        let same = client.add_items(&id, &[], None, &s5).await.unwrap();
        assert_eq!(same, s5);
        assert_eq!(client.request_stats().since(&before).total(), 0);
        let _: SnapshotId = same;
        assert_counters_match(&client.request_stats(), &fake);
    }
}

fn want_ids(ids: &[TrackId]) -> Vec<String> {
    ids.iter().map(|t| t.to_string()).collect()
}

#[tokio::test]
async fn capabilities_restored_from_the_store_skip_refused_endpoints() {
    let fake = start(Mode::DevelopmentMode).await;
    let probed = client(&fake).detect_capabilities().await.unwrap();
    let json = serde_json::to_string(&probed).unwrap();

    let fresh_fake = start(Mode::DevelopmentMode).await;
    let token = fresh_fake.mint_token(&first_user(&fresh_fake));
    let restored = syncer_spotify::SpotifyClient::with_capabilities(
        syncer_core::ids::ConnectionId::new("c"),
        syncer_spotify::StaticToken::new(token),
        config(&fresh_fake),
        serde_json::from_str(&json).unwrap(),
    )
    .unwrap();
    let ids = vec![TrackId::new(fresh_fake.library().track_ids()[0].clone())];
    restored.tracks(&ids).await.unwrap();
    assert_eq!(fresh_fake.requests().count("GET /v1/tracks"), 0);
    assert_eq!(
        restored.capabilities().endpoint(Endpoint::BatchTracks),
        &Support::Unavailable {
            reason: MissingReason::NotForThisApp { status: 403 }
        }
    );
}

#[tokio::test]
async fn a_client_never_prints_its_token() {
    let fake = start(Mode::DevelopmentMode).await;
    let token = fake.mint_token(&first_user(&fake));
    let client = syncer_spotify::SpotifyClient::new(
        syncer_core::ids::ConnectionId::new("c"),
        syncer_spotify::StaticToken::new(token.clone()),
        config(&fake),
    )
    .unwrap();
    let printed = format!("{client:?}");
    assert!(printed.contains("SpotifyClient"));
    assert!(!printed.contains(&token));
    // Nor does an error after the token was refused.
    fake.faults().revoke_token(&token);
    let err = client.current_user().await.unwrap_err();
    assert!(!format!("{err:?} {err}").contains(&token));
}
