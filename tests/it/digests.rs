//! Issue 15, part 4: digests. A daily one per officer (their open PAKN, overdue first,
//! with due dates; their unit's unassigned ones; no citizen's data; no title of a
//! confidential PAKN), a weekly one per leader (the previous week per unit), each sent
//! once per day or week whatever the passes, restarts and instances, only from the set
//! hour on working days, switchable on the account page and by the one-click
//! List-Unsubscribe link (RFC 8058), whose token cannot be forged.
//!
//! The PAKN are written straight into `tickets` (no filing, so no filing mail): every
//! mail a test sees is a digest.

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use pakn::db::schema::{audit_log, outbox, users};
use pakn::domain::calendar::format_date;
use pakn::domain::digest::{DigestKind, UnsubscribeKey};
use pakn::handling::digests::{self, Pass, Report};
use reqwest::StatusCode;

use crate::auth::{OTHER_UNIT, UNIT, client, create_user, csrf, login_ok, unit_id};
use crate::mail::{PATIENCE, use_sink};
use crate::support::app::TestApp;
use crate::support::smtp::SmtpSink;

const DAILY: &str = "digest.daily";
const WEEKLY: &str = "digest.weekly";
/// What a citizen gave that no digest may show.
const PHONE: &str = "0912345678";
const EMAIL: &str = "congdan.bimat@example.vn";
const ADDRESS: &str = "12 Đường Kín Đáo";
const NAME: &str = "Trần Văn Riêng";

/// `h:m` in Vietnam on `d`.
fn vn(d: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(h, m, 0).expect("time")) - chrono::TimeDelta::hours(7)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Monday 07/12/2026, a working day.
fn monday() -> NaiveDate {
    day(2026, 12, 7)
}

/// A PAKN as the test wants it.
struct Pakn<'a> {
    code: &'a str,
    title: &'a str,
    status: &'a str,
    unit: i32,
    assignee: Option<i32>,
    received_at: DateTime<Utc>,
    reply_due: NaiveDate,
    answered_at: Option<DateTime<Utc>>,
    confidential: bool,
}

impl<'a> Pakn<'a> {
    fn new(code: &'a str, title: &'a str, unit: i32, reply_due: NaiveDate) -> Pakn<'a> {
        Pakn {
            code,
            title,
            status: "in_progress",
            unit,
            assignee: None,
            received_at: vn(day(2026, 11, 20), 9, 0),
            reply_due,
            answered_at: None,
            confidential: false,
        }
    }
}

async fn insert(app: &TestApp, p: Pakn<'_>) {
    let mut conn = app.conn().await;
    diesel::sql_query(
        "INSERT INTO tickets (public_id, code, access_token, status, submitter_kind, full_name,
             address, phone, email, kind, content_category, field_code, title, content,
             consent_at, privacy_notice_version, unit_id, assignee_id, received_at, accept_due,
             forward_due, reply_due, answered_at, confidential, search_text, retention_until)
         VALUES ('pub' || $1, $1, 'tok' || $1, $2, 'individual', $9, $10, $11, $12, 'phan_anh',
             'khac', 'khac', $3, 'Nội dung', now(), '2026-12', $4, $5, $6, $7 - 3, $7 - 5, $7,
             $8, $13, '', date '2031-12-31')",
    )
    .bind::<Text, _>(p.code)
    .bind::<Text, _>(p.status)
    .bind::<Text, _>(p.title)
    .bind::<Integer, _>(p.unit)
    .bind::<Nullable<Integer>, _>(p.assignee)
    .bind::<Timestamptz, _>(p.received_at)
    .bind::<Date, _>(p.reply_due)
    .bind::<Nullable<Timestamptz>, _>(p.answered_at)
    .bind::<Text, _>(NAME)
    .bind::<Text, _>(ADDRESS)
    .bind::<Text, _>(PHONE)
    .bind::<Text, _>(EMAIL)
    .bind::<Bool, _>(p.confidential)
    .execute(&mut conn)
    .await
    .expect("insert a PAKN");
}

/// One pass of the digests at `now` on `app`'s configuration.
async fn pass(app: &TestApp, now: DateTime<Utc>) -> Report {
    let state = app.state();
    let reference = state.reference.get();
    let key = UnsubscribeKey::new(&state.secret);
    let pass = Pass {
        cfg: &state.cfg,
        reference: &reference,
        key: &key,
        now,
    };
    let mut conn = app.conn().await;
    digests::run(&mut conn, &pass).await.expect("a digest pass")
}

type OutboxBody = (
    i64,
    Vec<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The queued mail's (to, subject, text, html, List-Unsubscribe), by outbox id.
async fn bodies(app: &TestApp, ids: &[i64]) -> Vec<(String, String, String, String, String)> {
    let mut conn = app.conn().await;
    let rows: Vec<OutboxBody> = outbox::table
        .filter(outbox::id.eq_any(ids))
        .order(outbox::id)
        .select((
            outbox::id,
            outbox::to_addrs,
            outbox::subject,
            outbox::body_text,
            outbox::body_html,
            outbox::list_unsubscribe,
        ))
        .load(&mut conn)
        .await
        .expect("outbox rows");
    rows.into_iter()
        .map(|(_, to, s, t, h, l)| {
            (
                to.join(","),
                s.unwrap_or_default(),
                t.unwrap_or_default(),
                h.unwrap_or_default(),
                l.unwrap_or_default(),
            )
        })
        .collect()
}

fn before(text: &str, a: &str, b: &str) -> bool {
    match (text.find(a), text.find(b)) {
        (Some(x), Some(y)) => x < y,
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_digest_lists_open_pakn_overdue_first_without_personal_data() {
    let app = TestApp::spawn().await;
    let unit = unit_id(&app, UNIT).await;
    let other = unit_id(&app, OTHER_UNIT).await;
    let an = create_user(&app, "an@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "binh@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let cuong = create_user(&app, "cuong@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    let today = monday();
    let late = today - Days::new(3);
    let soon = today + Days::new(1);
    let later = today + Days::new(5);
    let mut p = Pakn::new(
        "DGA0000001",
        "Hồ sơ nộp từ tháng trước chưa có kết quả",
        unit,
        late,
    );
    p.assignee = Some(an);
    insert(&app, p).await;
    let mut p = Pakn::new("DGA0000002", "Thủ tục cấp chứng chỉ hành nghề", unit, later);
    p.assignee = Some(an);
    p.status = "accepted";
    insert(&app, p).await;
    let mut p = Pakn::new("DGA0000003", "Tiêu đề mật không được lộ", unit, soon);
    p.assignee = Some(an);
    p.confidential = true;
    insert(&app, p).await;
    let mut p = Pakn::new("DGA0000004", "Đã trả lời xong", unit, late);
    p.assignee = Some(an);
    p.status = "answered";
    insert(&app, p).await;
    let mut p = Pakn::new(
        "DGA0000005",
        "Chưa giao cho ai xử lý",
        unit,
        today + Days::new(10),
    );
    p.status = "submitted";
    insert(&app, p).await;
    // Cường's unit has only a closed PAKN: nothing to list, no mail.
    let mut p = Pakn::new("DGA0000006", "Đã đóng ở đơn vị khác", other, late);
    p.status = "closed";
    insert(&app, p).await;

    let report = pass(&app, vn(today, 8, 0)).await;
    assert_eq!((report.daily, report.daily_empty), (2, 1), "{report:?}");
    let mail = app.take_mail().await;
    assert_eq!(mail.len(), 2, "{}", mail.lines());
    let daily = mail.of_kind(DAILY);
    assert_eq!(daily.len(), 2);
    assert!(
        daily
            .iter()
            .all(|m| m.ticket_id.is_none() && m.lang == "vi")
    );
    let ids: Vec<i64> = daily.iter().map(|m| m.id).collect();
    let got = bodies(&app, &ids).await;
    let (to, subject, text, html, link) = &got[0];
    assert_eq!(to, "an@sonoivu.vn");
    assert!(
        subject.contains("07/12/2026")
            && subject.contains("4 đang mở")
            && subject.contains("1 quá hạn"),
        "{subject}"
    );
    // Overdue first, then by reply due date; the unit's unassigned list after.
    assert!(before(text, "DGA0000001", "DGA0000003"), "{text}");
    assert!(before(text, "DGA0000003", "DGA0000002"), "{text}");
    assert!(before(text, "DGA0000002", "DGA0000005"), "{text}");
    assert!(text.contains("PAKN được giao cho anh/chị (3)"), "{text}");
    assert!(text.contains("PAKN chưa giao người xử lý của"), "{text}");
    assert!(text.contains("Hồ sơ nộp từ tháng trước chưa có kết quả"));
    assert!(
        text.contains(&format!("Hạn trả lời: {}", format_date(late))),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Hạn tiếp nhận: {}",
            format_date(late - Days::new(3))
        )),
        "{text}"
    );
    assert!(text.contains("Quá hạn: 3 ngày"), "{text}");
    assert!(
        text.contains("Đang xử lý") && text.contains("Đã tiếp nhận"),
        "{text}"
    );
    assert!(text.contains("/staff/tickets/DGA0000001"), "{text}");
    assert!(
        html.contains("href=\"http://127.0.0.1:") && html.contains("/staff/tickets/DGA0000002\"")
    );
    // A confidential PAKN without its title; nothing answered or closed.
    assert!(text.contains("DGA0000003") && text.contains("(PAKN mật"));
    for body in [text, html] {
        for hidden in [
            "Tiêu đề mật",
            "DGA0000004",
            "DGA0000006",
            PHONE,
            EMAIL,
            ADDRESS,
            NAME,
        ] {
            assert!(!body.contains(hidden), "{hidden} in {body}");
        }
    }
    assert!(link.contains("/digests/unsubscribe/"), "{link}");
    // Bình has nothing assigned: only the unit's unassigned PAKN.
    let (to, _, text, _, _) = &got[1];
    assert_eq!(to, "binh@sonoivu.vn");
    assert!(
        text.contains("DGA0000005") && !text.contains("DGA0000001"),
        "{text}"
    );
    assert!(!text.contains("PAKN được giao cho anh/chị"), "{text}");
    // Everybody's key is written; Cường's without a mail.
    let mut conn = app.conn().await;
    let keys = pakn::db::digests::sent_of(&mut conn, an)
        .await
        .expect("keys");
    assert_eq!(keys, vec![(DigestKind::Daily, today, Some(ids[0]))]);
    let keys = pakn::db::digests::sent_of(&mut conn, cuong)
        .await
        .expect("keys");
    assert_eq!(keys, vec![(DigestKind::Daily, today, None)]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_weekly_digest_counts_last_week_per_unit() {
    let app = TestApp::spawn().await;
    let u1 = unit_id(&app, UNIT).await;
    let u2 = unit_id(&app, OTHER_UNIT).await;
    create_user(&app, "truongphong@sonoivu.vn", &["leader"], Some(UNIT)).await;
    create_user(&app, "giamdoc@sonoivu.vn", &["leader"], None).await;
    let today = monday();
    let future = today + Days::new(20);
    // Last week is Monday 30/11 to Sunday 06/12, Vietnam time.
    for (code, unit, at) in [
        ("DGW0000001", u1, vn(day(2026, 12, 1), 9, 0)),
        ("DGW0000002", u1, vn(day(2026, 11, 30), 0, 0)),
        ("DGW0000003", u1, vn(day(2026, 12, 6), 23, 59)),
        ("DGW0000004", u2, vn(day(2026, 12, 3), 14, 0)),
        // Outside: the minute before, and this week.
        ("DGW0000005", u1, vn(day(2026, 11, 29), 23, 59)),
        ("DGW0000006", u1, vn(day(2026, 12, 7), 0, 0)),
    ] {
        let mut p = Pakn::new(code, "Tiếp nhận", unit, future);
        p.received_at = at;
        p.status = "submitted";
        insert(&app, p).await;
    }
    // Answered last week: on time (due 05/12, answered 02/12) and late (due 03/12,
    // answered 04/12 in Vietnam, 03/12 in UTC's evening would still be 04/12 there).
    for (code, unit, due, at) in [
        (
            "DGW0000011",
            u1,
            day(2026, 12, 5),
            vn(day(2026, 12, 2), 10, 0),
        ),
        (
            "DGW0000012",
            u1,
            day(2026, 12, 3),
            vn(day(2026, 12, 4), 6, 0),
        ),
        (
            "DGW0000013",
            u2,
            day(2026, 12, 1),
            vn(day(2026, 12, 6), 16, 0),
        ),
        // Answered the week before: not counted.
        (
            "DGW0000014",
            u2,
            day(2026, 11, 1),
            vn(day(2026, 11, 29), 16, 0),
        ),
    ] {
        let mut p = Pakn::new(code, "Đã trả lời", unit, due);
        p.status = "answered";
        p.answered_at = Some(at);
        insert(&app, p).await;
    }
    // Open and overdue now (due yesterday); due today is not overdue yet.
    insert(
        &app,
        Pakn::new("DGW0000021", "Quá hạn", u1, today - Days::new(1)),
    )
    .await;
    insert(&app, Pakn::new("DGW0000022", "Đến hạn hôm nay", u1, today)).await;

    let report = pass(&app, vn(today, 8, 0)).await;
    assert_eq!(report.weekly, 2, "{report:?}");
    let mail = app.take_mail().await;
    assert_eq!(mail.len(), 2, "{}", mail.lines());
    let weekly = mail.of_kind(WEEKLY);
    let ids: Vec<i64> = weekly.iter().map(|m| m.id).collect();
    let got = bodies(&app, &ids).await;
    let reference = app.state().reference.get();
    let name1 = reference.unit(u1).expect("unit").name_vi.clone();
    let name2 = reference.unit(u2).expect("unit").name_vi.clone();
    let (to, subject, text, html, link) = &got[0];
    assert_eq!(to, "truongphong@sonoivu.vn");
    assert_eq!(subject, "Tổng hợp PAKN tuần 30/11/2026 – 06/12/2026");
    assert!(
        text.contains(&format!("{name1} | 3 | 1 | 1 | 1\n")),
        "{text}"
    );
    assert!(
        !text.contains(&name2),
        "a unit's leader sees their unit: {text}"
    );
    assert!(text.contains("Tổng cộng | 3 | 1 | 1 | 1"), "{text}");
    assert!(html.contains("/staff/overview"), "{html}");
    assert!(link.contains("/digests/unsubscribe/"));
    let (to, _, text, _, _) = &got[1];
    assert_eq!(to, "giamdoc@sonoivu.vn");
    assert!(
        text.contains(&format!("{name1} | 3 | 1 | 1 | 1\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{name2} | 1 | 0 | 1 | 0\n")),
        "{text}"
    );
    assert!(text.contains("Tổng cộng | 4 | 1 | 2 | 1"), "{text}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_digest_goes_once_per_period_across_passes_instances_and_restarts() {
    let app = TestApp::spawn().await;
    let unit = unit_id(&app, UNIT).await;
    let mut officers = Vec::new();
    for i in 0..5 {
        let id = create_user(&app, &format!("cb{i}@sonoivu.vn"), &["officer"], Some(UNIT)).await;
        let code = format!("DGO000000{i}");
        let mut p = Pakn::new(&code, "Việc của cán bộ", unit, monday() + Days::new(3));
        p.assignee = Some(id);
        // Received last week: the leader's weekly digest has a figure.
        p.received_at = vn(day(2026, 12, 2), 9, 0);
        insert(&app, p).await;
        officers.push(id);
    }
    create_user(&app, "ld@sonoivu.vn", &["leader"], Some(UNIT)).await;
    let now = vn(monday(), 8, 0);
    // Two passes at once, bypassing the lease: the once-keys alone keep them apart.
    let (a, b) = tokio::join!(pass(&app, now), pass(&app, now));
    assert_eq!(a.daily + b.daily, 5, "{a:?} {b:?}");
    assert_eq!(a.weekly + b.weekly, 1, "{a:?} {b:?}");
    // Two instances' jobs at once, under the lease.
    let second = app.second_instance().await;
    let run_once = |app: &TestApp, holder: &'static str| {
        let state = app.state();
        async move {
            let reference = state.reference.get();
            let key = UnsubscribeKey::new(&state.secret);
            let pass = Pass {
                cfg: &state.cfg,
                reference: &reference,
                key: &key,
                now,
            };
            let mut conn = state.pool.get().await.expect("conn");
            digests::run_once(&mut conn, &pass, holder)
                .await
                .expect("pass")
        }
    };
    let (x, y) = tokio::join!(run_once(&app, "one"), run_once(&second, "two"));
    for r in [x, y].into_iter().flatten() {
        assert_eq!(r.mails(), 0, "{r:?}");
    }
    second.stop_keeping_db().await;
    // A restarted instance, later the same day: nothing again.
    let restarted = app.second_instance().await;
    assert_eq!(
        pass(&restarted, now + chrono::TimeDelta::hours(6))
            .await
            .mails(),
        0
    );
    restarted.stop_keeping_db().await;
    let mail = app.take_mail().await;
    assert_eq!(mail.of_kind(DAILY).len(), 5, "{}", mail.lines());
    assert_eq!(mail.of_kind(WEEKLY).len(), 1, "{}", mail.lines());
    assert_eq!(mail.len(), 6);
    let mut to: Vec<String> = mail.of_kind(DAILY).iter().map(|m| m.to.join(",")).collect();
    to.sort();
    assert_eq!(
        to,
        (0..5)
            .map(|i| format!("cb{i}@sonoivu.vn"))
            .collect::<Vec<_>>()
    );
    // The next day: a new daily digest, no new weekly one (same week).
    let next = pass(&app, now + chrono::TimeDelta::days(1)).await;
    assert_eq!((next.daily, next.weekly), (5, 0), "{next:?}");
    assert_eq!(app.take_mail().await.of_kind(DAILY).len(), 5);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn digests_wait_for_the_hour_on_working_days() {
    let app = TestApp::spawn_with(|c| c.digests.at = "07:30".into()).await;
    let unit = unit_id(&app, UNIT).await;
    let id = create_user(&app, "an@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "ld@sonoivu.vn", &["leader"], Some(UNIT)).await;
    let mut p = Pakn::new("DGH0000001", "Chờ xử lý", unit, monday() - Days::new(1));
    p.assignee = Some(id);
    insert(&app, p).await;
    // Saturday and Sunday, a public holiday (01/01/2027, a Friday), 07:29 on Monday.
    for now in [
        vn(day(2026, 12, 5), 9, 0),
        vn(day(2026, 12, 6), 9, 0),
        vn(day(2027, 1, 1), 9, 0),
        vn(monday(), 7, 29),
    ] {
        assert_eq!(pass(&app, now).await, Report::default(), "{now}");
    }
    assert!(app.take_mail().await.is_empty());
    let report = pass(&app, vn(monday(), 7, 30)).await;
    assert_eq!((report.daily, report.weekly), (1, 1), "{report:?}");
    let mail = app.take_mail().await;
    assert_eq!(mail.of_kind(DAILY).len(), 1);
    assert_eq!(mail.of_kind(WEEKLY).len(), 1);
    assert_eq!(mail.len(), 2);
    app.stop().await;
}

/// An officer with an open PAKN assigned, signed in; returns (user id, client).
async fn officer_with_work(app: &TestApp, email: &str, code: &str) -> (i32, reqwest::Client) {
    let unit = unit_id(app, UNIT).await;
    let id = create_user(app, email, &["officer"], Some(UNIT)).await;
    let mut p = Pakn::new(code, "Việc đang làm", unit, monday() + Days::new(2));
    p.assignee = Some(id);
    insert(app, p).await;
    let c = client();
    login_ok(app, &c, email).await;
    (id, c)
}

async fn switches(app: &TestApp, id: i32) -> (bool, bool) {
    let mut conn = app.conn().await;
    pakn::db::digests::switches(&mut conn, id)
        .await
        .expect("switches")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_account_page_turns_a_digest_off() {
    let app = TestApp::spawn().await;
    let (id, c) = officer_with_work(&app, "an@sonoivu.vn", "DGS0000001").await;
    let page = c
        .get(app.url("/staff/account"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        page.contains("name=\"daily\" value=\"1\" id=\"digest-daily\" checked"),
        "{page}"
    );
    assert!(page.contains("Thư tổng hợp"));
    // Without the session's token: refused, nothing changes.
    let res = c
        .post(app.url("/staff/account/digests"))
        .form(&[("weekly", "1")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(switches(&app, id).await, (true, true));
    let token = csrf(&app, &c).await;
    let res = c
        .post(app.url("/staff/account/digests"))
        .form(&[("csrf", token.as_str()), ("weekly", "1")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("body");
    assert!(page.contains("Đã lưu lựa chọn thư tổng hợp."), "{page}");
    assert!(
        page.contains("id=\"digest-daily\">"),
        "unchecked now: {page}"
    );
    assert_eq!(switches(&app, id).await, (false, true));
    let mut conn = app.conn().await;
    let audit: Vec<(String, Option<serde_json::Value>)> = audit_log::table
        .filter(audit_log::entity_id.eq(id.to_string()))
        .select((audit_log::action, audit_log::after))
        .load(&mut conn)
        .await
        .expect("audit");
    assert_eq!(
        audit,
        vec![(
            "set_own_digests".to_string(),
            Some(serde_json::json!({"daily": false, "weekly": true}))
        )]
    );
    let report = pass(&app, vn(monday(), 8, 0)).await;
    assert_eq!(report, Report::default(), "no daily digest for them");
    assert!(app.take_mail().await.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_unsubscribe_link_of_a_received_digest_turns_it_off_without_a_login() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|c| use_sink(c, &sink)).await;
    let (id, _) = officer_with_work(&app, "an@sonoivu.vn", "DGU0000001").await;
    assert_eq!(pass(&app, vn(monday(), 8, 0)).await.daily, 1);
    app.deliver_mail().await;
    let received = sink.wait_for(1, PATIENCE).await;
    let digest = &received[0];
    assert_eq!(digest.addresses("to"), vec!["an@sonoivu.vn".to_string()]);
    assert_eq!(
        digest.header("list-unsubscribe-post"),
        Some("List-Unsubscribe=One-Click")
    );
    let header = digest.header("list-unsubscribe").expect("List-Unsubscribe");
    let link = header
        .trim()
        .strip_prefix('<')
        .and_then(|h| h.strip_suffix('>'))
        .unwrap_or_else(|| panic!("<link>: {header}"))
        .to_string();
    assert!(
        link.starts_with(&app.url("/digests/unsubscribe/")),
        "{link}"
    );
    assert!(digest.text().contains(&link), "the link is in the text too");
    // A GET shows a page with a button; it changes nothing.
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = bare.get(&link).send().await.expect("GET");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("body");
    assert!(
        page.contains("Ngừng nhận thư tổng hợp") && page.contains("method=\"post\""),
        "{page}"
    );
    let en = bare
        .get(format!("{link}?lang=en"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        en.contains("Do you want to stop receiving the daily PAKN digest?"),
        "{en}"
    );
    assert_eq!(switches(&app, id).await, (true, true));
    // RFC 8058: a POST without cookies or form token, twice.
    for _ in 0..2 {
        let res = bare
            .post(&link)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(switches(&app, id).await, (false, true));
    }
    let mut conn = app.conn().await;
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("digest_unsubscribe"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("audit");
    assert_eq!(audited, 1, "audited once: the second POST changed nothing");
    let mail = app.take_mail().await;
    assert_eq!(mail.of_kind(DAILY).len(), 1);
    assert_eq!(mail.len(), 1);
    // The next working day: no digest.
    assert_eq!(pass(&app, vn(monday() + Days::new(1), 8, 0)).await.daily, 0);
    assert!(app.take_mail().await.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_or_altered_unsubscribe_token_is_refused() {
    let app = TestApp::spawn().await;
    let id = create_user(&app, "an@sonoivu.vn", &["officer", "leader"], Some(UNIT)).await;
    let key = UnsubscribeKey::new(&app.state().secret);
    let good = key.token(id, DigestKind::Weekly);
    let mut altered: Vec<char> = good.chars().collect();
    altered[3] = if altered[3] == 'x' { 'y' } else { 'x' };
    let altered: String = altered.into_iter().collect();
    let forged =
        UnsubscribeKey::new(b"not the secret of this instance at all").token(id, DigestKind::Daily);
    let bare = reqwest::Client::new();
    for token in [
        altered.as_str(),
        forged.as_str(),
        "abc",
        &good[..good.len() - 1],
    ] {
        let url = app.url(&format!("/digests/unsubscribe/{token}"));
        assert_eq!(
            bare.get(&url).send().await.expect("GET").status(),
            StatusCode::NOT_FOUND
        );
        let res = bare
            .post(&url)
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{token}");
    }
    assert_eq!(switches(&app, id).await, (true, true));
    // The real one turns off the weekly digest only.
    let res = bare
        .post(app.url(&format!("/digests/unsubscribe/{good}")))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(switches(&app, id).await, (true, false));
    let mut conn = app.conn().await;
    let active: bool = users::table
        .find(id)
        .select(users::active)
        .first(&mut conn)
        .await
        .expect("user");
    assert!(active);
    app.stop().await;
}

/// The account page's switches and the unsubscribe page in Chromium, on a phone and a
/// desktop (screenshots under `target/screenshots/digests/`).
#[tokio::test(flavor = "multi_thread")]
async fn the_switches_and_the_unsubscribe_page_in_a_browser() {
    use crate::support::browser::{Browser, with_browser};
    let app = TestApp::spawn().await;
    let id = create_user(&app, "an@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let key = UnsubscribeKey::new(&app.state().secret);
    let link = app.url(&format!(
        "/digests/unsubscribe/{}",
        key.token(id, DigestKind::Daily)
    ));
    for (width, height) in [(360, 740), (1280, 800)] {
        let link = link.clone();
        let base = app.base.clone();
        with_browser(
            &format!("digests/{width}"),
            width,
            height,
            async |b: &Browser| {
                crate::browser::sign_in(b, &base, "an@sonoivu.vn").await;
                b.goto(&format!("{base}/staff/account")).await;
                b.wait_for("#digests-h").await;
                b.eval("document.getElementById('digests-h').scrollIntoView()")
                    .await;
                b.screenshot("account-digests").await.expect("screenshot");
                let wide = b.eval("document.documentElement.scrollWidth").await;
                assert!(wide.as_u64().unwrap_or(0) <= u64::from(width), "{wide}");
                b.goto(&link).await;
                b.wait_for("form button[type=submit]").await;
                b.screenshot("unsubscribe").await.expect("screenshot");
                b.goto(&format!("{link}?lang=en")).await;
                b.wait_for("form button[type=submit]").await;
                b.screenshot("unsubscribe-en").await.expect("screenshot");
                b.click("form button[type=submit]").await;
                b.wait_for("#unsubscribed").await;
                b.screenshot("unsubscribed-en").await.expect("screenshot");
            },
        )
        .await;
    }
    assert_eq!(switches(&app, id).await, (false, true));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_list_is_cut_at_max_items_and_the_rest_counted() {
    let app = TestApp::spawn_with(|c| c.digests.max_items = 2).await;
    let unit = unit_id(&app, UNIT).await;
    let an = create_user(&app, "an@sonoivu.vn", &["officer"], Some(UNIT)).await;
    for i in 0..5u64 {
        let code = format!("DGM000000{i}");
        // Three overdue (the last two beyond the cut), two not.
        let due = monday() + Days::new(i) - Days::new(3);
        let mut p = Pakn::new(&code, "Việc", unit, due);
        p.assignee = Some(an);
        insert(&app, p).await;
    }
    assert_eq!(pass(&app, vn(monday(), 8, 0)).await.daily, 1);
    let mail = app.take_mail().await;
    assert_eq!(mail.len(), 1);
    let got = bodies(&app, &[mail.of_kind(DAILY).0[0].id]).await;
    let (_, subject, text, _, _) = &got[0];
    assert!(subject.ends_with("5 đang mở, 3 quá hạn"), "{subject}");
    assert!(text.contains("PAKN được giao cho anh/chị (5)"), "{text}");
    assert!(
        text.contains("DGM0000000") && text.contains("DGM0000001"),
        "{text}"
    );
    assert!(!text.contains("DGM0000002"), "{text}");
    assert!(text.contains("… và 3 PAKN khác"), "{text}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pakn_digests_runs_one_pass_now() {
    let app = TestApp::spawn().await;
    let unit = unit_id(&app, UNIT).await;
    let an = create_user(&app, "an@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let mut p = Pakn::new("DGC0000001", "Việc", unit, monday());
    p.assignee = Some(an);
    insert(&app, p).await;
    let cli = |args: &'static [&'static str]| {
        let cfg = app.state().cfg.clone();
        let url = app.db.url.clone();
        async move {
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_pakn"))
                .args(args)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env_remove("PAKN_CONFIG")
                .env("DATABASE_URL", url)
                .env("PAKN_MAIL__DIR", &cfg.mail.dir)
                .env("PAKN_DIGESTS__AT", "")
                .output()
                .await
                .expect("pakn digests");
            let stdout = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(
                out.status.success(),
                "{stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            stdout
        }
    };
    let plan = cli(&["digests", "--dry-run"]).await;
    assert!(plan.contains(": 1 recipients not yet done"), "{plan}");
    assert!(app.take_mail().await.is_empty(), "a dry run queues nothing");
    let done = cli(&["digests"]).await;
    assert!(done.contains("daily digests queued: 1\n"), "{done}");
    assert_eq!(app.take_mail().await.of_kind(DAILY).len(), 1);
    let again = cli(&["digests"]).await;
    assert!(again.contains("daily digests queued: 0\n"), "{again}");
    assert!(app.take_mail().await.is_empty());
    app.stop().await;
}
