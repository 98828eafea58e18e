//! The sign-in lock: one file beside the vault that every Syncer process (the app, `syncer
//! watch`, a cron `syncer sync`) takes before renewing a token. With rotating refresh tokens
//! only one process may spend the current one; the others wait, then read what it stored.
//!
//! An advisory lock (`flock` on Unix, `LockFileEx` on Windows) on an open file: the OS drops it
//! when the holder exits or crashes, so a killed process never leaves it taken.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::TokenError;

/// The lock file's name beside the vault (and in the app data dir when the keyring is used).
pub const LOCK_FILE: &str = "secrets.vault.lock";

/// How long a process waits for another's refresh: one refresh takes at most the token
/// request's timeout (30 s); twice that means something is stuck.
const WAIT: Duration = Duration::from_secs(60);
/// How often a waiting process tries again.
const POLL: Duration = Duration::from_millis(20);

/// Held while renewing; released on drop (closing the file releases the lock).
#[derive(Debug)]
pub(crate) struct HeldLock {
    _file: File,
}

/// Takes the lock at `path` (creating the file), waiting for another holder up to a minute.
pub(crate) async fn acquire(path: &Path) -> Result<HeldLock, TokenError> {
    let failed = |cause: String| TokenError::Lock {
        path: path.to_path_buf(),
        cause,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| failed(e.to_string()))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(HeldLock { _file: file }),
            Err(TryLockError::WouldBlock) if started.elapsed() < WAIT => {
                tokio::time::sleep(POLL).await;
            }
            Err(TryLockError::WouldBlock) => {
                return Err(failed(format!(
                    "another Syncer process held it for more than {} s",
                    WAIT.as_secs()
                )));
            }
            Err(TryLockError::Error(e)) => return Err(failed(e.to_string())),
        }
    }
}

/// Where the lock goes for a vault file: beside it.
pub(crate) fn beside(vault_file: &Path) -> PathBuf {
    vault_file.with_file_name(LOCK_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        let held = acquire(&path).await.unwrap();
        // A second open file description (as another process has) must wait.
        let other = File::open(&path).unwrap();
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(held);
        assert!(other.try_lock().is_ok());
        other.unlock().unwrap();
        let again = acquire(&path).await.unwrap();
        drop(again);
        assert_eq!(beside(&dir.path().join("secrets.vault")), path);
    }
}
