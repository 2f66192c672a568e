//! Issue 6: what the citizen does on the track page through the private link: answer a
//! request for information, withdraw, rate (once; "not resolved" reopens within the
//! window). A GET records nothing; the citizen's files are never offered back.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{attachments, outbox, ratings, replies, tickets};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::auth::value_of;
use crate::filing::{PNG, file_one};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, filing_mail, mail_to};
use crate::workflow::{
    OFFICER_EMAIL as OFFICER, People, answer, answer_mail, events_of, full_step, people, status_of,
    step_at,
};
use pakn::domain::workflow::Action;
use pakn::handling::Step;

pub struct Filed {
    pub id: i64,
    pub path: String,
}

/// A filed PAKN handled by UNIT.
pub async fn filed(app: &TestApp) -> Filed {
    let path = file_one(app).await;
    let token = path.trim_start_matches("/t/").to_string();
    let mut conn = app.conn().await;
    let id = tickets::table
        .filter(tickets::access_token.eq(&token))
        .select(tickets::id)
        .first(&mut conn)
        .await
        .expect("ticket");
    // Handled by UNIT, whose officer the tests sign in as.
    let unit = crate::auth::unit_id(app, crate::auth::UNIT).await;
    diesel::update(tickets::table.find(id))
        .set(tickets::unit_id.eq(unit))
        .execute(&mut conn)
        .await
        .expect("unit");
    Filed { id, path }
}

/// The track page as a citizen without cookies sees it.
async fn html_of(app: &TestApp, path: &str) -> String {
    reqwest::get(app.url(path))
        .await
        .expect("GET")
        .text()
        .await
        .expect("body")
}

/// The track page and its form token.
async fn page(app: &TestApp, path: &str) -> (String, String) {
    let html = html_of(app, path).await;
    let token = value_of(&html, "form_token");
    (html, token)
}

async fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("POST");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn ask(app: &TestApp, p: &People, id: i64) {
    step_at(
        app,
        id,
        &p.leader,
        full_step(Action::AskInfo, 0, 0, ""),
        Utc::now(),
    )
    .await
    .expect("ask");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_citizen_answers_a_request_with_text_and_a_file() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let p = people(&app).await;
    let t = filed(&app).await;
    let (html, _) = page(&app, &t.path).await;
    assert!(
        !html.contains("data-testid=\"answer-form\""),
        "nothing to answer yet"
    );
    ask(&app, &p, t.id).await;
    let (html, token) = page(&app, &t.path).await;
    assert!(
        html.contains("data-testid=\"answer-form\"") && html.contains("Đề nghị bổ sung số hồ sơ.")
    );
    // An empty answer comes back with a message.
    let (status, body) = post_form(
        &app,
        &format!("{}/answer", t.path),
        &[("form_token", &token), ("text", " ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Cần nhập nội dung bổ sung hoặc đính kèm tệp."));
    // A forged token keeps what was typed.
    let (status, body) = post_form(
        &app,
        &format!("{}/answer", t.path),
        &[("form_token", "x"), ("text", "Số hồ sơ 000.00.12.H01")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Số hồ sơ 000.00.12.H01"),
        "the typed text stays"
    );
    let form = Form::new()
        .text("form_token", token)
        .text(
            "text",
            "Số hồ sơ là 000.00.12.H01-250312-0001, nộp ngày 12/03/2025.",
        )
        .part(
            "attachments",
            Part::bytes(PNG.to_vec()).file_name("bien-nhan.png"),
        );
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(app.url(&format!("{}/answer", t.path)))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    assert_eq!(
        status_of(&mut conn, t.id).await,
        "submitted",
        "back where it came from"
    );
    let events = events_of(&mut conn, t.id).await;
    let last = events.last().expect("event");
    assert_eq!(last.0, "answer_info");
    assert!(
        last.2
            .as_deref()
            .is_some_and(|b| b.contains("000.00.12.H01-250312-0001"))
    );
    let files: Vec<(i64, String)> = attachments::table
        .filter(attachments::ticket_id.eq(t.id))
        .filter(attachments::filename.eq("bien-nhan.png"))
        .select((attachments::id, attachments::origin))
        .load(&mut conn)
        .await
        .expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].1, "citizen");
    // The citizen's own file is never served on the public side.
    let res = reqwest::get(app.url(&format!("{}/files/{}", t.path, files[0].0)))
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // The unit is mailed, without the citizen's words.
    let (to, body): (Vec<String>, Option<String>) = outbox::table
        .filter(outbox::ticket_id.eq(t.id))
        .filter(outbox::kind.eq("update.answer_info"))
        .select((outbox::to_addrs, outbox::body_text))
        .first(&mut conn)
        .await
        .expect("the unit's mail");
    assert!(!to.is_empty() && !to.contains(&"hoa.nguyen@example.vn".to_string()));
    assert!(
        !body
            .unwrap_or_default()
            .contains("000.00.12.H01-250312-0001")
    );
    let html = html_of(&app, &format!("{}?done=answer", t.path)).await;
    assert!(html.contains("data-testid=\"citizen-done\""));
    drop(conn);
    // The citizen is asked; the unit (its officer: it has no address of its own) hears
    // of the answer. No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filing_mail();
    // The unit has no officer and no leader of its own: the department's leader hears.
    want.push(("notify_staff", mail_to(&[crate::workflow::LEADER_EMAIL])));
    want.push(("update.ask_info", mail_to(&[CITIZEN])));
    want.push(("update.answer_info", mail_to(&[OFFICER])));
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_citizen_withdraws_with_a_reason() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let t = filed(&app).await;
    let (html, token) = page(&app, &t.path).await;
    assert!(html.contains("data-testid=\"withdraw-form\""));
    let (status, body) = post_form(
        &app,
        &format!("{}/withdraw", t.path),
        &[("form_token", &token), ("reason", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Cần nêu lý do."));
    let (status, _) = post_form(
        &app,
        &format!("{}/withdraw", t.path),
        &[
            ("form_token", &token),
            ("reason", "Tôi đã được giải quyết trực tiếp."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    assert_eq!(status_of(&mut conn, t.id).await, "closed");
    let html = html_of(&app, &t.path).await;
    assert!(html.contains("Đã đóng") && !html.contains("data-testid=\"withdraw-form\""));
    let (status, _) = post_form(
        &app,
        &format!("{}/withdraw", t.path),
        &[("form_token", &token), ("reason", "Lần nữa")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a closed PAKN cannot be withdrawn"
    );
    drop(conn);
    // QUESTIONABLE: the unit has no address and (in this test) no officer, and nobody
    // handles the PAKN yet: the withdrawal mails nobody, not even the contacts the
    // filing notified. No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), filing_mail());
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rating_is_recorded_once_a_get_records_nothing_and_not_resolved_reopens() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let p = people(&app).await;
    let t = filed(&app).await;
    answer(&app, &p, t.id).await;
    let mut conn = app.conn().await;
    // Following links (as mail scanners do) records nothing.
    for path in [
        t.path.clone(),
        format!("{}?done=rate", t.path),
        format!("{}#actions", t.path),
    ] {
        let _ = reqwest::get(app.url(&path)).await.expect("GET");
    }
    let res = reqwest::get(app.url(&format!("{}/rate", t.path)))
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let n: i64 = ratings::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(n, 0, "no GET records a rating");
    let (html, token) = page(&app, &t.path).await;
    assert!(html.contains("data-testid=\"rate-form\"") && html.contains("Chưa được giải quyết"));
    let (status, body) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[("form_token", &token), ("comment", "Chưa rõ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Vui lòng chọn mức đánh giá.") && body.contains("Chưa rõ"));
    let (status, _) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[
            ("form_token", &token),
            ("rating", "unsatisfied"),
            ("not_resolved", "1"),
            ("comment", "Hồ sơ vẫn chưa được trả."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&mut conn, t.id).await, "in_progress", "reopened");
    let (status, body) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[("form_token", &token), ("rating", "satisfied")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Câu trả lời này đã được đánh giá."));
    let stored: Vec<String> = ratings::table
        .select(ratings::rating)
        .load(&mut conn)
        .await
        .expect("ratings");
    assert_eq!(stored, vec!["unsatisfied".to_string()]);
    let html = html_of(&app, &t.path).await;
    assert!(html.contains("data-testid=\"rated\"") && html.contains("Không hài lòng"));
    // Ratings feed the overview, from the counters.
    let leader = crate::auth::client();
    crate::auth::login_ok(&app, &leader, "ld@sonoivu.vn").await;
    let overview = crate::auth::get(&leader, app.url("/staff/overview"))
        .await
        .text()
        .await
        .expect("overview");
    assert!(
        overview.contains("data-testid=\"total-unsatisfied\">1<")
            && overview.contains("data-testid=\"total-satisfied\">0<"),
        "{overview}"
    );
    // Staff read the level in the PAKN's timeline, with the comment.
    let code: String = tickets::table
        .find(t.id)
        .select(tickets::code)
        .first(&mut conn)
        .await
        .expect("code");
    let ticket = crate::auth::get(&leader, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("ticket");
    let timeline = &ticket[ticket.find("id=\"h-timeline\"").expect("timeline")..];
    assert!(
        timeline.contains("<dt>Mức đánh giá</dt><dd>Không hài lòng</dd>")
            && timeline.contains("Hồ sơ vẫn chưa được trả."),
        "{timeline}"
    );
    drop(conn);
    // The leader hears of the draft, the citizen of the answer, the unit's officer (also
    // its handler) of the reopening; ratings themselves mail nobody. No worker in this
    // test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filing_mail();
    // The unit has no officer and no leader of its own: the department's leader hears.
    want.push(("notify_staff", mail_to(&[crate::workflow::LEADER_EMAIL])));
    want.extend(answer_mail());
    want.push(("update.reopen", mail_to(&[OFFICER])));
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

/// The approved replies of a ticket, oldest first, and the answer each rating judges.
async fn answers_and_ratings(
    conn: &mut diesel_async::AsyncPgConnection,
    id: i64,
) -> (Vec<i64>, Vec<(i64, String)>) {
    let answers: Vec<i64> = replies::table
        .filter(replies::ticket_id.eq(id))
        .filter(replies::state.eq("approved"))
        .order(replies::id)
        .select(replies::id)
        .load(conn)
        .await
        .expect("answers");
    let rated: Vec<(i64, String)> = ratings::table
        .filter(ratings::ticket_id.eq(id))
        .order(ratings::reply_id)
        .select((ratings::reply_id, ratings::rating))
        .load(conn)
        .await
        .expect("ratings");
    (answers, rated)
}

/// The overview page as the leader sees it (the ratings counted there).
async fn overview_totals(app: &TestApp) -> String {
    let leader = crate::auth::client();
    crate::auth::login_ok(app, &leader, "ld@sonoivu.vn").await;
    crate::auth::get(&leader, app.url("/staff/overview"))
        .await
        .text()
        .await
        .expect("overview")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reopened_pakn_answered_again_is_rated_again_once_per_answer() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let p = people(&app).await;
    let t = filed(&app).await;
    answer(&app, &p, t.id).await;
    let (html, token) = page(&app, &t.path).await;
    assert!(
        html.contains("data-testid=\"rate-form\"") && !html.contains("data-testid=\"rate-latest\""),
        "one answer: the form, without the note about a later answer"
    );
    let (status, _) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[
            ("form_token", &token),
            ("rating", "unsatisfied"),
            ("not_resolved", "1"),
            ("comment", "Hồ sơ vẫn chưa được trả."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    assert_eq!(status_of(&mut conn, t.id).await, "in_progress", "reopened");
    // While it is handled again there is nothing new to rate.
    let html = html_of(&app, &t.path).await;
    assert!(
        !html.contains("data-testid=\"rate-form\"")
            && html.contains("data-testid=\"rated\"")
            && html.contains("Không hài lòng"),
        "{html}"
    );
    let (status, body) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[("form_token", &token), ("rating", "satisfied")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Câu trả lời này đã được đánh giá."), "{body}");

    // The unit answers again: a new draft, approved.
    step_at(
        &app,
        t.id,
        &p.officer,
        Step::SubmitDraft {
            body: "Trả lời lần hai: hồ sơ đã được trả ngày 05/03/2026.".into(),
            files: Vec::new(),
        },
        Utc::now(),
    )
    .await
    .expect("second draft");
    step_at(
        &app,
        t.id,
        &p.leader,
        full_step(Action::Approve, p.officer_id, 0, ""),
        Utc::now(),
    )
    .await
    .expect("second answer approved");
    assert_eq!(status_of(&mut conn, t.id).await, "answered");

    // Following links records nothing.
    for path in [
        t.path.clone(),
        format!("{}?done=rate", t.path),
        format!("{}?lang=en", t.path),
    ] {
        let res = reqwest::get(app.url(&path)).await.expect("GET");
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = reqwest::get(app.url(&format!("{}/rate", t.path)))
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    let (answers, rated) = answers_and_ratings(&mut conn, t.id).await;
    assert_eq!(answers.len(), 2, "two answers");
    assert_eq!(
        rated,
        vec![(answers[0], "unsatisfied".to_string())],
        "no GET records a rating; the first rating judged the first answer"
    );

    // The form is offered again for the new answer; the earlier rating stays in the
    // timeline, with its level.
    let (html, token) = page(&app, &t.path).await;
    assert!(
        html.contains("data-testid=\"rate-form\"")
            && html.contains("data-testid=\"rate-latest\"")
            && html.contains("Đánh giá này dành cho văn bản trả lời mới nhất.")
            && !html.contains("data-testid=\"rated\""),
        "{html}"
    );
    assert!(
        html.contains("Người gửi đánh giá kết quả")
            && html.contains("<dt>Mức đánh giá</dt><dd>Không hài lòng</dd>")
            && html.contains("Hồ sơ vẫn chưa được trả."),
        "{html}"
    );
    let en = html_of(&app, &format!("{}?lang=en", t.path)).await;
    assert!(
        en.contains("This rating is for the latest reply.")
            && en.contains("<dt>Rating</dt><dd>Not satisfied</dd>"),
        "{en}"
    );
    let (status, _) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[
            ("form_token", &token),
            ("rating", "satisfied"),
            ("comment", "Đã nhận được hồ sơ."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        status_of(&mut conn, t.id).await,
        "answered",
        "a satisfied rating reopens nothing"
    );
    // A second rating of the same answer is refused and changes nothing.
    let (status, body) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[
            ("form_token", &token),
            ("rating", "unsatisfied"),
            ("not_resolved", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Câu trả lời này đã được đánh giá."), "{body}");
    assert_eq!(status_of(&mut conn, t.id).await, "answered");
    let (answers, rated) = answers_and_ratings(&mut conn, t.id).await;
    assert_eq!(
        rated,
        vec![
            (answers[0], "unsatisfied".to_string()),
            (answers[1], "satisfied".to_string())
        ]
    );
    let ratings_in_events = events_of(&mut conn, t.id)
        .await
        .iter()
        .filter(|e| e.0 == "rating")
        .count();
    assert_eq!(ratings_in_events, 2, "one rating event per answer");
    let html = html_of(&app, &t.path).await;
    assert!(
        !html.contains("data-testid=\"rate-form\"")
            && html.contains("data-testid=\"rated\"")
            && html.contains("<dt>Mức đánh giá</dt><dd>Không hài lòng</dd>")
            && html.contains("<dt>Mức đánh giá</dt><dd>Hài lòng</dd>"),
        "{html}"
    );
    // Both ratings are counted.
    let overview = overview_totals(&app).await;
    assert!(
        overview.contains("data-testid=\"total-unsatisfied\">1<")
            && overview.contains("data-testid=\"total-satisfied\">1<"),
        "{overview}"
    );
    drop(conn);
    // Each answer: the leader hears of the draft, the citizen of the answer; the
    // reopening goes to the unit's officer. No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filing_mail();
    // The unit has no officer and no leader of its own: the department's leader hears.
    want.push(("notify_staff", mail_to(&[crate::workflow::LEADER_EMAIL])));
    want.extend(answer_mail());
    want.push(("update.reopen", mail_to(&[OFFICER])));
    want.extend(answer_mail());
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn not_resolved_after_the_window_only_counts_the_rating() {
    let app = TestApp::spawn_without_worker(|cfg| {
        cfg.deadlines.reopen_window_days = 30;
        // The answer is older than the rating window: keep the automatic close away.
        cfg.deadlines.job_interval_secs = 3600;
    })
    .await;
    let p = people(&app).await;
    let t = filed(&app).await;
    answer(&app, &p, t.id).await;
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(t.id))
        .set(tickets::answered_at.eq(Utc::now() - chrono::TimeDelta::days(40)))
        .execute(&mut conn)
        .await
        .expect("old answer");
    let (html, token) = page(&app, &t.path).await;
    assert!(
        !html.contains("Chưa được giải quyết: đề nghị xem xét lại"),
        "no reopen offer past the window"
    );
    let (status, _) = post_form(
        &app,
        &format!("{}/rate", t.path),
        &[
            ("form_token", &token),
            ("rating", "unsatisfied"),
            ("not_resolved", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&mut conn, t.id).await, "answered");
    drop(conn);
    // "Not resolved" past the window reopens nothing and mails nobody. No worker in this
    // test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filing_mail();
    // The unit has no officer and no leader of its own: the department's leader hears.
    want.push(("notify_staff", mail_to(&[crate::workflow::LEADER_EMAIL])));
    want.extend(answer_mail());
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}
