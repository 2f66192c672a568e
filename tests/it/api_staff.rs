//! Issue 20, item 2: staff-scoped clients. A client made with `--scope staff --acts-as`
//! reads the PAKN in its account's reach a page at a time (an opaque cursor, `next` until
//! the last page), with the senders' details, each reading in the personal-data log
//! under the account; it makes moves through the same move table and use cases as the
//! web (accepted here, a refused approval explained in both languages, a move its
//! account may not make a 403); a PAKN outside the account's unit is a 404; a client
//! without the scope reads nothing.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::personal_data_views;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api::{add_client, cli};
use crate::auth::{UNIT, create_user};
use crate::support::app::TestApp;
use crate::workflow::{LEADER_EMAIL, OFFICER_EMAIL, file, people, status_of};

async fn call(
    app: &TestApp,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(key)
        .header("Accept-Language", "vi");
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/json")
            .body(b.to_string());
    }
    let res = req.send().await.expect("call");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn staff_client(app: &TestApp, name: &str, email: &str) -> String {
    let (code, out) = cli(
        app,
        &[
            "add",
            "--name",
            name,
            "--scope",
            "staff",
            "--acts-as",
            email,
        ],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    out.lines()
        .find(|l| l.starts_with("pakn_"))
        .expect("a key")
        .to_string()
}

async fn views(app: &TestApp, user: &str) -> i64 {
    let id: i32 = pakn::db::schema::users::table
        .filter(pakn::db::schema::users::email.eq(user))
        .select(pakn::db::schema::users::id)
        .first(&mut app.conn().await)
        .await
        .expect("user");
    personal_data_views::table
        .filter(personal_data_views::user_id.eq(id))
        .filter(personal_data_views::purpose.eq("api"))
        .count()
        .get_result(&mut app.conn().await)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_staff_client_reads_in_pages_and_moves_as_its_account() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    let leader_key = staff_client(&app, "Hệ thống một cửa", LEADER_EMAIL).await;
    let mut filed = Vec::new();
    for title in ["Hồ sơ thi tuyển chậm", "Nâng ngạch chậm", "Chế độ nghỉ hưu"]
    {
        filed.push(file(&app, title).await);
    }
    let _ = app.take_mail().await;

    // Pages of two, newest first, with the senders; the cursor walks to the end.
    let (ok, first) = call(
        &app,
        &leader_key,
        reqwest::Method::GET,
        "/api/v1/staff/pakn?limit=2",
        None,
    )
    .await;
    assert_eq!(ok, StatusCode::OK, "{first}");
    let codes = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["code"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(codes(&first), [filed[2].1.clone(), filed[1].1.clone()]);
    assert!(first["items"][0]["sender"]["phone"].is_string(), "{first}");
    let next = first["next"].as_str().expect("a next page").to_string();
    let (_, second) = call(&app, &leader_key, reqwest::Method::GET, &next, None).await;
    assert_eq!(codes(&second), [filed[0].1.clone()]);
    assert!(second["next"].is_null(), "the last page");
    assert_eq!(views(&app, LEADER_EMAIL).await, 3, "each reading logged");
    let (bad, problem) = call(
        &app,
        &leader_key,
        reqwest::Method::GET,
        "/api/v1/staff/pakn?cursor=xyz",
        None,
    )
    .await;
    assert_eq!(bad, StatusCode::BAD_REQUEST, "{problem}");
    let (bad, _) = call(
        &app,
        &leader_key,
        reqwest::Method::GET,
        "/api/v1/staff/pakn?status=done",
        None,
    )
    .await;
    assert_eq!(bad, StatusCode::BAD_REQUEST);
    let (_, submitted) = call(
        &app,
        &leader_key,
        reqwest::Method::GET,
        "/api/v1/staff/pakn?status=submitted",
        None,
    )
    .await;
    assert_eq!(submitted["items"].as_array().map(Vec::len), Some(3));

    // A move through the same table: accepted, classified for the unit's officer.
    let (id, code) = filed[0].clone();
    let accept = json!({
        "action": "accept",
        "field": "can_bo_cong_chuc",
        "kind": "phan_anh",
        "procedure": "Thi tuyển công chức",
        "urgency": "normal",
        "unit": UNIT,
        "assignee": p.officer_id
    });
    let path = format!("/api/v1/staff/pakn/{code}/moves");
    let (ok, after) = call(
        &app,
        &leader_key,
        reqwest::Method::POST,
        &path,
        Some(accept),
    )
    .await;
    assert_eq!(ok, StatusCode::OK, "{after}");
    assert_eq!(after["status"], "accepted");
    assert_eq!(status_of(&mut app.conn().await, id).await, "accepted");
    let _ = app.take_mail().await;
    // Refused by the table (no question for ask_info on an accepted PAKN): why, in both.
    let (refused, problem) = call(
        &app,
        &leader_key,
        reqwest::Method::POST,
        &path,
        Some(json!({"action": "ask_info"})),
    )
    .await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["errors"][0]["message_vi"].is_string()
            && problem["errors"][0]["message_en"].is_string()
    );
    let (unknown, _) = call(
        &app,
        &leader_key,
        reqwest::Method::POST,
        &path,
        Some(json!({"action": "fly"})),
    )
    .await;
    assert_eq!(unknown, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        status_of(&mut app.conn().await, id).await,
        "accepted",
        "nothing moved"
    );

    // An officer of another unit: others' PAKN are unknown to it.
    create_user(
        &app,
        "cv2@sonoivu.vn",
        &["officer"],
        Some("phong_lao_dong_viec_lam"),
    )
    .await;
    let other_key = staff_client(&app, "Phần mềm văn phòng", "cv2@sonoivu.vn").await;
    let (nf, _) = call(
        &app,
        &other_key,
        reqwest::Method::GET,
        &format!("/api/v1/staff/pakn/{code}"),
        None,
    )
    .await;
    assert_eq!(nf, StatusCode::NOT_FOUND);
    let (_, none) = call(
        &app,
        &other_key,
        reqwest::Method::GET,
        "/api/v1/staff/pakn",
        None,
    )
    .await;
    assert_eq!(none["items"], json!([]));
    // The unit's officer may read its PAKN, but approving is a leader's: 403.
    let officer_key = staff_client(&app, "Trợ lý của chuyên viên", OFFICER_EMAIL).await;
    let (ok, one) = call(
        &app,
        &officer_key,
        reqwest::Method::GET,
        &format!("/api/v1/staff/pakn/{code}"),
        None,
    )
    .await;
    assert_eq!(ok, StatusCode::OK, "{one}");
    let approve = json!({"action": "approve", "number_symbol": "12/SNV", "date": "2026-12-05", "signer": "Lê Văn A"});
    let (forbidden, _) = call(
        &app,
        &officer_key,
        reqwest::Method::POST,
        &path,
        Some(approve),
    )
    .await;
    assert!(
        matches!(
            forbidden,
            StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
        ),
        "{forbidden}"
    );

    // A client without the scope, and the scope without an account, read nothing.
    let filer = add_client(&app, "Cổng tỉnh", "api").await;
    let (no, _) = call(
        &app,
        &filer,
        reqwest::Method::GET,
        "/api/v1/staff/pakn",
        None,
    )
    .await;
    assert_eq!(no, StatusCode::FORBIDDEN);
    let (code_, out) = cli(
        &app,
        &["add", "--name", "Thiếu tài khoản", "--scope", "staff"],
    )
    .await;
    assert_ne!(code_, 0, "{out}");
    let (code_, _) = cli(
        &app,
        &[
            "add",
            "--name",
            "Không ai",
            "--scope",
            "staff",
            "--acts-as",
            "khongco@sonoivu.vn",
        ],
    )
    .await;
    assert_ne!(code_, 0);
    app.stop().await;
}
