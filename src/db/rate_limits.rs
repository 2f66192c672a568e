//! Fixed-window hit counters in Postgres, shared by every instance.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Binary, Integer, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(QueryableByName)]
struct Hits {
    #[diesel(sql_type = Integer)]
    hits: i32,
}

/// Counts one hit in the bucket's current window and returns the hits so far.
pub async fn hit(
    conn: &mut AsyncPgConnection,
    bucket: &[u8],
    window_start: DateTime<Utc>,
) -> QueryResult<i32> {
    let row: Hits = crate::db::durable::one(
        diesel::sql_query(
            "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + 1
         RETURNING hits",
        )
        .bind::<Binary, _>(bucket)
        .bind::<Timestamptz, _>(window_start),
        conn,
    )
    .await?;
    Ok(row.hits)
}

/// The hits so far without counting one.
pub async fn peek(
    conn: &mut AsyncPgConnection,
    bucket: &[u8],
    window_start: DateTime<Utc>,
) -> QueryResult<i32> {
    use super::schema::rate_limits::dsl;
    Ok(dsl::rate_limits
        .filter(dsl::bucket.eq(bucket))
        .filter(dsl::window_start.eq(window_start))
        .select(dsl::hits)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(0))
}

/// Takes back one hit of the current window (an attempt counted before it was known to
/// be a success).
pub async fn unhit(
    conn: &mut AsyncPgConnection,
    bucket: &[u8],
    window_start: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::sql_query(
        "UPDATE rate_limits SET hits = greatest(hits - 1, 0) \
          WHERE bucket = $1 AND window_start = $2",
    )
    .bind::<Binary, _>(bucket)
    .bind::<Timestamptz, _>(window_start)
    .execute(conn)
    .await
}

#[derive(QueryableByName)]
struct Wait {
    #[diesel(sql_type = diesel::sql_types::Double)]
    wait: f64,
}

/// Takes the next slot of `subject`'s queue, `step_secs` after the previous one (or
/// after now): the seconds to wait for it. `None` when the queue already reaches
/// `queue_secs` ahead: no slot is taken, so a flood cannot push the queue further.
pub async fn take_slot(
    conn: &mut AsyncPgConnection,
    subject: &[u8],
    step_secs: f64,
    queue_secs: f64,
) -> QueryResult<Option<f64>> {
    let rows: Vec<Wait> = diesel::sql_query(
        "INSERT INTO login_slots AS s (subject, next_at) \
              VALUES ($1, now() + make_interval(secs => $2)) \
         ON CONFLICT (subject) DO UPDATE \
              SET next_at = greatest(now(), s.next_at) + make_interval(secs => $2) \
            WHERE s.next_at < now() + make_interval(secs => $3) \
         RETURNING extract(epoch FROM s.next_at - now())::float8 AS wait",
    )
    .bind::<Binary, _>(subject)
    .bind::<diesel::sql_types::Double, _>(step_secs)
    .bind::<diesel::sql_types::Double, _>(queue_secs)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|w| w.wait.max(0.0)))
}

/// The random salt of the UTC `day`'s bucket keys, drawing `fresh` when the day has
/// none yet: every instance ends up with the salt of whichever inserted first.
pub async fn salt_of(
    conn: &mut AsyncPgConnection,
    day: chrono::NaiveDate,
    fresh: &[u8],
) -> QueryResult<Vec<u8>> {
    use super::schema::rate_limit_salts::dsl;
    diesel::insert_into(dsl::rate_limit_salts)
        .values((dsl::day.eq(day), dsl::salt.eq(fresh)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    dsl::rate_limit_salts
        .find(day)
        .select(dsl::salt)
        .first(conn)
        .await
}

/// Deletes the salts of days before `today` (UTC): their buckets can no longer be
/// linked to any address, even with the secret (security review, finding 16).
pub async fn forget_salts(
    conn: &mut AsyncPgConnection,
    today: chrono::NaiveDate,
) -> QueryResult<usize> {
    use super::schema::rate_limit_salts::dsl;
    diesel::delete(dsl::rate_limit_salts.filter(dsl::day.lt(today)))
        .execute(conn)
        .await
}

/// Forgets windows that ended more than a day ago, and queues long past.
pub async fn sweep(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    let windows =
        diesel::sql_query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
            .execute(conn)
            .await?;
    let slots =
        diesel::sql_query("DELETE FROM login_slots WHERE next_at < now() - interval '1 day'")
            .execute(conn)
            .await?;
    Ok(windows + slots)
}
