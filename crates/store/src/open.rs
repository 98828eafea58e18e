//! Opening the database: create it where missing, switch to WAL, apply migrations, and turn
//! every failure into an error that names the file and the way out.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::error::StoreError;
use crate::paths::AppPaths;

/// The local migrations, embedded at build time from the repository's `migrations/` folder.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// How to open the store. The defaults suit the app; tests shorten the busy timeout.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long a write waits for another process's lock before giving up with
    /// [`StoreError::Locked`].
    pub busy_timeout: Duration,
    /// Connections in the pool. SQLite serialises writers anyway; a few readers help the UI.
    pub max_connections: u32,
    /// The most pages the database file may grow to (SQLite's `max_page_count`); past it,
    /// writes fail exactly as on a full disk. None: as large as the disk allows. Tests use it
    /// to fill the "disk" without filling the machine's.
    pub max_pages: Option<u32>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            max_connections: 4,
            max_pages: None,
        }
    }
}

/// The open, migrated local database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database of this installation.
    pub async fn open(paths: &AppPaths) -> Result<Self, StoreError> {
        Self::open_file(&paths.database_path(), &OpenOptions::default()).await
    }

    /// Opens (creating if needed) the database at `path`.
    pub async fn open_file(path: &Path, options: &OpenOptions) -> Result<Self, StoreError> {
        let owned = path.to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unwritable {
                path: owned.clone(),
                cause: format!("cannot create folder {}: {e}", dir.display()),
            })?;
        }

        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // WAL lets the UI read while a sync writes, and survives a killed process.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout);
        // A pragma per connection: every connection of the pool gets it when it opens.
        let connect = match options.max_pages {
            Some(pages) => connect.pragma("max_page_count", pages.to_string()),
            None => connect,
        };

        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.busy_timeout + Duration::from_secs(5))
            .connect_with(connect)
            .await
            .map_err(|e| StoreError::classify(owned.clone(), &e))?;

        // A damaged file can still open; reading the schema is what exposes it, before any
        // migration writes to it.
        sqlx::query("SELECT count(*) FROM sqlite_master")
            .execute(&pool)
            .await
            .map_err(|e| StoreError::classify(owned.clone(), &e))?;

        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::from_migration(owned.clone(), e))?;

        tracing::info!(path = %path.display(), "local store open");
        Ok(Self { pool, path: owned })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection pool, for the repositories in this crate.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Waits for in-flight queries and checkpoints the WAL, so the file is complete on disk.
    pub async fn close(self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Row;

    fn quick() -> OpenOptions {
        OpenOptions {
            busy_timeout: Duration::from_millis(200),
            max_connections: 2,
            max_pages: None,
        }
    }

    #[tokio::test]
    async fn creates_the_file_applies_migrations_and_uses_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/syncer.db");
        let store = Store::open_file(&path, &quick()).await.unwrap();
        assert!(path.exists());

        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get(0);
        assert_eq!(mode, "wal");

        let tables: Vec<String> =
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert!(tables.contains(&"settings".to_owned()), "{tables:?}");
        assert!(tables.contains(&"connections".to_owned()), "{tables:?}");
    }

    #[tokio::test]
    async fn reopening_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syncer.db");
        Store::open_file(&path, &quick())
            .await
            .unwrap()
            .close()
            .await;
        Store::open_file(&path, &quick())
            .await
            .unwrap()
            .close()
            .await;
    }

    #[tokio::test]
    async fn a_corrupt_file_is_reported_with_its_path_and_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syncer.db");
        // Not an SQLite header: what a truncated copy or another program's file looks like.
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();

        let err = Store::open_file(&path, &quick()).await.unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(message.contains("move the file aside"), "{message}");
        // The damaged file is left as it was, for the user to keep or report.
        assert_eq!(std::fs::read(&path).unwrap(), vec![0x42u8; 8192]);
    }

    #[tokio::test]
    async fn a_locked_database_is_reported_as_locked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("syncer.db");
        // Another process holds an exclusive lock on a fresh database, before any migration
        // ran: our open cannot even read the schema.
        let holder = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(
                SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Delete),
            )
            .await
            .unwrap();
        let mut conn = holder.acquire().await.unwrap();
        sqlx::query("CREATE TABLE other_program (x)")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut *conn)
            .await
            .unwrap();

        let err = Store::open_file(&path, &quick()).await.unwrap_err();
        assert!(matches!(err, StoreError::Locked { .. }), "{err:?}");
        assert!(err.to_string().contains("locked by another process"));

        sqlx::query("ROLLBACK").execute(&mut *conn).await.unwrap();
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn an_unwritable_folder_is_reported_as_unwritable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::set_permissions(&blocked, std::fs::Permissions::from_mode(0o500)).unwrap();
        // Root ignores permission bits; make the folder's path impossible instead: a file
        // where a folder should be.
        let target = if is_root() {
            let file = dir.path().join("a-file");
            std::fs::write(&file, b"").unwrap();
            file.join("syncer.db")
        } else {
            blocked.join("sub/syncer.db")
        };

        let err = Store::open_file(&target, &quick()).await.unwrap_err();
        assert!(matches!(err, StoreError::Unwritable { .. }), "{err:?}");
        assert!(err.to_string().contains("SYNCER_DATA_DIR"));
        std::fs::set_permissions(&blocked, std::fs::Permissions::from_mode(0o700)).unwrap();
    }

    #[cfg(unix)]
    fn is_root() -> bool {
        std::process::Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    }
}
