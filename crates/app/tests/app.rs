//! The shared application layer against the demo's stand-in, as both front ends use it.

#![allow(clippy::unwrap_used)]

use syncer_app::library::{ChildChanges, ChildSpec, ChildTarget};
use syncer_app::{AppError, Config, DemoSpec, Services};
use syncer_auth::HealthState;
use syncer_core::engine::{DraftChild, MirrorMode, SyncStatus};
use syncer_core::filter::query;
use syncer_core::ids::{ChildPlaylistId, PlaylistId};
use tokio_util::sync::CancellationToken;

async fn services() -> (tempfile::TempDir, Services) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (services, interrupted) = Services::open(Config::at(dir.path())).await.unwrap();
    assert!(interrupted.is_empty());
    (dir, services)
}

fn spec() -> DemoSpec {
    DemoSpec {
        tracks: 200,
        ..DemoSpec::default()
    }
}

#[tokio::test]
async fn the_demo_sets_up_a_base_with_children_that_a_sync_fills() {
    let (_dir, services) = services().await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    assert_eq!(demo.children.len(), 5);
    let report = syncer_app::sync::run_sync(
        &services,
        &demo.base.id,
        false,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(report.status, SyncStatus::Completed);
    assert!(report.added() > 0);

    // Setting it up again replaces it rather than adding a second copy.
    let again = services.set_up_demo(spec()).await.unwrap();
    assert_eq!(services.bases().await.unwrap().len(), 1);
    assert_eq!(again.children.len(), 5);
}

#[tokio::test]
async fn a_draft_filter_previews_before_it_is_saved() {
    let (_dir, services) = services().await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    let engine = services.engine(&demo.connection).await.unwrap();
    let everything = engine
        .preview_draft(
            &demo.base.id,
            DraftChild {
                id: ChildPlaylistId::new("draft"),
                name: "Everything".into(),
                filter: query::parse("").unwrap(),
                allow_empty: false,
            },
        )
        .await
        .unwrap();
    let draft = everything
        .children
        .iter()
        .find(|c| c.id.as_str() == "draft")
        .unwrap();
    assert_eq!(
        draft.count, everything.tracks,
        "an empty filter takes every track"
    );
    assert_eq!(
        everything.unrouted, 0,
        "nothing is left over when one child takes all"
    );

    // Editing an existing child's filter replaces it in the preview, not beside it.
    let rock = &demo.children[0];
    let nothing = engine
        .preview_draft(
            &demo.base.id,
            DraftChild {
                id: rock.id.clone(),
                name: rock.name.clone(),
                filter: query::parse("year:<1000").unwrap(),
                allow_empty: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(nothing.children.len(), demo.children.len());
    let edited = nothing.children.iter().find(|c| c.id == rock.id).unwrap();
    assert_eq!(edited.count, 0);
    assert!(edited.note.as_deref().unwrap().contains("matches nothing"));
    // Nothing was saved.
    let stored = services.child(&rock.id).await.unwrap();
    assert_eq!(stored.query, rock.query);
}

#[tokio::test]
async fn bad_children_are_refused_before_anything_is_created() {
    let (_dir, services) = services().await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    let fake = services.fake(&demo.connection).await.unwrap();
    let playlists_before = fake.library().playlists().len();

    let bad_query = services
        .add_child(
            &demo.base.id,
            &ChildSpec {
                target: ChildTarget::Create {
                    name: "Broken".into(),
                },
                query: "genre:(".into(),
                mirror: MirrorMode::default(),
                allow_empty: false,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&bad_query, AppError::Query(e) if e.column > 0),
        "{bad_query}"
    );

    let itself = services
        .add_child(
            &demo.base.id,
            &ChildSpec {
                target: ChildTarget::Adopt {
                    playlist: PlaylistId::new(demo.base.id.as_str()),
                },
                query: "genre:rock".into(),
                mirror: MirrorMode::default(),
                allow_empty: false,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(itself, AppError::Usage(_)), "{itself}");

    let unnamed = services
        .add_child(
            &demo.base.id,
            &ChildSpec {
                target: ChildTarget::Create { name: "  ".into() },
                query: "genre:rock".into(),
                mirror: MirrorMode::default(),
                allow_empty: false,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(unnamed, AppError::Usage(_)), "{unnamed}");
    assert_eq!(fake.library().playlists().len(), playlists_before);
    assert_eq!(services.children(&demo.base.id).await.unwrap().len(), 5);
}

#[tokio::test]
async fn a_connection_says_until_when_it_is_rate_limited() {
    let (_dir, services) = services().await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    let details = services.connection_details(&demo.connection).await.unwrap();
    assert_eq!(details.health.state, HealthState::Ready);
    assert_eq!(details.health.rate_limited_until, None);

    // The service refuses everything for an hour: longer than the client waits, so the sync
    // fails, and the connection shows when it will work again.
    let fake = services.fake(&demo.connection).await.unwrap();
    fake.faults()
        .on_path_prefix("/v1/")
        .rate_limit_after(0, 3600);
    let failed = syncer_app::sync::run_sync(
        &services,
        &demo.base.id,
        true,
        None,
        CancellationToken::new(),
    )
    .await;
    let report_failed = match failed {
        Ok(report) => report.status != SyncStatus::Completed,
        Err(_) => true,
    };
    assert!(
        report_failed,
        "a sync against an hour-long 429 cannot complete"
    );

    let details = services.connection_details(&demo.connection).await.unwrap();
    assert_eq!(details.health.state, HealthState::RateLimited);
    let until = details.health.rate_limited_until.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(until > now + 3000, "until {until}, now {now}");
}

/// The window's sequence: a draft previewed, saved as a child, then a second draft previewed
/// beside it: every child's count is what its filter takes, the saved one included.
#[tokio::test]
async fn a_second_draft_previews_beside_a_child_just_added() {
    let (_dir, services) = services().await;
    let connection = services.connect_demo(spec()).await.unwrap().id;
    let biggest = services.biggest_playlist(&connection).await.unwrap();
    let base = services.add_base(&connection, &biggest.id).await.unwrap();
    let engine = services.engine(&connection).await.unwrap();
    let draft = |query: &str| DraftChild {
        id: ChildPlaylistId::new("draft"),
        name: "Draft".into(),
        filter: query::parse(query).unwrap(),
        allow_empty: false,
    };
    let rock = engine
        .preview_draft(&base.id, draft("genre:rock"))
        .await
        .unwrap();
    let rock_count = rock.children[0].count;
    assert!(rock_count > 0, "{rock:?}");
    services
        .add_child(
            &base.id,
            &ChildSpec {
                target: ChildTarget::Create {
                    name: "Rock".into(),
                },
                query: "genre:rock".into(),
                mirror: MirrorMode::default(),
                allow_empty: false,
            },
        )
        .await
        .unwrap();
    let engine = services.engine(&connection).await.unwrap();
    let both = engine
        .preview_draft(&base.id, draft("genre:pop"))
        .await
        .unwrap();
    let counts: Vec<(String, u32)> = both
        .children
        .iter()
        .map(|c| (c.name.clone(), c.count))
        .collect();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_eq!(counts[0], ("Rock".to_owned(), rock_count), "{counts:?}");
    assert!(counts[1].1 > 0, "{counts:?}");
}

/// Issue 16: a child is checked completely before anything is created on the service: depth
/// (the 42-deep query), values that cannot match, steps that keep nothing.
#[tokio::test]
async fn a_child_that_could_not_be_stored_or_matched_creates_no_playlist() {
    let (_dir, services) = services().await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    let fake = services.fake(&demo.connection).await.unwrap();
    let playlists_before = fake.library().playlists().len();
    let max = syncer_core::filter::MAX_DEPTH;
    for query in [
        format!("{}genre:rock{}", "(".repeat(42), ")".repeat(42)),
        // One level past the maximum only because terms side by side make a group.
        format!("title:z {}genre:rock{}", "(".repeat(max), ")".repeat(max)),
        "year:5..1".to_owned(),
        "release:2020..2010".to_owned(),
        "popularity:101".to_owned(),
        "genre:rock | limit 0".to_owned(),
        "genre:rock | per_artist 0".to_owned(),
    ] {
        let refused = services
            .add_child(
                &demo.base.id,
                &ChildSpec {
                    target: ChildTarget::Create {
                        name: "Refused".into(),
                    },
                    query: query.clone(),
                    mirror: MirrorMode::default(),
                    allow_empty: false,
                },
            )
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, AppError::Query(e) if e.column > 0),
            "{query}: {refused}"
        );
    }
    assert_eq!(fake.library().playlists().len(), playlists_before);
    let children = services.children(&demo.base.id).await.unwrap();
    assert_eq!(children.len(), 5);

    // At the maximum it is accepted, created, stored and read back.
    let deepest = format!("{}genre:rock{}", "(".repeat(max), ")".repeat(max));
    let added = services
        .add_child(
            &demo.base.id,
            &ChildSpec {
                target: ChildTarget::Create {
                    name: "Deepest".into(),
                },
                query: deepest.clone(),
                mirror: MirrorMode::default(),
                allow_empty: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(added.filter, Ok(query::parse(&deepest).unwrap()));
    assert_eq!(fake.library().playlists().len(), playlists_before + 1);
}

/// Writes a child's stored filter as an older version might have left it.
async fn corrupt(dir: &std::path::Path, child: &ChildPlaylistId, filter_json: &str) {
    use sqlx::Connection as _;
    let url = format!("sqlite://{}", dir.join("syncer.db").display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE children SET filter_json = ? WHERE id = ?")
        .bind(filter_json)
        .bind(child.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// Issue 16: a stored filter that cannot be read never locks the user out.
#[tokio::test]
async fn a_broken_child_is_named_by_sync_and_preview_and_mended_by_a_new_query() {
    let (dir, services) = services().await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    let broken = demo.children[1].clone();
    corrupt(
        dir.path(),
        &broken.id,
        r#"{"schema_version": 2, "root": {"group": {"mode": "all", "children": []}},
            "post": {"limit": {"tracks": 0}}}"#,
    )
    .await;

    let sync = syncer_app::sync::run_sync(
        &services,
        &demo.base.id,
        false,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap_err();
    let message = sync.to_string();
    assert!(
        matches!(
            &sync,
            AppError::Setup(syncer_store::SetupError::BrokenFilter { child, .. }) if *child == broken.id
        ),
        "{message}"
    );
    assert!(message.contains("limit 0"), "{message}");
    // The shared message names no front end's command; the hint says what to do.
    assert!(!message.contains("syncer child edit"), "{message}");
    assert!(
        matches!(sync.hint(), Some(syncer_app::Hint::FixChild { child }) if child == broken.id),
        "{:?}",
        sync.hint()
    );
    // Preview through the engine stops on the same error, as the desktop's preview does.
    let engine = services.engine(&demo.connection).await.unwrap();
    let preview = engine.preview(&demo.base.id).await.unwrap_err();
    assert!(preview.to_string().contains(&message), "{preview}");

    // The export keeps it, with its query and why it is broken.
    let export = services.export().await.unwrap();
    let exported = export["bases"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == broken.id.as_str())
        .unwrap()
        .clone();
    assert_eq!(exported["query"], broken.query.as_str());
    assert!(exported["filter"].is_null());
    assert!(
        exported["broken"]["reason"]
            .as_str()
            .unwrap()
            .contains("limit 0")
    );
    assert!(
        exported["broken"]["stored_filter"]
            .as_str()
            .unwrap()
            .contains("\"tracks\": 0")
    );

    // A new query mends it, and the sync runs.
    services
        .edit_child(
            &broken.id,
            ChildChanges {
                query: Some("genre:rock".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let report = syncer_app::sync::run_sync(
        &services,
        &demo.base.id,
        false,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(report.status, SyncStatus::Completed);
}

/// Issue 19: Liked Songs as a base through the one door: listed first, added by
/// `add_liked_base`, routed, then unchanged for one request and no writes, and seen as
/// unchanged by the on-change check.
#[tokio::test]
async fn liked_songs_are_a_base_listed_first_and_unchanged_costs_one_request() {
    let (_dir, services) = services().await;
    let connection = services.connect_demo(spec()).await.unwrap().id;
    let listed = services.playlists(&connection).await.unwrap();
    assert_eq!(listed[0].playlist.name, "Liked Songs");
    assert_eq!(listed[0].playlist.id, PlaylistId::liked_songs(&connection));
    assert!(listed[0].playlist.total_items.unwrap_or(0) > 0);
    assert!(!listed[0].is_base);

    let base = services.add_liked_base(&connection).await.unwrap();
    assert_eq!(base.name, "Liked Songs");
    assert!(base.id.is_liked_songs());
    assert!(services.playlists(&connection).await.unwrap()[0].is_base);
    services
        .add_child(
            &base.id,
            &ChildSpec {
                target: ChildTarget::Create {
                    name: "Liked and explicit".into(),
                },
                query: "explicit".into(),
                mirror: MirrorMode::default(),
                allow_empty: false,
            },
        )
        .await
        .unwrap();
    let run =
        || syncer_app::sync::run_sync(&services, &base.id, false, None, CancellationToken::new());
    let cold = run().await.unwrap();
    assert_eq!(cold.status, SyncStatus::Completed, "{cold:?}");
    assert!(cold.added() > 0, "{cold:?}");
    assert!(!services.base_changed(&base.id).await);
    let warm = run().await.unwrap();
    assert!(warm.unchanged, "{warm:?}");
    assert_eq!(warm.requests.total(), 1, "{:?}", warm.requests);
    assert_eq!(warm.requests.endpoint_total("GET /me/tracks"), 1);
    assert_eq!(warm.write_requests(), 0);
}

#[tokio::test]
async fn a_childs_detail_lists_its_tracks_live_marks_hand_added_ones_and_why_not_names_a_rule() {
    use syncer_app::detail::Why;
    use syncer_core::ids::TrackId;
    use syncer_core::provider::MusicProvider as _;

    let (_dir, services) = services().await;
    let demo = services.set_up_demo(spec()).await.unwrap();
    let report = syncer_app::sync::run_sync(
        &services,
        &demo.base.id,
        false,
        None,
        CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(report.status, SyncStatus::Completed);
    // The child that received the most, and one track of the base it does not hold.
    let (child, synced) = report
        .children
        .iter()
        .max_by_key(|c| c.added)
        .map(|c| (c.id.clone(), c.added))
        .unwrap();
    assert!(synced > 0);

    let detail = services.child_detail(&child).await.unwrap();
    assert_eq!(detail.counts.tracks as usize, detail.tracks.len());
    assert_eq!(
        detail.tracks.len() as u32,
        synced,
        "read live: what the sync wrote"
    );
    assert_eq!(detail.counts.added_by_hand, 0);
    assert!(
        detail
            .tracks
            .iter()
            .all(|t| !t.track.label.trim_end().ends_with('—'))
    );
    let last = detail.last_sync.clone().unwrap();
    assert_eq!((last.added, last.removed), (synced, 0));
    assert!(!last.started_local.is_empty());
    // The demo has no service page: nothing to open, for the child and each track.
    assert!(detail.page.url().is_none());
    assert!(detail.tracks.iter().all(|t| t.track.page.url().is_none()));

    // A track the user adds by hand on the service is listed and marked.
    let engine = services.engine(&demo.connection).await.unwrap();
    let playlist = syncer_core::ids::PlaylistId::new(child.as_str());
    let in_child: std::collections::HashSet<String> =
        detail.tracks.iter().map(|t| t.track.id.clone()).collect();
    let items = engine
        .provider()
        .playlist_items(&syncer_core::ids::PlaylistId::new(demo.base.id.as_str()))
        .await
        .unwrap();
    let outsider: TrackId = items
        .tracks()
        .find(|t| !in_child.contains(t.id.as_str()))
        .map(|t| t.id.clone())
        .unwrap();
    let version = engine.provider().snapshot_id(&playlist).await.unwrap();
    engine
        .provider()
        .add_items(&playlist, std::slice::from_ref(&outsider), None, &version)
        .await
        .unwrap();
    let detail = services.child_detail(&child).await.unwrap();
    assert_eq!(detail.counts.added_by_hand, 1);
    let last_row = detail.tracks.last().unwrap();
    assert_eq!(last_row.track.id, outsider.as_str());
    assert!(last_row.added_by_hand);

    // "Why not?" for a track the child holds, by id: it is in; for the outsider: a rule.
    let first = detail.tracks[0].track.id.clone();
    assert!(matches!(
        services.explain(&child, &first).await.unwrap(),
        Why::InChild { .. }
    ));
    match services.explain(&child, outsider.as_str()).await.unwrap() {
        Why::Excluded { rule, .. } | Why::Waiting { rule, .. } => assert!(!rule.is_empty()),
        Why::TakenBy { child_name, .. } => assert!(!child_name.is_empty()),
        other => panic!("the outsider is kept out by something: {other:?}"),
    }
    // Text finds tracks by title or artist; text that finds nothing says so.
    assert!(matches!(
        services
            .explain(&child, "no track is called this")
            .await
            .unwrap(),
        Why::NoSuchTrack { .. }
    ));
    let word = detail.tracks[0]
        .track
        .label
        .split(' ')
        .next()
        .unwrap()
        .to_owned();
    assert!(!matches!(
        services.explain(&child, &word).await.unwrap(),
        Why::NoSuchTrack { .. }
    ));
}
