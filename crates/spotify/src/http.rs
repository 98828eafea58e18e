//! One logical request, start to finish: circuit breaker, rate gate, concurrency limit, token,
//! send, classify, count, and retry or give up. Everything above this module speaks in
//! endpoints and JSON; everything below is reqwest.

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use syncer_core::provider::{ProviderError, RequestOutcome, RequestStats};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::breaker::CircuitBreaker;
use crate::config::ClientConfig;
use crate::rate::RateGate;
use crate::retry::sleep;
use crate::token::{AccessToken, TokenError, TokenSource};

/// Whether repeating a request that may have reached the service is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Reads, replace (PUT) and remove-all-occurrences (DELETE): retried on every transient
    /// failure.
    Safe,
    /// Adding items and creating playlists: repeating one the service did apply would add
    /// twice. Retried only when the service surely did not act on it: a 429, a 503, or a
    /// connection that failed before the request was sent.
    Unsafe,
}

/// A request before it is sent. `endpoint` is the route template (`"GET /playlists/{id}"`),
/// the key for counters, logs and errors.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub method: Method,
    pub endpoint: &'static str,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
    pub idempotency: Idempotency,
}

impl ApiRequest {
    pub fn get(endpoint: &'static str, path: String) -> Self {
        ApiRequest {
            method: Method::GET,
            endpoint,
            path,
            query: Vec::new(),
            body: None,
            idempotency: Idempotency::Safe,
        }
    }

    pub fn with_body(
        method: Method,
        endpoint: &'static str,
        path: String,
        body: serde_json::Value,
        idempotency: Idempotency,
    ) -> Self {
        ApiRequest {
            method,
            endpoint,
            path,
            query: Vec::new(),
            body: Some(body),
            idempotency,
        }
    }

    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }
}

/// A final answer the caller has to interpret in context (a 403 on a batch endpoint means
/// "not for this app", on a playlist "not yours").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallError {
    Status { status: StatusCode, message: String },
    Provider(ProviderError),
}

impl From<ProviderError> for CallError {
    fn from(e: ProviderError) -> Self {
        CallError::Provider(e)
    }
}

impl CallError {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            CallError::Status { status, .. } => Some(*status),
            CallError::Provider(_) => None,
        }
    }

    /// The generic reading of a final answer; `what` names the thing asked for.
    pub fn into_provider(self, what: &str) -> ProviderError {
        match self {
            CallError::Provider(e) => e,
            CallError::Status { status, message } => match status {
                StatusCode::NOT_FOUND => ProviderError::NotFound {
                    what: what.to_owned(),
                },
                StatusCode::FORBIDDEN if message.to_ascii_lowercase().contains("scope") => {
                    ProviderError::ReconnectNeeded {
                        reason: format!(
                            "the connection lacks a permission Syncer needs ({message}); \
                             reconnect and approve every permission"
                        ),
                    }
                }
                StatusCode::FORBIDDEN => ProviderError::Forbidden {
                    what: what.to_owned(),
                    message,
                },
                _ => ProviderError::InvalidRequest {
                    message: format!("HTTP {} for {what}: {message}", status.as_u16()),
                },
            },
        }
    }
}

/// What the transport shares between clones of a client: everything per connection.
pub(crate) struct Transport<T> {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: Arc<T>,
    rate: RateGate,
    breaker: CircuitBreaker,
    in_flight: Semaphore,
    stats: Mutex<RequestStats>,
}

/// The service's words from an error body, in any shape it sends: the Web API's
/// `{"error":{"message":...}}`, an OAuth-style `{"error":"...","error_description":...}`, or
/// plain text (Development Mode's "User not registered in the Developer Dashboard" is a bare
/// text body). Bounded, and only the first line of text: a proxy's HTML page says nothing.
pub(crate) fn error_message(body: &[u8]) -> String {
    const MAX: usize = 200;
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        let error = v.get("error");
        let message = error
            .and_then(|e| e.get("message"))
            .and_then(serde_json::Value::as_str)
            .or_else(|| {
                v.get("error_description")
                    .and_then(serde_json::Value::as_str)
            })
            .or_else(|| error.and_then(serde_json::Value::as_str))
            .or_else(|| v.get("message").and_then(serde_json::Value::as_str))
            .unwrap_or_default();
        return message.chars().take(MAX).collect();
    }
    let text = String::from_utf8_lossy(body);
    let line = text.trim().lines().next().unwrap_or_default().trim();
    if line.starts_with('<') {
        return String::new();
    }
    line.chars().take(MAX).collect()
}

/// How an attempt ended, before deciding what to do about it.
enum Attempt {
    Done(Vec<u8>),
    Unauthorized,
    RateLimited(Option<String>),
    Transient {
        outcome: RequestOutcome,
        /// Whether the service surely did not act on the request.
        not_processed: bool,
        error: ProviderError,
    },
    Final(CallError),
}

impl<T: TokenSource> Transport<T> {
    pub fn new(config: ClientConfig, tokens: Arc<T>) -> Result<Self, reqwest::Error> {
        // reqwest is built without a bundled crypto provider; ring is ours. Installing fails
        // only when a provider is already installed process-wide, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .gzip(true)
            .build()?;
        Ok(Transport {
            http,
            rate: RateGate::new(config.rate.clone()),
            breaker: CircuitBreaker::new(config.breaker.clone()),
            in_flight: Semaphore::new(config.max_concurrency.max(1)),
            stats: Mutex::new(RequestStats::default()),
            tokens,
            config,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn is_circuit_open(&self) -> bool {
        self.breaker.is_open()
    }

    pub fn rate_limited_until(&self) -> Option<std::time::Instant> {
        self.rate.limited_until()
    }

    pub fn stats(&self) -> RequestStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn count(&self, endpoint: &str, outcome: RequestOutcome) {
        // Counters only grow; a poisoned lock still holds valid counts.
        self.stats
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(endpoint, outcome);
    }

    /// Sends `req` until it succeeds, fails for good, or runs out of attempts, and parses
    /// the 2xx body as `R`.
    pub async fn json<R: DeserializeOwned>(
        &self,
        req: &ApiRequest,
        cancel: &CancellationToken,
    ) -> Result<R, CallError> {
        let retry = &self.config.retry;
        let mut failures = 0u32;
        let mut rate_waits = 0u32;
        let mut refreshed = false;
        loop {
            if cancel.is_cancelled() {
                return Err(ProviderError::Cancelled.into());
            }
            let permit = self
                .breaker
                .permit()
                .map_err(|retry_in| ProviderError::CircuitOpen { retry_in })?;
            self.rate.acquire(cancel).await?;
            let token = self.tokens.access_token().await.map_err(token_error)?;
            let attempt = {
                let _slot = tokio::select! {
                    () = cancel.cancelled() => return Err(ProviderError::Cancelled.into()),
                    slot = self.in_flight.acquire() => slot,
                };
                tokio::select! {
                    () = cancel.cancelled() => return Err(ProviderError::Cancelled.into()),
                    a = self.attempt(req, &token) => a,
                }
            };
            match attempt {
                Attempt::Done(body) => {
                    permit.success();
                    self.rate.succeeded();
                    // Counted here, once parsed: a 2xx Syncer cannot read is no success.
                    return match serde_json::from_slice(&body) {
                        Ok(parsed) => {
                            self.count(req.endpoint, RequestOutcome::Success);
                            Ok(parsed)
                        }
                        Err(e) => {
                            self.count(req.endpoint, RequestOutcome::InvalidResponse);
                            Err(ProviderError::InvalidResponse {
                                endpoint: req.endpoint.to_owned(),
                                message: e.to_string(),
                            }
                            .into())
                        }
                    };
                }
                Attempt::Unauthorized => {
                    permit.success();
                    if refreshed {
                        return Err(ProviderError::ReconnectNeeded {
                            reason: "Spotify refused a freshly renewed access token".to_owned(),
                        }
                        .into());
                    }
                    refreshed = true;
                    tracing::info!(
                        endpoint = req.endpoint,
                        "access token refused; renewing once"
                    );
                    self.tokens.refresh(&token).await.map_err(token_error)?;
                }
                Attempt::RateLimited(header) => {
                    permit.success();
                    rate_waits += 1;
                    let wait = retry.rate_limit_wait(header.as_deref());
                    match wait {
                        Ok(wait) if rate_waits <= retry.max_rate_limit_waits => {
                            self.rate.rate_limited(wait);
                        }
                        Ok(wait) | Err(wait) => {
                            self.rate
                                .rate_limited_for(wait.min(retry.max_retry_after), wait);
                            return Err(ProviderError::RateLimited { retry_after: wait }.into());
                        }
                    }
                }
                Attempt::Transient {
                    outcome,
                    not_processed,
                    error,
                } => {
                    if outcome == RequestOutcome::ServerError
                        || outcome == RequestOutcome::Timeout
                        || outcome == RequestOutcome::NetworkError
                    {
                        permit.failure();
                    }
                    failures += 1;
                    let may_repeat = req.idempotency == Idempotency::Safe || not_processed;
                    if !may_repeat || failures >= retry.max_attempts.max(1) {
                        return Err(with_attempts(error, failures).into());
                    }
                    let wait = retry.backoff(failures);
                    tracing::info!(
                        endpoint = req.endpoint,
                        attempt = failures,
                        ?outcome,
                        wait_ms = wait.as_millis() as u64,
                        "transient failure; retrying"
                    );
                    sleep(wait, cancel).await?;
                }
                Attempt::Final(e) => {
                    permit.success();
                    return Err(e);
                }
            }
        }
    }

    async fn attempt(&self, req: &ApiRequest, token: &AccessToken) -> Attempt {
        let url = format!("{}{}", self.config.api_base.trim_end_matches('/'), req.path);
        let mut builder = self
            .http
            .request(req.method.clone(), url)
            .bearer_auth(token.expose_secret());
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        if let Some(body) = &req.body {
            builder = builder.json(body);
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return self.network_failure(req, &e),
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            // The answer started but broke off: as good as a dropped connection.
            Err(e) => return self.network_failure(req, &e),
        };
        let outcome = outcome_of(status);
        if outcome != RequestOutcome::Success {
            self.count(req.endpoint, outcome);
        }
        tracing::debug!(
            endpoint = req.endpoint,
            status = status.as_u16(),
            "answered"
        );
        match outcome {
            RequestOutcome::Success => Attempt::Done(body),
            RequestOutcome::Unauthorized => Attempt::Unauthorized,
            RequestOutcome::RateLimited => Attempt::RateLimited(retry_after),
            RequestOutcome::ServerError => Attempt::Transient {
                outcome,
                not_processed: status == StatusCode::SERVICE_UNAVAILABLE,
                error: ProviderError::Server {
                    status: status.as_u16(),
                    attempts: 0,
                },
            },
            _ => {
                let message = error_message(&body);
                // Development Mode refuses an account missing from the app's user list on
                // every endpoint: about the account, never about a playlist or the endpoint.
                match syncer_core::provider::app_user_refusal(&message) {
                    Some(message) if status == StatusCode::FORBIDDEN => {
                        tracing::warn!(
                            endpoint = req.endpoint,
                            "the account is not on the app's user list (Development Mode)"
                        );
                        Attempt::Final(CallError::Provider(ProviderError::NotInAppUsers {
                            message,
                        }))
                    }
                    _ => Attempt::Final(CallError::Status { status, message }),
                }
            }
        }
    }

    fn network_failure(&self, req: &ApiRequest, e: &reqwest::Error) -> Attempt {
        let (outcome, error) = if e.is_timeout() {
            (
                RequestOutcome::Timeout,
                ProviderError::Timeout { attempts: 0 },
            )
        } else {
            (
                RequestOutcome::NetworkError,
                ProviderError::Network {
                    message: describe(e),
                    attempts: 0,
                },
            )
        };
        self.count(req.endpoint, outcome);
        tracing::debug!(endpoint = req.endpoint, ?outcome, error = %describe(e), "no answer");
        Attempt::Transient {
            outcome,
            not_processed: e.is_connect(),
            error,
        }
    }
}

fn outcome_of(status: StatusCode) -> RequestOutcome {
    match status.as_u16() {
        200..=299 => RequestOutcome::Success,
        401 => RequestOutcome::Unauthorized,
        403 => RequestOutcome::Forbidden,
        404 => RequestOutcome::NotFound,
        429 => RequestOutcome::RateLimited,
        500..=599 => RequestOutcome::ServerError,
        _ => RequestOutcome::ClientError,
    }
}

fn with_attempts(error: ProviderError, attempts: u32) -> ProviderError {
    match error {
        ProviderError::Server { status, .. } => ProviderError::Server { status, attempts },
        ProviderError::Timeout { .. } => ProviderError::Timeout { attempts },
        ProviderError::Network { message, .. } => ProviderError::Network { message, attempts },
        other => other,
    }
}

fn token_error(e: TokenError) -> ProviderError {
    match e {
        TokenError::ReconnectNeeded(reason) => ProviderError::ReconnectNeeded { reason },
        TokenError::Unavailable(message) => ProviderError::Network {
            message: format!("token service: {message}"),
            attempts: 1,
        },
    }
}

/// A reqwest error without its URL: query strings hold ids only, but a URL in an error is
/// one step from a URL with a secret in it, so none are kept.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the connection failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_read_in_every_shape() {
        assert_eq!(
            error_message(br#"{"error":{"status":403,"message":"Forbidden"}}"#),
            "Forbidden"
        );
        assert_eq!(
            error_message(b"User not registered in the Developer Dashboard"),
            "User not registered in the Developer Dashboard"
        );
        assert_eq!(
            error_message(
                br#"{"error":"invalid_grant","error_description":"Refresh token revoked"}"#
            ),
            "Refresh token revoked"
        );
        assert_eq!(
            error_message(br#"{"error":"User not approved for app"}"#),
            "User not approved for app"
        );
        assert_eq!(error_message(b"<html><body>Bad gateway</body></html>"), "");
        assert_eq!(error_message(b""), "");
        assert_eq!(error_message(&[b'x'; 1000]).len(), 200);
    }
}
