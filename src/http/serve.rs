//! The accept loop: every connection is served by hyper with limits a public server needs and
//! `axum::serve` does not set — so a few thousand clients that open connections and then send
//! nothing, or a byte at a time, cannot hold the server's file descriptors and memory.
//!
//! - **Headers** must arrive within `header_timeout` (hyper's header read timeout). It also runs
//!   while a kept-alive connection waits for its next request, so it is the idle timeout too.
//! - **Bodies** must make progress: no data for `body_idle_timeout` ends the read (tower-http's
//!   body timeout resets on every frame, so a large upload that keeps coming is never cut); the
//!   ingest endpoints answer 408.
//! - **Connections** are capped at `max_connections`: past the cap, new ones wait in the
//!   kernel's accept queue until a slot frees, instead of failing with "too many open files".
//! - WebSockets (subscriptions) leave hyper after the upgrade and are not timed out here.
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{Service, ServiceExt};
use tower_http::timeout::{TimeoutBody, TimeoutError};

/// How long and how many.
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub body_idle_timeout: Duration,
    /// How long a graceful shutdown waits for open requests.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            // Below the usual 20,000 open files (each connection is one), leaving room for the
            // database, the WAL and outgoing notifications.
            max_connections: 10_000,
            header_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish (for at
/// most `shutdown_grace`).
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .enable_connect_protocol();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors or a connection reset before accept: wait a
                    // little instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let body_timeout = limits.body_idle_timeout;
        let service = app
            .clone()
            .map_request(move |request: hyper::Request<Incoming>| {
                let mut request =
                    request.map(|body| axum::body::Body::new(TimeoutBody::new(body_timeout, body)));
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request
            });
        let (builder, watcher, first_byte) =
            (builder.clone(), graceful.watcher(), limits.header_timeout);
        tokio::spawn(async move {
            // hyper reads the first bytes to tell HTTP/1 from HTTP/2 before its header timeout
            // starts, and would wait for them forever: a client must start within the timeout.
            let mut first = [0u8; 1];
            if tokio::time::timeout(first_byte, stream.peek(&mut first))
                .await
                .is_err()
            {
                drop(slot);
                return;
            }
            let connection = builder.serve_connection_with_upgrades(
                TokioIo::new(stream),
                TowerToHyperService::new(service),
            );
            let _ = watcher.watch(connection).await;
            drop(slot);
        });
    }
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still open after the shutdown grace period were dropped");
    }
}

/// Whether a body read failed because the client stopped sending (the body idle timeout).
pub fn is_body_timeout(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<TimeoutError>() {
            return true;
        }
        source = error.source();
    }
    false
}
