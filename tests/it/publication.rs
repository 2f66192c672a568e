//! Publication of answers over HTTP: the staff review page (who may, when it is
//! refused), the public copy on `/answers` without personal data, its search, keyset
//! pages and filters, unpublishing, confidentiality, and the mail to the citizen.
//!
//! Tickets reach `answered` with an approved reply by direct SQL (the workflow engine is
//! not what is tested here).

use std::time::Duration;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::publication::{AnswerFilter, list_with_window};
use pakn::db::schema::{outbox, public_answers, replies, ticket_events, tickets};
use pakn::domain::search::Query;
use reqwest::StatusCode;

use crate::auth::{UNIT, client, create_user, csrf, get, login_ok};
use crate::filing::{askama_escape, form_of, fresh_form, post, valid_fields, with, without};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, DEPUTY, Rcpt, filing_mail_notifying, mail_to};

const LABOUR: &str = "phong_lao_dong_viec_lam";
const TITLE: &str = "Chậm chi trả trợ cấp thất nghiệp";
const CONTENT: &str = "Tôi là Nguyễn Thị Hoà, ở 12 Trần Hưng Đạo, phường Rạch Giá. Hồ sơ \
     trợ cấp thất nghiệp nộp ngày 02/10/2026 theo Nghị định 28/2015/NĐ-CP vẫn chưa được \
     giải quyết. Xin gọi 0983 570 009 hoặc thư hoa.nguyen@example.vn.";
const REPLY: &str = "Kính gửi bà Nguyễn Thị Hoà (0983.570.009), Sở Nội vụ đã chỉ đạo Trung \
     tâm Dịch vụ việc làm giải quyết hồ sơ trước ngày 15/10/2026 theo Nghị định \
     28/2015/NĐ-CP.";
/// What the fixture's sender gave, none of which may reach a public page.
const PERSONAL: [&str; 8] = [
    "Nguyễn Thị Hoà",
    "NGUYỄN THỊ HOÀ",
    "0983",
    "570 009",
    "570.009",
    "hoa.nguyen",
    "Trần Hưng Đạo",
    "Rạch Giá",
];

struct Filed {
    id: i64,
    code: String,
}

/// Files a PAKN about `viec_lam` (handled by the labour unit) titled `title`.
async fn file(app: &TestApp, title: &str, consent: bool) -> Filed {
    let token = fresh_form(app).await;
    let mut fields = with(
        &with(
            &with(
                &with(&valid_fields(&token), "field", "viec_lam"),
                "content_category",
                "khac",
            ),
            "title",
            title,
        ),
        "content",
        CONTENT,
    );
    fields = if consent {
        with(&fields, "publish_consent", "1")
    } else {
        without(&fields, "publish_consent")
    };
    let (status, body, _) = post(app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let mut conn = app.conn().await;
    let (id, code) = tickets::table
        .filter(tickets::title.eq(title))
        .select((tickets::id, tickets::code))
        .first(&mut conn)
        .await
        .expect("the ticket");
    Filed { id, code }
}

/// The mail of [`file`]: the acknowledgement, and the notification of the rule for the
/// labour lĩnh vực (to the deputy director alone).
fn filed_mail() -> Vec<(&'static str, Rcpt)> {
    filing_mail_notifying(mail_to(&[DEPUTY]))
}

/// Puts a ticket into `status` with an approved reply, as the workflow would.
async fn answer(app: &TestApp, ticket: &Filed, status: &str) {
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(ticket.id))
        .set((
            tickets::status.eq(status),
            tickets::answered_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .await
        .expect("answered");
    diesel::insert_into(replies::table)
        .values((
            replies::ticket_id.eq(ticket.id),
            replies::state.eq("approved"),
            replies::body.eq(REPLY),
            replies::number_symbol.eq("125/SNV-VP"),
            replies::reply_date.eq(NaiveDate::from_ymd_opt(2026, 10, 14).expect("date")),
            replies::signer.eq("Phó Giám đốc Lê Văn An"),
            replies::decided_at.eq(diesel::dsl::now),
        ))
        .execute(&mut conn)
        .await
        .expect("approved reply");
}

fn page_url(app: &TestApp, t: &Filed) -> String {
    app.url(&format!("/staff/tickets/{}/publication", t.code))
}

async fn act(
    app: &TestApp,
    c: &reqwest::Client,
    t: &Filed,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let token = csrf(app, c).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", &token)];
    form.extend_from_slice(fields);
    let res = c
        .post(page_url(app, t))
        .form(&form)
        .send()
        .await
        .expect("POST publication");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, location, res.text().await.expect("body"))
}

const EDITED_TITLE: &str = "Trợ cấp thất nghiệp chi trả chậm";
const EDITED_QUESTION: &str = "Người gửi phản ánh hồ sơ trợ cấp thất nghiệp nộp ngày \
     02/10/2026 theo Nghị định 28/2015/NĐ-CP chưa được giải quyết.";
const EDITED_ANSWER: &str = "Sở Nội vụ đã chỉ đạo giải quyết hồ sơ trước ngày 15/10/2026; \
     mức hưởng 4.500.000 đồng mỗi tháng.";

async fn publish(app: &TestApp, c: &reqwest::Client, t: &Filed) -> StatusCode {
    let (status, location, body) = act(
        app,
        c,
        t,
        &[
            ("action", "publish"),
            ("title", EDITED_TITLE),
            ("question", EDITED_QUESTION),
            ("answer", EDITED_ANSWER),
        ],
    )
    .await;
    if status == StatusCode::SEE_OTHER {
        assert_eq!(
            location.as_deref(),
            Some(format!("/staff/tickets/{}/publication?done=published", t.code).as_str()),
            "{body}"
        );
    }
    status
}

async fn text(c: &reqwest::Client, url: String) -> (StatusCode, String) {
    let res = get(c, url).await;
    (res.status(), res.text().await.expect("body"))
}

fn assert_no_personal_data(html: &str, t: &Filed, what: &str) {
    for p in PERSONAL {
        assert!(!html.contains(p), "{what} shows {p:?}");
        assert!(!html.contains(&askama_escape(p)), "{what} shows {p:?}");
    }
    assert!(!html.contains(&t.code), "{what} shows the tracking code");
    let display = format!("{}-{}-{}", &t.code[..4], &t.code[4..8], &t.code[8..]);
    assert!(!html.contains(&display), "{what} shows the tracking code");
}

async fn public_id_of(app: &TestApp, t: &Filed) -> String {
    let mut conn = app.conn().await;
    public_answers::table
        .filter(public_answers::ticket_id.eq(t.id))
        .select(public_answers::public_id)
        .first(&mut conn)
        .await
        .expect("a public copy")
}

async fn events_of(app: &TestApp, t: &Filed) -> Vec<(String, bool)> {
    let mut conn = app.conn().await;
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(t.id))
        .filter(ticket_events::event.eq_any(["publish", "unpublish"]))
        .order(ticket_events::id)
        .select((ticket_events::event, ticket_events::public))
        .load(&mut conn)
        .await
        .expect("events")
}

/// Waits until the worker has sent every queued mail (the file transport).
async fn all_mail_sent(app: &TestApp) {
    let mut conn = app.conn().await;
    for _ in 0..100 {
        let pending: i64 = outbox::table
            .filter(outbox::sent_at.is_null())
            .count()
            .get_result(&mut conn)
            .await
            .expect("pending");
        if pending == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("mail left unsent");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reviewed_copy_is_published_without_personal_data_and_the_citizen_is_mailed() {
    let app = TestApp::spawn().await;
    let t = file(&app, TITLE, true).await;
    answer(&app, &t, "answered").await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;

    // The draft is masked.
    let (status, draft) = text(&c, page_url(&app, &t)).await;
    assert_eq!(status, StatusCode::OK);
    let start = draft.find("<form method=\"post\"").expect("the copy form");
    let form = &draft[start..];
    assert!(form.contains("Tôi là [đã ẩn], ở [đã ẩn]. Hồ sơ"), "{form}");
    assert!(
        form.contains("Kính gửi bà [đã ẩn] ([đã ẩn]), Sở Nội vụ"),
        "{form}"
    );
    assert!(form.contains("28/2015/NĐ-CP") && form.contains("02/10/2026"));
    assert!(form.contains("125/SNV-VP") || draft.contains("125/SNV-VP"));
    for p in PERSONAL {
        assert!(!form.contains(p), "the draft shows {p:?}");
    }
    let mut conn = app.conn().await;
    let stored: i64 = public_answers::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stored, 0, "showing a draft stores nothing");

    // Staff edit and publish.
    assert_eq!(publish(&app, &c, &t).await, StatusCode::SEE_OTHER);
    let (_, after) = text(&c, page_url(&app, &t)).await;
    let public_id = public_id_of(&app, &t).await;
    assert!(after.contains(&format!("/answers/{public_id}")), "{after}");
    assert_eq!(
        events_of(&app, &t).await,
        vec![("publish".to_string(), true)]
    );
    assert_eq!(public_id.len(), 16);
    assert_ne!(public_id, t.code.to_lowercase());

    // The public list and page show the reviewed copy and nothing personal.
    let anon = client();
    let (status, list) = text(&anon, app.url("/answers")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(EDITED_TITLE), "{list}");
    assert!(list.contains("14/10/2026"), "the answer's date");
    assert!(list.contains("Việc làm"), "the lĩnh vực");
    assert_no_personal_data(&list, &t, "the list");
    let res = get(&anon, app.url(&format!("/answers/{public_id}"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .expect("header")
            .starts_with("public")
    );
    let one = res.text().await.expect("body");
    for shown in [EDITED_TITLE, EDITED_QUESTION, EDITED_ANSWER] {
        assert!(
            one.contains(&askama_escape(shown)),
            "the page shows {shown}"
        );
    }
    assert!(
        !one.contains(TITLE),
        "the ticket's own title is not the copy's"
    );
    assert_no_personal_data(&one, &t, "the answer page");
    assert!(one.contains("data-print"), "print-friendly");

    // The citizen is mailed, without the text they typed.
    let mails: Vec<(Vec<String>, String, String)> = outbox::table
        .filter(outbox::kind.eq("published"))
        .select((outbox::to_addrs, outbox::subject, outbox::body_text))
        .load::<(Vec<String>, Option<String>, Option<String>)>(&mut conn)
        .await
        .expect("mail")
        .into_iter()
        .map(|(to, s, b)| (to, s.unwrap_or_default(), b.unwrap_or_default()))
        .collect();
    assert_eq!(mails.len(), 1);
    let (to, subject, body) = &mails[0];
    assert_eq!(to, &vec!["hoa.nguyen@example.vn".to_string()]);
    assert!(subject.contains(&format!("{}-{}", &t.code[..4], &t.code[4..8])));
    assert!(body.contains(&format!("/answers/{public_id}")), "{body}");
    for typed in [TITLE, "Trần Hưng Đạo", "trợ cấp thất nghiệp", EDITED_TITLE] {
        assert!(!body.contains(typed), "the mail carries {typed:?}");
    }
    drop(conn);
    all_mail_sent(&app).await;
    let mut want = filed_mail();
    want.push(("published", mail_to(&[CITIZEN])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

/// `html` without its tags: what a title reads once its marks (and spans) are gone.
fn without_marks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn search_finds_words_of_the_copy_and_never_the_citizens_name() {
    let app = TestApp::spawn().await;
    let t = file(&app, TITLE, true).await;
    answer(&app, &t, "answered").await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "lanhdao@sonoivu.vn").await;
    assert_eq!(publish(&app, &c, &t).await, StatusCode::SEE_OTHER);

    let anon = client();
    for q in [
        "thất nghiệp",
        "that nghiep",
        "THAT NGHIEP",
        "chi tra cham",
        "28 2015",
        "thất ngh",
    ] {
        let (_, html) = text(&anon, app.url(&format!("/answers?q={}", urlencode(q)))).await;
        assert!(
            without_marks(&html).contains(EDITED_TITLE),
            "{q:?} finds the answer"
        );
        assert!(html.contains("<mark>"), "{q:?}: the words found are marked");
    }
    for q in [
        "Nguyễn Thị Hoà",
        "nguyen thi hoa",
        "hoa nguyen",
        "0983570009",
        "Trần Hưng Đạo",
        "example",
        &t.code,
    ] {
        let (status, html) = text(&anon, app.url(&format!("/answers?q={}", urlencode(q)))).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !html.contains(EDITED_TITLE),
            "{q:?} must not find the answer"
        );
        assert!(html.contains("answers-empty"), "{q:?}: the empty notice");
    }

    // Both search paths (the window walk and the GIN index) agree.
    let mut conn = app.conn().await;
    for window in [0, 1, 2000] {
        let (rows, _) = list_with_window(
            &mut conn,
            &AnswerFilter {
                query: Query::plain(&["that".into(), "nghiep".into()]),
                ..Default::default()
            },
            20,
            window,
        )
        .await
        .expect("search");
        assert_eq!(rows.len(), 1, "window {window}");
        let (rows, _) = list_with_window(
            &mut conn,
            &AnswerFilter {
                query: Query::plain(&["nguyen".into()]),
                ..Default::default()
            },
            20,
            window,
        )
        .await
        .expect("search");
        assert!(rows.is_empty(), "window {window}");
    }
    drop(conn);
    all_mail_sent(&app).await;
    let mut want = filed_mail();
    want.push(("published", mail_to(&[CITIZEN])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn publication_is_refused_without_consent_and_for_out_of_scope_or_unanswered_pakn() {
    let app = TestApp::spawn().await;
    let no_consent = file(&app, "Không đồng ý công khai", false).await;
    answer(&app, &no_consent, "answered").await;
    let oos = file(&app, "Khiếu nại quyết định kỷ luật", true).await;
    answer(&app, &oos, "out_of_scope").await;
    let open = file(&app, "Đang xử lý", true).await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;

    for (t, message) in [
        (&no_consent, "người gửi không đồng ý công khai"),
        (&oos, "không thuộc phạm vi"),
        (&open, "chưa được trả lời"),
    ] {
        let (status, html) = text(&c, page_url(&app, t)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(message), "{message}: {html}");
        assert!(!html.contains("value=\"publish\""), "no publish button");
        let (status, _, html) = act(
            &app,
            &c,
            t,
            &[
                ("action", "publish"),
                ("title", "Tiêu đề"),
                ("question", "Câu hỏi"),
                ("answer", "Trả lời"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains(message), "{message}");
        let (status, _, _) = act(
            &app,
            &c,
            t,
            &[
                ("action", "save"),
                ("title", "Tiêu đề"),
                ("question", "Câu hỏi"),
                ("answer", "Trả lời"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "nor saved");
    }
    let mut conn = app.conn().await;
    let stored: i64 = public_answers::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stored, 0);
    drop(conn);
    all_mail_sent(&app).await;
    assert_eq!(
        app.take_mail().await.who(),
        [filed_mail(), filed_mail(), filed_mail()].concat(),
        "refused publications mail nobody"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unpublished_answer_disappears_and_can_come_back_without_a_second_mail() {
    let app = TestApp::spawn().await;
    let t = file(&app, TITLE, true).await;
    answer(&app, &t, "answered").await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    assert_eq!(publish(&app, &c, &t).await, StatusCode::SEE_OTHER);
    let public_id = public_id_of(&app, &t).await;
    let anon = client();
    let detail = app.url(&format!("/answers/{public_id}"));
    assert_eq!(get(&anon, detail.clone()).await.status(), StatusCode::OK);

    let (status, location, _) = act(&app, &c, &t, &[("action", "unpublish")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.expect("location").ends_with("done=unpublished"));
    let (_, list) = text(&anon, app.url("/answers")).await;
    assert!(!list.contains(EDITED_TITLE), "gone from the list");
    assert_eq!(
        get(&anon, detail.clone()).await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, search) = text(&anon, app.url("/answers?q=that+nghiep")).await;
    assert!(!search.contains(EDITED_TITLE), "gone from search");
    let (_, staff) = text(&c, page_url(&app, &t)).await;
    assert!(staff.contains("Đã gỡ công khai ngày"), "{staff}");

    // A second unpublish changes nothing; publishing again brings the same page back.
    let (_, location, _) = act(&app, &c, &t, &[("action", "unpublish")]).await;
    assert!(location.expect("location").ends_with("done=not-published"));
    assert_eq!(publish(&app, &c, &t).await, StatusCode::SEE_OTHER);
    assert_eq!(public_id_of(&app, &t).await, public_id);
    assert_eq!(get(&anon, detail).await.status(), StatusCode::OK);
    assert_eq!(
        events_of(&app, &t).await,
        vec![
            ("publish".to_string(), true),
            ("unpublish".to_string(), true),
            ("publish".to_string(), true),
        ]
    );
    let mut conn = app.conn().await;
    let mails: i64 = outbox::table
        .filter(outbox::kind.eq("published"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(mails, 1, "the citizen is told once");
    drop(conn);
    all_mail_sent(&app).await;
    let mut want = filed_mail();
    want.push(("published", mail_to(&[CITIZEN])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_confidential_pakn_is_never_published_and_drops_off_when_marked() {
    let app = TestApp::spawn().await;
    let secret = file(&app, "Tố cáo cán bộ", true).await;
    answer(&app, &secret, "answered").await;
    let later = file(&app, TITLE, true).await;
    answer(&app, &later, "answered").await;
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(secret.id))
        .set(tickets::confidential.eq(true))
        .execute(&mut conn)
        .await
        .expect("confidential");
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "lanhdao@sonoivu.vn").await;
    let (_, html) = text(&c, page_url(&app, &secret)).await;
    assert!(html.contains("bảo mật"), "{html}");
    assert_eq!(publish(&app, &c, &secret).await, StatusCode::CONFLICT);

    assert_eq!(publish(&app, &c, &later).await, StatusCode::SEE_OTHER);
    let public_id = public_id_of(&app, &later).await;
    diesel::update(tickets::table.find(later.id))
        .set(tickets::confidential.eq(true))
        .execute(&mut conn)
        .await
        .expect("confidential");
    drop(conn);
    let anon = client();
    let (_, list) = text(&anon, app.url("/answers")).await;
    assert!(
        !list.contains(EDITED_TITLE),
        "a confidential PAKN leaves the list"
    );
    assert_eq!(
        get(&anon, app.url(&format!("/answers/{public_id}")))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let mut conn = app.conn().await;
    let by: Vec<(String, String)> = ticket_events::table
        .filter(ticket_events::ticket_id.eq(later.id))
        .filter(ticket_events::event.eq_any(["publish", "unpublish"]))
        .order(ticket_events::id)
        .select((ticket_events::event, ticket_events::actor_kind))
        .load(&mut conn)
        .await
        .expect("events");
    assert_eq!(
        by,
        vec![
            ("publish".to_string(), "staff".to_string()),
            ("unpublish".to_string(), "system".to_string()),
        ],
        "the system unpublished it, on the timeline"
    );
    // Lifting the mark does not republish by itself: staff decide again.
    diesel::update(tickets::table.find(later.id))
        .set(tickets::confidential.eq(false))
        .execute(&mut conn)
        .await
        .expect("not confidential");
    drop(conn);
    let (_, list) = text(&anon, app.url("/answers")).await;
    assert!(!list.contains(EDITED_TITLE));
    let (_, staff) = text(&c, page_url(&app, &later)).await;
    assert!(staff.contains("Đã gỡ công khai ngày"), "{staff}");
    all_mail_sent(&app).await;
    // The later PAKN's citizen is told of its publication (not of the system's unpublishing).
    let mut want = [filed_mail(), filed_mail()].concat();
    want.push(("published", mail_to(&[CITIZEN])));
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), want);
    assert_eq!(
        mail.of_kind("published")
            .iter()
            .map(|m| m.ticket_id)
            .collect::<Vec<_>>(),
        [Some(later.id)]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_officers_of_the_unit_and_leaders_handle_publication() {
    let app = TestApp::spawn().await;
    let t = file(&app, TITLE, true).await;
    answer(&app, &t, "answered").await;
    create_user(&app, "cv.khac@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;
    create_user(
        &app,
        "quantri.cv@sonoivu.vn",
        &["admin", "officer"],
        Some(UNIT),
    )
    .await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    for (email, expected) in [
        ("cv.khac@sonoivu.vn", StatusCode::NOT_FOUND),
        ("quantri@sonoivu.vn", StatusCode::NOT_FOUND),
        ("quantri.cv@sonoivu.vn", StatusCode::NOT_FOUND),
        ("thanhtra@sonoivu.vn", StatusCode::FORBIDDEN),
    ] {
        let c = client();
        login_ok(&app, &c, email).await;
        assert_eq!(
            get(&c, page_url(&app, &t)).await.status(),
            expected,
            "{email}"
        );
        assert_eq!(publish(&app, &c, &t).await, expected, "{email}");
    }
    let anon = client();
    let res = get(&anon, page_url(&app, &t)).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "anonymous: to the login page"
    );

    // The unit's officer, but without the session's anti-forgery token.
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let res = c
        .post(page_url(&app, &t))
        .form(&[
            ("action", "publish"),
            ("title", EDITED_TITLE),
            ("question", EDITED_QUESTION),
            ("answer", EDITED_ANSWER),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let mut conn = app.conn().await;
    let stored: i64 = public_answers::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stored, 0);
    drop(conn);
    assert_eq!(publish(&app, &c, &t).await, StatusCode::SEE_OTHER);
    all_mail_sent(&app).await;
    // One mail, for the one publication that went through.
    let mut want = filed_mail();
    want.push(("published", mail_to(&[CITIZEN])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_copy_that_still_names_the_sender_is_not_published_and_comes_back_as_typed() {
    let app = TestApp::spawn().await;
    let t = file(&app, TITLE, true).await;
    answer(&app, &t, "answered").await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let question = "Bà NGUYEN THI HOA, số 0983 570 009, hỏi về trợ cấp.";
    let (status, _, html) = act(
        &app,
        &c,
        &t,
        &[
            ("action", "publish"),
            ("title", EDITED_TITLE),
            ("question", question),
            ("answer", "Đường dây nóng của Sở: 0296 3957 006."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("own-data-left"), "{html}");
    assert!(html.contains("họ tên") && html.contains("số điện thoại"));
    assert!(html.contains(question), "the typed copy comes back");
    assert!(
        html.contains("0296 3957 006"),
        "other details are pointed out"
    );
    // An empty answer is refused with the field marked.
    let (status, _, html) = act(
        &app,
        &c,
        &t,
        &[
            ("action", "save"),
            ("title", EDITED_TITLE),
            ("question", EDITED_QUESTION),
            ("answer", "   "),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("error-summary") && html.contains("href=\"#answer\""));
    // A draft may hold anything while it stays private.
    let (status, location, _) = act(
        &app,
        &c,
        &t,
        &[
            ("action", "save"),
            ("title", EDITED_TITLE),
            ("question", question),
            ("answer", EDITED_ANSWER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.expect("location").ends_with("done=saved"));
    let (_, list) = text(&client(), app.url("/answers")).await;
    assert!(!list.contains(EDITED_TITLE), "a saved draft is not public");
    all_mail_sent(&app).await;
    assert_eq!(
        app.take_mail().await.who(),
        filed_mail(),
        "a saved draft mails nobody"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_list_pages_by_keyset_and_filters_by_field_and_year() {
    let app = TestApp::spawn().await;
    let t = file(&app, TITLE, true).await;
    let mut conn = app.conn().await;
    // 25 more answered tickets copied from the filed one, each with a published copy:
    // 15 about viec_lam answered in 2025, 10 about bao_hiem_xa_hoi answered in 2026.
    diesel::sql_query(
        "INSERT INTO tickets (public_id, code, access_token, status, submitter_kind, full_name,
             address, phone, email, kind, content_category, field_code, title, content,
             consent_at, privacy_notice_version, publish_consent, unit_id, accept_due,
             forward_due, reply_due, search_text, retention_until)
         SELECT 'pub' || g, 'COPY' || lpad(g::text, 6, '0'), 'token' || g, 'answered',
             submitter_kind, full_name, address, phone, email, kind, content_category,
             CASE WHEN g <= 15 THEN 'viec_lam' ELSE 'bao_hiem_xa_hoi' END,
             'Bản sao ' || g, content, consent_at, privacy_notice_version, true, unit_id,
             accept_due, forward_due, reply_due, search_text, retention_until
         FROM tickets, generate_series(1, 25) g WHERE tickets.id = $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(t.id)
    .execute(&mut conn)
    .await
    .expect("copies");
    diesel::sql_query(
        "INSERT INTO public_answers (public_id, ticket_id, field_code, title, question, answer,
             answered_on, search_text, published_at)
         SELECT lpad(to_hex(id), 16, 'a'), id, field_code, 'Kết quả số ' || substr(title, 9),
             'Câu hỏi', 'Trả lời',
             CASE WHEN field_code = 'viec_lam' THEN date '2025-06-01' + (id % 7)::int
                  ELSE date '2026-02-01' + (id % 5)::int END,
             'ket qua', now()
         FROM tickets WHERE code LIKE 'COPY%'",
    )
    .execute(&mut conn)
    .await
    .expect("answers");
    drop(conn);

    let anon = client();
    let titles = |html: &str| -> Vec<String> {
        html.split("<h2><a href=\"/answers/")
            .skip(1)
            .filter_map(|s| s.split_once('>').map(|(_, rest)| rest))
            .filter_map(|s| s.split("</a>").next())
            .map(without_marks)
            .collect()
    };
    let next_of = |html: &str| -> Option<String> {
        let end = html.find("\" rel=\"next\"")?;
        let start = html[..end].rfind("href=\"")? + "href=\"".len();
        Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
    };
    let (_, first) = text(&anon, app.url("/answers")).await;
    let page1 = titles(&first);
    assert_eq!(page1.len(), 20);
    let next = next_of(&first).expect("a next page");
    let (_, second) = text(&anon, app.url(&next)).await;
    let page2 = titles(&second);
    assert_eq!(page2.len(), 5);
    assert!(next_of(&second).is_none(), "the last page");
    let mut all: Vec<String> = page1.iter().chain(&page2).cloned().collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 25, "no answer twice, none missing");
    // Newest answer first: the 2026 ones lead.
    assert!(first.find("/02/2026").expect("2026") < first.find("/06/2025").expect("2025"));
    let (_, again) = text(&anon, app.url(&next)).await;
    assert_eq!(
        titles(&again),
        page2,
        "a bookmarked page shows the same answers"
    );

    let (_, by_field) = text(&anon, app.url("/answers?field=bao_hiem_xa_hoi")).await;
    assert_eq!(titles(&by_field).len(), 10);
    let (_, by_year) = text(&anon, app.url("/answers?year=2025")).await;
    assert_eq!(titles(&by_year).len(), 15);
    assert!(by_year.contains("<option value=\"2025\" selected>"));
    let (_, both) = text(&anon, app.url("/answers?field=viec_lam&year=2026")).await;
    assert!(titles(&both).is_empty() && both.contains("answers-empty"));
    let (status, junk) = text(
        &anon,
        app.url("/answers?field=nope&year=abc&after=garbage&q=%00%27%22"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "junk parameters are ignored");
    assert_eq!(
        titles(&junk).len(),
        20,
        "symbols are no search: the first page"
    );
    assert_eq!(
        get(&anon, app.url("/answers/not-a-public-id"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    all_mail_sent(&app).await;
    // The copied tickets and copies written by SQL mail nobody.
    assert_eq!(app.take_mail().await.who(), filed_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_review_points_at_the_agency_or_officer_the_pakn_is_about() {
    let app = TestApp::spawn().await;
    let t = file(&app, TITLE, true).await;
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(t.id))
        .set(tickets::subject_agency.eq(Some("Trung tâm Dịch vụ việc làm")))
        .execute(&mut conn)
        .await
        .expect("subject");
    drop(conn);
    answer(&app, &t, "answered").await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(LABOUR)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    // The reply names it ("Trung tâm Dịch vụ việc làm giải quyết hồ sơ"): staff are told.
    let (status, page) = text(&c, page_url(&app, &t)).await;
    assert_eq!(status, StatusCode::OK);
    let start = page
        .find("data-testid=\"other-data-left\"")
        .expect("the warning");
    let warning = &page[start..start + page[start..].find("</div>").expect("end")];
    assert!(warning.contains("Trung tâm Dịch vụ việc làm"), "{warning}");
    // Once the copy no longer names it, the warning goes.
    let (status, _, html) = act(
        &app,
        &c,
        &t,
        &[
            ("action", "save"),
            ("title", EDITED_TITLE),
            ("question", EDITED_QUESTION),
            ("answer", EDITED_ANSWER),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let (_, page) = text(&c, page_url(&app, &t)).await;
    assert!(!page.contains("Trung tâm Dịch vụ việc làm"), "{page}");
    assert_eq!(app.take_mail().await.who(), filed_mail());
    app.stop().await;
}
