//! What real Spotify sends beyond its contract, played by the stand-in: whole numbers as
//! floats, a playlist listed with `"id": null`, playlists without `snapshot_id`, and
//! Development Mode's plain-text 403 for an account missing from the app's user list.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use spotify_fake::{AppUserRefusal, Mode};
use syncer_core::ids::{ArtistId, TrackId};
use syncer_core::provider::{MusicProvider, PageRequest, ProviderError};

#[tokio::test]
async fn whole_numbers_sent_as_floats_read_like_integers() {
    let fake = start(Mode::ExtendedQuota).await;
    fake.set_integers_as_floats(true);
    let client = client(&fake);
    client.detect_capabilities().await.unwrap();

    let page = client.playlists_page(PageRequest::first(50)).await.unwrap();
    assert!(page.skipped.is_empty(), "{:?}", page.skipped);
    let truth = fake.library().playlists_of(&first_user(&fake));
    assert_eq!(page.total as usize, truth.len());

    let base = largest_owned(&fake);
    let info = client.playlist(&pid(&base)).await.unwrap();
    assert_eq!(info.total_items, Some(base.item_count as u32));
    let items = client.playlist_items(&pid(&base)).await.unwrap();
    assert_entries_match(&items.entries, &fake, &base.id);

    let track_id = fake.library().track_ids()[0].clone();
    let want = fake.library().track(&track_id).unwrap();
    let got = client
        .tracks(&[TrackId::new(track_id.as_str())])
        .await
        .unwrap();
    let got = got[0].as_ref().expect("the track is read");
    assert_eq!(got.duration_ms, Some(want.duration_ms));
    assert!(got.track_number.is_some() && got.disc_number.is_some());

    let artist_id = fake.library().artist_ids()[0].clone();
    let want = fake.library().artist(&artist_id).unwrap();
    let got = client
        .artists(&[ArtistId::new(artist_id.as_str())])
        .await
        .unwrap();
    let got = got[0].as_ref().expect("the artist is read");
    assert_eq!(got.followers, Some(u64::from(want.followers)));
    // Nothing was refused as unreadable.
    assert_eq!(
        client
            .request_stats()
            .outcome_total(syncer_core::provider::RequestOutcome::InvalidResponse),
        0
    );
}

#[tokio::test]
async fn a_playlist_listed_with_a_null_id_is_skipped_and_counted() {
    let fake = start(Mode::DevelopmentMode).await;
    let user = first_user(&fake);
    let listed = fake.library().playlists_of(&user);
    let starred = listed[1].id.clone();
    fake.list_with_null_id(&[starred.as_str()]);
    let client = client(&fake);

    let page = client.playlists_page(PageRequest::first(50)).await.unwrap();
    assert_eq!(page.items.len(), listed.len() - 1);
    assert!(page.items.iter().all(|p| p.id.as_str() != starred));
    assert_eq!(page.skipped.len(), 1, "{:?}", page.skipped);
    assert_eq!(page.skipped[0].position, 1);
    assert!(
        page.skipped[0].reason.contains("without an id"),
        "{}",
        page.skipped[0].reason
    );
    // The listing as a whole still reads, and the capability probe with it.
    assert_eq!(
        client.all_playlists().await.unwrap().len(),
        listed.len() - 1
    );
    client.detect_capabilities().await.unwrap();
}

#[tokio::test]
async fn playlists_without_snapshot_id_are_read_and_always_count_as_changed() {
    let fake = start(Mode::DevelopmentMode).await;
    fake.set_without_snapshot_id(true);
    let client = client(&fake);
    let all = client.all_playlists().await.unwrap();
    assert_eq!(
        all.len(),
        fake.library().playlists_of(&first_user(&fake)).len()
    );

    let base = largest_owned(&fake);
    let first = client.snapshot_id(&pid(&base)).await.unwrap();
    let second = client.snapshot_id(&pid(&base)).await.unwrap();
    assert_ne!(
        first, second,
        "no version: the sync reads the items every time"
    );
    let details = client.playlist(&pid(&base)).await.unwrap();
    assert_eq!(details.name, base.name);

    // A made-up version is never sent back: writes against it still work.
    let items = client.playlist_items(&pid(&base)).await.unwrap();
    let tracks: Vec<TrackId> = items.tracks().take(3).map(|t| t.id.clone()).collect();
    client
        .remove_items(&pid(&base), &tracks[..1], &first)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_account_missing_from_the_apps_user_list_is_told_what_to_do() {
    for refusal in [AppUserRefusal::NotRegistered, AppUserRefusal::NotApproved] {
        let fake = start(Mode::DevelopmentMode).await;
        let other = fake.library().users()[1].id.clone();
        fake.set_app_users(&[other.as_str()], refusal);
        let client = client(&fake);

        let err = client.current_user().await.unwrap_err();
        let ProviderError::NotInAppUsers { message } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(message, refusal.text());
        let text = err.to_string();
        assert!(text.contains("User Management"), "{text}");
        assert!(
            text.contains("https://developer.spotify.com/dashboard"),
            "{text}"
        );

        // Not "you don't own this playlist": no fallback to the legacy endpoint, no
        // capability marked as refused.
        let base = largest_owned(&fake);
        let err = client.playlist_items(&pid(&base)).await.unwrap_err();
        assert!(
            matches!(err, ProviderError::NotInAppUsers { .. }),
            "{err:?}"
        );
        assert!(!err.to_string().contains("own or collaborate"), "{err}");
        assert_eq!(
            fake.requests()
                .by_endpoint()
                .get("GET /v1/playlists/{id}/tracks")
                .map_or(0, |c| c.total),
            0
        );
        let err = client.detect_capabilities().await.unwrap_err();
        assert!(
            matches!(err, ProviderError::NotInAppUsers { .. }),
            "{err:?}"
        );
        assert!(client.capabilities().missing_endpoints().is_empty());

        // Listed: everything works again.
        fake.allow_all_app_users();
        client.current_user().await.unwrap();
    }
}
