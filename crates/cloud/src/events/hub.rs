//! The in-process notifier: one watch channel per user with open streams. A wake carries
//! nothing but "look again"; the stream reads the journal from its own cursor, so coalesced
//! or duplicate wakes lose nothing.
//!
//! It also keeps count of each device's open streams: a device may hold a few (the desktop
//! app and `syncer cloud watch` share one), and a new one past the limit ends the oldest. One
//! stolen or buggy token cannot hold a thousand sockets open, and a client that reconnects
//! without closing the old stream replaces it instead of piling up.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Shared by every handler of one server instance. Cheap to clone.
#[derive(Clone)]
pub struct EventHub {
    inner: Arc<Inner>,
}

struct Inner {
    /// Open streams per device, oldest first, each with the token that ends it.
    devices: Mutex<HashMap<String, VecDeque<(u64, CancellationToken)>>>,
    per_device: usize,
    next_stream: AtomicU64,
    /// Only users with at least one open stream have an entry: the last stream to go removes
    /// it, so the map does not grow with every user ever seen.
    users: Mutex<HashMap<String, watch::Sender<u64>>>,
    /// Cancelled when the server shuts down, which ends every stream (graceful shutdown
    /// would otherwise wait for them forever).
    shutdown: CancellationToken,
}

impl EventHub {
    /// `per_device`: streams one device may hold open here (at least one).
    pub fn new(per_device: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                devices: Mutex::default(),
                per_device: per_device.max(1),
                next_stream: AtomicU64::new(0),
                users: Mutex::default(),
                shutdown: CancellationToken::new(),
            }),
        }
    }

    /// Counts a new stream of `device_id`; when the device already holds its limit, the
    /// oldest of them is ended (its [`StreamSlot::ended`] fires).
    pub fn open_stream(&self, device_id: &str) -> StreamSlot {
        let id = self.inner.next_stream.fetch_add(1, Ordering::Relaxed);
        let ended = CancellationToken::new();
        let mut devices = self.devices();
        let streams = devices.entry(device_id.to_owned()).or_default();
        while streams.len() >= self.inner.per_device {
            let Some((_, oldest)) = streams.pop_front() else {
                break;
            };
            oldest.cancel();
            crate::metrics::stream_replaced();
            tracing::info!(device = %device_id, "event stream replaced by a newer one of the same device");
        }
        streams.push_back((id, ended.clone()));
        StreamSlot {
            inner: self.inner.clone(),
            device_id: device_id.to_owned(),
            id,
            ended,
        }
    }

    /// Streams open on this instance for `device_id`.
    pub fn streams_of(&self, device_id: &str) -> usize {
        self.devices().get(device_id).map_or(0, VecDeque::len)
    }

    fn devices(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<(u64, CancellationToken)>>> {
        // Consistent after any panic (each operation is one call): a poisoned lock is usable.
        self.inner
            .devices
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
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

/// One open stream's place in its device's count; dropping it frees the place.
pub struct StreamSlot {
    inner: Arc<Inner>,
    device_id: String,
    id: u64,
    ended: CancellationToken,
}

impl StreamSlot {
    /// Fires when a newer stream of the same device replaced this one.
    pub fn ended(&self) -> &CancellationToken {
        &self.ended
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut devices = self
            .inner
            .devices
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(streams) = devices.get_mut(&self.device_id) {
            streams.retain(|(id, _)| *id != self.id);
            if streams.is_empty() {
                devices.remove(&self.device_id);
            }
        }
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
        let hub = EventHub::new(4);
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

    #[test]
    fn a_device_past_its_limit_loses_its_oldest_stream() {
        let hub = EventHub::new(2);
        let first = hub.open_stream("d");
        let second = hub.open_stream("d");
        let other = hub.open_stream("e");
        assert_eq!(hub.streams_of("d"), 2);
        let third = hub.open_stream("d");
        assert!(first.ended().is_cancelled(), "the oldest is ended");
        assert!(!second.ended().is_cancelled() && !third.ended().is_cancelled());
        assert!(!other.ended().is_cancelled(), "another device is untouched");
        assert_eq!(hub.streams_of("d"), 2);
        drop(first);
        assert_eq!(
            hub.streams_of("d"),
            2,
            "the replaced one was already uncounted"
        );
        drop(second);
        drop(third);
        assert_eq!(hub.streams_of("d"), 0);
    }
}
