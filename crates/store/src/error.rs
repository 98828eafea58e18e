//! Errors that tell the user what went wrong, where, and what to do about it.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot find a data directory for Syncer: the platform reports none. \
         Set SYNCER_DATA_DIR to a writable folder and try again"
    )]
    NoDataDir,

    #[error(
        "cannot write Syncer's database at {path}: {cause}. Check that the folder exists, \
         is writable by you and the disk is not full, or set SYNCER_DATA_DIR to another folder"
    )]
    Unwritable { path: PathBuf, cause: String },

    #[error(
        "the disk holding Syncer's database at {path} is full ({cause}). Free some space and \
         try again: nothing was lost (the change that did not fit was not saved, and a sync \
         that stopped here is finished by the next one)"
    )]
    DiskFull { path: PathBuf, cause: String },

    #[error(
        "Syncer's database at {path} is damaged ({cause}). Quit Syncer, move the file aside \
         (keep it if you want to report the problem) and start again: settings will be \
         recreated, and nothing on your music services is affected"
    )]
    Corrupt { path: PathBuf, cause: String },

    #[error(
        "Syncer's database at {path} is locked by another process ({cause}). Close other \
         Syncer windows or commands using it and try again"
    )]
    Locked { path: PathBuf, cause: String },

    #[error(
        "Syncer's database at {path} was written by a newer version of Syncer ({cause}). \
         Update Syncer, or point SYNCER_DATA_DIR to a fresh folder"
    )]
    TooNew { path: PathBuf, cause: String },

    #[error("database error at {path}: {cause}")]
    Other { path: PathBuf, cause: String },
}

impl StoreError {
    /// Sorts a driver error into the cases a user can act on. SQLite's primary result codes are
    /// stable across versions, so matching them is safer than matching messages.
    pub(crate) fn classify(path: PathBuf, err: &sqlx::Error) -> Self {
        let cause = err.to_string();
        let code = match err {
            sqlx::Error::Database(db) => db.code().and_then(|c| c.parse::<i32>().ok()),
            sqlx::Error::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => {
                return Self::DiskFull { path, cause };
            }
            sqlx::Error::Io(_) => return Self::Unwritable { path, cause },
            _ => None,
        };
        // Extended result codes carry the primary code in their low byte.
        match code.map(|c| c & 0xff) {
            Some(11 | 26) => Self::Corrupt { path, cause },
            Some(5 | 6) => Self::Locked { path, cause },
            Some(13) => Self::DiskFull { path, cause },
            Some(8 | 14) => Self::Unwritable { path, cause },
            _ => Self::Other { path, cause },
        }
    }

    pub(crate) fn from_migration(path: PathBuf, err: sqlx::migrate::MigrateError) -> Self {
        match err {
            sqlx::migrate::MigrateError::Execute(inner)
            | sqlx::migrate::MigrateError::ExecuteMigration(inner, _) => {
                Self::classify(path, &inner)
            }
            sqlx::migrate::MigrateError::VersionMissing(v) => Self::TooNew {
                path,
                cause: format!("it has migration {v}, which this version does not know"),
            },
            other => Self::Other {
                path,
                cause: other.to_string(),
            },
        }
    }
}
