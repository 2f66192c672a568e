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
use pakn::db::schema::{rate_limit_salts, rate_limits, upload_stash};
use pakn::web::kit::rate_limit::{bucket, day_key};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::filing::{form_of, fresh_form, post, valid_fields, without};
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
    pakn::handling::stash::sweep(&mut c1, 3600)
        .await
        .expect("sweep");
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
    // "will be mailed" or "has been mailed", whether the worker has sent it yet or not.
    let sent = "Thư xác nhận kèm mã PAKN";
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

/// A PNG of `size` bytes: the magic bytes, then filler (the sniffing looks at the start).
fn png_of(size: usize) -> Vec<u8> {
    let mut bytes = crate::filing::PNG.to_vec();
    bytes.resize(size, 0x5a);
    bytes
}

/// Sends a form that comes back (no title) with `files`, under `token`: whether its files
/// were kept, and the page.
async fn send_back(app: &TestApp, token: &str, files: &[Vec<u8>]) -> (bool, String) {
    let mut form = form_of(&without(&valid_fields(token), "title"));
    for (i, bytes) in files.iter().enumerate() {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(format!("anh-{i}.png")),
        );
    }
    let (status, body, _) = post(app, form).await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    (body.contains("name=\"keep_upload\""), body)
}

async fn stashed(app: &TestApp) -> (i64, i64) {
    let mut conn = app.conn().await;
    let rows: Vec<i32> = upload_stash::table
        .select(upload_stash::size_bytes)
        .load(&mut conn)
        .await
        .expect("stash");
    (rows.len() as i64, rows.iter().map(|b| i64::from(*b)).sum())
}

const REATTACH: &str = "Vui lòng đính kèm lại";

#[tokio::test(flavor = "multi_thread")]
async fn an_address_keeps_files_within_its_byte_budget_and_is_told_to_reattach_past_it() {
    // Security review, finding 3: one address stored 500 MB in 52 s.
    let app = TestApp::spawn_with(|c| c.uploads.stash_mb_per_address = 1).await;
    let token = fresh_form(&app).await;
    let (kept, body) = send_back(&app, &token, &[png_of(600 * 1024)]).await;
    assert!(kept && !body.contains(REATTACH), "within the budget: kept");
    let token = fresh_form(&app).await;
    let (kept, body) = send_back(&app, &token, &[png_of(600 * 1024)]).await;
    assert!(!kept, "past the address's budget: nothing kept");
    assert!(body.contains(REATTACH), "the form says to attach again");
    assert!(body.contains("Nguyễn Thị Hoà"), "what was typed comes back");
    assert_eq!(stashed(&app).await, (1, 600 * 1024));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_site_keeps_files_within_its_byte_budget() {
    let app = TestApp::spawn_with(|c| {
        c.uploads.stash_mb_per_address = 100;
        c.uploads.stash_mb_total = 1;
    })
    .await;
    let token = fresh_form(&app).await;
    assert!(send_back(&app, &token, &[png_of(700 * 1024)]).await.0);
    let token = fresh_form(&app).await;
    let (kept, body) = send_back(&app, &token, &[png_of(700 * 1024)]).await;
    assert!(!kept && body.contains(REATTACH), "past the site's budget");
    assert_eq!(stashed(&app).await.0, 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_keeps_at_most_max_files_and_kept_files_expire_after_the_ttl() {
    let app = TestApp::spawn_with(|c| c.uploads.max_files = 2).await;
    let token = fresh_form(&app).await;
    let two = [png_of(1000), png_of(1001)];
    assert!(send_back(&app, &token, &two).await.0);
    // The same form sent back again with two more: the newest two replace the others.
    let (kept, _) = send_back(&app, &token, &[png_of(2000), png_of(2001)]).await;
    assert!(kept);
    assert_eq!(stashed(&app).await, (2, 4001), "the newest two");
    // An hour on (the default TTL), the sweep forgets them.
    let mut conn = app.conn().await;
    diesel::sql_query("UPDATE upload_stash SET created_at = now() - interval '61 minutes'")
        .execute(&mut conn)
        .await
        .expect("age the stash");
    let ttl = app.state.cfg.uploads.stash_ttl_secs;
    pakn::handling::stash::sweep(&mut conn, ttl)
        .await
        .expect("sweep");
    drop(conn);
    assert_eq!(stashed(&app).await.0, 0);
    app.stop().await;
}

/// A raw client from `local` that sends a multipart filing's headers, its first file
/// part's header and the PNG magic bytes, and then nothing more.
async fn start_upload(app: &TestApp, local: std::net::IpAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind((local, 0).into()).expect("bind");
    let mut stream = socket.connect(app.addr).await.expect("connect");
    let head = "POST /feedback HTTP/1.1\r\nHost: x\r\n\
        Content-Type: multipart/form-data; boundary=slowslowslow\r\n\
        Content-Length: 1000000\r\n\r\n\
        --slowslowslow\r\n\
        Content-Disposition: form-data; name=\"attachments\"; filename=\"a.png\"\r\n\
        Content-Type: image/png\r\n\r\n";
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(&crate::filing::PNG[..8])
        .await
        .expect("magic");
    stream
}

/// Goes on with `stream`'s file one byte every 200 ms, until the server closes it or the
/// task is aborted.
fn trickle(mut stream: tokio::net::TcpStream) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        while stream.write_all(b"a").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    })
}

const LOCALHOST: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

#[tokio::test(flavor = "multi_thread")]
async fn an_upload_that_goes_quiet_is_cut() {
    // Security review, finding 6: a stalled upload held its permit for 120 s.
    let app = TestApp::spawn_with(|c| c.uploads.idle_secs = 1).await;
    let mut stalled = start_upload(&app, LOCALHOST).await;
    let answer = read_until_closed(&mut stalled, Duration::from_secs(60))
        .await
        .expect("the server answered and closed");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(
        app.state.upload_permits.available_permits(),
        8,
        "permit back"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn eight_slow_uploads_from_one_address_leave_permits_for_everyone_else() {
    // Security review, finding 6: 8 uploads at 1 byte/s held all 8 permits, and a
    // citizen's 20-byte PDF got no answer.
    let app = TestApp::spawn_with(|c| c.uploads.idle_secs = 60).await;
    let permits = &app.state.upload_permits;
    let mut slow = Vec::new();
    for _ in 0..8 {
        slow.push(trickle(start_upload(&app, LOCALHOST).await));
    }
    while permits.available_permits() > 6 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Time for any other of the eight to take a permit, had it been let through.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        permits.available_permits(),
        6,
        "one address holds two permits"
    );
    // A citizen elsewhere files with a file, while the eight go on.
    let citizen = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .expect("client");
    let html = citizen
        .get(app.url("/feedback/new"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("form");
    let form = form_of(&valid_fields(&crate::filing::token_of(&html))).part(
        "attachments",
        reqwest::multipart::Part::bytes(crate::filing::pdf_bytes()).file_name("don.pdf"),
    );
    let sent = citizen.post(app.url("/feedback")).multipart(form).send();
    let res = tokio::time::timeout(Duration::from_secs(60), sent)
        .await
        .expect("answered while the slow uploads go on")
        .expect("POST");
    assert_eq!(res.status(), reqwest::StatusCode::SEE_OTHER);
    assert!(
        slow.iter().all(|t| !t.is_finished()),
        "the eight still going"
    );
    for t in &slow {
        t.abort();
    }
    assert_eq!(app.take_mail().await.kinds(), vec!["ack", "notify"]);
    app.stop().await;
}
