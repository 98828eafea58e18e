//! The PostgreSQL backend, for several server instances over one database. Record writes
//! lock the user's row first (see `take_seq` in sql.rs), so change numbers commit in order per user.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Pool, Postgres, Transaction};

use super::sql::{Backend, SqlStorage, db};
use super::{Result, StorageError, Wake};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/cloud/postgres");

pub type PostgresStorage = SqlStorage<Postgres>;

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
}

/// The channel every instance listens on; the payload is a user id.
pub const EVENTS_CHANNEL: &str = "syncer_events";

impl Backend for Postgres {
    const LABEL: &'static str = "postgres";
    const NOTIFY: Option<&'static str> = Some("SELECT pg_notify('syncer_events', $1)");

    fn rows_affected(done: &Self::QueryResult) -> u64 {
        done.rows_affected()
    }

    async fn begin_write(pool: &Pool<Self>) -> Result<Transaction<'static, Self>> {
        pool.begin().await.map_err(db)
    }

    /// One listener connection per instance (outside the pool). A lost connection is
    /// reconnected with backoff, and then every stream is woken: notifications sent while it
    /// was down are gone, but each stream rereads the journal from its cursor.
    async fn listen(pool: &Pool<Self>, wake: impl Fn(Wake) + Send + Sync + 'static) {
        let mut backoff = Duration::from_millis(250);
        let mut first = true;
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(pool).await {
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
