//! The `syncer-cloud` binary: read the configuration, open the database, serve until Ctrl-C
//! or SIGTERM.

use anyhow::Context as _;
use clap::Parser as _;
use syncer_cloud::config::{Config, Database};
use syncer_cloud::server::serve;
use syncer_cloud::storage::{PostgresStorage, SqliteStorage};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    // Each connection is an open file; the usual soft limit (1,024) is far below what the
    // server can hold, and the hard limit is what the system allows this process.
    match syncer_cloud::server::raise_open_file_limit() {
        Ok(limit) => tracing::info!(open_files = limit, "open-file limit"),
        Err(e) => tracing::warn!(error = %e, "cannot raise the open-file limit"),
    }
    let settings = config.settings();
    let listener = TcpListener::bind(config.listen).await.with_context(|| {
        format!(
            "cannot listen on {}; is another server using the port? Choose another with --listen",
            config.listen
        )
    })?;
    let database = config.database().map_err(anyhow::Error::msg)?;
    tracing::info!(listen = %config.listen, "syncer-cloud starting");
    match database {
        Database::Postgres(url) => {
            let storage = PostgresStorage::connect(&url, None)
                .await
                .context("cannot open the PostgreSQL database; check --database-url and that the server runs")?;
            tracing::info!("PostgreSQL database ready");
            serve(storage, settings, listener, shutdown()).await?;
        }
        Database::SqliteFile(path) => {
            let storage = SqliteStorage::open(&path).await.with_context(|| {
                format!("cannot open the SQLite database {}; check the folder is writable or set --data-dir", path.display())
            })?;
            tracing::info!(path = %path.display(), "SQLite database ready");
            serve(storage, settings, listener, shutdown()).await?;
        }
        Database::SqliteUrl(url) => {
            let storage = SqliteStorage::connect_url(&url)
                .await
                .context("cannot open the SQLite database named by --database-url")?;
            serve(storage, settings, listener, shutdown()).await?;
        }
    }
    tracing::info!("syncer-cloud stopped");
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
