//! The loopback redirect (RFC 8252 §7.3): an HTTP listener on 127.0.0.1 that receives the
//! browser's redirect after sign-in and hands the URL to [`crate::Connections::complete_oauth`].
//! Only the IPv4 loopback is bound, never a public interface.
//!
//! The listener knows the `state` of the sign-in it waits for. Anything else that reaches it
//! (another local process, a web page loading the address as an image, a stale tab) gets a
//! 400 page and the listener keeps waiting, until the right answer or the timeout. Every
//! connection is served on its own task with a deadline for its request head, so stalled
//! connections cannot hold the real answer up. The page the browser finally shows says what
//! actually happened (signed in, refused by you, expired, not for this sign-in) and what to do:
//! the caller answers it once it knows ([`Arrival::answer`]).
//!
//! Headless (`syncer connect spotify --no-browser` over SSH) the browser runs on another
//! machine and its redirect cannot reach this one: the user pastes the address the browser
//! ended on, and [`LoopbackListener::judge`] checks it exactly as it checks a request.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

use super::loopback_redirect_uri;
use crate::error::AuthError;

/// A browser's request line and headers fit in far less; anything longer is not a redirect.
const MAX_REQUEST: usize = 16 * 1024;
/// How long a connection may take to send its request head: a preconnect that sends nothing
/// is dropped after this, on its own task, without delaying anyone else.
const HEADER_DEADLINE: Duration = Duration::from_secs(5);
/// How long the browser's tab waits for the outcome of the code exchange.
const OUTCOME_WAIT: Duration = Duration::from_secs(60);
/// Connections served at once; more wait in the OS backlog (a flood must not eat memory).
const MAX_CONNECTIONS: usize = 64;

/// What the browser is told once the answer was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Signed in: the connection's name.
    SignedIn { account: String },
    /// Signed in, but the service refuses the account for this app (Spotify's Development
    /// Mode serves only the accounts listed in the app's dashboard).
    NotInAppUsers,
    /// The user declined on the provider's consent page.
    Refused,
    /// The sign-in took longer than its link lives.
    Expired,
    /// The answer belongs to no sign-in Syncer is waiting for.
    NotForThisSignIn,
    /// Anything else: the error's message (it never holds a secret).
    Failed { message: String },
    /// Received, with the outcome told elsewhere (the app's window shows it).
    Received,
}

impl Outcome {
    /// The outcome of completing a sign-in, for the browser.
    pub fn of<T>(result: &Result<T, AuthError>, account: impl FnOnce(&T) -> String) -> Outcome {
        match result {
            Ok(info) => Outcome::SignedIn {
                account: account(info),
            },
            Err(AuthError::Denied { .. }) => Outcome::Refused,
            Err(AuthError::StateExpired) => Outcome::Expired,
            Err(
                AuthError::StateUnknown
                | AuthError::StateReplayed
                | AuthError::WrongProvider { .. }
                | AuthError::RedirectMismatch { .. },
            ) => Outcome::NotForThisSignIn,
            Err(e) => Outcome::Failed {
                message: e.to_string(),
            },
        }
    }

    fn page(&self) -> (&'static str, String) {
        match self {
            Outcome::SignedIn { account } => (
                "200 OK",
                page(
                    "Signed in",
                    &format!(
                        "Syncer is connected as {}. You can close this tab.",
                        escape(account)
                    ),
                ),
            ),
            Outcome::NotInAppUsers => (
                "200 OK",
                page(
                    "Signed in, but not allowed yet",
                    &format!(
                        "Spotify refuses this account for your app: an app in Development Mode \
                         serves only the accounts listed under User Management in its \
                         dashboard. Add your account's email there (<a href=\"{0}\">{0}</a>), \
                         then test the connection in Syncer.",
                        syncer_core::provider::DEVELOPER_DASHBOARD
                    ),
                ),
            ),
            Outcome::Refused => (
                "200 OK",
                page(
                    "Not connected",
                    "You declined access, so nothing was connected. If that was a mistake, \
                     start connecting again in Syncer (or run <code>syncer connect \
                     spotify</code>).",
                ),
            ),
            Outcome::Expired => (
                "400 Bad Request",
                page(
                    "This sign-in expired",
                    "Sign-in links last 10 minutes. Start connecting again in Syncer (or run \
                     <code>syncer connect spotify</code>).",
                ),
            ),
            Outcome::NotForThisSignIn => (
                "400 Bad Request",
                page(
                    "Not for this sign-in",
                    "This answer does not belong to the sign-in Syncer is waiting for (an old \
                     tab, or a link opened twice). Nothing was changed; finish the sign-in in \
                     the tab Syncer opened, or start connecting again.",
                ),
            ),
            Outcome::Received => (
                "200 OK",
                page(
                    "Back to Syncer",
                    "Syncer received the answer for its sign-in and finishes it now; the \
                     Syncer window says whether it worked. You can close this tab.",
                ),
            ),
            Outcome::Failed { message } => (
                "500 Internal Server Error",
                page(
                    "Not connected",
                    &format!("Syncer could not finish signing in: {}", escape(message)),
                ),
            ),
        }
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><meta charset=utf-8><title>Syncer: {title}</title>\
         <body style=\"font-family:sans-serif;margin:3em;max-width:40em\"><h1>{title}</h1>\
         <p>{body}</p></body>"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How a request (or a pasted address) stands against the sign-in being waited for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// The answer to this sign-in: hand it to `complete_oauth`.
    Answer,
    /// Not the redirect path at all (a favicon, a probe): 404, keep waiting.
    Elsewhere,
    /// The redirect path with another or no state (forged, stray, stale): 400, keep waiting.
    NotForThisSignIn(&'static str),
}

#[derive(Debug)]
struct Expected {
    /// `http://127.0.0.1:PORT/oauth/{provider}`
    redirect_uri: String,
    path: String,
    state: String,
}

impl Expected {
    fn judge_target(&self, target: &str) -> Judgement {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if path != self.path {
            return Judgement::Elsewhere;
        }
        let state = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned());
        match state {
            None => Judgement::NotForThisSignIn("it carries no state"),
            Some(s) if s == self.state => Judgement::Answer,
            Some(_) => Judgement::NotForThisSignIn("its state belongs to another sign-in"),
        }
    }
}

/// The answer to the sign-in, held with the browser's connection open until [`Self::answer`]
/// tells it what happened.
#[derive(Debug)]
pub struct Arrival {
    /// The full callback URL, for [`crate::Connections::complete_oauth`].
    pub url: String,
    reply: Option<oneshot::Sender<(Outcome, oneshot::Sender<()>)>>,
}

/// How long answering waits for the page to reach the browser (the process may exit next).
const PAGE_WRITE: Duration = Duration::from_secs(2);

impl Arrival {
    /// Shows `outcome` in the browser, and returns once the page is written (a pasted answer
    /// has no browser waiting: nothing to do).
    pub async fn answer(mut self, outcome: Outcome) {
        if let Some(reply) = self.reply.take() {
            let (written, done) = oneshot::channel();
            // The browser may have gone already; the sign-in itself is done.
            if reply.send((outcome, written)).is_ok() {
                let _ = tokio::time::timeout(PAGE_WRITE, done).await;
            }
        }
    }
}

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

    /// Starts serving for the sign-in whose `state` is given: requests are answered on their
    /// own tasks from now on, until the returned [`Waiting`] is dropped.
    pub fn serve(self, state: &str) -> Waiting {
        let expected = Arc::new(Expected {
            redirect_uri: self.redirect_uri.clone(),
            path: self.path.clone(),
            state: state.to_owned(),
        });
        let (tx, rx) = mpsc::channel(1);
        let task = tokio::spawn(accept_loop(self.listener, expected.clone(), tx));
        Waiting {
            expected,
            arrivals: rx,
            task,
        }
    }

    /// Waits for the answer carrying `state` and returns its URL, telling the browser only
    /// that it arrived and where the outcome shows. [`Self::serve`] lets the caller tell
    /// what happened instead.
    pub async fn wait_for_callback(
        self,
        state: impl AsRef<str>,
        timeout: Duration,
    ) -> Result<String, AuthError> {
        let mut waiting = self.serve(state.as_ref());
        let arrival = waiting.next(timeout).await?;
        let url = arrival.url.clone();
        arrival.answer(Outcome::Received).await;
        Ok(url)
    }
}

/// A listener serving one sign-in. Dropping it stops the listener.
#[derive(Debug)]
pub struct Waiting {
    expected: Arc<Expected>,
    arrivals: mpsc::Receiver<Arrival>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Waiting {
    /// The next request that carries this sign-in's state, or the timeout.
    pub async fn next(&mut self, timeout: Duration) -> Result<Arrival, AuthError> {
        match tokio::time::timeout(timeout, self.arrivals.recv()).await {
            Ok(Some(arrival)) => Ok(arrival),
            Ok(None) => Err(AuthError::Loopback {
                cause: "the listener stopped".to_owned(),
            }),
            Err(_) => Err(AuthError::CallbackTimeout {
                seconds: timeout.as_secs(),
            }),
        }
    }

    /// Checks an address the user pasted (headless sign-in) exactly as a request to the
    /// listener: the same redirect URI (scheme, host, port, path) and this sign-in's state.
    pub fn judge(&self, pasted: &str) -> Judgement {
        let Ok(url) = url::Url::parse(pasted.trim()) else {
            return Judgement::NotForThisSignIn("it is not an address");
        };
        let mut base = url.clone();
        base.set_query(None);
        base.set_fragment(None);
        if base.as_str() != self.expected.redirect_uri {
            return Judgement::NotForThisSignIn("it is not Syncer's sign-in address");
        }
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        self.expected.judge_target(&target)
    }

    /// A pasted address as an answer (after [`Self::judge`] accepted it).
    pub fn pasted(&self, url: &str) -> Arrival {
        Arrival {
            url: url.trim().to_owned(),
            reply: None,
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    expected: Arc<Expected>,
    arrivals: mpsc::Sender<Arrival>,
) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Transient (e.g. too many open files): keep listening.
                tracing::debug!(error = %e, "loopback accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let expected = expected.clone();
        let arrivals = arrivals.clone();
        tokio::spawn(async move {
            serve_one(stream, &expected, &arrivals).await;
            drop(permit);
        });
    }
}

async fn serve_one(mut stream: TcpStream, expected: &Expected, arrivals: &mpsc::Sender<Arrival>) {
    let Ok(Ok(Some(target))) =
        tokio::time::timeout(HEADER_DEADLINE, read_target(&mut stream)).await
    else {
        return;
    };
    match expected.judge_target(&target) {
        Judgement::Elsewhere => respond(&mut stream, "404 Not Found", "Not found").await,
        Judgement::NotForThisSignIn(why) => {
            tracing::info!(why, "ignored a request that is not this sign-in's answer");
            let (status, body) = Outcome::NotForThisSignIn.page();
            respond(&mut stream, status, &body).await;
        }
        Judgement::Answer => {
            let base = expected.redirect_uri.trim_end_matches(&expected.path);
            let (reply, outcome) = oneshot::channel();
            let arrival = Arrival {
                url: format!("{base}{target}"),
                reply: Some(reply),
            };
            // A second answer with the same state (a reload) finds the first being handled.
            if arrivals.try_send(arrival).is_err() {
                let (status, body) = Outcome::NotForThisSignIn.page();
                respond(&mut stream, status, &body).await;
                return;
            }
            let (outcome, written) = match tokio::time::timeout(OUTCOME_WAIT, outcome).await {
                Ok(Ok((outcome, written))) => (outcome, Some(written)),
                _ => (
                    Outcome::Failed {
                        message: "Syncer stopped waiting; check the terminal or the app".to_owned(),
                    },
                    None,
                ),
            };
            let (status, body) = outcome.page();
            respond(&mut stream, status, &body).await;
            if let Some(written) = written {
                let _ = written.send(());
            }
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

    fn port_of(uri: &str) -> u16 {
        uri.trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    async fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).await.unwrap();
        reply
    }

    #[tokio::test]
    async fn strays_get_400_and_the_listener_keeps_waiting_for_its_state() {
        let listener = LoopbackListener::bind("spotify", 0).await.unwrap();
        let uri = listener.redirect_uri().to_owned();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/oauth/spotify"));
        let port = port_of(&uri);
        let mut waiting = listener.serve("the-state");

        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        let forged = get(port, "/oauth/spotify?code=evil&state=forged").await;
        assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
        assert!(forged.contains("Not for this sign-in"), "{forged}");
        let stateless = get(port, "/oauth/spotify?code=evil").await;
        assert!(stateless.starts_with("HTTP/1.1 400"), "{stateless}");

        let browser = tokio::spawn(get(port, "/oauth/spotify?code=c&state=the-state"));
        let arrival = waiting.next(Duration::from_secs(10)).await.unwrap();
        assert_eq!(arrival.url, format!("{uri}?code=c&state=the-state"));
        arrival
            .answer(Outcome::SignedIn {
                account: "Ada <3".into(),
            })
            .await;
        let page = browser.await.unwrap();
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains("connected as Ada &lt;3"), "{page}");
    }

    #[tokio::test]
    async fn stalled_connections_do_not_delay_the_answer() {
        let listener = LoopbackListener::bind("spotify", 0).await.unwrap();
        let port = port_of(listener.redirect_uri());
        let mut waiting = listener.serve("s");
        // Connections that open and send nothing (preconnects, a slow attacker).
        let mut stalled = Vec::new();
        for _ in 0..20 {
            stalled.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        let started = std::time::Instant::now();
        let browser = tokio::spawn(get(port, "/oauth/spotify?code=c&state=s"));
        let arrival = waiting.next(Duration::from_secs(10)).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        arrival.answer(Outcome::Refused).await;
        let page = browser.await.unwrap();
        assert!(page.contains("You declined access"), "{page}");
        drop(stalled);
    }

    #[tokio::test]
    async fn the_timeout_ends_the_wait() {
        let listener = LoopbackListener::bind("spotify", 0).await.unwrap();
        let mut waiting = listener.serve("s");
        let err = waiting.next(Duration::from_millis(50)).await.unwrap_err();
        assert!(matches!(err, AuthError::CallbackTimeout { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn a_pasted_address_is_judged_like_a_request() {
        let listener = LoopbackListener::bind("spotify", 0).await.unwrap();
        let uri = listener.redirect_uri().to_owned();
        let waiting = listener.serve("s1");
        assert_eq!(
            waiting.judge(&format!("{uri}?code=c&state=s1")),
            Judgement::Answer
        );
        assert_eq!(
            waiting.judge(&format!(" {uri}?state=s1&error=access_denied\n")),
            Judgement::Answer
        );
        assert!(matches!(
            waiting.judge(&format!("{uri}?code=c&state=other")),
            Judgement::NotForThisSignIn(_)
        ));
        assert!(matches!(
            waiting.judge("http://127.0.0.1:1/oauth/spotify?code=c&state=s1"),
            Judgement::NotForThisSignIn(_)
        ));
        assert!(matches!(
            waiting.judge("code=c&state=s1"),
            Judgement::NotForThisSignIn(_)
        ));
        assert!(matches!(
            waiting.judge(&format!("{uri}?code=c")),
            Judgement::NotForThisSignIn(_)
        ));
    }

    #[test]
    fn pages_say_what_happened() {
        let expired = Outcome::of::<()>(&Err(AuthError::StateExpired), |_| String::new());
        assert_eq!(expired, Outcome::Expired);
        assert!(expired.page().1.contains("expired"));
        let stray = Outcome::of::<()>(&Err(AuthError::StateReplayed), |_| String::new());
        assert_eq!(stray, Outcome::NotForThisSignIn);
        let denied = Outcome::of::<()>(
            &Err(AuthError::Denied {
                provider: "Spotify".into(),
            }),
            |_| String::new(),
        );
        assert_eq!(denied, Outcome::Refused);
    }
}
