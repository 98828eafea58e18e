//! A child's detail (what is in it now, which tracks the user added, which wait for their
//! data, what the last sync did to it) and "why not?" (which rule keeps a track of the base
//! out of it). Titles are read from the service each time and never stored.

use serde::Serialize;
use syncer_core::engine::{
    ChildInspection, Judged, MirrorMode, Placement, SyncStatus, TrackLine, TrackVerdict,
};
use syncer_core::filter::{Filter, Node, PostSteps, Truth, query};
use syncer_core::ids::{ChildPlaylistId, PlaylistId};
use ts_rs::TS;

use crate::error::AppResult;
use crate::links::{ServicePage, ServiceThing, service_page};
use crate::services::Services;

/// A track as a row: its label and where it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrackRow {
    pub id: String,
    /// "title — artist", saying what is missing.
    pub label: String,
    pub page: ServicePage,
}

/// One track of a child, in the child's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChildTrackRow {
    pub track: TrackRow,
    /// The user added it by hand (not Syncer): kept unless the child is a strict mirror.
    pub added_by_hand: bool,
    /// Its filter cannot judge it yet: a field it reads (a genre) is not known.
    pub waiting: bool,
}

/// A child's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChildCounts {
    /// Tracks in the child now.
    pub tracks: u32,
    pub added_by_hand: u32,
    /// Tracks of the base its filter cannot judge yet.
    pub waiting: u32,
    /// Tracks of the base a sync would have it hold.
    pub wanted: u32,
}

/// What the base's last sync that routed this child did to it (a sync of an unchanged base
/// routes nothing and is passed over).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChildLastSync {
    pub event: String,
    pub status: SyncStatus,
    /// As the history shows it: `2026-12-03 21:14 CET`.
    pub started_local: String,
    pub added: u32,
    pub removed: u32,
    pub kept_user_tracks: u32,
}

/// A child's detail view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChildDetail {
    pub id: String,
    pub name: String,
    pub base: String,
    pub base_name: String,
    pub query: String,
    pub mirror: MirrorMode,
    pub page: ServicePage,
    pub tracks: Vec<ChildTrackRow>,
    /// Tracks of the base that wait for their data before the filter can judge them.
    pub waiting: Vec<TrackRow>,
    pub counts: ChildCounts,
    pub last_sync: Option<ChildLastSync>,
}

/// "Why not?": where a track of the base stands with a child, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// No track of the base has this id or text.
    NoSuchTrack { query: String },
    /// The text finds several tracks: pick one.
    Choose { candidates: Vec<TrackRow> },
    /// A sync puts it (or keeps it) in the child.
    InChild { track: TrackRow },
    /// A rule keeps it out. `matched`: the rule matched the track, and that is what excluded
    /// it (a `-rule`, or a part of "none of").
    Excluded {
        track: TrackRow,
        rule: String,
        matched: bool,
    },
    /// A rule reads a field not known yet for this track (its genre, say): it joins once
    /// the data is known and the filter takes it.
    Waiting { track: TrackRow, rule: String },
    /// The filter takes it, but the limit, per-artist cap or dedupe leave it out.
    LeftOut { track: TrackRow },
    /// The filter takes it, but an earlier child took it first (first-match routing).
    TakenBy {
        track: TrackRow,
        child: String,
        child_name: String,
    },
}

/// A rule (or a group) as the query language writes it.
fn rule_text(node: &Node) -> String {
    match node {
        Node::Rule(rule) => query::format_rule(rule),
        Node::Group(_) => query::format(&Filter {
            root: node.clone(),
            post: PostSteps::default(),
        }),
    }
}

impl Services {
    fn row(&self, provider: &str, line: TrackLine) -> TrackRow {
        TrackRow {
            page: service_page(provider, ServiceThing::Track(&line.id)),
            id: line.id.to_string(),
            label: line.label,
        }
    }

    /// A child's detail: its tracks now (read from the service), marked hand-added and
    /// waiting, its counts, and what the base's last sync did to it.
    pub async fn child_detail(&self, child: &ChildPlaylistId) -> AppResult<ChildDetail> {
        let record = self.child(child).await?;
        let base = self.base(record.base.as_str()).await?;
        let provider = self.provider_of(&base.id).await?;
        let engine = self.engine(&base.connection).await?;
        let ChildInspection {
            tracks,
            waiting,
            wanted,
            ..
        } = engine.inspect_child(&base.id, &record.id).await?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let counts = ChildCounts {
            tracks: count(tracks.len()),
            added_by_hand: count(tracks.iter().filter(|t| t.added_by_hand).count()),
            waiting: count(waiting.len()),
            wanted,
        };
        let zone = &self.config().time_zone;
        let last_sync = self
            .store
            .list_events(Some(&base.id), 100)
            .await?
            .into_iter()
            .filter(|e| e.undo_of.is_none() && e.status != SyncStatus::InProgress)
            .find_map(|e| {
                // An unchanged base routes nothing: the last sync that looked at the child.
                let c = e
                    .report
                    .as_ref()
                    .filter(|r| !r.unchanged)?
                    .children
                    .iter()
                    .find(|c| c.id == record.id)?;
                Some(ChildLastSync {
                    event: e.id.to_string(),
                    status: e.status,
                    started_local: syncer_core::calendar::date_time_text(e.started_at, zone),
                    added: c.added,
                    removed: c.removed,
                    kept_user_tracks: c.kept_user_tracks,
                })
            });
        Ok(ChildDetail {
            id: record.id.to_string(),
            name: record.name.clone(),
            base: base.id.to_string(),
            base_name: base.name.clone(),
            query: record.query.clone(),
            mirror: record.mirror,
            page: service_page(
                &provider,
                ServiceThing::Playlist(&PlaylistId::new(record.id.as_str())),
            ),
            tracks: tracks
                .into_iter()
                .map(|t| ChildTrackRow {
                    track: self.row(&provider, t.line),
                    added_by_hand: t.added_by_hand,
                    waiting: t.waiting,
                })
                .collect(),
            waiting: waiting
                .into_iter()
                .map(|l| self.row(&provider, l))
                .collect(),
            counts,
            last_sync,
        })
    }

    /// "Why not?": where a track of the child's base (by id, or by text of its title and
    /// artist) stands with the child, and the rule that decided it.
    pub async fn explain(&self, child: &ChildPlaylistId, track: &str) -> AppResult<Why> {
        let record = self.child(child).await?;
        self.store.ensure_filters_readable(&record.base).await?;
        let base = self.base(record.base.as_str()).await?;
        let provider = self.provider_of(&base.id).await?;
        let engine = self.engine(&base.connection).await?;
        let verdict = match engine.judge_track(&base.id, &record.id, track).await? {
            Judged::NoSuchTrack => {
                return Ok(Why::NoSuchTrack {
                    query: track.to_owned(),
                });
            }
            Judged::Choose(lines) => {
                return Ok(Why::Choose {
                    candidates: lines.into_iter().map(|l| self.row(&provider, l)).collect(),
                });
            }
            Judged::Verdict(v) => v,
        };
        let TrackVerdict {
            line,
            verdict,
            decided_by,
            placement,
        } = verdict;
        let track = self.row(&provider, line);
        Ok(match (placement, decided_by) {
            (Placement::InChild, _) => Why::InChild { track },
            (Placement::LeftOutByPostSteps, _) => Why::LeftOut { track },
            (Placement::TakenBy(other), _) => {
                let child_name = self
                    .child(&other)
                    .await
                    .map_or_else(|_| other.to_string(), |c| c.name);
                Why::TakenBy {
                    track,
                    child: other.to_string(),
                    child_name,
                }
            }
            (Placement::NotTaken, Some(d)) if verdict == Truth::Unknown => Why::Waiting {
                track,
                rule: rule_text(&d.node),
            },
            (Placement::NotTaken, Some(d)) => Why::Excluded {
                track,
                rule: rule_text(&d.node),
                matched: d.verdict == Truth::True,
            },
            // Not taken with no rule to blame cannot happen (the verdict would be True);
            // say it is out rather than invent a reason.
            (Placement::NotTaken, None) => Why::LeftOut { track },
        })
    }
}
