//! The sharded status counters: counts per (unit, lĩnh vực, status, month of receipt).
//! Each write adds to one of [`SHARDS`] rows chosen at random, so concurrent filings do
//! not queue on a single hot row (a row lock is held until the commit's WAL flush, so
//! with 16 shards and 16 concurrent filings of one unit and lĩnh vực the collisions
//! halved throughput in `bench/`; 64 shards removed most of them); reads sum the shards.
//! Always called inside the transaction that changes the ticket.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::Rng;

use super::schema::ticket_counters;

pub const SHARDS: i16 = 64;

/// A random shard for one write.
pub fn random_shard() -> i16 {
    rand::rng().random_range(0..SHARDS)
}

/// The first day of the month of `d` (the counters' month key).
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Adds `delta` to the count of (unit, field, status, month).
pub async fn add(
    conn: &mut AsyncPgConnection,
    unit_id: i32,
    field_code: &str,
    status: &str,
    month: NaiveDate,
    delta: i64,
) -> QueryResult<()> {
    let shard = random_shard();
    diesel::insert_into(ticket_counters::table)
        .values((
            ticket_counters::unit_id.eq(unit_id),
            ticket_counters::field_code.eq(field_code),
            ticket_counters::status.eq(status),
            ticket_counters::month.eq(month_of(month)),
            ticket_counters::shard.eq(shard),
            ticket_counters::n.eq(delta),
        ))
        .on_conflict((
            ticket_counters::unit_id,
            ticket_counters::field_code,
            ticket_counters::status,
            ticket_counters::month,
            ticket_counters::shard,
        ))
        .do_update()
        .set(ticket_counters::n.eq(ticket_counters::n + excluded(ticket_counters::n)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Several changes of the counts in one statement (each row on its own random shard).
/// The keys must differ (one row per (unit, lĩnh vực, status, month)).
pub async fn add_all(
    conn: &mut AsyncPgConnection,
    changes: &[(i32, &str, &str, NaiveDate, i64)],
) -> QueryResult<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = changes
        .iter()
        .map(|(unit_id, field_code, status, month, delta)| {
            (
                ticket_counters::unit_id.eq(*unit_id),
                ticket_counters::field_code.eq(*field_code),
                ticket_counters::status.eq(*status),
                ticket_counters::month.eq(month_of(*month)),
                ticket_counters::shard.eq(random_shard()),
                ticket_counters::n.eq(*delta),
            )
        })
        .collect();
    diesel::insert_into(ticket_counters::table)
        .values(rows)
        .on_conflict((
            ticket_counters::unit_id,
            ticket_counters::field_code,
            ticket_counters::status,
            ticket_counters::month,
            ticket_counters::shard,
        ))
        .do_update()
        .set(ticket_counters::n.eq(ticket_counters::n + excluded(ticket_counters::n)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves one ticket from one status to another in the counts.
pub async fn moved(
    conn: &mut AsyncPgConnection,
    unit_id: i32,
    field_code: &str,
    month: NaiveDate,
    from: &str,
    to: &str,
) -> QueryResult<()> {
    add(conn, unit_id, field_code, from, month, -1).await?;
    add(conn, unit_id, field_code, to, month, 1).await
}

/// Total count per status (all units, fields and months), summed over shards.
pub async fn totals_by_status(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT status, sum(n)::bigint AS n FROM ticket_counters
         WHERE status NOT LIKE 'outcome:%' GROUP BY status ORDER BY status",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.status, r.n)).collect())
}
