//! Issue 13: a success answer after a write is sent only once Postgres has confirmed the
//! commit. A deferred constraint trigger that refuses at commit stands in for a crash
//! between a statement's result and its commit: the statement's rows arrive, the commit
//! then fails, and the citizen must not be told the PAKN was filed.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::tickets;
use reqwest::StatusCode;

use crate::filing::{form_of, fresh_form, post, valid_fields};
use crate::support::app::TestApp;

async fn refuse_commits_of_tickets(app: &TestApp) {
    let mut conn = app.conn().await;
    for sql in [
        "CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'commit refused (test)'; END $$",
        "CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT ON tickets \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()",
    ] {
        diesel::sql_query(sql)
            .execute(&mut conn)
            .await
            .expect("the trigger is created");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filing_whose_commit_fails_is_never_answered_as_filed() {
    let app = TestApp::spawn().await;
    refuse_commits_of_tickets(&app).await;
    let token = fresh_form(&app).await;
    let (status, _, location) = post(&app, form_of(&valid_fields(&token))).await;
    let mut conn = app.conn().await;
    let stored: i64 = tickets::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stored, 0, "the commit was refused");
    assert_ne!(status, StatusCode::SEE_OTHER, "told filed at {location:?}");
    assert!(status.is_server_error(), "{status}");
    app.stop().await;
}
