//! Every request passes here first: it is keyed (`"GET /v1/playlists/{id}/items"`), judged
//! against the armed faults, delayed, answered, and counted.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

use crate::error::ApiError;
use crate::faults::Action;
use crate::state::Shared;
use crate::stats::LoggedRequest;

/// Lets a handler close its own connection without answering: set per connection by the
/// accept loop.
#[derive(Clone)]
pub(crate) struct ConnectionKill(pub Arc<Notify>);

pub(crate) async fn observe(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("<unmatched>", MatchedPath::as_str)
        .to_owned();
    let endpoint = format!("{method} {route}");
    let kill = req.extensions().get::<ConnectionKill>().cloned();

    let seq = s.stats().next_seq();
    let (action, scripted) = s.faults().decide(&endpoint, &method, &path);
    let rewrite = path
        .starts_with("/v1/")
        .then(|| crate::quirks::RewriteSpec::of(&s.quirks(), &endpoint))
        .flatten();
    let latency = scripted + s.config.latency.unwrap_or_default();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut log = LoggedRequest {
        seq,
        method,
        path,
        query,
        endpoint,
        status: None,
        fault: None,
    };
    let response = match action {
        Action::Pass => match rewrite {
            Some(spec) => crate::quirks::rewrite(spec, &log.endpoint, next.run(req).await).await,
            None => next.run(req).await,
        },
        Action::RateLimited {
            retry_after,
            violation,
        } => {
            log.fault = Some("rate_limit");
            if violation {
                s.stats().rate_limit_violations += 1;
            }
            ApiError::rate_limited(retry_after).into_response()
        }
        Action::Fail(status) => {
            log.fault = Some("fail");
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::server(status).into_response()
        }
        Action::Hang => {
            log.fault = Some("timeout");
            s.stats().record(log);
            let mut shutdown = s.shutdown.subscribe();
            // Answer only when the server stops; by then the client has given up.
            let _ = shutdown.wait_for(|stopped| *stopped).await;
            return ApiError::server(StatusCode::SERVICE_UNAVAILABLE).into_response();
        }
        Action::ApplyThenHang => {
            let applied = next.run(req).await;
            log.fault = Some("apply_then_hang");
            log.status = Some(applied.status().as_u16());
            s.stats().record(log);
            let mut shutdown = s.shutdown.subscribe();
            let _ = shutdown.wait_for(|stopped| *stopped).await;
            return ApiError::server(StatusCode::SERVICE_UNAVAILABLE).into_response();
        }
        Action::ApplyThenDrop => {
            let applied = next.run(req).await;
            log.fault = Some("lose_answer");
            log.status = Some(applied.status().as_u16());
            s.stats().record(log);
            if let Some(ConnectionKill(notify)) = kill {
                notify.notify_one();
            }
            std::future::pending::<()>().await;
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        Action::Drop => {
            log.fault = Some("drop");
            s.stats().record(log);
            if let Some(ConnectionKill(notify)) = kill {
                notify.notify_one();
            }
            // The connection task drops this future together with the socket.
            std::future::pending::<()>().await;
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    log.status = Some(response.status().as_u16());
    s.stats().record(log);
    response
}
