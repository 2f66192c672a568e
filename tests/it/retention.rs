//! Issue 14, item 4: retention. PAKN are anonymised `[privacy] retention_years` after
//! they end (counted from the end, not from receipt), over a fixture spanning the
//! boundary: exactly the right rows lose exactly the right data, and the statistics and
//! the published public copy remain. `pakn retention --dry-run` prints what the next
//! run would touch, without personal data.

use chrono::{DateTime, Months, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::retention::ANONYMISED;
use pakn::db::schema::{
    attachments, audit_log, outbox, public_answers, ratings, replies, ticket_counters,
    ticket_events, tickets,
};
use reqwest::StatusCode;
use reqwest::multipart::Part;

use crate::filing::{PNG, form_of, fresh_form, post, valid_fields, with};
use crate::support::app::TestApp;

/// A sender of the fixture.
pub struct Sender {
    pub name: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
}

pub const HOA: Sender = Sender {
    name: "Nguyễn Thị Hoà",
    phone: "0983 570 009",
    email: "hoa.nguyen@example.vn",
};

pub struct Filed {
    pub id: i64,
    pub code: String,
    pub token: String,
}

/// Files a PAKN through the public form as `who`, titled `title`, with a PNG attached
/// when `file`; the mail it queues is looked at.
pub async fn file_as(app: &TestApp, who: &Sender, title: &str, file: bool) -> Filed {
    let token = fresh_form(app).await;
    let mut fields = with(&valid_fields(&token), "full_name", who.name);
    fields = with(&fields, "phone", who.phone);
    fields = with(&fields, "email", who.email);
    fields = with(&fields, "title", title);
    let mut form = form_of(&fields);
    if file {
        form = form.part(
            "attachments",
            Part::bytes(PNG.to_vec()).file_name("ảnh chụp.png"),
        );
    }
    let (status, body, _) = post(app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let mail = app.take_mail().await;
    assert_eq!(mail.len(), 2, "acknowledgement and notification");
    let mut conn = app.conn().await;
    let (id, code, token) = tickets::table
        .filter(tickets::title.eq(title))
        .select((tickets::id, tickets::code, tickets::access_token))
        .first(&mut conn)
        .await
        .expect("the ticket");
    Filed { id, code, token }
}

/// Ends ticket `id` in `status` at `at` (as the workflow would: `closed_at` and the
/// status event), received a month before.
pub async fn end(app: &TestApp, id: i64, status: &str, at: DateTime<Utc>) {
    set_status(app, id, status, Some(at), at).await;
}

/// Puts ticket `id` in `status` with `closed_at`, and a status event at `event_at`.
async fn set_status(
    app: &TestApp,
    id: i64,
    status: &str,
    closed_at: Option<DateTime<Utc>>,
    event_at: DateTime<Utc>,
) {
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(status),
            tickets::closed_at.eq(closed_at),
            tickets::received_at.eq(event_at - TimeDelta::days(30)),
        ))
        .execute(&mut conn)
        .await
        .expect("status");
    diesel::insert_into(ticket_events::table)
        .values((
            ticket_events::ticket_id.eq(id),
            ticket_events::at.eq(event_at),
            ticket_events::actor_kind.eq("staff"),
            ticket_events::event.eq("move"),
            ticket_events::to_status.eq(status),
            ticket_events::public.eq(true),
            ticket_events::body.eq(format!("Kính gửi bà {}", HOA.name)),
        ))
        .execute(&mut conn)
        .await
        .expect("event");
}

const PUBLIC_TITLE: &str = "Chậm giải quyết hồ sơ bảo hiểm xã hội";
const PUBLIC_QUESTION: &str = "Hồ sơ của [đã ẩn] nộp ngày 02/10/2026 chưa có kết quả.";
const PUBLIC_ANSWER: &str = "Sở đã chỉ đạo giải quyết hồ sơ của [đã ẩn].";

/// Gives ticket `id` an approved reply naming the sender, a rating with a comment and a
/// published public copy.
async fn publish(app: &TestApp, id: i64) {
    let mut conn = app.conn().await;
    let reply: i64 = diesel::insert_into(replies::table)
        .values((
            replies::ticket_id.eq(id),
            replies::state.eq("approved"),
            replies::body.eq(format!("Kính gửi bà {} (0983 570 009), …", HOA.name)),
            replies::number_symbol.eq("125/SNV-VP"),
            replies::decided_at.eq(diesel::dsl::now),
        ))
        .returning(replies::id)
        .get_result(&mut conn)
        .await
        .expect("reply");
    let (unit_id, field): (i32, String) = tickets::table
        .find(id)
        .select((tickets::unit_id, tickets::field_code))
        .first(&mut conn)
        .await
        .expect("ticket");
    diesel::insert_into(ratings::table)
        .values((
            ratings::ticket_id.eq(id),
            ratings::rating.eq("satisfied"),
            ratings::comment.eq("Cảm ơn, tôi là Hoà ở Rạch Giá"),
            ratings::unit_id.eq(unit_id),
            ratings::field_code.eq(&field),
            ratings::reply_id.eq(reply),
        ))
        .execute(&mut conn)
        .await
        .expect("rating");
    diesel::insert_into(public_answers::table)
        .values((
            public_answers::public_id.eq(format!("pub{id}")),
            public_answers::ticket_id.eq(id),
            public_answers::field_code.eq(&field),
            public_answers::title.eq(PUBLIC_TITLE),
            public_answers::question.eq(PUBLIC_QUESTION),
            public_answers::answer.eq(PUBLIC_ANSWER),
            public_answers::answered_on.eq(Utc::now().date_naive()),
            public_answers::search_text.eq("ho so bao hiem"),
            public_answers::published_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .await
        .expect("public copy");
}

/// What a ticket holds of its sender.
#[derive(Debug, PartialEq)]
struct Personal {
    full_name: Option<String>,
    address: String,
    phone: String,
    email: Option<String>,
    title: String,
    content: String,
    token: String,
    anonymized: bool,
    files: i64,
    mails: i64,
    bodies: i64,
}

async fn personal(app: &TestApp, id: i64) -> Personal {
    let mut conn = app.conn().await;
    let (full_name, address, phone, email, title, content, token, anonymized_at) = tickets::table
        .find(id)
        .select((
            tickets::full_name,
            tickets::address,
            tickets::phone,
            tickets::email,
            tickets::title,
            tickets::content,
            tickets::access_token,
            tickets::anonymized_at,
        ))
        .first::<(
            Option<String>,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            Option<DateTime<Utc>>,
        )>(&mut conn)
        .await
        .expect("ticket");
    let files = attachments::table
        .filter(attachments::ticket_id.eq(id))
        .count()
        .get_result(&mut conn)
        .await
        .expect("files");
    let mails = outbox::table
        .filter(outbox::ticket_id.eq(id))
        .count()
        .get_result(&mut conn)
        .await
        .expect("mails");
    let bodies = ticket_events::table
        .filter(ticket_events::ticket_id.eq(id))
        .filter(ticket_events::body.is_not_null())
        .count()
        .get_result(&mut conn)
        .await
        .expect("event bodies");
    Personal {
        full_name,
        address,
        phone,
        email,
        title,
        content,
        token,
        anonymized: anonymized_at.is_some(),
        files,
        mails,
        bodies,
    }
}

type Counter = (i32, String, String, chrono::NaiveDate, i16, i64);
type TicketStats = (String, i32, String, String, DateTime<Utc>);

/// The statistics: tickets by (status, unit, field, category, received), the counters
/// and the ratings.
async fn statistics(app: &TestApp) -> (Vec<TicketStats>, Vec<Counter>, Vec<String>) {
    let mut conn = app.conn().await;
    let rows = tickets::table
        .order(tickets::id)
        .select((
            tickets::status,
            tickets::unit_id,
            tickets::field_code,
            tickets::content_category,
            tickets::received_at,
        ))
        .load(&mut conn)
        .await
        .expect("tickets");
    let counters = ticket_counters::table
        .order((
            ticket_counters::unit_id,
            ticket_counters::field_code,
            ticket_counters::status,
            ticket_counters::month,
            ticket_counters::shard,
        ))
        .load(&mut conn)
        .await
        .expect("counters");
    let rated = ratings::table
        .order(ratings::ticket_id)
        .select(ratings::rating)
        .load(&mut conn)
        .await
        .expect("ratings");
    (rows, counters, rated)
}

fn years_ago(years: u32, days: i64) -> DateTime<Utc> {
    Utc::now()
        .checked_sub_months(Months::new(12 * years))
        .expect("date")
        + TimeDelta::days(days)
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_anonymises_exactly_the_pakn_ended_past_the_period() {
    let app = TestApp::spawn().await;
    // The notice says what the code does: counted from the end, what goes, what stays.
    for (lang, from_end, what) in [
        (
            "vi",
            "5 năm kể từ khi phản ánh, kiến nghị kết thúc",
            "Chỉ giữ lại số liệu thống kê",
        ),
        ("en", "5 years after the feedback ends", "Only statistics"),
    ] {
        let notice = crate::auth::client()
            .get(app.url(&format!("/privacy?lang={lang}")))
            .send()
            .await
            .expect("GET /privacy")
            .text()
            .await
            .expect("body");
        assert!(notice.contains(from_end) && notice.contains(what), "{lang}");
    }
    // Ended (closed) one day before the cutoff: anonymised.
    let inside = file_as(&app, &HOA, "Hồ sơ A kết thúc quá hạn lưu", true).await;
    end(&app, inside.id, "closed", years_ago(5, -1)).await;
    // Ended one day after the cutoff: kept.
    let outside = file_as(&app, &HOA, "Hồ sơ B kết thúc chưa đủ hạn", true).await;
    end(&app, outside.id, "rejected", years_ago(5, 1)).await;
    // Received ten years ago and still being handled: kept.
    let open = file_as(&app, &HOA, "Hồ sơ C vẫn đang xử lý", false).await;
    set_status(&app, open.id, "in_progress", None, years_ago(10, 0)).await;
    // Published and ended six years ago: anonymised, the public copy kept.
    let published = file_as(&app, &HOA, "Hồ sơ D đã công khai", true).await;
    end(&app, published.id, "closed", years_ago(6, 0)).await;
    publish(&app, published.id).await;
    // Out of scope seven years ago, without `closed_at` (old data): its end is the
    // event that moved it there.
    let derived = file_as(&app, &HOA, "Hồ sơ E không thuộc thẩm quyền", false).await;
    set_status(&app, derived.id, "out_of_scope", None, years_ago(7, 0)).await;

    let cfg = &app.state.cfg;
    let mut conn = app.conn().await;
    let plan = pakn::handling::retention::plan(&mut conn, cfg, Utc::now())
        .await
        .expect("plan");
    assert_eq!(plan.count, 3);
    assert_eq!(
        plan.codes,
        [
            derived.code.clone(),
            published.code.clone(),
            inside.code.clone()
        ],
        "oldest end first"
    );
    let printed = plan.lines(5).join("\n");
    assert!(printed.contains("would anonymise: 3"), "{printed}");
    assert!(printed.contains(&inside.code) && !printed.contains(&outside.code));
    for personal_data in ["Hoà", "0983", "570", "hoa.nguyen", "Trần Hưng Đạo"] {
        assert!(!printed.contains(personal_data), "{printed}");
    }

    // The command prints the same, and touches nothing.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_pakn"))
        .args(["retention", "--dry-run"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PAKN_CONFIG")
        .env("DATABASE_URL", &app.db.url)
        .env("PAKN_MAIL__DIR", &cfg.mail.dir)
        .output()
        .await
        .expect("pakn retention --dry-run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let codes_line = format!("codes: {} {} {}", derived.code, published.code, inside.code);
    assert!(
        stdout.contains("would anonymise: 3\n") && stdout.contains(&codes_line),
        "{stdout}"
    );
    assert!(
        !stdout.contains("Hoà") && !stdout.contains("0983"),
        "{stdout}"
    );
    assert_eq!(
        pakn::handling::retention::plan(&mut conn, cfg, Utc::now())
            .await
            .expect("plan")
            .count,
        3
    );

    let before_stats = statistics(&app).await;
    let kept_outside = personal(&app, outside.id).await;
    let kept_open = personal(&app, open.id).await;
    let public_before: Vec<(String, String, String)> = public_answers::table
        .select((
            public_answers::title,
            public_answers::question,
            public_answers::answer,
        ))
        .load(&mut conn)
        .await
        .expect("public copies");

    let report = pakn::handling::retention::run(&mut conn, cfg, Utc::now())
        .await
        .expect("run");
    assert_eq!((report.tickets, report.files), (3, 2));

    // Exactly the right rows lose exactly the right data.
    let a = personal(&app, inside.id).await;
    assert_eq!(
        a,
        Personal {
            full_name: Some(ANONYMISED.into()),
            address: String::new(),
            phone: String::new(),
            email: None,
            title: ANONYMISED.into(),
            content: ANONYMISED.into(),
            token: a.token.clone(),
            anonymized: true,
            files: 0,
            mails: 0,
            bodies: 0,
        }
    );
    assert_ne!(a.token, inside.token, "the private link is gone");
    let d = personal(&app, published.id).await;
    assert_eq!(
        (d.title.as_str(), d.content.as_str(), d.anonymized, d.files),
        (PUBLIC_TITLE, PUBLIC_QUESTION, true, 0),
        "the private content is replaced by the public copy"
    );
    let e = personal(&app, derived.id).await;
    assert!(e.anonymized && e.email.is_none() && e.phone.is_empty());
    assert_eq!(personal(&app, outside.id).await, kept_outside);
    assert_eq!(personal(&app, open.id).await, kept_open);
    assert_eq!(kept_outside.files, 1);
    assert_eq!(kept_outside.full_name.as_deref(), Some(HOA.name));

    // The reply's text and the rating's comment go; the rating and the public copy stay.
    let (reply_body, number): (String, Option<String>) = replies::table
        .filter(replies::ticket_id.eq(published.id))
        .select((replies::body, replies::number_symbol))
        .first(&mut conn)
        .await
        .expect("reply");
    assert_eq!(
        (reply_body.as_str(), number.as_deref()),
        (PUBLIC_ANSWER, Some("125/SNV-VP"))
    );
    let comment: Option<String> = ratings::table
        .filter(ratings::ticket_id.eq(published.id))
        .select(ratings::comment)
        .first(&mut conn)
        .await
        .expect("rating");
    assert_eq!(comment, None);
    let public_after: Vec<(String, String, String)> = public_answers::table
        .select((
            public_answers::title,
            public_answers::question,
            public_answers::answer,
        ))
        .load(&mut conn)
        .await
        .expect("public copies");
    assert_eq!(public_after, public_before);
    assert_eq!(statistics(&app).await, before_stats);

    // The private link of an anonymised PAKN answers 404; a kept one still works.
    let gone = app
        .client
        .get(app.url(&format!("/t/{}", inside.token)))
        .send()
        .await
        .expect("GET");
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let kept = app
        .client
        .get(app.url(&format!("/t/{}", outside.token)))
        .send()
        .await
        .expect("GET");
    assert_eq!(kept.status(), StatusCode::OK);

    // Audited, and nothing is left for the next run.
    let audited: Vec<Option<serde_json::Value>> = audit_log::table
        .filter(audit_log::entity.eq("retention"))
        .select(audit_log::after)
        .load(&mut conn)
        .await
        .expect("audit");
    assert_eq!(audited.len(), 1);
    let codes = audited[0].as_ref().expect("after")["codes"].clone();
    assert_eq!(codes.as_array().map(Vec::len), Some(3));
    let again = pakn::handling::retention::plan(&mut conn, cfg, Utc::now())
        .await
        .expect("plan");
    assert_eq!((again.count, again.oldest_end), (0, None));
    drop(conn);
    app.stop().await;
}
