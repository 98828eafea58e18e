//! Rules about the library against the stand-in: `-in:"…"` exclusion lists and `liked`, read
//! once per sync however many children name them, remembered by version, re-routing the base
//! when only the list changed, and a removed or ambiguous list making its child wait (left as
//! it is, with the reason) instead of running without the rule.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::HashSet;

use spotify_fake::{LibrarySpec, Mode};
use support::{liked_world, world_of};
use syncer_core::engine::{ChildState, SyncStatus};
use syncer_core::ids::TrackId;

const LISTING: &str = "GET /me/playlists";

fn playlist_reads(report: &syncer_core::engine::SyncReport) -> u64 {
    report.requests.endpoint_total("GET /playlists/{id}/items")
        + report.requests.endpoint_total("GET /playlists/{id}/tracks")
}

#[tokio::test]
async fn an_exclusion_list_keeps_its_tracks_out_and_is_read_once() {
    let library = LibrarySpec {
        liked_per_user: 150,
        ..support::library(200)
    };
    let w = liked_world(Mode::DevelopmentMode, library, vec![]).await;
    let user = w.fake.library().users()[0].id.clone();
    let liked: Vec<String> = w
        .fake
        .library()
        .liked(&user)
        .into_iter()
        .map(|s| s.track_id)
        .collect();
    let excluded: Vec<TrackId> = liked.iter().step_by(5).map(TrackId::new).collect();
    let exclusion = w.make_playlist("Not for the gym", &excluded).await;
    let gym = w.add_child("Gym", r#"-in:"Not for the gym""#).await;
    // The same list by another spelling: still one read.
    let recent = w
        .add_child("Recent gym", "year:>=2000 -in:\"not for the GYM\"")
        .await;

    let cold = w.sync().await;
    assert_eq!(cold.status, SyncStatus::Completed, "{cold:?}");
    let out: HashSet<&str> = excluded.iter().map(TrackId::as_str).collect();
    let expected: Vec<String> = liked
        .iter()
        .filter(|id| !out.contains(id.as_str()))
        .cloned()
        .collect();
    assert_eq!(w.contents(&gym), expected);
    assert!(
        w.contents(&recent)
            .iter()
            .all(|id| !out.contains(id.as_str()))
    );
    assert_eq!(
        cold.requests.endpoint_total(LISTING),
        1,
        "{:?}",
        cold.requests
    );
    assert_eq!(playlist_reads(&cold), 1, "{:?}", cold.requests);

    // Nothing changed: the Liked Songs check and the listing (the exclusion list's version).
    let warm = w.sync().await;
    assert!(warm.unchanged, "{warm:?}");
    assert_eq!(warm.requests.total(), 2, "{:?}", warm.requests);
    assert_eq!(warm.write_requests(), 0);

    // Only the exclusion list changed: the base is routed again and the track leaves.
    let leaving = TrackId::new(&expected[0]);
    w.user_adds(exclusion.as_str(), std::slice::from_ref(&leaving))
        .await;
    let third = w.sync().await;
    assert_eq!(third.status, SyncStatus::Completed, "{third:?}");
    assert!(!third.unchanged);
    assert!(!w.contents(&gym).contains(&expected[0]));
    assert_eq!(playlist_reads(&third), 1);

    // Only the base changed: the exclusion list is remembered, not read again.
    let new_like = w
        .fake
        .library()
        .track_ids()
        .into_iter()
        .find(|id| !liked.contains(id))
        .unwrap();
    assert!(w.fake.like(&user, &new_like));
    let fourth = w.sync().await;
    assert_eq!(fourth.status, SyncStatus::Completed, "{fourth:?}");
    assert_eq!(playlist_reads(&fourth), 0, "{:?}", fourth.requests);
    assert_eq!(w.contents(&gym)[0], new_like);

    // The list is deleted (unfollowed): the children wait, untouched, and say why.
    let before = w.contents(&gym);
    assert!(w.fake.unfollow(&user, exclusion.as_str()));
    w.fake.like(&user, &expected[1]);
    let fifth = w.sync().await;
    let gym_report = fifth.children.iter().find(|c| c.id == gym).unwrap();
    assert_eq!(gym_report.state, ChildState::Held, "{fifth:?}");
    let note = gym_report.note.as_deref().unwrap();
    assert!(
        note.contains("Not for the gym") && note.contains("deleted or renamed"),
        "{note}"
    );
    assert_eq!(w.contents(&gym), before);
    assert_eq!(fifth.write_requests(), 0);
}

#[tokio::test]
async fn liked_routes_a_playlist_base_and_two_lists_of_one_name_ask_for_the_id() {
    let w = world_of(
        Mode::ExtendedQuota,
        LibrarySpec {
            liked_per_user: 400,
            ..support::library(300)
        },
        vec![],
    )
    .await;
    let user = w.fake.library().users()[0].id.clone();
    let liked: HashSet<String> = w
        .fake
        .library()
        .liked(&user)
        .into_iter()
        .map(|s| s.track_id)
        .collect();
    let loved = w.add_child("Loved", "liked").await;
    let not_loved = w.add_child("Not loved", "-liked").await;
    let report = w.sync().await;
    assert_eq!(report.status, SyncStatus::Completed, "{report:?}");
    let all = w.expected(|_, _| true);
    let (yes, no): (Vec<String>, Vec<String>) = all.into_iter().partition(|id| liked.contains(id));
    assert!(!yes.is_empty() && !no.is_empty(), "the seed must have both");
    assert_eq!(w.contents(&loved), yes);
    assert_eq!(w.contents(&not_loved), no);
    // Liked Songs read once for both children: its check and its pages of 50.
    assert_eq!(
        report.requests.endpoint_total("GET /me/tracks"),
        1 + (liked.len() as u64).div_ceil(50),
        "{:?}",
        report.requests
    );

    w.make_playlist("Gym", &[]).await;
    w.make_playlist("gym", &[]).await;
    let ambiguous = w.add_child("Ambiguous", "-in:Gym").await;
    let report = w.sync().await;
    let child = report.children.iter().find(|c| c.id == ambiguous).unwrap();
    assert_eq!(child.state, ChildState::Held);
    let note = child.note.as_deref().unwrap();
    assert!(
        note.contains("2 playlists are called") && note.contains("by its id"),
        "{note}"
    );
    assert!(w.contents(&ambiguous).is_empty());
}
