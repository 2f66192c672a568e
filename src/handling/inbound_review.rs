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
