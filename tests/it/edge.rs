//! Issue 14, the edge: the security review's findings 3 (the upload stash's budgets), 6
//! (slow uploads), 7 (header-read timeout, connection cap), 11 (acknowledgements within
//! `mail_per_address`) and 16 (rate-limit keys that a dump cannot recompute), against a
//! real Postgres and real TCP clients.

use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hmac::{Hmac, Mac};
use pakn::config::Limit;
use pakn::db::schema::{rate_limit_salts, rate_limits};
use pakn::web::kit::rate_limit::{bucket, day_key};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::filing::{form_of, fresh_form, post, valid_fields};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, mail_to};

async fn salt_of_day(conn: &mut AsyncPgConnection, day: NaiveDate) -> Option<Vec<u8>> {
    rate_limit_salts::table
        .find(day)
        .select(rate_limit_salts::salt)
        .first(conn)
        .await
        .optional()
        .expect("salt")
}

async fn buckets(conn: &mut AsyncPgConnection) -> Vec<Vec<u8>> {
    rate_limits::table
        .select(rate_limits::bucket)
        .load(conn)
        .await
        .expect("buckets")
}

/// The bucket as it was keyed before finding 16: HMAC(secret, day) alone, which anyone
/// holding a dump (and so the secret in `settings`) could recompute.
fn bucket_from_the_secret_alone(
    secret: &[u8],
    day: NaiveDate,
    name: &str,
    subject: &str,
) -> Vec<u8> {
    let mut k = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("key");
    k.update(b"pakn-rate-limit|");
    k.update(day.format("%Y-%m-%d").to_string().as_bytes());
    let k = k.finalize().into_bytes();
    bucket(&k, name, subject)
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_keys_need_a_daily_salt_that_instances_share_and_the_sweep_forgets() {
    let app = TestApp::spawn().await;
    let second = app.second_instance().await;
    let (a, b) = (app.state(), second.state());
    let now = Utc::now();
    let day = now.date_naive();
    let subject = "203.0.113.9";
    // Both instances draw today's salt at once: they must end up with the same key.
    let (mut c1, mut c2) = (app.conn().await, app.conn().await);
    let (k1, k2) = tokio::join!(
        a.bucket_at(&mut c1, now, "submit", subject),
        b.bucket_at(&mut c2, now, "submit", subject)
    );
    assert_eq!(
        k1.expect("bucket"),
        k2.expect("bucket"),
        "the instances agree"
    );
    let limit = Limit {
        count: 5,
        window_secs: 3600,
    };
    a.rate_limit(&mut c1, "submit", subject, limit)
        .await
        .expect("hit");
    b.rate_limit(&mut c2, "submit", subject, limit)
        .await
        .expect("hit");
    let hits: Vec<i32> = rate_limits::table
        .select(rate_limits::hits)
        .load(&mut c1)
        .await
        .expect("hits");
    assert_eq!(hits, vec![2], "both instances count in one bucket");

    let stored = buckets(&mut c1).await;
    let secret = a.secret.as_slice();
    assert!(
        !stored.contains(&bucket_from_the_secret_alone(
            secret, day, "submit", subject
        )),
        "the secret alone does not give the bucket"
    );
    let salt = salt_of_day(&mut c1, day).await.expect("today's salt");
    assert_eq!(salt.len(), 32);
    assert!(stored.contains(&bucket(&day_key(secret, day, &salt), "submit", subject)));

    // The sweep deletes the salts of past days, and keeps today's.
    let yesterday = day.checked_sub_days(Days::new(1)).expect("yesterday");
    diesel::insert_into(rate_limit_salts::table)
        .values((
            rate_limit_salts::day.eq(yesterday),
            rate_limit_salts::salt.eq(vec![7u8; 32]),
        ))
        .execute(&mut c1)
        .await
        .expect("an old salt");
    pakn::handling::stash::sweep(&mut c1).await.expect("sweep");
    assert_eq!(salt_of_day(&mut c1, yesterday).await, None, "forgotten");
    assert_eq!(salt_of_day(&mut c1, day).await, Some(salt), "kept");
    drop((c1, c2));
    second.stop_keeping_db().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledgements_to_one_address_stop_at_mail_per_address_and_the_receipt_says_so() {
    // Security review, finding 11: six filings to one address sent six acknowledgements.
    let app = TestApp::spawn_with(|c| {
        c.limits.mail_per_address = Limit {
            count: 2,
            window_secs: 3600,
        };
    })
    .await;
    let mut receipts = Vec::new();
    for _ in 0..3 {
        let token = fresh_form(&app).await;
        let (status, body, location) = post(&app, form_of(&valid_fields(&token))).await;
        assert_eq!(status, reqwest::StatusCode::SEE_OTHER, "filed: {body}");
        receipts.push(location.expect("the private page"));
    }
    let mail = app.take_mail().await;
    assert_eq!(
        mail.recipients_of("ack"),
        vec![mail_to(&[CITIZEN]), mail_to(&[CITIZEN])],
        "two acknowledgements, the third skipped"
    );
    assert_eq!(
        mail.of_kind("notify").len(),
        3,
        "every PAKN still goes to its unit"
    );
    let sent = "Một thư xác nhận kèm mã PAKN đã được gửi";
    let first = app
        .client
        .get(app.url(&receipts[0]))
        .send()
        .await
        .expect("GET");
    let first = first.text().await.expect("body");
    assert!(first.contains(sent) && !first.contains("ack-skipped"));
    let third = app
        .client
        .get(app.url(&receipts[2]))
        .send()
        .await
        .expect("GET");
    let third = third.text().await.expect("body");
    assert!(!third.contains(sent), "the receipt claims no confirmation");
    assert!(
        third.contains("data-testid=\"ack-skipped\"") && third.contains("chưa gửi thư xác nhận")
    );
    app.stop().await;
}

/// Reads until the server closes the connection (`Some(bytes read)`), or `None` when it
/// is still open after `wait`.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, wait: Duration) -> Option<String> {
    let mut got = Vec::new();
    match tokio::time::timeout(wait, stream.read_to_end(&mut got)).await {
        Ok(_) => Some(String::from_utf8_lossy(&got).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_whose_headers_never_end_is_disconnected() {
    // Security review, finding 7: 2,000 half-sent requests were all held after 60 s.
    let app = TestApp::spawn_with(|c| c.server.header_read_timeout_secs = 1).await;
    let mut half = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("half a request");
    let closed = read_until_closed(&mut half, Duration::from_secs(60)).await;
    assert!(closed.is_some(), "the server closed the half-sent request");
    // A whole request is still served.
    let res = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_past_the_cap_wait_until_one_closes() {
    let app = TestApp::spawn_with(|c| c.server.max_connections = 2).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(
            tokio::net::TcpStream::connect(app.addr)
                .await
                .expect("connect"),
        );
    }
    let mut third = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    third
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("request");
    assert_eq!(
        read_until_closed(&mut third, Duration::from_secs(1)).await,
        None,
        "not served while two connections are held"
    );
    drop(held.pop());
    let answer = read_until_closed(&mut third, Duration::from_secs(60))
        .await
        .expect("served once a connection closed");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(held);
    app.stop().await;
}
