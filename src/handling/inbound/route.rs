//! Which PAKN a message names, and for whom the mail it answers was: first the reply
//! address's signed token, then `In-Reply-To`/`References` (the Message-IDs pakn gave
//! its mail). A message that names none is a new PAKN for the intake.

use diesel_async::AsyncPgConnection;

use super::Desk;
use crate::db::inbound as data;
use crate::domain::reply_token::{Audience, ReplyTarget};
use crate::mail::inbound::parse::ParsedMail;
use crate::mail::reply_address::audience_of_kind;

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A reply to mail of this PAKN, for this audience (when known).
    Reply(Target),
    /// It is addressed to a reply address whose token does not verify.
    BadToken,
    /// It names no PAKN: a new one.
    Intake,
}

/// The PAKN a reply names, and the audience of the mail it answers (unknown when only
/// the thread root names the PAKN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub ticket_id: i64,
    pub audience: Option<Audience>,
}

pub async fn route(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    parsed: &ParsedMail,
) -> Result<Route, diesel::result::Error> {
    let mut bad_token = false;
    for address in &parsed.recipients {
        if let Some(token) = desk.addresses.token_of(address) {
            match desk.key.verify(token) {
                Some(ReplyTarget {
                    ticket_id,
                    audience,
                }) => {
                    return Ok(Route::Reply(Target {
                        ticket_id,
                        audience: Some(audience),
                    }));
                }
                None => bad_token = true,
            }
        }
    }
    if bad_token {
        return Ok(Route::BadToken);
    }
    Ok(match by_thread(conn, desk, parsed).await? {
        Some(target) => Route::Reply(target),
        None => Route::Intake,
    })
}

/// The PAKN named by the Message-IDs the message answers, nearest first: one of pakn's
/// mails (`pakn.<key>@<domain>`: its outbox row names the PAKN, and its kind the
/// audience when the kind says it), or a thread root (`ticket.<public id>@<domain>`,
/// which every mail of a PAKN names and mail clients keep; the sender then decides).
async fn by_thread(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    parsed: &ParsedMail,
) -> Result<Option<Target>, diesel::result::Error> {
    let keys = parsed
        .in_reply_to
        .iter()
        .chain(parsed.references.iter().rev())
        .filter_map(|id| {
            let (left, domain) = id.rsplit_once('@')?;
            domain
                .eq_ignore_ascii_case(&desk.message_domain)
                .then_some(left)
        });
    for key in keys {
        if key.starts_with("pakn.")
            && let Some((Some(ticket_id), kind)) = data::outbox_row_of(conn, key).await?
        {
            return Ok(Some(Target {
                ticket_id,
                audience: audience_of_kind(&kind),
            }));
        }
        if let Some(public_id) = key.strip_prefix("ticket.")
            && let Some(ticket_id) = data::ticket_by_public_id(conn, public_id).await?
        {
            return Ok(Some(Target {
                ticket_id,
                audience: None,
            }));
        }
    }
    Ok(None)
}
