//! Liked Songs as a base: read in pages of 50 with `added_at` kept, a change check of one
//! request, and a clear error for a sign-in without `user-library-read`.

mod common;

use common::*;
use spotify_fake::{LibrarySpec, Mode};
use syncer_core::ids::{ConnectionId, PlaylistId};
use syncer_core::provider::{MusicProvider, PlaylistEntry, ProviderError};
use syncer_spotify::{LIKED_SONGS_ENDPOINT, SpotifyClient, StaticToken};

fn liked() -> PlaylistId {
    PlaylistId::liked_songs(&ConnectionId::new("test"))
}

#[tokio::test]
async fn liked_songs_are_read_in_pages_of_fifty_with_their_added_dates() {
    for mode in [Mode::DevelopmentMode, Mode::ExtendedQuota] {
        let fake = start_with(
            mode,
            LibrarySpec {
                liked_per_user: 130,
                ..LibrarySpec::default()
            },
        )
        .await;
        let client = client(&fake);
        let truth = fake.library().liked(&first_user(&fake));
        assert_eq!(truth.len(), 130);
        let items = client.playlist_items(&liked()).await.unwrap();
        let read: Vec<(String, String)> = items
            .entries
            .iter()
            .map(|e| match e {
                PlaylistEntry::Track { track, origin, .. } => (
                    track.id.as_str().to_owned(),
                    origin.added_at.clone().unwrap_or_default(),
                ),
                PlaylistEntry::Skipped { reason, .. } => panic!("skipped: {reason}"),
            })
            .collect();
        let want: Vec<(String, String)> = truth
            .iter()
            .map(|s| (s.track_id.clone(), s.added_at.clone()))
            .collect();
        assert_eq!(read, want, "{mode:?}: every saved track, newest first");
        // 130 tracks: pages of 50, 50 and 30.
        assert_eq!(fake.requests().count("GET /v1/me/tracks"), 3, "{mode:?}");
        assert!(
            fake.requests()
                .log()
                .iter()
                .all(|r| r.query.as_deref().is_some_and(|q| q.contains("limit=50")))
        );
        fake.shutdown().await;
    }
}

#[tokio::test]
async fn the_change_check_is_one_request_and_sees_a_like_and_an_unlike() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake);
    let user = first_user(&fake);
    let before = client.snapshot_id(&liked()).await.unwrap();
    assert_eq!(fake.requests().total(), 1);
    let log = fake.requests().log();
    assert!(
        log[0]
            .query
            .as_deref()
            .is_some_and(|q| q.contains("limit=1"))
    );
    assert_eq!(
        client.snapshot_id(&liked()).await.unwrap(),
        before,
        "unchanged"
    );
    let stats = client.request_stats();
    assert_eq!(stats.endpoint_total(LIKED_SONGS_ENDPOINT), 2);

    let liked_ids: Vec<String> = fake
        .library()
        .liked(&user)
        .into_iter()
        .map(|s| s.track_id)
        .collect();
    let other = fake
        .library()
        .track_ids()
        .into_iter()
        .find(|t| !liked_ids.contains(t))
        .unwrap();
    assert!(fake.like(&user, &other));
    let after_like = client.snapshot_id(&liked()).await.unwrap();
    assert_ne!(after_like, before, "a like is seen");
    assert!(fake.unlike(&user, &liked_ids[10]));
    let after_unlike = client.snapshot_id(&liked()).await.unwrap();
    assert_ne!(after_unlike, after_like, "an unlike is seen");

    let info = client.playlist(&liked()).await.unwrap();
    assert_eq!(info.name, "Liked Songs");
    assert_eq!(info.total_items, Some(liked_ids.len() as u32));
    assert_eq!(info.snapshot_id, after_unlike);
}

#[tokio::test]
async fn a_sign_in_without_the_library_scope_is_told_to_reconnect() {
    let fake = start(Mode::DevelopmentMode).await;
    let token = fake.mint_token_with_scopes(
        &first_user(&fake),
        "playlist-read-private playlist-modify-private playlist-modify-public",
    );
    let client = SpotifyClient::new(
        ConnectionId::new("test"),
        StaticToken::new(token),
        config(&fake),
    )
    .unwrap();
    for err in [
        client.snapshot_id(&liked()).await.unwrap_err(),
        client
            .playlist_items(&liked())
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert!(
            matches!(&err, ProviderError::MissingScope { scope, .. } if scope == "user-library-read"),
            "{err:?}"
        );
        assert!(err.to_string().contains("reconnect"), "{err}");
    }
    // Playlists still work on that connection.
    assert!(client.all_playlists().await.is_ok());
}

#[tokio::test]
async fn another_connections_liked_songs_and_writes_are_refused() {
    let fake = start(Mode::DevelopmentMode).await;
    let client = client(&fake);
    let theirs = PlaylistId::liked_songs(&ConnectionId::new("someone-else"));
    assert!(matches!(
        client.snapshot_id(&theirs).await,
        Err(ProviderError::NotFound { .. })
    ));
    let base = syncer_core::ids::SnapshotId::new("x");
    assert!(matches!(
        client.add_items(&liked(), &[], None, &base).await,
        Err(ProviderError::NotFound { .. })
    ));
    assert_eq!(fake.requests().total(), 0);
}
