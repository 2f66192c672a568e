//! The overview's figures: from the sharded counters (open now; per month of receipt,
//! received, answered on time and late, the citizens' ratings) and from the open tickets' due-date index (overdue, due this week);
//! never a scan of the tickets.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Counter "statuses" that record outcomes rather than a current status: added when a
/// reply is sent, never moved.
pub const OUTCOME_ON_TIME: &str = "outcome:on_time";
pub const OUTCOME_LATE: &str = "outcome:late";

/// Open PAKN now per (unit, lĩnh vực).
#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct OpenLine {
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = Text)]
    pub field_code: String,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
}

/// Per (unit, lĩnh vực): open now, whatever the month of receipt. `unit` limits to one
/// unit.
pub async fn open_lines(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
) -> QueryResult<Vec<OpenLine>> {
    diesel::sql_query(concat!(
        "SELECT unit_id, field_code, sum(n)::bigint AS open
         FROM ticket_counters
         WHERE ($1::int IS NULL OR unit_id = $1) AND ",
        open_status_sql!(),
        " GROUP BY unit_id, field_code
         HAVING sum(n) <> 0
         ORDER BY unit_id, field_code",
    ))
    .bind::<Nullable<Integer>, _>(unit)
    .load(conn)
    .await
}

/// The figures of the PAKN received in one month (the counters' key), per (unit, lĩnh
/// vực): received, answered on time and late, and their citizens' ratings.
#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct MonthLine {
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = Text)]
    pub field_code: String,
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    #[diesel(sql_type = BigInt)]
    pub on_time: i64,
    #[diesel(sql_type = BigInt)]
    pub late: i64,
    #[diesel(sql_type = BigInt)]
    pub satisfied: i64,
    #[diesel(sql_type = BigInt)]
    pub neutral: i64,
    #[diesel(sql_type = BigInt)]
    pub unsatisfied: i64,
}

/// Per (unit, lĩnh vực, month of receipt) from `from` (a first of the month) to before
/// `until`; `unit` limits to one unit. A few thousand rows at most (units × lĩnh vực ×
/// 24 months), read from the counters alone.
pub async fn month_lines(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<MonthLine>> {
    diesel::sql_query(
        "SELECT unit_id, field_code, month,
           coalesce(sum(n) FILTER (WHERE status NOT LIKE 'outcome:%'), 0)::bigint AS received,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:on_time'), 0)::bigint AS on_time,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:late'), 0)::bigint AS late,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:rating_satisfied'), 0)::bigint AS satisfied,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:rating_neutral'), 0)::bigint AS neutral,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:rating_unsatisfied'), 0)::bigint AS unsatisfied
         FROM ticket_counters
         WHERE ($1::int IS NULL OR unit_id = $1) AND month >= $2 AND month < $3
         GROUP BY unit_id, field_code, month
         ORDER BY unit_id, field_code, month",
    )
    .bind::<Nullable<Integer>, _>(unit)
    .bind::<Date, _>(from)
    .bind::<Date, _>(until)
    .load(conn)
    .await
}

#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct DueLine {
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
    #[diesel(sql_type = BigInt)]
    pub due_this_week: i64,
}

/// Per unit: open tickets past their reply deadline, and due from today to `week_end`.
pub async fn due_lines(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    today: NaiveDate,
    week_end: NaiveDate,
) -> QueryResult<Vec<DueLine>> {
    diesel::sql_query(concat!(
        "SELECT unit_id,
           count(*) FILTER (WHERE reply_due < $2) AS overdue,
           count(*) FILTER (WHERE reply_due >= $2) AS due_this_week
         FROM tickets
         WHERE ",
        open_status_sql!(),
        " AND reply_due <= $3 AND ($1::int IS NULL OR unit_id = $1)
         GROUP BY unit_id ORDER BY unit_id",
    ))
    .bind::<Nullable<Integer>, _>(unit)
    .bind::<Date, _>(today)
    .bind::<Date, _>(week_end)
    .load(conn)
    .await
}

/// Everything the overview reads, for one scope: kept a few seconds per instance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OverviewCounts {
    pub open: Vec<OpenLine>,
    pub months: Vec<MonthLine>,
    pub dues: Vec<DueLine>,
    /// What the working-day calendar lacks for the coming year (issue 19, item 6).
    pub calendar_gaps: Vec<crate::domain::calendar_coverage::Gap>,
}
