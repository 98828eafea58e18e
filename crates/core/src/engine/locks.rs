//! One sync per base at a time, within this process. Across processes the in-progress event
//! is the durable marker (see `SyncStorage::begin_event`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

use crate::ids::BasePlaylistId;

/// The bases being synced now. Clones share the set.
#[derive(Debug, Clone, Default)]
pub struct SyncLocks {
    held: Arc<Mutex<HashSet<BasePlaylistId>>>,
}

/// Held while a base syncs; dropping it releases the base.
#[derive(Debug)]
pub struct BaseLock {
    locks: SyncLocks,
    base: BasePlaylistId,
}

impl SyncLocks {
    /// `None` when the base is already syncing.
    pub fn try_lock(&self, base: &BasePlaylistId) -> Option<BaseLock> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.insert(base.clone()).then(|| BaseLock {
            locks: self.clone(),
            base: base.clone(),
        })
    }

    pub fn is_locked(&self, base: &BasePlaylistId) -> bool {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(base)
    }
}

impl Drop for BaseLock {
    fn drop(&mut self) {
        self.locks
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_per_base() {
        let locks = SyncLocks::default();
        let a = BasePlaylistId::new("a");
        let guard = locks.try_lock(&a).unwrap();
        assert!(locks.try_lock(&a).is_none());
        assert!(locks.try_lock(&BasePlaylistId::new("b")).is_some());
        drop(guard);
        assert!(locks.try_lock(&a).is_some());
    }
}
