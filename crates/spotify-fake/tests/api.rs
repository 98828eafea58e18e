//! The Web API over HTTP: shapes, limits, permissions, writes and the two modes.

// Test helpers outside #[test] functions fail loudly by design (clippy.toml only exempts
// the test functions themselves).
#![allow(clippy::unwrap_used)]

mod common;

use common::{Harness, start, start_with};
use reqwest::Method;
use serde_json::{Value, json};
use spotify_fake::{FakeConfig, LibrarySpec, Mode};

#[tokio::test]
async fn me_and_paged_playlists() {
    let h = start(Mode::DevelopmentMode).await;
    let (status, me) = h.get("/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["id"], json!(h.user));
    assert_eq!(me["type"], "user");

    let expected = h.fake.library().playlists_of(&h.user);
    let mut seen = Vec::new();
    let mut url = h.url("/me/playlists?limit=2");
    loop {
        let (status, page) = h.get_url(&url).await;
        assert_eq!(status, 200);
        assert_eq!(page["total"], json!(expected.len()));
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
            assert!(item["items"]["total"].is_u64());
        }
        match page["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    let ids: Vec<String> = expected.into_iter().map(|p| p.id).collect();
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn limits_out_of_range_are_400() {
    let h = start(Mode::ExtendedQuota).await;
    let p = h.owned_playlist(10);
    for (path, status) in [
        (format!("/playlists/{p}/items?limit=50"), 200),
        (format!("/playlists/{p}/items?limit=51"), 400),
        (format!("/playlists/{p}/items?limit=0"), 400),
        (format!("/playlists/{p}/items?offset=-1"), 400),
        (format!("/playlists/{p}/tracks?limit=100"), 200),
        (format!("/playlists/{p}/tracks?limit=101"), 400),
        ("/me/playlists?limit=51".to_owned(), 400),
        ("/me/playlists?offset=100001".to_owned(), 400),
    ] {
        let (got, body) = h.get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        if status == 400 {
            assert_eq!(body["error"]["status"], 400);
            assert!(body["error"]["message"].is_string());
        }
    }
}

#[tokio::test]
async fn items_page_through_with_item_and_messy_entries() {
    let spec = LibrarySpec {
        playlist_sizes: vec![400],
        messiness: spotify_fake::Messiness {
            episodes: 0.05,
            local_files: 0.05,
            unavailable: 0.05,
            duplicates: 0.05,
            ..Default::default()
        },
        ..LibrarySpec::default()
    };
    let h = start_with(FakeConfig {
        library: spec,
        ..FakeConfig::default()
    })
    .await;
    let p = h.owned_playlist(400);
    let truth = h.fake.library().playlist_items(&p).unwrap();
    let mut got = Vec::new();
    let mut url = h.url(&format!("/playlists/{p}/items?limit=50"));
    loop {
        let (status, page) = h.get_url(&url).await;
        assert_eq!(status, 200, "{page}");
        for entry in page["items"].as_array().unwrap() {
            assert!(entry.get("track").is_none(), "/items carries `item`");
            got.push(entry.clone());
        }
        match page["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(got.len(), truth.len());
    let mut kinds = std::collections::HashSet::new();
    for (entry, info) in got.iter().zip(&truth) {
        let item = &entry["item"];
        match info.kind {
            spotify_fake::library::ItemKind::Unavailable => assert!(item.is_null()),
            spotify_fake::library::ItemKind::LocalFile => {
                assert_eq!(entry["is_local"], true);
                assert!(item["id"].is_null());
                assert_eq!(item["uri"], json!(info.uri));
            }
            spotify_fake::library::ItemKind::Episode => assert_eq!(item["type"], "episode"),
            spotify_fake::library::ItemKind::Track => {
                assert_eq!(item["id"], json!(info.id));
                assert!(item["external_ids"]["isrc"].is_string());
            }
        }
        kinds.insert(format!("{:?}", info.kind));
    }
    assert_eq!(kinds.len(), 4, "every kind of entry appears: {kinds:?}");
}

#[tokio::test]
async fn items_forbidden_unless_owner_or_collaborator() {
    let h = start(Mode::DevelopmentMode).await;
    let followed = h.followed_playlist();
    let (status, body) = h.get(&format!("/playlists/{followed}/items")).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"error": {"status": 403, "message": "Forbidden"}})
    );
    // The playlist itself is readable.
    let (status, _) = h.get(&format!("/playlists/{followed}")).await;
    assert_eq!(status, 200);
    // A collaborative playlist of another user is readable through /items.
    let collab = h
        .fake
        .library()
        .playlists_of(&h.user)
        .into_iter()
        .find(|p| p.collaborator_ids.contains(&h.user))
        .unwrap();
    let (status, _) = h.get(&format!("/playlists/{}/items", collab.id)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn legacy_tracks_generation_by_mode() {
    let dev = start(Mode::DevelopmentMode).await;
    let p = dev.owned_playlist(10);
    let (status, _) = dev.get(&format!("/playlists/{p}/tracks")).await;
    assert_eq!(status, 403);

    let ext = start(Mode::ExtendedQuota).await;
    let p = ext.owned_playlist(10);
    let (status, page) = ext.get(&format!("/playlists/{p}/tracks?limit=5")).await;
    assert_eq!(status, 200);
    assert!(page["items"][0].get("track").is_some());
    assert!(page["items"][0].get("item").is_none());

    let forced = start_with(FakeConfig {
        legacy_tracks_endpoints: Some(true),
        ..FakeConfig::default()
    })
    .await;
    let p = forced.owned_playlist(10);
    let (status, _) = forced.get(&format!("/playlists/{p}/tracks")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn fields_projection() {
    let h = start(Mode::DevelopmentMode).await;
    let p = h.owned_playlist(57);
    let fields = "items(added_at,item(id,name,artists(id,name))),next,total";
    let (status, page) = h
        .get(&format!(
            "/playlists/{p}/items?limit=10&fields={}",
            urlencode(fields)
        ))
        .await;
    assert_eq!(status, 200);
    let keys: Vec<&String> = page.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    let next = page["next"].as_str().unwrap();
    assert!(next.contains("fields="), "projection carries over: {next}");
    for entry in page["items"].as_array().unwrap() {
        let e = entry.as_object().unwrap();
        assert!(e.keys().all(|k| k == "added_at" || k == "item"));
        if let Some(item) = entry["item"].as_object() {
            assert!(
                item.keys()
                    .all(|k| ["id", "name", "artists"].contains(&k.as_str()))
            );
        }
    }
    let (status, details) = h
        .get(&format!("/playlists/{p}?fields=snapshot_id,items.total"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        details,
        json!({"snapshot_id": h.fake.library().playlist(&p).unwrap().snapshot_id,
               "items": {"total": 57}})
    );
    let (status, _) = h.get(&format!("/playlists/{p}/items?fields=items(")).await;
    assert_eq!(status, 400);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn snapshot(h: &Harness, p: &str) -> String {
    let (_, v) = h.get(&format!("/playlists/{p}?fields=snapshot_id")).await;
    v["snapshot_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn writes_change_the_snapshot_and_honour_the_100_limit() {
    let h = start(Mode::DevelopmentMode).await;
    let p = h.owned_playlist(10);
    let tracks = h.fake.library().track_ids();
    let uris: Vec<String> = tracks[..3]
        .iter()
        .map(|t| format!("spotify:track:{t}"))
        .collect();
    let before = snapshot(&h, &p).await;
    let count = h.fake.library().playlist(&p).unwrap().item_count;

    let (status, body) = h
        .send(
            Method::POST,
            &format!("/playlists/{p}/items"),
            json!({"uris": uris, "position": 0}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let after_add = body["snapshot_id"].as_str().unwrap().to_owned();
    assert_ne!(after_add, before);
    assert_eq!(snapshot(&h, &p).await, after_add);
    let items = h.fake.library().playlist_items(&p).unwrap();
    assert_eq!(items.len(), count + 3);
    assert_eq!(items[0].uri.as_deref(), Some(uris[0].as_str()));

    let too_many: Vec<String> = tracks[..101]
        .iter()
        .map(|t| format!("spotify:track:{t}"))
        .collect();
    let (status, body) = h
        .send(
            Method::POST,
            &format!("/playlists/{p}/items"),
            json!({"uris": too_many}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        snapshot(&h, &p).await,
        after_add,
        "a refused write changes nothing"
    );

    let (status, body) = h
        .send(
            Method::DELETE,
            &format!("/playlists/{p}/items"),
            json!({"items": [{"uri": uris[0]}], "snapshot_id": after_add}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let after_remove = body["snapshot_id"].as_str().unwrap().to_owned();
    assert_ne!(after_remove, after_add);
    assert!(
        !h.fake
            .library()
            .playlist_items(&p)
            .unwrap()
            .iter()
            .any(|i| i.uri.as_deref() == Some(uris[0].as_str()))
    );

    let (status, body) = h
        .send(
            Method::PUT,
            &format!("/playlists/{p}/items"),
            json!({"uris": uris[1..]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(body["snapshot_id"].as_str().unwrap(), after_remove);
    assert_eq!(h.fake.library().playlist(&p).unwrap().item_count, 2);

    let (status, _) = h
        .send(
            Method::PUT,
            &format!("/playlists/{p}/items"),
            json!({"range_start": 1, "insert_before": 0}),
        )
        .await;
    assert_eq!(status, 200);
    let items = h.fake.library().playlist_items(&p).unwrap();
    assert_eq!(items[0].uri.as_deref(), Some(uris[2].as_str()));

    let (status, _) = h
        .send(
            Method::POST,
            &format!("/playlists/{p}/items"),
            json!({"uris": ["spotify:track:nope"]}),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn writes_to_a_followed_playlist_are_403() {
    let h = start(Mode::DevelopmentMode).await;
    let followed = h.followed_playlist();
    let t = &h.fake.library().track_ids()[0];
    let (status, _) = h
        .send(
            Method::POST,
            &format!("/playlists/{followed}/items"),
            json!({"uris": [format!("spotify:track:{t}")]}),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn create_playlist_by_mode() {
    let h = start(Mode::DevelopmentMode).await;
    let (status, created) = h
        .send(
            Method::POST,
            "/me/playlists",
            json!({"name": "Indie 2015–2020 ✨", "public": false}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["owner"]["id"], json!(h.user));
    assert_eq!(h.fake.library().playlists_of(&h.user)[0].id, id);
    let path = format!("/users/{}/playlists", h.user);
    let (status, _) = h.send(Method::POST, &path, json!({"name": "x"})).await;
    assert_eq!(status, 403);
    let (status, _) = h.get(&path).await;
    assert_eq!(status, 403);

    let ext = start(Mode::ExtendedQuota).await;
    let path = format!("/users/{}/playlists", ext.user);
    let (status, _) = ext.send(Method::POST, &path, json!({"name": "x"})).await;
    assert_eq!(status, 201);
    let (status, page) = ext.get(&path).await;
    assert_eq!(status, 200);
    assert!(page["total"].as_u64().unwrap() > 0);
    let (status, _) = ext.send(Method::POST, "/me/playlists", json!({})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn batch_lookups_by_mode() {
    let dev = start(Mode::DevelopmentMode).await;
    let lib = dev.fake.library();
    let t = lib.track_ids()[..3].join(",");
    for path in [
        format!("/tracks?ids={t}"),
        format!("/artists?ids={}", lib.artist_ids()[..3].join(",")),
        format!("/albums?ids={}", lib.album_ids()[..3].join(",")),
    ] {
        let (status, body) = dev.get(&path).await;
        assert_eq!(status, 403, "{path}");
        assert_eq!(body["error"]["status"], 403);
    }

    let ext = start(Mode::ExtendedQuota).await;
    let lib = ext.fake.library();
    let (status, body) = ext
        .get(&format!("/tracks?ids={}", lib.track_ids()[..50].join(",")))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["tracks"].as_array().unwrap().len(), 50);
    let (status, _) = ext
        .get(&format!("/tracks?ids={}", lib.track_ids()[..51].join(",")))
        .await;
    assert_eq!(status, 400);
    let (status, _) = ext
        .get(&format!("/albums?ids={}", lib.album_ids()[..21].join(",")))
        .await;
    assert_eq!(status, 400);
    let (status, body) = ext
        .get(&format!("/albums?ids={}", lib.album_ids()[..20].join(",")))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["albums"].as_array().unwrap().len(), 20);
    let (status, body) = ext
        .get(&format!(
            "/artists?ids={}",
            lib.artist_ids()[..50].join(",")
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["artists"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn development_mode_omits_removed_fields() {
    let dev = start(Mode::DevelopmentMode).await;
    let ext = start(Mode::ExtendedQuota).await;
    // Same seed: the same catalog in both.
    let lib = dev.fake.library();
    let artist = lib
        .artist_ids()
        .into_iter()
        .find(|a| !lib.artist(a).unwrap().genres.is_empty())
        .unwrap();
    let track = lib.track_ids()[0].clone();
    let album = lib.album_ids()[0].clone();

    let (_, t) = dev.get(&format!("/tracks/{track}")).await;
    for f in ["popularity", "available_markets", "linked_from"] {
        assert!(t.get(f).is_none(), "dev track has {f}");
    }
    assert!(t["external_ids"]["isrc"].is_string());
    let (_, t) = ext.get(&format!("/tracks/{track}")).await;
    assert!(t["popularity"].is_u64() && t["available_markets"].is_array());

    let (_, a) = dev.get(&format!("/albums/{album}")).await;
    assert!(a.get("popularity").is_none() && a.get("label").is_none());
    let (_, a) = ext.get(&format!("/albums/{album}")).await;
    assert!(a["popularity"].is_u64() && a["label"].is_string());

    let (_, a) = dev.get(&format!("/artists/{artist}")).await;
    assert!(a.get("popularity").is_none() && a.get("followers").is_none());
    assert_eq!(a["genres"], json!([]));
    let (_, a) = ext.get(&format!("/artists/{artist}")).await;
    assert!(a["popularity"].is_u64() && a["followers"]["total"].is_u64());
    assert!(!a["genres"].as_array().unwrap().is_empty());

    let relinked = ext
        .fake
        .library()
        .track_ids()
        .into_iter()
        .find(|t| ext.fake.library().track(t).unwrap().linked_from.is_some())
        .unwrap();
    let (_, t) = ext.get(&format!("/tracks/{relinked}")).await;
    assert!(t["linked_from"]["id"].is_string());
}

#[tokio::test]
async fn unauthorized_shapes() {
    let h = start(Mode::DevelopmentMode).await;
    let resp = h.http.get(h.url("/me")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": {"status": 401, "message": "No token provided"}})
    );
    let resp = h
        .http
        .get(h.url("/me"))
        .bearer_auth("garbage")
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["message"], "Invalid access token");
    h.fake.faults().expire_token(&h.token);
    let (status, body) = h.get("/me").await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"error": {"status": 401, "message": "The access token expired"}})
    );
}

#[tokio::test]
async fn large_playlists_are_cheap_and_page_fully() {
    let h = start_with(FakeConfig {
        library: LibrarySpec::large(),
        ..FakeConfig::default()
    })
    .await;
    let p = h.owned_playlist(10_000);
    assert_eq!(h.fake.library().playlist(&p).unwrap().item_count, 10_000);
    let (status, page) = h
        .get(&format!(
            "/playlists/{p}/items?limit=50&offset=9990&fields=items(item(id)),total,next"
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 10_000);
    assert_eq!(page["items"].as_array().unwrap().len(), 10);
    assert!(page["next"].is_null());
}

#[tokio::test]
async fn same_seed_same_answers() {
    let a = start(Mode::DevelopmentMode).await;
    let b = start(Mode::DevelopmentMode).await;
    assert_eq!(a.user, b.user);
    let p = a.owned_playlist(57);
    let (_, pa) = a
        .get(&format!(
            "/playlists/{p}/items?limit=50&fields=items(item(id,name))"
        ))
        .await;
    let (_, pb) = b
        .get(&format!(
            "/playlists/{p}/items?limit=50&fields=items(item(id,name))"
        ))
        .await;
    assert_eq!(pa, pb);
}

#[tokio::test]
async fn real_world_quirks_on_request() {
    let h = start(Mode::DevelopmentMode).await;
    let listed = h.fake.library().playlists_of(&h.user);

    // Integers written as floats, everywhere in the Web API.
    h.fake.set_integers_as_floats(true);
    let resp = h
        .http
        .get(h.url("/me/playlists?limit=5"))
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    assert!(
        text.contains(&format!("\"total\":{}.0", listed.len())),
        "{text}"
    );
    assert!(text.contains("\"limit\":5.0"), "{text}");
    h.fake.set_integers_as_floats(false);

    // A "Starred" entry with a null id, and playlists without snapshot_id.
    h.fake.list_with_null_id(&[listed[0].id.as_str()]);
    h.fake.set_without_snapshot_id(true);
    let (status, page) = h.get("/me/playlists?limit=50").await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), listed.len(), "the listing keeps its places");
    assert!(items[0]["id"].is_null());
    assert!(items.iter().all(|p| p.get("snapshot_id").is_none()));
    let (_, details) = h.get(&format!("/playlists/{}", listed[1].id)).await;
    assert!(details.get("snapshot_id").is_none(), "{details}");
    assert_eq!(details["id"], listed[1].id.as_str());

    // Development Mode's user list: an unlisted account gets plain text, everywhere.
    let other = h.fake.library().users()[1].id.clone();
    h.fake.set_app_users(
        &[other.as_str()],
        spotify_fake::AppUserRefusal::NotRegistered,
    );
    let resp = h
        .http
        .get(h.url("/me"))
        .bearer_auth(&h.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(
        resp.text().await.unwrap(),
        "User not registered in the Developer Dashboard"
    );
    let listed_token = h.fake.mint_token(&other);
    let resp = h
        .http
        .get(h.url("/me"))
        .bearer_auth(&listed_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    h.fake.allow_all_app_users();
    assert_eq!(h.get("/me").await.0, 200);
}
