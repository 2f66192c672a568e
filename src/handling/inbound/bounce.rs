//! A delivery status notification (RFC 3464) about one of pakn's mails: each failed
//! recipient is recorded as refused on the outbox row (so the ticket's mail card shows
//! it, with the server's answer, and staff can correct the address) and the row is
//! marked bounced. A DSN about a mail pakn does not know, or only reporting delays, is
//! kept and ignored.

use diesel_async::AsyncPgConnection;

use super::{Desk, ended};
use crate::db::inbound::{self as data, Finish};
use crate::domain::inbound::{InboundOutcome, InboundState};
use crate::handling::HandlingError;
use crate::mail::inbound::parse::Dsn;

pub async fn record(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    dsn: &Dsn,
) -> Result<Finish, HandlingError> {
    let mut finish = ended(InboundState::Done, InboundOutcome::Bounce);
    let Some(key) = dsn.original_message_id.as_deref().and_then(|id| {
        let (left, domain) = id.rsplit_once('@')?;
        domain
            .eq_ignore_ascii_case(&desk.message_domain)
            .then_some(left)
    }) else {
        finish.state = Some(InboundState::Ignored);
        return Ok(finish);
    };
    let failed: Vec<(String, String)> = dsn
        .recipients
        .iter()
        .filter(|r| r.action.eq_ignore_ascii_case("failed"))
        .map(|r| {
            let answer = match &r.diagnostic {
                Some(d) => format!("{} {}", r.status, d),
                None => r.status.clone(),
            };
            (r.address.to_lowercase(), answer.chars().take(500).collect())
        })
        .collect();
    if failed.is_empty() {
        finish.state = Some(InboundState::Ignored);
        return Ok(finish);
    }
    match data::record_bounce(conn, key, &failed, desk.ctx.now).await? {
        Some(ticket_id) => finish.ticket_id = ticket_id,
        None => finish.state = Some(InboundState::Ignored),
    }
    Ok(finish)
}
