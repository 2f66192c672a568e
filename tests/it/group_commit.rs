//! Issue 21: group commit of filings. The form's filings that arrive while the writer is
//! busy are stored together in one statement and one commit; a bad row fails only
//! itself; a writer's connection killed in the middle of a group answers no filing it
//! did not commit, and files each one once.
//!
//! Each test runs one writer (`[database] filing_writers = 1`) and steers it with a
//! trigger of its own: a ticket whose title starts with `k1:` or `k2:` waits for the
//! test's advisory lock 1 or 2, and one starting with `bad:` is refused. So the test
//! decides which filings make up a group.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use reqwest::StatusCode;

use crate::filing::{form_of, fresh_form, post_with, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::count;

async fn steering_trigger(app: &TestApp) {
    let mut conn = app.conn().await;
    conn.batch_execute(
        "CREATE FUNCTION steer_filing() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
             IF NEW.title LIKE 'k1:%' THEN PERFORM pg_advisory_xact_lock_shared(1); END IF;
             IF NEW.title LIKE 'k2:%' THEN PERFORM pg_advisory_xact_lock_shared(2); END IF;
             IF NEW.title LIKE 'bad:%' THEN RAISE EXCEPTION 'refused (test)'; END IF;
             RETURN NEW;
         END $$;
         CREATE TRIGGER steer_filing BEFORE INSERT ON tickets
             FOR EACH ROW EXECUTE FUNCTION steer_filing();",
    )
    .await
    .expect("the steering trigger is created");
}

async fn lock(conn: &mut AsyncPgConnection, key: i64, take: bool) {
    let f = if take {
        "pg_advisory_lock"
    } else {
        "pg_advisory_unlock"
    };
    conn.batch_execute(&format!("SELECT {f}({key})"))
        .await
        .expect("advisory lock");
}

async fn app_with_one_writer() -> TestApp {
    let app = TestApp::spawn_with(|cfg| cfg.database.filing_writers = 1).await;
    steering_trigger(&app).await;
    app
}

/// Posts the valid form with `title` and a fresh token (or `token`), in the background.
async fn post_titled(
    app: &TestApp,
    title: &str,
    token: Option<String>,
) -> tokio::task::JoinHandle<(StatusCode, String, Option<String>)> {
    let token = match token {
        Some(t) => t,
        None => fresh_form(app).await,
    };
    let fields = with(&valid_fields(&token), "title", title);
    let client = app.client.clone();
    let url = app.url("/feedback");
    tokio::spawn(async move { post_with(&client, url, form_of(&fields)).await })
}

/// Waits until `n` backends wait for an advisory lock (filings held by the trigger).
async fn wait_for_waiters(conn: &mut AsyncPgConnection, n: i64) {
    for _ in 0..200 {
        let waiting = count(
            conn,
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
        )
        .await;
        if waiting >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} filings never waited for the test's lock");
}

async fn wait_for_rows(conn: &mut AsyncPgConnection, n: usize) {
    for _ in 0..200 {
        if stored(conn).await.len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} tickets were never stored: {:?}", stored(conn).await);
}

#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    tx: String,
}

async fn stored(conn: &mut AsyncPgConnection) -> Vec<(String, String)> {
    diesel::sql_query("SELECT title, xmin::text AS tx FROM tickets ORDER BY title")
        .load::<Stored>(conn)
        .await
        .expect("tickets")
        .into_iter()
        .map(|s| (s.title, s.tx))
        .collect()
}

/// The writer busy with `k1:first` (held by lock 1) while the next filings queue.
async fn writer_busy(
    app: &TestApp,
    locks: &mut AsyncPgConnection,
) -> tokio::task::JoinHandle<(StatusCode, String, Option<String>)> {
    lock(locks, 1, true).await;
    let first = post_titled(app, "k1: the first filing, alone", None).await;
    wait_for_waiters(locks, 1).await;
    first
}

/// Waits until `n` filings wait for the writer (they parse and check the form first).
async fn let_them_queue(app: &TestApp, n: usize) {
    for _ in 0..600 {
        if app.state().filings.waiting() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{n} filings never queued");
}

#[tokio::test(flavor = "multi_thread")]
async fn filings_arriving_together_share_one_statement_and_each_gets_its_receipt() {
    let app = app_with_one_writer().await;
    let mut locks = app.conn().await;
    let first = writer_busy(&app, &mut locks).await;
    let token = fresh_form(&app).await;
    let queued = vec![
        post_titled(&app, "group b: chậm trả kết quả", None).await,
        post_titled(&app, "group c: chậm trả kết quả", None).await,
        post_titled(&app, "group d: chậm trả kết quả", Some(token.clone())).await,
        // The same form sent twice (a double tap): one PAKN, one receipt for both.
        post_titled(&app, "group d: chậm trả kết quả", Some(token)).await,
    ];
    let_them_queue(&app, 4).await;
    lock(&mut locks, 1, false).await;
    let (status, _, _) = first.await.expect("first");
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut locations = Vec::new();
    for post in queued {
        let (status, body, location) = post.await.expect("queued post");
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        locations.push(location.expect("a receipt"));
    }
    assert_eq!(locations[2], locations[3], "the double tap finds the first");
    assert_ne!(locations[0], locations[1]);

    let mut conn = app.conn().await;
    let rows = stored(&mut conn).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    let group: Vec<&String> = rows
        .iter()
        .filter(|(t, _)| t.starts_with("group"))
        .map(|(_, tx)| tx)
        .collect();
    assert_eq!(group.len(), 3);
    assert!(
        group.iter().all(|tx| *tx == group[0]),
        "one commit for the group: {rows:?}"
    );
    let first_tx = &rows
        .iter()
        .find(|(t, _)| t.starts_with("k1"))
        .expect("first")
        .1;
    assert_ne!(first_tx, group[0]);
    // Each PAKN has its event, its counts and its acknowledgement.
    let sql = [
        (
            "SELECT count(*) AS n FROM ticket_events WHERE event = 'submitted'",
            4,
        ),
        (
            "SELECT coalesce(sum(n), 0)::bigint AS n FROM ticket_counters WHERE status = 'submitted'",
            4,
        ),
        (
            "SELECT coalesce(sum(n), 0)::bigint AS n FROM report_counts WHERE metric = 'received' AND basis = 'receipt'",
            4,
        ),
        (
            "SELECT coalesce(sum(n), 0)::bigint AS n FROM report_counts WHERE metric = 'received' AND basis = 'event'",
            4,
        ),
        ("SELECT count(*) AS n FROM outbox WHERE kind = 'ack'", 4),
        (
            "SELECT count(DISTINCT ticket_id) AS n FROM outbox WHERE kind = 'notify'",
            4,
        ),
    ];
    for (q, want) in sql {
        assert_eq!(count(&mut conn, q).await, want, "{q}");
    }
    let mail = app.take_mail().await;
    assert!(!mail.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_the_database_refuses_fails_only_itself_and_the_rest_of_its_group_is_filed() {
    let app = app_with_one_writer().await;
    let mut locks = app.conn().await;
    let first = writer_busy(&app, &mut locks).await;
    let queued = vec![
        post_titled(&app, "good 1: chậm trả kết quả", None).await,
        post_titled(&app, "bad: chậm trả kết quả", None).await,
        post_titled(&app, "good 2: chậm trả kết quả", None).await,
    ];
    let_them_queue(&app, 3).await;
    lock(&mut locks, 1, false).await;
    assert_eq!(first.await.expect("first").0, StatusCode::SEE_OTHER);
    let mut answers = Vec::new();
    for post in queued {
        answers.push(post.await.expect("queued post").0);
    }
    assert_eq!(answers[0], StatusCode::SEE_OTHER);
    assert!(answers[1].is_server_error(), "{:?}", answers[1]);
    assert_eq!(answers[2], StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    let titles: Vec<String> = stored(&mut conn).await.into_iter().map(|r| r.0).collect();
    assert_eq!(
        titles,
        vec![
            "good 1: chậm trả kết quả",
            "good 2: chậm trả kết quả",
            "k1: the first filing, alone"
        ]
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT coalesce(sum(n), 0)::bigint AS n FROM ticket_counters"
        )
        .await,
        3,
        "the refused group's counts were rolled back"
    );
    let _ = app.take_mail().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_writer_killed_in_the_middle_of_a_group_answers_only_what_is_committed_and_files_each_once()
 {
    let app = app_with_one_writer().await;
    let mut locks = app.conn().await;
    lock(&mut locks, 2, true).await;
    let first = writer_busy(&app, &mut locks).await;
    // In this order in the queue: the per-row retries go in the group's order.
    let mut queued = Vec::new();
    for (n, title) in [
        "kill a: chậm trả kết quả",
        "kill b: chậm trả kết quả",
        "k2: the group waits here",
    ]
    .into_iter()
    .enumerate()
    {
        queued.push(post_titled(&app, title, None).await);
        let_them_queue(&app, n + 1).await;
    }
    // The first filing goes; the group starts, stores two rows and waits at the third.
    lock(&mut locks, 1, false).await;
    assert_eq!(first.await.expect("first").0, StatusCode::SEE_OTHER);
    wait_for_waiters(&mut locks, 1).await;
    // Its backend is killed mid-statement.
    let killed = count(
        &mut locks,
        "SELECT count(pg_terminate_backend(pid))::bigint AS n FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'",
    )
    .await;
    assert_eq!(killed, 1);
    // The group's statement failed before its commit: each filing is stored again
    // alone, the two first at once, the third waiting for lock 2 again.
    let mut conn = app.conn().await;
    wait_for_rows(&mut conn, 3).await;
    wait_for_waiters(&mut locks, 1).await;
    let mut queued = queued.into_iter();
    for post in queued.by_ref().take(2) {
        let (status, body, _) = post.await.expect("queued post");
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let last = queued.next().expect("the third");
    assert!(
        !last.is_finished(),
        "answered before its PAKN was committed"
    );
    lock(&mut locks, 2, false).await;
    let (status, body, _) = last.await.expect("the third post");
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let rows = stored(&mut conn).await;
    assert_eq!(rows.len(), 4, "each filed once: {rows:?}");
    let mut txs: Vec<&String> = rows.iter().map(|(_, tx)| tx).collect();
    txs.sort();
    txs.dedup();
    assert_eq!(txs.len(), 4, "stored one by one after the kill: {rows:?}");
    let _ = app.take_mail().await;
    app.stop().await;
}
