//! Real playlists are messy: episodes, local files, null entries, duplicates, relinked
//! tracks, artists without genres, year- and month-precision dates, unusual Unicode. None of
//! it may fail a sync: what cannot route is skipped, counted and explained.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;
use spotify_fake::library::ItemKind;
use spotify_fake::{LibrarySpec, Messiness, Mode};
use syncer_core::capabilities::Field;
use syncer_core::ids::{AlbumId, ArtistId, TrackId};
use syncer_core::provider::{DatePrecision, MusicProvider, NewPlaylist, PlaylistEntry, SkipReason};

fn messy_library() -> LibrarySpec {
    LibrarySpec {
        users: 2,
        playlist_sizes: vec![300],
        catalog_tracks: 400,
        messiness: Messiness {
            episodes: 0.08,
            local_files: 0.08,
            unavailable: 0.08,
            duplicates: 0.1,
            relinked: 0.3,
            unusual_unicode: 0.5,
            artists_without_genres: 0.5,
        },
        ..LibrarySpec::default()
    }
}

#[tokio::test]
async fn a_messy_base_playlist_still_syncs_and_says_what_it_skipped() {
    for mode in [Mode::DevelopmentMode, Mode::ExtendedQuota] {
        let fake = start_with(mode, messy_library()).await;
        let client = client(&fake);
        client.detect_capabilities().await.unwrap();
        let base = largest_owned(&fake);
        let items = client.playlist_items(&pid(&base)).await.unwrap();
        assert_entries_match(&items.entries, &fake, &base.id);

        // Skipped counts, by reason, match the stand-in's truth; each reason reads well.
        let truth = fake.library().playlist_items(&base.id).unwrap();
        let mut want: BTreeMap<SkipReason, u32> = BTreeMap::new();
        for i in &truth {
            let reason = match i.kind {
                ItemKind::Track => continue,
                ItemKind::Episode => SkipReason::Episode,
                ItemKind::LocalFile => SkipReason::LocalFile,
                ItemKind::Unavailable => SkipReason::Unavailable,
            };
            *want.entry(reason).or_default() += 1;
        }
        let skipped = items.skipped_counts();
        assert_eq!(skipped, want, "{mode}");
        assert_eq!(skipped.len(), 3, "the library holds every kind of mess");
        for reason in skipped.keys() {
            assert!(reason.to_string().len() > 10, "{reason:?} explains itself");
        }
        // Local files keep their URI for the report.
        assert!(items.entries.iter().any(|e| matches!(e,
            PlaylistEntry::Skipped { reason: SkipReason::LocalFile, uri: Some(u), .. }
                if u.starts_with("spotify:local:"))));

        // Duplicates are kept as separate entries.
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for t in items.tracks() {
            *seen.entry(t.id.as_str()).or_default() += 1;
        }
        assert!(seen.values().any(|n| *n > 1), "duplicates present and kept");

        // Relinking is reported where the mode provides it, unknown where it does not.
        let relinked = items.tracks().filter(|t| t.linked_from.is_some()).count();
        let truth_relinked = items
            .tracks()
            .filter(|t| {
                fake.library()
                    .track(t.id.as_str())
                    .unwrap()
                    .linked_from
                    .is_some()
            })
            .count();
        assert!(truth_relinked > 0);
        match mode {
            Mode::ExtendedQuota => {
                assert_eq!(relinked, truth_relinked);
                for t in items.tracks().filter(|t| t.linked_from.is_some()) {
                    let truth = fake.library().track(t.id.as_str()).unwrap();
                    assert_eq!(
                        t.linked_from.as_ref().map(TrackId::as_str),
                        truth.linked_from.as_deref()
                    );
                }
            }
            Mode::DevelopmentMode => {
                assert_eq!(relinked, 0);
                assert!(!client.capabilities().provides(Field::LinkedFrom));
            }
        }

        // Unusual Unicode survives the round trip.
        for t in items.tracks() {
            assert_eq!(t.name, fake.library().track(t.id.as_str()).unwrap().name);
        }

        // Enrichment over the routable tracks: artists without genres, every date precision.
        let mut artist_ids: Vec<ArtistId> = items
            .tracks()
            .flat_map(|t| t.artists.iter().filter_map(|a| a.id.clone()))
            .collect();
        artist_ids.sort();
        artist_ids.dedup();
        let artists = client.artists(&artist_ids).await.unwrap();
        assert!(artists.iter().all(Option::is_some));
        if mode == Mode::ExtendedQuota {
            let empty = artists
                .iter()
                .flatten()
                .filter(|a| a.genres.as_ref().is_some_and(Vec::is_empty))
                .count();
            assert!(
                empty > 0,
                "artists without genres: known empty, not unknown"
            );
        } else {
            assert!(artists.iter().flatten().all(|a| a.genres.is_none()));
        }
        let mut album_ids: Vec<AlbumId> = items
            .tracks()
            .filter_map(|t| t.album.as_ref().and_then(|a| a.id.clone()))
            .collect();
        album_ids.sort();
        album_ids.dedup();
        let albums = client.albums(&album_ids).await.unwrap();
        let precisions: Vec<DatePrecision> = albums
            .iter()
            .flatten()
            .filter_map(|a| a.release_date.map(|d| d.precision()))
            .collect();
        for p in [
            DatePrecision::Year,
            DatePrecision::Month,
            DatePrecision::Day,
        ] {
            assert!(precisions.contains(&p), "{p:?} dates read");
        }

        // And the routable tracks (duplicates and all) write to a child in order.
        let child = client
            .create_playlist(&NewPlaylist {
                name: "child".into(),
                description: None,
                public: false,
                collaborative: false,
            })
            .await
            .unwrap();
        let routed: Vec<TrackId> = items.tracks().map(|t| t.id.clone()).collect();
        client
            .replace_items(&child.id, &routed, &child.snapshot_id)
            .await
            .unwrap();
        let written: Vec<String> = fake
            .library()
            .playlist_items(child.id.as_str())
            .unwrap()
            .into_iter()
            .map(|i| i.id.unwrap())
            .collect();
        assert_eq!(
            written,
            routed.iter().map(|t| t.to_string()).collect::<Vec<_>>()
        );
        assert_counters_match(&client.request_stats(), &fake);
    }
}
