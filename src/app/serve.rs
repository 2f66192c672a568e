//! Accepting connections (security review, finding 7): HTTP/1 through hyper-util's
//! connection builder with a header-read timeout (a client that does not finish its
//! request's headers in time is disconnected), and a cap on the connections held open at
//! once (past it, new connections wait in the listen backlog until one closes). The
//! client's address reaches handlers as `ConnectInfo<SocketAddr>`, as with `axum::serve`.
//!
//! Production still sits behind a buffering reverse proxy (see the README); these bounds
//! keep one instance standing when it does not.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

/// The bounds of accepted connections (`[server] max_connections`,
/// `header_read_timeout_secs`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

/// What every connection's task watches: `stop` says to finish the request in flight
/// and close; the task holds a `closed` receiver until it ends, so the server knows
/// when all have.
#[derive(Clone)]
struct Signals {
    stop: watch::Receiver<bool>,
    _closed: watch::Receiver<()>,
}

/// Serves `router` on `listener` until `shutdown` resolves; then accepts no more, lets
/// every connection finish its request in flight, and resolves once all are closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (closed_tx, closed_rx) = watch::channel(());
    let signals = Signals {
        stop: stop_rx,
        _closed: closed_rx,
    };
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener, &permits) => accepted,
            () = &mut shutdown => break,
        };
        let Some((stream, remote, permit)) = accepted else {
            continue;
        };
        let conn = Connection {
            stream,
            remote,
            router: router.clone(),
            _permit: permit,
        };
        tokio::spawn(conn.run(builder.clone(), signals.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(signals);
    closed_tx.closed().await;
}

/// The next connection, once a permit is free. `None` after a failed accept (the
/// permit goes back; a burst of errors such as running out of descriptors is slowed).
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let permit = Arc::clone(permits).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, remote)) => Some((stream, remote, permit)),
        Err(e) if is_connection_error(&e) => None,
        Err(e) => {
            tracing::warn!(error = %e, "accepting a connection failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            None
        }
    }
}

/// Errors of one connection that was reset before it was accepted.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// One accepted connection and its permit, released when it closes.
struct Connection {
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(self, builder: Builder<TokioExecutor>, mut signals: Signals) {
        let Connection {
            stream,
            remote,
            router,
            _permit,
        } = self;
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            router.clone().oneshot(req.map(Body::new))
        });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        tokio::pin!(conn);
        let mut stopping = *signals.stop.borrow();
        if stopping {
            conn.as_mut().graceful_shutdown();
        }
        loop {
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    break;
                }
                _ = signals.stop.changed(), if !stopping => {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}
