//! The PostgreSQL backend, for several server instances over one database. Record writes
//! lock the user's row first (see `next_seq!`), so change numbers commit in order per user.

use std::str::FromStr as _;
use std::time::Duration;

use sqlx::Row as _;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::sql::{
    Backend, CONFLICT_COLUMNS, DEVICE_COLUMNS, RECORD_COLUMNS, USER_COLUMNS, conflict_row,
    current_version, db, device_row, impl_storage, next_seq, record_row, store_version, user_row,
};
use super::{
    ConflictRow, DeviceRow, EnrollOutcome, EnrollmentRow, EnrollmentView, Millis, Principal,
    RecordRow, RecordWrite, ResolveOutcome, Result, Rotation, Storage, StorageError, TokenHashes,
    UserRow, WriteOutcome,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/cloud/postgres");

#[derive(Debug, Clone)]
pub struct PostgresStorage {
    pool: PgPool,
}

impl Backend for PostgresStorage {
    type Db = sqlx::Postgres;
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
