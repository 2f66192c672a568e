//! The `inbound_mail` table: messages stored as they arrive (one commit each, once per
//! key), claimed for processing with `FOR UPDATE SKIP LOCKED`, finished, retried with
//! backoff, and the staff's review list.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::inbound_mail as im;
use crate::domain::inbound::{InboundOutcome, InboundSource, InboundState};

/// A message to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = im)]
pub struct NewInbound<'a> {
    pub source: InboundSource,
    pub message_key: &'a str,
    pub raw: &'a [u8],
    pub size: i32,
    pub state: InboundState,
    pub outcome: Option<InboundOutcome>,
}

/// Stores a message; `None` when one with the same key is already stored. The answer
/// is read to its end, so `Some` means committed (`pakn mail receive` exits 0 on it).
pub async fn store(conn: &mut AsyncPgConnection, row: &NewInbound<'_>) -> QueryResult<Option<i64>> {
    super::durable::optional(
        diesel::insert_into(im::table)
            .values(row)
            .on_conflict(im::message_key)
            .do_nothing()
            .returning(im::id),
        conn,
    )
    .await
}

/// A stored message claimed for processing.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = im)]
pub struct InboundRow {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub source: InboundSource,
    pub raw: Vec<u8>,
    pub size: i32,
    pub state: InboundState,
    pub outcome: Option<InboundOutcome>,
    pub attempts: i32,
}

/// Claims up to `limit` messages due for processing, oldest first, skipping those
/// another process holds. (A message too large to keep is stored new, with its outcome
/// already set, so that processing tells its sender.)
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    limit: i64,
    now: DateTime<Utc>,
) -> QueryResult<Vec<InboundRow>> {
    im::table
        .filter(im::state.eq(InboundState::New))
        .filter(im::next_attempt_at.le(now))
        .order(im::next_attempt_at.asc())
        .limit(limit)
        .for_update()
        .skip_locked()
        .select(InboundRow::as_select())
        .load(conn)
        .await
}

/// Claims message `id` if it is still new and nobody holds it.
pub async fn claim_one(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<InboundRow>> {
    im::table
        .filter(im::id.eq(id))
        .filter(im::state.eq(InboundState::New))
        .for_update()
        .skip_locked()
        .select(InboundRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// How processing ended.
#[derive(Debug, Clone, Default)]
pub struct Finish {
    pub state: Option<InboundState>,
    pub outcome: Option<InboundOutcome>,
    pub ticket_id: Option<i64>,
    pub event_id: Option<i64>,
    pub sender_hash: Option<Vec<u8>>,
}

pub async fn finish(
    conn: &mut AsyncPgConnection,
    id: i64,
    f: &Finish,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(im::table.find(id))
        .set((
            im::state.eq(f.state.unwrap_or(InboundState::Done)),
            im::outcome.eq(f.outcome),
            im::ticket_id.eq(f.ticket_id),
            im::event_id.eq(f.event_id),
            im::sender_hash.eq(f.sender_hash.as_deref()),
            im::processed_at.eq(Some(now)),
            im::last_error.eq(None::<String>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a failed try: tried again at `next` or, when `give_up`, left for staff.
pub async fn failed_attempt(
    conn: &mut AsyncPgConnection,
    id: i64,
    error: &str,
    next: DateTime<Utc>,
    give_up: bool,
) -> QueryResult<()> {
    let state = if give_up {
        InboundState::Failed
    } else {
        InboundState::New
    };
    diesel::update(im::table.find(id))
        .set((
            im::attempts.eq(im::attempts + 1),
            im::last_error.eq(Some(error)),
            im::next_attempt_at.eq(next),
            im::state.eq(state),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts a failed or held message back for processing now (staff's "try again").
pub async fn retry(conn: &mut AsyncPgConnection, id: i64, now: DateTime<Utc>) -> QueryResult<bool> {
    let n = diesel::update(
        im::table
            .find(id)
            .filter(im::state.eq_any([InboundState::Failed, InboundState::Held])),
    )
    .set((
        im::state.eq(InboundState::New),
        im::attempts.eq(0),
        im::next_attempt_at.eq(now),
        im::outcome.eq(None::<InboundOutcome>),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Marks a held or failed message as dealt with by staff.
pub async fn discard(
    conn: &mut AsyncPgConnection,
    id: i64,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        im::table
            .find(id)
            .filter(im::state.eq_any([InboundState::Failed, InboundState::Held])),
    )
    .set((
        im::state.eq(InboundState::Ignored),
        im::outcome.eq(Some(InboundOutcome::Discarded)),
        im::processed_at.eq(Some(now)),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// How many messages from `sender_hash` were processed since `since`.
pub async fn count_from_sender(
    conn: &mut AsyncPgConnection,
    sender_hash: &[u8],
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    im::table
        .filter(im::sender_hash.eq(sender_hash))
        .filter(im::received_at.ge(since))
        .count()
        .get_result(conn)
        .await
}

/// How many messages became something on PAKN `ticket_id` since `since`.
pub async fn count_for_ticket(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    since: DateTime<Utc>,
) -> QueryResult<i64> {
    im::table
        .filter(im::ticket_id.eq(ticket_id))
        .filter(im::received_at.ge(since))
        .count()
        .get_result(conn)
        .await
}

/// A line of the staff's review list.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = im)]
pub struct ReviewLine {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub source: InboundSource,
    pub size: i32,
    pub state: InboundState,
    pub outcome: Option<InboundOutcome>,
    pub ticket_id: Option<i64>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

/// The messages waiting for staff (held or failed), newest first.
pub async fn review_list(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<ReviewLine>> {
    im::table
        .filter(im::state.eq_any([InboundState::Held, InboundState::Failed]))
        .order(im::received_at.desc())
        .limit(limit)
        .select(ReviewLine::as_select())
        .load(conn)
        .await
}

/// One stored message with its raw bytes (the review screen reads it).
pub async fn raw(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<(ReviewLine, Vec<u8>)>> {
    im::table
        .find(id)
        .select((ReviewLine::as_select(), im::raw))
        .first(conn)
        .await
        .optional()
}

/// The earliest time a new message is due (the job sleeps until then).
pub async fn next_due(conn: &mut AsyncPgConnection) -> QueryResult<Option<DateTime<Utc>>> {
    im::table
        .filter(im::state.eq(InboundState::New))
        .select(diesel::dsl::min(im::next_attempt_at))
        .first(conn)
        .await
}

/// The ticket whose public id is `public_id`.
pub async fn ticket_by_public_id(
    conn: &mut AsyncPgConnection,
    public_id: &str,
) -> QueryResult<Option<i64>> {
    use super::schema::tickets;
    tickets::table
        .filter(tickets::public_id.eq(public_id))
        .select(tickets::id)
        .first(conn)
        .await
        .optional()
}

/// Records a bounce of the outbox row whose Message-ID key is `message_key`: the failed
/// recipients as refused (with the server's answer), the row as bounced. Returns the
/// row's ticket (`Some(None)` for a mail of no PAKN); `None` when no row has the key.
pub async fn record_bounce(
    conn: &mut AsyncPgConnection,
    message_key: &str,
    failed: &[(String, String)],
    now: DateTime<Utc>,
) -> QueryResult<Option<Option<i64>>> {
    use super::schema::{outbox, outbox_refusals};
    let row: Option<(i64, Option<i64>)> = super::durable::optional(
        diesel::update(outbox::table)
            .filter(outbox::message_id.eq(message_key))
            .set(outbox::bounced_at.eq(Some(now)))
            .returning((outbox::id, outbox::ticket_id)),
        conn,
    )
    .await?;
    let Some((id, ticket_id)) = row else {
        return Ok(None);
    };
    for (address, reply) in failed {
        diesel::insert_into(outbox_refusals::table)
            .values((
                outbox_refusals::outbox_id.eq(id),
                outbox_refusals::address.eq(address),
                outbox_refusals::reply.eq(reply),
                outbox_refusals::refused_at.eq(now),
            ))
            .on_conflict((outbox_refusals::outbox_id, outbox_refusals::address))
            .do_update()
            .set((
                outbox_refusals::reply.eq(reply),
                outbox_refusals::refused_at.eq(now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(Some(ticket_id))
}

/// Wipes the raw text of messages processed before `before` (done, ignored, refused;
/// not those that are new PAKN waiting to be completed): the row stays, so the same
/// message is still recognised. Returns how many.
pub async fn wipe_processed(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(
        im::table
            .filter(im::state.eq_any([
                InboundState::Done,
                InboundState::Ignored,
                InboundState::Refused,
            ]))
            .filter(im::outcome.is_distinct_from(Some(InboundOutcome::Intake)))
            .filter(im::processed_at.lt(before))
            .filter(im::size.gt(0)),
    )
    .set((im::raw.eq(Vec::<u8>::new()), im::size.eq(0)))
    .execute(conn)
    .await
}

/// The ticket and kind of the outbox row whose Message-ID key is `message_key`.
pub async fn outbox_row_of(
    conn: &mut AsyncPgConnection,
    message_key: &str,
) -> QueryResult<Option<(Option<i64>, String)>> {
    use super::schema::outbox;
    outbox::table
        .filter(outbox::message_id.eq(message_key))
        .select((outbox::ticket_id, outbox::kind))
        .first(conn)
        .await
        .optional()
}

/// The channel on which a stored message is announced to the running instances.
pub const CHANNEL: &str = "pakn_inbound";

/// Tells the instances that LISTEN on [`CHANNEL`] that a message waits (after its
/// commit; a lost notification only delays it to the next pass).
pub async fn announce(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query(format!("NOTIFY {CHANNEL}"))
        .execute(conn)
        .await?;
    Ok(())
}

/// A held or failed message with its raw bytes, locked for the staff's decision.
pub async fn held_for_update(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<(ReviewLine, Vec<u8>)>> {
    im::table
        .find(id)
        .filter(im::state.eq_any([InboundState::Held, InboundState::Failed]))
        .for_update()
        .select((ReviewLine::as_select(), im::raw))
        .first(conn)
        .await
        .optional()
}

/// Records that staff attached message `id` to a PAKN as an internal note.
pub async fn attached(
    conn: &mut AsyncPgConnection,
    id: i64,
    ticket_id: i64,
    event_id: i64,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(im::table.find(id))
        .set((
            im::state.eq(InboundState::Done),
            im::outcome.eq(Some(InboundOutcome::InternalNote)),
            im::ticket_id.eq(Some(ticket_id)),
            im::event_id.eq(Some(event_id)),
            im::processed_at.eq(Some(now)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The code of ticket `id`.
pub async fn ticket_code(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<String>> {
    use super::schema::tickets;
    tickets::table
        .find(id)
        .select(tickets::code)
        .first(conn)
        .await
        .optional()
}
