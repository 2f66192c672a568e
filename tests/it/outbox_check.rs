//! The end-of-test outbox check itself (issue 12, item 8): `TestApp::stop` fails a test
//! that leaves mail pending or failed without declaring it, or mail it never looked at;
//! a declared leftover passes; dropping an app without stopping it fails the test.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use diesel_async::{AsyncConnection, RunQueryDsl};
use futures_util::FutureExt;
use pakn::mail::OutgoingMail;

use crate::support::app::TestApp;
use crate::support::outbox::{MailStatus, all_rows, mail_to};

const STRANGER: &str = "nguoi.nhan@example.vn";
const PROBE: &str = "tham.do@example.vn";

fn plain_mail(to: &str) -> OutgoingMail {
    OutgoingMail {
        kind: "test".into(),
        ticket_id: None,
        to: vec![to.to_string()],
        cc: Vec::new(),
        lang: "vi".into(),
        subject: "Thư thử nghiệm".into(),
        body_text: "Nội dung thư".into(),
        body_html: None,
        attachment_ids: Vec::new(),
    }
}

/// Queues one mail from outside the app (its worker is not woken: it finds the mail
/// when it polls, or when the app stops).
async fn enqueue(app: &TestApp, to: &str) {
    let mut conn = app.conn().await;
    conn.transaction::<_, diesel::result::Error, _>(async |conn| {
        pakn::mail::enqueue(conn, plain_mail(to)).await
    })
    .await
    .expect("enqueue");
}

/// Stops the app and returns the panic message of its check, `None` when it passed.
async fn stop_and_catch(app: TestApp) -> Option<String> {
    AssertUnwindSafe(app.stop())
        .catch_unwind()
        .await
        .err()
        .map(|payload| message_of(payload.as_ref()))
}

fn message_of(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// An app whose worker would not find queued mail before the test stops it: it polls
/// once an hour, and mail queued from outside the app does not wake it.
async fn sleepy_worker() -> TestApp {
    let app = TestApp::spawn_with(|cfg| cfg.mail.poll_interval_secs = 3600).await;
    // Wake it once for a probe and wait until the probe is sent: past its first batch
    // the worker sleeps (a wake-up that came during that batch passes at once).
    enqueue(&app, PROBE).await;
    app.state.mail_wake.notify_one();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while all_rows(&mut app.conn().await)
        .await
        .with_status(MailStatus::Sent)
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the probe was never sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(app.take_mail().await.who(), [("test", mail_to(&[PROBE]))]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    app
}

#[tokio::test(flavor = "multi_thread")]
async fn an_undeclared_pending_mail_fails_the_check_and_a_declared_one_passes() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    enqueue(&app, STRANGER).await;
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), [("test", mail_to(&[STRANGER]))]);
    assert_eq!(
        mail.iter().next().map(|m| m.status),
        Some(MailStatus::Pending)
    );
    let problem = stop_and_catch(app).await.expect("the check fails");
    assert!(
        problem.contains("1 pending mail, 0 declared") && problem.contains(STRANGER),
        "{problem}"
    );

    let app = TestApp::spawn_without_worker(|_| {}).await;
    enqueue(&app, STRANGER).await;
    assert_eq!(
        app.take_mail().await.who(),
        [("test", mail_to(&[STRANGER]))]
    );
    app.expect_pending_mail(1);
    assert_eq!(stop_and_catch(app).await, None, "declared");
}

#[tokio::test(flavor = "multi_thread")]
async fn declaring_more_leftovers_than_there_are_fails_too() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    enqueue(&app, STRANGER).await;
    assert_eq!(app.take_mail().await.len(), 1);
    app.expect_pending_mail(2);
    app.expect_failed_mail(1);
    let problem = stop_and_catch(app).await.expect("the check fails");
    assert!(
        problem.contains("1 pending mail, 2 declared")
            && problem.contains("0 failed mail, 1 declared"),
        "{problem}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_mail_fails_the_check_unless_declared() {
    for declare in [false, true] {
        let app = TestApp::spawn_without_worker(|_| {}).await;
        // Not an address: the message cannot be built, and the row is given up at once.
        enqueue(&app, "không phải địa chỉ").await;
        let report = app.deliver_mail().await;
        assert_eq!((report.claimed, report.failed), (1, 1), "{report:?}");
        let mail = app.take_mail().await;
        assert_eq!(mail.who(), [("test", mail_to(&["không phải địa chỉ"]))]);
        assert_eq!(
            mail.iter().next().map(|m| m.status),
            Some(MailStatus::Failed)
        );
        if declare {
            app.expect_failed_mail(1);
        }
        let verdict = stop_and_catch(app).await;
        if declare {
            assert_eq!(verdict, None);
        } else {
            let problem = verdict.expect("the check fails");
            assert!(problem.contains("1 failed mail, 0 declared"), "{problem}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_the_test_never_looked_at_fails_the_check() {
    let app = sleepy_worker().await;
    enqueue(&app, STRANGER).await;
    let problem = stop_and_catch(app).await.expect("the check fails");
    assert!(
        problem.contains("1 mail the test never looked at") && problem.contains(STRANGER),
        "{problem}"
    );
    assert!(
        !problem.contains("pending mail,"),
        "the worker delivered it before the check: {problem}"
    );
    // Looking at it once is enough, whenever that was; later mail must be looked at too.
    let app = sleepy_worker().await;
    enqueue(&app, STRANGER).await;
    assert_eq!(
        app.take_mail().await.who(),
        [("test", mail_to(&[STRANGER]))]
    );
    enqueue(&app, "nguoi.khac@example.vn").await;
    assert_eq!(
        app.take_mail().await.who(),
        [("test", mail_to(&["nguoi.khac@example.vn"]))],
        "only what is new"
    );
    assert_eq!(app.all_mail().await.len(), 3, "with the probe");
    assert_eq!(stop_and_catch(app).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_with_a_worker_delivers_what_is_due_before_the_check() {
    let app = sleepy_worker().await;
    enqueue(&app, STRANGER).await;
    let mail = app.take_mail().await;
    assert_eq!(
        mail.iter().next().map(|m| m.status),
        Some(MailStatus::Pending),
        "the worker sleeps"
    );
    // Not declared: stopping delivers it, as the worker would have.
    assert_eq!(stop_and_catch(app).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_waiting_for_a_retry_is_pending_at_the_end() {
    // SMTP to a port where nothing listens (tcpmux, privileged and unused): every
    // attempt fails for now.
    let port = 1;
    for declare in [false, true] {
        let app = TestApp::spawn_with(|cfg| {
            cfg.mail.transport = pakn::config::MailTransport::Smtp;
            cfg.mail.smtp.host = "127.0.0.1".into();
            cfg.mail.smtp.port = port;
            cfg.mail.smtp.timeout_secs = 2;
            cfg.mail.retry_base_secs = 3600;
            cfg.mail.poll_interval_secs = 3600;
        })
        .await;
        enqueue(&app, STRANGER).await;
        // One attempt, ours or the worker's (whichever claims the row first), fails for
        // now: the next falls an hour later.
        app.deliver_mail().await;
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while all_rows(&mut app.conn().await)
            .await
            .iter()
            .all(|m| m.attempts == 0)
        {
            assert!(std::time::Instant::now() < deadline, "never tried");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mail = app.take_mail().await;
        let row = mail.iter().next().expect("the mail");
        assert_eq!((row.status, row.attempts), (MailStatus::Pending, 1));
        assert!(row.last_error.is_some());
        if declare {
            app.expect_pending_mail(1);
        }
        let verdict = stop_and_catch(app).await;
        if declare {
            assert_eq!(verdict, None);
        } else {
            let problem = verdict.expect("the check fails");
            assert!(problem.contains("1 pending mail, 0 declared"), "{problem}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_on_one_database_share_what_was_declared_and_seen() {
    let a = TestApp::spawn_without_worker(|_| {}).await;
    let b = TestApp::spawn_on_opts(a.db.clone(), false, |_| {}).await;
    enqueue(&b, STRANGER).await;
    assert_eq!(a.take_mail().await.who(), [("test", mail_to(&[STRANGER]))]);
    assert!(b.take_mail().await.is_empty(), "already seen through a");
    b.expect_pending_mail(1);
    b.stop_keeping_db().await;
    assert_eq!(stop_and_catch(a).await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_an_app_without_stopping_it_fails_the_test() {
    let app = TestApp::spawn().await;
    let db = app.db.clone();
    let dropped = std::panic::catch_unwind(AssertUnwindSafe(move || drop(app)));
    let problem = message_of(dropped.expect_err("the drop panics").as_ref());
    assert!(
        problem.contains("dropped without `app.stop().await`"),
        "{problem}"
    );
    // The database the dropped app left behind.
    let mut conn = pakn::db::connect(&db.url).await.expect("connect");
    diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .await
        .expect("still there");
    drop(conn);
    crate::support::outbox::forget_ledger(&db.name);
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_that_fails_with_an_app_alive_fails_with_its_own_message() {
    let app = TestApp::spawn().await;
    let db = app.db.clone();
    let failed = std::panic::catch_unwind(AssertUnwindSafe(move || {
        let _app = app;
        panic!("the test's own assertion");
    }));
    // Dropping the app while unwinding did not panic again (that would abort).
    let problem = message_of(failed.expect_err("the test failed").as_ref());
    assert_eq!(problem, "the test's own assertion");
    crate::support::outbox::forget_ledger(&db.name);
    db.drop_db().await;
}
