//! The private link (`/t/{access_token}`) renewed: the citizen asks for a new one from
//! the track page, or staff revoke it from the ticket page (security review, finding
//! 15). Either way, in one transaction: a new random token replaces the old one (which
//! answers 404 from the commit on), the timeline says the link changed, and the new
//! link is mailed to the email given at filing, never shown to whoever asked when there
//! is one: a forwarded mail or a shared screen must not hand over the new link too.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::HandlingError;
use crate::config::Config;
use crate::db::track::{self, LinkOwner};
use crate::db::workflow::{self as data, EventInsert};
use crate::domain::time_keys;
use crate::domain::workflow::ActorKind;
use crate::i18n::Lang;
use crate::mail::{self, private_link};

/// The timeline event of a renewed link (shown to the citizen and to staff).
pub const EVENT: &str = "private_link";

/// A new private link token made at `now`: 43 URL-safe base64 characters, the second
/// first and 216 random bits ([`crate::domain::time_keys`]).
pub fn new_access_token(now: DateTime<Utc>) -> String {
    time_keys::access_token(now.timestamp(), &mut rand::rng())
}

/// Where the new link went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Renewed {
    /// Mailed to the filing's email, shown here masked (`h***@example.vn`).
    Mailed { to: String },
    /// No email was given at filing: the new link is shown to the one who asked.
    Shown { access_token: String },
}

/// Who renews the link.
#[derive(Debug, Clone, Copy)]
pub enum By {
    /// The holder of the link, from the track page.
    Citizen,
    /// A staff member who may act on the ticket.
    Staff(i32),
}

/// Renews the link of the ticket whose link is `access_token`; `None` when there is
/// no such link (any more).
pub async fn renew(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    access_token: &str,
    now: DateTime<Utc>,
) -> Result<Option<Renewed>, HandlingError> {
    let token = access_token.to_string();
    conn.transaction::<Option<Renewed>, HandlingError, _>(async |conn| {
        let Some(owner) = track::lock_by_access_token(conn, &token).await? else {
            return Ok(None);
        };
        replace(conn, cfg, &owner, By::Citizen, now).await.map(Some)
    })
    .await
}

/// Revokes ticket `ticket_id`'s link for staff member `user_id`; `None` when the ticket
/// has no link (anonymised). The new link is mailed when an email was given, else the
/// citizen finds the PAKN again with its code and phone at `/track`.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    ticket_id: i64,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<Option<bool>, HandlingError> {
    conn.transaction::<Option<bool>, HandlingError, _>(async |conn| {
        let Some(owner) = track::lock_link_owner(conn, ticket_id).await? else {
            return Ok(None);
        };
        let renewed = replace(conn, cfg, &owner, By::Staff(user_id), now).await?;
        Ok(Some(matches!(renewed, Renewed::Mailed { .. })))
    })
    .await
}

async fn replace(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    owner: &LinkOwner,
    by: By,
    now: DateTime<Utc>,
) -> Result<Renewed, HandlingError> {
    let token = new_access_token(now);
    track::set_access_token(conn, owner.id, &token).await?;
    let (actor_kind, actor_id, by_name) = match by {
        By::Citizen => (ActorKind::Citizen, None, "citizen"),
        By::Staff(id) => (ActorKind::Staff, Some(id), "staff"),
    };
    data::insert_event(
        conn,
        &EventInsert {
            ticket_id: owner.id,
            at: now,
            actor_kind,
            actor_id,
            event: EVENT.to_string(),
            from_status: None,
            to_status: None,
            public: true,
            body: None,
            data: serde_json::json!({ "by": by_name }),
        },
    )
    .await?;
    let Some(email) = owner.email.as_deref() else {
        tracing::info!(
            ticket = owner.id,
            by = by_name,
            "private link renewed, shown"
        );
        return Ok(Renewed::Shown {
            access_token: token,
        });
    };
    let lang = Lang::parse(&owner.lang).unwrap_or(Lang::Vi);
    let letter = private_link::new_link(
        cfg,
        lang,
        &private_link::NewLink {
            ticket_id: owner.id,
            to: email,
            code: &owner.code,
            access_token: &token,
            by_staff: matches!(by, By::Staff(_)),
        },
    )
    .map_err(|e| HandlingError::Mail(e.into()))?;
    mail::enqueue(conn, letter).await?;
    tracing::info!(
        ticket = owner.id,
        by = by_name,
        "private link renewed, mailed"
    );
    Ok(Renewed::Mailed {
        to: masked_email(email),
    })
}

/// `hoa.nguyen@example.vn` → `h***@example.vn`: enough for the citizen to know which
/// mailbox to open, not enough to learn an address.
pub fn masked_email(email: &str) -> String {
    crate::domain::mail_state::mask_address(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_new_and_look_like_links() {
        let now = Utc::now();
        let a = new_access_token(now);
        let b = new_access_token(now);
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
    }

    #[test]
    fn an_email_is_masked_but_its_mailbox_is_recognisable() {
        assert_eq!(masked_email("hoa.nguyen@example.vn"), "h***@example.vn");
        assert_eq!(masked_email("nobody"), "***");
    }
}
