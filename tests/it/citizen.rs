//! Issue 6: what the citizen does on the track page through the private link: answer a
//! request for information, withdraw, rate (once; "not resolved" reopens within the
//! window). A GET records nothing; the citizen's files are never offered back.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{attachments, outbox, ratings, tickets};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::auth::value_of;
use crate::filing::{PNG, file_one};
use crate::support::app::TestApp;
use crate::workflow::{People, answer, events_of, full_step, people, status_of, step_at};
use pakn::domain::workflow::Action;

struct Filed {
    id: i64,
    path: String,
}

async fn filed(app: &TestApp) -> Filed {
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
    assert!(body.contains("Phản ánh, kiến nghị này đã được đánh giá."));
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
    drop(conn);
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
    app.stop().await;
}
