//! Failed mail fixed from the web (issue 15, part 6): staff who handle a PAKN correct
//! the citizen's mistyped email and its mail goes again to the new address; admins put
//! failed mail back in the queue, as `pakn outbox retry` does. Each is one transaction
//! with its `audit_log` row; a correction also writes a staff-only timeline event
//! (addresses masked in it: the audit row keeps them whole).

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use super::HandlingError;
use crate::db::audit::{self, AuditEntry};
use crate::db::track;
use crate::db::workflow::{self as data, EventInsert};
use crate::domain::access::Access;
use crate::domain::feedback::is_plausible_email;
use crate::domain::fold::clean_line;
use crate::domain::mail_state::mask_address;
use crate::domain::workflow::ActorKind;
use crate::mail::{outbox, sight};

/// The timeline event of a corrected address (staff only, never on the track page).
pub const EVENT: &str = "email_corrected";

/// What a correction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Corrected {
    pub code: String,
    /// How many of the PAKN's mails go again, to the new address.
    pub requeued: usize,
}

/// The address as typed, cleaned and checked as the filing form checks it; the error
/// is the message id to show.
pub fn valid_email(typed: &str) -> Result<String, HandlingError> {
    let email = clean_line(typed).to_lowercase();
    if email.is_empty() {
        return Err(HandlingError::Invalid("mail-fix-err-empty"));
    }
    if !is_plausible_email(&email) || email.parse::<lettre::Address>().is_err() {
        return Err(HandlingError::Invalid("mail-fix-err-email"));
    }
    Ok(email)
}

/// Corrects the email of ticket `ticket_id` of `unit_id` for `who` (who must handle
/// it), and sends its mail to the old address again to the new one (see
/// [`sight::readdress`]).
pub async fn correct_email(
    conn: &mut AsyncPgConnection,
    who: &Access,
    ticket_id: i64,
    unit_id: i32,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Corrected, HandlingError> {
    if !who.may_act_on(unit_id) {
        return Err(HandlingError::NotAllowed);
    }
    let new = valid_email(typed)?;
    let corrected = conn
        .transaction::<Corrected, HandlingError, _>(async |conn| {
            let owner = track::lock_link_owner(conn, ticket_id)
                .await?
                .ok_or(HandlingError::Invalid("mail-fix-err-gone"))?;
            let old = owner
                .email
                .clone()
                .ok_or(HandlingError::Invalid("mail-fix-err-no-email"))?;
            if old == new {
                return Err(HandlingError::Invalid("mail-fix-err-same"));
            }
            track::set_email(conn, ticket_id, &new).await?;
            let requeued = sight::readdress(conn, ticket_id, &old, &new).await?;
            data::insert_event(
                conn,
                &EventInsert {
                    ticket_id,
                    at: now,
                    actor_kind: ActorKind::Staff,
                    actor_id: Some(who.user_id),
                    event: EVENT.to_string(),
                    from_status: None,
                    to_status: None,
                    public: false,
                    body: Some(format!("{} → {}", mask_address(&old), mask_address(&new))),
                    data: json!({ "requeued": requeued.len() }),
                },
            )
            .await?;
            audit::record(
                conn,
                AuditEntry {
                    user_id: who.user_id,
                    entity: "ticket",
                    entity_id: owner.code.clone(),
                    action: "email_correct",
                    before: Some(json!({ "email": old })),
                    after: Some(json!({ "email": new, "requeued": requeued })),
                },
            )
            .await?;
            Ok(Corrected {
                code: owner.code,
                requeued: requeued.len(),
            })
        })
        .await?;
    tracing::info!(
        ticket = ticket_id,
        requeued = corrected.requeued,
        "citizen's email corrected"
    );
    Ok(corrected)
}

/// Which failed mail an admin sends again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// One mail by its outbox id: failed or pending, or sent with recipients refused
    /// (it goes again to those only).
    One(i64),
    AllFailed,
}

/// Puts failed mail back in the queue for admin `who`, as `pakn outbox retry` does;
/// audited. Returns how many mails go again (0: nothing to retry).
pub async fn retry(
    conn: &mut AsyncPgConnection,
    who: &Access,
    what: Retry,
) -> Result<usize, HandlingError> {
    if !who.administers() {
        return Err(HandlingError::NotAllowed);
    }
    let n = conn
        .transaction::<usize, HandlingError, _>(async |conn| {
            let (n, entity_id, action) = match what {
                Retry::One(id) => (
                    usize::from(outbox::retry(conn, id).await?),
                    id.to_string(),
                    "mail_retry",
                ),
                Retry::AllFailed => (
                    outbox::retry_all_failed(conn).await?,
                    "failed".to_string(),
                    "mail_retry_all",
                ),
            };
            if n > 0 {
                audit::record(
                    conn,
                    AuditEntry {
                        user_id: who.user_id,
                        entity: "outbox",
                        entity_id,
                        action,
                        before: None,
                        after: Some(json!({ "queued_again": n })),
                    },
                )
                .await?;
            }
            Ok(n)
        })
        .await?;
    tracing::info!(retried = n, "mail queued again by an admin");
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_as_at_filing() {
        assert_eq!(
            valid_email("  Hoa.Nguyen@Example.VN ").ok().as_deref(),
            Some("hoa.nguyen@example.vn")
        );
        for (bad, id) in [
            ("", "mail-fix-err-empty"),
            ("hoa.nguyen@", "mail-fix-err-email"),
            ("hoa nguyen@example.vn", "mail-fix-err-email"),
            ("\"hoa\"@example.vn", "mail-fix-err-email"),
        ] {
            let err = valid_email(bad).expect_err(bad);
            assert_eq!(err.message_id().as_deref(), Some(id), "{bad}");
        }
    }
}
