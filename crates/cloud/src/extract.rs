//! Extractors that answer in the API's error shape: JSON bodies, the bearer token, the
//! client's address.

use std::net::{IpAddr, SocketAddr};

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, OptionalFromRequest, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::ApiError;
use crate::state::{AppState, now_ms};
use crate::storage::{Principal, Storage};
use crate::tokens;

/// A JSON body; a bad or oversized one, or one with a NUL character in any string, is
/// answered with the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T, St> FromRequest<St> for ApiJson<T>
where
    T: DeserializeOwned,
    St: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &St) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                payload_too_large()
            } else {
                ApiError::bad_request(
                    "invalid_json",
                    format!(
                        "the request body could not be read: {}",
                        rejection.body_text()
                    ),
                )
            }
        })?;
        // PostgreSQL's text cannot hold U+0000 (SQLite's can, but then the two backends would
        // differ), so no string anywhere in a body may: refused here once, for every
        // endpoint, rather than failing as a 500 in the database.
        if json_has_nul(&bytes) {
            return Err(nul_refused());
        }
        // Every body of this API is an object (or, where it may be left out, null). serde
        // would also read a struct from an array of its fields in order, which no client
        // means and the API does not document.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'[' | b'"' | b't' | b'f' | b'-' | b'0'..=b'9')) {
            return Err(ApiError::bad_request(
                "invalid_json",
                "the request body must be a JSON object",
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// A body the endpoint may go without: no `Content-Type` and no body is `None`.
impl<T, St> OptionalFromRequest<St> for ApiJson<T>
where
    T: DeserializeOwned,
    St: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &St) -> Result<Option<Self>, Self::Rejection> {
        let absent = !req.headers().contains_key(header::CONTENT_TYPE)
            && req
                .headers()
                .get(header::CONTENT_LENGTH)
                .is_none_or(|v| v.as_bytes() == b"0");
        if absent {
            return Ok(None);
        }
        <Self as FromRequest<St>>::from_request(req, state)
            .await
            .map(Some)
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "send the body as JSON with Content-Type: application/json",
    )
}

fn payload_too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "the request body is larger than this server accepts; send fewer records per request",
    )
}

/// The answer to text holding U+0000, in a body, a path or a query.
pub(crate) fn nul_refused() -> ApiError {
    ApiError::bad_request(
        "invalid_text",
        "text may not contain the NUL character (U+0000)",
    )
}

/// Whether JSON text carries U+0000 in a string. Raw control characters are not valid JSON,
/// so the only way is the escape `\u0000`; a backslash before it that is itself escaped
/// (`\\u0000`, the six characters as text) does not count.
pub(crate) fn json_has_nul(json: &[u8]) -> bool {
    json.windows(6).enumerate().any(|(at, w)| {
        w == b"\\u0000" && json[..at].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let text = rejection.body_text();
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type(),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the request body is not what this endpoint takes: {text}"),
        ),
    }
}

/// Path parameters; a malformed one is answered with the API's error shape (axum's own
/// rejection is plain text).
pub struct ApiPath<T>(pub T);

impl<T, St> FromRequestParts<St> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    St: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::bad_request(
                "invalid_path",
                format!(
                    "the path is not what this endpoint takes: {}",
                    rejection.body_text()
                ),
            )),
        }
    }
}

/// Query parameters; a missing or malformed one is answered with the API's error shape
/// (axum's own rejection is plain text).
pub struct ApiQuery<T>(pub T);

impl<T, St> FromRequestParts<St> for ApiQuery<T>
where
    T: DeserializeOwned,
    St: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &St) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::try_from_uri(&parts.uri) {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::bad_request(
                "invalid_query",
                format!(
                    "the query string is not what this endpoint takes: {}",
                    rejection.body_text()
                ),
            )),
        }
    }
}

/// Refuses a request whose path or query carries U+0000 (`%00`) before any handler sees it:
/// PostgreSQL cannot store it, and no id or name of this API has one.
pub async fn refuse_nul(req: Request, next: Next) -> Response {
    let has_nul = |text: &str| {
        text.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    };
    if has_nul(req.uri().path()) || req.uri().query().is_some_and(has_nul) {
        return nul_refused().into_response();
    }
    next.run(req).await
}

/// The signed-in device behind a valid access token.
pub struct Authed(pub Principal);

impl<S: Storage> FromRequestParts<AppState<S>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::unauthorized("sign in first: send Authorization: Bearer <access token>")
            })?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header must be Bearer <token>")
            })?;
        if token.starts_with(tokens::REFRESH_PREFIX) {
            return Err(ApiError::unauthorized(
                "this is a refresh token; exchange it at /v1/auth/refresh and send the access token",
            ));
        }
        let principal = state
            .storage
            .principal_for_access(&tokens::hash(token), now_ms())
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "token_invalid",
                    "the access token is expired or revoked; refresh it, or sign in again",
                )
                .with_details(json!({}))
            })?;
        Ok(Self(principal))
    }
}

/// The client's address: the peer's or, behind trusted proxies, the address the outermost
/// trusted proxy saw (see [`forwarded_client`]).
pub struct ClientIp(pub IpAddr);

impl<S: Storage> FromRequestParts<AppState<S>> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState<S>,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .ok_or_else(|| ApiError::internal("the server was started without peer addresses"))?;
        if !state.settings.trust_forwarded_for {
            return Ok(Self(peer));
        }
        Ok(Self(forwarded_client(
            &parts.headers,
            peer,
            state.settings.trusted_proxy_hops,
        )))
    }
}

/// The client address behind `hops` trusted proxies. Each proxy appends the address it
/// received the request from to `X-Forwarded-For`, so only the last `hops` entries were
/// written by proxies we trust; anything left of them came from the client, which may write
/// whatever it likes there. The entry `hops` from the right is the address the outermost
/// trusted proxy saw: that is the client. With fewer entries than hops (a request that
/// skipped a proxy), the leftmost is the best there is. No usable header: the peer.
pub fn forwarded_client(headers: &HeaderMap, peer: IpAddr, hops: usize) -> IpAddr {
    // Several X-Forwarded-For headers are one list, in order (RFC 9110 field lines).
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    let Some(first) = entries.first() else {
        return peer;
    };
    let chosen = entries
        .len()
        .checked_sub(hops.max(1))
        .and_then(|at| entries.get(at))
        .unwrap_or(first);
    match parse_hop(chosen) {
        Some(ip) => ip,
        None => {
            tracing::warn!(
                hop = %chosen,
                "X-Forwarded-For entry written by a trusted proxy is not an address; keying on the proxy"
            );
            peer
        }
    }
}

/// `203.0.113.7`, `2001:db8::1`, `203.0.113.7:443` or `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", v.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_client_is_the_hop_the_trusted_proxies_wrote() {
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // One proxy: the rightmost entry; what the client wrote left of it is ignored.
        let spoofed = xff(&["6.6.6.6, 1.2.3.4"]);
        assert_eq!(forwarded_client(&spoofed, peer, 1), ip("1.2.3.4"));
        // Two proxies: the second from the right.
        let two = xff(&["6.6.6.6, 1.2.3.4", "192.168.0.9"]);
        assert_eq!(forwarded_client(&two, peer, 2), ip("1.2.3.4"));
        assert_eq!(forwarded_client(&two, peer, 1), ip("192.168.0.9"));
        // Fewer entries than hops: the leftmost.
        assert_eq!(forwarded_client(&xff(&["1.2.3.4"]), peer, 3), ip("1.2.3.4"));
        // Ports and brackets; garbage and no header fall back to the peer.
        assert_eq!(
            forwarded_client(&xff(&["[2001:db8::1]:443"]), peer, 1),
            ip("2001:db8::1")
        );
        assert_eq!(
            forwarded_client(&xff(&["1.2.3.4:80"]), peer, 1),
            ip("1.2.3.4")
        );
        assert_eq!(forwarded_client(&xff(&["unknown"]), peer, 1), peer);
        assert_eq!(forwarded_client(&HeaderMap::new(), peer, 1), peer);
    }

    #[test]
    fn nul_is_found_only_where_json_puts_it() {
        assert!(json_has_nul(br#"{"a":"x\u0000y"}"#));
        assert!(json_has_nul(br#"{"a\u0000":1}"#));
        assert!(json_has_nul(br#"{"a":"\\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\\u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"u0000"}"#));
        assert!(!json_has_nul(br#"{"a":"\u0001"}"#));
    }
}
