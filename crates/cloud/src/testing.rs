//! Test support shared by this crate's tests and the client's: a server on 127.0.0.1:0 over
//! either backend, each with a database of its own, and a way to read every table.
//!
//! PostgreSQL runs when `SYNCER_TEST_POSTGRES_URL` is set (`scripts/postgres-for-tests.sh`
//! prints one); each server gets a fresh schema, so tests run in parallel. Under CI
//! (`CI=true`) a missing URL is a failure, not a skip.

use std::net::SocketAddr;
use std::path::PathBuf;

use sqlx::Row as _;

use crate::password::PasswordCost;
use crate::server::RunningServer;
use crate::state::Settings;
use crate::storage::{PostgresStorage, SqliteStorage};

pub const POSTGRES_URL_ENV: &str = "SYNCER_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL URL, or `None` to skip. Panics under CI when it is missing, so a CI run
/// cannot pass without exercising PostgreSQL.
pub fn postgres_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(
                !ci,
                "{POSTGRES_URL_ENV} is not set under CI: the PostgreSQL tests must run \
                 (`make test` starts PostgreSQL with scripts/postgres-for-tests.sh)"
            );
            eprintln!("skipped: {POSTGRES_URL_ENV} is not set (run scripts/postgres-for-tests.sh)");
            None
        }
    }
}

/// Settings for tests: cheap password hashing, generous rate limits.
pub fn test_settings() -> Settings {
    Settings {
        password_cost: PasswordCost {
            m_cost_kib: 64,
            t_cost: 1,
        },
        auth_limits: crate::AuthLimits {
            per_ip_per_minute: 10_000,
            per_account_per_minute: 10_000,
        },
        ..Settings::default()
    }
}

/// A database of one test's own.
pub enum TestDb {
    Sqlite {
        dir: PathBuf,
        storage: SqliteStorage,
    },
    Postgres {
        schema: String,
        storage: PostgresStorage,
    },
}

/// A server and its database, stopped and removed when dropped (a PostgreSQL schema is
/// dropped by [`TestServer::finish`]).
pub struct TestServer {
    pub server: RunningServer,
    pub db: TestDb,
}

fn unique(prefix: &str) -> String {
    format!("{prefix}_{}", crate::tokens::new_id())
}

impl TestServer {
    /// `None` when the backend is PostgreSQL and no URL is configured (outside CI).
    pub async fn start(backend: Backend, settings: Settings) -> Option<Self> {
        let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique("syncer-cloud-test"));
                let storage = SqliteStorage::open(&dir.join("cloud.db"))
                    .await
                    .expect("open the test SQLite database");
                let server = RunningServer::start(storage.clone(), settings, addr)
                    .await
                    .expect("start the test server");
                Some(Self {
                    server,
                    db: TestDb::Sqlite { dir, storage },
                })
            }
            Backend::Postgres => {
                let url = postgres_url()?;
                let schema = unique("t");
                let storage = PostgresStorage::connect(&url, Some(&schema))
                    .await
                    .expect("connect to the test PostgreSQL (is it running?)");
                let server = RunningServer::start(storage.clone(), settings, addr)
                    .await
                    .expect("start the test server");
                Some(Self {
                    server,
                    db: TestDb::Postgres { schema, storage },
                })
            }
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// Another server instance over the same database (on PostgreSQL, the same schema through
    /// a pool of its own), as a second machine behind a load balancer would be. On SQLite it
    /// shares the storage but not the in-process wake-ups: SQLite is one instance.
    pub async fn another_instance(&self, settings: Settings) -> RunningServer {
        let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
        match &self.db {
            TestDb::Sqlite { storage, .. } => {
                RunningServer::start(storage.clone(), settings, addr).await
            }
            TestDb::Postgres { schema, .. } => {
                let url = postgres_url().expect("a PostgreSQL test server has a URL");
                let storage = PostgresStorage::connect(&url, Some(schema))
                    .await
                    .expect("connect the second instance");
                RunningServer::start(storage, settings, addr).await
            }
        }
        .expect("start the second instance")
    }

    /// Deletes journal entries older than `before` (as the hourly pruning would).
    pub async fn prune_events(&self, before: crate::storage::Millis) -> u64 {
        use crate::storage::Storage as _;
        match &self.db {
            TestDb::Sqlite { storage, .. } => storage.prune_events(before).await,
            TestDb::Postgres { storage, .. } => storage.prune_events(before).await,
        }
        .expect("prune events")
    }

    /// Every value of every column of every table, as bytes (text as UTF-8, blobs raw):
    /// what someone holding the database would see.
    pub async fn dump_all(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        match &self.db {
            TestDb::Sqlite { storage, .. } => {
                let pool = storage.pool();
                let tables: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                        .fetch_all(pool)
                        .await
                        .expect("list tables");
                for table in tables {
                    let columns: Vec<String> = sqlx::query_scalar(&format!(
                        "SELECT name FROM pragma_table_info('{table}')"
                    ))
                    .fetch_all(pool)
                    .await
                    .expect("list columns");
                    for column in columns {
                        let values: Vec<Option<Vec<u8>>> = sqlx::query_scalar(&format!(
                            "SELECT CAST(\"{column}\" AS BLOB) FROM \"{table}\""
                        ))
                        .fetch_all(pool)
                        .await
                        .expect("read column");
                        out.extend(
                            values
                                .into_iter()
                                .flatten()
                                .map(|v| (format!("{table}.{column}"), v)),
                        );
                    }
                }
            }
            TestDb::Postgres { schema, storage } => {
                let pool = storage.pool();
                let columns = sqlx::query(
                    "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d \
                     FROM information_schema.columns WHERE table_schema = $1",
                )
                .bind(schema)
                .fetch_all(pool)
                .await
                .expect("list columns");
                assert!(!columns.is_empty(), "no tables in schema {schema}");
                for row in columns {
                    let (table, column, kind): (String, String, String) =
                        (row.get("t"), row.get("c"), row.get("d"));
                    let select = if kind == "bytea" {
                        format!("SELECT \"{column}\" FROM {schema}.\"{table}\"")
                    } else {
                        format!(
                            "SELECT convert_to(\"{column}\"::text, 'UTF8') FROM {schema}.\"{table}\""
                        )
                    };
                    let values: Vec<Option<Vec<u8>>> = sqlx::query_scalar(&select)
                        .fetch_all(pool)
                        .await
                        .expect("read column");
                    out.extend(
                        values
                            .into_iter()
                            .flatten()
                            .map(|v| (format!("{table}.{column}"), v)),
                    );
                }
            }
        }
        out
    }

    /// Stops the server and removes the database.
    pub async fn finish(self) {
        let Self { server, db } = self;
        server.stop().await;
        match db {
            TestDb::Sqlite { dir, storage } => {
                storage.pool().close().await;
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { schema, storage } => {
                let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                    .execute(storage.pool())
                    .await;
                storage.pool().close().await;
            }
        }
    }
}

/// Writes one test per backend: `backend_tests!(name, |backend| async move { ... })` makes
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! backend_tests {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::testing::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::testing::postgres_url().is_none() {
                    return;
                }
                ($body)($crate::testing::Backend::Postgres).await;
            }
        }
    };
}
