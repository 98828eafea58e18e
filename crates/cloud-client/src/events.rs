//! Live events on the device: [`CloudDevice::watch`] keeps the account's event stream
//! (`GET /v1/events`, Server-Sent Events) open and pulls changes when another device wrote,
//! instead of polling.
//!
//! The stream is parsed by `eventsource-stream` over reqwest's byte stream; reconnecting is
//! ours: with the last event id as `Last-Event-ID` (at first, the device's sync cursor, so
//! changes made while it was away are replayed or announced by one `sync_required`), with
//! jittered exponential backoff, and with a token refresh when the server answers 401. The
//! cursor is the truth, so a missed or doubled event costs at most one extra pull.

use std::time::Duration;

use eventsource_stream::Eventsource as _;
use futures_util::{FutureExt as _, StreamExt as _};
use serde::Serialize;
use syncer_cloud::model::LiveEvent;

use crate::device::{CloudDevice, Ctx};
use crate::error::{CloudError, Result};
use crate::sync::SyncReport;

/// What the watcher tells its caller, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WatchUpdate {
    /// The stream is open: changes arrive as they are made.
    Live,
    /// An event arrived; `id` is its cursor.
    Event { id: i64, event: LiveEvent },
    /// The changes the events announced were pulled and applied.
    Pulled { report: SyncReport },
    /// A pull failed (e.g. the device is locked); the stream stays open.
    PullFailed { error: String },
    /// The stream dropped or could not open; the next attempt is in `retry_in_ms`.
    Reconnecting { retry_in_ms: u64, error: String },
}

/// Jittered exponential backoff, 0.5 s to 30 s.
struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(30);

    fn new() -> Self {
        Self { next: Self::FIRST }
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    fn step(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        // Up to a quarter either way, so devices that lost one server do not return at once.
        let quarter = u64::try_from(base.as_millis() / 4).unwrap_or(0);
        let jitter = fastrand::u64(0..=quarter * 2);
        Duration::from_millis(u64::try_from(base.as_millis()).unwrap_or(0) - quarter + jitter)
    }
}

/// How one connection ended.
enum Ended {
    /// The server closed it, or the network dropped it: reconnect.
    Dropped(String),
    /// This device was revoked: stop.
    Revoked,
}

impl CloudDevice {
    /// Stays connected to the account's live events until the session ends (then
    /// [`CloudError::SessionEnded`] or [`CloudError::NotSignedIn`]); drop the future to stop.
    /// Each `record_changed` from another device, `conflict` or `sync_required` triggers a
    /// pull (events that arrive together make one pull).
    pub async fn watch(&self, mut on_update: impl FnMut(WatchUpdate) + Send) -> Result<()> {
        let mut last_id: Option<i64> = None;
        let mut backoff = Backoff::new();
        let mut refreshed = false;
        loop {
            let mut ctx = self.ctx().await?;
            let from = last_id.unwrap_or(ctx.state.cursor);
            let error = match ctx
                .api
                .open_events(&ctx.tokens.access_token, Some(from))
                .await
            {
                Ok(response) => {
                    refreshed = false;
                    backoff.reset();
                    on_update(WatchUpdate::Live);
                    match self
                        .follow(&ctx, response, &mut last_id, &mut on_update)
                        .await
                    {
                        Ended::Revoked => {
                            return Err(CloudError::SessionEnded {
                                reason: "this device was removed from the account".to_owned(),
                            });
                        }
                        Ended::Dropped(why) => why,
                    }
                }
                // An access token the server no longer takes: refresh once, straight away
                // (a refused refresh ends the watch with SessionEnded).
                Err(CloudError::Api { status: 401, .. }) if !refreshed => {
                    self.refresh(&mut ctx).await?;
                    refreshed = true;
                    continue;
                }
                Err(e @ CloudError::Api { status: 401, .. }) => {
                    refreshed = false;
                    e.to_string()
                }
                Err(e) => e.to_string(),
            };
            let wait = backoff.step();
            tracing::info!(error = %error, retry_in_ms = wait.as_millis(), "event stream dropped; reconnecting");
            on_update(WatchUpdate::Reconnecting {
                retry_in_ms: u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                error,
            });
            tokio::time::sleep(wait).await;
        }
    }

    async fn follow(
        &self,
        ctx: &Ctx,
        response: reqwest::Response,
        last_id: &mut Option<i64>,
        on_update: &mut (impl FnMut(WatchUpdate) + Send),
    ) -> Ended {
        let me = ctx.state.device_id.clone();
        let mut frames = response.bytes_stream().eventsource();
        loop {
            let Some(frame) = frames.next().await else {
                return Ended::Dropped("the server closed the stream".to_owned());
            };
            // Events that arrived together make one pull.
            let mut batch = vec![frame];
            while let Some(Some(more)) = frames.next().now_or_never() {
                batch.push(more);
            }
            let mut pull = false;
            let mut revoked = false;
            let mut failed = None;
            for frame in batch {
                let frame = match frame {
                    Ok(frame) => frame,
                    Err(e) => {
                        failed = Some(e.to_string());
                        break;
                    }
                };
                if let Ok(id) = frame.id.parse::<i64>() {
                    *last_id = Some(id);
                }
                let Some(event) = LiveEvent::parse(&frame.event, &frame.data) else {
                    continue;
                };
                pull |= match &event {
                    // This device's own writes are already here.
                    LiveEvent::RecordChanged { device_id, .. } => *device_id != me,
                    other => other.wants_pull(),
                };
                revoked |=
                    matches!(&event, LiveEvent::DeviceRevoked { device_id } if *device_id == me);
                let id = last_id.unwrap_or_default();
                on_update(WatchUpdate::Event { id, event });
            }
            if revoked {
                return Ended::Revoked;
            }
            if pull {
                match self.pull_changes().await {
                    Ok(report) => on_update(WatchUpdate::Pulled { report }),
                    Err(e @ (CloudError::SessionEnded { .. } | CloudError::NotSignedIn)) => {
                        return Ended::Dropped(e.to_string());
                    }
                    Err(e) => on_update(WatchUpdate::PullFailed {
                        error: e.to_string(),
                    }),
                }
            }
            if let Some(why) = failed {
                return Ended::Dropped(why);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_a_cap_with_jitter_and_resets() {
        let mut backoff = Backoff::new();
        let first = backoff.step();
        assert!((375..=625).contains(&first.as_millis()), "{first:?}");
        for _ in 0..20 {
            assert!(backoff.step() <= Duration::from_millis(37_500));
        }
        assert!(backoff.step() >= Duration::from_millis(22_500));
        backoff.reset();
        assert!(backoff.step() <= Duration::from_millis(625));
    }
}
