//! Starting and stopping the service: the binary and the tests use the same entry points.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::state::{AppState, Settings, now_ms};
use crate::storage::{Storage, Wake};

mod connections;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "cannot listen on {addr}: {cause}; is another server using the port? Choose another with --listen"
    )]
    Bind { addr: SocketAddr, cause: String },
    #[error("cannot start: {0}")]
    Other(String),
}

/// Serves on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve<S: Storage>(
    storage: S,
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let state = AppState::new(storage, settings)
        .await
        .map_err(StartError::Other)?;
    serve_state(state, listener, shutdown).await
}

/// [`serve`] with a state built by the caller (tests that publish events through it).
pub async fn serve_state<S: Storage>(
    state: AppState<S>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let hub = state.events.clone();
    // One listener per instance (PostgreSQL; returns at once on SQLite).
    let listener_task = {
        let storage = state.storage.clone();
        let hub = hub.clone();
        tokio::spawn(async move {
            storage
                .listen_events(move |wake| match wake {
                    Wake::User(user_id) => hub.wake(&user_id),
                    Wake::Everyone => hub.wake_all(),
                })
                .await;
        })
    };
    let pruner = {
        let storage = state.storage.clone();
        let (every, keep) = (
            state.settings.event_prune_every,
            state.settings.event_retention,
        );
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let before = now_ms() - i64::try_from(keep.as_millis()).unwrap_or(i64::MAX / 4);
                match storage.prune_events(before).await {
                    Ok(0) => {}
                    Ok(pruned) => tracing::info!(pruned, "old events pruned"),
                    Err(e) => tracing::warn!(error = %e, "cannot prune old events"),
                }
            }
        })
    };
    let limiters = state.limiters.clone();
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiters.sweep();
        }
    });
    let limits = ConnectionLimits::from_settings(&state.settings);
    tracing::info!(
        max_connections = limits.max_connections,
        header_read_timeout_ms = limits.header_read_timeout.as_millis(),
        idle_timeout_ms = limits.idle_timeout.as_millis(),
        events_per_device = state.settings.events_per_device,
        "connection limits"
    );
    let app = crate::routes::router(state);
    connections::accept(listener, app, limits, async move {
        shutdown.await;
        // Streams never finish on their own: end them so the shutdown can complete.
        hub.shut_down();
    })
    .await;
    sweeper.abort();
    listener_task.abort();
    pruner.abort();
    Ok(())
}

/// What each connection may take, resolved from [`Settings`].
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
}

impl ConnectionLimits {
    pub fn from_settings(settings: &Settings) -> Self {
        // An event stream is traffic only every keep-alive: an idle timeout shorter than two
        // of them would cut healthy streams.
        let floor = settings.event_keepalive * 2;
        if settings.idle_timeout < floor {
            tracing::warn!(
                idle_timeout_ms = settings.idle_timeout.as_millis(),
                used_ms = floor.as_millis(),
                "the idle timeout is shorter than two event keep-alives; using two keep-alives"
            );
        }
        Self {
            max_connections: connection_limit(settings.max_connections),
            header_read_timeout: settings.header_read_timeout,
            idle_timeout: settings.idle_timeout.max(floor),
        }
    }
}

/// File descriptors kept back from the connection limit: the database pool and files, the
/// listener, logs, and the short-lived sockets that are told 503.
pub const RESERVED_FILES: u64 = 128;

/// The connection limit: the configured one, or what the open-file limit leaves after
/// [`RESERVED_FILES`] (at least 64). Each connection is one open file, and a process out of
/// them can accept nothing, not even `/healthz`.
pub fn connection_limit(configured: Option<usize>) -> usize {
    configured.filter(|n| *n > 0).unwrap_or_else(|| {
        let soft = rlimit::Resource::NOFILE
            .get()
            .map_or(1024, |(soft, _hard)| soft);
        usize::try_from(soft.saturating_sub(RESERVED_FILES).max(64)).unwrap_or(usize::MAX)
    })
}

/// Raises the soft open-file limit to the hard one (each connection is an open file, and
/// the usual soft limit, 1,024, is far below what a server holds). Returns the limit now in
/// force.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// A server running in this process (tests, benchmarks, the CLI's local checks).
pub struct RunningServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), StartError>>,
}

impl RunningServer {
    /// Starts on `addr` (port 0: any free port) and returns once it accepts connections.
    pub async fn start<S: Storage>(
        storage: S,
        settings: Settings,
        addr: SocketAddr,
    ) -> Result<Self, StartError> {
        let state = AppState::new(storage, settings)
            .await
            .map_err(StartError::Other)?;
        Self::start_with_state(state, addr).await
    }

    /// Starts over a state the caller keeps a clone of (to publish events in tests).
    pub async fn start_with_state<S: Storage>(
        state: AppState<S>,
        addr: SocketAddr,
    ) -> Result<Self, StartError> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Bind {
                addr,
                cause: e.to_string(),
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError::Other(e.to_string()))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve_state(state, listener, async move {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            stop: Some(stop),
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_file_limit_is_raised_and_the_connection_limit_follows_it() {
        let raised = raise_open_file_limit().unwrap();
        let (soft, hard) = rlimit::Resource::NOFILE.get().unwrap();
        assert_eq!(soft, raised);
        assert_eq!(soft, hard, "the soft limit is the hard one now");
        let expected = usize::try_from(soft.saturating_sub(RESERVED_FILES).max(64)).unwrap();
        assert_eq!(connection_limit(None), expected);
        assert_eq!(connection_limit(Some(10)), 10);
        assert_eq!(connection_limit(Some(0)), expected, "0 means automatic");
    }

    #[test]
    fn the_idle_timeout_outlasts_two_keepalives() {
        let settings = Settings {
            event_keepalive: Duration::from_secs(40),
            idle_timeout: Duration::from_secs(60),
            max_connections: Some(5),
            ..Settings::default()
        };
        let limits = ConnectionLimits::from_settings(&settings);
        assert_eq!(limits.idle_timeout, Duration::from_secs(80));
        assert_eq!(limits.max_connections, 5);
        assert_eq!(limits.header_read_timeout, settings.header_read_timeout);
    }
}
