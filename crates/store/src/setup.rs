//! The `bases` and `children` repositories: what the user set up to sync. Edits to a base
//! that is syncing are refused (the in-progress sync event is the durable marker).

use sqlx::Row as _;
use sqlx::sqlite::SqliteRow;
use syncer_core::engine::MirrorMode;
use syncer_core::engine::codec::{decode, encode};
use syncer_core::filter::{Filter, LimitError, Routing, from_json, to_json, validate};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId, SnapshotId};
use syncer_core::jobs::Schedule;

use crate::error::StoreError;
use crate::open::Store;

/// Why a setup change was refused.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "a sync of base {base} is in progress; wait for it to finish or cancel it, then try \
         again"
    )]
    SyncInProgress { base: BasePlaylistId },
    #[error("{what} is not set up in Syncer")]
    NotFound { what: String },
    #[error("{what} is already set up in Syncer")]
    Exists { what: String },
    #[error("stored {what} could not be read ({cause}); remove and add it again")]
    Unreadable { what: String, cause: String },
    /// A child whose stored filter cannot be read: everything that needs its filter (preview,
    /// sync) stops here, naming the child and the two ways out.
    #[error(
        "the filter of child {child} ({name}) cannot be read: {reason}. Replace its query \
         (it was: {query}) or remove the child"
    )]
    BrokenFilter {
        child: ChildPlaylistId,
        name: String,
        query: String,
        reason: String,
    },
    /// A filter Syncer would not be able to read back once stored.
    #[error("the filter of {what} cannot be stored: {cause}")]
    InvalidFilter { what: String, cause: LimitError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseRecord {
    pub id: BasePlaylistId,
    pub connection: ConnectionId,
    pub name: String,
    pub routing: Routing,
    pub schedule: Schedule,
    pub last_snapshot: Option<SnapshotId>,
    pub last_fingerprint: Option<String>,
    pub last_synced_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBase {
    pub id: BasePlaylistId,
    pub connection: ConnectionId,
    pub name: String,
}

/// A stored filter that cannot be read (saved by a newer Syncer, damaged, or refused by the
/// checks of this version). The child still lists, edits, removes and exports: only what needs
/// the filter itself refuses, with [`SetupError::BrokenFilter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenFilter {
    /// Why it cannot be read, for the user.
    pub reason: String,
    /// The stored JSON exactly as it is: exported as it is, and kept by an edit that does not
    /// replace the query.
    pub stored: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRecord {
    pub id: ChildPlaylistId,
    pub base: BasePlaylistId,
    pub name: String,
    /// The query as the user wrote it: kept even when the filter cannot be read.
    pub query: String,
    pub filter: Result<Filter, BrokenFilter>,
    pub position: i64,
    pub mirror: MirrorMode,
    pub allow_empty: bool,
    pub known_snapshot: Option<SnapshotId>,
    pub known_tracks: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChild {
    pub id: ChildPlaylistId,
    pub base: BasePlaylistId,
    pub name: String,
    pub query: String,
    pub filter: Filter,
    pub mirror: MirrorMode,
    pub allow_empty: bool,
}

/// Changes to a child; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildEdit {
    pub name: Option<String>,
    pub query: Option<(String, Filter)>,
    pub mirror: Option<MirrorMode>,
    pub allow_empty: Option<bool>,
}

pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// How old an in-progress event may be and still block edits (a stuck sync does not).
const STUCK_AFTER_SECS: i64 = 30 * 60;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn base_record(row: &SqliteRow) -> Result<BaseRecord, SetupError> {
    let get = |e: sqlx::Error| SetupError::Unreadable {
        what: "a base".into(),
        cause: e.to_string(),
    };
    let id: String = row.try_get("id").map_err(get)?;
    let routing: String = row.try_get("routing").map_err(get)?;
    let schedule: String = row.try_get("schedule").map_err(get)?;
    let bad = |cause: String| SetupError::Unreadable {
        what: format!("base {id}"),
        cause,
    };
    Ok(BaseRecord {
        connection: ConnectionId::new(row.try_get::<String, _>("connection_id").map_err(get)?),
        name: row.try_get("name").map_err(get)?,
        routing: decode(&routing).map_err(bad)?,
        schedule: decode(&schedule).map_err(bad)?,
        last_snapshot: row
            .try_get::<Option<String>, _>("last_snapshot_id")
            .map_err(get)?
            .map(SnapshotId::new),
        last_fingerprint: row.try_get("last_fingerprint").map_err(get)?,
        last_synced_at: row.try_get("last_synced_at").map_err(get)?,
        id: BasePlaylistId::new(id),
    })
}

impl ChildRecord {
    /// The filter, or [`SetupError::BrokenFilter`] naming this child and how to fix it.
    pub fn readable_filter(&self) -> Result<&Filter, SetupError> {
        self.filter
            .as_ref()
            .map_err(|broken| SetupError::BrokenFilter {
                child: self.id.clone(),
                name: self.name.clone(),
                query: self.query.clone(),
                reason: broken.reason.clone(),
            })
    }

    /// Why the filter cannot be read, if it cannot.
    pub fn broken(&self) -> Option<&BrokenFilter> {
        self.filter.as_ref().err()
    }
}

/// The JSON to store for a filter, refusing one that could not be read back (the parser
/// refuses these already; this guards every other way a filter reaches the store).
pub(crate) fn storable(
    filter: &Filter,
    what: impl FnOnce() -> String,
) -> Result<String, SetupError> {
    validate(filter).map_err(|cause| SetupError::InvalidFilter {
        what: what(),
        cause,
    })?;
    Ok(to_json(filter))
}

fn child_record(row: &SqliteRow) -> Result<ChildRecord, SetupError> {
    let get = |e: sqlx::Error| SetupError::Unreadable {
        what: "a child".into(),
        cause: e.to_string(),
    };
    let id: String = row.try_get("id").map_err(get)?;
    let filter_json: String = row.try_get("filter_json").map_err(get)?;
    let mirror: String = row.try_get("mirror").map_err(get)?;
    Ok(ChildRecord {
        base: BasePlaylistId::new(row.try_get::<String, _>("base_id").map_err(get)?),
        name: row.try_get("name").map_err(get)?,
        query: row.try_get("query").map_err(get)?,
        // A filter that cannot be read makes a broken child, not an unreadable setup: the
        // user must still be able to list, edit, remove and export it.
        filter: from_json(&filter_json).map_err(|e| BrokenFilter {
            reason: e.to_string(),
            stored: filter_json.clone(),
        }),
        position: row.try_get("position").map_err(get)?,
        // An unknown mode (written by a newer version) falls back to the safe one.
        mirror: MirrorMode::parse(&mirror).unwrap_or_default(),
        allow_empty: row.try_get::<i64, _>("allow_empty").map_err(get)? != 0,
        known_snapshot: row
            .try_get::<Option<String>, _>("known_snapshot_id")
            .map_err(get)?
            .map(SnapshotId::new),
        known_tracks: row.try_get("known_tracks").map_err(get)?,
        id: ChildPlaylistId::new(id),
    })
}

const BASE_COLUMNS: &str = "id, connection_id, name, routing, schedule, last_snapshot_id, \
                            last_fingerprint, last_synced_at";
const CHILD_COLUMNS: &str = "id, base_id, name, query, filter_json, position, mirror, \
                             allow_empty, known_snapshot_id, known_tracks";

impl Store {
    pub(crate) fn db_err(&self, e: &sqlx::Error) -> StoreError {
        StoreError::classify(self.path().to_path_buf(), e)
    }

    /// Refuses when a sync of `base` is running (an in-progress event younger than 30 min).
    pub async fn ensure_not_syncing(&self, base: &BasePlaylistId) -> Result<(), SetupError> {
        self.ensure_not_syncing_since(base, unix_now() - STUCK_AFTER_SECS)
            .await
    }

    /// As [`Self::ensure_not_syncing`], with events started before `stale_before` (unix
    /// seconds) treated as stuck.
    pub(crate) async fn ensure_not_syncing_since(
        &self,
        base: &BasePlaylistId,
        stale_before: i64,
    ) -> Result<(), SetupError> {
        let running: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM sync_events WHERE base_id = ? AND status = 'in_progress' \
             AND started_at >= ? LIMIT 1",
        )
        .bind(base.as_str())
        .bind(stale_before)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        match running {
            Some(_) => Err(SetupError::SyncInProgress { base: base.clone() }),
            None => Ok(()),
        }
    }

    pub async fn add_base(&self, new: &NewBase) -> Result<(), SetupError> {
        if self.get_base(&new.id).await?.is_some() {
            return Err(SetupError::Exists {
                what: format!("base {}", new.id),
            });
        }
        sqlx::query("INSERT INTO bases (id, connection_id, name) VALUES (?, ?, ?)")
            .bind(new.id.as_str())
            .bind(new.connection.as_str())
            .bind(&new.name)
            .execute(self.pool())
            .await
            .map_err(|e| self.db_err(&e))?;
        Ok(())
    }

    pub async fn list_bases(&self) -> Result<Vec<BaseRecord>, SetupError> {
        let rows = sqlx::query(&format!(
            "SELECT {BASE_COLUMNS} FROM bases ORDER BY created_at, id"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        rows.iter().map(base_record).collect()
    }

    pub async fn get_base(&self, id: &BasePlaylistId) -> Result<Option<BaseRecord>, SetupError> {
        let row = sqlx::query(&format!("SELECT {BASE_COLUMNS} FROM bases WHERE id = ?"))
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.db_err(&e))?;
        row.as_ref().map(base_record).transpose()
    }

    /// Removes a base and its children from Syncer (the playlists on the service stay).
    pub async fn remove_base(&self, id: &BasePlaylistId) -> Result<(), SetupError> {
        self.ensure_not_syncing(id).await?;
        let done = sqlx::query("DELETE FROM bases WHERE id = ?")
            .bind(id.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.db_err(&e))?;
        if done.rows_affected() == 0 {
            return Err(SetupError::NotFound {
                what: format!("base {id}"),
            });
        }
        Ok(())
    }

    pub async fn set_base_schedule(
        &self,
        id: &BasePlaylistId,
        schedule: &Schedule,
    ) -> Result<(), SetupError> {
        self.update_base(id, "schedule", &encode(schedule)).await
    }

    /// Sets how a base routes. A catch-all must be one of the base's children.
    pub async fn set_base_routing(
        &self,
        id: &BasePlaylistId,
        routing: &Routing,
    ) -> Result<(), SetupError> {
        self.ensure_not_syncing(id).await?;
        if let Some(catch_all) = &routing.catch_all
            && self
                .get_child(catch_all)
                .await?
                .is_none_or(|c| &c.base != id)
        {
            return Err(SetupError::NotFound {
                what: format!("child {catch_all} of base {id}"),
            });
        }
        self.update_base(id, "routing", &encode(routing)).await
    }

    /// A base's children in the order first-match routing tries them: the routing's stored
    /// order first, then the others in the order they were added (as the engine does).
    pub async fn children_in_order(
        &self,
        base: &BasePlaylistId,
    ) -> Result<Vec<ChildRecord>, SetupError> {
        let record = self
            .get_base(base)
            .await?
            .ok_or_else(|| SetupError::NotFound {
                what: format!("base {base}"),
            })?;
        let children = self.list_children(base).await?;
        Ok(order_children(&record.routing, children))
    }

    /// Moves a child to `index` (0-based; past the end means last) in its base's routing
    /// order, and stores the whole order: in the routing, which the engine follows, and in
    /// the children's positions, so every listing agrees. Returns the children in the new
    /// order.
    pub async fn move_child(
        &self,
        id: &ChildPlaylistId,
        index: usize,
    ) -> Result<Vec<ChildRecord>, SetupError> {
        let child = self
            .get_child(id)
            .await?
            .ok_or_else(|| SetupError::NotFound {
                what: format!("child {id}"),
            })?;
        self.ensure_not_syncing(&child.base).await?;
        let record = self
            .get_base(&child.base)
            .await?
            .ok_or_else(|| SetupError::NotFound {
                what: format!("base {}", child.base),
            })?;
        let mut ordered = self.children_in_order(&child.base).await?;
        let from =
            ordered
                .iter()
                .position(|c| &c.id == id)
                .ok_or_else(|| SetupError::NotFound {
                    what: format!("child {id}"),
                })?;
        let moved = ordered.remove(from);
        ordered.insert(index.min(ordered.len()), moved);
        let routing = Routing {
            order: ordered.iter().map(|c| c.id.clone()).collect(),
            ..record.routing
        };
        let mut tx = self.pool().begin().await.map_err(|e| self.db_err(&e))?;
        sqlx::query(&format!(
            "UPDATE bases SET routing = ?, updated_at = {NOW} WHERE id = ?"
        ))
        .bind(encode(&routing))
        .bind(child.base.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.db_err(&e))?;
        for (position, c) in ordered.iter_mut().enumerate() {
            c.position = i64::try_from(position).unwrap_or(i64::MAX);
            sqlx::query("UPDATE children SET position = ? WHERE id = ?")
                .bind(c.position)
                .bind(c.id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(|e| self.db_err(&e))?;
        }
        tx.commit().await.map_err(|e| self.db_err(&e))?;
        Ok(ordered)
    }

    async fn update_base(
        &self,
        id: &BasePlaylistId,
        column: &'static str,
        value: &str,
    ) -> Result<(), SetupError> {
        let done = sqlx::query(&format!(
            "UPDATE bases SET {column} = ?, updated_at = {NOW} WHERE id = ?"
        ))
        .bind(value)
        .bind(id.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        if done.rows_affected() == 0 {
            return Err(SetupError::NotFound {
                what: format!("base {id}"),
            });
        }
        Ok(())
    }

    pub async fn add_child(&self, new: &NewChild) -> Result<(), SetupError> {
        self.ensure_not_syncing(&new.base).await?;
        if self.get_base(&new.base).await?.is_none() {
            return Err(SetupError::NotFound {
                what: format!("base {}", new.base),
            });
        }
        if self.get_child(&new.id).await?.is_some() {
            return Err(SetupError::Exists {
                what: format!("child {}", new.id),
            });
        }
        let filter_json = storable(&new.filter, || format!("child {}", new.id))?;
        sqlx::query(
            "INSERT INTO children (id, base_id, name, query, filter_json, position, mirror, \
             allow_empty) VALUES (?, ?, ?, ?, ?, \
             (SELECT COALESCE(MAX(position), -1) + 1 FROM children WHERE base_id = ?), ?, ?)",
        )
        .bind(new.id.as_str())
        .bind(new.base.as_str())
        .bind(&new.name)
        .bind(&new.query)
        .bind(filter_json)
        .bind(new.base.as_str())
        .bind(new.mirror.as_str())
        .bind(i64::from(new.allow_empty))
        .execute(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(())
    }

    pub async fn list_children(
        &self,
        base: &BasePlaylistId,
    ) -> Result<Vec<ChildRecord>, SetupError> {
        let rows = sqlx::query(&format!(
            "SELECT {CHILD_COLUMNS} FROM children WHERE base_id = ? ORDER BY position, id"
        ))
        .bind(base.as_str())
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        rows.iter().map(child_record).collect()
    }

    /// Refuses, naming the first child whose filter cannot be read and how to fix it, when a
    /// base has one: what preview and sync check before they start.
    pub async fn ensure_filters_readable(&self, base: &BasePlaylistId) -> Result<(), SetupError> {
        for child in self.list_children(base).await? {
            child.readable_filter()?;
        }
        Ok(())
    }

    pub async fn get_child(&self, id: &ChildPlaylistId) -> Result<Option<ChildRecord>, SetupError> {
        let row = sqlx::query(&format!(
            "SELECT {CHILD_COLUMNS} FROM children WHERE id = ?"
        ))
        .bind(id.as_str())
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        row.as_ref().map(child_record).transpose()
    }

    pub async fn edit_child(
        &self,
        id: &ChildPlaylistId,
        edit: &ChildEdit,
    ) -> Result<(), SetupError> {
        let child = self
            .get_child(id)
            .await?
            .ok_or_else(|| SetupError::NotFound {
                what: format!("child {id}"),
            })?;
        self.ensure_not_syncing(&child.base).await?;
        // A new query replaces the filter; without one the stored filter stays exactly as it
        // is, readable or not (renaming a broken child must not lose its filter).
        let (query, filter_json) = match (&edit.query, &child.filter) {
            (Some((query, filter)), _) => {
                (query.clone(), storable(filter, || format!("child {id}"))?)
            }
            (None, Ok(filter)) => (child.query.clone(), to_json(filter)),
            (None, Err(broken)) => (child.query.clone(), broken.stored.clone()),
        };
        sqlx::query(&format!(
            "UPDATE children SET name = ?, query = ?, filter_json = ?, mirror = ?, \
             allow_empty = ?, updated_at = {NOW} WHERE id = ?"
        ))
        .bind(edit.name.as_ref().unwrap_or(&child.name))
        .bind(query)
        .bind(filter_json)
        .bind(edit.mirror.unwrap_or(child.mirror).as_str())
        .bind(i64::from(edit.allow_empty.unwrap_or(child.allow_empty)))
        .bind(id.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(())
    }

    /// Removes a child from Syncer (the playlist on the service stays as it is).
    pub async fn remove_child(&self, id: &ChildPlaylistId) -> Result<(), SetupError> {
        let child = self
            .get_child(id)
            .await?
            .ok_or_else(|| SetupError::NotFound {
                what: format!("child {id}"),
            })?;
        self.ensure_not_syncing(&child.base).await?;
        sqlx::query("DELETE FROM children WHERE id = ?")
            .bind(id.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.db_err(&e))?;
        Ok(())
    }

    /// Forgets what Syncer knew about a base's playlists on the service (their versions,
    /// contents and which tracks it added), so the next sync reads everything again. For a
    /// service whose state was reset (the demo stand-in starts afresh in each command).
    pub async fn forget_sync_state(&self, base: &BasePlaylistId) -> Result<(), SetupError> {
        let mut tx = self.pool().begin().await.map_err(|e| self.db_err(&e))?;
        sqlx::query(&format!(
            "UPDATE bases SET last_snapshot_id = NULL, last_fingerprint = NULL, \
             updated_at = {NOW} WHERE id = ?"
        ))
        .bind(base.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.db_err(&e))?;
        sqlx::query(
            "UPDATE children SET known_snapshot_id = NULL, known_tracks = NULL WHERE base_id = ?",
        )
        .bind(base.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.db_err(&e))?;
        sqlx::query(
            "DELETE FROM managed_tracks WHERE child_id IN (SELECT id FROM children WHERE base_id = ?)",
        )
        .bind(base.as_str())
        .execute(&mut *tx)
        .await
        .map_err(|e| self.db_err(&e))?;
        // Plans name playlists of the service as it was; there is nothing of them to finish.
        sqlx::query("DELETE FROM write_plans WHERE base_id = ?")
            .bind(base.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| self.db_err(&e))?;
        tx.commit().await.map_err(|e| self.db_err(&e))?;
        Ok(())
    }
}

/// Children in the order first-match routing tries them: the routing's stored order first,
/// then the others as listed (the order they were added), as the engine does.
pub fn order_children(routing: &Routing, children: Vec<ChildRecord>) -> Vec<ChildRecord> {
    let mut rest = children;
    let mut ordered = Vec::with_capacity(rest.len());
    for id in &routing.order {
        if let Some(i) = rest.iter().position(|c| &c.id == id) {
            ordered.push(rest.remove(i));
        }
    }
    ordered.extend(rest);
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncer_core::filter::{RoutingMode, query};

    async fn base_with_children(n: usize) -> (tempfile::TempDir, Store, BasePlaylistId) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
        let base = BasePlaylistId::new("b1");
        store
            .add_base(&NewBase {
                id: base.clone(),
                connection: ConnectionId::new("conn"),
                name: "Base".into(),
            })
            .await
            .unwrap();
        for i in 0..n {
            store
                .add_child(&NewChild {
                    id: ChildPlaylistId::new(format!("c{i}")),
                    base: base.clone(),
                    name: format!("child {i}"),
                    query: "genre:rock".into(),
                    filter: query::parse("genre:rock").unwrap(),
                    mirror: MirrorMode::default(),
                    allow_empty: false,
                })
                .await
                .unwrap();
        }
        (dir, store, base)
    }

    fn ids(children: &[ChildRecord]) -> Vec<&str> {
        children.iter().map(|c| c.id.as_str()).collect()
    }

    #[tokio::test]
    async fn moving_a_child_stores_the_whole_order_and_keeps_the_rest_of_the_routing() {
        let (_dir, store, base) = base_with_children(3).await;
        let routing = Routing {
            mode: RoutingMode::FirstMatch,
            order: Vec::new(),
            catch_all: Some(ChildPlaylistId::new("c1")),
        };
        store.set_base_routing(&base, &routing).await.unwrap();
        assert_eq!(
            ids(&store.children_in_order(&base).await.unwrap()),
            ["c0", "c1", "c2"]
        );

        let moved = store
            .move_child(&ChildPlaylistId::new("c2"), 0)
            .await
            .unwrap();
        assert_eq!(ids(&moved), ["c2", "c0", "c1"]);
        assert_eq!(
            ids(&store.children_in_order(&base).await.unwrap()),
            ids(&moved)
        );
        // Listings by position agree with the routing order.
        assert_eq!(ids(&store.list_children(&base).await.unwrap()), ids(&moved));
        let record = store.get_base(&base).await.unwrap().unwrap();
        assert_eq!(record.routing.mode, RoutingMode::FirstMatch);
        assert_eq!(record.routing.catch_all, routing.catch_all);

        // Past the end is last; a child added later comes after the stored order.
        let moved = store
            .move_child(&ChildPlaylistId::new("c2"), 99)
            .await
            .unwrap();
        assert_eq!(ids(&moved), ["c0", "c1", "c2"]);

        let missing = store.move_child(&ChildPlaylistId::new("nope"), 0).await;
        assert!(matches!(missing, Err(SetupError::NotFound { .. })));

        // Not while the base syncs.
        use syncer_core::engine::SyncStorage as _;
        use syncer_core::filter::Timestamp;
        let now = unix_now();
        store
            .begin_event(
                &base,
                syncer_core::engine::EventKind::Sync,
                Timestamp::from_unix_seconds(now),
                Timestamp::from_unix_seconds(now - 60),
            )
            .await
            .unwrap();
        let busy = store.move_child(&ChildPlaylistId::new("c0"), 2).await;
        assert!(matches!(busy, Err(SetupError::SyncInProgress { .. })));
        let busy = store.set_base_routing(&base, &Routing::default()).await;
        assert!(matches!(busy, Err(SetupError::SyncInProgress { .. })));
    }

    #[tokio::test]
    async fn a_catch_all_must_be_a_child_of_the_base() {
        let (_dir, store, base) = base_with_children(1).await;
        let routing = Routing {
            catch_all: Some(ChildPlaylistId::new("elsewhere")),
            ..Routing::default()
        };
        let refused = store.set_base_routing(&base, &routing).await;
        assert!(matches!(refused, Err(SetupError::NotFound { .. })));
    }
}
