//! The stand-in against the contract: every response it gives, for every endpoint the client
//! uses, in both modes, is validated against the schema `fixed-spotify-open-api.yml` declares
//! for that operation and status; and the request limits the contract declares (`limit`
//! bounds, batch id counts, 100 URIs per write) are enforced with 400.
//!
//! The contract is read from the repository's `contracts/spotify/` (override with
//! `SPOTIFY_OPENAPI=/path/to/fixed-spotify-open-api.yml`). OpenAPI 3.0 schemas become JSON
//! Schema 2020-12: `nullable: true` turns into a `null` alternative, refs resolve inside one
//! root document that holds `components`.
//!
//! Where the contract and NOTES.md (2026 behaviour) disagree, NOTES.md wins and the schema is
//! patched here, each patch with its reason (see `patch_for_reality`):
//! 1. `PlaylistTrackObject.track`/`.item` may be `null` (removed or unavailable entries);
//!    the contract's `oneOf [TrackObject, EpisodeObject]` does not allow it.
//! 2. Local files are track objects with `is_local: true` and `null` ids/hrefs (also on their
//!    album and artists); the contract's `TrackObject` types those as strings.
//! 3. Development Mode: `AlbumObject` requires `label` and `popularity`, which the February
//!    2026 changes removed; they are dropped from `required` for that mode only.
//!
//! Statuses the contract does not list for an operation but Spotify answers (400 for an
//! out-of-range `limit` or too many ids, 404 for an unknown id) are validated against the
//! contract's generic `BadRequest` / `NotFound` responses.

// Test helpers outside #[test] functions fail loudly by design (clippy.toml only exempts
// the test functions themselves).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use common::{Harness, start_with};
use reqwest::Method;
use serde_json::{Map, Value, json};
use spotify_fake::library::ItemKind;
use spotify_fake::{FakeConfig, LibrarySpec, Messiness, Mode};

fn contract_path() -> PathBuf {
    if let Ok(p) = std::env::var("SPOTIFY_OPENAPI") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../contracts/spotify/fixed-spotify-open-api.yml")
}

fn load_contract() -> Value {
    let path = contract_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the contract {} is required for this test ({e}); set SPOTIFY_OPENAPI to its path",
            path.display()
        )
    });
    serde_norway::from_str(&text).expect("the contract parses as YAML")
}

/// OpenAPI 3.0 schema → JSON Schema.
fn convert(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                if k == "nullable" || k == "discriminator" {
                    continue;
                }
                out.insert(k.clone(), convert(v));
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                match out.get("type").cloned() {
                    Some(Value::String(t)) => {
                        out.insert("type".into(), json!([t, "null"]));
                    }
                    _ => return json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

/// The documented divergences (module docs): what real 2026 responses contain that the
/// contract's schemas do not allow.
fn patch_for_reality(schemas: &mut Map<String, Value>, mode: Mode) {
    schemas.insert(
        "LocalTrackObject".into(),
        json!({
            "type": "object",
            "required": ["is_local", "type", "uri", "name", "id"],
            "properties": {
                "is_local": {"const": true},
                "id": {"type": "null"},
                "href": {"type": "null"},
                "uri": {"type": "string", "pattern": "^spotify:local:"},
                "type": {"enum": ["track"]},
                "name": {"type": "string"},
                "duration_ms": {"type": "integer"},
                "disc_number": {"type": "integer"},
                "track_number": {"type": "integer"},
                "explicit": {"type": "boolean"},
                "external_ids": {"$ref": "#/components/schemas/ExternalIdObject"},
                "external_urls": {"$ref": "#/components/schemas/ExternalUrlObject"},
                "album": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "null"},
                        "href": {"type": "null"},
                        "uri": {"type": "null"},
                        "name": {"type": "string"},
                        "type": {"enum": ["album"]},
                        "album_type": {"type": ["string", "null"]},
                        "release_date": {"type": ["string", "null"]},
                        "release_date_precision": {"type": ["string", "null"]},
                        "images": {"type": "array"},
                        "artists": {"type": "array"}
                    }
                },
                "artists": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "null"},
                            "href": {"type": "null"},
                            "uri": {"type": "null"},
                            "name": {"type": "string"},
                            "type": {"enum": ["artist"]}
                        }
                    }
                }
            }
        }),
    );
    let entry = schemas
        .get_mut("PlaylistTrackObject")
        .and_then(|s| s.get_mut("properties"))
        .and_then(Value::as_object_mut)
        .expect("PlaylistTrackObject has properties");
    for field in ["item", "track"] {
        let alternatives = entry
            .get_mut(field)
            .and_then(|f| f.get_mut("oneOf"))
            .and_then(Value::as_array_mut)
            .expect("item/track is a oneOf");
        alternatives.push(json!({"$ref": "#/components/schemas/LocalTrackObject"}));
        alternatives.push(json!({"type": "null"}));
    }
    if mode == Mode::DevelopmentMode {
        let required = schemas
            .get_mut("AlbumObject")
            .and_then(|s| s.get_mut("required"))
            .and_then(Value::as_array_mut)
            .expect("AlbumObject.required");
        required.retain(|r| r != "label" && r != "popularity");
    }
}

struct Checker {
    mode: Mode,
    contract: Value,
    components: Value,
    validators: HashMap<String, jsonschema::Validator>,
    failures: Vec<String>,
    /// "GET /playlists/{playlist_id}/items 200" → responses checked.
    covered: BTreeMap<String, usize>,
    undeclared: BTreeSet<String>,
}

impl Checker {
    fn new(contract: &Value, mode: Mode) -> Self {
        let mut components = convert(&contract["components"]);
        let schemas = components["schemas"]
            .as_object_mut()
            .expect("components.schemas");
        patch_for_reality(schemas, mode);
        Checker {
            mode,
            contract: contract.clone(),
            components,
            validators: HashMap::new(),
            failures: Vec::new(),
            covered: BTreeMap::new(),
            undeclared: BTreeSet::new(),
        }
    }

    fn resolve<'a>(&'a self, mut v: &'a Value) -> &'a Value {
        while let Some(r) = v.get("$ref").and_then(Value::as_str) {
            let pointer = r.trim_start_matches('#');
            v = self.contract.pointer(pointer).expect("a resolvable $ref");
        }
        v
    }

    fn operation(&self, method: &Method, template: &str) -> &Value {
        let op = &self.contract["paths"][template][method.as_str().to_lowercase()];
        assert!(op.is_object(), "the contract has no {method} {template}");
        op
    }

    /// The declared response for a status, or the generic error response Spotify uses for
    /// statuses the contract leaves out.
    fn response_for(&mut self, method: &Method, template: &str, status: u16) -> Value {
        let op = self.operation(method, template).clone();
        if let Some(r) = op["responses"].get(status.to_string()) {
            return self.resolve(r).clone();
        }
        self.undeclared
            .insert(format!("{method} {template} {status}"));
        let generic = match status {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            429 => "TooManyRequests",
            _ => panic!("{method} {template} answered {status}, which the contract never uses"),
        };
        self.contract["components"]["responses"][generic].clone()
    }

    fn validator(&mut self, key: &str, schema: &Value) -> &jsonschema::Validator {
        if !self.validators.contains_key(key) {
            let mut root = match convert(schema) {
                Value::Object(map) => map,
                other => panic!("schema for {key} is not an object: {other}"),
            };
            root.insert("components".into(), self.components.clone());
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&Value::Object(root))
                .unwrap_or_else(|e| panic!("schema for {key} compiles: {e}"));
            self.validators.insert(key.to_owned(), validator);
        }
        &self.validators[key]
    }

    fn check(
        &mut self,
        method: &Method,
        template: &str,
        status: u16,
        body: &Value,
        raw_len: usize,
    ) {
        let key = format!("{method} {template} {status}");
        *self.covered.entry(key.clone()).or_default() += 1;
        let response = self.response_for(method, template, status);
        let Some(schema) = response
            .get("content")
            .and_then(|c| c.get("application/json"))
            .and_then(|c| c.get("schema"))
            .cloned()
        else {
            if raw_len != 0 {
                self.failures.push(format!(
                    "[{:?}] {key}: declared without a body, got {body}",
                    self.mode
                ));
            }
            return;
        };
        let mode = self.mode;
        let errors: Vec<String> = self
            .validator(&key, &schema)
            .iter_errors(body)
            .take(5)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if !errors.is_empty() {
            self.failures
                .push(format!("[{mode:?}] {key}:\n    {}", errors.join("\n    ")));
        }
    }

    /// A parameter's schema of an operation (refs resolved).
    fn param(&self, method: &Method, template: &str, name: &str) -> Value {
        let op = self.operation(method, template);
        op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| self.resolve(p))
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {template} declares `{name}`"))
            .clone()
    }
}

/// "Maximum: 50 IDs." / "A maximum of 100 items" → the number.
fn declared_maximum(description: &str) -> usize {
    let lower = description.to_lowercase();
    let at = lower
        .find("maximum: ")
        .map(|i| i + "maximum: ".len())
        .or_else(|| lower.find("maximum of ").map(|i| i + "maximum of ".len()))
        .unwrap_or_else(|| panic!("no maximum in {description:?}"));
    lower[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .expect("a number after maximum")
}

struct Driver<'a> {
    h: &'a Harness,
    c: Checker,
}

impl Driver<'_> {
    async fn call(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call_as(method, template, path, body, Some(&self.h.token.clone()))
            .await
    }

    async fn call_as(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            self.h.url(path)
        };
        let mut req = self.h.http.request(method.clone(), url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the fake answers");
        let status = resp.status().as_u16();
        if status == 429 {
            assert!(
                resp.headers().contains_key("retry-after"),
                "429 carries Retry-After"
            );
        }
        let bytes = resp.bytes().await.expect("a body");
        let value: Value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{template}: JSON body ({e})"))
        };
        self.c.check(&method, template, status, &value, bytes.len());
        (status, value)
    }

    /// Follows `next` to the end, validating every page.
    async fn all_pages(&mut self, template: &str, first: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let mut url = first.to_owned();
        loop {
            let (status, page) = self.call(Method::GET, template, &url, None).await;
            assert_eq!(status, 200, "{url}: {page}");
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next"].as_str() {
                Some(next) => url = next.to_owned(),
                None => return items,
            }
        }
    }

    async fn expect(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        body: Option<Value>,
        want: u16,
    ) -> Value {
        let (status, value) = self.call(method, template, path, body).await;
        assert_eq!(
            status, want,
            "[{:?}] {template} via {path}: {value}",
            self.c.mode
        );
        value
    }
}

fn messy_config(mode: Mode) -> FakeConfig {
    FakeConfig {
        mode,
        seed: 2026,
        library: LibrarySpec {
            users: 3,
            playlist_sizes: vec![12, 260],
            messiness: Messiness {
                episodes: 0.05,
                local_files: 0.05,
                unavailable: 0.04,
                duplicates: 0.04,
                relinked: 0.05,
                unusual_unicode: 0.1,
                artists_without_genres: 0.25,
            },
            ..LibrarySpec::default()
        },
        ..FakeConfig::default()
    }
}

async fn drive(mode: Mode, contract: &Value) -> Checker {
    let h = start_with(messy_config(mode)).await;
    let mut d = Driver {
        h: &h,
        c: Checker::new(contract, mode),
    };
    let ext = mode == Mode::ExtendedQuota;
    let lib = h.fake.library();
    let big = h.owned_playlist(260);
    let small = h.owned_playlist(12);
    let followed = h.followed_playlist();
    let user = h.user.clone();

    // --- Users and playlists lists -----------------------------------------------------
    d.expect(Method::GET, "/me", "/me", None, 200).await;
    d.all_pages("/me/playlists", &h.url("/me/playlists?limit=2"))
        .await;
    let max = d.c.param(&Method::GET, "/me/playlists", "limit")["schema"]["maximum"]
        .as_u64()
        .unwrap();
    d.expect(
        Method::GET,
        "/me/playlists",
        &format!("/me/playlists?limit={max}"),
        None,
        200,
    )
    .await;
    d.expect(
        Method::GET,
        "/me/playlists",
        &format!("/me/playlists?limit={}", max + 1),
        None,
        400,
    )
    .await;
    d.expect(
        Method::GET,
        "/me/playlists",
        "/me/playlists?limit=0",
        None,
        400,
    )
    .await;
    let users_playlists = format!("/users/{user}/playlists");
    if ext {
        d.all_pages(
            "/users/{user_id}/playlists",
            &h.url(&format!("{users_playlists}?limit=1")),
        )
        .await;
        d.expect(
            Method::GET,
            "/users/{user_id}/playlists",
            &format!("{users_playlists}?limit={}", max + 1),
            None,
            400,
        )
        .await;
    } else {
        d.expect(
            Method::GET,
            "/users/{user_id}/playlists",
            &users_playlists,
            None,
            403,
        )
        .await;
    }

    // --- Liked Songs: GET /me/tracks ------------------------------------------------------
    let liked_max = d.c.param(&Method::GET, "/me/tracks", "limit")["schema"]["maximum"]
        .as_u64()
        .unwrap();
    let saved = d
        .all_pages(
            "/me/tracks",
            &h.url(&format!("/me/tracks?limit={liked_max}")),
        )
        .await;
    let truth = lib.liked(&user);
    assert!(!truth.is_empty(), "the user has Liked Songs");
    assert_eq!(saved.len(), truth.len(), "every saved track, once");
    for (item, want) in saved.iter().zip(&truth) {
        assert_eq!(item["track"]["id"].as_str(), Some(want.track_id.as_str()));
        assert_eq!(item["added_at"].as_str(), Some(want.added_at.as_str()));
    }
    let stamps: Vec<&str> = saved
        .iter()
        .filter_map(|i| i["added_at"].as_str())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "newest first");
    let first = d
        .expect(Method::GET, "/me/tracks", "/me/tracks?limit=1", None, 200)
        .await;
    assert_eq!(first["total"].as_u64(), Some(truth.len() as u64));
    assert_eq!(first["items"].as_array().map(Vec::len), Some(1));
    assert!(
        first["next"]
            .as_str()
            .is_some_and(|n| n.contains("offset=1"))
    );
    let past_end = d
        .expect(
            Method::GET,
            "/me/tracks",
            &format!("/me/tracks?offset={}&limit=5", truth.len()),
            None,
            200,
        )
        .await;
    assert_eq!(past_end["items"].as_array().map(Vec::len), Some(0));
    assert!(past_end["next"].is_null());
    d.expect(
        Method::GET,
        "/me/tracks",
        &format!("/me/tracks?limit={}", liked_max + 1),
        None,
        400,
    )
    .await;
    d.expect(Method::GET, "/me/tracks", "/me/tracks?limit=0", None, 400)
        .await;
    // A token without `user-library-read` (a connection made before Syncer asked for it).
    let without = h.fake.mint_token_with_scopes(
        &user,
        "playlist-read-private playlist-modify-private playlist-modify-public",
    );
    let (status, body) = d
        .call_as(
            Method::GET,
            "/me/tracks",
            "/me/tracks",
            None,
            Some(&without),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["status"].as_u64(), Some(403));
    assert_eq!(
        body["error"]["message"].as_str(),
        Some("Insufficient client scope")
    );
    // Faults apply as for any endpoint (a 429 in the contract's shape).
    h.fake
        .faults()
        .on("GET /v1/me/tracks")
        .rate_limit_after(0, 1);
    d.expect(Method::GET, "/me/tracks", "/me/tracks", None, 429)
        .await;
    h.fake.faults().clear();
    d.expect(Method::GET, "/me/tracks", "/me/tracks", None, 200)
        .await;

    // --- A playlist and its items, both generations --------------------------------------
    for p in [&big, &small, &followed] {
        d.expect(
            Method::GET,
            "/playlists/{playlist_id}",
            &format!("/playlists/{p}"),
            None,
            200,
        )
        .await;
    }
    let items_max =
        d.c.param(&Method::GET, "/playlists/{playlist_id}/items", "limit")["schema"]["maximum"]
            .as_u64()
            .unwrap();
    let entries = d
        .all_pages(
            "/playlists/{playlist_id}/items",
            &h.url(&format!("/playlists/{big}/items?limit={items_max}")),
        )
        .await;
    assert_eq!(entries.len(), 260);
    // The validated pages held every kind of messy entry.
    let kinds: BTreeSet<String> = lib
        .playlist_items(&big)
        .unwrap()
        .iter()
        .map(|i| format!("{:?}", i.kind))
        .collect();
    for k in [
        ItemKind::Track,
        ItemKind::Episode,
        ItemKind::LocalFile,
        ItemKind::Unavailable,
    ] {
        assert!(
            kinds.contains(&format!("{k:?}")),
            "the validated playlist holds {k:?}"
        );
    }
    d.expect(
        Method::GET,
        "/playlists/{playlist_id}/items",
        &format!("/playlists/{big}/items?limit={}", items_max + 1),
        None,
        400,
    )
    .await;
    d.expect(
        Method::GET,
        "/playlists/{playlist_id}/items",
        &format!("/playlists/{big}/items?limit=0"),
        None,
        400,
    )
    .await;
    d.expect(
        Method::GET,
        "/playlists/{playlist_id}/items",
        &format!("/playlists/{followed}/items"),
        None,
        403,
    )
    .await;
    let tracks_max =
        d.c.param(&Method::GET, "/playlists/{playlist_id}/tracks", "limit")["schema"]["maximum"]
            .as_u64()
            .unwrap();
    if ext {
        let legacy = d
            .all_pages(
                "/playlists/{playlist_id}/tracks",
                &h.url(&format!("/playlists/{big}/tracks?limit={tracks_max}")),
            )
            .await;
        assert_eq!(legacy.len(), 260);
        d.expect(
            Method::GET,
            "/playlists/{playlist_id}/tracks",
            &format!("/playlists/{big}/tracks?limit={}", tracks_max + 1),
            None,
            400,
        )
        .await;
    } else {
        d.expect(
            Method::GET,
            "/playlists/{playlist_id}/tracks",
            &format!("/playlists/{big}/tracks"),
            None,
            403,
        )
        .await;
    }

    // --- Catalog ---------------------------------------------------------------------------
    let track_ids = lib.track_ids();
    let relinked = track_ids
        .iter()
        .find(|t| lib.track(t).unwrap().linked_from.is_some())
        .expect("a relinked track")
        .clone();
    for t in [&track_ids[0], &track_ids[1], &relinked] {
        d.expect(
            Method::GET,
            "/tracks/{id}",
            &format!("/tracks/{t}"),
            None,
            200,
        )
        .await;
    }
    let album_ids = lib.album_ids();
    let mut precisions = BTreeSet::new();
    for a in &album_ids {
        let info = lib.album(a).unwrap();
        if precisions.insert(info.release_date_precision.clone()) {
            d.expect(
                Method::GET,
                "/albums/{id}",
                &format!("/albums/{a}"),
                None,
                200,
            )
            .await;
        }
    }
    assert_eq!(
        precisions.len(),
        3,
        "year, month and day precision were validated"
    );
    let artist_ids = lib.artist_ids();
    let bare = artist_ids
        .iter()
        .find(|a| lib.artist(a).unwrap().genres.is_empty())
        .unwrap();
    let rich = artist_ids
        .iter()
        .find(|a| !lib.artist(a).unwrap().genres.is_empty())
        .unwrap();
    for a in [bare, rich] {
        d.expect(
            Method::GET,
            "/artists/{id}",
            &format!("/artists/{a}"),
            None,
            200,
        )
        .await;
    }
    d.expect(
        Method::GET,
        "/episodes/{id}",
        &format!("/episodes/{}", lib.episode_ids()[0]),
        None,
        200,
    )
    .await;
    d.expect(
        Method::GET,
        "/tracks/{id}",
        &format!("/tracks/{}", "0".repeat(22)),
        None,
        404,
    )
    .await;

    for (template, ids) in [
        ("/tracks", &track_ids),
        ("/artists", &artist_ids),
        ("/albums", &album_ids),
    ] {
        let param = d.c.param(&Method::GET, template, "ids");
        let limit = declared_maximum(param["schema"]["description"].as_str().unwrap());
        let at_limit = format!("{template}?ids={}", ids[..limit].join(","));
        let over = format!("{template}?ids={}", ids[..limit + 1].join(","));
        if ext {
            let body = d.expect(Method::GET, template, &at_limit, None, 200).await;
            let key = template.trim_start_matches('/');
            assert_eq!(body[key].as_array().unwrap().len(), limit);
            d.expect(Method::GET, template, &over, None, 400).await;
        } else {
            d.expect(Method::GET, template, &at_limit, None, 403).await;
        }
    }

    // --- Writes ----------------------------------------------------------------------------
    let created = d
        .expect(
            Method::POST,
            "/me/playlists",
            "/me/playlists",
            Some(json!({"name": "Contract ✓", "public": false})),
            201,
        )
        .await;
    let new_id = created["id"].as_str().unwrap().to_owned();
    let post_limit = declared_maximum(
        d.c.param(&Method::POST, "/playlists/{playlist_id}/items", "uris")["schema"]["description"]
            .as_str()
            .unwrap(),
    );
    let uris: Vec<String> = track_ids[..post_limit + 1]
        .iter()
        .map(|t| format!("spotify:track:{t}"))
        .collect();
    let items_path = format!("/playlists/{new_id}/items");
    let added = d
        .expect(
            Method::POST,
            "/playlists/{playlist_id}/items",
            &items_path,
            Some(json!({"uris": uris[..post_limit]})),
            201,
        )
        .await;
    d.expect(
        Method::POST,
        "/playlists/{playlist_id}/items",
        &items_path,
        Some(json!({"uris": uris})),
        400,
    )
    .await;
    let episode = format!("spotify:episode:{}", lib.episode_ids()[0]);
    d.expect(
        Method::POST,
        "/playlists/{playlist_id}/items",
        &items_path,
        Some(json!({"uris": [episode], "position": 0})),
        201,
    )
    .await;
    let remove: Vec<Value> = uris[..3].iter().map(|u| json!({"uri": u})).collect();
    d.expect(
        Method::DELETE,
        "/playlists/{playlist_id}/items",
        &items_path,
        Some(json!({"items": remove, "snapshot_id": added["snapshot_id"]})),
        200,
    )
    .await;
    let too_many: Vec<Value> = uris.iter().map(|u| json!({"uri": u})).collect();
    d.expect(
        Method::DELETE,
        "/playlists/{playlist_id}/items",
        &items_path,
        Some(json!({"items": too_many})),
        400,
    )
    .await;
    d.expect(
        Method::PUT,
        "/playlists/{playlist_id}/items",
        &items_path,
        Some(json!({"uris": uris[..post_limit]})),
        200,
    )
    .await;
    d.expect(
        Method::PUT,
        "/playlists/{playlist_id}/items",
        &items_path,
        Some(json!({"uris": uris})),
        400,
    )
    .await;
    d.expect(
        Method::PUT,
        "/playlists/{playlist_id}/items",
        &items_path,
        Some(json!({"range_start": 0, "insert_before": 5, "range_length": 2})),
        200,
    )
    .await;
    d.expect(
        Method::PUT,
        "/playlists/{playlist_id}",
        &format!("/playlists/{new_id}"),
        Some(json!({"name": "Renamed"})),
        200,
    )
    .await;
    d.expect(
        Method::GET,
        "/playlists/{playlist_id}",
        &format!("/playlists/{new_id}"),
        None,
        200,
    )
    .await;
    d.expect(
        Method::POST,
        "/playlists/{playlist_id}/items",
        &format!("/playlists/{followed}/items"),
        Some(json!({"uris": uris[..1]})),
        403,
    )
    .await;
    let tracks_path = format!("/playlists/{new_id}/tracks");
    if ext {
        d.expect(
            Method::POST,
            "/playlists/{playlist_id}/tracks",
            &tracks_path,
            Some(json!({"uris": uris[..2]})),
            201,
        )
        .await;
        d.expect(
            Method::PUT,
            "/playlists/{playlist_id}/tracks",
            &tracks_path,
            Some(json!({"uris": uris[..4]})),
            200,
        )
        .await;
        d.expect(
            Method::DELETE,
            "/playlists/{playlist_id}/tracks",
            &tracks_path,
            Some(json!({"tracks": [{"uri": uris[0]}]})),
            200,
        )
        .await;
        d.expect(
            Method::POST,
            "/users/{user_id}/playlists",
            &users_playlists,
            Some(json!({"name": "Legacy"})),
            201,
        )
        .await;
    } else {
        d.expect(
            Method::POST,
            "/playlists/{playlist_id}/tracks",
            &tracks_path,
            Some(json!({"uris": uris[..2]})),
            403,
        )
        .await;
        d.expect(
            Method::PUT,
            "/playlists/{playlist_id}/tracks",
            &tracks_path,
            Some(json!({"uris": uris[..2]})),
            403,
        )
        .await;
        d.expect(
            Method::DELETE,
            "/playlists/{playlist_id}/tracks",
            &tracks_path,
            Some(json!({"tracks": [{"uri": uris[0]}]})),
            403,
        )
        .await;
        d.expect(
            Method::POST,
            "/users/{user_id}/playlists",
            &users_playlists,
            Some(json!({"name": "Legacy"})),
            403,
        )
        .await;
    }

    // --- Failures: 401 and 429 in the contract's shapes ------------------------------------
    let (status, _) = d.call_as(Method::GET, "/me", "/me", None, None).await;
    assert_eq!(status, 401);
    let (status, _) = d
        .call_as(
            Method::GET,
            "/playlists/{playlist_id}/items",
            &format!("/playlists/{big}/items"),
            None,
            Some("expired-or-bogus"),
        )
        .await;
    assert_eq!(status, 401);
    h.fake.faults().rate_limit_every(1, 3);
    d.expect(
        Method::GET,
        "/playlists/{playlist_id}/items",
        &format!("/playlists/{big}/items"),
        None,
        429,
    )
    .await;
    d.expect(
        Method::GET,
        "/tracks/{id}",
        &format!("/tracks/{}", track_ids[0]),
        None,
        429,
    )
    .await;
    h.fake.faults().clear();

    d.c
}

#[tokio::test]
async fn every_response_matches_the_contract_in_both_modes() {
    let contract = load_contract();
    let mut report = String::new();
    let mut failures = Vec::new();
    for mode in [Mode::DevelopmentMode, Mode::ExtendedQuota] {
        let checker = drive(mode, &contract).await;
        report.push_str(&format!(
            "{mode:?}: {} operation/status pairs\n",
            checker.covered.len()
        ));
        for (k, n) in &checker.covered {
            report.push_str(&format!("  {k} ×{n}\n"));
        }
        report.push_str(&format!(
            "  validated against generic error responses: {:?}\n",
            checker.undeclared
        ));
        failures.extend(checker.failures);
    }
    println!("{report}");
    assert!(
        failures.is_empty(),
        "{} responses broke the contract:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_reality_patches_are_needed() {
    // If the contract ever allows these itself, the patches (and this test) should go.
    let contract = load_contract();
    let item = &contract["components"]["schemas"]["PlaylistTrackObject"]["properties"]["item"];
    assert!(
        item.get("nullable").is_none(),
        "the contract now allows a null item"
    );
    let required = contract["components"]["schemas"]["AlbumObject"]["required"]
        .as_array()
        .unwrap();
    assert!(required.contains(&json!("label")) && required.contains(&json!("popularity")));
}

#[test]
fn conversion_handles_nullable() {
    assert_eq!(
        convert(&json!({"type": "string", "nullable": true})),
        json!({"type": ["string", "null"]})
    );
    assert_eq!(
        convert(&json!({"allOf": [{"$ref": "#/x"}], "nullable": true})),
        json!({"anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]})
    );
}

#[test]
fn the_validator_catches_broken_bodies() {
    // Guards against a validator that accepts everything (a broken $ref root, say).
    let contract = load_contract();
    let mut c = Checker::new(&contract, Mode::ExtendedQuota);
    c.check(
        &Method::GET,
        "/tracks/{id}",
        200,
        &json!({"type": "track", "id": 5}),
        1,
    );
    assert_eq!(c.failures.len(), 1, "a numeric id is caught");
    c.check(&Method::GET, "/albums/{id}", 200, &json!({"id": "x"}), 1);
    assert_eq!(
        c.failures.len(),
        2,
        "an album without its required fields is caught"
    );
    let page = json!({
        "href": "h", "limit": 1, "next": null, "offset": 0, "previous": null, "total": 1,
        "items": [{"is_local": false, "item": {"type": "track", "id": null, "is_local": false}}]
    });
    c.check(
        &Method::GET,
        "/playlists/{playlist_id}/items",
        200,
        &page,
        1,
    );
    assert_eq!(
        c.failures.len(),
        3,
        "a null id outside a local file is caught"
    );
    c.check(
        &Method::GET,
        "/me",
        401,
        &json!({"error": {"status": 401}}),
        1,
    );
    assert_eq!(c.failures.len(), 4, "an error without a message is caught");
}
