//! Starting and stopping the service: the binary and the tests use the same entry points.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::state::{AppState, Settings};
use crate::storage::Storage;

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
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| StartError::Other(e.to_string()));
    sweeper.abort();
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
        let task = tokio::spawn(serve(storage, settings, listener, async move {
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
