//! A new PAKN sent by email to the intake address (issue 16). It is not a PAKN yet: it
//! waits "chờ hoàn thiện" ([`receive`]) until staff complete what Điều 7 requires and
//! [`accept`] it (filed with [`super::filing::file`], channel `email`, received when the
//! mail was), or mark it as [`spam`]. Its sender gets one acknowledgement listing what
//! is missing; a reply to that acknowledgement joins the same waiting item (or, once
//! it is accepted, is the citizen's message on the PAKN).

use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::filing::{self, FilingMeta, FilingOutcome};
use super::inbound::reply;
use super::inbound::route::Target;
use super::inbound::{Desk, ended, held};
use super::{Context, HandlingError};
use crate::config::Config;
use crate::db::audit::{self, AuditEntry};
use crate::db::inbound::{Finish, InboundRow};
use crate::db::intake::{self as data, Item, NewItem};
use crate::domain::access::Access;
use crate::domain::attachment::{self, CheckedFile};
use crate::domain::calendar::format_datetime;
use crate::domain::feedback::{Channel, ValidFeedback};
use crate::domain::inbound::{InboundOutcome, InboundState};
use crate::domain::intake::{IntakeState, Missing, find_phone, missing};
use crate::domain::reply_token::Audience;
use crate::i18n::{Lang, Tr};
use crate::mail::inbound::parse::{self, ParsedMail};
use crate::mail::{self, OutgoingMail};

/// The kind of outbox row of the acknowledgement (its Reply-To is the intake address).
pub use crate::mail::reply_address::KIND_INTAKE_ACK;

/// The longest subject kept (characters).
const MAX_SUBJECT_CHARS: usize = 500;

/// Takes a new PAKN sent by email: a reply to an acknowledgement joins its waiting item;
/// anything else becomes a new waiting item and its sender is acknowledged once.
pub async fn receive(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    row: &InboundRow,
    parsed: &ParsedMail,
) -> Result<Finish, HandlingError> {
    let Some(from) = parsed.from.as_deref() else {
        return Ok(held(InboundOutcome::UnknownSender));
    };
    let text = text_of(parsed);
    if text.is_empty() && parsed.subject.trim().is_empty() && parsed.attachments.is_empty() {
        return Ok(held(InboundOutcome::Empty));
    }
    match answered_item(conn, desk, parsed, from).await? {
        Some(item) if item.state == IntakeState::Waiting => {
            append_reply(conn, desk, row, parsed, &item, &text).await?;
            return Ok(ended(InboundState::Done, InboundOutcome::Intake));
        }
        // Accepted since: the reply is the citizen's message on the PAKN.
        Some(Item {
            ticket_id: Some(ticket_id),
            ..
        }) => {
            let target = Target {
                ticket_id,
                audience: Some(Audience::Citizen),
            };
            return reply::apply(conn, desk, parsed, target).await;
        }
        _ => {}
    }
    let found = find_phone(&format!("{}\n{text}", parsed.subject));
    let name = display_name(parsed);
    let subject: String = parsed
        .subject
        .trim()
        .chars()
        .take(MAX_SUBJECT_CHARS)
        .collect();
    let item = NewItem {
        inbound_id: row.id,
        received_at: row.received_at,
        sender_email: from,
        sender_name: name.as_deref(),
        subject: &subject,
        body: &text,
        found_phone: found.as_ref().map(|p| p.as_str()),
        state: IntakeState::Waiting,
    };
    let id = data::insert(conn, &item).await?;
    let lacks = missing(name.as_deref(), item.found_phone);
    let outbox_id = acknowledge(conn, desk, from, &subject, row, &lacks).await?;
    data::set_ack(conn, id, outbox_id).await?;
    Ok(ended(InboundState::Done, InboundOutcome::Intake))
}

/// The text of the mail: the new part, else the whole text.
fn text_of(parsed: &ParsedMail) -> String {
    let text = parsed.text.trim();
    if text.is_empty() {
        parsed.full_text.trim().to_string()
    } else {
        text.to_string()
    }
}

/// The From display name, when it is a name and not the address again.
fn display_name(parsed: &ParsedMail) -> Option<String> {
    let name = parsed.from_name.as_deref()?.trim().trim_matches('"').trim();
    let is_address = name.contains('@');
    (!name.is_empty() && !is_address).then(|| name.to_string())
}

/// The item whose acknowledgement this mail answers, when it is from the same address (the acknowledgement's Message-ID is in `In-Reply-To` or `References`).
async fn answered_item(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    parsed: &ParsedMail,
    from: &str,
) -> Result<Option<Item>, HandlingError> {
    let keys: Vec<String> = parsed
        .in_reply_to
        .iter()
        .chain(parsed.references.iter())
        .filter_map(|id| {
            let id = id.trim().trim_start_matches('<').trim_end_matches('>');
            let (left, domain) = id.rsplit_once('@')?;
            domain
                .eq_ignore_ascii_case(&desk.message_domain)
                .then(|| left.to_string())
        })
        .collect();
    let item = data::by_ack(conn, &keys).await?;
    Ok(item.filter(|i| i.sender_email.eq_ignore_ascii_case(from)))
}

/// Adds a reply's text to its waiting item (no second acknowledgement).
async fn append_reply(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    row: &InboundRow,
    parsed: &ParsedMail,
    item: &Item,
    text: &str,
) -> Result<(), HandlingError> {
    let when = format_datetime(row.received_at);
    let body = format!("{}\n\n---- {when} ----\n{text}", item.body);
    let phone = item
        .found_phone
        .clone()
        .or_else(|| find_phone(text).map(|p| p.as_str().to_string()));
    let name = item.sender_name.clone().or_else(|| display_name(parsed));
    let change = data::Appended {
        inbound_id: row.id,
        body: &body,
        found_phone: phone.as_deref(),
        sender_name: name.as_deref(),
    };
    data::append(conn, item.id, &change, desk.ctx.now).await?;
    Ok(())
}

/// One language's part of the acknowledgement.
fn ack_part(t: &Tr, desk: &Desk<'_>, subject: &str, row: &InboundRow, lacks: &[Missing]) -> String {
    let url = format!(
        "{}/feedback/new",
        desk.ctx.cfg.server.public_url.trim_end_matches('/')
    );
    let when = format_datetime(row.received_at);
    let lines: Vec<String> = lacks
        .iter()
        .map(|m| format!("  - {}", t.t(m.message_id())))
        .collect();
    format!(
        "{}\n\n{}\n{}\n\n{}\n\n{}\n\n{}",
        t.t2(
            "intake-ack-received",
            "subject",
            subject.to_string(),
            "when",
            when
        ),
        t.t("intake-ack-not-yet"),
        lines.join("\n"),
        t.t("intake-ack-email-known"),
        t.t1("intake-ack-how", "url", url),
        t.t("intake-ack-next"),
    )
}

/// Queues the acknowledgement, in Vietnamese then English (the sender's language is
/// unknown); returns its outbox id.
async fn acknowledge(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    to: &str,
    subject: &str,
    row: &InboundRow,
    lacks: &[Missing],
) -> Result<i64, HandlingError> {
    let (vi, en) = (Tr::new(Lang::Vi), Tr::new(Lang::En));
    let mail = OutgoingMail {
        kind: KIND_INTAKE_ACK.into(),
        ticket_id: None,
        to: vec![to.to_string()],
        cc: Vec::new(),
        lang: Lang::Vi.code().into(),
        subject: format!(
            "{} / {}",
            vi.t("intake-ack-subject"),
            en.t("intake-ack-subject")
        ),
        body_text: format!(
            "{}\n\n----\n\n{}\n",
            ack_part(&vi, desk, subject, row, lacks),
            ack_part(&en, desk, subject, row, lacks)
        ),
        body_html: None,
        attachment_ids: Vec::new(),
    };
    Ok(mail::enqueue(conn, mail).await?)
}

/// Why staff's decision on an item was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error("no such item")]
    NotFound,
    #[error("not allowed")]
    NotAllowed,
    /// Staff decided on it already: accepted (as this ticket code) or spam.
    #[error("already decided")]
    Decided(IntakeState, Option<String>),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0:#}")]
    Failed(#[from] anyhow::Error),
}

/// One attachment of an item's mails, and the file the filing keeps of it.
#[derive(Debug, Clone)]
pub struct MailFile {
    pub filename: String,
    pub size: usize,
    /// `None` when it fails the filing's checks (type from the bytes, size) or comes
    /// after the filing's number of files: it stays in the stored message only.
    pub kept: Option<CheckedFile>,
}

/// The attachments of the raw messages `raws` (the item's first mail, then its
/// replies), each checked as the filing checks an uploaded file.
pub fn mail_files(cfg: &Config, raws: &[Vec<u8>]) -> Vec<MailFile> {
    let max_bytes = cfg.uploads.max_file_mb * 1024 * 1024;
    let mut kept = 0;
    let mut out = Vec::new();
    for parsed in raws.iter().filter_map(|raw| parse::parse(raw).ok()) {
        for f in parsed.attachments {
            let checked = attachment::check(&f.bytes, max_bytes)
                .ok()
                .filter(|_| kept < cfg.uploads.max_files)
                .map(|kind| {
                    let name = attachment::clean_filename(&f.filename, kind);
                    CheckedFile::new(name, kind, f.bytes.clone())
                });
            kept += usize::from(checked.is_some());
            out.push(MailFile {
                filename: f.filename,
                size: f.bytes.len(),
                kept: checked,
            });
        }
    }
    out
}

/// The ids of the item's messages, the first then its replies.
pub fn message_ids(item: &Item) -> Vec<i64> {
    let mut ids = vec![item.inbound_id];
    ids.extend(item.reply_ids.iter().copied());
    ids
}

/// The files of the item's mails that the filing keeps.
async fn item_files(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    item: &Item,
) -> Result<Vec<CheckedFile>, IntakeError> {
    let raws = data::raws(conn, &message_ids(item)).await?;
    Ok(mail_files(cfg, &raws)
        .into_iter()
        .filter_map(|f| f.kept)
        .collect())
}

/// The item `id`, locked, if it still waits.
async fn lock_waiting(conn: &mut AsyncPgConnection, id: i64) -> Result<Item, IntakeError> {
    let item = data::lock(conn, id).await?.ok_or(IntakeError::NotFound)?;
    if item.state != IntakeState::Waiting {
        let code = match item.ticket_id {
            Some(t) => crate::db::inbound::ticket_code(conn, t).await?,
            None => None,
        };
        return Err(IntakeError::Decided(item.state, code));
    }
    Ok(item)
}

/// Files waiting item `id` as a PAKN of channel `email`, completed by staff as
/// `feedback`, received when the mail was, with the mail's files that pass the filing's
/// checks, entered by `access`; marks the item accepted. Returns the new ticket's code.
pub async fn accept(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    access: &Access,
    id: i64,
    feedback: &ValidFeedback,
) -> Result<String, IntakeError> {
    if !access.takes_intake() {
        return Err(IntakeError::NotAllowed);
    }
    conn.transaction::<String, IntakeError, _>(async |conn| {
        let item = lock_waiting(conn, id).await?;
        let files = item_files(conn, ctx.cfg, &item).await?;
        let meta = FilingMeta {
            channel: Channel::Email,
            external_ref: None,
            external_ref_date: None,
            entered_by: Some(access.user_id),
            lang: Lang::Vi.code().into(),
            idempotency_key: Some(format!("intake:{id}")),
            suspected_spam: false,
            spam_reasons: Vec::new(),
            received_at: item.received_at,
            keep_stashed: Vec::new(),
            skip_acknowledgement: false,
        };
        let outcome = filing::file(conn, ctx.cfg, ctx.reference, feedback, &files, &meta).await?;
        let FilingOutcome::Created {
            ticket_id, code, ..
        } = outcome
        else {
            return Err(IntakeError::Decided(IntakeState::Accepted, None));
        };
        data::decide(
            conn,
            id,
            IntakeState::Accepted,
            Some(ticket_id),
            access.user_id,
            ctx.now,
        )
        .await?;
        record(conn, access, id, "accept", Some(code.as_str())).await?;
        Ok(code.as_str().to_string())
    })
    .await
}

/// Marks waiting item `id` as spam: nothing is filed and nobody is mailed.
pub async fn spam(
    conn: &mut AsyncPgConnection,
    access: &Access,
    id: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), IntakeError> {
    if !access.takes_intake() {
        return Err(IntakeError::NotAllowed);
    }
    conn.transaction::<(), IntakeError, _>(async |conn| {
        lock_waiting(conn, id).await?;
        data::decide(conn, id, IntakeState::Spam, None, access.user_id, now).await?;
        record(conn, access, id, "spam", None).await?;
        Ok(())
    })
    .await
}

/// The audit entry of a decision (no personal data: the item and the ticket's code).
async fn record(
    conn: &mut AsyncPgConnection,
    access: &Access,
    id: i64,
    action: &str,
    code: Option<&str>,
) -> Result<(), diesel::result::Error> {
    audit::record(
        conn,
        AuditEntry {
            user_id: access.user_id,
            entity: "intake",
            entity_id: id.to_string(),
            action,
            before: None,
            after: code.map(|c| serde_json::json!({ "ticket": c })),
        },
    )
    .await
}
