//! Preview, sync, cancel, undo and history.

use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use syncer_app::ErrorKind;
use syncer_app::links::{PageOf, ServicePage};
use syncer_app::sync::HistoryQuery;
use syncer_core::engine::{Progress, ProgressSink, SyncReport, SyncStatus};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId};
use tokio_util::sync::CancellationToken;

use super::output;
use crate::app::App;
use crate::exit::{CANCELLED, CliError, NOT_FOUND, OK, SYNC_FAILED};
use crate::render;

pub async fn preview(app: &App, base: &str) -> anyhow::Result<u8> {
    let record = app.base(base).await?;
    let p = app.preview(&record.id).await?;
    output(app, &p, || render::preview(&record.name, &p));
    Ok(OK)
}

fn progress_bar(json: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(
        Some(1),
        if json {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {msg:<24} [{bar:30}] {pos}/{len} {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Syncs one base with a progress bar; Ctrl-C or `syncer cancel` stop it at a safe point.
pub async fn run_sync(app: &App, base: &BasePlaylistId, force: bool) -> anyhow::Result<SyncReport> {
    let bar = progress_bar(app.json);
    let sink_bar = bar.clone();
    let progress: ProgressSink = Arc::new(move |p: &Progress| {
        sink_bar.set_message(p.stage.label());
        // Per-child batches run side by side; the bar follows the overall count.
        if p.child.is_none() {
            sink_bar.set_length(p.total.max(1));
            sink_bar.set_position(p.done);
        }
    });
    let cancel = CancellationToken::new();
    let ctrl_c = {
        let cancel = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("\ncancelling at the next safe point…");
                cancel.cancel();
            }
        })
    };
    let result = syncer_app::sync::run_sync(app, base, force, Some(progress), cancel).await;
    ctrl_c.abort();
    bar.finish_and_clear();
    Ok(result?)
}

pub async fn sync(app: &App, base: Option<&str>, all: bool, force: bool) -> anyhow::Result<u8> {
    let bases: Vec<BasePlaylistId> = match (base, all) {
        (Some(b), _) => vec![app.base(b).await?.id],
        (None, true) => app.base_ids().await?,
        (None, false) => {
            return Err(CliError::new(
                crate::exit::USAGE,
                "name a base (`syncer base list`) or pass --all",
            )
            .into());
        }
    };
    if bases.is_empty() {
        return Err(CliError::new(NOT_FOUND, "no base yet: `syncer base add PLAYLIST`").into());
    }
    let mut reports = Vec::new();
    let mut code = OK;
    for id in &bases {
        let report = run_sync(app, id, force).await?;
        let name = app.base(id.as_str()).await?.name;
        if !app.json {
            print!("{}", render::sync_summary(&name, &report));
        }
        code = code.max(match report.status {
            SyncStatus::Completed | SyncStatus::InProgress => OK,
            SyncStatus::Failed => SYNC_FAILED,
            SyncStatus::Cancelled => CANCELLED,
        });
        reports.push(report);
    }
    if app.json {
        output(app, &reports, String::new);
    }
    Ok(code)
}

pub async fn cancel(app: &App, base: &str) -> anyhow::Result<u8> {
    let record = app.base(base).await?;
    app.cancel_sync(&record.id).await?;
    output(app, &json!({"cancel_requested": record.id}), || {
        format!(
            "asked the running sync of {} to stop at its next safe point\n",
            record.name
        )
    });
    Ok(OK)
}

pub async fn undo(app: &App, base: &str, drop_added_by_hand: bool) -> anyhow::Result<u8> {
    let outcome = app
        .undo(&BasePlaylistId::new(base), drop_added_by_hand)
        .await?;
    let report = &outcome.report;
    output(app, report, || {
        let mut s = format!(
            "restored the children of {} as they were before sync {}:\n",
            outcome.base_name, report.event
        );
        for c in &report.children {
            let name = outcome
                .child_names
                .get(&c.child)
                .map_or_else(|| c.child.to_string(), Clone::clone);
            s.push_str(&format!(
                "  {name}: {}",
                render::count(c.tracks, "track", "tracks")
            ));
            if c.kept_added_by_hand > 0 {
                s.push_str(&format!(
                    " ({} you added by hand since the sync kept; `--drop-added-by-hand` takes \
                     them out too)",
                    render::count(c.kept_added_by_hand, "track", "tracks")
                ));
            }
            s.push('\n');
        }
        s
    });
    Ok(OK)
}

pub async fn history(app: &App, base: Option<&str>, limit: u32) -> anyhow::Result<u8> {
    let items = app
        .history(&HistoryQuery {
            base: base.map(BasePlaylistId::new),
            status: None,
            limit: Some(limit),
        })
        .await?;
    // Newest first, each interrupted sync right after the run that completed it.
    let value: Vec<_> = items
        .iter()
        .flat_map(|i| std::iter::once(i).chain(i.completes.iter()))
        .map(|i| {
            let e = &i.event;
            json!({"id": e.id, "base": e.base, "base_name": i.base_name, "status": e.status,
                   "started_at": e.started_at, "started_local": i.started_local,
                   "finished_at": e.finished_at, "finished_local": i.finished_local,
                   "undone": e.undone, "error": e.error,
                   "undo_of": e.undo_of, "completed_by": e.completed_by, "report": e.report})
        })
        .collect();
    output(app, &value, || render::history(&items));
    Ok(OK)
}

/// `syncer link`: the service page of a base, a child, or a track of either's base.
pub async fn link(app: &App, thing: &str, track: Option<String>) -> anyhow::Result<u8> {
    // A base by its id (or `liked`), else a child.
    let base = match app.base(thing).await {
        Ok(record) => Some(record.id),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let what = match (base, track) {
        (Some(base), None) => PageOf::Base {
            base: base.to_string(),
        },
        (Some(base), Some(track)) => PageOf::Track {
            base: base.to_string(),
            track,
        },
        (None, None) => PageOf::Child {
            child: thing.to_owned(),
        },
        (None, Some(track)) => PageOf::Track {
            base: app
                .child(&ChildPlaylistId::new(thing))
                .await?
                .base
                .to_string(),
            track,
        },
    };
    let page = app.page_of(&what).await?;
    match &page {
        ServicePage::Web { url } => {
            output(app, &json!({"url": url}), || format!("{url}\n"));
            Ok(OK)
        }
        ServicePage::None { reason } => {
            Err(CliError::new(NOT_FOUND, format!("no link: {}", reason.message())).into())
        }
    }
}
