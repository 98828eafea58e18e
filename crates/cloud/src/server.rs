//! Starting and stopping the service: the binary and the tests use the same entry points.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::state::{AppState, Settings, now_ms};
use crate::storage::{Storage, Wake};

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
    let app = crate::routes::router(state);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let hub = hub.clone();
        async move {
            shutdown.await;
            // Streams never finish on their own: end them so the shutdown can complete.
            hub.shut_down();
        }
    })
    .await
    .map_err(|e| StartError::Other(e.to_string()));
    sweeper.abort();
    listener_task.abort();
    pruner.abort();
    served
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
