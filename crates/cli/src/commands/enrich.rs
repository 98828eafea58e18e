//! `syncer enrich`: how much of the bases' genres is known, and (with `--wait`) filling the
//! rest from MusicBrainz now, at its pace, with a progress bar. Ctrl-C stops at once; what was
//! fetched stays, and the next run goes on from there. Also the lines the sync summary and
//! the preview print about open metadata.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use syncer_app::genres::{EnrichRun, EnrichStatus};
use syncer_core::ids::{BasePlaylistId, ConnectionId};
use syncer_core::metadata::{EnrichProgress, MetadataCoverage};
use tokio_util::sync::CancellationToken;

use super::output;
use crate::app::App;
use crate::exit::{CANCELLED, OK, SYNC_IN_PROGRESS};
use crate::render::coverage_line;

fn status_text(s: &EnrichStatus) -> String {
    let mut out = String::new();
    if !s.enabled {
        out.push_str(
            "Open metadata is off (SYNCER_MUSICBRAINZ_URL=off): genres come only from the \
             service and from your own tags (`syncer genres`).\n",
        );
        return out;
    }
    let _ = writeln!(
        out,
        "MusicBrainz ({}; a demo connection asks its own stand-in): {} artists found, {} not \
         found, {} ambiguous, {} linked and waiting for their genres; {} queued ({} due now), \
         one request every {} ms.",
        s.source_url.as_deref().unwrap_or("-"),
        s.artists.found,
        s.artists.not_found,
        s.artists.ambiguous,
        s.artists.linked,
        s.queued,
        s.due,
        s.interval_ms
    );
    let _ = writeln!(out, "Your own genres: {} artists.", s.my_genres);
    out
}

fn run_text(run: &EnrichRun) -> String {
    if run.busy {
        return "Another Syncer (the app or `syncer watch`) is looking genres up already; \
                asking too would double MusicBrainz's pace. Let it finish (`syncer enrich` \
                shows how far it got), or stop it and run this again.\n"
            .to_owned();
    }
    let t = &run.total;
    format!(
        "Asked MusicBrainz {} times: {} artists settled ({} found, {} not found, {} \
         ambiguous){}{}.\n",
        t.requests,
        t.settled,
        t.found,
        t.not_found,
        t.ambiguous,
        if t.failures > 0 {
            format!(", {} failures waited out", t.failures)
        } else {
            String::new()
        },
        if run.cancelled {
            "; stopped before the end: run it again to go on where it stopped"
        } else {
            ""
        }
    )
}

fn bar(json: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(1),
        if json {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} looking up artists [{bar:30}] {pos}/{len} {msg} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// The coverage of each base (or the one named) whose filters read genres, queueing what is
/// missing on the way.
async fn coverage(
    app: &App,
    bases: &[(BasePlaylistId, String, ConnectionId)],
) -> anyhow::Result<Vec<(BasePlaylistId, String, Vec<MetadataCoverage>)>> {
    let mut out = Vec::new();
    for (id, name, _) in bases {
        let lines = app.metadata_coverage(id).await?;
        if !lines.is_empty() {
            out.push((id.clone(), name.clone(), lines));
        }
    }
    Ok(out)
}

fn coverage_text(list: &[(BasePlaylistId, String, Vec<MetadataCoverage>)]) -> String {
    let mut out = String::new();
    if list.is_empty() {
        out.push_str("No base has a child whose filter reads genres.\n");
    }
    for (_, name, lines) in list {
        for c in lines {
            let _ = writeln!(out, "{name}: {}", coverage_line(c));
        }
    }
    out
}

/// Fills the queue to the end (or until Ctrl-C) with a progress bar.
pub async fn fill(app: &App, only: Option<&ConnectionId>) -> anyhow::Result<EnrichRun> {
    let bar = bar(app.json);
    let sink_bar = bar.clone();
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nstopping: what was fetched is kept");
            stop.cancel();
        }
    });
    let sink = Arc::new(move |p: &EnrichProgress| {
        sink_bar.set_length(p.settled + p.queued);
        sink_bar.set_position(p.settled);
        sink_bar.set_message(format!("{} requests", p.requests));
    });
    let run = app.enrich(only, &cancel, Some(sink)).await;
    ctrl_c.abort();
    bar.finish_and_clear();
    Ok(run?)
}

pub async fn enrich(app: &App, base: Option<&str>, wait: bool) -> anyhow::Result<u8> {
    let records = match base {
        Some(b) => vec![app.base(b).await?],
        None => app.bases().await?.into_iter().map(|b| b.base).collect(),
    };
    let bases: Vec<(BasePlaylistId, String, ConnectionId)> = records
        .into_iter()
        .map(|b| (b.id, b.name, b.connection))
        .collect();
    let only = match base {
        Some(_) => bases.first().map(|(_, _, c)| c.clone()),
        None => None,
    };
    let before = coverage(app, &bases).await?;
    let status = app.enrichment_status().await?;
    if !wait {
        let value = json!({"status": status, "bases": before.iter().map(|(id, name, c)| {
            json!({"base": id, "name": name, "coverage": c})
        }).collect::<Vec<_>>()});
        output(app, &value, || {
            let mut s = coverage_text(&before);
            s.push_str(&status_text(&status));
            if status.enabled && status.queued > 0 {
                s.push_str(
                    "Fill it now with `syncer enrich --wait` (Ctrl-C stops; it goes on where it \
                     stopped), or leave `syncer watch` running to fill it in the background.\n",
                );
            }
            s
        });
        return Ok(OK);
    }
    if !app.json {
        print!("{}", coverage_text(&before));
    }
    let run = fill(app, only.as_ref()).await?;
    let after = coverage(app, &bases).await?;
    let value = json!({"run": run, "bases": after.iter().map(|(id, name, c)| {
        json!({"base": id, "name": name, "coverage": c})
    }).collect::<Vec<_>>()});
    output(app, &value, || {
        let mut s = run_text(&run);
        s.push_str(&coverage_text(&after));
        if !run.cancelled {
            s.push_str("Sync to route with what is now known: `syncer sync --all`.\n");
        }
        s
    });
    Ok(if run.busy {
        SYNC_IN_PROGRESS
    } else if run.cancelled {
        CANCELLED
    } else {
        OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{about, thousands};
    use std::collections::BTreeMap;
    use syncer_core::filter::Field;
    use syncer_core::metadata::CoverageKind;
    use syncer_core::metadata::SourceKind;

    #[test]
    fn coverage_reads_like_the_issue_says() {
        let c = MetadataCoverage {
            kind: CoverageKind::ArtistGenres,
            fields: vec![Field::Genre],
            total: 2_000,
            known: 1_812,
            filling: 150,
            unknown: 38,
            by_source: BTreeMap::from([(SourceKind::MusicBrainz, 1_800), (SourceKind::User, 12)]),
            source: Some(SourceKind::MusicBrainz),
            requests_left: 290,
        };
        assert_eq!(
            coverage_line(&c),
            "genre known for 1,812 of 2,000 artists (yours 12, MusicBrainz 1,800); 150 still \
             filling from MusicBrainz (about 5 min at 1 request/s); 38 no source knows"
        );
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(about(7_500), "about 2 h 5 min");
    }
}
