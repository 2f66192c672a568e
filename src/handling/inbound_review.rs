//! Staff's review of inbound mail that waits for them (held or failed, issue 16): try a
//! message again (back to `new`, processed by the next pass) or discard it. Admins and
//! leaders only ([`Access::reviews_inbound`]); each action is audited.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::HandlingError;
use crate::db::audit::{self, AuditEntry};
use crate::db::inbound as data;
use crate::domain::access::Access;

/// What staff do with a message under review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// Process it again now.
    Retry,
    /// Leave it as dealt with.
    Discard,
}

impl Review {
    fn action(self) -> &'static str {
        match self {
            Review::Retry => "retry",
            Review::Discard => "discard",
        }
    }
}

/// Carries out `review` on message `id`; `false` when it no longer waits for staff
/// (someone else took it).
pub async fn review(
    conn: &mut AsyncPgConnection,
    access: &Access,
    id: i64,
    review: Review,
    now: DateTime<Utc>,
) -> Result<bool, HandlingError> {
    if !access.reviews_inbound() {
        return Err(HandlingError::NotAllowed);
    }
    conn.transaction::<bool, HandlingError, _>(async |conn| {
        let done = match review {
            Review::Retry => data::retry(conn, id, now).await?,
            Review::Discard => data::discard(conn, id, now).await?,
        };
        if done {
            let entry = AuditEntry {
                user_id: access.user_id,
                entity: "inbound_mail",
                entity_id: id.to_string(),
                action: review.action(),
                before: None,
                after: None,
            };
            audit::record(conn, entry).await?;
        }
        Ok(done)
    })
    .await
}

/// Why a held message could not be attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    /// Attached: the PAKN's code.
    Done,
    /// No PAKN has that code (any spelling).
    NoSuchCode,
    /// The message no longer waits for staff.
    Gone,
}

/// Attaches held message `id` to PAKN `code` as an internal note of the staff member
/// (the sender's address and the subject head the mail's new text): the way a reply
/// from an unknown address, or with a broken token, reaches its PAKN once a person has
/// judged it. Nothing is shown to the citizen and nothing moves.
pub async fn attach(
    conn: &mut AsyncPgConnection,
    ctx: &crate::handling::Context<'_>,
    access: &Access,
    id: i64,
    code: &str,
) -> Result<Attach, HandlingError> {
    use crate::domain::tracking_code::TrackingCode;
    use crate::handling::{Command, Who, perform_in};
    if !access.reads_inbound() {
        return Err(HandlingError::NotAllowed);
    }
    let Some(code) = TrackingCode::parse(code) else {
        return Ok(Attach::NoSuchCode);
    };
    conn.transaction::<Attach, HandlingError, _>(async |conn| {
        let Some(ticket_id) = crate::db::workflow::id_by_code(conn, code.as_str()).await? else {
            return Ok(Attach::NoSuchCode);
        };
        let Some((line, raw)) = data::held_for_update(conn, id).await? else {
            return Ok(Attach::Gone);
        };
        let parsed = crate::mail::inbound::parse::parse(&raw)
            .map_err(|_| HandlingError::Invalid("inbound-review-unreadable"))?;
        let text = format!(
            "{} <{}>\n{}\n\n{}",
            parsed.from_name.clone().unwrap_or_default(),
            parsed.from.clone().unwrap_or_default(),
            parsed.subject,
            parsed.text
        );
        let who = Who::Staff(access.clone());
        let done = perform_in(conn, ctx, ticket_id, &who, Command::InternalNote { text }).await?;
        data::attached(conn, line.id, ticket_id, done.event_id, ctx.now).await?;
        let entry = AuditEntry {
            user_id: access.user_id,
            entity: "inbound_mail",
            entity_id: id.to_string(),
            action: "attach",
            before: None,
            after: Some(serde_json::json!({ "ticket": code.as_str() })),
        };
        audit::record(conn, entry).await?;
        Ok(Attach::Done)
    })
    .await
}
