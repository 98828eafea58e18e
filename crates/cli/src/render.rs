//! Human output: tables and summaries. `--json` prints the same values as JSON instead.

use std::fmt::Write as _;

use syncer_app::detail::{ChildDetail, Why};
use syncer_app::sync::HistoryItem;
use syncer_core::engine::ChildPreview;
use syncer_core::engine::{ChildState, MirrorMode, Preview, SyncReport, SyncStatus};
use syncer_core::filter::RoutingMode;
use syncer_core::metadata::{MetadataCoverage, SourceKind};
use syncer_core::provider::RequestStats;

/// A routing mode as the CLI's `--mode` spells it.
pub fn routing_name(mode: RoutingMode) -> &'static str {
    match mode {
        RoutingMode::Independent => "independent",
        RoutingMode::FirstMatch => "first-match",
    }
}

/// A mirror mode as the CLI shows it (its wire name).
pub fn mirror_name(mode: MirrorMode) -> &'static str {
    mode.as_str()
}

/// A connection's status as its wire name (`ok`, `reconnect_needed`, …).
pub fn status_name(status: syncer_auth::Status) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `n` and the noun that goes with it: "1 request", "3 requests".
pub fn count(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A plain text table, columns padded to their widest cell; numbers right-aligned.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let numeric = |i: usize| {
        !rows.is_empty()
            && rows.iter().all(|r| {
                r.get(i)
                    .is_some_and(|c| c.parse::<f64>().is_ok() || c == "-")
            })
    };
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let mut parts = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            parts.push(if numeric(i) {
                format!("{cell:>w$}")
            } else {
                format!("{cell:<w$}")
            });
        }
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(headers.to_vec(), &mut out);
    for row in rows {
        line(row.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

fn state_name(s: ChildState) -> &'static str {
    match s {
        ChildState::Pending => "pending",
        ChildState::Writing => "PARTLY WRITTEN",
        ChildState::Written => "written",
        ChildState::Unchanged => "unchanged",
        ChildState::Held => "held",
        ChildState::Failed => "failed",
    }
}

pub fn requests_line(stats: &RequestStats) -> String {
    let parts: Vec<String> = stats
        .endpoints()
        .map(|(e, outcomes)| format!("{} {e}", outcomes.values().sum::<u64>()))
        .collect();
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts.join(", ")
    }
}

pub fn sync_summary(name: &str, r: &SyncReport) -> String {
    let mut out = String::new();
    let status = match r.status {
        SyncStatus::Completed if r.unchanged => "unchanged (nothing to do)",
        SyncStatus::Completed => "synced",
        SyncStatus::Failed => "FAILED",
        SyncStatus::Cancelled => "cancelled",
        SyncStatus::InProgress => "in progress",
    };
    let _ = writeln!(
        out,
        "{name}: {status} in {:.2} s, {} requests, cache hit rate {:.0}% ({} of {})",
        r.duration_ms as f64 / 1000.0,
        r.requests.total(),
        r.cache.hit_rate() * 100.0,
        r.cache.hits,
        r.cache.hits + r.cache.misses,
    );
    let _ = writeln!(out, "  requests: {}", requests_line(&r.requests));
    for c in &r.metadata {
        let _ = writeln!(out, "  {}", coverage_line(c));
    }
    if !r.unchanged {
        let rows: Vec<Vec<String>> = r
            .children
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.wanted.to_string(),
                    c.added.to_string(),
                    c.removed.to_string(),
                    c.kept_user_tracks.to_string(),
                    c.write_requests.to_string(),
                    state_name(c.state).to_owned(),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(
            &[
                "child",
                "wanted",
                "added",
                "removed",
                "yours kept",
                "writes",
                "state",
            ],
            &rows,
        ));
        for c in &r.children {
            if let Some(note) = &c.note {
                let _ = writeln!(out, "  {}: {note}", c.name);
            }
            if let Some(error) = &c.error {
                let _ = writeln!(out, "  {}: error: {error}", c.name);
            }
        }
        let skipped: Vec<String> = r
            .skipped
            .iter()
            .map(|s| format!("{} × {}", s.count, s.reason))
            .collect();
        let _ = writeln!(
            out,
            "\n{} tracks routed; {} went to no child.",
            r.tracks_processed, r.unrouted
        );
        if !skipped.is_empty() {
            let _ = writeln!(out, "Skipped entries:\n  {}", skipped.join("\n  "));
        }
    }
    if let Some(e) = &r.error {
        let _ = writeln!(out, "error: {e}");
    }
    out
}

pub fn preview(name: &str, p: &Preview) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{name}: {} tracks (nothing is written by a preview)\n",
        p.tracks
    );
    for c in &p.metadata {
        let _ = writeln!(out, "{}", coverage_line(c));
    }
    if !p.metadata.is_empty() {
        out.push('\n');
    }
    let rows: Vec<Vec<String>> = p
        .children
        .iter()
        .map(|c| vec![c.name.clone(), c.count.to_string(), c.unknown.to_string()])
        .collect();
    out.push_str(&table(&["child", "tracks", "undecided"], &rows));
    for c in &p.children {
        let _ = writeln!(out, "\n{}:", c.name);
        for s in &c.sample {
            let _ = writeln!(out, "  {s}");
        }
        if let Some(note) = &c.note {
            let _ = writeln!(out, "  note: {note}");
        }
        for note in filling_notes(c) {
            let _ = writeln!(out, "  {note}");
        }
        for problem in &c.problems {
            let why = match &problem.availability {
                syncer_core::filter::Availability::Unavailable { reason } => reason.clone(),
                syncer_core::filter::Availability::NotYetKnown => {
                    "not known yet for this connection (`syncer connections test` checks)".into()
                }
                syncer_core::filter::Availability::Available => continue,
            };
            let _ = writeln!(
                out,
                "  warning: the filter reads {}: {why}",
                problem.field.name()
            );
        }
    }
    let _ = writeln!(out, "\nNo child takes {} tracks, e.g.:", p.unrouted);
    for s in &p.unrouted_sample {
        let _ = writeln!(out, "  {s}");
    }
    out
}

/// The history as a table: base by name, local start time, and each interrupted sync on the
/// line after the run that completed it ("↳"), as the window groups them.
pub fn history(items: &[HistoryItem]) -> String {
    let row = |i: &HistoryItem, nested: bool| {
        let e = &i.event;
        let (req, added, removed) = e
            .report
            .as_ref()
            .map_or((0, 0, 0), |r| (r.requests.total(), r.added(), r.removed()));
        vec![
            if nested {
                format!("↳ {}", e.id)
            } else {
                e.id.to_string()
            },
            i.started_local.clone(),
            i.base_name.clone(),
            format!(
                "{}{}{}",
                e.undo_of
                    .map_or_else(String::new, |of| format!("undo of {of}: ")),
                e.status.as_str(),
                match (e.undone, e.completed_by) {
                    (true, _) => " (undone)".to_owned(),
                    (false, Some(by)) => format!(" (completed by {by})"),
                    (false, None) => String::new(),
                }
            ),
            req.to_string(),
            added.to_string(),
            removed.to_string(),
            e.error.clone().unwrap_or_default(),
        ]
    };
    let rows: Vec<Vec<String>> = items
        .iter()
        .flat_map(|i| {
            std::iter::once(row(i, false)).chain(i.completes.iter().map(|c| row(c, true)))
        })
        .collect();
    table(
        &[
            "event", "started", "base", "status", "requests", "added", "removed", "error",
        ],
        &rows,
    )
}

/// A child's detail: counts, the last sync, its tracks in order with their marks, and the
/// base's tracks that wait for their data.
pub fn child_detail(d: &ChildDetail) -> String {
    let mut out = String::new();
    let c = &d.counts;
    let _ = writeln!(
        out,
        "{} (child of {}): {}, {} added by hand; a sync would hold {} of the base's; {} waiting \
         for their data",
        d.name,
        d.base_name,
        count(c.tracks, "track", "tracks"),
        c.added_by_hand,
        c.wanted,
        c.waiting
    );
    match &d.last_sync {
        Some(s) => {
            let _ = writeln!(
                out,
                "last sync {} ({}, {}): {} added, {} removed, {} of yours kept",
                s.event,
                s.started_local,
                s.status.as_str(),
                s.added,
                s.removed,
                s.kept_user_tracks
            );
        }
        None => out.push_str("not synced yet\n"),
    }
    if let Some(url) = d.page.url() {
        let _ = writeln!(out, "{url}");
    }
    out.push('\n');
    for (i, t) in d.tracks.iter().enumerate() {
        let mut marks = Vec::new();
        if t.added_by_hand {
            marks.push("added by hand, kept");
        }
        if t.waiting {
            marks.push("waiting for its data");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!("  [{}]", marks.join(", "))
        };
        let _ = writeln!(out, "{:>4}. {}{marks}", i + 1, t.track.label);
    }
    if !d.waiting.is_empty() {
        let _ = writeln!(
            out,
            "\nWaiting for their data (they join once it is known, if the filter takes them):"
        );
        for t in &d.waiting {
            let _ = writeln!(out, "  {}", t.label);
        }
    }
    out
}

/// "Why not?" in words.
pub fn why(w: &Why) -> String {
    match w {
        Why::NoSuchTrack { query } => {
            format!("no track of the base has the id or words '{query}'\n")
        }
        Why::Choose { candidates } => {
            let mut out = String::from("several tracks match; ask again with one's id:\n");
            for t in candidates {
                let _ = writeln!(out, "  {}  {}", t.id, t.label);
            }
            out
        }
        Why::InChild { track } => format!("{}: in this child (its filter takes it)\n", track.label),
        Why::Excluded {
            track,
            rule,
            matched: true,
        } => format!("{}: left out because it matches `{rule}`\n", track.label),
        Why::Excluded {
            track,
            rule,
            matched: false,
        } => format!(
            "{}: left out because it does not match `{rule}`\n",
            track.label
        ),
        Why::Waiting { track, rule } => format!(
            "{}: waiting: `{rule}` reads something not known yet for it (its genre, say); it \
             joins once that is known, if the filter takes it\n",
            track.label
        ),
        Why::LeftOut { track } => format!(
            "{}: the filter takes it, but the limit, per-artist cap or dedupe leave it out\n",
            track.label
        ),
        Why::TakenBy {
            track, child_name, ..
        } => format!(
            "{}: the filter takes it, but {child_name} took it first (first-match routing)\n",
            track.label
        ),
    }
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "about 5 min", "about 2 h 10 min", "under a minute".
pub(crate) fn about(seconds: u64) -> String {
    match seconds {
        0..=59 => "under a minute".to_owned(),
        60..=3_599 => format!("about {} min", seconds.div_ceil(60)),
        _ => format!("about {} h {} min", seconds / 3_600, (seconds % 3_600) / 60),
    }
}

/// "genre known for 1,812 of 2,000 artists (MusicBrainz 1,700, yours 12); 150 still filling
/// from MusicBrainz (about 3 min at 1 request/s); 38 no source knows".
pub fn coverage_line(c: &MetadataCoverage) -> String {
    let field = c.fields.first().map_or("genre", |f| f.name());
    let mut line = format!(
        "{field} known for {} of {} artists",
        thousands(c.known),
        thousands(c.total)
    );
    if !c.by_source.is_empty() {
        let parts: Vec<String> = c
            .by_source
            .iter()
            .map(|(s, n)| format!("{} {}", s.label(), thousands(*n)))
            .collect();
        let _ = write!(line, " ({})", parts.join(", "));
    }
    if c.filling > 0 {
        let source = c.source.unwrap_or(SourceKind::MusicBrainz);
        let _ = write!(
            line,
            "; {} still filling from {source} ({} at 1 request/s)",
            thousands(c.filling),
            about(u64::from(c.requests_left))
        );
    }
    if c.unknown > 0 {
        let _ = write!(line, "; {} no source knows", thousands(c.unknown));
    }
    line
}

/// What a preview says of a child that waits on a field still filling.
pub fn filling_notes(child: &ChildPreview) -> Vec<String> {
    child
        .filling
        .iter()
        .map(|c| {
            format!(
                "waiting: {}; {} tracks cannot be judged yet. Wait for it (`syncer enrich \
                 --wait`, or `syncer watch` fills in the background) and sync, or sync now \
                 with what is known: those tracks join once their genre is",
                coverage_line(c),
                thousands(child.unknown)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_noun_that_fits() {
        assert_eq!(count(1_u64, "request", "requests"), "1 request");
        assert_eq!(count(0_usize, "request", "requests"), "0 requests");
        assert_eq!(count(3_i64, "change", "changes"), "3 changes");
    }

    #[test]
    fn the_history_names_the_base_shows_local_times_and_groups_completed_runs() {
        use syncer_app::records::SyncEventRecord;
        use syncer_core::engine::SyncEventId;
        use syncer_core::ids::BasePlaylistId;
        let item = |id: i64, status: SyncStatus, by: Option<i64>| HistoryItem {
            event: SyncEventRecord {
                id: SyncEventId(id),
                base: BasePlaylistId::new("liked:c1"),
                status,
                started_at: 0,
                finished_at: None,
                report: None,
                error: None,
                undone: false,
                undo_of: None,
                completed_by: by.map(SyncEventId),
            },
            base_name: "Liked Songs".into(),
            started_local: format!("2026-12-03 21:1{id} CET"),
            finished_local: None,
            completes: Vec::new(),
        };
        let mut completer = item(4, SyncStatus::Completed, None);
        completer.completes = vec![item(3, SyncStatus::Failed, Some(4))];
        let text = history(&[completer]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].starts_with("4 ") && lines[1].contains("2026-12-03 21:14 CET"));
        assert!(lines[1].contains("Liked Songs") && !lines[1].contains("liked:c1"));
        assert!(lines[2].starts_with("↳ 3"), "{text}");
        assert!(lines[2].contains("failed (completed by 4)"), "{text}");
    }
}
