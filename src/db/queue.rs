//! The staff queue: filtered, searched, keyset-paginated lists of tickets, and the
//! counts shown beside them (from the sharded counters and the open-tickets index, never
//! a `count(*)` over the table).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::tickets;
use crate::domain::search::{SearchTerm, tsquery};

/// The statuses whose reply deadline still runs.
pub const OPEN_STATUSES: [&str; 5] = [
    "submitted",
    "needs_info",
    "accepted",
    "in_progress",
    "pending_approval",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueFilter {
    Overdue,
    Soon,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    User(i32),
    Nobody,
}

/// A position in the list: the last row shown (received_at, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub received_at: DateTime<Utc>,
    pub id: i64,
}

impl Cursor {
    /// `<microseconds since epoch>.<id>`: opaque, URL-safe.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.received_at.timestamp_micros(), self.id)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (micros, id) = s.split_once('.')?;
        Some(Cursor {
            received_at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub term: Option<SearchTerm>,
    pub status: Option<String>,
    pub field: Option<String>,
    pub unit: Option<i32>,
    pub assignee: Option<AssigneeFilter>,
    pub due: Option<DueFilter>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub spam_only: bool,
    pub after: Option<Cursor>,
}

/// What the user may see: every unit, or one; and the default time window of searches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope {
    pub unit: Option<i32>,
    pub since: Option<DateTime<Utc>>,
}

/// Dates the due filters compare with (local dates, from the calendar).
#[derive(Debug, Clone, Copy)]
pub struct DueDates {
    pub today: NaiveDate,
    /// The last due date that counts as "due soon".
    pub soon_until: NaiveDate,
}

/// One line of the queue: names but no phone, email or address.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct QueueRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: String,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub kind: String,
    pub field_code: String,
    pub unit_id: i32,
    pub assignee_id: Option<i32>,
    pub channel: String,
    pub received_at: DateTime<Utc>,
    pub reply_due: NaiveDate,
    pub suspected_spam: bool,
    pub confidential: bool,
}

/// A page of the queue and whether more follow.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    limit: i64,
) -> QueryResult<(Vec<QueueRow>, bool)> {
    let mut q = tickets::table.select(QueueRow::as_select()).into_boxed();
    let exact = filter.term.as_ref().is_some_and(SearchTerm::is_exact);
    if let Some(unit) = scope.unit {
        q = q.filter(tickets::unit_id.eq(unit));
    }
    if let (Some(since), Some(_), false) = (scope.since, &filter.term, exact) {
        q = q.filter(tickets::received_at.ge(since));
    }
    match &filter.term {
        Some(SearchTerm::Code(code)) => q = q.filter(tickets::code.eq(code.as_str().to_string())),
        Some(SearchTerm::Phone(phone)) => {
            let digits = phone.as_str().to_string();
            q = q.filter(
                tickets::phone
                    .eq(digits.clone())
                    .or(tickets::code.eq(digits)),
            );
        }
        Some(SearchTerm::Words { words, dossier }) => {
            let ts = tsquery(words);
            q = match (ts, dossier.clone()) {
                (Some(ts), Some(d)) => q.filter(
                    sql::<Bool>("(to_tsvector('simple', search_text) @@ to_tsquery('simple', ")
                        .bind::<Text, _>(ts)
                        .sql(") OR dossier_code = ")
                        .bind::<Text, _>(d)
                        .sql(")"),
                ),
                (Some(ts), None) => q.filter(
                    sql::<Bool>("to_tsvector('simple', search_text) @@ to_tsquery('simple', ")
                        .bind::<Text, _>(ts)
                        .sql(")"),
                ),
                (None, Some(d)) => q.filter(tickets::dossier_code.eq(d)),
                (None, None) => q,
            };
        }
        None => {}
    }
    if let Some(status) = &filter.status {
        q = q.filter(tickets::status.eq(status.clone()));
    }
    if let Some(field) = &filter.field {
        q = q.filter(tickets::field_code.eq(field.clone()));
    }
    if let Some(unit) = filter.unit {
        q = q.filter(tickets::unit_id.eq(unit));
    }
    match filter.assignee {
        Some(AssigneeFilter::User(id)) => q = q.filter(tickets::assignee_id.eq(id)),
        Some(AssigneeFilter::Nobody) => q = q.filter(tickets::assignee_id.is_null()),
        None => {}
    }
    match filter.due {
        Some(DueFilter::Overdue) => {
            q = q
                .filter(tickets::status.eq_any(OPEN_STATUSES))
                .filter(tickets::reply_due.lt(due.today));
        }
        Some(DueFilter::Soon) => {
            q = q
                .filter(tickets::status.eq_any(OPEN_STATUSES))
                .filter(tickets::reply_due.ge(due.today))
                .filter(tickets::reply_due.le(due.soon_until));
        }
        None => {}
    }
    if let Some(from) = filter.from {
        q = q.filter(tickets::received_at.ge(from));
    }
    if let Some(to) = filter.to {
        q = q.filter(tickets::received_at.lt(to));
    }
    if filter.spam_only {
        q = q.filter(tickets::suspected_spam);
    }
    if let Some(after) = filter.after {
        q = q.filter(
            sql::<Bool>("(received_at, id) < (")
                .bind::<Timestamptz, _>(after.received_at)
                .sql(", ")
                .bind::<BigInt, _>(after.id)
                .sql(")"),
        );
    }
    let mut rows: Vec<QueueRow> = q
        .order((tickets::received_at.desc(), tickets::id.desc()))
        .limit(limit + 1)
        .load(conn)
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// Tickets per status in a unit (or all units) and lĩnh vực (or all), summed over the
/// counter shards.
pub async fn counts_by_status(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    field: Option<&str>,
) -> QueryResult<Vec<(String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        status: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT status, sum(n)::bigint AS n FROM ticket_counters
         WHERE ($1::int IS NULL OR unit_id = $1) AND ($2::text IS NULL OR field_code = $2)
           AND status NOT LIKE 'outcome:%'
         GROUP BY status",
    )
    .bind::<Nullable<Integer>, _>(unit)
    .bind::<Nullable<Text>, _>(field)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
}

/// Open tickets past their reply deadline, and due within the "soon" window.
pub async fn due_counts(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    due: DueDates,
) -> QueryResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        overdue: i64,
        #[diesel(sql_type = BigInt)]
        soon: i64,
    }
    let row: Row = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE reply_due < $2) AS overdue,
                count(*) FILTER (WHERE reply_due >= $2 AND reply_due <= $3) AS soon
         FROM tickets
         WHERE status IN ('submitted', 'needs_info', 'accepted', 'in_progress', 'pending_approval')
           AND ($1::int IS NULL OR unit_id = $1) AND reply_due <= $3",
    )
    .bind::<Nullable<Integer>, _>(unit)
    .bind::<Date, _>(due.today)
    .bind::<Date, _>(due.soon_until)
    .get_result(conn)
    .await?;
    Ok((row.overdue, row.soon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            received_at: DateTime::from_timestamp_micros(1_764_150_000_123_456).expect("time"),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("x.y"), None);
        assert_eq!(Cursor::decode(""), None);
    }
}
