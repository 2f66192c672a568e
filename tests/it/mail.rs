//! Issue 3: every PAKN reaches the responsible officers by email, and no mail is lost.
//! Against a real SMTP server (aiosmtpd as a child process, see `support::smtp`).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use pakn::config::Config;
use pakn::db::schema::{outbox, tickets, units};
use pakn::mail::OutgoingMail;
use pakn::mail::transport::{Delivery, SendError, Transport};
use pakn::mail::worker::Worker;
use reqwest::StatusCode;
use tokio::sync::Notify;

use crate::filing::{form_of, fresh_form, post, token_of, valid_fields, with};
use crate::support::app::{TestApp, fresh_db, test_config};
use crate::support::outbox::{
    CITIZEN, DEPUTY, INSPECTION, MailStatus, PPC_OFFICE, Rcpt, filing_mail, filing_mail_notifying,
    filings_mail, mail_to,
};
use crate::support::smtp::{Received, SmtpSink};

const BIN: &str = env!("CARGO_BIN_EXE_pakn");
const DOMAIN: &str = "sonoivu.angiang.gov.vn";
const FROM: &str = "Sở Nội vụ tỉnh An Giang <pakn@sonoivu.angiang.gov.vn>";
const REPLY_TO: &str = "Văn phòng Sở Nội vụ <vanphong@sonoivu.angiang.gov.vn>";
/// A bound on waits, so a broken build fails instead of hanging; not a timing claim.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Mail over SMTP to the sink, with short retries.
pub fn use_sink(cfg: &mut Config, sink: &SmtpSink) {
    cfg.mail.transport = pakn::config::MailTransport::Smtp;
    cfg.mail.smtp.host = "127.0.0.1".into();
    cfg.mail.smtp.port = sink.port;
    cfg.mail.smtp.timeout_secs = 5;
    cfg.mail.retry_base_secs = 1;
    cfg.mail.retry_max_secs = 2;
    cfg.mail.poll_interval_secs = 1;
    cfg.mail.from = FROM.into();
    cfg.mail.reply_to = REPLY_TO.into();
}

/// A ticket filed over HTTP.
#[derive(Debug, Clone)]
pub struct Filed {
    pub id: i64,
    pub code: String,
    public_id: String,
    access_token: String,
}

async fn file(app: &TestApp, fields: &[(&'static str, String)]) -> Filed {
    let (status, body, location) = post(app, form_of(fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let token = location
        .expect("location")
        .trim_start_matches("/t/")
        .to_string();
    let mut conn = app.conn().await;
    let (id, code, public_id): (i64, String, String) = tickets::table
        .filter(tickets::access_token.eq(&token))
        .select((tickets::id, tickets::code, tickets::public_id))
        .first(&mut conn)
        .await
        .expect("the ticket");
    Filed {
        id,
        code: format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]),
        public_id,
        access_token: token,
    }
}

pub async fn file_fields(app: &TestApp, edit: &[(&'static str, &str)]) -> Filed {
    let token = fresh_form(app).await;
    let mut fields = valid_fields(&token);
    for (k, v) in edit {
        fields = with(&fields, k, v);
    }
    file(app, &fields).await
}

type Stamp = chrono::DateTime<chrono::Utc>;

/// (pending, sent, failed) rows of the outbox.
async fn outbox_counts(conn: &mut AsyncPgConnection) -> (i64, i64, i64) {
    let rows: Vec<(Option<Stamp>, Option<Stamp>)> = outbox::table
        .select((outbox::sent_at, outbox::failed_at))
        .load(conn)
        .await
        .expect("outbox");
    let sent = rows.iter().filter(|(s, _)| s.is_some()).count() as i64;
    let failed = rows.iter().filter(|(_, f)| f.is_some()).count() as i64;
    (rows.len() as i64 - sent - failed, sent, failed)
}

/// Waits until nothing is pending (the worker records a send just after the server
/// accepted it), then returns the counts.
pub async fn settled(conn: &mut AsyncPgConnection) -> (i64, i64, i64) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let counts = outbox_counts(conn).await;
        if counts.0 == 0 {
            return counts;
        }
        assert!(Instant::now() < deadline, "mail still pending: {counts:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn for_code<'a>(messages: &'a [Received], code: &str) -> Vec<&'a Received> {
    messages
        .iter()
        .filter(|m| m.subject().contains(code))
        .collect()
}

fn notification<'a>(messages: &'a [Received], code: &str) -> &'a Received {
    let found: Vec<&Received> = for_code(messages, code)
        .into_iter()
        .filter(|m| !m.rcpt_tos.iter().any(|r| r == CITIZEN))
        .collect();
    assert_eq!(found.len(), 1, "one notification for {code}: {found:#?}");
    found[0]
}

fn acknowledgement<'a>(messages: &'a [Received], code: &str) -> &'a Received {
    let found: Vec<&Received> = for_code(messages, code)
        .into_iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == CITIZEN))
        .collect();
    assert_eq!(found.len(), 1, "one acknowledgement for {code}: {found:#?}");
    found[0]
}

/// (content category, lĩnh vực, handling unit, to, cc)
type RuleCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

#[tokio::test(flavor = "multi_thread")]
async fn each_shipped_rule_notifies_exactly_its_contacts_and_sets_the_unit() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    // (category, field, unit, to, cc)
    let cases: [RuleCase; 5] = [
        (
            "cham_tre_phien_ha",
            "bao_hiem_xa_hoi",
            "to_kiem_tra_cong_vu",
            &[INSPECTION],
            &[DEPUTY],
        ),
        (
            "khong_phu_hop",
            "lao_dong_tien_luong",
            "phong_lao_dong_viec_lam",
            &[DEPUTY],
            &[],
        ),
        (
            "khong_dong_bo",
            "can_bo_cong_chuc",
            "phong_to_chuc_can_bo",
            &[DEPUTY],
            &[],
        ),
        ("khac", "ton_giao", "van_phong_so", &[DEPUTY], &[PPC_OFFICE]),
        (
            "khong_hop_phap",
            "thi_dua_khen_thuong",
            "van_phong_so",
            &[DEPUTY],
            &[PPC_OFFICE],
        ),
    ];
    let mut filed = Vec::new();
    for (category, field, ..) in &cases {
        filed.push(file_fields(&app, &[("content_category", category), ("field", field)]).await);
    }
    let messages = sink.wait_for(2 * cases.len(), PATIENCE).await;
    let mut conn = app.conn().await;
    for ((category, field, unit, to, cc), ticket) in cases.iter().zip(&filed) {
        let n = notification(&messages, &ticket.code);
        let want_to: Vec<String> = to.iter().map(|s| s.to_string()).collect();
        let want_cc: Vec<String> = cc.iter().map(|s| s.to_string()).collect();
        assert_eq!(n.addresses("to"), want_to, "{category}/{field}: To");
        assert_eq!(n.addresses("cc"), want_cc, "{category}/{field}: Cc");
        let mut envelope = n.rcpt_tos.clone();
        envelope.sort();
        let mut want: Vec<String> = want_to.iter().chain(&want_cc).cloned().collect();
        want.sort();
        assert_eq!(envelope, want, "{category}/{field}: the envelope");
        let unit_code: String = tickets::table
            .inner_join(units::table)
            .filter(tickets::id.eq(ticket.id))
            .select(units::code)
            .first(&mut conn)
            .await
            .expect("unit");
        assert_eq!(&unit_code, unit, "{category}/{field}: the handling unit");
        acknowledgement(&messages, &ticket.code);
    }
    assert_eq!(messages.len(), 2 * cases.len(), "nothing else was sent");
    assert_eq!(settled(&mut conn).await, (0, 10, 0));
    // The outbox says the same: each filing's acknowledgement, then its rule's notification.
    let want: Vec<(&str, Rcpt)> = cases
        .iter()
        .flat_map(|(_, _, _, to, cc)| filing_mail_notifying(mail_to(to).cc(cc)))
        .collect();
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_acknowledgement_carries_the_code_and_private_link_and_none_of_the_typed_text() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let token = fresh_form(&app).await;
    let fields = with(
        &valid_fields(&token),
        "proposal",
        "Đề nghị xử lý dứt điểm hồ sơ",
    );
    let ticket = file(&app, &fields).await;
    let messages = sink.wait_for(2, PATIENCE).await;
    let ack = acknowledgement(&messages, &ticket.code);
    assert_eq!(ack.rcpt_tos, vec![CITIZEN.to_string()]);
    assert_eq!(ack.addresses("to"), vec![CITIZEN.to_string()]);
    assert!(ack.header("cc").is_none());
    // Vietnamese arrives intact, encoded on the wire.
    assert_eq!(
        ack.subject(),
        format!("[PAKN {}] Đã tiếp nhận phản ánh, kiến nghị", ticket.code)
    );
    let raw_subject = ack
        .raw_headers
        .split("\r\n")
        .skip_while(|l| !l.starts_with("Subject:"))
        .take_while(|l| l.starts_with("Subject:") || l.starts_with(' '))
        .collect::<String>();
    assert!(
        raw_subject.contains("=?utf-8?") && raw_subject.is_ascii(),
        "RFC 2047: {raw_subject}"
    );
    assert!(ack.raw_headers.is_ascii(), "every header is encoded");
    let link = format!("{}/t/{}", app.base, ticket.access_token);
    for body in [ack.text(), ack.html()] {
        assert!(body.contains(&ticket.code), "the code: {body}");
        assert!(body.contains(&link), "the private link: {body}");
        assert!(body.contains("Kính gửi Quý ông/bà"), "Vietnamese: {body}");
        assert!(
            body.contains(&format!("{}/track", app.base)),
            "how to track"
        );
        // None of what the citizen typed.
        for (name, value) in &fields {
            if matches!(
                *name,
                "full_name" | "address" | "title" | "content" | "proposal" | "phone"
            ) {
                assert!(!body.contains(value.as_str()), "{name} leaked: {body}");
            }
        }
        assert!(!body.contains("Hoà") && !body.contains("0983"));
    }
    // The contacts' notification: Vietnamese, the substance (title and full content), no
    // staff link (the contacts have no account), none of the sender's data.
    let n = notification(&messages, &ticket.code);
    assert_eq!(
        n.subject(),
        format!(
            "[PAKN {}] Phản ánh, kiến nghị mới – Bảo hiểm xã hội",
            ticket.code
        )
    );
    let staff_link = format!("{}/staff/tickets/{}", app.base, ticket.code);
    for body in [n.text(), n.html()] {
        assert!(
            body.contains("Chậm giải quyết hồ sơ hưởng bảo hiểm xã hội một lần"),
            "the title, intact: {body}"
        );
        let content = &fields
            .iter()
            .find(|(n, _)| *n == "content")
            .expect("content")
            .1;
        assert!(body.contains(content.as_str()), "the full content: {body}");
        assert!(!body.contains(&staff_link), "no staff link: {body}");
        assert!(body.contains("Tổ kiểm tra công vụ"), "the unit: {body}");
        for secret in ["0983", "570 009", CITIZEN, "Trần Hưng Đạo"] {
            assert!(!body.contains(secret), "{secret} leaked: {body}");
        }
    }
    assert!(n.attachments.is_empty());
    // An English filing gets an English acknowledgement; staff still get Vietnamese.
    let en = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    let html = en
        .get(app.url("/feedback/new?lang=en"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    let res = en
        .post(app.url("/feedback"))
        .multipart(form_of(&valid_fields(&token_of(&html))))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let messages = sink.wait_for(4, PATIENCE).await;
    let english: Vec<&Received> = messages
        .iter()
        .filter(|m| m.subject().contains("We have received your feedback"))
        .collect();
    assert_eq!(english.len(), 1);
    assert!(english[0].text().contains("Dear Sir or Madam"));
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.subject().contains("Phản ánh, kiến nghị mới"))
            .count(),
        2
    );
    let mut conn = app.conn().await;
    assert_eq!(settled(&mut conn).await, (0, 4, 0));
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), filings_mail(2));
    let langs: Vec<&str> = mail.iter().map(|m| m.lang.as_str()).collect();
    assert_eq!(
        langs,
        ["vi", "vi", "en", "vi"],
        "staff are mailed in Vietnamese"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_thread_each_ticket_and_name_the_sender() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let a = file_fields(&app, &[]).await;
    let b = file_fields(&app, &[("content_category", "khac")]).await;
    let messages = sink.wait_for(4, PATIENCE).await;
    let mut ids = Vec::new();
    for ticket in [&a, &b] {
        let root = format!("<ticket.{}@{DOMAIN}>", ticket.public_id);
        let mine = for_code(&messages, &ticket.code);
        assert_eq!(mine.len(), 2);
        for m in mine {
            assert_eq!(m.header("in-reply-to"), Some(root.as_str()));
            assert_eq!(m.header("references"), Some(root.as_str()));
            assert_eq!(m.header("auto-submitted"), Some("auto-generated"));
            let from = m.header("from").expect("From");
            assert!(from.contains("Sở Nội vụ tỉnh An Giang"), "{from}");
            assert!(from.contains("<pakn@sonoivu.angiang.gov.vn>"), "{from}");
            let reply_to = m.header("reply-to").expect("Reply-To");
            assert!(
                reply_to.contains("vanphong@sonoivu.angiang.gov.vn"),
                "{reply_to}"
            );
            assert!(m.header("date").is_some());
            assert_eq!(m.mail_from, "pakn@sonoivu.angiang.gov.vn");
            let id = m.header("message-id").expect("Message-ID").to_string();
            assert!(id.ends_with(&format!("@{DOMAIN}>")), "{id}");
            ids.push(id);
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "every mail has its own Message-ID");
    let mut conn = app.conn().await;
    assert_eq!(settled(&mut conn).await, (0, 4, 0));
    let mut want = filing_mail();
    want.extend(filing_mail_notifying(mail_to(&[DEPUTY])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_smtp_server_down_mail_waits_and_arrives_after_restart_with_its_message_id() {
    let mut sink = SmtpSink::start().await;
    sink.stop();
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let mut filed = Vec::new();
    for _ in 0..3 {
        filed.push(file_fields(&app, &[]).await);
    }
    let mut conn = app.conn().await;
    // Every row was tried and put back for later, none given up.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let tried: Vec<i32> = outbox::table
            .select(outbox::attempts)
            .load(&mut conn)
            .await
            .expect("attempts");
        if tried.len() == 6 && tried.iter().all(|n| *n >= 1) {
            break;
        }
        assert!(Instant::now() < deadline, "attempts: {tried:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (pending, sent, failed) = outbox_counts(&mut conn).await;
    assert_eq!((pending, sent, failed), (6, 0, 0));
    let errors: Vec<Option<String>> = outbox::table
        .select(outbox::last_error)
        .load(&mut conn)
        .await
        .expect("errors");
    assert!(errors.iter().all(Option::is_some), "{errors:?}");
    let stored: Vec<String> = outbox::table
        .select(outbox::message_id)
        .load(&mut conn)
        .await
        .expect("ids");
    sink.restart().await;
    let messages = sink.wait_for(6, PATIENCE).await;
    assert_eq!(settled(&mut conn).await, (0, 6, 0));
    let mut got: Vec<String> = messages
        .iter()
        .map(|m| m.header("message-id").expect("id").to_string())
        .collect();
    let mut want: Vec<String> = stored.iter().map(|k| format!("<{k}@{DOMAIN}>")).collect();
    got.sort();
    want.sort();
    assert_eq!(
        got, want,
        "each mail arrives once, with the Message-ID it had"
    );
    for t in &filed {
        assert_eq!(for_code(&messages, &t.code).len(), 2);
    }
    assert_eq!(app.take_mail().await.who(), filings_mail(3));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_5xx_ends_as_failed_shows_in_status_and_can_be_retried() {
    let sink = SmtpSink::start().await;
    // Every recipient of the notification refuses it: nobody has it, so it fails.
    sink.reject(INSPECTION);
    sink.reject(DEPUTY);
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let ticket = file_fields(&app, &[]).await;
    let mut conn = app.conn().await;
    let deadline = Instant::now() + PATIENCE;
    let (attempts, error) = loop {
        let row: Option<(i32, Option<String>)> = outbox::table
            .filter(outbox::failed_at.is_not_null())
            .select((outbox::attempts, outbox::last_error))
            .first(&mut conn)
            .await
            .optional()
            .expect("row");
        if let Some(row) = row {
            break row;
        }
        assert!(Instant::now() < deadline, "no row failed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(attempts, 1, "a 5xx is not retried");
    assert!(
        error.as_deref().unwrap_or_default().contains("550"),
        "{error:?}"
    );
    assert_eq!(
        settled(&mut conn).await,
        (0, 1, 1),
        "the acknowledgement went"
    );
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    acknowledgement(&messages, &ticket.code);
    // The notification to the refusing address failed; the acknowledgement went.
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), filing_mail());
    let statuses: Vec<MailStatus> = mail.iter().map(|m| m.status).collect();
    assert_eq!(statuses, [MailStatus::Sent, MailStatus::Failed]);

    let status = outbox_cli(&app, &["outbox", "status"]).await;
    assert!(status.contains("pending: 0"), "{status}");
    assert!(status.contains("failed: 1"), "{status}");

    sink.accept_all();
    let out = outbox_cli(&app, &["outbox", "retry", "--all-failed"]).await;
    assert!(out.contains("1 failed"), "{out}");
    // The instance's worker polls every second: the mail goes out.
    let messages = sink.wait_for(2, PATIENCE).await;
    notification(&messages, &ticket.code);
    assert_eq!(settled(&mut conn).await, (0, 2, 0));
    let statuses: Vec<MailStatus> = app.all_mail().await.iter().map(|m| m.status).collect();
    assert_eq!(
        statuses,
        [MailStatus::Sent, MailStatus::Sent],
        "retried and sent"
    );
    let status = outbox_cli(&app, &["outbox", "status"]).await;
    assert!(status.contains("failed: 0"), "{status}");
    app.stop().await;
}

/// Runs the `pakn` binary on the app's database; returns stdout.
pub async fn outbox_cli(app: &TestApp, args: &[&str]) -> String {
    let out = tokio::process::Command::new(BIN)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &app.db.url)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run pakn");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn plain_mail(i: usize) -> OutgoingMail {
    OutgoingMail {
        kind: "test".into(),
        ticket_id: None,
        to: vec![format!("nguoi.nhan.{i}@example.vn")],
        cc: Vec::new(),
        lang: "vi".into(),
        subject: format!("Thư thử nghiệm số {i}"),
        body_text: format!("Nội dung thư số {i}"),
        body_html: None,
        attachment_ids: Vec::new(),
    }
}

async fn enqueue_plain(conn: &mut AsyncPgConnection, n: usize) {
    conn.transaction::<(), diesel::result::Error, _>(async |conn| {
        for i in 0..n {
            pakn::mail::enqueue(conn, plain_mail(i)).await?;
        }
        Ok(())
    })
    .await
    .expect("enqueue");
}

#[tokio::test(flavor = "multi_thread")]
async fn three_workers_draining_300_mails_deliver_each_exactly_once() {
    let sink = SmtpSink::start().await;
    let db = fresh_db().await;
    let mut cfg = test_config(&db.url);
    use_sink(&mut cfg, &sink);
    cfg.mail.batch_size = 20;
    let mut conn = pakn::db::connect(&db.url).await.expect("connect");
    enqueue_plain(&mut conn, 300).await;
    let mut handles = Vec::new();
    let mut pools = Vec::new();
    for _ in 0..3 {
        let pool = pakn::db::pool(&db.url, 2).expect("pool");
        let worker = Worker::new(
            pool.clone(),
            Arc::new(cfg.clone()),
            reference_of(&pool).await,
        )
        .expect("worker");
        let wake = Arc::new(Notify::new());
        wake.notify_one();
        handles.push(worker.spawn(wake));
        pools.push(pool);
    }
    let messages = sink.wait_for(300, Duration::from_secs(120)).await;
    assert_eq!(settled(&mut conn).await, (0, 300, 0));
    for h in handles {
        h.stop().await;
    }
    let messages = if messages.len() == 300 {
        sink.messages()
    } else {
        messages
    };
    let mut subjects: Vec<String> = messages.iter().map(|m| m.subject().to_string()).collect();
    subjects.sort();
    let total = subjects.len();
    subjects.dedup();
    assert_eq!(
        (total, subjects.len()),
        (300, 300),
        "each mail exactly once"
    );
    let attempts: Vec<i32> = outbox::table
        .select(outbox::attempts)
        .load(&mut conn)
        .await
        .expect("attempts");
    assert!(attempts.iter().all(|a| *a == 1));
    for p in pools {
        p.close();
    }
    drop(conn);
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_outbox_run_leaves_its_rows_to_another_worker() {
    let sink = SmtpSink::start().await;
    let db = fresh_db().await;
    let mut conn = pakn::db::connect(&db.url).await.expect("connect");
    enqueue_plain(&mut conn, 5).await;
    // A server that accepts connections and never answers: the worker hangs mid-send,
    // holding its claim.
    let blackhole = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let hole_port = blackhole.local_addr().expect("addr").port();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    let hole = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = blackhole.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(s);
        }
    });
    let log = std::env::temp_dir().join(format!("pakn-outbox-run-{}.log", rand::random::<u32>()));
    let mut child = tokio::process::Command::new(BIN)
        .args(["outbox", "run"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &db.url)
        .env("PAKN_MAIL__TRANSPORT", "smtp")
        .env("PAKN_MAIL__SMTP__HOST", "127.0.0.1")
        .env("PAKN_MAIL__SMTP__PORT", hole_port.to_string())
        .env("PAKN_MAIL__SMTP__TIMEOUT_SECS", "300")
        .env("PAKN_MAIL__POLL_INTERVAL_SECS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .kill_on_drop(true)
        .spawn()
        .expect("pakn outbox run");
    // Wait until it holds every row and is sending.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let free: Vec<i64> = outbox::table
            .filter(outbox::sent_at.is_null())
            .select(outbox::id)
            .for_update()
            .skip_locked()
            .load(&mut conn)
            .await
            .expect("free rows");
        if free.is_empty()
            && std::sync::atomic::AtomicUsize::load(&accepted, std::sync::atomic::Ordering::SeqCst)
                > 0
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "pakn outbox run did not claim: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.start_kill().expect("SIGKILL");
    let status = child.wait().await.expect("wait");
    assert!(!status.success());
    // Another worker takes the rows over: the dead process's claim went with it.
    let mut cfg = test_config(&db.url);
    use_sink(&mut cfg, &sink);
    let pool = pakn::db::pool(&db.url, 2).expect("pool");
    let worker = Worker::new(
        pool.clone(),
        Arc::new(cfg.clone()),
        reference_of(&pool).await,
    )
    .expect("worker");
    let deadline = Instant::now() + PATIENCE;
    let mut delivered = 0;
    while delivered < 5 {
        delivered += worker.drain().await.expect("drain").sent;
        assert!(Instant::now() < deadline, "rows still held: {delivered}");
        if delivered < 5 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let messages = sink.wait_for(5, PATIENCE).await;
    assert_eq!(messages.len(), 5);
    assert_eq!(outbox_counts(&mut conn).await, (0, 5, 0));
    let attempts: Vec<i32> = outbox::table
        .select(outbox::attempts)
        .load(&mut conn)
        .await
        .expect("attempts");
    assert!(
        attempts.iter().all(|a| *a == 1),
        "the killed attempt left no trace: {attempts:?}"
    );
    hole.abort();
    pool.close();
    drop(conn);
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_60_s_poll_a_new_mail_is_delivered_within_10_s() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| {
        use_sink(cfg, &sink);
        cfg.mail.poll_interval_secs = 60;
    })
    .await;
    // Let the worker find the queue empty and settle into its 60 s wait.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let ticket = file_fields(&app, &[]).await;
    let messages = sink.wait_for(2, Duration::from_secs(10)).await;
    acknowledgement(&messages, &ticket.code);
    notification(&messages, &ticket.code);
    let mut conn = app.conn().await;
    assert_eq!(settled(&mut conn).await, (0, 2, 0));
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submission_whose_transaction_fails_leaves_no_mail() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let mut conn = app.conn().await;
    // The counters are written after the mail is queued: make that fail.
    diesel::sql_query(
        "CREATE FUNCTION test_fail() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'simulated failure'; END $$",
    )
    .execute(&mut conn)
    .await
    .expect("function");
    diesel::sql_query(
        "CREATE TRIGGER test_fail BEFORE INSERT ON ticket_counters \
         FOR EACH ROW EXECUTE FUNCTION test_fail()",
    )
    .execute(&mut conn)
    .await
    .expect("trigger");
    let token = fresh_form(&app).await;
    let (status, _, _) = post(&app, form_of(&valid_fields(&token))).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let tickets: i64 = tickets::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(tickets, 0);
    assert!(app.take_mail().await.is_empty());
    assert_eq!(outbox_counts(&mut conn).await, (0, 0, 0), "no mail queued");
    // Once the failure is gone, a filing mails as usual, and only its own two mails go.
    diesel::sql_query("DROP TRIGGER test_fail ON ticket_counters")
        .execute(&mut conn)
        .await
        .expect("drop trigger");
    let ticket = file_fields(&app, &[]).await;
    let messages = sink.wait_for(2, PATIENCE).await;
    assert_eq!(settled(&mut conn).await, (0, 2, 0));
    assert_eq!(sink.messages().len(), 2);
    assert_eq!(for_code(&messages, &ticket.code).len(), 2);
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

/// The reference data of a test database, for a worker built by hand.
async fn reference_of(pool: &pakn::db::Pool) -> Arc<pakn::reference::ReferenceCache> {
    let mut conn = pool.get().await.expect("connection");
    Arc::new(
        pakn::reference::ReferenceCache::load(&mut conn)
            .await
            .expect("reference data"),
    )
}

/// The `smtp` transport alone, on the sink, with `pool_size` connections.
fn sink_transport(sink: &SmtpSink, pool_size: u32) -> Transport {
    let mut cfg = test_config("postgres://unused");
    use_sink(&mut cfg, sink);
    cfg.mail.smtp.pool_size = pool_size;
    Transport::from_config(&cfg.mail).expect("transport")
}

fn transport_mail(i: usize) -> lettre::Message {
    lettre::Message::builder()
        .from(FROM.parse().expect("from"))
        .to(format!("nguoi.nhan.{i}@example.vn").parse().expect("to"))
        .cc(DEPUTY.parse().expect("cc"))
        .subject(format!("Thư thử nghiệm số {i}"))
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(format!(
            "Nội dung thư số {i}\r\n.\r\nmột dòng chỉ có dấu chấm ở trên"
        ))
        .expect("message")
}

/// Sends `transport_mail(n)` to everyone it names.
async fn send_one(transport: &Transport, id: i64, n: usize) -> Result<Delivery, SendError> {
    let message = transport_mail(n);
    let envelope = message.envelope().clone();
    transport.send(id, message, &envelope).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_recipient_does_not_stop_the_message_to_the_others() {
    let sink = SmtpSink::start().await;
    let transport = sink_transport(&sink, 1);
    sink.reject(DEPUTY);
    let d = send_one(&transport, 1, 1)
        .await
        .expect("sent to the others");
    assert_eq!(d.accepted, ["nguoi.nhan.1@example.vn"]);
    assert_eq!(d.refused.len(), 1);
    assert_eq!(d.refused[0].address, DEPUTY);
    assert!(d.refused[0].error.is_permanent(), "{d:?}");
    assert_eq!(d.refused[0].error.class(), "smtp 550");
    // Refused for now is not refused for good.
    sink.tempfail("nguoi.nhan.2@example.vn");
    let d = send_one(&transport, 2, 2).await.expect("a send");
    assert!(d.accepted.is_empty(), "{d:?}");
    assert_eq!(d.refused.len(), 2);
    let busy = &d
        .refused
        .iter()
        .find(|r| r.address.starts_with("nguoi"))
        .expect("busy")
        .error;
    assert!(
        !busy.is_permanent() && busy.class() == "smtp 450",
        "{busy:?}"
    );
    // Nobody accepted the second: nothing was sent, and the pooled connection (reset)
    // carries the next message.
    sink.accept_all();
    let d = send_one(&transport, 3, 3).await.expect("sent");
    assert_eq!(d.accepted.len(), 2);
    let messages = sink.wait_for(2, PATIENCE).await;
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].rcpt_tos, ["nguoi.nhan.1@example.vn"]);
    assert_eq!(messages[0].addresses("cc"), [DEPUTY]);
    assert!(messages[1].subject().ends_with("số 3"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pooled_connection_the_server_dropped_is_replaced_without_failing_the_send() {
    let mut sink = SmtpSink::start().await;
    let transport = sink_transport(&sink, 1);
    send_one(&transport, 1, 1).await.expect("first");
    // The pooled connection dies with the server (killed, as in an outage).
    sink.stop();
    sink.restart().await;
    send_one(&transport, 2, 2)
        .await
        .expect("the dead pooled connection is replaced by a fresh one");
    let messages = sink.wait_for(2, PATIENCE).await;
    assert_eq!(messages.len(), 2);
    // A line of a single dot survives (dot-stuffed on the wire), and so does the text.
    assert_eq!(
        messages[1].text().replace("\r\n", "\n").trim_end(),
        "Nội dung thư số 2\n.\nmột dòng chỉ có dấu chấm ở trên"
    );
    // With the server gone, a send fails as temporary.
    sink.stop();
    let e = send_one(&transport, 3, 3).await.expect_err("server down");
    assert!(!e.is_permanent(), "{e:?}");
    assert_eq!(e.class(), "connection");
}

/// Regression guard for the Nagle + delayed-ACK stall of lettre 0.11.23 (≥ 40 ms a
/// message on a connection, so ≥ 4 s for 100): our sockets have TCP_NODELAY.
#[tokio::test(flavor = "multi_thread")]
async fn one_connection_sends_100_mails_without_a_delayed_ack_stall_each() {
    let sink = SmtpSink::start().await;
    let transport = sink_transport(&sink, 1);
    send_one(&transport, 0, 0).await.expect("warm-up");
    let t0 = Instant::now();
    for i in 1..=100 {
        send_one(&transport, i, i as usize).await.expect("send");
    }
    let took = t0.elapsed();
    assert!(took < Duration::from_secs(3), "100 mails took {took:?}");
    sink.wait_for(101, PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_sends_beyond_the_pool_size_wait_and_all_arrive() {
    let sink = SmtpSink::start().await;
    let transport = Arc::new(sink_transport(&sink, 2));
    let sends: Vec<_> = (0..20)
        .map(|i| {
            let t = transport.clone();
            tokio::spawn(async move { send_one(&t, i, i as usize).await })
        })
        .collect();
    for s in sends {
        s.await.expect("join").expect("send");
    }
    let messages = sink.wait_for(20, PATIENCE).await;
    let mut subjects: Vec<&str> = messages.iter().map(|m| m.subject()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 20, "each once");
}
