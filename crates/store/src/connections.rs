//! The `connections` repository: one row per connected account, and the user's OAuth client id
//! per provider. Never a secret: tokens and keys are in the keyring under the connection's id.

use sqlx::Row as _;
use sqlx::sqlite::SqliteRow;
use syncer_core::ids::ConnectionId;

use crate::error::StoreError;
use crate::open::Store;

/// Whether a connection can be used as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionStatus {
    Ok,
    /// Its sign-in is gone for good (revoked, expired refresh token): the user must reconnect.
    ReconnectNeeded,
    /// The service refuses the account for the app (Spotify's Development Mode serves only
    /// the users listed in the app's dashboard): the tokens are fine, the app's owner must add
    /// the account. Cleared by the next call that succeeds.
    NotInAppUsers,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::ReconnectNeeded => "reconnect_needed",
            Self::NotInAppUsers => "not_in_app_users",
        }
    }

    fn parse(value: &str) -> Self {
        match value {
            "ok" => Self::Ok,
            "not_in_app_users" => Self::NotInAppUsers,
            // An unknown status (a newer version wrote it) is treated as unusable, which asks
            // the user to reconnect rather than failing syncs silently.
            _ => Self::ReconnectNeeded,
        }
    }
}

/// A stored connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionRecord {
    pub id: ConnectionId,
    pub provider: String,
    pub display_name: String,
    /// `oauth2_pkce` or `api_key`.
    pub auth_kind: String,
    pub account_id: Option<String>,
    pub status: ConnectionStatus,
    pub status_detail: Option<String>,
    /// What the provider lets this account do, as JSON (written by the provider client).
    pub capabilities: Option<String>,
    /// When the user last authorised its sign-in (Unix seconds): what bounds a sign-in whose
    /// refresh tokens expire a fixed time after it. `None` for API keys and older rows.
    pub sign_in_granted_at: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A connection to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    pub id: ConnectionId,
    pub provider: String,
    pub display_name: String,
    pub auth_kind: String,
    pub account_id: Option<String>,
}

const COLUMNS: &str = "id, provider, display_name, auth_kind, account_id, status, status_detail, \
                       capabilities, sign_in_granted_at, created_at, updated_at";
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

fn record(row: &SqliteRow) -> Result<ConnectionRecord, sqlx::Error> {
    Ok(ConnectionRecord {
        id: ConnectionId::new(row.try_get::<String, _>("id")?),
        provider: row.try_get("provider")?,
        display_name: row.try_get("display_name")?,
        auth_kind: row.try_get("auth_kind")?,
        account_id: row.try_get("account_id")?,
        status: ConnectionStatus::parse(&row.try_get::<String, _>("status")?),
        status_detail: row.try_get("status_detail")?,
        capabilities: row.try_get("capabilities")?,
        sign_in_granted_at: row.try_get("sign_in_granted_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    fn classify_err(&self, err: &sqlx::Error) -> StoreError {
        StoreError::classify(self.path().to_path_buf(), err)
    }

    /// Every connection, oldest first.
    pub async fn list_connections(&self) -> Result<Vec<ConnectionRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM connections ORDER BY created_at, id"
        ))
        .fetch_all(self.pool())
        .await
        .map_err(|e| self.classify_err(&e))?;
        rows.iter()
            .map(record)
            .collect::<Result<_, _>>()
            .map_err(|e| self.classify_err(&e))
    }

    pub async fn get_connection(
        &self,
        id: &ConnectionId,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM connections WHERE id = ?"))
            .bind(id.as_str())
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.classify_err(&e))?;
        row.as_ref()
            .map(record)
            .transpose()
            .map_err(|e| self.classify_err(&e))
    }

    /// The connection of one account on one provider, if it is connected already.
    pub async fn find_connection_by_account(
        &self,
        provider: &str,
        account_id: &str,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM connections WHERE provider = ? AND account_id = ? \
             ORDER BY created_at LIMIT 1"
        ))
        .bind(provider)
        .bind(account_id)
        .fetch_optional(self.pool())
        .await
        .map_err(|e| self.classify_err(&e))?;
        row.as_ref()
            .map(record)
            .transpose()
            .map_err(|e| self.classify_err(&e))
    }

    pub async fn insert_connection(&self, new: &NewConnection) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO connections (id, provider, display_name, auth_kind, account_id) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(new.id.as_str())
        .bind(&new.provider)
        .bind(&new.display_name)
        .bind(&new.auth_kind)
        .bind(&new.account_id)
        .execute(self.pool())
        .await
        .map_err(|e| self.classify_err(&e))?;
        Ok(())
    }

    /// Returns false when no such connection exists.
    pub async fn rename_connection(
        &self,
        id: &ConnectionId,
        display_name: &str,
    ) -> Result<bool, StoreError> {
        self.update(
            &format!("UPDATE connections SET display_name = ?, updated_at = {NOW} WHERE id = ?"),
            id,
            Some(display_name),
        )
        .await
    }

    /// Returns false when no such connection exists.
    pub async fn delete_connection(&self, id: &ConnectionId) -> Result<bool, StoreError> {
        // What its rules' lists held goes with it (no foreign key: the lists are a cache).
        sqlx::query("DELETE FROM library_lists WHERE connection_id = ?")
            .bind(id.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.classify_err(&e))?;
        let done = sqlx::query("DELETE FROM connections WHERE id = ?")
            .bind(id.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.classify_err(&e))?;
        Ok(done.rows_affected() > 0)
    }

    /// Sets the status and the sentence explaining it (`None` clears it).
    pub async fn set_connection_status(
        &self,
        id: &ConnectionId,
        status: ConnectionStatus,
        detail: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE connections SET status = ?, status_detail = ?, updated_at = {NOW} \
             WHERE id = ?"
        ))
        .bind(status.as_str())
        .bind(detail)
        .bind(id.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.classify_err(&e))?;
        Ok(done.rows_affected() > 0)
    }

    /// Records when the user authorised the connection's sign-in (Unix seconds): on connect and
    /// on every reconnect.
    pub async fn set_connection_sign_in_granted(
        &self,
        id: &ConnectionId,
        granted_at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(&format!(
            "UPDATE connections SET sign_in_granted_at = ?, updated_at = {NOW} WHERE id = ?"
        ))
        .bind(granted_at)
        .bind(id.as_str())
        .execute(self.pool())
        .await
        .map_err(|e| self.classify_err(&e))?;
        Ok(done.rows_affected() > 0)
    }

    /// Stores the provider's capabilities of this account, as JSON (`None` clears them).
    pub async fn set_connection_capabilities(
        &self,
        id: &ConnectionId,
        capabilities_json: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.update(
            &format!("UPDATE connections SET capabilities = ?, updated_at = {NOW} WHERE id = ?"),
            id,
            capabilities_json,
        )
        .await
    }

    /// Records which account on the provider the connection is (learnt after sign-in).
    pub async fn set_connection_account(
        &self,
        id: &ConnectionId,
        account_id: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.update(
            &format!("UPDATE connections SET account_id = ?, updated_at = {NOW} WHERE id = ?"),
            id,
            account_id,
        )
        .await
    }

    async fn update(
        &self,
        sql: &str,
        id: &ConnectionId,
        value: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(sql)
            .bind(value)
            .bind(id.as_str())
            .execute(self.pool())
            .await
            .map_err(|e| self.classify_err(&e))?;
        Ok(done.rows_affected() > 0)
    }

    /// The user's OAuth client id for a provider, if entered.
    pub async fn provider_client_id(&self, provider: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT client_id FROM provider_clients WHERE provider = ?")
            .bind(provider)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.classify_err(&e))
    }

    pub async fn set_provider_client_id(
        &self,
        provider: &str,
        client_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO provider_clients (provider, client_id) VALUES (?, ?) \
             ON CONFLICT(provider) DO UPDATE SET client_id = excluded.client_id, \
             updated_at = {NOW}"
        ))
        .bind(provider)
        .bind(client_id)
        .execute(self.pool())
        .await
        .map_err(|e| self.classify_err(&e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(id: &str, account: Option<&str>) -> NewConnection {
        NewConnection {
            id: ConnectionId::new(id),
            provider: "spotify".into(),
            display_name: format!("Spotify {id}"),
            auth_kind: "oauth2_pkce".into(),
            account_id: account.map(str::to_owned),
        }
    }

    #[tokio::test]
    async fn connections_are_inserted_listed_updated_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
        assert!(store.list_connections().await.unwrap().is_empty());
        store
            .insert_connection(&new("c1", Some("alice")))
            .await
            .unwrap();
        store.insert_connection(&new("c2", None)).await.unwrap();
        // Same id twice is refused, not merged.
        assert!(store.insert_connection(&new("c1", None)).await.is_err());

        let all = store.list_connections().await.unwrap();
        assert_eq!(
            all.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
            ["c1", "c2"]
        );
        assert_eq!(all[0].status, ConnectionStatus::Ok);
        assert_eq!(all[0].auth_kind, "oauth2_pkce");

        let c1 = ConnectionId::new("c1");
        assert!(store.rename_connection(&c1, "Work").await.unwrap());
        assert!(
            store
                .set_connection_status(&c1, ConnectionStatus::ReconnectNeeded, Some("revoked"))
                .await
                .unwrap()
        );
        assert!(
            store
                .set_connection_capabilities(&c1, Some(r#"{"playlist_items":true}"#))
                .await
                .unwrap()
        );
        let got = store.get_connection(&c1).await.unwrap().unwrap();
        assert_eq!(got.display_name, "Work");
        assert_eq!(got.status, ConnectionStatus::ReconnectNeeded);
        assert_eq!(got.status_detail.as_deref(), Some("revoked"));
        assert_eq!(
            got.capabilities.as_deref(),
            Some(r#"{"playlist_items":true}"#)
        );
        let by_account = store
            .find_connection_by_account("spotify", "alice")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_account.id, c1);

        assert!(store.delete_connection(&c1).await.unwrap());
        assert!(!store.delete_connection(&c1).await.unwrap());
        assert!(!store.rename_connection(&c1, "x").await.unwrap());
        assert!(store.get_connection(&c1).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_provider_client_id_is_set_once_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_file(&dir.path().join("syncer.db"), &Default::default())
            .await
            .unwrap();
        assert_eq!(store.provider_client_id("spotify").await.unwrap(), None);
        store
            .set_provider_client_id("spotify", "abc")
            .await
            .unwrap();
        store
            .set_provider_client_id("spotify", "def")
            .await
            .unwrap();
        assert_eq!(
            store
                .provider_client_id("spotify")
                .await
                .unwrap()
                .as_deref(),
            Some("def")
        );
    }
}
