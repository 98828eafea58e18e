//! Live events: `GET /v1/events` streams, per device, what happened to the account, as
//! Server-Sent Events.
//!
//! **The journal is the truth.** Every event is a row of the user's journal (`events`) whose
//! id is the user's change number (`users.change_seq`, the counter records use), written in the
//! same transaction as the write it announces. An SSE frame's `id:` is that number, so a
//! device reconnecting with `Last-Event-ID` gets exactly what it missed, in order. Old events
//! are pruned by age ([`crate::Settings::event_retention`]); a device resuming from before the
//! pruned floor, or with more than [`crate::Settings::event_backlog_max`] events to catch up
//! on, gets one `sync_required` instead of a flood, and pulls `GET /v1/changes`.
//!
//! **Wakes carry nothing that matters.** A write wakes the streams of its user on this
//! instance ([`EventHub`], one watch channel per user with open streams, dropped with its last
//! stream); each stream then reads the journal from its own cursor. With PostgreSQL the write's
//! transaction also runs `pg_notify('syncer_events', user_id)`, and one listener task per
//! instance wakes that instance's streams; after the listener reconnects it wakes every
//! stream, so a notification lost in between costs one journal read, not an event. SQLite is
//! one instance: its hub is all there is.
//!
//! **A stream ends with its session**: on each wake and keep-alive it checks that its
//! session and device are still active, and it closes right after a `device_revoked` for its
//! own device.
//!
//! # Publishing from a handler
//!
//! Record writes, conflicts and resolutions publish their events themselves (inside the
//! storage transaction). Anything else publishes with [`publish`], from a handler that holds
//! the state:
//!
//! ```ignore
//! use crate::events::{self, EventKind};
//!
//! // after the device row is written (enrollment):
//! events::publish(&state, &user_id, EventKind::DeviceEnrolled { device_id, name }).await?;
//! // after a device is revoked (its own stream receives this, then closes):
//! events::publish(&state, &user_id, EventKind::DeviceRevoked { device_id }).await?;
//! ```
//!
//! `publish` takes the user's next change number and appends the event in its own
//! transaction, then wakes the streams (every instance on PostgreSQL). For a change with no
//! event of its own that streams must still notice at once (a sign-out), call [`wake`].

mod hub;
pub(crate) mod stream;

pub use self::hub::{EventHub, StreamSlot, Subscription};
/// What [`publish`] takes: the same type as the wire's events.
pub use crate::model::LiveEvent as EventKind;
use crate::state::{AppState, now_ms};
use crate::storage::{Storage, StorageError};

/// Appends `event` to `user_id`'s journal and wakes the user's streams. Returns the event's id
/// (its change number), or `None` when the user no longer exists.
pub async fn publish<S: Storage>(
    state: &AppState<S>,
    user_id: &str,
    event: EventKind,
) -> Result<Option<i64>, StorageError> {
    let seq = state
        .storage
        .append_event(user_id, event.kind(), &event.data_json(), now_ms())
        .await?;
    state.events.wake(user_id);
    Ok(seq)
}

/// Wakes `user_id`'s streams on every instance without an event: they recheck their session
/// (and close if it ended) and reread the journal.
pub async fn wake<S: Storage>(state: &AppState<S>, user_id: &str) -> Result<(), StorageError> {
    state.events.wake(user_id);
    state.storage.notify_wake(user_id).await
}
