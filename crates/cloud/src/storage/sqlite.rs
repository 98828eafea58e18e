//! The embedded backend: one SQLite file, WAL, foreign keys on. Writers are serialised by
//! SQLite itself; write transactions start IMMEDIATE so they wait for the lock instead of
//! failing when two upgrade at once.

use std::path::Path;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite, Transaction};

use super::sql::{Backend, SqlStorage, db};
use super::{Result, StorageError, Wake};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/cloud/sqlite");

pub type SqliteStorage = SqlStorage<Sqlite>;

impl Backend for Sqlite {
    const LABEL: &'static str = "sqlite";
    const NOTIFY: Option<&'static str> = None;

    fn rows_affected(done: &Self::QueryResult) -> u64 {
        done.rows_affected()
    }

    async fn begin_write(pool: &Pool<Self>) -> Result<Transaction<'static, Self>> {
        pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }

    /// SQLite serves one instance, whose streams the in-process hub wakes: nothing to listen
    /// to.
    async fn listen(_pool: &Pool<Self>, _wake: impl Fn(Wake) + Send + Sync + 'static) {}
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
}
