//! The IMAP client side of the poller (`[mail.inbound.imap]`): a connection over
//! implicit TLS (trusting the system's roots plus `ca_file`) or, for tests on loopback,
//! none; login; the folder selected and the done folder created when missing; the
//! messages waiting (their UIDs), one message fetched (only its header when it is over
//! the size limit), a message moved to the done folder, and a wait with IDLE.
//!
//! What is done with a message is decided in `handling::inbound::poller`. Errors name
//! the step that failed, never a message's subject or addresses.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::extensions::idle::IdleResponse;
use async_imap::types::{Capability, UnsolicitedResponse};
use async_imap::{Client, Session};
use futures_util::TryStreamExt;
use rustls::ClientConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::config::{ImapConfig, ImapSecurity};

/// The longest one step (connecting, logging in, one command) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest fetching one message may take (25 MB at 50 kB/s).
const FETCH_TIMEOUT: Duration = Duration::from_secs(600);
/// The longest one IDLE may last (RFC 2177: re-issue it within 29 minutes).
pub const MAX_IDLE: Duration = Duration::from_secs(25 * 60);

/// Why talking to the IMAP server failed.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The configuration cannot be used (host, CA file).
    #[error("imap configuration: {0}")]
    Config(String),
    #[error("imap {step}: {source}")]
    Io {
        step: &'static str,
        #[source]
        source: io::Error,
    },
    /// The TLS handshake failed (an untrusted certificate, for example).
    #[error("imap tls handshake: {0}")]
    Tls(io::Error),
    /// The server refused a command, or its answer could not be read. Shown without
    /// the data of an answer that did not parse (it may hold a message's text).
    #[error("imap {step}: {}", describe(source))]
    Imap {
        step: &'static str,
        source: async_imap::error::Error,
    },
    #[error("imap {0}: timed out")]
    Timeout(&'static str),
    /// The server answered something the poller cannot use.
    #[error("imap {0}: unexpected answer")]
    Unexpected(&'static str),
}

type Result<T> = std::result::Result<T, ImapError>;

/// What an IMAP error says, without the bytes of an answer that did not parse.
fn describe(e: &async_imap::error::Error) -> String {
    use async_imap::error::Error;
    match e {
        Error::Io(e) => format!("io: {e}"),
        Error::Bad(text) => format!("BAD {}", short(text)),
        Error::No(text) => format!("NO {}", short(text)),
        Error::ConnectionLost => "connection lost".into(),
        Error::Parse(_) => "an answer that does not parse".into(),
        Error::Validate(_) => "an argument that is not a valid IMAP string".into(),
        Error::Append => "append refused".into(),
        _ => "an unknown error".into(),
    }
}

/// The start of a server's status text.
fn short(text: &str) -> String {
    text.chars().take(200).collect()
}

/// The connection under the IMAP session: plain TCP (tests on loopback) or TLS.
pub enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Conn::Plain(_) => "Conn::Plain",
            Conn::Tls(_) => "Conn::Tls",
        })
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_flush(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Conn::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A logged-in IMAP session (also what tests use to APPEND).
pub type ImapSession = Session<Conn>;

/// Runs one step with [`STEP_TIMEOUT`].
async fn timed<T, E>(
    step: &'static str,
    fut: impl Future<Output = std::result::Result<T, E>>,
    wrap: impl FnOnce(&'static str, E) -> ImapError,
) -> Result<T> {
    timed_within(STEP_TIMEOUT, step, fut, wrap).await
}

async fn timed_within<T, E>(
    limit: Duration,
    step: &'static str,
    fut: impl Future<Output = std::result::Result<T, E>>,
    wrap: impl FnOnce(&'static str, E) -> ImapError,
) -> Result<T> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(wrap(step, e)),
        Err(_) => Err(ImapError::Timeout(step)),
    }
}

fn imap_err(step: &'static str, source: async_imap::error::Error) -> ImapError {
    ImapError::Imap { step, source }
}

fn io_err(step: &'static str, source: io::Error) -> ImapError {
    ImapError::Io { step, source }
}

/// The TLS client configuration: the system's roots, plus those of `ca_file`.
fn tls_config(cfg: &ImapConfig) -> Result<ClientConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut extra: Vec<CertificateDer<'static>> = Vec::new();
    if !cfg.ca_file.trim().is_empty() {
        let certs = CertificateDer::pem_file_iter(cfg.ca_file.trim())
            .map_err(|e| ImapError::Config(format!("reading ca_file: {e}")))?;
        for cert in certs {
            extra.push(cert.map_err(|e| ImapError::Config(format!("parsing ca_file: {e}")))?);
        }
    }
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(extra, Arc::clone(&provider))
            .map_err(|e| ImapError::Config(format!("trusted roots: {e}")))?;
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Config(format!("tls versions: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// Whether `host` names this machine (where a password may go unencrypted).
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Opens the connection (TCP, then TLS unless `security = "none"`, loopback only).
async fn open(cfg: &ImapConfig) -> Result<Conn> {
    let host = cfg.host.trim();
    if host.is_empty() {
        return Err(ImapError::Config("no host".into()));
    }
    if cfg.security == ImapSecurity::None && !is_loopback(host) {
        return Err(ImapError::Config(
            "security = \"none\" is for a server on loopback only".into(),
        ));
    }
    let tcp = timed("connect", TcpStream::connect((host, cfg.port)), io_err).await?;
    match cfg.security {
        ImapSecurity::None => Ok(Conn::Plain(tcp)),
        ImapSecurity::Tls => {
            let name = ServerName::try_from(host.to_string())
                .map_err(|e| ImapError::Config(format!("host name: {e}")))?;
            let connector = TlsConnector::from(Arc::new(tls_config(cfg)?));
            let tls = timed("tls", connector.connect(name, tcp), |_, e| {
                ImapError::Tls(e)
            })
            .await?;
            Ok(Conn::Tls(Box::new(tls)))
        }
    }
}

/// Connects and logs in (nothing selected yet).
pub async fn login(cfg: &ImapConfig) -> Result<ImapSession> {
    let mut client = Client::new(open(cfg).await?);
    let greeting = timed("greeting", client.read_response(), io_err).await?;
    if greeting.is_none() {
        return Err(ImapError::Unexpected("greeting"));
    }
    let session = tokio::time::timeout(
        STEP_TIMEOUT,
        client.login(cfg.username.as_str(), cfg.password.as_str()),
    )
    .await
    .map_err(|_| ImapError::Timeout("login"))?
    .map_err(|(e, _)| imap_err("login", e))?;
    Ok(session)
}

/// One message as fetched: its bytes (only the header when it is over the limit) and
/// its full size.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub raw: Vec<u8>,
    pub size: usize,
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woke {
    /// The server said something changed (new mail, most likely).
    News,
    /// The wait ran its time.
    Timeout,
}

/// The poller's mailbox: a session with `folder` selected and `done_folder` present.
pub struct Mailbox {
    session: ImapSession,
    done_folder: String,
    has_move: bool,
    has_uidplus: bool,
    has_idle: bool,
}

impl Mailbox {
    /// Connects, logs in, creates `done_folder` when missing and selects `folder`.
    pub async fn open(cfg: &ImapConfig) -> Result<Mailbox> {
        let mut session = login(cfg).await?;
        let caps = timed("capability", session.capabilities(), imap_err).await?;
        let has_move = caps.has_str("MOVE");
        let has_uidplus = caps.has_str("UIDPLUS");
        let has_idle = caps.has(&Capability::Atom("IDLE".into()));
        ensure_folder(&mut session, &cfg.done_folder).await?;
        timed("select", session.select(&cfg.folder), imap_err).await?;
        Ok(Mailbox {
            session,
            done_folder: cfg.done_folder.clone(),
            has_move,
            has_uidplus,
            has_idle,
        })
    }

    /// Whether the server offers IDLE.
    pub fn can_idle(&self) -> bool {
        self.has_idle
    }

    /// The UIDs of the messages in the folder, oldest first.
    pub async fn waiting(&mut self) -> Result<Vec<u32>> {
        let uids = timed("search", self.session.uid_search("ALL"), imap_err).await?;
        let mut uids: Vec<u32> = uids.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Fetches message `uid`: whole when it is at most `max_bytes`, else only its
    /// header. `None` when it is gone (another client moved it).
    pub async fn fetch(&mut self, uid: u32, max_bytes: usize) -> Result<Option<Fetched>> {
        let Some(size) = self.size_of(uid).await? else {
            return Ok(None);
        };
        let whole = size <= max_bytes;
        let query = if whole {
            "(UID BODY.PEEK[])"
        } else {
            "(UID BODY.PEEK[HEADER])"
        };
        let fetches = self.fetch_items(uid, query).await?;
        let raw = fetches
            .iter()
            .filter(|f| f.uid == Some(uid))
            .find_map(|f| if whole { f.body() } else { f.header() });
        Ok(raw.map(|raw| Fetched {
            raw: raw.to_vec(),
            size,
        }))
    }

    async fn size_of(&mut self, uid: u32) -> Result<Option<usize>> {
        let fetches = self.fetch_items(uid, "(UID RFC822.SIZE)").await?;
        Ok(fetches
            .iter()
            .filter(|f| f.uid == Some(uid))
            .find_map(|f| f.size)
            .map(|s| s as usize))
    }

    async fn fetch_items(
        &mut self,
        uid: u32,
        query: &str,
    ) -> Result<Vec<async_imap::types::Fetch>> {
        let uid_set = uid.to_string();
        let session = &mut self.session;
        timed_within(
            FETCH_TIMEOUT,
            "fetch",
            async {
                let stream = session.uid_fetch(&uid_set, query).await?;
                stream.try_collect::<Vec<_>>().await
            },
            imap_err,
        )
        .await
    }

    /// Moves message `uid` to the done folder (UID MOVE, or on a server without MOVE
    /// UID COPY, \Deleted and UID EXPUNGE, or EXPUNGE without UIDPLUS).
    pub async fn move_done(&mut self, uid: u32) -> Result<()> {
        let uid_set = uid.to_string();
        if self.has_move {
            return timed(
                "move",
                self.session.uid_mv(&uid_set, &self.done_folder),
                imap_err,
            )
            .await;
        }
        timed(
            "copy",
            self.session.uid_copy(&uid_set, &self.done_folder),
            imap_err,
        )
        .await?;
        let session = &mut self.session;
        timed(
            "store",
            async {
                let stream = session
                    .uid_store(&uid_set, "+FLAGS.SILENT (\\Deleted)")
                    .await?;
                stream.try_collect::<Vec<_>>().await
            },
            imap_err,
        )
        .await?;
        let (session, uidplus) = (&mut self.session, self.has_uidplus);
        timed(
            "expunge",
            async {
                if uidplus {
                    let stream = session.uid_expunge(&uid_set).await?;
                    stream.try_collect::<Vec<_>>().await
                } else {
                    let stream = session.expunge().await?;
                    stream.try_collect::<Vec<_>>().await
                }
            },
            imap_err,
        )
        .await?;
        Ok(())
    }

    /// Waits with IDLE for at most `wait` (capped at [`MAX_IDLE`]) until the server
    /// reports a change. Consumes the mailbox and gives it back (IDLE owns the session).
    pub async fn idle(self, wait: Duration) -> Result<(Mailbox, Woke)> {
        let Mailbox {
            session,
            done_folder,
            has_move,
            has_uidplus,
            has_idle,
        } = self;
        let news = session.unsolicited_responses.clone();
        let mut handle = session.idle();
        timed("idle", handle.init(), imap_err).await?;
        // Mail that came during the last commands, or as IDLE started, was reported
        // outside the wait.
        let woke = if news_in(|| news.try_recv().ok()) {
            Woke::News
        } else {
            let (fut, _stop) = handle.wait_with_timeout(wait.min(MAX_IDLE));
            match fut.await.map_err(|e| imap_err("idle", e))? {
                IdleResponse::NewData(_) => Woke::News,
                IdleResponse::Timeout | IdleResponse::ManualInterrupt => Woke::Timeout,
            }
        };
        let session = timed("idle done", handle.done(), imap_err).await?;
        let mailbox = Mailbox {
            session,
            done_folder,
            has_move,
            has_uidplus,
            has_idle,
        };
        Ok((mailbox, woke))
    }

    /// Logs out (best effort: the connection closes anyway).
    pub async fn logout(mut self) {
        let _ = tokio::time::timeout(STEP_TIMEOUT, self.session.logout()).await;
    }
}

/// Creates `folder` when the server does not list it.
async fn ensure_folder(session: &mut ImapSession, folder: &str) -> Result<()> {
    let names = timed(
        "list",
        async {
            let stream = session.list(Some(""), Some(folder)).await?;
            stream.try_collect::<Vec<_>>().await
        },
        imap_err,
    )
    .await?;
    if names.iter().any(|n| n.name() == folder) {
        return Ok(());
    }
    timed("create", session.create(folder), imap_err).await
}

/// Whether the server reported new messages outside a command's answer (drains them).
fn news_in(mut next: impl FnMut() -> Option<UnsolicitedResponse>) -> bool {
    let mut news = false;
    while let Some(response) = next() {
        news |= matches!(
            response,
            UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
        );
    }
    news
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unparsable_answer_is_not_shown() {
        let source = async_imap::error::Error::Parse(async_imap::error::ParseError::Invalid(
            b"* 1 FETCH (BODY[] {16}\r\nSubject: private".to_vec(),
        ));
        let shown = ImapError::Imap {
            step: "fetch",
            source,
        }
        .to_string();
        assert_eq!(shown, "imap fetch: an answer that does not parse");
    }

    #[test]
    fn a_refusal_is_shown() {
        let source = async_imap::error::Error::No("[TRYCREATE] Mailbox doesn't exist".into());
        let shown = ImapError::Imap {
            step: "move",
            source,
        }
        .to_string();
        assert_eq!(shown, "imap move: NO [TRYCREATE] Mailbox doesn't exist");
    }

    #[test]
    fn no_security_only_on_loopback() {
        for host in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "[::1]",
            "localhost",
            "LOCALHOST",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "10.0.0.1",
            "imap.example.org",
            "localhost.example.org",
            "::2",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[tokio::test]
    async fn no_security_is_refused_off_loopback() {
        let cfg = ImapConfig {
            host: "imap.example.org".into(),
            security: ImapSecurity::None,
            ..ImapConfig::default()
        };
        let refused = login(&cfg).await.err();
        assert!(matches!(refused, Some(ImapError::Config(_))), "{refused:?}");
    }

    #[test]
    fn news_is_an_exists_or_recent() {
        let mut queue = vec![UnsolicitedResponse::Expunge(3)];
        assert!(!news_in(|| queue.pop()));
        let mut queue = vec![
            UnsolicitedResponse::Expunge(3),
            UnsolicitedResponse::Exists(4),
        ];
        assert!(news_in(|| queue.pop()));
        assert!(queue.is_empty(), "drained");
    }
}
