//! Sync events and undo records: the history, the durable "a sync runs" marker, and what
//! undo restores.

use sqlx::Row as _;
use syncer_core::engine::codec::decode;
use syncer_core::engine::{SyncEventId, SyncReport, SyncStatus};
use syncer_core::ids::BasePlaylistId;

use crate::error::StoreError;
use crate::open::Store;

/// One sync event as the history shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncEventRecord {
    pub id: SyncEventId,
    pub base: BasePlaylistId,
    pub status: SyncStatus,
    /// Unix seconds.
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// `None` when the stored report no longer reads.
    pub report: Option<SyncReport>,
    pub error: Option<String>,
    pub undone: bool,
    /// Set on an undo's own event: the sync it undid.
    pub undo_of: Option<SyncEventId>,
    /// Set on an interrupted sync that a later sync completed: they are undone as one.
    pub completed_by: Option<SyncEventId>,
}

/// Whether the process that opened an event still runs. Where the system cannot tell (no
/// `/proc`), it is assumed gone only when the event is stuck (see `begin_event`).
fn owner_alive(pid: Option<i64>) -> bool {
    let Some(pid) = pid else {
        return false;
    };
    if pid == i64::from(std::process::id()) {
        // This process is starting up: nothing of its own can be running yet.
        return false;
    }
    let proc_root = std::path::Path::new("/proc");
    if !proc_root.join("self").exists() {
        return true;
    }
    proc_root.join(pid.to_string()).exists()
}

impl Store {
    /// Newest first; all bases when `base` is `None`.
    pub async fn list_events(
        &self,
        base: Option<&BasePlaylistId>,
        limit: u32,
    ) -> Result<Vec<SyncEventRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, base_id, status, started_at, finished_at, stats, error, undone_at, kind, \
             undoes, merged_into FROM sync_events WHERE (?1 IS NULL OR base_id = ?1) ORDER BY id DESC LIMIT ?2",
        )
        .bind(base.map(BasePlaylistId::as_str))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        rows.iter()
            .map(|row| {
                let stats: String = row.try_get("stats")?;
                Ok(SyncEventRecord {
                    id: SyncEventId(row.try_get("id")?),
                    base: BasePlaylistId::new(row.try_get::<String, _>("base_id")?),
                    status: SyncStatus::parse(&row.try_get::<String, _>("status")?),
                    started_at: row.try_get("started_at")?,
                    finished_at: row.try_get("finished_at")?,
                    report: decode(&stats).ok(),
                    error: row.try_get("error")?,
                    undone: row.try_get::<Option<i64>, _>("undone_at")?.is_some(),
                    undo_of: match row.try_get::<String, _>("kind")?.as_str() {
                        "undo" => row.try_get::<Option<i64>, _>("undoes")?.map(SyncEventId),
                        _ => None,
                    },
                    completed_by: row
                        .try_get::<Option<i64>, _>("merged_into")?
                        .map(SyncEventId),
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_err(&e))
    }

    /// At start-up: every event still in progress whose process has ended is marked failed
    /// ("interrupted"), naming the children that were partly written. Events of processes
    /// still running (the app, another `syncer`) are left alone. Returns the events marked.
    pub async fn mark_interrupted(&self) -> Result<Vec<SyncEventRecord>, StoreError> {
        let owners: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, owner_pid FROM sync_events WHERE status = 'in_progress'")
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.db_err(&e))?;
        let gone: std::collections::HashSet<i64> = owners
            .into_iter()
            .filter(|(_, pid)| !owner_alive(*pid))
            .map(|(id, _)| id)
            .collect();
        let open: Vec<SyncEventRecord> = self
            .list_events(None, u32::MAX)
            .await?
            .into_iter()
            .filter(|e| e.status == SyncStatus::InProgress && gone.contains(&e.id.0))
            .collect();
        let mut marked = Vec::with_capacity(open.len());
        for mut event in open {
            let partly: Vec<String> = event
                .report
                .as_ref()
                .map(|r| {
                    r.partly_written()
                        .iter()
                        .map(|c| {
                            format!(
                                "{} ({} of {} added, {} removed)",
                                c.name, c.added, c.wanted, c.removed
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let message = if partly.is_empty() {
                "interrupted: Syncer stopped during this sync before writing anything; the \
                 next sync starts over"
                    .to_owned()
            } else {
                format!(
                    "interrupted: Syncer stopped during this sync; partly written: {}. Nothing \
                     you had is lost: the tracks each child must end with were stored before \
                     the first write, and the next sync finishes them from there",
                    partly.join(", ")
                )
            };
            sqlx::query(
                "UPDATE sync_events SET status = 'failed', error = ?, \
                 finished_at = COALESCE(finished_at, started_at) WHERE id = ?",
            )
            .bind(&message)
            .bind(event.id.0)
            .execute(self.pool())
            .await
            .map_err(|e| self.db_err(&e))?;
            tracing::warn!(event = %event.id, base = %event.base, partly_written = partly.len(), "sync marked interrupted");
            event.status = SyncStatus::Failed;
            event.error = Some(message);
            marked.push(event);
        }
        Ok(marked)
    }

    /// Asks the running sync of `base` (in any process) to stop at its next safe point.
    /// Returns false when none runs.
    pub async fn request_cancel(&self, base: &BasePlaylistId) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sync_events SET cancel_requested = 1 \
             WHERE base_id = ? AND status = 'in_progress'",
        )
        .bind(base.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(done.rows_affected() > 0)
    }

    /// Whether someone asked this event to stop.
    pub async fn cancel_requested(&self, event: SyncEventId) -> Result<bool, StoreError> {
        let flag: Option<i64> =
            sqlx::query_scalar("SELECT cancel_requested FROM sync_events WHERE id = ?")
                .bind(event.0)
                .fetch_optional(self.pool())
                .await
                .map_err(|e| self.db_err(&e))?;
        Ok(flag.unwrap_or(0) != 0)
    }

    /// The running event of a base, if any.
    pub async fn running_event(
        &self,
        base: &BasePlaylistId,
    ) -> Result<Option<SyncEventId>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM sync_events WHERE base_id = ? AND status = 'in_progress' \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(base.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(id.map(SyncEventId))
    }

    /// Deletes every row Syncer keeps: setup, history, cache, connections and settings.
    /// Secrets in the keyring are the auth crate's to remove.
    pub async fn delete_all_data(&self) -> Result<(), StoreError> {
        // One connection for all of it: `secure_delete` is per connection, and it makes
        // SQLite overwrite what it frees with zeros instead of leaving it readable.
        let mut conn = self.pool().acquire().await.map_err(|e| self.db_err(&e))?;
        sqlx::query("PRAGMA secure_delete = ON")
            .execute(&mut *conn)
            .await
            .map_err(|e| self.db_err(&e))?;
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(|e| self.db_err(&e))?;
        for table in [
            "write_plans",
            "undo_records",
            "sync_events",
            "managed_tracks",
            "children",
            "bases",
            "metadata_cache",
            "library_lists",
            "open_artist_facts",
            "open_album_facts",
            "enrichment_queue",
            "enrichment_lease",
            "user_genres",
            "connections",
            "provider_clients",
            "settings",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.db_err(&e))?;
        // The write-ahead log still holds the old pages until it is checkpointed and cut;
        // VACUUM then rebuilds the file from what is left (nothing).
        for pragma in [
            "PRAGMA wal_checkpoint(TRUNCATE)",
            "VACUUM",
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ] {
            sqlx::query(pragma)
                .execute(&mut *conn)
                .await
                .map_err(|e| self.db_err(&e))?;
        }
        Ok(())
    }
}
