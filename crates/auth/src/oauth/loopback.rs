//! The loopback redirect (RFC 8252 §7.3): a one-shot HTTP listener on 127.0.0.1 that receives
//! the browser's redirect after sign-in, answers with a short page, and hands the URL to
//! [`crate::Connections::complete_oauth`]. Only the IPv4 loopback is bound, never a public
//! interface.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::loopback_redirect_uri;
use crate::error::AuthError;

/// A browser's request line and headers fit in far less; anything longer is not a redirect.
const MAX_REQUEST: usize = 16 * 1024;
/// A connection that opens and sends nothing (a preconnect) must not hold the listener up.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>Syncer</title>\
    <body style=\"font-family:sans-serif;margin:3em\"><h1>Back to Syncer</h1>\
    <p>Syncer received the answer from the sign-in. You can close this tab.</p></body>";

#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    path: String,
    redirect_uri: String,
}

impl LoopbackListener {
    /// Listens on `127.0.0.1:port`; port 0 takes a free one (what RFC 8252 recommends; use a
    /// fixed port only if the provider needs the exact URI registered).
    pub async fn bind(provider: &str, port: u16) -> Result<Self, AuthError> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|e| AuthError::Loopback {
                cause: format!("port {port}: {e}"),
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| AuthError::Loopback {
                cause: e.to_string(),
            })?
            .port();
        Ok(Self {
            listener,
            path: format!("/oauth/{provider}"),
            redirect_uri: loopback_redirect_uri(provider, port),
        })
    }

    /// The redirect URI to start the sign-in with.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the browser's redirect and returns the full callback URL. Other requests
    /// (a favicon, a probe) get a 404 and waiting goes on.
    pub async fn wait_for_callback(self, timeout: Duration) -> Result<String, AuthError> {
        tokio::time::timeout(timeout, self.accept_callback())
            .await
            .map_err(|_| AuthError::CallbackTimeout {
                seconds: timeout.as_secs(),
            })?
    }

    async fn accept_callback(&self) -> Result<String, AuthError> {
        loop {
            let (mut stream, _) =
                self.listener
                    .accept()
                    .await
                    .map_err(|e| AuthError::Loopback {
                        cause: e.to_string(),
                    })?;
            let Ok(Ok(Some(target))) =
                tokio::time::timeout(READ_TIMEOUT, read_target(&mut stream)).await
            else {
                continue;
            };
            let path = target.split('?').next().unwrap_or_default();
            if path != self.path {
                respond(&mut stream, "404 Not Found", "Not found").await;
                continue;
            }
            respond(&mut stream, "200 OK", DONE_PAGE).await;
            let base = self.redirect_uri.trim_end_matches(&self.path);
            return Ok(format!("{base}{target}"));
        }
    }
}

/// The request target of a `GET`, e.g. `/oauth/spotify?code=...&state=...`.
async fn read_target(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        if buf.len() > MAX_REQUEST {
            return Ok(None);
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut parts = text.lines().next().unwrap_or_default().split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Ok(Some(target.to_owned())),
        _ => Ok(None),
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may have gone already; the callback URL is what matters.
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn receives_the_redirect_and_ignores_other_paths() {
        let listener = LoopbackListener::bind("spotify", 0).await.unwrap();
        let uri = listener.redirect_uri().to_owned();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/oauth/spotify"));
        let port: u16 = uri
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let wait = tokio::spawn(listener.wait_for_callback(Duration::from_secs(60)));

        let get = |target: &'static str| async move {
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                .await
                .unwrap();
            let mut reply = String::new();
            s.read_to_string(&mut reply).await.unwrap();
            reply
        };
        assert!(get("/favicon.ico").await.starts_with("HTTP/1.1 404"));
        assert!(
            get("/oauth/spotify?code=c&state=s")
                .await
                .contains("close this tab")
        );
        assert_eq!(
            wait.await.unwrap().unwrap(),
            format!("{uri}?code=c&state=s")
        );
    }
}
