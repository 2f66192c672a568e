//! The visitor counter's tables: page views per day (with the day's random salt), and
//! who was seen lately (a keyed hash of the address, never the address).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Binary, Date, Integer};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::visit_days;

/// The salt of `day`, drawing `fresh` when the day has no row yet (every instance ends
/// up with the salt of whichever inserted first).
pub async fn salt_of(
    conn: &mut AsyncPgConnection,
    day: NaiveDate,
    fresh: &[u8],
) -> QueryResult<Vec<u8>> {
    diesel::insert_into(visit_days::table)
        .values((
            visit_days::day.eq(day),
            visit_days::views.eq(0_i64),
            visit_days::salt.eq(fresh),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    visit_days::table
        .find(day)
        .select(visit_days::salt)
        .first(conn)
        .await
}

/// Adds views to a day (whose row exists: see [`salt_of`]).
pub async fn add_views(conn: &mut AsyncPgConnection, day: NaiveDate, n: i64) -> QueryResult<usize> {
    diesel::update(visit_days::table.find(day))
        .set(visit_days::views.eq(visit_days::views + n))
        .execute(conn)
        .await
}

/// Marks visitors as seen now.
pub async fn seen(conn: &mut AsyncPgConnection, visitors: &[Vec<u8>]) -> QueryResult<usize> {
    if visitors.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(
        "INSERT INTO visitors_online (visitor, last_seen) SELECT v, now() FROM unnest($1) AS v \
         ON CONFLICT (visitor) DO UPDATE SET last_seen = excluded.last_seen",
    )
    .bind::<Array<Binary>, _>(visitors)
    .execute(conn)
    .await
}

/// Forgets visitors not seen for `older_than_secs`, and the salts of past days (their
/// hashes can then never be linked to an address, even with the database in hand).
pub async fn sweep(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    older_than_secs: i32,
) -> QueryResult<()> {
    diesel::sql_query(
        "DELETE FROM visitors_online WHERE last_seen < now() - make_interval(secs => $1)",
    )
    .bind::<Integer, _>(older_than_secs)
    .execute(conn)
    .await?;
    diesel::sql_query("UPDATE visit_days SET salt = '\\x' WHERE day < $1 AND salt <> '\\x'")
        .bind::<Date, _>(today)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, QueryableByName)]
pub struct Totals {
    #[diesel(sql_type = BigInt)]
    pub total: i64,
    #[diesel(sql_type = BigInt)]
    pub today: i64,
    #[diesel(sql_type = BigInt)]
    pub online: i64,
}

/// Page views in all and today, and distinct visitors seen in the last `online_secs`.
pub async fn totals(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    online_secs: i32,
) -> QueryResult<Totals> {
    diesel::sql_query(
        "SELECT coalesce((SELECT sum(views) FROM visit_days), 0)::bigint AS total, \
                coalesce((SELECT views FROM visit_days WHERE day = $1), 0)::bigint AS today, \
                (SELECT count(*) FROM visitors_online \
                  WHERE last_seen >= now() - make_interval(secs => $2))::bigint AS online",
    )
    .bind::<Date, _>(today)
    .bind::<Integer, _>(online_secs)
    .get_result(conn)
    .await
}
