//! Delivery: `file` writes each message to `<[mail] dir>/<outbox id>.eml` (the default,
//! for development and trials); `smtp` sends through ONE pool of SMTP connections built at
//! start and shared by every send of the instance (our own pool of lettre connections
//! with `TCP_NODELAY`, see [`super::smtp`]).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::address::Envelope;
use lettre::message::Message;
use lettre::transport::smtp;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::TlsParameters;

use super::smtp::{Security, SmtpPool};
use crate::config::{MailConfig, MailTransport, SmtpSecurity};

/// Why a send failed, as far as retrying is concerned. The text is for the row's
/// `last_error` (it may quote the server); logs get [`SendError::class`] only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth retrying: connection refused or reset, timeout, a 4xx reply, a full disk.
    Temporary { class: String, text: String },
    /// Never worth retrying: a 5xx reply.
    Permanent { class: String, text: String },
}

impl SendError {
    /// A short description without personal data: "smtp 550", "connection", "timeout".
    pub fn class(&self) -> &str {
        match self {
            SendError::Temporary { class, .. } | SendError::Permanent { class, .. } => class,
        }
    }

    pub fn text(&self) -> &str {
        match self {
            SendError::Temporary { text, .. } | SendError::Permanent { text, .. } => text,
        }
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent { .. })
    }
}

/// One recipient the server refused, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub address: String,
    pub error: SendError,
}

/// What a send did: the recipients the server accepted (the message went to them) and
/// those it refused. Every recipient is in one of the two.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivery {
    pub accepted: Vec<String>,
    pub refused: Vec<Refusal>,
}

pub(crate) fn classify_smtp(e: &smtp::Error) -> SendError {
    let text = e.to_string();
    let code = e.status().map(|c| c.to_string());
    if e.is_permanent() {
        SendError::Permanent {
            class: format!("smtp {}", code.unwrap_or_else(|| "5xx".into())),
            text,
        }
    } else if e.is_transient() {
        SendError::Temporary {
            class: format!("smtp {}", code.unwrap_or_else(|| "4xx".into())),
            text,
        }
    } else if e.is_timeout() {
        SendError::Temporary {
            class: "timeout".into(),
            text,
        }
    } else if e.is_tls() {
        SendError::Temporary {
            class: "tls".into(),
            text,
        }
    } else {
        SendError::Temporary {
            class: "connection".into(),
            text,
        }
    }
}

pub enum Transport {
    File { dir: PathBuf },
    Smtp(Box<SmtpPool>),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::File { dir } => write!(f, "Transport::File({})", dir.display()),
            Transport::Smtp(_) => write!(f, "Transport::Smtp"),
        }
    }
}

impl Transport {
    /// Builds the transport of `[mail]`: creates the directory of `file`; for `smtp`
    /// prepares the pool (connections open on first use).
    pub fn from_config(cfg: &MailConfig) -> anyhow::Result<Transport> {
        match cfg.transport {
            MailTransport::File => {
                std::fs::create_dir_all(&cfg.dir)
                    .with_context(|| format!("mail.dir: cannot create {}", cfg.dir.display()))?;
                Ok(Transport::File {
                    dir: cfg.dir.clone(),
                })
            }
            MailTransport::Smtp => {
                let s = &cfg.smtp;
                let tls = || TlsParameters::new(s.host.clone()).context("mail.smtp: preparing TLS");
                let security = match s.security {
                    SmtpSecurity::None => Security::None,
                    SmtpSecurity::Starttls => Security::StartTls(tls()?),
                    SmtpSecurity::Tls => Security::Tls(tls()?),
                };
                let credentials = (!s.username.is_empty())
                    .then(|| Credentials::new(s.username.clone(), s.password.clone()));
                Ok(Transport::Smtp(Box::new(SmtpPool::new(
                    s.host.clone(),
                    s.port,
                    security,
                    credentials,
                    Duration::from_secs(s.timeout_secs.max(1)),
                    s.pool_size.max(1),
                ))))
            }
        }
    }

    /// Whether mail can leave: the directory of `file` is writable, the server of
    /// `smtp` accepts a connection (and the login).
    pub async fn check(&self) -> Result<(), String> {
        match self {
            Transport::File { dir } => {
                let probe = dir.join(format!(".doctor-{}", std::process::id()));
                std::fs::write(&probe, b"ok")
                    .and_then(|()| std::fs::remove_file(&probe))
                    .map_err(|e| format!("cannot write in {}: {e}", dir.display()))
            }
            Transport::Smtp(pool) => pool.check().await.map_err(|e| e.text().to_string()),
        }
    }

    /// How many sends the worker runs at once.
    pub fn concurrency(&self, cfg: &MailConfig) -> usize {
        match self {
            Transport::File { .. } => 8,
            Transport::Smtp(_) => cfg.smtp.pool_size.max(1) as usize,
        }
    }

    /// Sends `message` to the recipients of `envelope` (which may be fewer than its
    /// headers name, when some already have it or refused it for good).
    pub async fn send(
        &self,
        outbox_id: i64,
        message: Message,
        envelope: &Envelope,
    ) -> Result<Delivery, SendError> {
        match self {
            Transport::File { dir } => {
                let bytes = message.formatted();
                let tmp = dir.join(format!(".{outbox_id}.eml.tmp"));
                let path = dir.join(format!("{outbox_id}.eml"));
                let result = async {
                    tokio::fs::write(&tmp, &bytes).await?;
                    tokio::fs::rename(&tmp, &path).await
                }
                .await;
                result.map_err(|e| SendError::Temporary {
                    class: format!("file {:?}", e.kind()),
                    text: e.to_string(),
                })?;
                Ok(Delivery {
                    accepted: envelope.to().iter().map(ToString::to_string).collect(),
                    refused: Vec::new(),
                })
            }
            Transport::Smtp(pool) => pool.send(envelope, &message.formatted()).await,
        }
    }
}
