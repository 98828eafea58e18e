//! Tracing set-up shared by Syncer's binaries: human-readable lines on stderr and the same
//! events in a daily-rotated file in the app's log folder, filtered by `RUST_LOG`.
//!
//! Only ids and counts go into events; tokens, codes and track titles never do (see
//! docs/ARCHITECTURE.md), so the log file is safe to attach to a bug report.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How many daily files to keep before the oldest is deleted.
pub const KEPT_LOG_FILES: usize = 14;

/// Used when `RUST_LOG` is unset: our crates at info, everything else at warnings. A directive's
/// target matches by prefix, so `syncer` covers every `syncer_*` crate.
pub const DEFAULT_FILTER: &str = "warn,syncer=info,spotify_fake=info";

#[derive(Debug, thiserror::Error)]
pub enum LoggingError {
    #[error(
        "cannot create the log folder {path}: {cause}. Check permissions or set \
         SYNCER_DATA_DIR to a writable folder"
    )]
    LogDir { path: PathBuf, cause: String },
    #[error("RUST_LOG is not a valid filter ({cause}); example: RUST_LOG=syncer=debug")]
    BadFilter { cause: String },
    #[error("logging was already set up in this process")]
    AlreadySet,
}

/// Keeps the file writer alive; drop it last (at exit) so buffered lines reach the disk.
#[must_use = "dropping the guard stops file logging"]
#[derive(Debug)]
pub struct LogGuard {
    _file: WorkerGuard,
    dir: PathBuf,
}

impl LogGuard {
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// The file name prefix of the rotating log, e.g. `syncer-desktop.2026-11-23.log`.
#[derive(Debug, Clone, Copy)]
pub struct LogName(pub &'static str);

/// Installs the global subscriber. `RUST_LOG` wins over [`DEFAULT_FILTER`].
pub fn init(log_dir: &Path, name: LogName) -> Result<LogGuard, LoggingError> {
    let filter = env_filter()?;
    let (file_writer, guard) = file_writer(log_dir, name)?;

    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(false)
        .compact();
    let file = tracing_subscriber::fmt::layer()
        .with_writer(file_writer)
        .with_ansi(false)
        .with_target(true);

    tracing_subscriber::registry()
        .with(stderr.and_then(file).with_filter(filter))
        .try_init()
        .map_err(|_| LoggingError::AlreadySet)?;

    Ok(LogGuard {
        _file: guard,
        dir: log_dir.to_path_buf(),
    })
}

fn env_filter() -> Result<EnvFilter, LoggingError> {
    match std::env::var("RUST_LOG") {
        Ok(value) if !value.trim().is_empty() => {
            EnvFilter::try_new(value).map_err(|e| LoggingError::BadFilter {
                cause: e.to_string(),
            })
        }
        _ => EnvFilter::try_new(DEFAULT_FILTER).map_err(|e| LoggingError::BadFilter {
            cause: e.to_string(),
        }),
    }
}

fn file_writer(
    log_dir: &Path,
    name: LogName,
) -> Result<(tracing_appender::non_blocking::NonBlocking, WorkerGuard), LoggingError> {
    std::fs::create_dir_all(log_dir).map_err(|e| LoggingError::LogDir {
        path: log_dir.to_path_buf(),
        cause: e.to_string(),
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(name.0)
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(log_dir)
        .map_err(|e| LoggingError::LogDir {
            path: log_dir.to_path_buf(),
            cause: e.to_string(),
        })?;
    Ok(tracing_appender::non_blocking(appender))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_reach_the_rotating_file() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        let guard = init(&logs, LogName("unit")).unwrap();
        tracing::info!(base = "b1", "sync finished");
        tracing::debug!("not at the default level");
        drop(guard); // flushes the non-blocking writer

        let files: Vec<_> = std::fs::read_dir(&logs).unwrap().flatten().collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().to_string_lossy().into_owned();
        assert!(
            name.starts_with("unit.") && name.ends_with(".log"),
            "{name}"
        );
        let text = std::fs::read_to_string(files[0].path()).unwrap();
        assert!(text.contains("sync finished"), "{text}");
        assert!(text.contains("base=\"b1\""), "{text}");
        if std::env::var_os("RUST_LOG").is_none() {
            assert!(!text.contains("not at the default level"), "{text}");
        }
        // A second init in one process is refused rather than silently ignored.
        assert!(matches!(
            init(&logs, LogName("again")),
            Err(LoggingError::AlreadySet)
        ));
    }

    #[test]
    fn an_unusable_log_dir_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"").unwrap();
        let err = file_writer(&file.join("logs"), LogName("x")).unwrap_err();
        assert!(err.to_string().contains("not-a-dir"), "{err}");
    }
}
