//! `syncer demo`: the headless first experience. No account, no network: the stand-in runs
//! in this process on 127.0.0.1 with a generated library.

use serde_json::json;
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId};
use syncer_core::provider::{MusicProvider, NewPlaylist};
use syncer_store::{NewBase, NewChild};

use crate::app::{App, DemoSpec};
use crate::cli::DemoArgs;
use crate::commands::{connect_demo, parse_query, run_sync};
use crate::exit::{CliError, OK, SERVICE};
use crate::render;

/// The demo's children: sensible filters over the generated genres and years.
pub const DEMO_CHILDREN: [(&str, &str); 5] = [
    ("Rock & Metal", "genre:rock OR genre:metal OR genre:punk"),
    (
        "Electronic",
        "genre:electronic OR genre:house OR genre:techno",
    ),
    (
        "Hip hop & R&B",
        "genre:\"hip hop\" OR genre:rap OR genre:\"r&b\"",
    ),
    ("Fresh (2020s)", "year:>=2020"),
    ("Classics (before 2000)", "year:<2000 -explicit"),
];

pub async fn run(app: &App, args: &DemoArgs) -> anyhow::Result<u8> {
    let spec = DemoSpec {
        seed: args.seed,
        mode: args.mode,
        tracks: args.tracks,
    };
    let connection = spec.connection_id();
    // A previous demo of the same library is replaced, before the stand-in starts, so the
    // new children get the first ids again.
    for b in app.store.list_bases().await? {
        if b.connection == connection {
            app.store.remove_base(&b.id).await?;
        }
    }
    connect_demo(app, spec).await?;
    let client = app.client(&connection).await?;
    let playlists = client.all_playlists().await?;
    let base = playlists
        .iter()
        .max_by_key(|p| p.total_items.unwrap_or(0))
        .ok_or_else(|| CliError::new(SERVICE, "the demo library has no playlist"))?;
    let base_id = BasePlaylistId::new(base.id.as_str());
    app.store
        .add_base(&NewBase {
            id: base_id.clone(),
            connection: connection.clone(),
            name: base.name.clone(),
        })
        .await?;
    let mut children = Vec::new();
    for (name, query) in DEMO_CHILDREN {
        let filter = parse_query(query)?;
        let created = client
            .create_playlist(&NewPlaylist {
                name: name.to_owned(),
                description: Some(format!("Managed by Syncer: {query}")),
                public: false,
                collaborative: false,
            })
            .await?;
        let id = ChildPlaylistId::new(created.id.as_str());
        app.store
            .add_child(&NewChild {
                id: id.clone(),
                base: base_id.clone(),
                name: name.to_owned(),
                query: query.to_owned(),
                filter,
                mirror: Default::default(),
                allow_empty: false,
            })
            .await?;
        crate::app::known_empty(&app.store, &created).await?;
        children.push((id, name, query));
    }
    let first = run_sync(app, &base_id, false).await?;
    let second = run_sync(app, &base_id, false).await?;

    // What went where, read from the stand-in's own truth.
    let fake = app.fake(&connection).await;
    let mut went = Vec::new();
    for (id, name, query) in &children {
        let (count, sample) = fake.as_ref().map_or((0, Vec::new()), |f| {
            let lib = f.library();
            let items = lib.playlist_items(id.as_str()).unwrap_or_default();
            let sample: Vec<String> = items
                .iter()
                .filter_map(|i| i.id.as_deref())
                .take(3)
                .filter_map(|t| lib.track(t))
                .map(|t| {
                    let artist = t
                        .artist_ids
                        .first()
                        .and_then(|a| lib.artist(a))
                        .map(|a| a.name)
                        .unwrap_or_default();
                    format!("{artist} — {}", t.name)
                })
                .collect();
            (items.len(), sample)
        });
        went.push(
            json!({"child": id, "name": name, "query": query, "tracks": count, "sample": sample}),
        );
    }
    if app.json {
        let value = json!({"connection": connection, "base": base_id, "children": went,
                           "first_sync": first, "second_sync": second});
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(OK);
    }
    let endpoint = fake.as_ref().map(|f| f.api_base()).unwrap_or_default();
    println!(
        "Syncer demo: {} on a stand-in for Spotify at {endpoint} (no account, no network).",
        spec.describe()
    );
    println!(
        "Base: \"{}\" ({} entries). Children: {}.\n",
        base.name,
        base.total_items.unwrap_or(0),
        children.len()
    );
    print!("{}", render::sync_summary("First sync", &first));
    println!("\nWhat went where:");
    for w in &went {
        println!(
            "  {} ({}): {} tracks",
            w["name"].as_str().unwrap_or(""),
            w["query"].as_str().unwrap_or(""),
            w["tracks"]
        );
        for s in w["sample"].as_array().into_iter().flatten() {
            println!("      {}", s.as_str().unwrap_or(""));
        }
    }
    println!(
        "\nCost: the first sync made {} requests ({} of them writes) in {:.2} s; a second sync \
         with the base unchanged made {} request(s) and wrote nothing.",
        first.requests.total(),
        first.write_requests(),
        first.duration_ms as f64 / 1000.0,
        second.requests.total()
    );
    println!(
        "\nNext: `syncer preview {base_id}`, `syncer history`, `syncer undo {base_id}`.\n\
         The demo library lives in memory: each command that uses it starts the stand-in again\n\
         with the same seed and recreates the children, so `syncer sync {base_id}` starts from\n\
         empty children each time."
    );
    Ok(OK)
}
