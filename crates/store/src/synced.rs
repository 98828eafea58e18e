//! Writing setup that arrived from another device (through the cloud): upserts that keep
//! this device's own sync state (what it last wrote to each playlist) and refuse to change a
//! base while it syncs, like local edits do.

use sqlx::Row as _;
use syncer_core::engine::MirrorMode;
use syncer_core::engine::codec::encode;
use syncer_core::filter::{Filter, Routing};
use syncer_core::ids::{BasePlaylistId, ChildPlaylistId, ConnectionId};
use syncer_core::jobs::Schedule;

use crate::connections::ConnectionStatus;
use crate::error::StoreError;
use crate::open::Store;
use crate::setup::{NOW, SetupError};

/// A connection's settings, without its sign-in (tokens never leave a device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedConnection {
    pub id: ConnectionId,
    pub provider: String,
    pub display_name: String,
    pub auth_kind: String,
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedBase {
    pub id: BasePlaylistId,
    pub connection: ConnectionId,
    pub name: String,
    pub routing: Routing,
    pub schedule: Schedule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedChild {
    pub id: ChildPlaylistId,
    pub base: BasePlaylistId,
    pub name: String,
    pub query: String,
    pub filter: Filter,
    pub position: i64,
    pub mirror: MirrorMode,
    pub allow_empty: bool,
}

impl Store {
    /// Adds or updates a connection that came from another device. A new one starts as
    /// "sign in needed" (with `needs_sign_in`), since its tokens stayed on the other device.
    pub async fn upsert_synced_connection(
        &self,
        c: &SyncedConnection,
        needs_sign_in: bool,
    ) -> Result<(), StoreError> {
        let status = if needs_sign_in {
            ConnectionStatus::ReconnectNeeded
        } else {
            ConnectionStatus::Ok
        };
        sqlx::query(&format!(
            "INSERT INTO connections (id, provider, display_name, auth_kind, account_id, status, \
             status_detail) VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET provider = excluded.provider, \
             display_name = excluded.display_name, auth_kind = excluded.auth_kind, \
             account_id = excluded.account_id, updated_at = {NOW}"
        ))
        .bind(c.id.as_str())
        .bind(&c.provider)
        .bind(&c.display_name)
        .bind(&c.auth_kind)
        .bind(&c.account_id)
        .bind(status.as_str())
        .bind(needs_sign_in.then_some("set up on another device: sign in here to use it"))
        .execute(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(())
    }

    /// Every provider's OAuth client id the user entered.
    pub async fn list_provider_clients(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows =
            sqlx::query("SELECT provider, client_id FROM provider_clients ORDER BY provider")
                .fetch_all(self.pool())
                .await
                .map_err(|e| self.db_err(&e))?;
        rows.iter()
            .map(|r| Ok((r.try_get("provider")?, r.try_get("client_id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(|e| self.db_err(&e))
    }

    pub async fn delete_provider_client(&self, provider: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM provider_clients WHERE provider = ?")
            .bind(provider)
            .execute(self.pool())
            .await
            .map_err(|e| self.db_err(&e))?;
        Ok(())
    }

    pub async fn upsert_synced_base(&self, b: &SyncedBase) -> Result<(), SetupError> {
        self.ensure_not_syncing(&b.id).await?;
        sqlx::query(&format!(
            "INSERT INTO bases (id, connection_id, name, routing, schedule) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET connection_id = excluded.connection_id, \
             name = excluded.name, routing = excluded.routing, schedule = excluded.schedule, \
             updated_at = {NOW}"
        ))
        .bind(b.id.as_str())
        .bind(b.connection.as_str())
        .bind(&b.name)
        .bind(encode(&b.routing))
        .bind(encode(&b.schedule))
        .execute(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(())
    }

    pub async fn upsert_synced_child(&self, c: &SyncedChild) -> Result<(), SetupError> {
        self.ensure_not_syncing(&c.base).await?;
        if self.get_base(&c.base).await?.is_none() {
            return Err(SetupError::NotFound {
                what: format!("base {} of child {}", c.base, c.id),
            });
        }
        sqlx::query(&format!(
            "INSERT INTO children (id, base_id, name, query, filter_json, position, mirror, \
             allow_empty) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT(id) DO UPDATE SET base_id = excluded.base_id, name = excluded.name, \
             query = excluded.query, filter_json = excluded.filter_json, \
             position = excluded.position, mirror = excluded.mirror, \
             allow_empty = excluded.allow_empty, updated_at = {NOW}"
        ))
        .bind(c.id.as_str())
        .bind(c.base.as_str())
        .bind(&c.name)
        .bind(&c.query)
        .bind(crate::setup::storable(&c.filter, || {
            format!("synced child {}", c.id)
        })?)
        .bind(c.position)
        .bind(c.mirror.as_str())
        .bind(i64::from(c.allow_empty))
        .execute(self.pool())
        .await
        .map_err(|e| self.db_err(&e))?;
        Ok(())
    }
}
