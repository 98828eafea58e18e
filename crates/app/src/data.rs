//! All local data as one JSON document, for the user to keep or inspect. The store holds no
//! secrets, so nothing needs leaving out.

use serde_json::{Value, json};
use syncer_store::Store;

use crate::error::AppResult;

/// The export format's name and version, so a later Syncer can read an old export.
pub const EXPORT_FORMAT: &str = "syncer-export";
pub const EXPORT_VERSION: u32 = 1;

pub async fn export(store: &Store) -> AppResult<Value> {
    let connections: Vec<_> = store
        .list_connections()
        .await?
        .into_iter()
        .map(|c| {
            json!({"id": c.id, "provider": c.provider, "name": c.display_name,
                   "auth_kind": c.auth_kind, "account_id": c.account_id,
                   "status": c.status.as_str(), "created_at": c.created_at})
        })
        .collect();
    let mut bases = Vec::new();
    for b in store.list_bases().await? {
        let children: Vec<_> = store
            .list_children(&b.id)
            .await?
            .into_iter()
            .map(|c| {
                let mut child = json!({"id": c.id, "name": c.name, "query": c.query,
                       "mirror": c.mirror, "allow_empty": c.allow_empty});
                match &c.filter {
                    Ok(filter) => {
                        child["filter"] = syncer_core::filter::to_json_value(filter);
                    }
                    // Exported as stored, with the reason: an export loses nothing, and says
                    // which child needs its query replaced.
                    Err(broken) => {
                        child["filter"] = Value::Null;
                        child["broken"] = json!({"reason": broken.reason,
                                                 "stored_filter": broken.stored});
                    }
                }
                child
            })
            .collect();
        bases.push(
            json!({"id": b.id, "connection": b.connection, "name": b.name,
            "routing": b.routing, "schedule": b.schedule, "last_snapshot_id": b.last_snapshot,
            "last_synced_at": b.last_synced_at, "children": children}),
        );
    }
    let events: Vec<_> = store
        .list_events(None, u32::MAX)
        .await?
        .into_iter()
        .map(|e| {
            json!({"id": e.id, "base": e.base, "status": e.status, "started_at": e.started_at,
                   "finished_at": e.finished_at, "error": e.error, "report": e.report})
        })
        .collect();
    // The user's own genres are part of their setup ("my genres").
    let my_genres: Vec<_> = store
        .list_user_genres()
        .await?
        .into_iter()
        .map(|g| json!({"artist": g.artist, "name": g.name, "genres": g.genres}))
        .collect();
    Ok(
        json!({"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "connections": connections,
              "bases": bases, "my_genres": my_genres, "sync_events": events}),
    )
}
