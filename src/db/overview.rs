//! The overview's figures: from the sharded counters (open, received in a month, answered
//! on time and late, the citizens' ratings) and from the open tickets' due-date index (overdue, due this week);
//! never a scan of the tickets.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Counter "statuses" that record outcomes rather than a current status: added when a
/// reply is sent, never moved.
pub const OUTCOME_ON_TIME: &str = "outcome:on_time";
pub const OUTCOME_LATE: &str = "outcome:late";

#[derive(Debug, Clone, Default, PartialEq, Eq, QueryableByName)]
pub struct CounterLine {
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = Text)]
    pub field_code: String,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
    #[diesel(sql_type = BigInt)]
    pub received_this_month: i64,
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

/// Per (unit, lĩnh vực): open now, received in `month`, answered on time and late (all
/// time). `unit` limits to one unit.
pub async fn counter_lines(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    month: NaiveDate,
) -> QueryResult<Vec<CounterLine>> {
    diesel::sql_query(concat!(
        "SELECT unit_id, field_code,
           coalesce(sum(n) FILTER (WHERE ",
        open_status_sql!(),
        "), 0)::bigint AS open,
           coalesce(sum(n) FILTER (WHERE month = $2 AND status NOT LIKE 'outcome:%'), 0)::bigint AS received_this_month,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:on_time'), 0)::bigint AS on_time,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:late'), 0)::bigint AS late,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:rating_satisfied'), 0)::bigint AS satisfied,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:rating_neutral'), 0)::bigint AS neutral,
           coalesce(sum(n) FILTER (WHERE status = 'outcome:rating_unsatisfied'), 0)::bigint AS unsatisfied
         FROM ticket_counters
         WHERE ($1::int IS NULL OR unit_id = $1)
         GROUP BY unit_id, field_code
         ORDER BY unit_id, field_code",
    ))
    .bind::<Nullable<Integer>, _>(unit)
    .bind::<Date, _>(month)
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
