//! The `smtp` transport's own pool of lettre SMTP connections, over TCP sockets with
//! `TCP_NODELAY`.
//!
//! Why not `lettre::AsyncSmtpTransport`: lettre 0.11.23 never sets `TCP_NODELAY` and writes
//! the message and then `\r\n.\r\n` as two writes, so Nagle holds the second write until
//! the server's delayed ACK (40 ms on Linux): ≥ 40 ms a message and connection (see
//! bench/README-mail.md; fixed upstream in lettre#1159, not released). Here the socket is
//! ours: we connect it, set `TCP_NODELAY`, and hand it to
//! [`AsyncSmtpConnection::connect_with_transport`], which does the SMTP (greeting, EHLO,
//! STARTTLS, AUTH, commands, dot-stuffing) as lettre's own transport would.
//!
//! The pool: at most `pool_size` connections exist (a semaphore of `pool_size` permits;
//! a send holds one while it uses a connection). A connection goes back to the pool after
//! a successful message only; any failure closes it. A parked connection is reused as is
//! (no NOOP first, unlike lettre's pool): if it fails before any byte of the message was
//! sent (at `MAIL FROM`, e.g. the server closed it while parked), the send is tried once
//! more on a fresh connection, which cannot deliver twice. Connections parked for more
//! than [`IDLE_LIMIT`] are closed instead of reused. `timeout_secs` bounds each step:
//! the TCP connect, the TLS handshake, every command and the message itself.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
#[allow(deprecated)]
use lettre::transport::smtp::client::AsyncNetworkStream;
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use super::transport::{Delivery, Refusal, SendError, classify_smtp};

/// A parked connection older than this is closed rather than reused (lettre's default
/// `idle_timeout`; servers drop idle clients after a few minutes).
pub const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// `[mail.smtp] security`.
#[derive(Clone)]
pub enum Security {
    None,
    /// Plain connect, then `STARTTLS` (required: a server without it is an error).
    StartTls(TlsParameters),
    /// Implicit TLS ("SMTPS", usually port 465).
    Tls(TlsParameters),
}

pub struct SmtpPool {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    timeout: Duration,
    hello: ClientId,
    slots: Semaphore,
    idle: Mutex<Vec<Parked>>,
}

struct Parked {
    conn: AsyncSmtpConnection,
    since: Instant,
}

/// How a transaction failed: `before_message` when no byte of the message was sent.
struct Failed {
    error: SendError,
    before_message: bool,
}

impl SmtpPool {
    /// No connection is opened here; they open on first use.
    pub fn new(
        host: String,
        port: u16,
        security: Security,
        credentials: Option<Credentials>,
        timeout: Duration,
        pool_size: u32,
    ) -> SmtpPool {
        SmtpPool {
            host,
            port,
            security,
            credentials,
            timeout,
            hello: ClientId::default(),
            slots: Semaphore::new(pool_size.max(1) as usize),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one message; waits for a free slot when `pool_size` sends are under way.
    /// A recipient the server refuses (`RCPT` answered 4xx or 5xx) does not stop the
    /// others: the message goes to those accepted, and the refusals come back in the
    /// [`Delivery`]. When every recipient is refused, nothing is sent.
    pub async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<Delivery, SendError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .expect("the semaphore is never closed");
        if let Some(conn) = self.take_parked() {
            match self.transaction(conn, envelope, email).await {
                Ok((conn, delivery)) => {
                    self.park(conn);
                    return Ok(delivery);
                }
                // The parked connection was dead or refused the next transaction before
                // the message: a fresh connection may do.
                Err(Failed {
                    error,
                    before_message: true,
                }) if !error.is_permanent() => {
                    tracing::debug!(class = error.class(), "pooled SMTP connection replaced");
                }
                Err(f) => return Err(f.error),
            }
        }
        let conn = self.connect().await?;
        match self.transaction(conn, envelope, email).await {
            Ok((conn, delivery)) => {
                self.park(conn);
                Ok(delivery)
            }
            Err(f) => Err(f.error),
        }
    }

    /// The most recently parked connection still young enough; older ones are closed.
    /// Opens a connection as a send would (TLS and login included) and closes it: what
    /// `pakn doctor` asks of the server.
    pub async fn check(&self) -> Result<(), SendError> {
        let mut conn = self.connect().await?;
        let _ = conn.quit().await;
        Ok(())
    }

    fn take_parked(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().expect("pool lock");
        let stale = idle
            .iter()
            .position(|p| p.since.elapsed() < IDLE_LIMIT)
            .unwrap_or(idle.len());
        // Parked in time order: everything before the first young one is stale.
        let old: Vec<Parked> = idle.drain(..stale).collect();
        let conn = idle.pop().map(|p| p.conn);
        drop(idle);
        for p in old {
            self.close(p.conn);
        }
        conn
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        self.idle.lock().expect("pool lock").push(Parked {
            conn,
            since: Instant::now(),
        });
    }

    /// QUIT and close in the background (bounded by the timeout); the send goes on.
    fn close(&self, mut conn: AsyncSmtpConnection) {
        let limit = self.timeout;
        tokio::spawn(async move {
            let _ = tokio::time::timeout(limit, conn.abort()).await;
        });
    }

    /// One SMTP transaction on `conn`; the connection comes back on success only (on
    /// failure it is closed: its state is unknown, as lettre's pool does).
    async fn transaction(
        &self,
        mut conn: AsyncSmtpConnection,
        envelope: &Envelope,
        email: &[u8],
    ) -> Result<(AsyncSmtpConnection, Delivery), Failed> {
        let result = self.steps(&mut conn, envelope, email).await;
        match result {
            Ok(delivery) => Ok((conn, delivery)),
            Err(f) => {
                self.close(conn);
                Err(f)
            }
        }
    }

    async fn steps(
        &self,
        conn: &mut AsyncSmtpConnection,
        envelope: &Envelope,
        email: &[u8],
    ) -> Result<Delivery, Failed> {
        let limit = self.timeout;
        let early = |error| Failed {
            error,
            before_message: true,
        };
        // As lettre's `AsyncSmtpConnection::send`: SMTPUTF8 for non-ASCII addresses,
        // 8BITMIME for a non-ASCII message, refused when the server lacks them.
        let mut options = Vec::new();
        let non_ascii = envelope
            .from()
            .into_iter()
            .chain(envelope.to())
            .any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(early(unsupported(
                    "the envelope has non-ASCII addresses and the server lacks SMTPUTF8",
                )));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !email.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(early(unsupported(
                    "the message is not ASCII and the server lacks 8BITMIME",
                )));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        within(
            limit,
            conn.command(Mail::new(envelope.from().cloned(), options)),
        )
        .await
        .map_err(early)?;
        let late = |error| Failed {
            error,
            before_message: false,
        };
        let mut delivery = Delivery::default();
        for to in envelope.to() {
            match tokio::time::timeout(limit, conn.command(Rcpt::new(to.clone(), Vec::new()))).await
            {
                Ok(Ok(_)) => delivery.accepted.push(to.to_string()),
                // The server's answer about this recipient (4xx or 5xx): the others go on.
                Ok(Err(e)) if e.is_permanent() || e.is_transient() => {
                    delivery.refused.push(Refusal {
                        address: to.to_string(),
                        error: classify_smtp(&e),
                    });
                }
                Ok(Err(e)) => return Err(late(classify_smtp(&e))),
                Err(_) => return Err(late(timed_out(limit))),
            }
        }
        if delivery.accepted.is_empty() {
            // Nothing to send: end the transaction so the connection can be reused.
            within(limit, conn.command(Rset)).await.map_err(late)?;
            return Ok(delivery);
        }
        within(limit, conn.command(Data)).await.map_err(late)?;
        within(limit, conn.message(email)).await.map_err(late)?;
        Ok(delivery)
    }

    /// A new connection: TCP with `TCP_NODELAY`, TLS if `tls`, greeting and EHLO,
    /// `STARTTLS` if `starttls`, AUTH if credentials are set.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let limit = self.timeout;
        let tcp = self.tcp().await?;
        let stream: Box<dyn AsyncTokioStream> = match &self.security {
            Security::Tls(params) => {
                #[allow(deprecated)]
                let mut tls = AsyncNetworkStream::use_existing_tokio1(Box::new(tcp));
                within(limit, tls.upgrade_tls(params.clone())).await?;
                Box::new(TlsOverTcp(tls))
            }
            Security::None | Security::StartTls(_) => Box::new(tcp),
        };
        let mut conn = within(
            limit,
            AsyncSmtpConnection::connect_with_transport(stream, &self.hello),
        )
        .await?;
        if let Security::StartTls(params) = &self.security {
            within(limit, conn.starttls(params.clone(), &self.hello)).await?;
        }
        if let Some(credentials) = &self.credentials {
            within(limit, conn.auth(DEFAULT_MECHANISMS, credentials)).await?;
        }
        Ok(conn)
    }

    /// Every address of the host in turn, each within the timeout, as lettre does.
    async fn tcp(&self) -> Result<TcpStream, SendError> {
        let connection = |e: io::Error| SendError::Temporary {
            class: "connection".into(),
            text: format!("Connection error: {e}"),
        };
        let addrs = tokio::net::lookup_host((self.host.as_str(), self.port))
            .await
            .map_err(connection)?;
        let mut last = None;
        for addr in addrs {
            match tokio::time::timeout(self.timeout, TcpStream::connect(addr)).await {
                Ok(Ok(tcp)) => {
                    tcp.set_nodelay(true).map_err(connection)?;
                    return Ok(tcp);
                }
                Ok(Err(e)) => last = Some(connection(e)),
                Err(_) => last = Some(timed_out(self.timeout)),
            }
        }
        Err(last.unwrap_or_else(|| {
            connection(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{} resolves to no address", self.host),
            ))
        }))
    }
}

fn unsupported(text: &str) -> SendError {
    // lettre reports these as client errors, which were classified "connection"
    // (temporary): kept so.
    SendError::Temporary {
        class: "connection".into(),
        text: format!("client error: {text}"),
    }
}

fn timed_out(limit: Duration) -> SendError {
    SendError::Temporary {
        class: "timeout".into(),
        text: format!(
            "no answer from the SMTP server within {} s",
            limit.as_secs()
        ),
    }
}

/// One step of the conversation within `limit`.
async fn within<T>(
    limit: Duration,
    step: impl Future<Output = Result<T, smtp::Error>>,
) -> Result<T, SendError> {
    match tokio::time::timeout(limit, step).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(classify_smtp(&e)),
        Err(_) => Err(timed_out(limit)),
    }
}

/// lettre's TLS stream (over our `TCP_NODELAY` socket) as the tokio stream that
/// `connect_with_transport` takes: implicit TLS must be up before the greeting, and
/// `connect_with_transport` only takes a plain stream.
#[allow(deprecated)]
#[derive(Debug)]
struct TlsOverTcp(AsyncNetworkStream);

impl AsyncTokioStream for TlsOverTcp {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsyncRead for TlsOverTcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let dst = buf.initialize_unfilled();
        match futures_util::io::AsyncRead::poll_read(Pin::new(&mut self.get_mut().0), cx, dst) {
            Poll::Ready(Ok(n)) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for TlsOverTcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        futures_util::io::AsyncWrite::poll_write(Pin::new(&mut self.get_mut().0), cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_flush(Pin::new(&mut self.get_mut().0), cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        futures_util::io::AsyncWrite::poll_close(Pin::new(&mut self.get_mut().0), cx)
    }
}
