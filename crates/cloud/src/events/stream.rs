//! One device's stream: where it starts, what wakes it, when it ends.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::Event;
use futures_util::Stream;
use tokio::time::{Instant, Interval, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::{EventKind, StreamSlot, Subscription};
use crate::state::AppState;
use crate::storage::{EventRow, Principal, Storage, StorageError};

pub(crate) struct LiveStream<S> {
    state: AppState<S>,
    principal: Principal,
    subscription: Subscription,
    /// The id of the last event sent (or the point the stream started from).
    cursor: i64,
    pending: VecDeque<Event>,
    /// The journal may hold events after `cursor`.
    read_due: bool,
    /// Send what is pending, then end.
    closing: bool,
    keepalive: Interval,
    shutdown: CancellationToken,
    /// This stream's place in its device's count; ended when a newer stream replaces it.
    slot: StreamSlot,
}

fn sync_required(id: i64, reason: &str) -> Event {
    let event = EventKind::SyncRequired {
        reason: reason.to_owned(),
    };
    Event::default()
        .id(id.to_string())
        .event(event.kind())
        .data(event.data_json())
}

impl<S: Storage> LiveStream<S> {
    /// Starts after `last_event_id` (the device's cursor), or at the account's latest change
    /// when the device names none.
    pub(crate) async fn open(
        state: AppState<S>,
        principal: Principal,
        last_event_id: Option<i64>,
    ) -> Result<Self, StorageError> {
        // Subscribe first: a write that commits while the bounds are read still wakes us.
        let subscription = state.events.subscribe(&principal.user_id);
        let bounds = state
            .storage
            .event_bounds(&principal.user_id)
            .await?
            .ok_or_else(|| StorageError::Database("the account is gone".to_owned()))?;
        let mut pending = VecDeque::new();
        let (cursor, read_due) = match last_event_id {
            None => (bounds.latest, false),
            // Events after it may have been pruned: the journal cannot replay them.
            Some(last) if last < bounds.floor => {
                pending.push_back(sync_required(bounds.latest, "pruned"));
                (bounds.latest, false)
            }
            // A cursor this account never reached (another server's, or a restored
            // database): only a full pull puts the device right.
            Some(last) if last > bounds.latest => {
                pending.push_back(sync_required(bounds.latest, "unknown_cursor"));
                (bounds.latest, false)
            }
            Some(last) => (last, true),
        };
        let period = state.settings.event_keepalive;
        let mut keepalive = tokio::time::interval_at(Instant::now() + period, period);
        keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let shutdown = state.events.shutdown_token();
        let slot = state.events.open_stream(&principal.device_id);
        Ok(Self {
            state,
            principal,
            subscription,
            cursor,
            pending,
            read_due,
            closing: false,
            keepalive,
            shutdown,
            slot,
        })
    }

    pub(crate) fn into_stream(self) -> impl Stream<Item = Result<Event, Infallible>> + Send {
        futures_util::stream::unfold(self, |mut stream| async move {
            let event = stream.next_event().await?;
            Some((Ok(event), stream))
        })
    }

    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.closing || self.shutdown.is_cancelled() || self.slot.ended().is_cancelled() {
                return None;
            }
            if self.read_due {
                self.read_due = false;
                if let Err(e) = self.read_journal().await {
                    // The device reconnects with its Last-Event-ID: nothing is lost.
                    tracing::warn!(error = %e, device = %self.principal.device_id, "event stream ends: cannot read the journal");
                    return None;
                }
                continue;
            }
            tokio::select! {
                () = self.shutdown.cancelled() => return None,
                // A newer stream of this device took the place: this one ends.
                () = self.slot.ended().cancelled() => return None,
                () = self.subscription.woken() => {
                    if !self.still_signed_in().await {
                        self.closing = true;
                        return self.farewell().await;
                    }
                    self.read_due = true;
                }
                _ = self.keepalive.tick() => {
                    if !self.still_signed_in().await {
                        self.closing = true;
                        return self.farewell().await;
                    }
                    return Some(Event::default().comment("keep-alive"));
                }
            }
        }
    }

    async fn still_signed_in(&self) -> bool {
        match self
            .state
            .storage
            .session_active(&self.principal.session_id)
            .await
        {
            Ok(active) => {
                if !active {
                    tracing::info!(device = %self.principal.device_id, "event stream ends: the session ended");
                }
                active
            }
            Err(e) => {
                tracing::warn!(error = %e, "event stream ends: cannot check the session");
                false
            }
        }
    }

    /// The session has ended. When it ended because this device was removed, the device is
    /// told so before the stream closes: that event alone, since nothing else reaches a device
    /// that is out.
    async fn farewell(&self) -> Option<Event> {
        let limit = self.state.settings.event_backlog_max.max(1);
        let rows = self
            .state
            .storage
            .events_after(&self.principal.user_id, self.cursor, limit)
            .await
            .ok()?;
        rows.into_iter()
            .find_map(|row| match EventKind::parse(&row.kind, &row.data) {
                Some(EventKind::DeviceRevoked { device_id })
                    if device_id == self.principal.device_id =>
                {
                    Some(
                        Event::default()
                            .id(row.seq.to_string())
                            .event(row.kind)
                            .data(row.data),
                    )
                }
                _ => None,
            })
    }

    async fn read_journal(&mut self) -> Result<(), StorageError> {
        let max = self.state.settings.event_backlog_max.max(1);
        let rows = self
            .state
            .storage
            .events_after(&self.principal.user_id, self.cursor, max + 1)
            .await?;
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) > max {
            // One nudge instead of a flood: the device pulls everything after its cursor.
            let latest = self
                .state
                .storage
                .event_bounds(&self.principal.user_id)
                .await?
                .map_or(self.cursor, |b| b.latest);
            self.cursor = latest;
            self.pending
                .push_back(sync_required(latest, "too_far_behind"));
            return Ok(());
        }
        for row in rows {
            self.push(row);
            if self.closing {
                break;
            }
        }
        Ok(())
    }

    fn push(&mut self, row: EventRow) {
        self.cursor = row.seq;
        if let Some(EventKind::DeviceRevoked { device_id }) = EventKind::parse(&row.kind, &row.data)
            && device_id == self.principal.device_id
        {
            self.closing = true;
        }
        self.pending.push_back(
            Event::default()
                .id(row.seq.to_string())
                .event(row.kind)
                .data(row.data),
        );
    }
}

/// How often a stream says it is alive when nothing happens, by default.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(15);
