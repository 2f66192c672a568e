//! The `intake_items` table: PAKN sent by email that wait "chờ hoàn thiện" until staff
//! complete and accept them, or mark them as spam (issue 16).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{inbound_mail, intake_items as ii, outbox};
use crate::domain::intake::IntakeState;

/// A new waiting item.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ii)]
pub struct NewItem<'a> {
    pub inbound_id: i64,
    pub received_at: DateTime<Utc>,
    pub sender_email: &'a str,
    pub sender_name: Option<&'a str>,
    pub subject: &'a str,
    pub body: &'a str,
    pub found_phone: Option<&'a str>,
    pub state: IntakeState,
}

/// Stores a new waiting item; its id.
pub async fn insert(conn: &mut AsyncPgConnection, item: &NewItem<'_>) -> QueryResult<i64> {
    let insert = diesel::insert_into(ii::table)
        .values(item)
        .returning(ii::id);
    super::durable::one(insert, conn).await
}

/// Records the acknowledgement queued for item `id`.
pub async fn set_ack(conn: &mut AsyncPgConnection, id: i64, outbox_id: i64) -> QueryResult<()> {
    diesel::update(ii::table.find(id))
        .set(ii::ack_outbox_id.eq(Some(outbox_id)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The outbox row's Message-ID key (its left-hand part).
pub async fn outbox_message_key(
    conn: &mut AsyncPgConnection,
    outbox_id: i64,
) -> QueryResult<String> {
    outbox::table
        .find(outbox_id)
        .select(outbox::message_id)
        .first(conn)
        .await
}

/// The item whose acknowledgement has one of the Message-ID keys `keys` (whatever its
/// state), locked; `None` when there is none.
pub async fn by_ack(conn: &mut AsyncPgConnection, keys: &[String]) -> QueryResult<Option<Item>> {
    if keys.is_empty() {
        return Ok(None);
    }
    let acks: Vec<i64> = outbox::table
        .filter(outbox::message_id.eq_any(keys))
        .select(outbox::id)
        .load(conn)
        .await?;
    if acks.is_empty() {
        return Ok(None);
    }
    ii::table
        .filter(ii::ack_outbox_id.eq_any(acks))
        .order(ii::id.asc())
        .for_update()
        .select(Item::as_select())
        .first(conn)
        .await
        .optional()
}

/// What a reply to the acknowledgement changes on its item.
#[derive(Debug, Clone)]
pub struct Appended<'a> {
    pub inbound_id: i64,
    /// The whole text, the reply's added.
    pub body: &'a str,
    pub found_phone: Option<&'a str>,
    pub sender_name: Option<&'a str>,
}

/// Adds a reply to item `id`.
pub async fn append(
    conn: &mut AsyncPgConnection,
    id: i64,
    change: &Appended<'_>,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Array, Int8};
    diesel::update(ii::table.find(id))
        .set((
            ii::body.eq(change.body),
            ii::found_phone.eq(change.found_phone),
            ii::sender_name.eq(change.sender_name),
            ii::reply_ids.eq(sql::<Array<Int8>>("array_append(reply_ids, ")
                .bind::<Int8, _>(change.inbound_id)
                .sql(")")),
            ii::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// One item, as the staff screens and the use cases read it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ii)]
pub struct Item {
    pub id: i64,
    pub inbound_id: i64,
    pub reply_ids: Vec<i64>,
    pub received_at: DateTime<Utc>,
    pub sender_email: String,
    pub sender_name: Option<String>,
    pub subject: String,
    pub body: String,
    pub found_phone: Option<String>,
    pub state: IntakeState,
    pub ticket_id: Option<i64>,
    pub decided_by: Option<i32>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The waiting items, newest first.
pub async fn waiting(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<Item>> {
    ii::table
        .filter(ii::state.eq(IntakeState::Waiting))
        .order((ii::received_at.desc(), ii::id.desc()))
        .limit(limit)
        .select(Item::as_select())
        .load(conn)
        .await
}

/// How many items wait.
pub async fn count_waiting(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    ii::table
        .filter(ii::state.eq(IntakeState::Waiting))
        .count()
        .get_result(conn)
        .await
}

/// Item `id`, if it exists.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Item>> {
    ii::table
        .find(id)
        .select(Item::as_select())
        .first(conn)
        .await
        .optional()
}

/// Item `id`, locked until the transaction ends.
pub async fn lock(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Item>> {
    ii::table
        .find(id)
        .for_update()
        .select(Item::as_select())
        .first(conn)
        .await
        .optional()
}

/// The raw messages of an item (the first, then its replies), oldest first.
pub async fn raws(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Vec<u8>>> {
    inbound_mail::table
        .filter(inbound_mail::id.eq_any(ids))
        .order(inbound_mail::id.asc())
        .select(inbound_mail::raw)
        .load(conn)
        .await
}

/// Records staff's decision on a waiting item: accepted as `ticket_id`, or spam.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    id: i64,
    state: IntakeState,
    ticket_id: Option<i64>,
    user_id: i32,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let n = diesel::update(
        ii::table
            .find(id)
            .filter(ii::state.eq(IntakeState::Waiting)),
    )
    .set((
        ii::state.eq(state),
        ii::ticket_id.eq(ticket_id),
        ii::decided_by.eq(Some(user_id)),
        ii::decided_at.eq(Some(now)),
        ii::updated_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Wipes what a decided item (accepted or spam) holds of its sender and their mail once
/// it was decided before `before`: the item keeps its state, times and ticket; its
/// messages (the first and the replies added) lose their raw text. An accepted item's
/// data lives on in its PAKN, under the PAKN's own retention. Returns how many items.
pub async fn wipe_decided(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    let query = diesel::sql_query(
        "WITH gone AS (
            UPDATE intake_items
               SET sender_email = '', sender_name = NULL, subject = '', body = '',
                   found_phone = NULL, updated_at = now()
             WHERE state <> 'waiting' AND decided_at < $1 AND sender_email <> ''
            RETURNING inbound_id, reply_ids),
         raws AS (
            UPDATE inbound_mail SET raw = '', size = 0
             WHERE id IN (SELECT inbound_id FROM gone UNION ALL SELECT unnest(reply_ids) FROM gone)
            RETURNING id)
         SELECT count(*) AS n FROM gone",
    )
    .bind::<diesel::sql_types::Timestamptz, _>(before);
    let wiped: Wiped = super::durable::one(query, conn).await?;
    Ok(usize::try_from(wiped.n).unwrap_or(0))
}

#[derive(QueryableByName)]
struct Wiped {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
