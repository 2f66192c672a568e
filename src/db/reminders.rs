//! The rows of the reminder pass (issue 15, parts 3 and 5): the clocks of open and
//! answered PAKN read from covering partial indexes, the open data-subject requests, and
//! the once-keys in `reminders_sent`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::reminders::{Deadline, ReminderKind};
use crate::domain::status::Status;

/// An open PAKN's clock (read through `tickets_open_due` and the heap: migration 000042 dropped
/// the covering index every filing had to write).
#[derive(Debug, Clone, QueryableByName)]
pub struct OpenClock {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub status: Status,
    #[diesel(sql_type = Date)]
    pub accept_due: NaiveDate,
    #[diesel(sql_type = Date)]
    pub forward_due: NaiveDate,
    #[diesel(sql_type = Date)]
    pub reply_due: NaiveDate,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_public_note_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub assignee_id: Option<i32>,
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub routing_rule_id: Option<i32>,
}

/// The open PAKN whose reply is due on or before `horizon`, and every submitted or
/// pending-approval one (their other clocks run earlier).
pub async fn open_clocks(
    conn: &mut AsyncPgConnection,
    horizon: NaiveDate,
) -> QueryResult<Vec<OpenClock>> {
    diesel::sql_query(concat!(
        "SELECT id, status, accept_due, forward_due, reply_due, last_public_note_at, \
                assignee_id, unit_id, routing_rule_id \
           FROM tickets WHERE ",
        open_status_sql!(),
        " AND (reply_due <= $1 OR status IN ('submitted', 'pending_approval'))"
    ))
    .bind::<Date, _>(horizon)
    .load(conn)
    .await
}

/// When the draft now waiting of each PAKN pending approval was submitted.
pub async fn pending_drafts(
    conn: &mut AsyncPgConnection,
    ticket_ids: &[i64],
) -> QueryResult<Vec<(i64, DateTime<Utc>)>> {
    use super::schema::replies;
    if ticket_ids.is_empty() {
        return Ok(Vec::new());
    }
    replies::table
        .filter(replies::state.eq("pending"))
        .filter(replies::ticket_id.eq_any(ticket_ids))
        .group_by(replies::ticket_id)
        .select((replies::ticket_id, diesel::dsl::max(replies::created_at)))
        .load::<(i64, Option<DateTime<Utc>>)>(conn)
        .await
        .map(|rows| {
            rows.into_iter()
                .filter_map(|(id, at)| at.map(|at| (id, at)))
                .collect()
        })
}

/// An answered PAKN with consent to publish and no public copy ever published.
#[derive(Debug, Clone, QueryableByName)]
pub struct UnpublishedAnswer {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Timestamptz)]
    pub answered_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub assignee_id: Option<i32>,
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub routing_rule_id: Option<i32>,
}

/// The SQL condition of the publication clock on `tickets` (the partial index
/// `tickets_publication_clock` and the queue's filter share it).
pub const PUBLICATION_CLOCK_SQL: &str = "status = 'answered' AND publish_consent \
     AND answered_at IS NOT NULL \
     AND NOT EXISTS (SELECT 1 FROM public_answers pa \
                      WHERE pa.ticket_id = tickets.id AND pa.published_at IS NOT NULL)";

/// Answered PAKN waiting for their public copy, answered before `before`.
pub async fn unpublished_answers(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<Vec<UnpublishedAnswer>> {
    diesel::sql_query(format!(
        "SELECT id, answered_at, assignee_id, unit_id, routing_rule_id FROM tickets \
          WHERE {PUBLICATION_CLOCK_SQL} AND answered_at < $1"
    ))
    .bind::<Timestamptz, _>(before)
    .load(conn)
    .await
}

/// When a PAKN whose publication clock runs was answered (`None`: no clock runs).
pub async fn publication_clock(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Option<DateTime<Utc>>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Timestamptz)]
        answered_at: DateTime<Utc>,
    }
    let row: Option<Row> = diesel::sql_query(format!(
        "SELECT answered_at FROM tickets WHERE id = $1 AND {PUBLICATION_CLOCK_SQL}"
    ))
    .bind::<BigInt, _>(ticket_id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(row.map(|r| r.answered_at))
}

/// An open data-subject request (no personal data: its id, kind, due date, assignee).
#[derive(Debug, Clone, Queryable)]
pub struct OpenRequest {
    pub id: i64,
    pub kind: String,
    pub due_on: NaiveDate,
    pub assigned_to: Option<i32>,
}

/// The open data-subject requests due on or before `horizon`.
pub async fn open_requests(
    conn: &mut AsyncPgConnection,
    horizon: NaiveDate,
) -> QueryResult<Vec<OpenRequest>> {
    use super::schema::privacy_requests as p;
    p::table
        .filter(p::handled_at.is_null())
        .filter(p::due_on.le(horizon))
        .select((p::id, p::kind, p::due_on, p::assigned_to))
        .load(conn)
        .await
}

/// The key of one reminder: a PAKN's or a data-subject request's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub ticket_id: Option<i64>,
    pub privacy_request_id: Option<i64>,
    pub deadline: Deadline,
    pub kind: ReminderKind,
    pub due_on: NaiveDate,
}

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    ticket_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    privacy_request_id: Option<i64>,
    #[diesel(sql_type = Text)]
    deadline: Deadline,
    #[diesel(sql_type = Text)]
    kind: ReminderKind,
    #[diesel(sql_type = Date)]
    due_on: NaiveDate,
}

/// Records the keys in one statement and returns those that were new: the reminders to
/// send now. Call in the transaction that queues their mail; a key another transaction
/// holds uncommitted waits for it, then counts as sent.
pub async fn claim(conn: &mut AsyncPgConnection, keys: &[Key]) -> QueryResult<Vec<Key>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let tickets: Vec<Option<i64>> = keys.iter().map(|k| k.ticket_id).collect();
    let requests: Vec<Option<i64>> = keys.iter().map(|k| k.privacy_request_id).collect();
    let deadlines: Vec<&str> = keys.iter().map(|k| k.deadline.as_str()).collect();
    let kinds: Vec<&str> = keys.iter().map(|k| k.kind.as_str()).collect();
    let dates: Vec<NaiveDate> = keys.iter().map(|k| k.due_on).collect();
    let rows: Vec<KeyRow> = diesel::sql_query(
        "INSERT INTO reminders_sent (ticket_id, privacy_request_id, deadline, kind, due_on) \
         SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::date[]) \
         ON CONFLICT DO NOTHING \
         RETURNING ticket_id, privacy_request_id, deadline, kind, due_on",
    )
    .bind::<Array<Nullable<BigInt>>, _>(tickets)
    .bind::<Array<Nullable<BigInt>>, _>(requests)
    .bind::<Array<Text>, _>(deadlines)
    .bind::<Array<Text>, _>(kinds)
    .bind::<Array<Date>, _>(dates)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Key {
            ticket_id: r.ticket_id,
            privacy_request_id: r.privacy_request_id,
            deadline: r.deadline,
            kind: r.kind,
            due_on: r.due_on,
        })
        .collect())
}

/// What a reminder says of a PAKN (no personal data: its code, title, confidentiality).
#[derive(Debug, Clone, Queryable)]
pub struct Subject {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub confidential: bool,
    pub unit_id: i32,
}

pub async fn subjects(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Subject>> {
    use super::schema::tickets;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    tickets::table
        .filter(tickets::id.eq_any(ids))
        .select((
            tickets::id,
            tickets::code,
            tickets::title,
            tickets::confidential,
            tickets::unit_id,
        ))
        .load(conn)
        .await
}

/// The keys recorded for a PAKN (tests and the ticket page's history of reminders).
pub async fn sent_for(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Vec<(Deadline, ReminderKind, NaiveDate)>> {
    use super::schema::reminders_sent as r;
    r::table
        .filter(r::ticket_id.eq(ticket_id))
        .order(r::id)
        .select((r::deadline, r::kind, r::due_on))
        .load(conn)
        .await
}
