//! An outbox row as a MIME message: From from `[mail]`, Reply-To the PAKN's signed reply
//! address (`mail::reply_address`) or `[mail] reply_to`, the row's To and Cc,
//! `Message-ID`, `In-Reply-To` and `References` completed with the domain of `[mail]
//! from`, `Date` = when the mail was queued, `Auto-Submitted: auto-generated`, a text
//! and an HTML part, and the attachments the row names. A digest's row carries its
//! one-click unsubscribe link: `List-Unsubscribe: <link>` and `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click` (RFC 8058).

use std::time::SystemTime;

use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use super::outbox::{AttachmentFile, ClaimedRow};
use crate::config::MailConfig;
use crate::domain::mailbox::parse_mailbox;

/// What every message of an instance carries, parsed once from `[mail]`.
#[derive(Debug, Clone)]
pub struct Sender {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    /// The right-hand side of `Message-ID`s: the domain of `from`.
    pub domain: String,
}

impl Sender {
    pub fn from_config(cfg: &MailConfig) -> anyhow::Result<Sender> {
        let from = parse_mailbox(&cfg.from).map_err(|m| anyhow::anyhow!("mail.from: {m}"))?;
        let reply_to = if cfg.reply_to.trim().is_empty() {
            None
        } else {
            Some(parse_mailbox(&cfg.reply_to).map_err(|m| anyhow::anyhow!("mail.reply_to: {m}"))?)
        };
        let domain = from.email.domain().to_string();
        Ok(Sender {
            from,
            reply_to,
            domain,
        })
    }

    /// `<key@domain>`.
    pub fn msg_id(&self, key: &str) -> String {
        format!("<{key}@{}>", self.domain)
    }
}

/// Why a row cannot become a message (never worth retrying).
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid recipient address")]
    Address,
    #[error("no recipient")]
    NoRecipient,
    #[error("the mail was never rendered")]
    NotRendered,
    #[error("invalid message: {0}")]
    Message(String),
}

fn header(name: &'static str, value: &str) -> HeaderValue {
    HeaderValue::new(HeaderName::new_from_ascii_str(name), value.to_string())
}

/// Builds the message of one row; `reply_to` is its PAKN's signed reply address, if any
/// (else `[mail] reply_to`).
pub fn build(
    sender: &Sender,
    row: &ClaimedRow,
    files: &[AttachmentFile],
    reply_to: Option<&str>,
) -> Result<Message, BuildError> {
    if row.to_addrs.is_empty() && row.cc_addrs.is_empty() {
        return Err(BuildError::NoRecipient);
    }
    let (Some(subject), Some(text)) = (row.subject.clone(), row.body_text.clone()) else {
        return Err(BuildError::NotRendered);
    };
    let mut b = Message::builder()
        .from(sender.from.clone())
        .subject(subject)
        .date(SystemTime::from(row.created_at))
        .message_id(Some(sender.msg_id(&row.message_id)))
        .raw_header(header("Auto-Submitted", "auto-generated"))
        .raw_header(header("X-Auto-Response-Suppress", "All"))
        .raw_header(header("Content-Language", &row.lang));
    if let Some(link) = &row.list_unsubscribe {
        b = b
            .raw_header(header("List-Unsubscribe", &format!("<{link}>")))
            .raw_header(header(
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click",
            ));
    }
    let signed = reply_to
        .map(|a| {
            a.parse()
                .map(|email| Mailbox::new(sender.from.name.clone(), email))
                .map_err(|_| BuildError::Address)
        })
        .transpose()?;
    if let Some(reply_to) = signed.as_ref().or(sender.reply_to.as_ref()) {
        b = b.reply_to(reply_to.clone());
    }
    for addr in &row.to_addrs {
        b = b.to(addr.parse::<Mailbox>().map_err(|_| BuildError::Address)?);
    }
    for addr in &row.cc_addrs {
        b = b.cc(addr.parse::<Mailbox>().map_err(|_| BuildError::Address)?);
    }
    if let Some(root) = &row.in_reply_to {
        b = b.in_reply_to(sender.msg_id(root));
    }
    if let Some(refs) = &row.thread_refs {
        let ids: Vec<String> = refs.split_whitespace().map(|k| sender.msg_id(k)).collect();
        b = b.references(ids.join(" "));
    }
    let body = match &row.body_html {
        Some(html) => MultiPart::alternative_plain_html(text, html.clone()),
        None => MultiPart::mixed().singlepart(SinglePart::plain(text)),
    };
    let body = if files.is_empty() {
        body
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for f in files {
            let ct = ContentType::parse(&f.content_type).unwrap_or(
                ContentType::parse("application/octet-stream")
                    .map_err(|e| BuildError::Message(e.to_string()))?,
            );
            mixed = mixed.singlepart(Attachment::new(f.filename.clone()).body(f.data.clone(), ct));
        }
        mixed
    };
    b.multipart(body)
        .map_err(|e| BuildError::Message(e.to_string()))
}
