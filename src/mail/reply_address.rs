//! The Reply-To of each outgoing mail of a PAKN (issue 16): `<local>+<token>@<domain>`,
//! the token naming the PAKN and the audience the mail was for, so that pressing Reply
//! brings the answer back to the PAKN. Mail of no PAKN keeps `[mail] reply_to`.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::outbox::ClaimedRow;
use crate::config::Config;
use crate::db::schema::tickets;
use crate::domain::reply_token::{Audience, ReplyAddresses, ReplyKey, ReplyTarget};

/// The reply addresses and the intake address of `[mail.inbound]`.
pub fn addresses_of(cfg: &Config) -> (ReplyAddresses, String) {
    let i = &cfg.mail.inbound;
    let from_domain = from_domain(cfg);
    let addresses = ReplyAddresses::new(&i.local, i.domain_or(&from_domain));
    let intake = if i.intake.trim().is_empty() {
        format!("{}@{}", addresses.local, addresses.domain)
    } else {
        crate::domain::mailbox::parse_mailbox(&i.intake)
            .map(|m| m.email.to_string())
            .unwrap_or_default()
    }
    .to_lowercase();
    (addresses, intake)
}

/// The domain of `[mail] from`: the right-hand side of pakn's Message-IDs.
pub fn from_domain(cfg: &Config) -> String {
    crate::domain::mailbox::parse_mailbox(&cfg.mail.from)
        .map(|m| m.email.domain().to_lowercase())
        .unwrap_or_else(|_| "localhost".into())
}

/// The kind of the acknowledgement of a PAKN sent by email and waiting to be completed:
/// its Reply-To is the intake address, so the sender's reply joins the waiting item.
pub const KIND_INTAKE_ACK: &str = "intake_ack";

/// Whom a kind of mail of a PAKN is for, when the kind says it; `update.<event>` goes
/// to the citizen or to staff, and its recipients decide.
pub fn audience_of_kind(kind: &str) -> Option<Audience> {
    match kind {
        "ack" | "published" | "new_link" => Some(Audience::Citizen),
        k if k.starts_with("update.") => None,
        _ => Some(Audience::Staff),
    }
}

/// Signs reply addresses for a worker.
#[derive(Debug, Clone)]
pub struct Replies {
    key: ReplyKey,
    addresses: ReplyAddresses,
    intake: String,
}

impl Replies {
    pub fn new(cfg: &Config, secret: &[u8]) -> Replies {
        let (addresses, intake) = addresses_of(cfg);
        Replies {
            key: ReplyKey::new(secret),
            addresses,
            intake,
        }
    }

    /// The reply address of PAKN `ticket_id` for `audience`.
    pub fn address(&self, ticket_id: i64, audience: Audience) -> String {
        let token = self.key.token(ReplyTarget {
            ticket_id,
            audience,
        });
        self.addresses.address(&token)
    }

    /// The Reply-To of each row of a PAKN (and of an intake acknowledgement), as (row
    /// id, address); one query finds the citizens' addresses when an `update.<event>`
    /// row is among them.
    pub async fn for_rows(
        &self,
        conn: &mut AsyncPgConnection,
        rows: &[ClaimedRow],
    ) -> QueryResult<Vec<(i64, String)>> {
        let mut open: Vec<i64> = rows
            .iter()
            .filter(|r| audience_of_kind(&r.kind).is_none())
            .filter_map(|r| r.ticket_id)
            .collect();
        open.sort_unstable();
        open.dedup();
        let emails: Vec<(i64, Option<String>)> = if open.is_empty() {
            Vec::new()
        } else {
            tickets::table
                .filter(tickets::id.eq_any(&open))
                .select((tickets::id, tickets::email))
                .load(conn)
                .await?
        };
        Ok(rows
            .iter()
            .filter_map(|r| {
                if r.kind == KIND_INTAKE_ACK {
                    return Some((r.id, self.intake.clone()));
                }
                let ticket_id = r.ticket_id?;
                let audience = audience_of_kind(&r.kind).unwrap_or_else(|| {
                    let citizen = emails
                        .iter()
                        .find(|(id, _)| *id == ticket_id)
                        .and_then(|(_, e)| e.as_deref());
                    let to_citizen = citizen
                        .is_some_and(|c| r.to_addrs.iter().any(|a| a.eq_ignore_ascii_case(c)));
                    if to_citizen {
                        Audience::Citizen
                    } else {
                        Audience::Staff
                    }
                });
                Some((r.id, self.address(ticket_id, audience)))
            })
            .collect())
    }
}
