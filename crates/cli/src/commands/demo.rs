//! `syncer demo`: the headless first experience. No account, no network: the stand-in runs
//! in this process on 127.0.0.1 with a generated library.

use serde_json::json;

use syncer_app::DemoMode;
use syncer_app::metadata::metadata_settings;

use super::run_sync;
use crate::app::{App, DemoSpec};
use crate::cli::DemoArgs;
use crate::exit::OK;
use crate::render;

pub async fn run(app: &App, args: &DemoArgs) -> anyhow::Result<u8> {
    let spec = DemoSpec {
        seed: args.seed,
        mode: args.mode.into(),
        tracks: args.tracks,
    };
    let setup = app.set_up_demo(spec).await?;
    let connection = setup.connection.clone();
    let base_id = setup.base.id.clone();
    let children: Vec<_> = setup
        .children
        .iter()
        .map(|c| (c.id.clone(), c.name.clone(), c.query.clone()))
        .collect();
    let first = run_sync(app, &base_id, false).await?;
    // Development Mode gets no genres from Spotify: MusicBrainz (here its stand-in, generous
    // with its pace) fills them, and the next sync routes with what it found.
    let enriched = if spec.mode == DemoMode::Development
        && metadata_settings(&app.config().metadata).open_genres
    {
        let run = super::enrich::fill(app, Some(&connection)).await?;
        let after = run_sync(app, &base_id, false).await?;
        Some((run, after))
    } else {
        None
    };
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
        let mut value = json!({"connection": connection, "base": base_id, "children": went,
                           "first_sync": first, "second_sync": second});
        if let Some((run, after)) = &enriched {
            value["enrichment"] = json!(run);
            value["after_enrichment"] = json!(after);
        }
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
        setup.base.name,
        setup.base_entries,
        children.len()
    );
    print!("{}", render::sync_summary("First sync", &first));
    if let Some((run, after)) = &enriched {
        let mb = app
            .musicbrainz_stand_in(&connection)
            .await
            .map(|m| m.base_url())
            .unwrap_or_default();
        println!(
            "\nDevelopment Mode: Spotify sends no genres, so the genre children waited. Syncer \
             looked them up on a stand-in for MusicBrainz at {mb} (the real one gets one \
             request a second): {} requests, {} artists found, {} not found or ambiguous.\n",
            run.total.requests,
            run.total.found,
            run.total.not_found + run.total.ambiguous
        );
        print!(
            "{}",
            render::sync_summary("Sync with the genres found", after)
        );
    }
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
         with the base unchanged made {} and wrote nothing.",
        first.requests.total(),
        first.write_requests(),
        first.duration_ms as f64 / 1000.0,
        crate::render::count(second.requests.total(), "request", "requests")
    );
    println!(
        "\nNext: `syncer preview {base_id}`, `syncer history`, `syncer undo {base_id}`.\n\
         The demo library lives in memory: each command that uses it starts the stand-in again\n\
         with the same seed and recreates the children, so `syncer sync {base_id}` starts from\n\
         empty children each time."
    );
    Ok(OK)
}
