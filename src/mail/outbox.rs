//! The `outbox` table: queueing mail inside the caller's transaction, claiming due rows,
//! recording outcomes, and the operator's view (`pakn outbox status|retry`).
//!
//! Identifiers are stored as their left-hand part (`message_id` = `pakn.<time><random>`,
//! `in_reply_to` = `thread_refs` = `ticket.<public id>`); the sender adds
//! `@<domain of [mail] from>`. The key is drawn before the insert, so every
//! attempt at one row sends the same `Message-ID`, and every mail of one ticket points at
//! the same thread root, so mail clients show one thread per PAKN.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::outbox::NewOutboxRow;
use crate::db::schema::{outbox, tickets};
use crate::domain::time_keys;

/// A mail to queue. Addresses are plain `addr@host`; the body is already rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// What the mail is, for operators: `ack`, `notify`, …
    pub kind: String,
    pub ticket_id: Option<i64>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub lang: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// Rows of `attachments` to attach.
    pub attachment_ids: Vec<i64>,
}

/// A left-hand part for a `Message-ID`: `pakn.`, the second it was made and 95 random
/// bits, lower-case base32 ([`crate::domain::time_keys::message_key`]).
pub fn new_message_key() -> String {
    let key = time_keys::message_key(Utc::now().timestamp(), &mut rand::rng());
    format!("pakn.{key}")
}

/// The left-hand part of the thread root of a ticket.
pub fn thread_key(public_id: &str) -> String {
    format!("ticket.{public_id}")
}

/// Queues one mail inside the caller's transaction; returns its outbox id.
pub async fn enqueue(conn: &mut AsyncPgConnection, mail: OutgoingMail) -> QueryResult<i64> {
    enqueue_all(conn, vec![mail])
        .await?
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// Queues several mails in one statement (plus one lookup of their tickets' public ids).
pub async fn enqueue_all(
    conn: &mut AsyncPgConnection,
    mails: Vec<OutgoingMail>,
) -> QueryResult<Vec<i64>> {
    if mails.is_empty() {
        return Ok(Vec::new());
    }
    let mut ticket_ids: Vec<i64> = mails.iter().filter_map(|m| m.ticket_id).collect();
    ticket_ids.sort_unstable();
    ticket_ids.dedup();
    let public_ids: Vec<(i64, String)> = if ticket_ids.is_empty() {
        Vec::new()
    } else {
        tickets::table
            .filter(tickets::id.eq_any(&ticket_ids))
            .select((tickets::id, tickets::public_id))
            .load(conn)
            .await?
    };
    let root = |ticket: Option<i64>| -> Option<String> {
        let ticket = ticket?;
        public_ids
            .iter()
            .find(|(id, _)| *id == ticket)
            .map(|(_, public)| thread_key(public))
    };
    insert(conn, &mails, root).await
}

/// As [`enqueue_all`] for mails of one ticket whose public id the caller knows (the
/// filing): one statement, no lookup.
pub async fn enqueue_for_ticket(
    conn: &mut AsyncPgConnection,
    public_id: &str,
    mails: &[OutgoingMail],
) -> QueryResult<Vec<i64>> {
    let root = thread_key(public_id);
    insert(conn, mails, |_| Some(root.clone())).await
}

/// The mails of a new ticket as the JSON rows the one-statement filing inserts
/// ([`crate::db::tickets::FilingInsert`]): recipients only (the worker renders subject
/// and body from the ticket when it sends); their Message-ID keys are drawn here, and
/// they thread under the ticket's public id.
pub fn filing_rows_json(
    public_id: &str,
    mails: &[OutgoingMail],
) -> serde_json::Result<serde_json::Value> {
    let thread = thread_key(public_id);
    let rows: Vec<NewOutboxRow<'_>> = mails
        .iter()
        .map(|m| NewOutboxRow {
            subject: None,
            body_text: None,
            body_html: None,
            attachment_ids: &[],
            ..new_row(m, Some(thread.clone()))
        })
        .collect();
    serde_json::to_value(rows)
}

fn new_row(m: &OutgoingMail, thread: Option<String>) -> NewOutboxRow<'_> {
    NewOutboxRow {
        ticket_id: m.ticket_id,
        kind: &m.kind,
        to_addrs: &m.to,
        cc_addrs: &m.cc,
        lang: &m.lang,
        // A stub (no body) is rendered by the worker when it sends.
        subject: (!m.body_text.is_empty()).then_some(m.subject.as_str()),
        body_text: (!m.body_text.is_empty()).then_some(m.body_text.as_str()),
        body_html: m.body_html.as_deref().filter(|_| !m.body_text.is_empty()),
        message_id: new_message_key(),
        in_reply_to: thread.clone(),
        thread_refs: thread,
        attachment_ids: &m.attachment_ids,
    }
}

async fn insert(
    conn: &mut AsyncPgConnection,
    mails: &[OutgoingMail],
    root: impl Fn(Option<i64>) -> Option<String>,
) -> QueryResult<Vec<i64>> {
    if mails.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<NewOutboxRow<'_>> = mails
        .iter()
        .map(|m| new_row(m, root(m.ticket_id)))
        .collect();
    diesel::insert_into(outbox::table)
        .values(&rows)
        .returning(outbox::id)
        .get_results(conn)
        .await
}

/// A row claimed for delivery.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct ClaimedRow {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub kind: String,
    pub to_addrs: Vec<String>,
    pub cc_addrs: Vec<String>,
    pub lang: String,
    /// Empty for a filing's mails until the worker renders them from the ticket.
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub thread_refs: Option<String>,
    pub attachment_ids: Vec<i64>,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    /// The recipients an earlier attempt reached: a retry leaves them out.
    pub delivered_to: Vec<String>,
    /// A digest's one-click unsubscribe link (`List-Unsubscribe`, RFC 8058).
    pub list_unsubscribe: Option<String>,
}

/// The recipients of `rows` refused for good by an earlier attempt, as (row, address):
/// a retry leaves them out too.
pub async fn refused_addresses(
    conn: &mut AsyncPgConnection,
    rows: &[ClaimedRow],
) -> QueryResult<Vec<(i64, String)>> {
    use crate::db::schema::outbox_refusals as r;
    let retried: Vec<i64> = rows
        .iter()
        .filter(|r| r.attempts > 0)
        .map(|r| r.id)
        .collect();
    if retried.is_empty() {
        return Ok(Vec::new());
    }
    r::table
        .filter(r::outbox_id.eq_any(&retried))
        .select((r::outbox_id, r::address))
        .load(conn)
        .await
}

/// Records recipients refused for good, with the server's answer.
pub async fn record_refusals(
    conn: &mut AsyncPgConnection,
    id: i64,
    refused: &[(String, String)],
) -> QueryResult<usize> {
    use crate::db::schema::outbox_refusals as r;
    if refused.is_empty() {
        return Ok(0);
    }
    let rows: Vec<_> = refused
        .iter()
        .map(|(address, reply)| {
            (
                r::outbox_id.eq(id),
                r::address.eq(address),
                r::reply.eq(reply),
            )
        })
        .collect();
    diesel::insert_into(r::table)
        .values(rows)
        .on_conflict((r::outbox_id, r::address))
        .do_update()
        .set((
            r::reply.eq(diesel::upsert::excluded(r::reply)),
            r::refused_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}

/// A recipient who will never receive a mail about a ticket, for the ticket page and
/// `pakn outbox status`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Undelivered {
    pub outbox_id: i64,
    pub kind: String,
    pub address: String,
    pub reply: String,
    pub refused_at: DateTime<Utc>,
}

/// The recipients refused for good, newest first, at most `limit`: of one ticket's mail
/// (the ticket page) or of all mail (`pakn outbox status`).
pub async fn undelivered(
    conn: &mut AsyncPgConnection,
    ticket_id: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<Undelivered>> {
    use crate::db::schema::outbox_refusals as r;
    let mut query = r::table
        .inner_join(outbox::table)
        .order((r::refused_at.desc(), r::address))
        .limit(limit)
        .select((
            r::outbox_id,
            outbox::kind,
            r::address,
            r::reply,
            r::refused_at,
        ))
        .into_boxed();
    if let Some(id) = ticket_id {
        query = query.filter(outbox::ticket_id.eq(id));
    }
    query.load(conn).await
}

/// Locks up to `limit` due rows that no other worker holds. Call inside a transaction:
/// the locks last until it ends, and a worker that dies releases them with its
/// connection.
pub async fn claim_due(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<ClaimedRow>> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .filter(outbox::next_attempt_at.le(diesel::dsl::now))
        .order(outbox::next_attempt_at)
        .limit(limit)
        .select(ClaimedRow::as_select())
        .for_update()
        .skip_locked()
        .load(conn)
        .await
}

/// When the next pending row falls due (`None` when nothing is pending).
pub async fn next_due(conn: &mut AsyncPgConnection) -> QueryResult<Option<DateTime<Utc>>> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .select(diesel::dsl::min(outbox::next_attempt_at))
        .first(conn)
        .await
}

pub async fn mark_sent(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    diesel::update(outbox::table.filter(outbox::id.eq_any(ids)))
        .set((
            outbox::sent_at.eq(diesel::dsl::now),
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .await
}

/// Adds recipients who have the mail (a sent mail some recipients refused).
pub async fn add_delivered(
    conn: &mut AsyncPgConnection,
    id: i64,
    delivered: &[String],
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set(outbox::delivered_to.eq(outbox::delivered_to.concat(delivered)))
        .execute(conn)
        .await
}

/// Schedules another attempt; `delivered` (reached by this one) are left out of it.
pub async fn mark_retry(
    conn: &mut AsyncPgConnection,
    id: i64,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    delivered: &[String],
) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(error),
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::delivered_to.eq(outbox::delivered_to.concat(delivered)),
        ))
        .execute(conn)
        .await
}

pub async fn mark_failed(conn: &mut AsyncPgConnection, id: i64, error: &str) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::last_error.eq(error),
            outbox::failed_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await
}

/// What `pakn outbox status` prints.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Status {
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    #[diesel(sql_type = BigInt)]
    pub failed: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub oldest_pending_age_secs: Option<i64>,
}

/// The pending rows are read once for their count and their oldest (two subqueries read
/// them twice: 0.9 s with 600,000 mails waiting at 1,000,000 PAKN).
pub async fn status(conn: &mut AsyncPgConnection) -> QueryResult<Status> {
    diesel::sql_query(
        "SELECT p.pending, \
                (SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL) AS failed, \
                p.oldest_pending_age_secs \
           FROM (SELECT count(*) AS pending, \
                        floor(extract(epoch FROM now() - min(created_at)))::bigint \
                          AS oldest_pending_age_secs \
                   FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS p",
    )
    .get_result(conn)
    .await
}

/// What `/healthz` reports of the queue.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct Health {
    #[diesel(sql_type = BigInt)]
    pub pending: i64,
    /// How long the longest-due pending mail has been due (none when nothing is due).
    #[diesel(sql_type = Nullable<BigInt>)]
    pub overdue_secs: Option<i64>,
}

/// The queue's state for `/healthz`, from the partial index of pending rows only.
pub async fn health(conn: &mut AsyncPgConnection) -> QueryResult<Health> {
    diesel::sql_query(
        "SELECT count(*) AS pending, \
                floor(extract(epoch FROM now() - min(next_attempt_at) \
                      FILTER (WHERE next_attempt_at <= now())))::bigint AS overdue_secs \
           FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .get_result(conn)
    .await
}

/// Puts one row back in the queue, due now, with its attempts reset: a failed or pending
/// row, or a sent one that some recipients refused (it goes again to those only, their
/// refusals forgotten; those who have it are left out). Returns whether a row changed.
pub async fn retry(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<bool> {
    use crate::db::schema::outbox_refusals as r;
    use diesel_async::AsyncConnection;
    conn.transaction(async |conn| {
        let refused = r::table.filter(r::outbox_id.eq(id));
        let n = diesel::update(
            outbox::table
                .find(id)
                .filter(outbox::sent_at.is_null().or(diesel::dsl::exists(refused))),
        )
        .set((
            outbox::sent_at.eq(None::<DateTime<Utc>>),
            outbox::failed_at.eq(None::<DateTime<Utc>>),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
        if n > 0 {
            diesel::delete(refused).execute(conn).await?;
        }
        Ok(n > 0)
    })
    .await
}

/// Puts every failed row back in the queue, their refusals forgotten; returns how many.
pub async fn retry_all_failed(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    use crate::db::schema::outbox_refusals as r;
    use diesel_async::AsyncConnection;
    conn.transaction(async |conn| {
        let failed = outbox::table
            .filter(outbox::failed_at.is_not_null())
            .select(outbox::id);
        diesel::delete(r::table.filter(r::outbox_id.eq_any(failed)))
            .execute(conn)
            .await?;
        diesel::update(outbox::table.filter(outbox::failed_at.is_not_null()))
            .set((
                outbox::failed_at.eq(None::<DateTime<Utc>>),
                outbox::attempts.eq(0),
                outbox::next_attempt_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await
    })
    .await
}

/// An attachment to send with a mail.
#[derive(Debug, Clone, Queryable)]
pub struct AttachmentFile {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

pub async fn attachments(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<AttachmentFile>> {
    use crate::db::schema::attachments as a;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    a::table
        .filter(a::id.eq_any(ids))
        .select((a::id, a::filename, a::content_type, a::data))
        .load(conn)
        .await
}

/// The tickets that queued filing mails (acknowledgements, notifications) are rendered
/// from, in one query.
pub async fn tickets_for_mail(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<super::notification::NotifiedTicket>> {
    use diesel::SelectableHelper;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tickets::table
        .filter(tickets::id.eq_any(ids))
        .select(super::notification::NotifiedTicket::as_select())
        .load(conn)
        .await
}

/// The names and sizes of the files the citizens sent with `ids` (never their bytes).
pub async fn citizen_files(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<super::notification::FiledFile>> {
    use crate::db::schema::attachments as a;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String, i32)> = a::table
        .filter(a::ticket_id.eq_any(ids))
        .filter(a::origin.eq("citizen"))
        .order((a::ticket_id, a::id))
        .select((a::ticket_id, a::filename, a::size_bytes))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(ticket_id, filename, size_bytes)| super::notification::FiledFile {
                ticket_id,
                filename,
                size_bytes,
            },
        )
        .collect())
}
