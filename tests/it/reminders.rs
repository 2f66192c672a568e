//! Issue 15, parts 3 and 5: reminders and escalation, and the publication clock. The
//! pass runs with a test clock (Wednesday 09/12/2026, 09:00 in Vietnam) over PAKN
//! written straight into the database (no filing mail), so every mail here is a
//! reminder and is asserted by kind.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use pakn::handling::reminders::{self, Mode, Report};
use reqwest::StatusCode;

use crate::auth::{UNIT, client, create_user, get, login_ok, unit_id};
use crate::support::app::TestApp;
use crate::support::outbox::{DEPUTY, mail_to};
use crate::support::smtp::SmtpSink;

const OFFICER: &str = "cv.tiepnhan@sonoivu.vn";
const HANDLER: &str = "cv.xuly@sonoivu.vn";
const LEADER: &str = "pgd@sonoivu.vn";
const ADMIN: &str = "quantri@sonoivu.vn";
const DPO: &str = "baove.dulieu@sonoivu.vn";

const PHONE: &str = "0912345678";
const EMAIL: &str = "nguoi.gui@example.vn";
const ADDRESS: &str = "Số 7 đường Trần Phú, phường Rạch Giá";
const NAME: &str = "Nguyễn Thị Hoa";

/// A moment given in Vietnam local time.
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    pakn::domain::calendar::vn_offset()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// The test clock: Wednesday 09/12/2026, 09:00 in Vietnam (a working day).
fn now() -> DateTime<Utc> {
    vn(2026, 12, 9, 9, 0)
}

/// The staff of the tests: two officers of UNIT, a department leader (UNIT has none of
/// its own), an admin and a data protection officer. Returns the handler's id.
async fn staff(app: &TestApp) -> i32 {
    create_user(app, OFFICER, &["officer"], Some(UNIT)).await;
    let handler = create_user(app, HANDLER, &["officer"], Some(UNIT)).await;
    create_user(app, LEADER, &["leader"], None).await;
    create_user(app, ADMIN, &["admin"], None).await;
    create_user(app, DPO, &["privacy"], None).await;
    handler
}

/// A PAKN as a test needs it.
struct Spec<'a> {
    title: &'a str,
    status: &'a str,
    assignee: Option<i32>,
    accept_due: NaiveDate,
    forward_due: NaiveDate,
    reply_due: NaiveDate,
    answered_at: Option<DateTime<Utc>>,
    publish_consent: bool,
    confidential: bool,
}

impl<'a> Spec<'a> {
    fn new(title: &'a str, status: &'a str, reply_due: NaiveDate) -> Spec<'a> {
        Spec {
            title,
            status,
            assignee: None,
            accept_due: day(11, 20),
            forward_due: day(11, 24),
            reply_due,
            answered_at: None,
            publish_consent: false,
            confidential: false,
        }
    }
}

#[derive(QueryableByName)]
struct Inserted {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Writes a PAKN of UNIT routed by the rule for "can_bo_cong_chuc" (whose first To
/// contact is the Deputy Director); returns (id, code).
async fn insert(app: &TestApp, spec: Spec<'_>) -> (i64, String) {
    let reference = app.state.reference.get();
    let route = reference
        .route("khac", "can_bo_cong_chuc")
        .expect("a route");
    let unit = unit_id(app, UNIT).await;
    assert_eq!(route.unit.id, unit, "the rule routes to UNIT");
    let code = pakn::domain::tracking_code::generate(&mut rand::rng());
    let code = code.as_str().to_string();
    let mut conn = app.conn().await;
    let row: Inserted = diesel::sql_query(
        "INSERT INTO tickets (public_id, code, access_token, status, channel, submitter_kind, \
           full_name, address, phone, email, kind, content_category, field_code, title, \
           content, lang, consent_at, privacy_notice_version, publish_consent, unit_id, \
           routing_rule_id, assignee_id, received_at, accept_due, forward_due, reply_due, \
           answered_at, search_text, retention_until, confidential) \
         VALUES (md5(random()::text), $1, md5(random()::text), $2, 'web', 'individual', \
           $3, $4, $5, $6, 'phan_anh', 'khac', 'can_bo_cong_chuc', $7, 'Nội dung phản ánh', \
           'vi', now(), '2026-12', $8, $9, $10, $11, $12, $13, $14, $15, $16, $7, \
           '2031-12-31', $17) RETURNING id",
    )
    .bind::<Text, _>(&code)
    .bind::<Text, _>(spec.status)
    .bind::<Text, _>(NAME)
    .bind::<Text, _>(ADDRESS)
    .bind::<Text, _>(PHONE)
    .bind::<Text, _>(EMAIL)
    .bind::<Text, _>(spec.title)
    .bind::<Bool, _>(spec.publish_consent)
    .bind::<Integer, _>(unit)
    .bind::<Nullable<Integer>, _>(route.rule.map(|r| r.id))
    .bind::<Nullable<Integer>, _>(spec.assignee)
    .bind::<Timestamptz, _>(vn(2026, 11, 10, 9, 0))
    .bind::<Date, _>(spec.accept_due)
    .bind::<Date, _>(spec.forward_due)
    .bind::<Date, _>(spec.reply_due)
    .bind::<Nullable<Timestamptz>, _>(spec.answered_at)
    .bind::<Bool, _>(spec.confidential)
    .get_result(&mut conn)
    .await
    .expect("insert a PAKN");
    (row.id, code)
}

/// A draft reply pending approval since `at`.
async fn pending_draft(app: &TestApp, ticket: i64, by: i32, at: DateTime<Utc>) {
    use pakn::db::schema::replies;
    diesel::insert_into(replies::table)
        .values((
            replies::ticket_id.eq(ticket),
            replies::state.eq("pending"),
            replies::body.eq("Dự thảo trả lời"),
            replies::drafted_by.eq(by),
            replies::created_at.eq(at),
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("a draft");
}

/// An open data-subject request due on `due`; returns its id.
async fn privacy_request(app: &TestApp, due: NaiveDate) -> i64 {
    use pakn::db::schema::privacy_requests as p;
    diesel::insert_into(p::table)
        .values((
            p::kind.eq("access"),
            p::name.eq(NAME),
            p::contact.eq(EMAIL),
            p::body.eq("Tôi muốn xem dữ liệu của mình"),
            p::due_on.eq(due),
        ))
        .returning(p::id)
        .get_result(&mut app.conn().await)
        .await
        .expect("a request")
}

/// One pass with the test clock, no lease (as two instances with stale leases would).
async fn pass(app: &TestApp, conn: &mut AsyncPgConnection, at: DateTime<Utc>) -> Report {
    let reference = app.state.reference.get();
    reminders::pass(conn, &app.state.cfg, &reference, at, Mode::Send)
        .await
        .expect("a reminder pass")
}

/// One mail of the outbox with its text.
#[derive(Debug, QueryableByName)]
struct Body {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    to_addrs: Vec<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    ticket_id: Option<i64>,
    #[diesel(sql_type = Text)]
    subject: String,
    #[diesel(sql_type = Text)]
    body_text: String,
    #[diesel(sql_type = Text)]
    body_html: String,
}

async fn bodies(app: &TestApp) -> Vec<Body> {
    diesel::sql_query(
        "SELECT kind, to_addrs, ticket_id, subject, body_text, body_html FROM outbox \
          WHERE kind LIKE 'reminder.%' ORDER BY id",
    )
    .load(&mut app.conn().await)
    .await
    .expect("the outbox")
}

fn body_to<'a>(all: &'a [Body], kind: &str, to: &[&str]) -> &'a Body {
    all.iter()
        .find(|b| b.kind == kind && b.to_addrs == to)
        .unwrap_or_else(|| panic!("a {kind} mail to {to:?} in {all:#?}"))
}

fn no_personal_data(b: &Body) {
    for text in [&b.subject, &b.body_text, &b.body_html] {
        for secret in [PHONE, EMAIL, ADDRESS, NAME, "Nội dung phản ánh"] {
            assert!(!text.contains(secret), "{secret} in a reminder: {text}");
        }
    }
}

async fn keys(app: &TestApp) -> i64 {
    use pakn::db::schema::reminders_sent as r;
    r::table
        .count()
        .get_result(&mut app.conn().await)
        .await
        .expect("count")
}

/// Every kind of reminder of the test clock's day, for the tests below: returns the
/// PAKN (classify soon, reply soon, overdue, confidential overdue, draft, publication).
struct Scene {
    overdue_code: String,
    overdue_id: i64,
    publication_code: String,
}

async fn scene(app: &TestApp) -> Scene {
    let handler = staff(app).await;
    // Submitted, unassigned, classify due tomorrow: due soon to the unit's officers.
    let mut s = Spec::new("Chờ phân loại", "submitted", day(12, 29));
    s.accept_due = day(12, 10);
    s.forward_due = day(12, 16);
    insert(app, s).await;
    // Reply due Friday (2 working days): due soon to its handler.
    let mut s = Spec::new("Sắp đến hạn trả lời", "in_progress", day(12, 11));
    s.assignee = Some(handler);
    insert(app, s).await;
    // Reply due Monday 30/11: 7 working days late; the progress duty's date is 07/12.
    let mut s = Spec::new("Quá hạn trả lời", "in_progress", day(11, 30));
    s.assignee = Some(handler);
    let (overdue_id, overdue_code) = insert(app, s).await;
    // Confidential, due 01/12: 6 working days late; no title in any mail.
    let mut s = Spec::new("Tiêu đề mật không được lộ", "in_progress", day(12, 1));
    s.assignee = Some(handler);
    s.confidential = true;
    insert(app, s).await;
    // A draft waiting since Wednesday 02/12 (2 working days end on Friday 04/12).
    let mut s = Spec::new("Dự thảo chờ duyệt", "pending_approval", day(12, 29));
    s.assignee = Some(handler);
    let (draft, _) = insert(app, s).await;
    pending_draft(app, draft, handler, vn(2026, 12, 2, 10, 0)).await;
    // Answered Thursday 03/12 with consent, no public copy: due Monday 07/12, 2 days late.
    let mut s = Spec::new("Chờ công khai", "answered", day(12, 1));
    s.assignee = Some(handler);
    s.publish_consent = true;
    s.answered_at = Some(vn(2026, 12, 3, 10, 0));
    let (_, publication_code) = insert(app, s).await;
    // Answered today with consent: not late, due soon (due Friday 11/12: 2 working days
    // away, past the 1-day window): nothing yet.
    let mut s = Spec::new("Vừa trả lời", "answered", day(12, 1));
    s.publish_consent = true;
    s.answered_at = Some(vn(2026, 12, 9, 8, 0));
    insert(app, s).await;
    // A data-subject request due yesterday, unassigned.
    privacy_request(app, day(12, 8)).await;
    Scene {
        overdue_code,
        overdue_id,
        publication_code,
    }
}

/// The mail of [`scene`]'s pass, by kind and recipients.
fn expected() -> Vec<(&'static str, crate::support::outbox::Rcpt)> {
    vec![
        ("reminder.due_soon", mail_to(&[OFFICER, HANDLER])),
        ("reminder.due_soon", mail_to(&[HANDLER])),
        ("reminder.overdue", mail_to(&[LEADER])),
        ("reminder.overdue", mail_to(&[DEPUTY])),
        ("reminder.overdue", mail_to(&[DPO, ADMIN])),
        ("reminder.progress", mail_to(&[HANDLER])),
        ("reminder.draft_waiting", mail_to(&[LEADER])),
    ]
}

type Who = Vec<(String, crate::support::outbox::Rcpt)>;

/// The reminders of a log as (kind, recipients), sorted (other mail left out).
fn reminder_mail(log: &crate::support::outbox::MailLog) -> Who {
    log.who_sorted()
        .into_iter()
        .filter(|(k, _)| k.starts_with("reminder."))
        .map(|(k, r)| (k.to_string(), r))
        .collect()
}

fn sorted(v: Vec<(&'static str, crate::support::outbox::Rcpt)>) -> Who {
    let mut v: Who = v.into_iter().map(|(k, r)| (k.to_string(), r)).collect();
    v.sort();
    v
}

#[tokio::test]
async fn each_reminder_is_sent_once_across_two_instances_and_a_restart() {
    let app = TestApp::spawn().await;
    scene(&app).await;
    // Two passes at once, on two connections, without the lease between them.
    let (mut a, mut b) = (app.conn().await, app.conn().await);
    let (ra, rb) = tokio::join!(pass(&app, &mut a, now()), pass(&app, &mut b, now()));
    assert_eq!(ra.due, 9, "{ra:?}");
    assert_eq!(
        ra.sent + rb.sent,
        9,
        "each key sent by one of them: {ra:?} {rb:?}"
    );
    // Two instances asking for the lease at once: at most one runs, and sends nothing new.
    let state = app.state();
    let reference = state.reference.get();
    let (la, lb) = tokio::join!(
        reminders::run_once(&mut a, &state.cfg, &reference, "a", now(), Mode::Send),
        reminders::run_once(&mut b, &state.cfg, &reference, "b", now(), Mode::Send),
    );
    let ran: Vec<Report> = [la.expect("pass a"), lb.expect("pass b")]
        .into_iter()
        .flatten()
        .collect();
    assert!(
        !ran.is_empty() && ran.iter().all(|r| r.sent == 0),
        "{ran:?}"
    );
    // A restart: another instance, later the same day.
    let second = app.second_instance().await;
    let mut c = second.conn().await;
    let later = pass(&second, &mut c, vn(2026, 12, 9, 16, 0)).await;
    assert_eq!((later.due, later.sent, later.mails), (9, 0, 0));
    second.stop_keeping_db().await;
    assert_eq!(keys(&app).await, 9);
    assert_eq!(reminder_mail(&app.take_mail().await), sorted(expected()));
    // The progress duty's next date (14/12) is a new key: one more mail, to the handler.
    let next = pass(&app, &mut a, vn(2026, 12, 14, 9, 0)).await;
    assert!(next.sent >= 2, "{next:?}");
    let log = app.take_mail().await;
    assert_eq!(
        log.of_kind("reminder.progress")
            .recipients_of("reminder.progress"),
        vec![mail_to(&[HANDLER])]
    );
    app.stop().await;
}

#[tokio::test]
async fn reminders_name_days_late_and_carry_no_personal_data() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    let mut conn = app.conn().await;
    pass(&app, &mut conn, now()).await;
    let all = bodies(&app).await;
    assert_eq!(all.len(), 7);
    all.iter().for_each(no_personal_data);
    // The leaders: overdue reply 7 and 6 working days late, publication 2; the
    // confidential PAKN without its title; a link to the staff page.
    let leader = body_to(&all, "reminder.overdue", &[LEADER]);
    assert!(
        leader.body_text.contains("quá hạn 7 ngày làm việc"),
        "{}",
        leader.body_text
    );
    assert!(leader.body_text.contains("quá hạn 6 ngày làm việc"));
    assert!(
        leader
            .body_text
            .contains("Hạn công khai kết quả: 07/12/2026")
    );
    assert!(leader.body_text.contains("Quá hạn trả lời"));
    assert!(!leader.body_text.contains("Tiêu đề mật"));
    assert!(!leader.body_html.contains("Tiêu đề mật"));
    assert!(leader.body_text.contains("PAKN mật"));
    assert!(
        leader
            .body_text
            .contains(&format!("/staff/tickets/{}", s.overdue_code))
    );
    assert!(
        leader
            .body_text
            .contains(&format!("/staff/tickets/{}", s.publication_code))
    );
    assert_eq!(
        leader.ticket_id, None,
        "a mail listing several PAKN threads under none"
    );
    // The contact: the two overdue replies (not the publication), no title, no link.
    let contact = body_to(&all, "reminder.overdue", &[DEPUTY]);
    assert!(contact.body_text.contains("quá hạn 7 ngày làm việc"));
    assert!(
        !contact.body_text.contains("/staff/"),
        "{}",
        contact.body_text
    );
    assert!(!contact.body_html.contains("/staff/"));
    assert!(!contact.body_text.contains("Quá hạn trả lời"));
    assert!(!contact.body_text.contains("Hạn công khai"));
    // The data-subject request: its number, no requester.
    let dpo = body_to(&all, "reminder.overdue", &[DPO, ADMIN]);
    assert!(dpo.body_text.contains("Yêu cầu về dữ liệu cá nhân số"));
    assert!(dpo.body_text.contains("/staff/privacy/"));
    // The progress duty and the draft.
    let progress = body_to(&all, "reminder.progress", &[HANDLER]);
    assert!(
        progress
            .body_text
            .contains("Hạn cập nhật tiến độ: 07/12/2026")
    );
    let draft = body_to(&all, "reminder.draft_waiting", &[LEADER]);
    assert!(draft.body_text.contains("Hạn duyệt dự thảo: 04/12/2026"));
    assert!(
        draft.ticket_id.is_some(),
        "a mail about one PAKN threads under it"
    );
    // Due soon: unassigned to the unit's officers (both); assigned to the handler alone.
    let soon = body_to(&all, "reminder.due_soon", &[OFFICER, HANDLER]);
    assert!(
        soon.body_text
            .contains("Hạn tiếp nhận, phân loại: 10/12/2026")
    );
    assert!(soon.subject.starts_with("Nhắc việc"));
    let handler = body_to(&all, "reminder.due_soon", &[HANDLER]);
    assert!(handler.body_text.contains("Hạn trả lời: 11/12/2026"));
    let _ = app.take_mail().await;
    let _ = s.overdue_id;
    app.stop().await;
}

#[tokio::test]
async fn reminders_go_out_on_working_days_at_the_set_hour_only() {
    let app = TestApp::spawn_with(|cfg| cfg.reminders.at = "07:30".into()).await;
    staff(&app).await;
    insert(&app, Spec::new("Quá hạn", "in_progress", day(8, 3))).await;
    let state = app.state();
    let reference = state.reference.get();
    let mut conn = app.conn().await;
    let mut at = async |t: DateTime<Utc>| {
        reminders::run_scheduled(&mut conn, &state.cfg, &reference, "h", t)
            .await
            .expect("a scheduled pass")
    };
    // Saturday 05/12 at 10:00, Wednesday 02/09 (Quốc khánh) at 10:00, Monday 07/12 at
    // 07:29: not a sending moment.
    assert_eq!(at(vn(2026, 12, 5, 10, 0)).await, None);
    assert_eq!(at(vn(2026, 9, 2, 10, 0)).await, None);
    assert_eq!(at(vn(2026, 12, 7, 7, 29)).await, None);
    assert!(app.take_mail().await.is_empty());
    // `pakn reminders --dry-run` counts what would go, and records and queues nothing.
    let dry = reminders::run_once(
        &mut app.conn().await,
        &state.cfg,
        &reference,
        "cli",
        vn(2026, 12, 7, 7, 0),
        Mode::DryRun,
    )
    .await
    .expect("a dry run")
    .expect("the lease");
    assert!(dry.sent >= 1 && dry.mails == 3, "{dry:?}");
    assert_eq!(keys(&app).await, 0);
    assert!(app.take_mail().await.is_empty());
    // 07:30 on Monday: sent; later that day, nothing again.
    let sent = at(vn(2026, 12, 7, 7, 30)).await.expect("the pass ran");
    assert!(sent.sent >= 1, "{sent:?}");
    let again = at(vn(2026, 12, 7, 15, 0)).await.expect("the pass ran");
    assert_eq!(again.sent, 0);
    let log = app.take_mail().await;
    assert_eq!(
        log.recipients_of("reminder.overdue"),
        vec![mail_to(&[LEADER]), mail_to(&[DEPUTY])]
    );
    assert_eq!(
        log.recipients_of("reminder.progress"),
        vec![mail_to(&[OFFICER, HANDLER])]
    );
    app.stop().await;
}

#[tokio::test]
async fn an_overdue_reminder_reaches_the_leader_and_the_contact_over_smtp() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| crate::mail::use_sink(cfg, &sink)).await;
    staff(&app).await;
    let (_, code) = insert(&app, Spec::new("Quá hạn qua SMTP", "accepted", day(12, 7))).await;
    let mut conn = app.conn().await;
    let report = pass(&app, &mut conn, now()).await;
    assert_eq!((report.sent, report.mails), (1, 2), "{report:?}");
    let messages = sink.wait_for(2, std::time::Duration::from_secs(20)).await;
    let leader = messages
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|r| r == LEADER))
        .expect("the leader's mail");
    assert!(leader.subject().contains("quá hạn") || leader.subject().contains("Cảnh báo"));
    assert!(
        leader.text().contains("quá hạn 2 ngày làm việc"),
        "{}",
        leader.text()
    );
    assert!(leader.text().contains(&format!("/staff/tickets/{code}")));
    assert!(leader.html().contains("Quá hạn qua SMTP"));
    let contact = messages
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|r| r == DEPUTY))
        .expect("the contact's mail");
    assert!(!contact.text().contains("/staff/"));
    assert!(!contact.text().contains("Quá hạn qua SMTP"));
    let log = app.take_mail().await;
    assert_eq!(
        log.recipients_of("reminder.overdue"),
        vec![mail_to(&[LEADER]), mail_to(&[DEPUTY])]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_publication_clock_flags_the_late_pakn_in_the_queue_and_on_its_page() {
    let app = TestApp::spawn().await;
    let s = scene(&app).await;
    // The queue and the page use the real clock: answered three weeks ago is late,
    // answered now is not.
    let mut late = Spec::new("Công khai trễ hạn", "answered", day(11, 1));
    late.publish_consent = true;
    late.answered_at = Some(Utc::now() - chrono::TimeDelta::days(21));
    let (_, late_code) = insert(&app, late).await;
    let mut fresh = Spec::new("Công khai còn hạn", "answered", day(11, 1));
    fresh.publish_consent = true;
    fresh.answered_at = Some(Utc::now());
    let (_, fresh_code) = insert(&app, fresh).await;
    let c = client();
    login_ok(&app, &c, LEADER).await;
    let res = get(&c, app.url("/staff/tickets?due=publication")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("the queue");
    assert!(
        page.contains(&format!("/staff/tickets/{late_code}\"")),
        "{page}"
    );
    // (The scene's publication PAKN, answered 03/12/2026, is late by the real clock only
    // from 08/12/2026: not asserted either way.)
    assert!(!page.contains(&format!("/staff/tickets/{fresh_code}\"")));
    assert!(!page.contains(&format!("/staff/tickets/{}\"", s.overdue_code)));
    assert!(page.contains("Quá hạn công khai"), "the filter's choice");
    // The ticket page: the publication deadline, flagged.
    let page = get(&c, app.url(&format!("/staff/tickets/{late_code}")))
        .await
        .text()
        .await
        .expect("the ticket page");
    let at = page
        .find("Hạn công khai kết quả")
        .expect("the deadline shown");
    assert!(page[at..].contains("flag-overdue"), "flagged late");
    // And reminded: the pass of the test clock sends the publication overdue (21 days
    // before today is long before the test clock's day too).
    let mut conn = app.conn().await;
    pass(&app, &mut conn, now()).await;
    assert_eq!(reminder_mail(&app.take_mail().await), sorted(expected()));
    let all = bodies(&app).await;
    let leader = body_to(&all, "reminder.overdue", &[LEADER]);
    assert!(leader.body_text.contains("Công khai trễ hạn"));
    app.stop().await;
}
