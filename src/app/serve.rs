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
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::ServiceExt;

use crate::config::Cidr;

/// The bounds of accepted connections (`[server] max_connections`,
/// `header_read_timeout_secs`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

/// How long a connection that has not begun a request when the server stops may take
/// to begin one (it is then served and closed).
const FIRST_REQUEST_GRACE: Duration = Duration::from_secs(2);

/// What every connection's task watches: `stop` says the server is stopping (what a
/// connection then does: `Connection::run`); the task holds a `closed` receiver until
/// it ends, so the server knows when all have.
#[derive(Clone)]
struct Signals {
    stop: watch::Receiver<bool>,
    _closed: watch::Receiver<()>,
    /// How long a proxy's connection idle at the stop waits for its next request.
    idle_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` resolves; then accepts no more, lets
/// every connection finish its request in flight, and resolves once all are closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    proxies: Arc<[Cidr]>,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (closed_tx, closed_rx) = watch::channel(());
    let signals = Signals {
        stop: stop_rx,
        _closed: closed_rx,
        idle_grace: limits.header_read_timeout,
    };
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let start = |stream, remote: SocketAddr, permit| {
        let from_proxy = proxies.iter().any(|p| p.contains(remote.ip()));
        let conn = Connection {
            stream,
            remote,
            from_proxy,
            router: router.clone(),
            _permit: permit,
        };
        tokio::spawn(conn.run(builder.clone(), signals.clone()));
    };
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener, &permits) => accepted,
            () = &mut shutdown => break,
        };
        if let Some((stream, remote, permit)) = accepted {
            start(stream, remote, permit);
        }
    }
    // From here the kernel completes no new handshake (see `refuse_new_connections`);
    // those already under way complete while the listener still accepts for `SETTLE`.
    if let Err(e) = refuse_new_connections(&listener) {
        tracing::warn!(error = %e, "could not stop new connections before closing");
    }
    let settled = tokio::time::Instant::now() + SETTLE;
    while let Ok(accepted) = tokio::time::timeout_at(settled, accept(&listener, &permits)).await {
        if let Some((stream, remote, permit)) = accepted {
            start(stream, remote, permit);
        }
    }
    // Connections the kernel completed before the stop wait in the backlog; closing the
    // listener would reset them after their client (a proxy) may have sent a request it
    // must not send again (a POST). Take them in first, then close.
    let _ = stop_tx.send(true);
    for (stream, remote) in drain_backlog(listener) {
        let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else {
            break;
        };
        start(stream, remote, permit);
    }
    drop(signals);
    closed_tx.closed().await;
}

/// How long the listener keeps accepting after the stop, once it refuses new
/// handshakes: long enough for a handshake begun just before to complete (one round
/// trip on the proxy's network).
const SETTLE: Duration = Duration::from_millis(100);

/// Makes the kernel drop new connection requests (TCP segments with SYN) to `listener`,
/// through a classic BPF socket filter; segments of handshakes under way still pass.
///
/// Without it, a connection completed between the last `accept` and the listener's
/// close is reset after its client sent a request, and a proxy never resends a POST.
/// A dropped SYN is sent again by the client about a second later and meets the closed
/// port, which the proxy takes as a refused connection and retries on another
/// instance. On systems without socket filters this returns an error and the stop
/// goes on as before.
fn refuse_new_connections(listener: &TcpListener) -> std::io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use socket2::SockFilter;
        // A socket filter on a TCP socket sees the segment from its TCP header on.
        const LD_B_ABS: u16 = 0x30; // BPF_LD | BPF_B | BPF_ABS
        const JSET_K: u16 = 0x45; // BPF_JMP | BPF_JSET | BPF_K
        const RET_K: u16 = 0x06; // BPF_RET | BPF_K
        const TCP_FLAGS_OFFSET: u32 = 13;
        const SYN: u32 = 0x02;
        let program = [
            SockFilter::new(LD_B_ABS, 0, 0, TCP_FLAGS_OFFSET),
            SockFilter::new(JSET_K, 0, 1, SYN),
            SockFilter::new(RET_K, 0, 0, 0),
            SockFilter::new(RET_K, 0, 0, u32::MAX),
        ];
        socket2::SockRef::from(listener).attach_filter(&program)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = listener;
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "no socket filters on this system",
        ))
    }
}

/// The connections already waiting in the listen backlog, accepted with plain
/// non-blocking `accept` calls until the kernel has none left; the listener is closed
/// on return.
fn drain_backlog(listener: TcpListener) -> Vec<(TcpStream, SocketAddr)> {
    let listener = match listener.into_std() {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "could not take the listen backlog in at shutdown");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    loop {
        match listener.accept() {
            // Accepted sockets do not inherit the listener's non-blocking mode, and
            // tokio refuses blocking ones.
            Ok((stream, remote)) => match stream
                .set_nonblocking(true)
                .and_then(|()| TcpStream::from_std(stream))
            {
                Ok(stream) => out.push((stream, remote)),
                Err(e) => tracing::debug!(error = %e, "a waiting connection was lost"),
            },
            Err(e) if is_connection_error(&e) => {}
            Err(_) => break,
        }
    }
    if !out.is_empty() {
        tracing::info!(
            connections = out.len(),
            "took in the connections waiting at shutdown"
        );
    }
    out
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
    /// From a trusted proxy (`[server] trusted_proxies`): idle, it is left for the
    /// proxy to close at a stop.
    from_proxy: bool,
    router: Router,
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    /// Serves the connection until it closes. Every answer given after the server's
    /// stop says `Connection: close`, so hyper closes the connection once it is sent.
    ///
    /// A proxy's connection idle at the stop is never closed first by pakn: the proxy
    /// may be sending a request on it at that moment, and a POST it sent is never
    /// resent. It waits for its next request, for the proxy to close it, or for
    /// `idle_grace` (the header-read timeout, which closes an idle connection anyway):
    /// a proxy whose kept-alive connections idle for less than that (nginx's upstream
    /// `keepalive_timeout`, `deploy/nginx-pakn.conf`) always closes them first. Any
    /// other idle connection is closed at the stop (a browser sends again what it sent
    /// on a reused connection closed under it), after [`FIRST_REQUEST_GRACE`] if it has
    /// not begun a request yet (one may be on its way).
    async fn run(self, builder: Builder<TokioExecutor>, mut signals: Signals) {
        let Connection {
            stream,
            remote,
            from_proxy,
            router,
            _permit,
        } = self;
        let stop = signals.stop.clone();
        let served = Arc::new(AtomicBool::new(false));
        let serving = Arc::clone(&served);
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            serving.store(true, Ordering::Relaxed);
            req.extensions_mut().insert(ConnectInfo(remote));
            let response = router.clone().oneshot(req.map(Body::new));
            let stop = stop.clone();
            async move {
                let mut response = response.await?;
                if *stop.borrow() {
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                Ok::<_, std::convert::Infallible>(response)
            }
        });
        let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
        tokio::pin!(conn);
        let grace = || {
            if from_proxy {
                signals.idle_grace
            } else if served.load(Ordering::Relaxed) {
                Duration::ZERO
            } else {
                FIRST_REQUEST_GRACE
            }
        };
        let mut stopping = *signals.stop.borrow();
        let mut idle_wait = stopping.then(|| Box::pin(tokio::time::sleep(grace())));
        loop {
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                    break;
                }
                // Past the grace: closed if idle, or after the request in flight.
                () = async { if let Some(w) = idle_wait.as_mut() { w.await } }, if idle_wait.is_some() => {
                    idle_wait = None;
                    conn.as_mut().graceful_shutdown();
                }
                _ = signals.stop.changed(), if !stopping => {
                    stopping = true;
                    idle_wait = Some(Box::pin(tokio::time::sleep(grace())));
                }
            }
        }
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::*;

    const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: pakn\r\n\r\n";

    /// A server of one page, its stop, and a client that has had one kept-alive answer
    /// from it. `proxies` lists the networks of trusted proxies (the client is loopback).
    async fn served_once(
        proxies: &[&str],
    ) -> (
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<()>,
        TcpStream,
    ) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = Router::new().route("/", axum::routing::get(|| async { "ok" }));
        let limits = ConnectionLimits {
            max_connections: 8,
            header_read_timeout: Duration::from_secs(10),
        };
        let proxies: Arc<[Cidr]> = proxies
            .iter()
            .map(|p| crate::config::parse_cidr(p).expect("cidr"))
            .collect();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, router, limits, proxies, async {
            let _ = stopped.await;
        }));
        let mut client = TcpStream::connect(addr).await.expect("connect");
        client.write_all(REQUEST).await.expect("first request");
        let mut answer = vec![0u8; 1024];
        let n = client.read(&mut answer).await.expect("first answer");
        let first = String::from_utf8_lossy(&answer[..n]).to_lowercase();
        assert!(first.starts_with("http/1.1 200"), "{first}");
        assert!(!first.contains("connection: close"), "{first}");
        (stop, server, client)
    }

    /// A proxy's kept-alive connection idle when the server stops is not closed under
    /// it: a request sent on it after the stop is answered, with `Connection: close`,
    /// and the server ends once that connection has closed.
    #[tokio::test]
    async fn a_proxys_idle_kept_alive_connection_gets_its_next_request_answered_after_the_stop() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (stop, server, mut client) = served_once(&["127.0.0.1"]).await;
        let _ = stop.send(());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !server.is_finished(),
            "the server ended with a connection open"
        );
        client
            .write_all(REQUEST)
            .await
            .expect("a request after the stop");
        let mut second = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), client.read_to_end(&mut second))
            .await
            .expect("answered and closed")
            .expect("read");
        let second = String::from_utf8_lossy(&second).to_lowercase();
        assert!(second.starts_with("http/1.1 200"), "{second:?}");
        assert!(second.contains("connection: close"), "{second}");
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("the server ends once its connections have")
            .expect("joined");
    }

    /// Any other idle connection is closed at the stop: the server does not wait for it.
    #[tokio::test]
    async fn a_direct_idle_connection_is_closed_at_the_stop() {
        use tokio::io::AsyncReadExt;
        let (stop, server, mut client) = served_once(&[]).await;
        let _ = stop.send(());
        tokio::time::timeout(Duration::from_secs(2), server)
            .await
            .expect("the server ends without waiting for the idle connection")
            .expect("joined");
        let mut rest = Vec::new();
        let closed = client.read_to_end(&mut rest).await;
        assert!(closed.is_ok() && rest.is_empty(), "{closed:?} {rest:?}");
    }

    /// The filter drops new handshakes (a connect times out instead of completing) and
    /// leaves a connection completed before it in the backlog, still served.
    #[tokio::test]
    async fn a_stopping_listener_completes_no_new_handshake_and_keeps_the_waiting_one() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut waiting = TcpStream::connect(addr)
            .await
            .expect("connect before the stop");
        refuse_new_connections(&listener).expect("filter attached");
        let late = tokio::time::timeout(Duration::from_millis(300), TcpStream::connect(addr)).await;
        assert!(
            late.is_err(),
            "a connection completed after the stop: {late:?}"
        );
        let (mut accepted, _) = listener.accept().await.expect("the waiting connection");
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        waiting.write_all(b"ping").await.expect("write");
        let mut buf = [0u8; 4];
        accepted.read_exact(&mut buf).await.expect("read");
        assert_eq!(&buf, b"ping");
        accepted.write_all(b"pong").await.expect("answer");
        waiting.read_exact(&mut buf).await.expect("read the answer");
        assert_eq!(&buf, b"pong");
    }
}
