//! The PostgreSQL backend, for several server instances over one database. Record writes
//! lock the user's row first (see `next_seq!`), so change numbers commit in order per user.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::Row as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::sql::{
    Backend, CONFLICT_COLUMNS, DEVICE_COLUMNS, RECORD_COLUMNS, USER_COLUMNS, batch_events,
    conflict_row, current_version, db, device_row, impl_storage, insert_event, next_seq,
    notify_in_tx, record_row, store_version, user_row,
};
use super::{
    ConflictRow, DeviceRow, EnrollOutcome, EnrollmentRow, EnrollmentView, EventBounds, EventRow,
    Millis, Principal, RecordRow, RecordWrite, ResolveOutcome, Result, Rotation, Storage,
    StorageError, TokenHashes, UserRow, Wake, WriteOutcome,
};
use crate::model::LiveEvent;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/cloud/postgres");

#[derive(Debug, Clone)]
pub struct PostgresStorage {
    pool: PgPool,
}

impl Backend for PostgresStorage {
    type Db = sqlx::Postgres;
    const NOTIFY: Option<&'static str> = Some("SELECT pg_notify('syncer_events', $1)");
}

impl PostgresStorage {
    /// Connects to a `postgres://` URL and migrates. With `schema`, every table lives in that
    /// schema (created if missing): the tests give each run its own.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self> {
        let mut options = PgConnectOptions::from_str(url)
            .map_err(|e| StorageError::Unavailable(format!("bad PostgreSQL URL: {e}")))?;
        if let Some(schema) = schema {
            if !schema
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                return Err(StorageError::Unavailable(format!(
                    "schema name {schema:?} must be letters, digits and underscores"
                )));
            }
            let setup = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
                .map_err(|e| StorageError::Unavailable(e.to_string()))?;
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&setup)
                .await
                .map_err(db)?;
            setup.close().await;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StorageError::Migration(e.to_string()))?;
        Ok(Self { pool })
    }

    /// The pool, for tests that read the tables directly.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin().await.map_err(db)
    }
}

impl_storage!(PostgresStorage, "postgres");

/// The channel every instance listens on; the payload is a user id.
pub const EVENTS_CHANNEL: &str = "syncer_events";

impl PostgresStorage {
    /// One listener connection per instance (outside the pool). A lost connection is
    /// reconnected with backoff, and then every stream is woken: notifications sent while it
    /// was down are gone, but each stream rereads the journal from its cursor.
    async fn listen(&self, wake: impl Fn(Wake) + Send + Sync + 'static) {
        let mut backoff = Duration::from_millis(250);
        let mut first = true;
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&self.pool).await {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis(), "event listener cannot connect");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    continue;
                }
            };
            if let Err(e) = listener.listen(EVENTS_CHANNEL).await {
                tracing::warn!(error = %e, "event listener cannot LISTEN");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
                continue;
            }
            if !first {
                tracing::info!("event listener reconnected; waking every stream");
                wake(Wake::Everyone);
            }
            first = false;
            backoff = Duration::from_millis(250);
            loop {
                match listener.try_recv().await {
                    Ok(Some(note)) => wake(Wake::User(note.payload().to_owned())),
                    Ok(None) => {
                        // sqlx has already reconnected; notifications in between are lost.
                        tracing::warn!("event listener lost its connection; waking every stream");
                        wake(Wake::Everyone);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener failed; reconnecting");
                        break;
                    }
                }
            }
        }
    }
}
