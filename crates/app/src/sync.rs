//! Running a sync the way every front end wants it: progress to a sink, cancellable from this
//! process (a token) or from another one (`syncer cancel`, the app's button: a request stored
//! with the running event).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use syncer_core::calendar;
use syncer_core::engine::{
    DraftChild, Preview, ProgressSink, SyncEventId, SyncOptions, SyncReport, SyncStatus,
    UndoOptions, UndoReport,
};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId};
use syncer_store::SyncEventRecord;
use tokio_util::sync::CancellationToken;

use crate::error::{AppError, AppResult, Thing};
use crate::services::Services;

/// How often a running sync looks for a stored cancel request.
const CANCEL_POLL: Duration = Duration::from_millis(250);

/// Syncs one base. `cancel` stops it at the next safe point, as does a cancel request stored
/// by another process.
pub async fn run_sync(
    services: &Services,
    base: &BasePlaylistId,
    force: bool,
    progress: Option<ProgressSink>,
    cancel: CancellationToken,
) -> AppResult<SyncReport> {
    let record = services.base(base.as_str()).await?;
    // A child whose filter cannot be read: say which and how to fix it, before anything runs.
    services.store.ensure_filters_readable(&record.id).await?;
    let engine = services.engine(&record.connection).await?;
    let options = SyncOptions {
        force,
        cancel: cancel.clone(),
        progress,
    };
    let watcher = {
        let store = services.store.clone();
        let cancel = cancel.clone();
        let base = base.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    () = tokio::time::sleep(CANCEL_POLL) => {}
                }
                if let Ok(Some(event)) = store.running_event(&base).await
                    && store.cancel_requested(event).await.unwrap_or(false)
                {
                    cancel.cancel();
                    return;
                }
            }
        })
    };
    let result = engine.sync(base, &options).await;
    watcher.abort();
    Ok(result?)
}

/// A child not yet created, previewed as it is being edited.
#[derive(Debug, Clone)]
pub struct Draft {
    pub base: BasePlaylistId,
    /// The child being edited; none for one not yet created.
    pub child: Option<ChildPlaylistId>,
    pub name: String,
    pub query: String,
    pub allow_empty: bool,
}

/// The id a child not yet created goes by in a preview.
const DRAFT_CHILD: &str = "draft";

/// What the history lists: which base, which status, how many.
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    pub base: Option<BasePlaylistId>,
    pub status: Option<SyncStatus>,
    pub limit: Option<u32>,
}

/// A sync in the history, with its base's name (the id when the base is gone) and its times
/// as the user's clock reads them, so every front end shows the same facts.
#[derive(Debug, Clone)]
pub struct HistoryItem {
    pub event: SyncEventRecord,
    pub base_name: String,
    /// When it started, in the configured zone (this machine's by default):
    /// `2026-12-03 21:14 CET`.
    pub started_local: String,
    pub finished_local: Option<String>,
    /// The interrupted syncs this one completed, newest first. To the user they are one run
    /// (undone together), so they are listed under it rather than on their own.
    pub completes: Vec<HistoryItem>,
}

/// Groups each interrupted sync under the run that completed it, when that run is listed
/// too (a page of the history may end between the two: then both stand alone, and the
/// interrupted one still says which sync completed it). The order stays newest first.
pub fn group_history(items: Vec<HistoryItem>) -> Vec<HistoryItem> {
    let completer: HashMap<SyncEventId, SyncEventId> = items
        .iter()
        .filter_map(|i| i.event.completed_by.map(|by| (i.event.id, by)))
        .collect();
    let listed: HashSet<SyncEventId> = items.iter().map(|i| i.event.id).collect();
    // The listed run an interrupted one ends under: a completer may itself have been
    // interrupted and completed later, so follow the chain (bounded: stored data decides).
    let root = |id: SyncEventId| -> Option<SyncEventId> {
        let mut at = completer
            .get(&id)
            .copied()
            .filter(|by| listed.contains(by))?;
        for _ in 0..listed.len() {
            match completer.get(&at) {
                Some(by) if listed.contains(by) && *by != id => at = *by,
                _ => break,
            }
        }
        Some(at)
    };
    let mut top: Vec<HistoryItem> = Vec::new();
    let mut nested: Vec<(SyncEventId, HistoryItem)> = Vec::new();
    for item in items {
        match root(item.event.id) {
            Some(parent) => nested.push((parent, item)),
            None => top.push(item),
        }
    }
    for (parent, item) in nested {
        match top.iter_mut().find(|t| t.event.id == parent) {
            Some(t) => t.completes.push(item),
            None => top.push(item),
        }
    }
    for item in &mut top {
        item.completes
            .sort_by_key(|i| std::cmp::Reverse(i.event.id));
    }
    top.sort_by_key(|i| std::cmp::Reverse(i.event.id));
    top
}

/// What an undo put back, with each child's name.
#[derive(Debug, Clone)]
pub struct UndoOutcome {
    pub report: UndoReport,
    pub base_name: String,
    /// Child id → name, for the children the undo touched.
    pub child_names: HashMap<ChildPlaylistId, String>,
}

/// The most a history lists at once.
pub const HISTORY_MAX: u32 = 1_000;

impl Services {
    /// What a sync would do, without writing: the base read once, every child's count and
    /// sample. A child whose filter cannot be read stops it, naming the child.
    pub async fn preview(&self, base: &BasePlaylistId) -> AppResult<Preview> {
        let record = self.base(base.as_str()).await?;
        self.store.ensure_filters_readable(&record.id).await?;
        let engine = self.engine(&record.connection).await?;
        Ok(engine.preview(&record.id).await?)
    }

    /// A preview with one child as it is being edited (or about to be created).
    pub async fn preview_draft(&self, draft: Draft) -> AppResult<Preview> {
        let filter = crate::library::parse_query(&draft.query)?;
        let record = self.base(draft.base.as_str()).await?;
        let engine = self.engine(&record.connection).await?;
        Ok(engine
            .preview_draft(
                &record.id,
                DraftChild {
                    id: draft
                        .child
                        .unwrap_or_else(|| ChildPlaylistId::new(DRAFT_CHILD)),
                    name: draft.name,
                    filter,
                    allow_empty: draft.allow_empty,
                },
            )
            .await?)
    }

    /// Asks the running sync of a base (in this process or another) to stop at its next
    /// safe point. "Not running" is an error: there is nothing to cancel.
    pub async fn cancel_sync(&self, base: &BasePlaylistId) -> AppResult<()> {
        let record = self.base(base.as_str()).await?;
        if self.store.request_cancel(&record.id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound(format!(
                "no sync of {} is running",
                record.name
            )))
        }
    }

    /// Whether a sync of the base is running, in any process.
    pub async fn is_syncing(&self, base: &BasePlaylistId) -> AppResult<bool> {
        Ok(self.store.running_event(base).await?.is_some())
    }

    /// Puts the children of a base back as they were before its last sync (an undo is a
    /// sync: refused while one runs anywhere). Tracks added by hand since are kept unless
    /// `drop_added_by_hand`.
    pub async fn undo(
        &self,
        base: &BasePlaylistId,
        drop_added_by_hand: bool,
    ) -> AppResult<UndoOutcome> {
        let record = self.base(base.as_str()).await?;
        let engine = self.engine(&record.connection).await?;
        let report = engine
            .undo(&record.id, &UndoOptions { drop_added_by_hand })
            .await?;
        let child_names = self
            .store
            .list_children(&record.id)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        Ok(UndoOutcome {
            report,
            base_name: record.name,
            child_names,
        })
    }

    /// Syncs, newest first; of one base, of one status, up to `limit` (100 by default).
    pub async fn history(&self, query: &HistoryQuery) -> AppResult<Vec<HistoryItem>> {
        let names: HashMap<BasePlaylistId, String> = self
            .store
            .list_bases()
            .await?
            .into_iter()
            .map(|b| (b.id, b.name))
            .collect();
        let limit = query.limit.unwrap_or(100).min(HISTORY_MAX);
        // Filtering by status happens here, so read more than asked for.
        let read = if query.status.is_some() {
            HISTORY_MAX
        } else {
            limit
        };
        let events = self.store.list_events(query.base.as_ref(), read).await?;
        let zone = &self.config().time_zone;
        Ok(group_history(
            events
                .into_iter()
                .filter(|e| query.status.is_none_or(|w| e.status == w))
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .map(|event| HistoryItem {
                    base_name: names
                        .get(&event.base)
                        .cloned()
                        .unwrap_or_else(|| event.base.to_string()),
                    started_local: calendar::date_time_text(event.started_at, zone),
                    finished_local: event
                        .finished_at
                        .map(|at| calendar::date_time_text(at, zone)),
                    completes: Vec::new(),
                    event,
                })
                .collect(),
        ))
    }

    /// The base of a past sync, to run again (the history's Retry).
    pub async fn base_of_sync(&self, event: &str) -> AppResult<BasePlaylistId> {
        self.store
            .list_events(None, HISTORY_MAX)
            .await?
            .into_iter()
            .find(|e| e.id.to_string() == event)
            .map(|e| e.base)
            .ok_or_else(|| AppError::missing(Thing::Sync, event))
    }

    /// Every base, for "sync all".
    pub async fn base_ids(&self) -> AppResult<Vec<BasePlaylistId>> {
        Ok(self
            .store
            .list_bases()
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, status: SyncStatus, completed_by: Option<i64>) -> HistoryItem {
        HistoryItem {
            event: SyncEventRecord {
                id: SyncEventId(id),
                base: BasePlaylistId::new("b"),
                status,
                started_at: id * 60,
                finished_at: Some(id * 60 + 5),
                report: None,
                error: None,
                undone: false,
                undo_of: None,
                completed_by: completed_by.map(SyncEventId),
            },
            base_name: "Liked Songs".into(),
            started_local: String::new(),
            finished_local: None,
            completes: Vec::new(),
        }
    }

    fn ids(items: &[HistoryItem]) -> Vec<(i64, Vec<i64>)> {
        items
            .iter()
            .map(|i| {
                (
                    i.event.id.0,
                    i.completes.iter().map(|c| c.event.id.0).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn an_interrupted_sync_is_listed_under_the_run_that_completed_it() {
        let grouped = group_history(vec![
            item(5, SyncStatus::Completed, None),
            item(4, SyncStatus::Completed, None),
            item(3, SyncStatus::Failed, Some(4)),
            item(2, SyncStatus::Failed, Some(4)),
            item(1, SyncStatus::Completed, None),
        ]);
        assert_eq!(
            ids(&grouped),
            vec![(5, vec![]), (4, vec![3, 2]), (1, vec![])]
        );
    }

    #[test]
    fn a_chain_of_completions_ends_under_the_last_run() {
        // 2 was completed by 3, which was itself interrupted and completed by 4.
        let grouped = group_history(vec![
            item(4, SyncStatus::Completed, None),
            item(3, SyncStatus::Failed, Some(4)),
            item(2, SyncStatus::Failed, Some(3)),
        ]);
        assert_eq!(ids(&grouped), vec![(4, vec![3, 2])]);
    }

    #[test]
    fn an_interrupted_sync_whose_completer_is_not_listed_stands_alone() {
        let grouped = group_history(vec![
            item(3, SyncStatus::Failed, Some(9)),
            item(2, SyncStatus::Completed, None),
        ]);
        assert_eq!(ids(&grouped), vec![(3, vec![]), (2, vec![])]);
        assert_eq!(grouped[0].event.completed_by, Some(SyncEventId(9)));
    }

    #[test]
    fn a_cycle_in_stored_data_does_not_hang() {
        let grouped = group_history(vec![
            item(3, SyncStatus::Failed, Some(2)),
            item(2, SyncStatus::Failed, Some(3)),
        ]);
        let total: usize = grouped.iter().map(|g| 1 + g.completes.len()).sum();
        assert_eq!(total, 2, "every sync is listed once: {:?}", ids(&grouped));
    }
}
