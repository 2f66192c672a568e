//! Parsing of one inbound RFC 5322 message into [`ParsedMail`]: threading ids,
//! addresses, the decoded subject, the new text of a reply (quoted history
//! and signatures cut by [`crate::domain::reply_text`]), the attached files
//! (an Outlook `winmail.dat` unpacked, see [`tnef`]), whether the mail is
//! automatic, and the delivery status of a bounce (RFC 3464).
//!
//! MIME decoding is `mail-parser`'s; everything here is pure (no I/O).

use std::borrow::Cow;

use mail_parser::{
    Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};
use unicode_normalization::UnicodeNormalization;

use crate::domain::reply_text::{html_new_text, html_to_text, trim_reply, unflow};

/// One inbound message, decoded.
#[derive(Debug, Clone, Default)]
pub struct ParsedMail {
    /// Message-ID without angle brackets, trimmed; None when missing.
    pub message_id: Option<String>,
    /// In-Reply-To ids, without angle brackets, in order.
    pub in_reply_to: Vec<String>,
    /// References ids, without angle brackets, in order.
    pub references: Vec<String>,
    /// The From address, lower-cased (plain `local@domain`).
    pub from: Option<String>,
    /// The From display name, decoded, NFC.
    pub from_name: Option<String>,
    /// Every address the message was sent to, lower-cased: To, Cc, Delivered-To, X-Original-To, Envelope-To (deduplicated, in that order).
    pub recipients: Vec<String>,
    /// Subject decoded (RFC 2047 B and Q encodings, any charset), Unicode NFC, whitespace collapsed.
    pub subject: String,
    /// The new text of the message as plain text, NFC: text/plain preferred, else HTML reduced to safe text; with quoted history, attribution lines ("On ... wrote:", "Vào ... đã viết:", Outlook's "From: ... Sent: ..." block, "-----Original Message-----", Apple Mail's "> " quoting, Gmail's "gmail_quote" div) and signatures ("-- " line, "Sent from my iPhone", "Gửi từ iPhone của tôi", "Get Outlook for Android/iOS" etc.) trimmed.
    pub text: String,
    /// The whole body as plain text (untrimmed), NFC, for staff review.
    pub full_text: String,
    /// Attached files (not inline text parts). An Outlook TNEF `winmail.dat` (application/ms-tnef) is unpacked into the files it carries when it can be; if it cannot, it is dropped and `tnef_dropped` is true.
    pub attachments: Vec<InboundFile>,
    /// A `winmail.dat` could not be unpacked and was dropped.
    pub tnef_dropped: bool,
    /// Why this is automatic mail (never to become a message on a PAKN), if it is.
    pub automatic: Option<Automatic>,
    /// A delivery status notification (RFC 3464), if this is one.
    pub dsn: Option<Dsn>,
}

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundFile {
    /// Decoded file name (RFC 2231 / RFC 2047), as sent; may be empty.
    pub filename: String,
    /// The declared content type, lower-cased (the caller sniffs the bytes itself).
    pub content_type: String,
    /// The decoded content (for a text part: as UTF-8, converted from its charset).
    pub bytes: Vec<u8>,
}

/// Why a message is automatic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// `Auto-Submitted:` other than `no` (RFC 3834).
    AutoSubmitted,
    /// `Precedence: bulk | junk | list | auto_reply`.
    Precedence,
    /// Vacation / out-of-office: `X-Autoreply`, `X-Autorespond`, `X-Auto-Response-Suppress` present with `Auto-Submitted`, Microsoft's `X-MS-Exchange-Inbox-Rules-Loop`, or a subject like "Auto:", "Automatic reply:", "Out of Office", "Trả lời tự động", "Vắng mặt", "Tự động trả lời".
    Vacation,
    /// From `MAILER-DAEMON`/`postmaster`, an empty Return-Path (`<>`), or a DSN.
    MailerDaemon,
    /// `List-Id` or `List-Unsubscribe` present (mailing list traffic).
    List,
}

/// What a bounce says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dsn {
    /// The Message-ID (no angle brackets) of the message that bounced, from the returned `message/rfc822` or `text/rfc822-headers` part.
    pub original_message_id: Option<String>,
    /// One per recipient the report (or `X-Failed-Recipients`) names, in order.
    pub recipients: Vec<DsnRecipient>,
}

/// One recipient of a delivery status notification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DsnRecipient {
    /// From `Final-Recipient` (or `Original-Recipient`), lower-cased, without `rfc822;`.
    pub address: String,
    /// `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lower-cased.
    pub action: String,
    /// The status code, e.g. `5.1.1`.
    pub status: String,
    /// `Diagnostic-Code` text, without the `smtp;` type, if any.
    pub diagnostic: Option<String>,
}

/// Why raw bytes could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a mail message")]
    NotMail,
}

/// Parses one raw RFC 5322 message.
pub fn parse(raw: &[u8]) -> Result<ParsedMail, ParseError> {
    let message = MessageParser::default()
        .parse(raw)
        .filter(looks_like_mail)
        .ok_or(ParseError::NotMail)?;
    let (from, from_name) = sender(&message);
    let subject = subject(&message);
    let dsn = delivery_status(&message, from.as_deref());
    let (text, full_text) = bodies(&message);
    let (attachments, tnef_dropped) = files(&message, dsn.is_some());
    let automatic = automatic(&message, from.as_deref(), &subject, dsn.is_some());
    Ok(ParsedMail {
        message_id: message.message_id().and_then(clean_id),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        from,
        from_name,
        recipients: recipients(&message),
        subject,
        text,
        full_text,
        attachments,
        tnef_dropped,
        automatic,
        dsn,
    })
}

/// The subject decoded, NFC, whitespace collapsed. mail-parser decodes each
/// encoded word alone, so a character split across two words (which some
/// mailers do) comes out as U+FFFD: then the raw header is decoded again
/// with adjacent words of one charset joined before the charset is applied.
fn subject(message: &Message) -> String {
    let decoded = message.subject().unwrap_or("");
    let joined = if decoded.contains('\u{fffd}') {
        raw_headers(message, "subject")
            .first()
            .map(|raw| decode_words(raw))
    } else {
        None
    };
    collapse(&nfc(joined.as_deref().unwrap_or(decoded)))
}

/// One RFC 2047 encoded word found in a header: where it starts and ends,
/// its charset (lower-cased, without a language) and its decoded bytes.
struct EncodedWord {
    start: usize,
    end: usize,
    charset: String,
    bytes: Vec<u8>,
}

/// The first well-formed encoded word at or after `from`.
fn next_encoded_word(raw: &str, from: usize) -> Option<EncodedWord> {
    let mut at = from;
    while let Some(i) = raw.get(at..)?.find("=?") {
        let start = at + i;
        if let Some(word) = encoded_word_at(raw, start) {
            return Some(word);
        }
        at = start + 2;
    }
    None
}

/// The encoded word `=?charset?enc?text?=` starting at `start`, if it is one.
fn encoded_word_at(raw: &str, start: usize) -> Option<EncodedWord> {
    let inner = &raw[start + 2..];
    let (charset, rest) = inner.split_once('?')?;
    let (enc, rest) = rest.split_once('?')?;
    let text = &rest[..rest.find("?=")?];
    if charset.is_empty() || charset.contains(char::is_whitespace) || text.contains(' ') {
        return None;
    }
    let bytes = match enc {
        "B" | "b" => mail_parser::decoders::base64::base64_decode(text.as_bytes())?,
        "Q" | "q" => q_decode(text),
        _ => return None,
    };
    Some(EncodedWord {
        start,
        end: start + 2 + charset.len() + 1 + enc.len() + 1 + text.len() + 2,
        charset: charset.split('*').next().unwrap_or("").to_ascii_lowercase(),
        bytes,
    })
}

/// The Q encoding's text: `_` is a space, `=XX` a byte.
fn q_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'_', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    out
}

fn decode_charset(charset: &str, bytes: &[u8]) -> String {
    match mail_parser::decoders::charsets::map::charset_decoder(charset.as_bytes()) {
        Some(decode) => decode(bytes),
        None => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// Decodes the encoded words of a header, joining the bytes of adjacent
/// words of one charset (only whitespace between them) before decoding.
fn decode_words(raw: &str) -> String {
    let mut out = String::new();
    let mut pending: Option<(String, Vec<u8>)> = None;
    let mut at = 0;
    while let Some(word) = next_encoded_word(raw, at) {
        let between = &raw[at..word.start];
        match pending.take() {
            Some((charset, mut bytes)) if between.trim().is_empty() && charset == word.charset => {
                bytes.extend(word.bytes);
                pending = Some((charset, bytes));
            }
            other => {
                if let Some((charset, bytes)) = other {
                    out.push_str(&decode_charset(&charset, &bytes));
                }
                out.push_str(between);
                pending = Some((word.charset, word.bytes));
            }
        }
        at = word.end;
    }
    if let Some((charset, bytes)) = pending {
        out.push_str(&decode_charset(&charset, &bytes));
    }
    out.push_str(&raw[at..]);
    out
}

/// A message has at least one of the headers every mail carries.
fn looks_like_mail(message: &Message) -> bool {
    const NAMES: &[&str] = &[
        "from",
        "to",
        "subject",
        "message-id",
        "date",
        "received",
        "return-path",
        "sender",
    ];
    message
        .headers()
        .iter()
        .any(|h| NAMES.iter().any(|n| h.name().eq_ignore_ascii_case(n)))
}

fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Runs of whitespace become one space; the ends are trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An id without angle brackets and spaces; None when nothing is left.
fn clean_id(id: &str) -> Option<String> {
    let id = id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    (!id.is_empty()).then(|| id.to_string())
}

/// The ids of In-Reply-To or References, in order.
fn ids(value: &HeaderValue) -> Vec<String> {
    match value {
        HeaderValue::Text(t) => t.split_whitespace().filter_map(clean_id).collect(),
        HeaderValue::TextList(list) => list.iter().filter_map(|t| clean_id(t)).collect(),
        _ => Vec::new(),
    }
}

/// The From address (lower-cased) and display name (NFC, trimmed).
fn sender(message: &Message) -> (Option<String>, Option<String>) {
    let Some(addr) = message.from().and_then(|a| a.first()) else {
        return (None, None);
    };
    let address = addr
        .address()
        .map(|a| a.trim().to_lowercase())
        .filter(|a| !a.is_empty());
    let name = addr
        .name()
        .map(|n| collapse(&nfc(n)))
        .filter(|n| !n.is_empty());
    (address, name)
}

/// The raw values of every header called `name` (any case), unfolded.
fn raw_headers<'m>(message: &'m Message, name: &str) -> Vec<Cow<'m, str>> {
    let raw = message.raw_message();
    message
        .headers()
        .iter()
        .filter(|h| h.name().eq_ignore_ascii_case(name))
        .filter_map(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .map(|bytes| match String::from_utf8_lossy(bytes) {
            Cow::Borrowed(s) if !s.contains(['\r', '\n']) => Cow::Borrowed(s.trim()),
            s => Cow::Owned(s.replace(['\r', '\n'], "").trim().to_string()),
        })
        .collect()
}

fn has_header(message: &Message, name: &str) -> bool {
    message
        .headers()
        .iter()
        .any(|h| h.name().eq_ignore_ascii_case(name))
}

/// To, Cc, Delivered-To, X-Original-To, Envelope-To: lower-cased, each once.
fn recipients(message: &Message) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |a: &str| {
        let a = a
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        let a = a.to_lowercase();
        if a.contains('@') && !out.contains(&a) {
            out.push(a);
        }
    };
    for list in message.all_to().chain(message.all_cc()) {
        for addr in address_list(list) {
            push(addr);
        }
    }
    for name in ["delivered-to", "x-original-to", "envelope-to"] {
        for value in raw_headers(message, name) {
            value.split(',').for_each(&mut push);
        }
    }
    out
}

/// The addresses of a list or of groups.
fn address_list<'a>(address: &'a Address) -> Vec<&'a str> {
    match address {
        Address::List(list) => list.iter().filter_map(|a| a.address()).collect(),
        Address::Group(groups) => groups
            .iter()
            .flat_map(|g| g.addresses.iter().filter_map(|a| a.address()))
            .collect(),
    }
}

/// A part's body as text: format=flowed joined back, NFC.
fn plain_text(part: &MessagePart, text: &str) -> String {
    let ct = part.content_type();
    let attr = |k: &str| ct.and_then(|c| c.attribute(k)).map(str::to_ascii_lowercase);
    let text = if attr("format").as_deref() == Some("flowed") {
        unflow(text, attr("delsp").as_deref() == Some("yes"))
    } else {
        text.replace("\r\n", "\n")
    };
    nfc(&text)
}

/// The new text and the whole text of the body: the text/plain parts when
/// there are any with content, else the HTML parts reduced to text.
fn bodies(message: &Message) -> (String, String) {
    let mut plain = Vec::new();
    let mut html = Vec::new();
    let mut seen = Vec::new();
    for &id in message.text_body.iter().chain(&message.html_body) {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        match message.parts.get(id as usize).map(|p| (p, &p.body)) {
            Some((part, PartType::Text(t))) => plain.push(plain_text(part, t)),
            Some((_, PartType::Html(h))) => html.push(h.as_ref()),
            _ => {}
        }
    }
    let plain = plain.join("\n");
    if !plain.trim().is_empty() || html.is_empty() {
        return (trim_reply(&plain), plain.trim_end().to_string());
    }
    let html = html.join("\n");
    let full = nfc(&html_to_text(&html));
    let new = trim_reply(&nfc(&html_new_text(&html)));
    (new, full)
}

/// The declared type of a part, lower-cased, with a default by body kind.
fn declared_type(part: &MessagePart) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub).to_ascii_lowercase(),
            None => ct.ctype().to_ascii_lowercase(),
        },
        None => match part.body {
            PartType::Text(_) => "text/plain".into(),
            PartType::Html(_) => "text/html".into(),
            PartType::Message(_) => "message/rfc822".into(),
            _ => "application/octet-stream".into(),
        },
    }
}

/// The parts of a bounce that are its report, not files.
fn is_report_part(content_type: &str) -> bool {
    matches!(
        content_type,
        "message/delivery-status"
            | "message/global-delivery-status"
            | "message/rfc822"
            | "message/global"
            | "text/rfc822-headers"
            | "message/global-headers"
    )
}

fn is_tnef(content_type: &str, filename: &str) -> bool {
    matches!(
        content_type,
        "application/ms-tnef" | "application/vnd.ms-tnef"
    ) || filename.eq_ignore_ascii_case("winmail.dat")
}

/// The attached files, TNEF unpacked, and whether a TNEF part was dropped:
/// every binary part (inline images of an HTML body too: a citizen's photo
/// pasted into the text is evidence), every text part sent as an attachment
/// or with a file name, and attached messages (`message/rfc822`). In a bounce
/// the report parts (status, returned message) are no files.
fn files(message: &Message, is_bounce: bool) -> (Vec<InboundFile>, bool) {
    let mut out = Vec::new();
    let mut tnef_dropped = false;
    for &id in &message.attachments {
        let Some(part) = message.parts.get(id as usize) else {
            continue;
        };
        let content_type = declared_type(part);
        let filename = part.attachment_name().unwrap_or("").to_string();
        let is_file = match &part.body {
            PartType::Text(_) | PartType::Html(_) => {
                !filename.is_empty()
                    || part
                        .content_disposition()
                        .is_some_and(|d| d.is_attachment())
            }
            PartType::Binary(_) | PartType::InlineBinary(_) | PartType::Message(_) => true,
            PartType::Multipart(_) => false,
        };
        if !is_file || is_bounce && is_report_part(&content_type) {
            continue;
        }
        if is_tnef(&content_type, &filename) {
            match tnef::unpack(part.contents()) {
                Some(files) => out.extend(files),
                None => tnef_dropped = true,
            }
            continue;
        }
        out.push(InboundFile {
            filename,
            content_type,
            bytes: part.contents().to_vec(),
        });
    }
    (out, tnef_dropped)
}

/// Why the message is automatic, the most telling reason first: a bounce;
/// a vacation reply; `Auto-Submitted`; a null sender (`Return-Path: <>`, which
/// vacation replies have too, hence after them); a list; `Precedence`.
fn automatic(
    message: &Message,
    from: Option<&str>,
    subject: &str,
    is_dsn: bool,
) -> Option<Automatic> {
    let auto_submitted = raw_headers(message, "auto-submitted").iter().any(|v| {
        let kind = v.split(';').next().unwrap_or("").trim();
        !kind.is_empty() && !kind.eq_ignore_ascii_case("no")
    });
    let empty_return_path = raw_headers(message, "return-path")
        .iter()
        .any(|v| v.replace(' ', "") == "<>");
    if is_dsn || from.is_some_and(is_daemon) {
        return Some(Automatic::MailerDaemon);
    }
    let vacation = has_header(message, "x-autoreply")
        || has_header(message, "x-autorespond")
        || has_header(message, "x-ms-exchange-inbox-rules-loop")
        || auto_submitted && has_header(message, "x-auto-response-suppress")
        || is_vacation_subject(subject);
    if vacation {
        return Some(Automatic::Vacation);
    }
    if auto_submitted {
        return Some(Automatic::AutoSubmitted);
    }
    if empty_return_path {
        return Some(Automatic::MailerDaemon);
    }
    if has_header(message, "list-id") || has_header(message, "list-unsubscribe") {
        return Some(Automatic::List);
    }
    let bulk = raw_headers(message, "precedence").iter().any(|v| {
        let v = v.trim().to_ascii_lowercase();
        matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply")
    });
    bulk.then_some(Automatic::Precedence)
}

/// `MAILER-DAEMON@...` or `postmaster@...`.
fn is_daemon(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("");
    local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
}

/// A subject that an out-of-office reply starts with: the phrase, then a
/// separator or nothing, so "Vắng mặt cán bộ tại bộ phận một cửa" (a real
/// complaint about an absent officer) is not taken for one.
fn is_vacation_subject(subject: &str) -> bool {
    const PHRASES: &[&str] = &[
        "auto",
        "automatic reply",
        "autoreply",
        "auto reply",
        "auto-reply",
        "out of office autoreply",
        "out of office",
        "out of the office",
        "trả lời tự động",
        "tự động trả lời",
        "thư trả lời tự động",
        "vắng mặt",
        "vắng mặt khỏi văn phòng",
    ];
    let key = subject.trim().trim_start_matches('[').to_lowercase();
    PHRASES.iter().any(|p| {
        key.strip_prefix(p).is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with([':', '-', '–', ']', '('])
        })
    })
}

/// The delivery status of a bounce: an RFC 3464 report, or the common
/// non-standard bounce from MAILER-DAEMON that only returns the message.
fn delivery_status(message: &Message, from: Option<&str>) -> Option<Dsn> {
    let root_type = message.root_part().content_type();
    let is_report = root_type.is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.eq_ignore_ascii_case("delivery-status"))
    });
    let status_part = message.parts.iter().find(|p| {
        matches!(
            declared_type(p).as_str(),
            "message/delivery-status" | "message/global-delivery-status"
        )
    });
    let original_message_id = returned_message_id(message);
    if let (true, Some(part)) = (is_report, status_part) {
        let text = String::from_utf8_lossy(part.contents());
        return Some(Dsn {
            original_message_id,
            recipients: status_recipients(&text),
        });
    }
    let returns_message = message.parts.iter().any(|p| {
        matches!(
            declared_type(p).as_str(),
            "message/rfc822" | "text/rfc822-headers"
        )
    });
    if !(from.is_some_and(is_daemon) && returns_message) {
        return None;
    }
    Some(Dsn {
        original_message_id,
        recipients: failed_recipients(message),
    })
}

/// The Message-ID of the returned message or headers of a bounce.
fn returned_message_id(message: &Message) -> Option<String> {
    message.parts.iter().find_map(|p| match &p.body {
        PartType::Message(m) => m.message_id().and_then(clean_id),
        PartType::Text(t) if declared_type(p) == "text/rfc822-headers" => MessageParser::default()
            .parse(t.as_bytes())
            .and_then(|m| m.message_id().and_then(clean_id)),
        _ => None,
    })
}

/// The recipients of a bounce without report, from `X-Failed-Recipients`.
fn failed_recipients(message: &Message) -> Vec<DsnRecipient> {
    raw_headers(message, "x-failed-recipients")
        .iter()
        .flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>())
        .map(|a| a.trim().trim_matches(['<', '>']).to_lowercase())
        .filter(|a| !a.is_empty())
        .map(|address| DsnRecipient {
            address,
            action: "failed".into(),
            ..DsnRecipient::default()
        })
        .collect()
}

/// The per-recipient blocks of a `message/delivery-status` body.
fn status_recipients(text: &str) -> Vec<DsnRecipient> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n")
        .map(status_fields)
        .filter_map(|fields| {
            let get = |name: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            let address = get("final-recipient").or_else(|| get("original-recipient"))?;
            Some(DsnRecipient {
                address: after_type(address).trim_matches(['<', '>']).to_lowercase(),
                action: get("action").unwrap_or("").trim().to_lowercase(),
                status: get("status")
                    .and_then(|s| s.split_whitespace().next())
                    .unwrap_or("")
                    .to_string(),
                diagnostic: get("diagnostic-code")
                    .map(|d| after_type(d).to_string())
                    .filter(|d| !d.is_empty()),
            })
        })
        .collect()
}

/// The fields of one block, names lower-cased, folded lines joined.
fn status_fields(block: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            fields.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    for (_, value) in &mut fields {
        *value = collapse(value);
    }
    fields
}

/// The value of a typed field (`rfc822; a@b`, `smtp; 550 ...`) without its
/// type.
fn after_type(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.trim().contains(' ') => rest.trim(),
        _ => value.trim(),
    }
}

/// Outlook's Transport Neutral Encapsulation Format (`winmail.dat`): the
/// files it carries (attachment attributes `attAttachTitle`, `attAttachData`
/// and the MAPI properties of `attAttachment` for the long file name, the
/// MIME type and the data).
pub mod tnef {
    use super::InboundFile;

    const SIGNATURE: u32 = 0x223E_9F78;
    const LEVEL_ATTACHMENT: u8 = 0x02;
    const ATT_ATTACH_REND_DATA: u32 = 0x0006_9002;
    const ATT_ATTACH_TITLE: u32 = 0x0001_8010;
    const ATT_ATTACH_DATA: u32 = 0x0006_800F;
    const ATT_ATTACHMENT: u32 = 0x0006_9005;
    const PR_ATTACH_DATA_BIN: u16 = 0x3701;
    const PR_ATTACH_FILENAME: u16 = 0x3704;
    const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
    const PR_ATTACH_MIME_TAG: u16 = 0x370E;

    /// One attachment being read.
    #[derive(Default)]
    struct Pending {
        title: Option<String>,
        short_name: Option<String>,
        long_name: Option<String>,
        mime: Option<String>,
        data: Option<Vec<u8>>,
    }

    /// A cursor over little-endian bytes.
    struct Reader<'a> {
        data: &'a [u8],
        pos: usize,
    }

    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let end = self.pos.checked_add(n)?;
            let out = self.data.get(self.pos..end)?;
            self.pos = end;
            Some(out)
        }
        fn u16(&mut self) -> Option<u16> {
            self.take(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
        }
        fn u32(&mut self) -> Option<u32> {
            self.take(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }
        fn done(&self) -> bool {
            self.pos >= self.data.len()
        }
    }

    /// The files a TNEF stream carries; None when it is not TNEF or is
    /// damaged (bad signature, truncated, wrong checksum).
    pub fn unpack(data: &[u8]) -> Option<Vec<InboundFile>> {
        let mut r = Reader { data, pos: 0 };
        if r.u32()? != SIGNATURE {
            return None;
        }
        r.u16()?;
        let mut pending: Vec<Pending> = Vec::new();
        while !r.done() {
            let level = *r.take(1)?.first()?;
            let id = r.u32()?;
            let len = usize::try_from(r.u32()?).ok()?;
            let body = r.take(len)?;
            let checksum = r.u16()?;
            let sum = body.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b)));
            if sum != checksum {
                return None;
            }
            if level == LEVEL_ATTACHMENT {
                attachment_attribute(&mut pending, id, body)?;
            }
        }
        Some(pending.into_iter().filter_map(finish).collect())
    }

    fn attachment_attribute(pending: &mut Vec<Pending>, id: u32, body: &[u8]) -> Option<()> {
        if id == ATT_ATTACH_REND_DATA || pending.is_empty() {
            pending.push(Pending::default());
        }
        let current = pending.last_mut()?;
        match id {
            ATT_ATTACH_TITLE => current.title = Some(string8(body)),
            ATT_ATTACH_DATA => current.data = Some(body.to_vec()),
            ATT_ATTACHMENT => mapi_props(body, current)?,
            _ => {}
        }
        Some(())
    }

    fn finish(p: Pending) -> Option<InboundFile> {
        let filename = p.long_name.or(p.title).or(p.short_name).unwrap_or_default();
        Some(InboundFile {
            filename,
            content_type: p
                .mime
                .map(|m| m.to_ascii_lowercase())
                .unwrap_or_else(|| "application/octet-stream".into()),
            bytes: p.data?,
        })
    }

    /// An 8-bit string without its NUL: UTF-8 if it is, else Latin-1.
    fn string8(bytes: &[u8]) -> String {
        let bytes = bytes.split(|&b| b == 0).next().unwrap_or(&[]);
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }

    fn unicode(bytes: &[u8]) -> String {
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    }

    /// Reads a MAPI property list, keeping the properties of a file.
    fn mapi_props(body: &[u8], into: &mut Pending) -> Option<()> {
        let mut r = Reader { data: body, pos: 0 };
        let count = r.u32()?;
        for _ in 0..count {
            let kind = r.u16()?;
            let id = r.u16()?;
            if id >= 0x8000 {
                skip_name(&mut r)?;
            }
            let values = read_values(&mut r, kind)?;
            let Some(value) = values.first() else {
                continue;
            };
            let text = || match kind {
                0x001F => unicode(value),
                _ => string8(value),
            };
            match id {
                PR_ATTACH_LONG_FILENAME => into.long_name = Some(text()),
                PR_ATTACH_FILENAME => into.short_name = Some(text()),
                PR_ATTACH_MIME_TAG => into.mime = Some(text()),
                PR_ATTACH_DATA_BIN if kind == 0x0102 && into.data.is_none() => {
                    into.data = Some(value.to_vec());
                }
                _ => {}
            }
        }
        Some(())
    }

    /// Skips the GUID and name or number of a named property.
    fn skip_name(r: &mut Reader) -> Option<()> {
        r.take(16)?;
        if r.u32()? == 0 {
            r.u32()?;
        } else {
            let len = usize::try_from(r.u32()?).ok()?;
            r.take(len.next_multiple_of(4))?;
        }
        Some(())
    }

    /// The values of one property (one, or several for a multi-valued
    /// type), or None for a type this reader does not know.
    fn read_values<'a>(r: &mut Reader<'a>, kind: u16) -> Option<Vec<&'a [u8]>> {
        let base = kind & !0x1000;
        let multi = kind & 0x1000 != 0;
        let fixed = match base {
            0x0002 | 0x0003 | 0x0004 | 0x000A | 0x000B => Some(4),
            0x0005 | 0x0006 | 0x0007 | 0x0014 | 0x0040 => Some(8),
            0x0048 => Some(16),
            0x000D | 0x001E | 0x001F | 0x0102 => None,
            _ => return None,
        };
        let count = if multi || fixed.is_none() {
            r.u32()?
        } else {
            1
        };
        let mut out = Vec::new();
        for _ in 0..count {
            match fixed {
                Some(n) => out.push(r.take(n)?),
                None => {
                    let len = usize::try_from(r.u32()?).ok()?;
                    let value = r.take(len)?;
                    r.take(len.next_multiple_of(4) - len)?;
                    out.push(value);
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            parse(include_bytes!(concat!(
                "../../../tests/data/inbound/",
                $name
            )))
            .expect(concat!($name, " parses"))
        };
    }

    /// The new text as the HTML alternative gives it, to check that both
    /// routes agree.
    fn html_route(raw: &[u8]) -> String {
        let message = MessageParser::default().parse(raw).expect("parses");
        let html: Vec<&str> = message
            .parts
            .iter()
            .filter_map(|p| match &p.body {
                PartType::Html(h) => Some(h.as_ref()),
                _ => None,
            })
            .collect();
        trim_reply(&nfc(&html_new_text(&html.join("\n"))))
    }

    fn files(mail: &ParsedMail) -> Vec<(&str, &str, usize)> {
        mail.attachments
            .iter()
            .map(|f| (f.filename.as_str(), f.content_type.as_str(), f.bytes.len()))
            .collect()
    }

    fn is_nfc(s: &str) -> bool {
        unicode_normalization::is_nfc(s)
    }

    #[test]
    fn gmail_reply() {
        let raw = include_bytes!("../../../tests/data/inbound/gmail-reply.eml");
        let mail = fixture!("gmail-reply.eml");
        let text = "Kính gửi Sở Nội vụ,\n\n\
            Tôi xin bổ sung thêm thông tin: hồ sơ của tôi nộp ngày 20/11/2026 tại Bộ phận một cửa \
            UBND phường Hải Châu, mã hồ sơ 000.00.12.H56-261120-0042. Đến nay đã quá hạn 5 ngày \
            làm việc nhưng tôi vẫn chưa nhận được kết quả.\n\n\
            Trân trọng,\nNguyễn Văn An";
        assert_eq!(mail.text, text);
        assert_eq!(html_route(raw), text);
        assert!(mail.full_text.contains("> PAKN-2026-001234."));
        assert!(mail.full_text.contains("đã viết:"));
        assert_eq!(
            mail.subject,
            "Re: [PAKN-2026-001234] Đã tiếp nhận phản ánh của ông/bà"
        );
        assert_eq!(
            mail.message_id.as_deref(),
            Some("CAJx8kT3p0Qm7N+Vb2LrWZ4=dXk9sYh1u6aQeF_gT0xPz-Lw@mail.gmail.com")
        );
        assert_eq!(mail.in_reply_to, ["pakn.7f3a9c@so.example.gov.vn"]);
        assert_eq!(mail.references, ["pakn.7f3a9c@so.example.gov.vn"]);
        assert_eq!(mail.from.as_deref(), Some("nguyenvanan.hn@gmail.com"));
        assert_eq!(mail.from_name.as_deref(), Some("Nguyễn Văn An"));
        assert_eq!(mail.recipients, ["pakn@so.example.gov.vn"]);
        assert!(mail.attachments.is_empty());
        assert_eq!(mail.automatic, None);
        assert_eq!(mail.dsn, None);
    }

    #[test]
    fn outlook_reply_in_windows_1258() {
        let raw = include_bytes!("../../../tests/data/inbound/outlook-reply.eml");
        let mail = fixture!("outlook-reply.eml");
        let text = "Kính gửi Sở Nội vụ,\n\n\
            Sở Tài nguyên và Môi trường đã nhận được văn bản chuyển phản ánh. Chúng tôi sẽ kiểm \
            tra hiện trường và trả lời trước ngày 10/12/2026.\n\n\
            Trân trọng.\n\n\
            Trần Thị Bích\nPhòng Quản lý đất đai – Sở TN&MT";
        assert_eq!(mail.text, text);
        assert_eq!(html_route(raw), text);
        assert!(is_nfc(&mail.text) && is_nfc(&mail.full_text) && is_nfc(&mail.subject));
        assert!(
            mail.full_text
                .contains("Sent: Thursday, December 3, 2026 10:15 AM")
        );
        assert_eq!(mail.subject, "RE: [PAKN-2026-001234] Chuyển xử lý phản ánh");
        assert_eq!(
            mail.message_id.as_deref(),
            Some("000001db4561$2a3b4c50$7eb1e4f0$@stnmt.example.gov.vn")
        );
        assert_eq!(mail.in_reply_to, ["pakn.8b21e4@so.example.gov.vn"]);
        assert_eq!(mail.from.as_deref(), Some("ttbich@stnmt.example.gov.vn"));
        assert_eq!(mail.from_name.as_deref(), Some("Trần Thị Bích"));
        assert_eq!(
            mail.recipients,
            ["pakn@so.example.gov.vn", "nvhung@stnmt.example.gov.vn"]
        );
        assert_eq!(mail.automatic, None);
    }

    #[test]
    fn thunderbird_flowed_reply_below_the_quote() {
        let mail = fixture!("thunderbird-reply.eml");
        assert_eq!(
            mail.text,
            "Kính gửi Sở Nội vụ,\n\n\
             Tôi xin gửi bổ sung thông tin về thửa đất theo yêu cầu: thửa đất số 125, tờ bản đồ \
             số 08, phường Hải Châu, đã được cấp giấy chứng nhận năm 2015. Bản chụp giấy chứng \
             nhận tôi sẽ nộp trực tiếp tại Bộ phận một cửa.\n\n\
             Xin cảm ơn."
        );
        assert!(mail.full_text.contains(
            "> Đề nghị bà bổ sung bản chụp giấy chứng nhận quyền sử dụng đất để Sở có căn cứ"
        ));
        assert!(mail.full_text.contains("-- \nLê Thị Hoa"));
        assert_eq!(
            mail.subject,
            "Re: [PAKN-2026-001234] Yêu cầu bổ sung thông tin"
        );
        assert_eq!(
            mail.references,
            [
                "pakn.7f3a9c@so.example.gov.vn",
                "pakn.c41d07@so.example.gov.vn"
            ]
        );
        assert_eq!(mail.in_reply_to, ["pakn.c41d07@so.example.gov.vn"]);
        assert_eq!(mail.from.as_deref(), Some("hoa.le@vnpt.example.vn"));
        assert_eq!(mail.from_name.as_deref(), Some("Lê Thị Hoa"));
        assert_eq!(mail.recipients, ["pakn@so.example.gov.vn"]);
    }

    #[test]
    fn apple_mail_reply_from_iphone() {
        let raw = include_bytes!("../../../tests/data/inbound/apple-mail-reply.eml");
        let mail = fixture!("apple-mail-reply.eml");
        let text = "Cảm ơn Sở đã giải quyết. Tôi đồng ý với kết quả và không có ý kiến gì thêm.";
        assert_eq!(mail.text, text);
        assert_eq!(html_route(raw), text);
        assert!(mail.full_text.contains("Gửi từ iPhone của tôi"));
        assert_eq!(
            mail.subject,
            "Re: [PAKN-2026-001234] Kết quả giải quyết phản ánh"
        );
        assert_eq!(
            mail.message_id.as_deref(),
            Some("9C1E7B2A-4D3F-4A8B-B6E5-2F1D0C9A8E7B@icloud.com")
        );
        assert_eq!(mail.in_reply_to, ["pakn.d92f5a@so.example.gov.vn"]);
        assert_eq!(mail.from_name.as_deref(), Some("Phạm Minh Tuấn"));
        assert_eq!(mail.automatic, None);
    }

    #[test]
    fn outlook_mobile_html_only_reply() {
        let mail = fixture!("outlook-mobile-reply.eml");
        assert_eq!(
            mail.text,
            "Tôi đã nhận được kết quả. Tuy nhiên đến nay công trình vẫn chưa bị tháo dỡ, đề nghị \
             Sở tiếp tục theo dõi."
        );
        assert!(
            mail.full_text
                .contains("Get Outlook for Android (https://aka.ms/AAb9ysg)")
        );
        assert!(mail.full_text.contains(
            "From: Sở Nội vụ tỉnh <pakn@so.example.gov.vn>\nSent: Thursday, December 3, 2026"
        ));
        assert!(mail.full_text.ends_with(
            "Kính gửi ông Trương Công Vinh,\n\
             UBND phường đã lập biên bản và yêu cầu tháo dỡ công trình vi phạm.\nSở Nội vụ tỉnh"
        ));
        assert_eq!(
            mail.subject,
            "Re: [PAKN-2026-001234] Kết quả giải quyết phản ánh"
        );
        assert_eq!(mail.from_name.as_deref(), Some("Trương Công Vinh"));
        assert_eq!(mail.in_reply_to, ["pakn.d92f5a@so.example.gov.vn"]);
        assert_eq!(mail.automatic, None);
    }

    #[test]
    fn subject_in_b_encoded_words() {
        let mail = fixture!("subject-b.eml");
        assert_eq!(
            mail.subject,
            "Phản ánh việc chậm trả kết quả hồ sơ đất đai tại UBND phường Hải Châu"
        );
        assert_eq!(mail.from_name.as_deref(), Some("Nguyễn Thị Mai"));
        assert_eq!(mail.from.as_deref(), Some("nguyenthimai_dn@yahoo.com.vn"));
        assert_eq!(
            mail.text,
            "Kính gửi Sở Nội vụ,\n\n\
             Tôi phản ánh việc UBND phường Hải Châu chậm trả kết quả hồ sơ đăng ký biến động đất \
             đai.\n\nNguyễn Thị Mai"
        );
        assert!(mail.in_reply_to.is_empty() && mail.references.is_empty());
    }

    #[test]
    fn subject_in_q_encoded_words() {
        let mail = fixture!("subject-q.eml");
        assert_eq!(
            mail.subject,
            "Kiến nghị về niêm yết công khai thủ tục hành chính tại xã Hòa Vang"
        );
        assert_eq!(mail.from_name.as_deref(), Some("Võ Thành Đạt"));
        assert_eq!(
            mail.recipients,
            ["pakn@so.example.gov.vn", "vanthu@hoavang.example.gov.vn"]
        );
        assert!(mail.text.ends_with("Trân trọng,\nVõ Thành Đạt"));
        assert_eq!(mail.automatic, None);
    }

    #[test]
    fn nested_multipart_with_inline_image_and_pdf() {
        let raw = include_bytes!("../../../tests/data/inbound/nested-multipart.eml");
        let mail = fixture!("nested-multipart.eml");
        let text = "Kính gửi Sở Nội vụ,\n\n\
            Phòng Quản lý đất đai gửi kèm biên bản xác minh hiện trường phản ánh \
            PAKN-2026-001234 (ảnh chụp hiện trường ở dưới).\n\n\
            Trân trọng.\nTrần Thị Bích";
        assert_eq!(mail.text, text);
        assert_eq!(html_route(raw), text);
        assert_eq!(
            files(&mail),
            [
                ("image001.png", "image/png", 69),
                ("Biên bản xác minh hiện trường.pdf", "application/pdf", 218),
            ]
        );
        assert!(mail.attachments[1].bytes.starts_with(b"%PDF-1.4"));
        assert!(mail.attachments[0].bytes.starts_with(b"\x89PNG"));
        assert_eq!(
            mail.references,
            [
                "pakn.8b21e4@so.example.gov.vn",
                "000001db4561$2a3b4c50$7eb1e4f0$@stnmt.example.gov.vn"
            ]
        );
        assert_eq!(
            mail.subject,
            "RE: [PAKN-2026-001234] Biên bản xác minh hiện trường"
        );
    }

    #[test]
    fn outlook_winmail_dat_is_unpacked() {
        let mail = fixture!("outlook-winmail.eml");
        assert_eq!(files(&mail), [("Danh sách hộ dân.csv", "text/csv", 141)]);
        assert!(!mail.tnef_dropped);
        let csv = String::from_utf8(mail.attachments[0].bytes.clone()).expect("utf-8");
        assert!(csv.starts_with("STT;Họ và tên;Địa chỉ\r\n1;Nguyễn Văn An;"));
        assert_eq!(
            mail.text,
            "Kính gửi Sở Nội vụ,\n\n\
             UBND phường Hòa Khánh Bắc gửi danh sách các hộ dân liên quan đến phản ánh \
             PAKN-2026-001234.\n\n\
             Trân trọng,\nHoàng Văn Sơn\nVăn phòng UBND phường Hòa Khánh Bắc"
        );
        assert_eq!(mail.subject, "[PAKN-2026-001234] Danh sách hộ dân");
        assert_eq!(mail.from_name.as_deref(), Some("Hoàng Văn Sơn"));
    }

    #[test]
    fn a_damaged_winmail_dat_is_dropped() {
        let raw = String::from_utf8_lossy(include_bytes!(
            "../../../tests/data/inbound/outlook-winmail.eml"
        ))
        .replace("\r\neJ8+", "\r\nAAAA");
        let mail = parse(raw.as_bytes()).expect("parses");
        assert!(mail.attachments.is_empty());
        assert!(mail.tnef_dropped);
    }

    #[test]
    fn postfix_dsn() {
        let mail = fixture!("dsn-bounce.eml");
        assert_eq!(mail.automatic, Some(Automatic::MailerDaemon));
        let dsn = mail.dsn.expect("a DSN");
        assert_eq!(
            dsn.original_message_id.as_deref(),
            Some("pakn.abc123@so.example.gov.vn")
        );
        assert_eq!(
            dsn.recipients,
            [DsnRecipient {
                address: "nguyenvanan.sai@gmail.com".into(),
                action: "failed".into(),
                status: "5.1.1".into(),
                diagnostic: Some(
                    "550-5.1.1 The email account that you tried to reach does not exist. \
                     Please try 550-5.1.1 double-checking the recipient's email address for \
                     typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 \
                     5.1.1 https://support.google.com/mail/?p=NoSuchUser \
                     41be03b00d2f7-2e2a1b3c4d5si123456a.12 - gsmtp"
                        .into()
                ),
            }]
        );
        assert!(mail.attachments.is_empty());
        assert_eq!(mail.recipients, ["pakn-bounces@so.example.gov.vn"]);
        assert_eq!(
            mail.from.as_deref(),
            Some("mailer-daemon@mail.so.example.gov.vn")
        );
    }

    #[test]
    fn bounce_without_report() {
        let mail = fixture!("nonstandard-bounce.eml");
        assert_eq!(mail.automatic, Some(Automatic::MailerDaemon));
        let dsn = mail.dsn.expect("a bounce");
        assert_eq!(
            dsn.original_message_id.as_deref(),
            Some("pakn.d4e5f6@so.example.gov.vn")
        );
        let failed: Vec<(&str, &str)> = dsn
            .recipients
            .iter()
            .map(|r| (r.address.as_str(), r.action.as_str()))
            .collect();
        assert_eq!(
            failed,
            [
                ("thuky@hoavang.example.gov.vn", "failed"),
                ("vanthu2@hoavang.example.gov.vn", "failed")
            ]
        );
        assert!(mail.attachments.is_empty());
    }

    #[test]
    fn zimbra_vacation_reply() {
        let mail = fixture!("vacation-reply.eml");
        assert_eq!(mail.automatic, Some(Automatic::Vacation));
        assert_eq!(
            mail.subject,
            "Trả lời tự động: [PAKN-2026-001240] Chuyển xử lý phản ánh"
        );
        assert_eq!(mail.in_reply_to, ["pakn.f1a2b3@so.example.gov.vn"]);
        assert_eq!(mail.dsn, None);
    }

    #[test]
    fn outlook_out_of_office() {
        let mail = fixture!("outlook-ooo.eml");
        assert_eq!(mail.automatic, Some(Automatic::Vacation));
        assert_eq!(
            mail.subject,
            "Automatic reply: [PAKN-2026-001241] Chuyển xử lý phản ánh"
        );
        assert_eq!(mail.from_name.as_deref(), Some("Bùi Thị Thu"));
        assert!(mail.text.starts_with("Cảm ơn anh/chị đã gửi thư."));
    }

    #[test]
    fn new_intake_with_a_photo() {
        let raw = include_bytes!("../../../tests/data/inbound/new-intake.eml");
        let mail = fixture!("new-intake.eml");
        assert_eq!(
            mail.subject,
            "Phản ánh việc thu phí ngoài quy định tại UBND phường Thanh Khê Đông"
        );
        assert!(mail.text.starts_with(
            "Kính gửi Sở Nội vụ tỉnh,\n\nTôi tên là Đặng Thị Thu Hà, trú tại tổ 12, phường Thanh \
             Khê Đông.\n\nNgày 25/11/2026"
        ));
        assert!(mail.text.contains("phí \"dịch vụ nhanh\" 200.000 đồng"));
        assert!(mail.text.ends_with("Trân trọng,\nĐặng Thị Thu Hà"));
        assert_eq!(mail.text, mail.full_text);
        assert_eq!(html_route(raw), mail.text);
        assert_eq!(
            files(&mail),
            [("ảnh bảng niêm yết lệ phí.jpg", "image/jpeg", 332)]
        );
        assert!(mail.attachments[0].bytes.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert_eq!(mail.from.as_deref(), Some("thuha.dang1990@gmail.com"));
        assert_eq!(
            mail.recipients,
            ["pakn@so.example.gov.vn", "hadang.work@gmail.com"]
        );
        assert!(mail.in_reply_to.is_empty());
        assert_eq!(mail.automatic, None);
        assert_eq!(mail.dsn, None);
    }

    #[test]
    fn every_fixture_is_nfc() {
        let all: [&[u8]; 14] = [
            include_bytes!("../../../tests/data/inbound/outlook-mobile-reply.eml"),
            include_bytes!("../../../tests/data/inbound/gmail-reply.eml"),
            include_bytes!("../../../tests/data/inbound/outlook-reply.eml"),
            include_bytes!("../../../tests/data/inbound/thunderbird-reply.eml"),
            include_bytes!("../../../tests/data/inbound/apple-mail-reply.eml"),
            include_bytes!("../../../tests/data/inbound/subject-b.eml"),
            include_bytes!("../../../tests/data/inbound/subject-q.eml"),
            include_bytes!("../../../tests/data/inbound/nested-multipart.eml"),
            include_bytes!("../../../tests/data/inbound/outlook-winmail.eml"),
            include_bytes!("../../../tests/data/inbound/dsn-bounce.eml"),
            include_bytes!("../../../tests/data/inbound/nonstandard-bounce.eml"),
            include_bytes!("../../../tests/data/inbound/vacation-reply.eml"),
            include_bytes!("../../../tests/data/inbound/outlook-ooo.eml"),
            include_bytes!("../../../tests/data/inbound/new-intake.eml"),
        ];
        for raw in all {
            let mail = parse(raw).expect("parses");
            assert!(is_nfc(&mail.subject) && is_nfc(&mail.text) && is_nfc(&mail.full_text));
            assert!(!mail.text.is_empty() && mail.message_id.is_some());
        }
    }

    /// A minimal message with the given extra headers and body.
    fn mail(headers: &str, body: &str) -> ParsedMail {
        let raw = format!(
            "From: Công dân <congdan@example.vn>\r\nTo: pakn@so.example.gov.vn\r\n\
             Subject: Phản ánh\r\nMessage-ID: <m1@example.vn>\r\n{headers}\r\n{body}"
        );
        parse(raw.as_bytes()).expect("parses")
    }

    #[test]
    fn not_mail() {
        assert!(matches!(parse(b""), Err(ParseError::NotMail)));
        assert!(matches!(
            parse(b"\x00\x01\x02 binary \xff\xfe"),
            Err(ParseError::NotMail)
        ));
        assert!(matches!(
            parse("Xin chào, đây không phải là thư.".as_bytes()),
            Err(ParseError::NotMail)
        ));
    }

    #[test]
    fn automatic_kinds() {
        let kind = |headers: &str| mail(headers, "Nội dung.").automatic;
        assert_eq!(kind(""), None);
        assert_eq!(kind("Auto-Submitted: no\r\n"), None);
        assert_eq!(
            kind("Auto-Submitted: auto-generated\r\n"),
            Some(Automatic::AutoSubmitted)
        );
        assert_eq!(
            kind("Auto-Submitted: auto-replied\r\nX-Auto-Response-Suppress: All\r\n"),
            Some(Automatic::Vacation)
        );
        assert_eq!(kind("X-Auto-Response-Suppress: All\r\n"), None);
        assert_eq!(kind("X-Autoreply: yes\r\n"), Some(Automatic::Vacation));
        assert_eq!(kind("X-Autorespond: yes\r\n"), Some(Automatic::Vacation));
        assert_eq!(
            kind("X-MS-Exchange-Inbox-Rules-Loop: ttbich@stnmt.example.gov.vn\r\n"),
            Some(Automatic::Vacation)
        );
        assert_eq!(kind("Precedence: bulk\r\n"), Some(Automatic::Precedence));
        assert_eq!(kind("Precedence: junk\r\n"), Some(Automatic::Precedence));
        assert_eq!(
            kind("Precedence: auto_reply\r\n"),
            Some(Automatic::Precedence)
        );
        assert_eq!(kind("Precedence: first-class\r\n"), None);
        assert_eq!(
            kind("List-Id: Tin tuc <tintuc.example.vn>\r\nPrecedence: list\r\n"),
            Some(Automatic::List)
        );
        assert_eq!(
            kind("List-Unsubscribe: <mailto:leave@example.vn>\r\n"),
            Some(Automatic::List)
        );
        assert_eq!(kind("Return-Path: <>\r\n"), Some(Automatic::MailerDaemon));
        assert_eq!(kind("Return-Path: <congdan@example.vn>\r\n"), None);
        let from_postmaster = parse(
            b"From: postmaster@example.vn\r\nTo: pakn@so.example.gov.vn\r\nSubject: x\r\n\r\nx",
        )
        .expect("parses");
        assert_eq!(from_postmaster.automatic, Some(Automatic::MailerDaemon));
        assert_eq!(from_postmaster.dsn, None);
    }

    #[test]
    fn vacation_subjects() {
        for subject in [
            "Auto: [PAKN-2026-001234] Chuyển xử lý",
            "Automatic reply: Chuyển xử lý",
            "Out of Office: Chuyển xử lý",
            "Out of Office AutoReply: Chuyển xử lý",
            "Trả lời tự động: Chuyển xử lý",
            "Tự động trả lời: Chuyển xử lý",
            "TRẢ LỜI TỰ ĐỘNG - đang nghỉ phép",
            "Vắng mặt: Chuyển xử lý",
            "[Vắng mặt] đến 07/12",
        ] {
            assert!(is_vacation_subject(subject), "{subject}");
        }
        for subject in [
            "Vắng mặt cán bộ tại bộ phận một cửa",
            "Automatic phản hồi chậm",
            "Re: Trả lời tự động không đúng nội dung phản ánh",
            "Autocad bản vẽ",
            "Phản ánh",
        ] {
            assert!(!is_vacation_subject(subject), "{subject}");
        }
    }

    #[test]
    fn recipients_in_order_without_duplicates() {
        let raw = "Delivered-To: PAKN@so.example.gov.vn\r\n\
            Delivered-To: pakn+ticket-42@so.example.gov.vn\r\n\
            X-Original-To: <alias@so.example.gov.vn>\r\n\
            Envelope-To: envelope@so.example.gov.vn, pakn@so.example.gov.vn\r\n\
            From: a@example.vn\r\n\
            To: Phòng một cửa: vanthu@so.example.gov.vn, \"Lãnh đạo\" <LanhDao@so.example.gov.vn>;,\r\n \
            pakn@so.example.gov.vn\r\n\
            Cc: =?utf-8?B?U+G7nyBO4buZaSB24bul?= <cc@so.example.gov.vn>\r\n\
            Subject: x\r\n\r\nx";
        let parsed = parse(raw.as_bytes()).expect("parses");
        assert_eq!(
            parsed.recipients,
            [
                "vanthu@so.example.gov.vn",
                "lanhdao@so.example.gov.vn",
                "pakn@so.example.gov.vn",
                "cc@so.example.gov.vn",
                "pakn+ticket-42@so.example.gov.vn",
                "alias@so.example.gov.vn",
                "envelope@so.example.gov.vn",
            ]
        );
    }

    #[test]
    fn subjects_in_any_charset() {
        let subject = |raw: &str| {
            parse(format!("From: a@example.vn\r\nSubject: {raw}\r\n\r\nx").as_bytes())
                .expect("parses")
                .subject
        };
        // windows-1258 with combining tone marks, in Q words.
        assert_eq!(
            subject(
                "=?windows-1258?Q?Chuy=EA=D2n_x=FD=D2_ly=EC?=\r\n =?windows-1258?Q?_pha=D2n_=E1nh?="
            ),
            "Chuyển xử lý phản ánh"
        );
        // decomposed UTF-8 (as macOS writes) becomes NFC.
        assert_eq!(subject("=?utf-8?B?UGhhzIluIGHMgW5o?="), "Phản ánh");
        // raw UTF-8 (RFC 6532), tabs and folding collapse.
        assert_eq!(subject("Phản\tánh \r\n  việc   chậm"), "Phản ánh việc chậm");
        // mixed plain and encoded words keep the space between them.
        assert_eq!(
            subject("Re: =?utf-8?Q?Ph=E1=BA=A3n_=C3=A1nh?= PAKN-2026-001234"),
            "Re: Phản ánh PAKN-2026-001234"
        );
        assert_eq!(subject(""), "");
        // a character split across two B words (some mailers do it).
        assert_eq!(
            subject("=?UTF-8?B?UGjhug==?=\r\n =?UTF-8?B?o24gw6FuaA==?= =?utf-8?q?_vi=E1=BB=87c?="),
            "Phản ánh việc"
        );
        // and across Q words, with text around them.
        assert_eq!(
            subject("[PAKN] =?utf-8?q?Ph=E1?= =?utf-8?q?=BA=A3n_=C3=A1nh?= (=?x-unknown?q?a?=)"),
            "[PAKN] Phản ánh (a)"
        );
        // RFC 2231 language in the charset, and a split character.
        assert_eq!(
            subject("=?UTF-8*vi?Q?Ph=E1=BA?= =?utf-8?Q?=A3n?= =?bad"),
            "Phản =?bad"
        );
    }

    #[test]
    fn html_only_mail() {
        let parsed = mail(
            "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n",
            "<html><body><div>Tôi đồng ý.</div><div>Nguyễn Văn An</div>\
             <div class=\"gmail_quote\">Vào Th 5 lúc 10:15 Sở đã viết:<blockquote>Cũ</blockquote></div>\
             </body></html>",
        );
        assert_eq!(parsed.text, "Tôi đồng ý.\nNguyễn Văn An");
        assert_eq!(
            parsed.full_text,
            "Tôi đồng ý.\nNguyễn Văn An\nVào Th 5 lúc 10:15 Sở đã viết:\nCũ"
        );
        assert!(parsed.attachments.is_empty());
    }

    #[test]
    fn ids_without_brackets() {
        let parsed = mail(
            "In-Reply-To: <a@x.vn> <b@x.vn>\r\nReferences: <r1@x.vn>\r\n\t<r2@x.vn> <a@x.vn>\r\n",
            "x",
        );
        assert_eq!(parsed.message_id.as_deref(), Some("m1@example.vn"));
        assert_eq!(parsed.in_reply_to, ["a@x.vn", "b@x.vn"]);
        assert_eq!(parsed.references, ["r1@x.vn", "r2@x.vn", "a@x.vn"]);
        let none = parse(b"From: a@example.vn\r\nSubject: x\r\n\r\nx").expect("parses");
        assert_eq!(none.message_id, None);
        assert_eq!(none.from_name, None);
    }

    #[test]
    fn text_and_message_attachments() {
        let body = "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXem tệp đính kèm.\r\n\
            --b\r\nContent-Type: text/plain; charset=utf-8\r\n\
            Content-Disposition: attachment; filename*=utf-8''ghi%20ch%C3%BA.txt\r\n\r\nGhi chú.\r\n\
            --b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.vn\r\nSubject: cũ\r\n\r\nThư cũ.\r\n\
            --b--\r\n";
        let parsed = mail(
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n",
            body,
        );
        assert_eq!(parsed.text, "Xem tệp đính kèm.");
        let names: Vec<(&str, &str)> = parsed
            .attachments
            .iter()
            .map(|f| (f.filename.as_str(), f.content_type.as_str()))
            .collect();
        assert_eq!(
            names,
            [("ghi chú.txt", "text/plain"), ("", "message/rfc822")]
        );
        assert_eq!(parsed.attachments[0].bytes, "Ghi chú.".as_bytes());
        assert_eq!(parsed.dsn, None);
    }

    #[test]
    fn tnef_reader_rejects_garbage() {
        assert_eq!(tnef::unpack(b""), None);
        assert_eq!(tnef::unpack(b"\x78\x9f\x3e\x22\x01\x00\x02\x0f\x80"), None);
        assert_eq!(tnef::unpack(b"\x78\x9f\x3e\x22\x01\x00"), Some(Vec::new()));
    }

    #[test]
    fn truncated_and_garbled_input_never_panics() {
        let fixtures: [&[u8]; 4] = [
            include_bytes!("../../../tests/data/inbound/outlook-reply.eml"),
            include_bytes!("../../../tests/data/inbound/outlook-winmail.eml"),
            include_bytes!("../../../tests/data/inbound/dsn-bounce.eml"),
            include_bytes!("../../../tests/data/inbound/outlook-mobile-reply.eml"),
        ];
        let mut seed: u32 = 0x2026_1203;
        for raw in fixtures {
            for cut in (0..raw.len()).step_by(41) {
                let _ = parse(&raw[..cut]);
                let mut garbled = raw.to_vec();
                for _ in 0..8 {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    let at = (seed as usize >> 8) % garbled.len();
                    garbled[at] = (seed >> 24) as u8;
                }
                let _ = parse(&garbled);
            }
        }
    }

    #[test]
    fn damaged_tnef_never_panics() {
        let raw = include_bytes!("../../../tests/data/inbound/outlook-winmail.eml");
        let message = MessageParser::default().parse(raw).expect("parses");
        let part = message
            .parts
            .iter()
            .find(|p| declared_type(p) == "application/ms-tnef")
            .expect("a TNEF part");
        let data = part.contents();
        assert_eq!(tnef::unpack(data).map(|f| f.len()), Some(1));
        let mut seed: u32 = 7;
        for cut in 0..data.len() {
            let _ = tnef::unpack(&data[..cut]);
            let mut garbled = data.to_vec();
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            garbled[cut] = (seed >> 24) as u8;
            let _ = tnef::unpack(&garbled);
        }
    }
}
