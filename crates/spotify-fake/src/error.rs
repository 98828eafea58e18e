//! Error bodies in Spotify's two shapes: the Web API's `{"error":{"status","message"}}` and
//! the Accounts service's OAuth `{"error","error_description"}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why the stand-in could not start.
#[derive(Debug, thiserror::Error)]
pub enum FakeError {
    #[error("could not bind {addr}: {source}; pick a free port or use 127.0.0.1:0")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("could not read the bound address: {0}")]
    LocalAddr(std::io::Error),
}

/// A Web API error (`/v1/...`).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub retry_after: Option<u64>,
    /// Sent as `text/plain` rather than Spotify's JSON error object, as some answers are.
    pub plain_text: bool,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
            retry_after: None,
            plain_text: false,
        }
    }

    /// A bare text body (Development Mode's "User not registered in the Developer Dashboard").
    pub fn plain(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            plain_text: true,
            ..Self::new(status, message)
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// What Spotify answers for endpoints removed from an app's mode and for playlists the
    /// user may not read or write (observed body: `{"status":403,"message":"Forbidden"}`).
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "Forbidden")
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Resource not found")
    }

    pub fn rate_limited(retry_after: u64) -> Self {
        ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            message: "API rate limit exceeded".to_owned(),
            retry_after: Some(retry_after),
            plain_text: false,
        }
    }

    /// Spotify's 5xx messages.
    pub fn server(status: StatusCode) -> Self {
        let message = match status.as_u16() {
            502 => "Bad gateway.",
            503 => "Service unavailable",
            504 => "Gateway timeout",
            _ => "Server error.",
        };
        Self::new(status, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.plain_text {
            return (
                self.status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                self.message,
            )
                .into_response();
        }
        let body = json!({"error": {"status": self.status.as_u16(), "message": self.message}});
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// An Accounts service error (`/api/token`).
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new("invalid_client", description)
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "error_description": self.description});
        (self.status, axum::Json(body)).into_response()
    }
}
