//! The request log and per-endpoint counters tests and benchmarks read: how many requests a
//! sync made, to which endpoints, with which outcomes.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::state::Shared;

/// The log keeps this many most recent requests; counters are never truncated.
const LOG_CAPACITY: usize = 200_000;

/// One request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// 1-based order of arrival since start (or the last reset).
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// `"GET /v1/playlists/{id}/items"`: method and route template.
    pub endpoint: String,
    /// `None` when the connection was dropped or the request hung until shutdown.
    pub status: Option<u16>,
    /// The injected fault that answered, if any (`"rate_limit"`, `"fail"`, `"timeout"`,
    /// `"drop"`).
    pub fault: Option<&'static str>,
}

/// Counts for one endpoint key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointCounts {
    pub total: u64,
    /// Status → count; dropped and hung requests are counted under 0.
    pub by_status: BTreeMap<u16, u64>,
}

#[derive(Default)]
pub(crate) struct StatsState {
    next_seq: u64,
    total: u64,
    endpoints: BTreeMap<String, EndpointCounts>,
    log: std::collections::VecDeque<LoggedRequest>,
    /// Requests that arrived while a 429's `Retry-After` had not yet passed.
    pub rate_limit_violations: u64,
}

impl StatsState {
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn record(&mut self, entry: LoggedRequest) {
        self.total += 1;
        let counts = self.endpoints.entry(entry.endpoint.clone()).or_default();
        counts.total += 1;
        *counts
            .by_status
            .entry(entry.status.unwrap_or(0))
            .or_default() += 1;
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(entry);
    }
}

/// A live handle on the server's counters: every call reads the current numbers.
#[derive(Clone)]
pub struct RequestStats {
    pub(crate) shared: Arc<Shared>,
}

impl RequestStats {
    /// Every request received, faults included.
    pub fn total(&self) -> u64 {
        self.shared.stats().total
    }

    /// Requests to one endpoint key, e.g. `"GET /v1/playlists/{id}/items"`.
    pub fn count(&self, endpoint: &str) -> u64 {
        self.shared
            .stats()
            .endpoints
            .get(endpoint)
            .map_or(0, |c| c.total)
    }

    /// Requests to one endpoint key answered with `status`.
    pub fn count_status(&self, endpoint: &str, status: u16) -> u64 {
        self.shared
            .stats()
            .endpoints
            .get(endpoint)
            .and_then(|c| c.by_status.get(&status).copied())
            .unwrap_or(0)
    }

    /// Requests answered with `status`, over all endpoints.
    pub fn count_any(&self, status: u16) -> u64 {
        self.shared
            .stats()
            .endpoints
            .values()
            .filter_map(|c| c.by_status.get(&status))
            .sum()
    }

    pub fn by_endpoint(&self) -> BTreeMap<String, EndpointCounts> {
        self.shared.stats().endpoints.clone()
    }

    pub fn log(&self) -> Vec<LoggedRequest> {
        self.shared.stats().log.iter().cloned().collect()
    }

    /// Requests that came before a 429's `Retry-After` had passed (see
    /// `FaultController::rate_limit_after`): a client that honours `Retry-After` keeps this 0.
    pub fn rate_limit_violations(&self) -> u64 {
        self.shared.stats().rate_limit_violations
    }

    /// Zeroes counters and clears the log.
    pub fn reset(&self) {
        *self.shared.stats() = StatsState::default();
    }
}
