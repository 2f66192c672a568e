//! A raw RFC 5322 message decoded into what pakn needs of it. (Placeholder of the
//! contract; the full parser lands with its corpus.)

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};

/// One inbound message, decoded.
#[derive(Debug, Clone, Default)]
pub struct ParsedMail {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from: Option<String>,
    pub from_name: Option<String>,
    pub recipients: Vec<String>,
    pub subject: String,
    pub text: String,
    pub full_text: String,
    pub attachments: Vec<InboundFile>,
    pub tnef_dropped: bool,
    pub automatic: Option<Automatic>,
    pub dsn: Option<Dsn>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFile {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    AutoSubmitted,
    Precedence,
    Vacation,
    MailerDaemon,
    List,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dsn {
    pub original_message_id: Option<String>,
    pub recipients: Vec<DsnRecipient>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnRecipient {
    pub address: String,
    pub action: String,
    pub status: String,
    pub diagnostic: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a mail message")]
    NotMail,
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Parses one raw RFC 5322 message.
pub fn parse(raw: &[u8]) -> Result<ParsedMail, ParseError> {
    let m = MessageParser::default()
        .parse(raw)
        .ok_or(ParseError::NotMail)?;
    let from = m.from().and_then(|a| a.first());
    let mut recipients = Vec::new();
    for list in [m.to(), m.cc()].into_iter().flatten() {
        for a in list.iter() {
            if let Some(addr) = a.address() {
                recipients.push(addr.to_lowercase());
            }
        }
    }
    let text = m.body_text(0).map(|t| t.to_string()).unwrap_or_default();
    let attachments = m
        .attachments()
        .map(|a| InboundFile {
            filename: a.attachment_name().unwrap_or_default().to_string(),
            content_type: a
                .content_type()
                .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or("")))
                .unwrap_or_default()
                .to_lowercase(),
            bytes: a.contents().to_vec(),
        })
        .collect();
    let auto = m
        .header_raw("Auto-Submitted")
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"));
    Ok(ParsedMail {
        message_id: m.message_id().map(str::to_string),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        from: from.and_then(|a| a.address()).map(str::to_lowercase),
        from_name: from.and_then(|a| a.name()).map(str::to_string),
        recipients,
        subject: m.subject().unwrap_or_default().to_string(),
        full_text: text.clone(),
        text,
        attachments,
        tnef_dropped: false,
        automatic: auto.then_some(Automatic::AutoSubmitted),
        dsn: None,
    })
}
