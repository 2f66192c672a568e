//! Mail that comes in (issue 16). Two ways in, one path after: `pakn mail receive` (an
//! MTA's pipe transport) and the IMAP poller ([`poller`]) [`store`] the raw message in its own
//! commit, then processing ([`process_one`], [`process_due`]) claims it and decides what
//! it is ([`route`]): a bounce ([`bounce`]), automatic mail (ignored), a reply that names
//! a PAKN ([`reply`]: the citizen's message or answer, or an officer's internal note), a
//! new PAKN for the intake ([`super::intake`]), or something staff must look at (held).
//! A failed processing is tried again with backoff, then waits for staff as `failed`.
//!
//! Nothing in a mail moves a PAKN except a citizen answering a request for information.

pub mod bounce;
pub mod job;
pub mod listen;
pub mod poller;
pub mod refusal;
pub mod reply;
pub mod route;
pub mod socket;

use chrono::{TimeDelta, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Context, HandlingError};
use crate::config::Config;
use crate::db::inbound::{self as data, Finish, InboundRow, NewInbound};
use crate::domain::inbound::{InboundOutcome, InboundSource, InboundState};
use crate::domain::reference::Reference;
use crate::domain::reply_token::{ReplyAddresses, ReplyKey};
use crate::mail::inbound::parse::{self, ParsedMail};
use crate::mail::inbound::raw;
use crate::mail::reply_address::{addresses_of, from_domain};

/// What storing a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored under this id; processing will take it.
    New(i64),
    /// The same message (same Message-ID) was stored before: nothing to do.
    Duplicate,
}

/// Stores one raw message in its own commit. `total` is its full size when `raw` is only
/// its start (the pipe stops reading at the limit); a message over `[mail.inbound]
/// max_bytes` keeps only its header, so that processing can tell its sender.
pub async fn store(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    source: InboundSource,
    raw_bytes: &[u8],
    total: usize,
) -> Result<Stored, HandlingError> {
    let too_large = total > cfg.mail.inbound.max_bytes;
    let kept = if too_large {
        raw::header_section(raw_bytes)
    } else {
        raw_bytes
    };
    let key = raw::message_key(raw_bytes);
    let row = NewInbound {
        source,
        message_key: &key,
        raw: kept,
        size: i32::try_from(total).unwrap_or(i32::MAX),
        state: InboundState::New,
        outcome: too_large.then_some(InboundOutcome::TooLarge),
    };
    Ok(match data::store(conn, &row).await? {
        Some(id) => Stored::New(id),
        None => Stored::Duplicate,
    })
}

/// What processing works with: the context of a change, the reply-address key and
/// addresses, the intake address.
pub struct Desk<'a> {
    pub ctx: Context<'a>,
    pub key: ReplyKey,
    pub addresses: ReplyAddresses,
    /// The intake address, lower-cased.
    pub intake: String,
    /// The right-hand side of pakn's Message-IDs (the domain of `[mail] from`).
    pub message_domain: String,
    secret: &'a [u8],
}

impl<'a> Desk<'a> {
    pub fn new(cfg: &'a Config, reference: &'a Reference, secret: &'a [u8]) -> Desk<'a> {
        let (addresses, intake) = addresses_of(cfg);
        Desk {
            message_domain: from_domain(cfg),
            ctx: Context::now(cfg, reference),
            key: ReplyKey::new(secret),
            addresses,
            intake,
            secret,
        }
    }

    /// The sender's address hashed with the instance secret (for the rate limit).
    fn sender_hash(&self, address: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(self.secret).expect("HMAC takes any key");
        mac.update(b"pakn-inbound-sender:");
        mac.update(address.to_lowercase().as_bytes());
        mac.finalize().into_bytes()[..16].to_vec()
    }
}

/// Processes message `id` now if it is still new and nobody holds it (the pipe does so
/// right after storing); `None` when there was nothing to do.
pub async fn process_one(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    id: i64,
) -> Result<Option<Finish>, HandlingError> {
    conn.transaction::<Option<Finish>, HandlingError, _>(async |conn| {
        let Some(row) = data::claim_one(conn, id).await? else {
            return Ok(None);
        };
        process_claimed(conn, desk, &row).await
    })
    .await
}

/// Processes every message due now, one transaction each; returns how many were taken.
pub async fn process_due(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
) -> Result<usize, HandlingError> {
    let mut taken = 0;
    loop {
        let more = conn
            .transaction::<bool, HandlingError, _>(async |conn| {
                let Some(row) = data::claim_due(conn, 1, Utc::now()).await?.pop() else {
                    return Ok(false);
                };
                process_claimed(conn, desk, &row).await?;
                Ok(true)
            })
            .await?;
        if !more {
            return Ok(taken);
        }
        taken += 1;
    }
}

/// Processes a claimed message in a savepoint: what it did commits with its finish, or
/// on failure nothing of it does and the failure is recorded (tried again after a
/// backoff, or left for staff after the last try). `None` after a failure.
async fn process_claimed(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    row: &InboundRow,
) -> Result<Option<Finish>, HandlingError> {
    let done = conn
        .transaction::<Finish, HandlingError, _>(async |conn| {
            let finish = process_row(conn, desk, row).await?;
            data::finish(conn, row.id, &finish, desk.ctx.now).await?;
            Ok(finish)
        })
        .await;
    match done {
        Ok(finish) => Ok(Some(finish)),
        Err(e) => {
            let attempts = row.attempts + 1;
            let give_up = attempts >= desk.ctx.cfg.mail.inbound.max_attempts;
            let wait = TimeDelta::seconds(30 * (1i64 << attempts.clamp(0, 10)));
            let text: String = format!("{e}").chars().take(500).collect();
            tracing::warn!(inbound_id = row.id, attempts, give_up, error = %text, "inbound mail failed");
            data::failed_attempt(conn, row.id, &text, Utc::now() + wait, give_up).await?;
            Ok(None)
        }
    }
}

/// What one message becomes.
async fn process_row(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    row: &InboundRow,
) -> Result<Finish, HandlingError> {
    let parsed = match parse::parse(&row.raw) {
        Ok(p) => p,
        Err(_) => return Ok(held(InboundOutcome::Unreadable)),
    };
    let mut finish = decide(conn, desk, row, &parsed).await?;
    if finish.sender_hash.is_none() {
        finish.sender_hash = parsed.from.as_deref().map(|a| desk.sender_hash(a));
    }
    Ok(finish)
}

async fn decide(
    conn: &mut AsyncPgConnection,
    desk: &Desk<'_>,
    row: &InboundRow,
    parsed: &ParsedMail,
) -> Result<Finish, HandlingError> {
    if let Some(dsn) = &parsed.dsn {
        return bounce::record(conn, desk, dsn).await;
    }
    if parsed.automatic.is_some() {
        return Ok(ended(InboundState::Ignored, InboundOutcome::Automatic));
    }
    let Some(from) = parsed.from.clone() else {
        return Ok(held(InboundOutcome::UnknownSender));
    };
    let hash = desk.sender_hash(&from);
    let hour_ago = desk.ctx.now - TimeDelta::hours(1);
    if data::count_from_sender(conn, &hash, hour_ago).await?
        >= desk.ctx.cfg.mail.inbound.per_sender_per_hour
    {
        return Ok(held(InboundOutcome::RateLimited));
    }
    if row.outcome == Some(InboundOutcome::TooLarge) {
        refusal::refuse(conn, desk, parsed, refusal::Why::TooLarge(row.size)).await?;
        return Ok(ended(InboundState::Refused, InboundOutcome::TooLarge));
    }
    if parsed.attachments.len() > desk.ctx.cfg.mail.inbound.max_attachments {
        refusal::refuse(conn, desk, parsed, refusal::Why::TooManyFiles).await?;
        return Ok(ended(InboundState::Refused, InboundOutcome::TooManyFiles));
    }
    match route::route(conn, desk, parsed).await? {
        route::Route::Reply(target) => reply::apply(conn, desk, parsed, target).await,
        route::Route::BadToken => Ok(held(InboundOutcome::BadToken)),
        route::Route::Intake => super::intake::receive(conn, desk, row, parsed).await,
    }
}

/// A message that waits for staff review.
pub fn held(outcome: InboundOutcome) -> Finish {
    ended(InboundState::Held, outcome)
}

pub fn ended(state: InboundState, outcome: InboundOutcome) -> Finish {
    Finish {
        state: Some(state),
        outcome: Some(outcome),
        ..Finish::default()
    }
}
