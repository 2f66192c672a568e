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

/// Forgets windows that ended more than a day ago.
pub async fn sweep(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM rate_limits WHERE window_start < now() - interval '1 day'")
        .execute(conn)
        .await
}
