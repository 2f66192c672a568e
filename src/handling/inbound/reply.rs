//! A reply that names a PAKN. From the PAKN's citizen (the address it was filed with):
//! the answer to a request for information when the PAKN waits for one (the same move
//! as the track page's form), else the citizen's message. From an active staff account
//! that may act on the PAKN: an internal note, never shown to the citizen. From anyone
//! else, or a mail whose audience does not match its sender: held for staff.

use chrono::TimeDelta;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::route::Target;
use super::{Desk, held};
use crate::db::inbound::{self as data, Finish};
use crate::db::users;
use crate::db::workflow as tickets;
use crate::domain::access::{Access, Role};
use crate::domain::attachment::{self, CheckedFile};
use crate::domain::inbound::{InboundOutcome, InboundState};
use crate::domain::reply_token::Audience;
use crate::domain::status::Status;
use crate::handling::{Command, HandlingError, Step, Who, perform_in};
use crate::mail::inbound::parse::ParsedMail;

/// Who a reply is from, as the PAKN knows them.
enum Sender {
    Citizen,
    Staff(Access),
}

pub async fn apply(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    parsed: &ParsedMail,
    target: Target,
) -> Result<Finish, HandlingError> {
    let on_ticket = |mut f: Finish| {
        f.ticket_id = Some(target.ticket_id);
        f
    };
    let ticket = match tickets::lock(conn, target.ticket_id).await {
        Ok(t) => t,
        Err(diesel::result::Error::NotFound) => return Ok(held(InboundOutcome::Unmatched)),
        Err(e) => return Err(e.into()),
    };
    let hour_ago = desk.ctx.now - TimeDelta::hours(1);
    if data::count_for_ticket(conn, ticket.id, hour_ago).await?
        >= desk.ctx.cfg.mail.inbound.per_ticket_per_hour
    {
        return Ok(on_ticket(held(InboundOutcome::RateLimited)));
    }
    let from = parsed.from.as_deref().unwrap_or_default();
    let Some(sender) = sender_of(conn, ticket.email.as_deref(), from, target.audience).await?
    else {
        return Ok(on_ticket(held(InboundOutcome::UnknownSender)));
    };
    let (command, who, outcome) = match sender {
        Sender::Citizen => {
            let files = checked_files(desk, parsed);
            if ticket.status.is_terminal() {
                return Ok(on_ticket(held(InboundOutcome::Closed)));
            }
            citizen_command(ticket.status, parsed.text.clone(), files)
        }
        Sender::Staff(access) => (
            Command::InternalNote {
                text: parsed.text.clone(),
            },
            Who::Staff(access),
            InboundOutcome::InternalNote,
        ),
    };
    let ctx = &desk.ctx;
    let done = conn
        .transaction::<_, HandlingError, _>(async |conn| {
            perform_in(conn, ctx, ticket.id, &who, command).await
        })
        .await;
    match done {
        Ok(done) => Ok(Finish {
            state: Some(InboundState::Done),
            outcome: Some(outcome),
            ticket_id: Some(ticket.id),
            event_id: Some(done.event_id),
            sender_hash: None,
        }),
        Err(HandlingError::Invalid(_)) => Ok(on_ticket(held(InboundOutcome::Empty))),
        Err(HandlingError::Refused(_) | HandlingError::NotAllowed) => {
            Ok(on_ticket(held(InboundOutcome::UnknownSender)))
        }
        Err(e) => Err(e),
    }
}

/// The answer to a pending request, or a message.
fn citizen_command(
    status: Status,
    text: String,
    files: Vec<CheckedFile>,
) -> (Command, Who, InboundOutcome) {
    if status == Status::NeedsInfo {
        (
            Command::Move(Step::AnswerInfo { text, files }),
            Who::Citizen,
            InboundOutcome::AnswerInfo,
        )
    } else {
        (
            Command::CitizenMessage { text, files },
            Who::Citizen,
            InboundOutcome::CitizenMessage,
        )
    }
}

/// Whether `from` is the PAKN's citizen or a staff account, as the audience allows.
async fn sender_of(
    conn: &mut AsyncPgConnection,
    citizen_email: Option<&str>,
    from: &str,
    audience: Option<Audience>,
) -> Result<Option<Sender>, HandlingError> {
    let is_citizen =
        !from.is_empty() && citizen_email.is_some_and(|e| e.eq_ignore_ascii_case(from));
    if audience != Some(Audience::Staff) && is_citizen {
        return Ok(Some(Sender::Citizen));
    }
    if audience == Some(Audience::Citizen) || from.is_empty() {
        return Ok(None);
    }
    Ok(users::find_active_by_email(conn, from)
        .await?
        .map(|u| Sender::Staff(Access::new(u.id, Role::parse_all(&u.roles), u.unit_id))))
}

/// The files that pass the filing's checks (type from the bytes, size), at most the
/// filing's number; the others are left out (they stay in the stored message).
pub fn checked_files(desk: &Desk<'_>, parsed: &ParsedMail) -> Vec<CheckedFile> {
    let uploads = &desk.ctx.cfg.uploads;
    let max_bytes = uploads.max_file_mb * 1024 * 1024;
    parsed
        .attachments
        .iter()
        .filter_map(|f| {
            let kind = attachment::check(&f.bytes, max_bytes).ok()?;
            let name = attachment::clean_filename(&f.filename, kind);
            Some(CheckedFile::new(name, kind, f.bytes.clone()))
        })
        .take(uploads.max_files)
        .collect()
}
