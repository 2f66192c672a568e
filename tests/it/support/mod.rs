//! Shared helpers for the integration tests.

pub mod app;
pub mod axe;
pub mod browser;
pub mod cluster;
pub mod dovecot;
pub mod outbox;
pub mod pg;
pub mod smtp;

use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The bigint `n` that `sql` selects (`SELECT count(*) AS n ...`).
pub async fn count(conn: &mut AsyncPgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .expect(sql)
        .n
}
