//! The engine's storage trait over SQLite: setup, managed ids, known contents, events, undo
//! records and the catalog metadata cache.

use std::collections::HashSet;

use sqlx::Row as _;
use syncer_core::capabilities::LookupKind;
use syncer_core::engine::codec::{decode, encode};
use syncer_core::engine::{
    BaseSetup, CachedObject, ChildSetup, EventKind, KnownContents, StorageError, StorageResult,
    SyncEventId, SyncReport, SyncStatus, SyncStorage, UndoEntry, UndoRecord, WritePlan,
};
use syncer_core::filter::Timestamp;
use syncer_core::ids::{
    BasePlaylistId, ChildPlaylistId, ConnectionId, PlaylistId, SnapshotId, TrackId,
};

use crate::open::Store;
use crate::setup::{NOW, SetupError};

fn kind_name(kind: LookupKind) -> &'static str {
    match kind {
        LookupKind::Track => "track",
        LookupKind::Artist => "artist",
        LookupKind::Album => "album",
    }
}

fn err(e: impl std::fmt::Display) -> StorageError {
    StorageError::new(e.to_string())
}

impl Store {
    fn sql_err(&self, e: &sqlx::Error) -> StorageError {
        err(self.db_err(e))
    }
}

impl SyncStorage for Store {
    async fn load_base(&self, base: &BasePlaylistId) -> StorageResult<Option<BaseSetup>> {
        let Some(record) = self.get_base(base).await.map_err(err)? else {
            return Ok(None);
        };
        let children = self.list_children(base).await.map_err(err)?;
        let children = children
            .into_iter()
            .map(|c| {
                // A child whose stored filter cannot be read stops preview and sync here, with
                // an error naming the child and how to fix it (SetupError::BrokenFilter).
                let filter = c.readable_filter().map_err(err)?.clone();
                let known = match (c.known_snapshot, c.known_tracks) {
                    (Some(snapshot), Some(tracks)) => decode::<Vec<TrackId>>(&tracks)
                        .ok()
                        .map(|tracks| KnownContents { snapshot, tracks }),
                    _ => None,
                };
                Ok(ChildSetup {
                    id: c.id,
                    name: c.name,
                    query: c.query,
                    filter,
                    mirror: c.mirror,
                    allow_empty: c.allow_empty,
                    known,
                })
            })
            .collect::<StorageResult<Vec<_>>>()?;
        Ok(Some(BaseSetup {
            id: record.id,
            connection: record.connection,
            name: record.name,
            routing: record.routing,
            last_snapshot: record.last_snapshot,
            last_fingerprint: record.last_fingerprint,
            children,
            metadata_generation: self.metadata_generation().await.map_err(err)?,
        }))
    }

    async fn cached(
        &self,
        kind: LookupKind,
        ids: &[String],
        fresh_since: Timestamp,
    ) -> StorageResult<Vec<CachedObject>> {
        let mut out = Vec::new();
        // SQLite binds at most 32,766 parameters; chunks keep each query well inside.
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT id, data FROM metadata_cache WHERE kind = ? AND fetched_at >= ? \
                 AND id IN ({marks})"
            );
            let mut q = sqlx::query(&sql)
                .bind(kind_name(kind))
                .bind(fresh_since.unix_seconds());
            for id in chunk {
                q = q.bind(id);
            }
            let rows = q
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.sql_err(&e))?;
            for row in rows {
                out.push(CachedObject {
                    id: row.try_get("id").map_err(|e| self.sql_err(&e))?,
                    json: row.try_get("data").map_err(|e| self.sql_err(&e))?,
                });
            }
        }
        Ok(out)
    }

    async fn cache(
        &self,
        kind: LookupKind,
        objects: &[CachedObject],
        fetched_at: Timestamp,
    ) -> StorageResult<()> {
        let mut tx = self.pool().begin().await.map_err(|e| self.sql_err(&e))?;
        for o in objects {
            sqlx::query(
                "INSERT INTO metadata_cache (kind, id, data, fetched_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT(kind, id) DO UPDATE SET data = excluded.data, \
                 fetched_at = excluded.fetched_at",
            )
            .bind(kind_name(kind))
            .bind(&o.id)
            .bind(&o.json)
            .bind(fetched_at.unix_seconds())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.sql_err(&e))
    }

    async fn managed(&self, child: &ChildPlaylistId) -> StorageResult<HashSet<TrackId>> {
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT track_id FROM managed_tracks WHERE child_id = ?")
                .bind(child.as_str())
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.sql_err(&e))?;
        Ok(ids.into_iter().map(TrackId::new).collect())
    }

    async fn add_managed(&self, child: &ChildPlaylistId, ids: &[TrackId]) -> StorageResult<()> {
        let mut tx = self.pool().begin().await.map_err(|e| self.sql_err(&e))?;
        for id in ids {
            sqlx::query("INSERT OR IGNORE INTO managed_tracks (child_id, track_id) VALUES (?, ?)")
                .bind(child.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.sql_err(&e))
    }

    async fn remove_managed(&self, child: &ChildPlaylistId, ids: &[TrackId]) -> StorageResult<()> {
        let mut tx = self.pool().begin().await.map_err(|e| self.sql_err(&e))?;
        for id in ids {
            sqlx::query("DELETE FROM managed_tracks WHERE child_id = ? AND track_id = ?")
                .bind(child.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.sql_err(&e))
    }

    async fn set_managed(&self, child: &ChildPlaylistId, ids: &[TrackId]) -> StorageResult<()> {
        sqlx::query("DELETE FROM managed_tracks WHERE child_id = ?")
            .bind(child.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.sql_err(&e))?;
        self.add_managed(child, ids).await
    }

    async fn set_known(
        &self,
        child: &ChildPlaylistId,
        known: Option<&KnownContents>,
    ) -> StorageResult<()> {
        sqlx::query(&format!(
            "UPDATE children SET known_snapshot_id = ?, known_tracks = ?, updated_at = {NOW} \
             WHERE id = ?"
        ))
        .bind(known.map(|k| k.snapshot.as_str()))
        .bind(known.map(|k| encode(&k.tracks)))
        .bind(child.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn begin_event(
        &self,
        base: &BasePlaylistId,
        kind: EventKind,
        started_at: Timestamp,
        stale_before: Timestamp,
    ) -> StorageResult<SyncEventId> {
        // A stuck event (still "running" after the limit) no longer blocks: it is closed.
        sqlx::query(
            "UPDATE sync_events SET status = 'failed', error = 'stuck: still running after 30 \
             minutes; a new sync took over', finished_at = ? \
             WHERE base_id = ? AND status = 'in_progress' AND started_at < ?",
        )
        .bind(started_at.unix_seconds())
        .bind(base.as_str())
        .bind(stale_before.unix_seconds())
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        let (kind_name, undoes) = match kind {
            EventKind::Sync => ("sync", None),
            EventKind::Undo { of } => ("undo", Some(of.0)),
        };
        let report = SyncReport::new(base.clone(), started_at.unix_seconds());
        // One statement checks and inserts, so two processes starting together cannot both
        // pass the check (SQLite runs a statement under its write lock).
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO sync_events (base_id, status, started_at, stats, owner_pid, kind, undoes) \
             SELECT ?1, 'in_progress', ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS ( \
                 SELECT 1 FROM sync_events WHERE base_id = ?1 AND status = 'in_progress' \
                 AND started_at >= ?7) \
             RETURNING id",
        )
        .bind(base.as_str())
        .bind(started_at.unix_seconds())
        .bind(encode(&report))
        .bind(i64::from(std::process::id()))
        .bind(kind_name)
        .bind(undoes)
        .bind(stale_before.unix_seconds())
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        match id {
            Some(id) => Ok(SyncEventId(id)),
            None => Err(StorageError::busy(
                SetupError::SyncInProgress { base: base.clone() }.to_string(),
            )),
        }
    }

    async fn save_progress(&self, event: SyncEventId, report: &SyncReport) -> StorageResult<()> {
        sqlx::query("UPDATE sync_events SET stats = ? WHERE id = ?")
            .bind(encode(report))
            .bind(event.0)
            .execute(self.pool())
            .await
            .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn finish_event(
        &self,
        event: SyncEventId,
        status: SyncStatus,
        report: &SyncReport,
        finished_at: Timestamp,
    ) -> StorageResult<()> {
        sqlx::query(
            "UPDATE sync_events SET status = ?, stats = ?, error = ?, finished_at = ? WHERE id = ?",
        )
        .bind(status.as_str())
        .bind(encode(report))
        .bind(report.error.as_deref())
        .bind(finished_at.unix_seconds())
        .bind(event.0)
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn save_undo(&self, event: SyncEventId, entry: &UndoEntry) -> StorageResult<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO undo_records (event_id, child_id, previous_ids, \
             previous_managed) VALUES (?, ?, ?, ?)",
        )
        .bind(event.0)
        .bind(entry.child.as_str())
        .bind(encode(&entry.previous))
        .bind(encode(&entry.previous_managed))
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn last_undo(&self, base: &BasePlaylistId) -> StorageResult<Option<UndoRecord>> {
        // Only the last sync that wrote can be undone: stepping further back would cross
        // whatever the user changed by hand in between.
        let event: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT e.id, e.undone_at FROM sync_events e WHERE e.base_id = ? \
             AND e.status != 'in_progress' AND e.merged_into IS NULL \
             AND EXISTS (SELECT 1 FROM undo_records u WHERE u.event_id = e.id) \
             ORDER BY e.id DESC LIMIT 1",
        )
        .bind(base.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        let Some((event, None)) = event else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT child_id, previous_ids, previous_managed FROM undo_records \
             WHERE event_id = ? ORDER BY child_id",
        )
        .bind(event)
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            let child: String = row.try_get("child_id").map_err(|e| self.sql_err(&e))?;
            let previous: String = row.try_get("previous_ids").map_err(|e| self.sql_err(&e))?;
            let managed: String = row
                .try_get("previous_managed")
                .map_err(|e| self.sql_err(&e))?;
            entries.push(UndoEntry {
                child: ChildPlaylistId::new(child),
                previous: decode(&previous).map_err(err)?,
                previous_managed: decode(&managed).map_err(err)?,
            });
        }
        Ok(Some(UndoRecord {
            event: SyncEventId(event),
            entries,
        }))
    }

    async fn mark_undone(&self, event: SyncEventId) -> StorageResult<()> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        sqlx::query("UPDATE sync_events SET undone_at = ? WHERE id = ?")
            .bind(now)
            .bind(event.0)
            .execute(self.pool())
            .await
            .map_err(|e| self.sql_err(&e))?;
        // The children no longer match the base's routing: the next sync routes again.
        sqlx::query(&format!(
            "UPDATE bases SET last_fingerprint = NULL, updated_at = {NOW} \
             WHERE id = (SELECT base_id FROM sync_events WHERE id = ?)"
        ))
        .bind(event.0)
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn adopt_interrupted(
        &self,
        base: &BasePlaylistId,
        event: SyncEventId,
    ) -> StorageResult<()> {
        let mut tx = self.pool().begin().await.map_err(|e| self.sql_err(&e))?;
        // Interrupted syncs since the last completed one, not undone, not yet taken over.
        // Older ones stay apart: a sync completed after them started from what they left.
        let interrupted: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM sync_events WHERE base_id = ?1 AND kind = 'sync' AND id < ?2 \
             AND status IN ('failed', 'cancelled') AND undone_at IS NULL \
             AND merged_into IS NULL \
             AND id > COALESCE((SELECT MAX(id) FROM sync_events WHERE base_id = ?1 \
                 AND status = 'completed' AND id < ?2), 0) \
             ORDER BY id",
        )
        .bind(base.as_str())
        .bind(event.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| self.sql_err(&e))?;
        for old in interrupted {
            // Oldest first, and an entry already there wins: each child keeps its state from
            // before the first of the runs.
            sqlx::query(
                "INSERT OR IGNORE INTO undo_records (event_id, child_id, previous_ids, \
                 previous_managed) SELECT ?, child_id, previous_ids, previous_managed \
                 FROM undo_records WHERE event_id = ?",
            )
            .bind(event.0)
            .bind(old)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql_err(&e))?;
            sqlx::query("UPDATE sync_events SET merged_into = ? WHERE id = ?")
                .bind(event.0)
                .bind(old)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.sql_err(&e))
    }

    async fn forget_routing(&self, base: &BasePlaylistId) -> StorageResult<()> {
        sqlx::query(&format!(
            "UPDATE bases SET last_fingerprint = NULL, updated_at = {NOW} WHERE id = ?"
        ))
        .bind(base.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn save_plan(&self, plan: &WritePlan) -> StorageResult<()> {
        let managed = self.managed(&plan.child).await?;
        let during = plan.managed_during(&managed);
        let mut tx = self.pool().begin().await.map_err(|e| self.sql_err(&e))?;
        sqlx::query(
            "INSERT OR REPLACE INTO write_plans (child_id, base_id, event_id, purpose, plan) \
             SELECT id, base_id, ?, ?, ? FROM children WHERE id = ?",
        )
        .bind(plan.event.0)
        .bind(plan.purpose.as_str())
        .bind(encode(plan))
        .bind(plan.child.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.sql_err(&e))?;
        for id in &during {
            sqlx::query("INSERT OR IGNORE INTO managed_tracks (child_id, track_id) VALUES (?, ?)")
                .bind(plan.child.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql_err(&e))?;
        }
        sqlx::query(&format!(
            "UPDATE children SET known_snapshot_id = NULL, known_tracks = NULL, \
             updated_at = {NOW} WHERE id = ?"
        ))
        .bind(plan.child.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.sql_err(&e))?;
        tx.commit().await.map_err(|e| self.sql_err(&e))
    }

    async fn plan_step(&self, child: &ChildPlaylistId, steps_done: u32) -> StorageResult<()> {
        sqlx::query("UPDATE write_plans SET steps_done = ? WHERE child_id = ?")
            .bind(i64::from(steps_done))
            .bind(child.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn finish_plan(&self, plan: &WritePlan, known: &KnownContents) -> StorageResult<()> {
        let mut tx = self.pool().begin().await.map_err(|e| self.sql_err(&e))?;
        sqlx::query("DELETE FROM write_plans WHERE child_id = ?")
            .bind(plan.child.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql_err(&e))?;
        sqlx::query("DELETE FROM managed_tracks WHERE child_id = ?")
            .bind(plan.child.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.sql_err(&e))?;
        for id in &plan.managed_after {
            sqlx::query("INSERT OR IGNORE INTO managed_tracks (child_id, track_id) VALUES (?, ?)")
                .bind(plan.child.as_str())
                .bind(id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.sql_err(&e))?;
        }
        sqlx::query(&format!(
            "UPDATE children SET known_snapshot_id = ?, known_tracks = ?, updated_at = {NOW} \
             WHERE id = ?"
        ))
        .bind(known.snapshot.as_str())
        .bind(encode(&known.tracks))
        .bind(plan.child.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.sql_err(&e))?;
        tx.commit().await.map_err(|e| self.sql_err(&e))
    }

    async fn drop_plan(&self, child: &ChildPlaylistId) -> StorageResult<()> {
        sqlx::query("DELETE FROM write_plans WHERE child_id = ?")
            .bind(child.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn unfinished_plans(&self, base: &BasePlaylistId) -> StorageResult<Vec<WritePlan>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT child_id, plan FROM write_plans WHERE base_id = ? ORDER BY event_id, child_id",
        )
        .bind(base.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        rows.into_iter()
            .map(|(child, plan)| {
                decode::<WritePlan>(&plan).map_err(|e| {
                    // A plan that does not read can only be finished by hand: say which.
                    err(format!(
                        "the unfinished write plan of child {child} cannot be read ({e}); \
                         the child is as the interrupted sync left it"
                    ))
                })
            })
            .collect()
    }

    async fn record_synced(
        &self,
        base: &BasePlaylistId,
        snapshot: &SnapshotId,
        fingerprint: &str,
    ) -> StorageResult<()> {
        sqlx::query(&format!(
            "UPDATE bases SET last_snapshot_id = ?, last_fingerprint = ?, last_synced_at = {NOW}, \
             updated_at = {NOW} WHERE id = ?"
        ))
        .bind(snapshot.as_str())
        .bind(fingerprint)
        .bind(base.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }

    async fn list_contents(
        &self,
        connection: &ConnectionId,
        list: &PlaylistId,
    ) -> StorageResult<Option<KnownContents>> {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT snapshot_id, tracks FROM library_lists WHERE connection_id = ? AND list_id = ?",
        )
        .bind(connection.as_str())
        .bind(list.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        // A row that cannot be read is a cache miss: the list is read again.
        Ok(row.and_then(|(snapshot, tracks)| {
            decode::<Vec<TrackId>>(&tracks)
                .ok()
                .map(|tracks| KnownContents {
                    snapshot: SnapshotId::new(snapshot),
                    tracks,
                })
        }))
    }

    async fn set_list_contents(
        &self,
        connection: &ConnectionId,
        list: &PlaylistId,
        contents: &KnownContents,
    ) -> StorageResult<()> {
        sqlx::query(&format!(
            "INSERT INTO library_lists (connection_id, list_id, snapshot_id, tracks, updated_at) \
             VALUES (?, ?, ?, ?, {NOW}) ON CONFLICT(connection_id, list_id) DO UPDATE SET \
             snapshot_id = excluded.snapshot_id, tracks = excluded.tracks, \
             updated_at = excluded.updated_at"
        ))
        .bind(connection.as_str())
        .bind(list.as_str())
        .bind(contents.snapshot.as_str())
        .bind(encode(&contents.tracks))
        .execute(self.pool())
        .await
        .map_err(|e| self.sql_err(&e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::setup::{NewBase, NewChild};
    use syncer_core::engine::{ChildReport, ChildState};
    use syncer_core::filter::query;
    use syncer_core::ids::ConnectionId;

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
        (dir, store)
    }

    async fn base_with_child(store: &Store) -> (BasePlaylistId, ChildPlaylistId) {
        let base = BasePlaylistId::new("b1");
        let child = ChildPlaylistId::new("c1");
        store
            .add_base(&NewBase {
                id: base.clone(),
                connection: ConnectionId::new("conn"),
                name: "Base".into(),
            })
            .await
            .unwrap();
        store
            .add_child(&NewChild {
                id: child.clone(),
                base: base.clone(),
                name: "Rock".into(),
                query: "genre:rock".into(),
                filter: query::parse("genre:rock").unwrap(),
                mirror: Default::default(),
                allow_empty: false,
            })
            .await
            .unwrap();
        (base, child)
    }

    #[tokio::test]
    async fn the_cache_serves_only_fresh_objects() {
        let (_dir, store) = store().await;
        let obj = |id: &str| CachedObject {
            id: id.into(),
            json: format!("{{\"id\":\"{id}\"}}"),
        };
        store
            .cache(
                LookupKind::Artist,
                &[obj("a1")],
                Timestamp::from_unix_seconds(100),
            )
            .await
            .unwrap();
        store
            .cache(
                LookupKind::Artist,
                &[obj("a2")],
                Timestamp::from_unix_seconds(200),
            )
            .await
            .unwrap();
        let ids = vec!["a1".to_owned(), "a2".to_owned(), "a3".to_owned()];
        let fresh = store
            .cached(LookupKind::Artist, &ids, Timestamp::from_unix_seconds(150))
            .await
            .unwrap();
        assert_eq!(fresh, vec![obj("a2")]);
        // Kinds are kept apart.
        let albums = store
            .cached(LookupKind::Album, &ids, Timestamp::from_unix_seconds(0))
            .await
            .unwrap();
        assert!(albums.is_empty());
    }

    #[tokio::test]
    async fn setup_managed_ids_and_known_contents_round_trip() {
        let (_dir, store) = store().await;
        let (base, child) = base_with_child(&store).await;
        let ids = [TrackId::new("t1"), TrackId::new("t2")];
        store.add_managed(&child, &ids).await.unwrap();
        store.remove_managed(&child, &ids[..1]).await.unwrap();
        assert_eq!(
            store.managed(&child).await.unwrap(),
            [TrackId::new("t2")].into_iter().collect()
        );
        let known = KnownContents {
            snapshot: SnapshotId::new("s1"),
            tracks: ids.to_vec(),
        };
        store.set_known(&child, Some(&known)).await.unwrap();
        let setup = store.load_base(&base).await.unwrap().unwrap();
        assert_eq!(setup.children[0].known, Some(known));
        assert_eq!(setup.children[0].query, "genre:rock");
        store.forget_sync_state(&base).await.unwrap();
        let setup = store.load_base(&base).await.unwrap().unwrap();
        assert_eq!(setup.children[0].known, None);
        assert!(store.managed(&child).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn interrupted_events_name_partly_written_children() {
        let (_dir, store) = store().await;
        let (base, child) = base_with_child(&store).await;
        let t = Timestamp::from_unix_seconds;
        let event = store
            .begin_event(&base, EventKind::Sync, t(1_000), t(0))
            .await
            .unwrap();
        // A second sync of the same base is refused while the first is fresh...
        let busy = store
            .begin_event(&base, EventKind::Sync, t(1_001), t(0))
            .await
            .unwrap_err();
        assert!(busy.busy);
        let mut report = SyncReport::new(base.clone(), 1_000);
        report.children.push(ChildReport {
            id: child.clone(),
            name: "Rock".into(),
            state: ChildState::Writing,
            wanted: 10,
            added: 3,
            removed: 0,
            kept_user_tracks: 0,
            write_requests: 1,
            note: None,
            error: None,
        });
        store.save_progress(event, &report).await.unwrap();
        let marked = store.mark_interrupted().await.unwrap();
        assert_eq!(marked.len(), 1);
        assert!(
            marked[0]
                .error
                .as_deref()
                .unwrap()
                .contains("partly written: Rock")
        );
        let events = store.list_events(Some(&base), 5).await.unwrap();
        assert_eq!(events[0].status, SyncStatus::Failed);
        // ...and one left running past the stuck limit does not block a new sync.
        let stuck = store
            .begin_event(&base, EventKind::Sync, t(2_000), t(0))
            .await
            .unwrap();
        let next = store
            .begin_event(&base, EventKind::Sync, t(5_000), t(3_000))
            .await
            .unwrap();
        assert!(next.0 > stuck.0);
        let events = store.list_events(Some(&base), 5).await.unwrap();
        assert!(events[1].error.as_deref().unwrap().contains("stuck"));
    }

    #[tokio::test]
    async fn a_sync_of_a_running_process_is_not_marked_interrupted() {
        let (_dir, store) = store().await;
        let (base, _) = base_with_child(&store).await;
        let t = Timestamp::from_unix_seconds;
        let event = store
            .begin_event(&base, EventKind::Sync, t(1_000), t(0))
            .await
            .unwrap();
        // Owned by process 1, which runs as long as the system does.
        sqlx::query("UPDATE sync_events SET owner_pid = 1 WHERE id = ?")
            .bind(event.0)
            .execute(store.pool())
            .await
            .unwrap();
        if std::path::Path::new("/proc/1").exists() {
            assert!(store.mark_interrupted().await.unwrap().is_empty());
            assert_eq!(store.running_event(&base).await.unwrap(), Some(event));
        }
    }
}
