//! Prometheus metrics at `/metrics`: requests by route and status, their latency, and the
//! events an operator watches (conflicts, wrong-key refusals, rate limiting, token reuse).

use std::sync::{Arc, LazyLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    conflicts: Counter,
    wrong_key: Counter,
    rate_limited: Counter,
    refresh_reuse: Counter,
    records_written: Counter,
    hashing_busy: Counter,
    connections_refused: Counter,
    streams_replaced: Counter,
}

fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

// One registry per process: metrics are process-wide, like the counters Prometheus scrapes.
static METRICS: LazyLock<Arc<Metrics>> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("syncer_cloud");
    let requests = Family::<RequestLabels, Counter>::default();
    let latency: Family<RouteLabels, Histogram, fn() -> Histogram> =
        Family::new_with_constructor(latency_histogram);
    let conflicts = Counter::default();
    let wrong_key = Counter::default();
    let rate_limited = Counter::default();
    let refresh_reuse = Counter::default();
    let records_written = Counter::default();
    let hashing_busy = Counter::default();
    let connections_refused = Counter::default();
    let streams_replaced = Counter::default();
    registry.register("http_requests", "HTTP requests answered", requests.clone());
    registry.register(
        "http_request_duration_seconds",
        "Time to answer an HTTP request",
        latency.clone(),
    );
    registry.register(
        "conflicts",
        "Writes refused as stale (conflicts recorded)",
        conflicts.clone(),
    );
    registry.register(
        "wrong_key",
        "Uploads refused for a key other than the account's",
        wrong_key.clone(),
    );
    registry.register(
        "rate_limited",
        "Sign-in attempts refused by a rate limit",
        rate_limited.clone(),
    );
    registry.register(
        "refresh_reuse",
        "Refresh tokens presented twice (families revoked)",
        refresh_reuse.clone(),
    );
    registry.register(
        "records_written",
        "Record versions stored",
        records_written.clone(),
    );
    registry.register(
        "password_hashing_busy",
        "Requests refused because every password-hashing slot was taken",
        hashing_busy.clone(),
    );
    registry.register(
        "connections_refused",
        "Connections answered 503 at the connection limit",
        connections_refused.clone(),
    );
    registry.register(
        "event_streams_replaced",
        "Event streams ended because their device opened more than its limit",
        streams_replaced.clone(),
    );
    Arc::new(Metrics {
        registry,
        requests,
        latency,
        conflicts,
        wrong_key,
        rate_limited,
        refresh_reuse,
        records_written,
        hashing_busy,
        connections_refused,
        streams_replaced,
    })
});

pub fn conflict() {
    METRICS.conflicts.inc();
}
pub fn wrong_key() {
    METRICS.wrong_key.inc();
}
pub fn rate_limited() {
    METRICS.rate_limited.inc();
}
pub fn refresh_reuse() {
    METRICS.refresh_reuse.inc();
}
pub fn record_written() {
    METRICS.records_written.inc();
}
pub fn hashing_busy() {
    METRICS.hashing_busy.inc();
}
pub fn connection_refused() {
    METRICS.connections_refused.inc();
}
pub fn stream_replaced() {
    METRICS.streams_replaced.inc();
}

/// The text exposition format.
pub fn render() -> String {
    let mut out = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &METRICS.registry) {
        tracing::warn!(error = %e, "could not encode metrics");
    }
    out
}

/// Middleware: counts and times every request under its route pattern (not its path, so
/// record ids never become label values).
pub async fn track(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    METRICS
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    METRICS
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}
