//! The database harness itself: `.ci/run` runs `db_smoke` once against a closed port so
//! that the private-cluster fallback used on fresh machines cannot rot.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::support::app::TestApp;

#[tokio::test(flavor = "multi_thread")]
async fn db_smoke() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("GET /healthz");
    assert!(res.status().is_success());
    let mut conn = app.conn().await;
    let fields: i64 = pakn::db::schema::fields::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(fields, 14, "the reference seed is applied at start");
    let encoding: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()",
    ))
    .get_result(&mut conn)
    .await
    .expect("encoding");
    assert_eq!(encoding, "UTF8");
    drop(conn);
    app.stop().await;
}
