//! The routes and the layer every request passes: rate rule, scripted faults, User-Agent and
//! format checks, latency, logging. JSON is written here in MusicBrainz's documented shapes
//! (independently of the client's types, so the client is checked against them).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::catalog::{MbArtist, MbRecording, fold_words};
use crate::{Logged, Shared};

type S = State<Arc<Shared>>;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ws/2/isrc/{isrc}", get(isrc))
        .route("/ws/2/recording", get(search_recordings))
        .route("/ws/2/artist/{mbid}", get(artist))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), observe))
        .with_state(shared)
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error": message,
            "help": "For usage, please see: https://musicbrainz.org/development/mmd"
        })),
    )
        .into_response()
}

fn with_retry_after(mut r: Response, secs: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found")
}

async fn observe(State(s): S, req: Request, next: Next) -> Response {
    let arrived = Instant::now();
    let at = s.since_start();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("<unmatched>", MatchedPath::as_str)
        .to_owned();
    let endpoint = format!("{} {route}", req.method());
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .filter(|ua| !ua.trim().is_empty());
    let wants_json = query.as_deref().is_some_and(|q| q.contains("fmt=json"))
        || req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("application/json"));
    let mut refused = None;
    let response = if !s.admit(arrived) {
        refused = Some("rate_limit");
        let secs = s
            .config
            .rate
            .map_or(1, |r| r.interval.as_secs_f64().ceil() as u64)
            .max(1);
        with_retry_after(
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Your requests are exceeding the allowable rate limit. Please see \
                 https://wiki.musicbrainz.org/XMLWebService for more information.",
            ),
            secs,
        )
    } else if let Some((status, retry_after)) = s.take_fault() {
        refused = Some("fail");
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let r = error(status, "The stand-in was told to fail this request.");
        match retry_after {
            Some(secs) => with_retry_after(r, secs),
            None => r,
        }
    } else if user_agent.is_none() {
        // MusicBrainz blocks anonymous clients: it asks every application to identify itself.
        error(
            StatusCode::FORBIDDEN,
            "Please identify your application with a meaningful User-Agent \
             (https://musicbrainz.org/doc/MusicBrainz_API/Rate_Limiting)",
        )
    } else if !wants_json {
        error(
            StatusCode::NOT_ACCEPTABLE,
            "This stand-in speaks JSON only: add fmt=json or Accept: application/json",
        )
    } else {
        if let Some(latency) = s.config.latency {
            tokio::time::sleep(latency).await;
        }
        next.run(req).await
    };
    s.record(Logged {
        at,
        endpoint,
        path,
        query,
        status: response.status().as_u16(),
        user_agent,
        refused,
    });
    response
}

/// Which `inc=` parts were asked for (`+`-separated, as MusicBrainz takes them).
fn includes(params: &HashMap<String, String>) -> Vec<String> {
    params
        .get("inc")
        .map(|i| {
            i.split(['+', ' '])
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn artist_ref(a: &MbArtist) -> Value {
    json!({
        "id": a.mbid,
        "name": a.name,
        "sort-name": a.sort_name,
        "disambiguation": "",
        "type": a.kind,
    })
}

fn votes(list: &[(String, i32)], with_ids: bool) -> Value {
    Value::Array(
        list.iter()
            .map(|(name, count)| {
                if with_ids {
                    json!({"id": crate::mbid(0, "genre", name), "name": name, "count": count,
                           "disambiguation": ""})
                } else {
                    json!({"name": name, "count": count})
                }
            })
            .collect(),
    )
}

fn recording_json(s: &Shared, r: &MbRecording, inc: &[String], score: Option<u32>) -> Value {
    let cat = &s.catalog;
    let has = |p: &str| inc.iter().any(|i| i == p);
    let release = &cat.releases[r.release];
    let mut v = json!({
        "id": r.mbid,
        "title": r.title,
        "length": r.length,
        "disambiguation": r.disambiguation,
        "video": false,
        "first-release-date": release.date,
    });
    if let Some(score) = score {
        v["score"] = json!(score);
    }
    // Searches always show the credit; lookups when asked (`artists` or `artist-credits`).
    if score.is_some() || has("artists") || has("artist-credits") {
        let n = r.artists.len();
        v["artist-credit"] = Value::Array(
            r.artists
                .iter()
                .enumerate()
                .map(|(i, &a)| {
                    let artist = &cat.artists[a];
                    json!({
                        "name": artist.name,
                        "joinphrase": if i + 1 < n { " feat. " } else { "" },
                        "artist": artist_ref(artist),
                    })
                })
                .collect(),
        );
    }
    if score.is_some() || has("releases") {
        let mut rel = json!({
            "id": release.id,
            "title": release.title,
            "status": "Official",
            "date": release.date,
            "country": release.country,
        });
        if score.is_some() || has("release-groups") {
            rel["release-group"] = json!({
                "id": release.group_id,
                "title": release.title,
                "primary-type": release.primary_type,
                "secondary-types": release.secondary_types,
                "first-release-date": release.date,
            });
        }
        v["releases"] = json!([rel]);
    }
    if has("isrcs") {
        v["isrcs"] = json!(r.isrcs);
    }
    // Genres and tags of the recording itself (MusicBrainz's are sparse: none here).
    if has("genres") {
        v["genres"] = json!([]);
    }
    if has("tags") {
        v["tags"] = json!([]);
    }
    v
}

async fn isrc(
    State(s): S,
    Path(code): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let valid = code.len() == 12 && code.chars().all(|c| c.is_ascii_alphanumeric());
    if !valid {
        return error(StatusCode::BAD_REQUEST, "Invalid isrc.");
    }
    let inc = includes(&params);
    let Some(found) = s.catalog.by_isrc.get(&code) else {
        return not_found().await;
    };
    let recordings: Vec<Value> = found
        .iter()
        .map(|&i| recording_json(&s, &s.catalog.recordings[i], &inc, None))
        .collect();
    axum::Json(json!({"isrc": code, "recordings": recordings})).into_response()
}

async fn artist(
    State(s): S,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(&i) = s.catalog.by_mbid.get(&id) else {
        return not_found().await;
    };
    let a = &s.catalog.artists[i];
    let inc = includes(&params);
    let mut v = artist_ref(a);
    v["country"] = json!(a.country);
    v["life-span"] = json!({"begin": null, "end": null, "ended": false});
    if inc.iter().any(|p| p == "genres") {
        v["genres"] = votes(&a.genres, true);
    }
    if inc.iter().any(|p| p == "tags") {
        v["tags"] = votes(&a.tags, false);
    }
    axum::Json(v).into_response()
}

/// The value of `field:"phrase"` (or `field:word`) in a Lucene query.
fn field(query: &str, name: &str) -> Option<String> {
    let start = query.find(&format!("{name}:"))? + name.len() + 1;
    let rest = &query[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => out.extend(chars.next()),
                '"' => return Some(out),
                _ => out.push(c),
            }
        }
        Some(out)
    } else {
        Some(
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_owned(),
        )
    }
}

fn words_contain(have: &str, want: &str) -> bool {
    let have: Vec<&str> = have.split(' ').collect();
    want.split(' ').all(|w| have.contains(&w))
}

async fn search_recordings(State(s): S, Query(params): Query<HashMap<String, String>>) -> Response {
    let Some(query) = params.get("query").filter(|q| !q.trim().is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "Missing required parameter: query");
    };
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(25)
        .clamp(1, 100);
    let title = field(query, "recording").map(|t| fold_words(&t));
    let artist = field(query, "artist").map(|a| fold_words(&a));
    let cat = &s.catalog;
    let mut hits: Vec<(u32, usize)> = cat
        .recordings
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let title_ok = title
                .as_deref()
                .is_none_or(|t| !t.is_empty() && words_contain(&r.folded, t));
            let artist_ok = artist.as_deref().is_none_or(|a| {
                r.artists
                    .iter()
                    .any(|&x| words_contain(&cat.artists[x].folded, a))
            });
            (title_ok && artist_ok).then(|| {
                let exact = title.as_deref() == Some(r.folded.as_str());
                (if exact { 100 } else { 80 }, i)
            })
        })
        .collect();
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let count = hits.len();
    let recordings: Vec<Value> = hits
        .into_iter()
        .take(limit)
        .map(|(score, i)| recording_json(&s, &cat.recordings[i], &[], Some(score)))
        .collect();
    axum::Json(json!({
        "created": "2026-01-01T00:00:00.000Z",
        "count": count,
        "offset": 0,
        "recordings": recordings,
    }))
    .into_response()
}
