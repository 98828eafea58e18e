//! `GET /v1/events`: the device's live event stream (see [`crate::events`]).

use std::convert::Infallible;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use futures_util::Stream;

use crate::error::{ApiError, ApiResult};
use crate::events::stream::LiveStream;
use crate::extract::Authed;
use crate::storage::Storage;

/// This device's live events, as Server-Sent Events (`text/event-stream`). Kinds:
/// `record_changed` `{collection, cursor, device_id}`, `conflict` `{conflict_id, collection,
/// record_id, device_id}`, `device_enrolled` `{device_id, name}`, `device_revoked`
/// `{device_id}`, `sync_required` `{reason}`. Each frame's `id` is the account's change number
/// at the event: reconnect with `Last-Event-ID` to resume without loss; a device too far
/// behind gets one `sync_required` and pulls `/v1/changes`. Idle streams carry keep-alive
/// comments. The stream ends when the device's session does.
#[utoipa::path(get, path = "/v1/events", tag = "events", security(("bearer" = [])),
    params(("Last-Event-ID" = Option<i64>, Header,
        description = "The id of the last event received (or the device's cursor); without it the stream starts now")),
    responses(
        (status = 200, content_type = "text/event-stream", body = String,
            description = "the stream; each event's data is a LiveEvent without its kind"),
        (status = 400, body = crate::model::ErrorBody, description = "invalid_last_event_id"),
        (status = 401, body = crate::model::ErrorBody, description = "token_invalid"),
    ))]
pub async fn events<S: Storage>(
    State(state): State<crate::state::AppState<S>>,
    Authed(me): Authed,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let last = match headers.get("last-event-id") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| *v >= 0)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid_last_event_id",
                        "Last-Event-ID must be the id of an event this stream sent (a number)",
                    )
                })?,
        ),
    };
    let stream = LiveStream::open(state, me, last).await?;
    Ok(Sse::new(stream.into_stream()))
}
