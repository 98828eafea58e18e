//! The in-process notifier: one watch channel per user with open streams. A wake carries
//! nothing but "look again"; the stream reads the journal from its own cursor, so coalesced
//! or duplicate wakes lose nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Shared by every handler of one server instance. Cheap to clone.
#[derive(Clone, Default)]
pub struct EventHub {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Only users with at least one open stream have an entry: the last stream to go removes
    /// it, so the map does not grow with every user ever seen.
    users: Mutex<HashMap<String, watch::Sender<u64>>>,
    /// Cancelled when the server shuts down, which ends every stream (graceful shutdown
    /// would otherwise wait for them forever).
    shutdown: CancellationToken,
}

impl EventHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// A subscription to `user_id`'s wakes; take it before reading the journal, so a write
    /// committed in between still wakes the stream.
    pub fn subscribe(&self, user_id: &str) -> Subscription {
        let mut users = self.lock();
        let rx = users
            .entry(user_id.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        Subscription {
            inner: self.inner.clone(),
            user_id: user_id.to_owned(),
            rx: Some(rx),
        }
    }

    /// Wakes this instance's streams of `user_id` (none open: nothing happens).
    pub fn wake(&self, user_id: &str) {
        if let Some(tx) = self.lock().get(user_id) {
            tx.send_modify(|generation| *generation = generation.wrapping_add(1));
        }
    }

    /// Wakes every stream (after the PostgreSQL listener reconnected).
    pub fn wake_all(&self) {
        for tx in self.lock().values() {
            tx.send_modify(|generation| *generation = generation.wrapping_add(1));
        }
    }

    /// Users with at least one open stream on this instance.
    pub fn users_watching(&self) -> usize {
        self.lock().len()
    }

    /// Ends every stream; new ones end at once.
    pub fn shut_down(&self) {
        self.inner.shutdown.cancel();
    }

    pub(crate) fn shutdown_token(&self) -> CancellationToken {
        self.inner.shutdown.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, watch::Sender<u64>>> {
        // The map is consistent after any panic (each operation is one call), so a poisoned
        // lock is still usable.
        self.inner
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// One stream's wake-ups; dropping it releases the user's entry when it was the last.
pub struct Subscription {
    inner: Arc<Inner>,
    user_id: String,
    rx: Option<watch::Receiver<u64>>,
}

impl Subscription {
    /// Waits for the next wake. Wakes that came while the stream was busy are folded into
    /// one.
    pub async fn woken(&mut self) {
        match self.rx.as_mut() {
            // The sender lives in the map as long as this receiver does.
            Some(rx) => {
                if rx.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending::<()>().await,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut users = self
            .inner
            .users
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if users
            .get(&self.user_id)
            .is_some_and(|tx| tx.receiver_count() == 0)
        {
            users.remove(&self.user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn wakes_the_users_streams_and_forgets_users_whose_streams_went() {
        let hub = EventHub::new();
        let mut a1 = hub.subscribe("a");
        let mut a2 = hub.subscribe("a");
        let mut b = hub.subscribe("b");
        assert_eq!(hub.users_watching(), 2);
        hub.wake("a");
        hub.wake("a");
        tokio::time::timeout(Duration::from_secs(10), a1.woken())
            .await
            .expect("a1 woken");
        tokio::time::timeout(Duration::from_secs(10), a2.woken())
            .await
            .expect("a2 woken");
        // Two wakes fold into one; b was not woken at all.
        assert!(
            tokio::time::timeout(Duration::from_millis(50), a1.woken())
                .await
                .is_err()
        );
        assert!(
            tokio::time::timeout(Duration::from_millis(50), b.woken())
                .await
                .is_err()
        );
        hub.wake_all();
        tokio::time::timeout(Duration::from_secs(10), b.woken())
            .await
            .expect("b woken by wake_all");
        drop(a1);
        assert_eq!(hub.users_watching(), 2);
        drop(a2);
        drop(b);
        assert_eq!(hub.users_watching(), 0);
        hub.wake("a");
    }
}
