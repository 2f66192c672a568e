//! Open311's service requests (`/open311/v2/requests`): the published public copies, by
//! their PAKN's public id (`service_request_id`), with what of the PAKN is public (its
//! status, lĩnh vực, unit, dates); never a field of the citizen. A client that filed a
//! PAKN also finds it before it is published, without its text.
//!
//! Statements hold only the filters a query has (a NULL-bound filter left Postgres's
//! generic plan a scan, as in `db::reports`).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::status::Status;

/// One service request as Open311 shows it.
#[derive(Debug, Clone, QueryableByName)]
pub struct RequestRow {
    #[diesel(sql_type = Text)]
    pub service_request_id: String,
    #[diesel(sql_type = Text)]
    pub status: Status,
    #[diesel(sql_type = Text)]
    pub field_code: String,
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = Timestamptz)]
    pub received_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
    #[diesel(sql_type = Date)]
    pub reply_due: NaiveDate,
    /// The public copy's title and question (None before it is published).
    #[diesel(sql_type = Nullable<Text>)]
    pub title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub question: Option<String>,
}

/// Which published requests a list holds.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// Given, these ids alone (the other filters are ignored).
    pub ids: Vec<String>,
    pub service_codes: Vec<String>,
    /// Received in [from, to).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// `Some(true)` open only, `Some(false)` closed only.
    pub open: Option<bool>,
    pub limit: i64,
    pub offset: i64,
}

const COLUMNS: &str = "t.public_id AS service_request_id, t.status, t.field_code, t.unit_id,
       t.received_at, greatest(t.received_at, t.answered_at, t.closed_at, pa.updated_at) AS updated_at,
       t.reply_due, pa.title, pa.question";

/// The open statuses, as SQL (Open311's `open`: the reply deadline still runs).
fn open_statuses() -> String {
    let open: Vec<String> = Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    open.join(", ")
}

/// Published requests matching `q`, newest received first.
pub async fn published(
    conn: &mut AsyncPgConnection,
    q: &RequestQuery,
) -> diesel::QueryResult<Vec<RequestRow>> {
    let mut sql = format!(
        "SELECT {COLUMNS}
           FROM public_answers pa JOIN tickets t ON t.id = pa.ticket_id
          WHERE pa.published_at IS NOT NULL AND pa.unpublished_at IS NULL"
    );
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if !q.ids.is_empty() {
        sql += &format!(" AND t.public_id = ANY(${})", next());
    } else {
        if !q.service_codes.is_empty() {
            sql += &format!(" AND t.field_code = ANY(${})", next());
        }
        if q.from.is_some() {
            sql += &format!(" AND t.received_at >= ${}", next());
        }
        if q.to.is_some() {
            sql += &format!(" AND t.received_at < ${}", next());
        }
        match q.open {
            Some(true) => sql += &format!(" AND t.status IN ({})", open_statuses()),
            Some(false) => sql += &format!(" AND t.status NOT IN ({})", open_statuses()),
            None => {}
        }
    }
    sql += &format!(
        " ORDER BY t.received_at DESC, t.public_id DESC LIMIT ${} OFFSET ${}",
        next(),
        next()
    );
    let mut query = diesel::sql_query(sql).into_boxed();
    if !q.ids.is_empty() {
        query = query.bind::<Array<Text>, _>(q.ids.clone());
    } else {
        if !q.service_codes.is_empty() {
            query = query.bind::<Array<Text>, _>(q.service_codes.clone());
        }
        if let Some(from) = q.from {
            query = query.bind::<Timestamptz, _>(from);
        }
        if let Some(to) = q.to {
            query = query.bind::<Timestamptz, _>(to);
        }
    }
    query
        .bind::<BigInt, _>(q.limit)
        .bind::<BigInt, _>(q.offset)
        .load(conn)
        .await
}

/// The request `id`: its published copy, or, for the client that filed it
/// (`filed_by`, its idempotency-key prefix), the PAKN before it is published (no text).
pub async fn one(
    conn: &mut AsyncPgConnection,
    id: &str,
    filed_by: Option<i32>,
) -> diesel::QueryResult<Option<RequestRow>> {
    use diesel::OptionalExtension;
    diesel::sql_query(format!(
        "SELECT t.public_id AS service_request_id, t.status, t.field_code, t.unit_id,
                t.received_at,
                greatest(t.received_at, t.answered_at, t.closed_at, pa.updated_at) AS updated_at,
                t.reply_due,
                CASE WHEN {listed} THEN pa.title END AS title,
                CASE WHEN {listed} THEN pa.question END AS question
           FROM tickets t LEFT JOIN public_answers pa ON pa.ticket_id = t.id
          WHERE t.public_id = $1
            AND ({listed} OR t.idempotency_key LIKE $2)",
        listed = "(pa.published_at IS NOT NULL AND pa.unpublished_at IS NULL)"
    ))
    .bind::<Text, _>(id)
    // No client: NULL, which matches nothing.
    .bind::<Nullable<Text>, _>(filed_by.map(|c| format!("api:{c}:%")))
    .get_result(conn)
    .await
    .optional()
}
