//! The embedded backend: one SQLite file, WAL, foreign keys on. Writers are serialised by
//! SQLite itself; write transactions start IMMEDIATE so they wait for the lock instead of
//! failing when two upgrade at once.

use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::Row as _;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

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

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/cloud/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
}

impl Backend for SqliteStorage {
    type Db = sqlx::Sqlite;
    const NOTIFY: Option<&'static str> = None;
}

impl SqliteStorage {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StorageError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Self::connect(options).await
    }

    /// Opens a `sqlite:` URL (e.g. `sqlite::memory:` or `sqlite:///var/lib/syncer/cloud.db`).
    pub async fn connect_url(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StorageError::Unavailable(format!("bad SQLite URL {url:?}: {e}")))?
            .create_if_missing(true);
        Self::connect(options).await
    }

    async fn connect(options: SqliteConnectOptions) -> Result<Self> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
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
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }
}

impl_storage!(SqliteStorage, "sqlite");

impl SqliteStorage {
    /// SQLite serves one instance, whose streams the in-process hub wakes: nothing to listen
    /// to.
    async fn listen(&self, _wake: impl Fn(Wake) + Send + Sync + 'static) {}
}
