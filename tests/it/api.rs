//! Issue 20, first part: `/api/v1` with client keys. A client made with `pakn api-client
//! add` files a PAKN on a citizen's behalf and gets the same PAKN, routing and mail as the
//! public form, on its own channel and with its own reference; the same key again finds
//! the first PAKN, with other content a 409; a refused filing says what is wrong in
//! Vietnamese and English; the client reads the status and timeline of its own PAKN
//! only; a missing, malformed, wrong, revoked or out-of-scope key reads nothing.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::tickets;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::process::Command;

use crate::support::app::TestApp;
use crate::support::outbox::filing_mail;

const BIN: &str = env!("CARGO_BIN_EXE_pakn");

/// `pakn api-client …` on the app's database: (exit code, standard output).
pub(crate) async fn cli(app: &TestApp, args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("api-client")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &app.db.url)
        .output()
        .await
        .expect("run pakn api-client");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

/// A new client's key.
pub(crate) async fn add_client(app: &TestApp, name: &str, channel: &str) -> String {
    let (code, out) = cli(app, &["add", "--name", name, "--channel", channel]).await;
    assert_eq!(code, 0, "{out}");
    out.lines()
        .find(|l| l.starts_with("pakn_"))
        .unwrap_or_else(|| panic!("a key in {out}"))
        .to_string()
}

/// Files the same PAKN through the public form; its code.
async fn file_by_form(app: &TestApp) -> String {
    let token = crate::filing::fresh_form(app).await;
    let form = crate::filing::form_of(&crate::filing::valid_fields(&token));
    let (status, body, _) = crate::filing::post(app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    tickets::table
        .order(tickets::id.desc())
        .select(tickets::code)
        .first(&mut app.conn().await)
        .await
        .expect("the form's ticket")
}

fn filing(key: &str) -> Value {
    json!({
        "idempotency_key": key,
        "external_ref": "H12.99-261205-0001",
        "external_ref_date": "2026-12-05",
        "submitter_kind": "individual",
        "full_name": "Nguyễn Thị Hoà",
        "address": "12 Trần Hưng Đạo, phường Rạch Giá",
        "phone": "0983 570 009",
        "email": "hoa.nguyen@example.vn",
        "kind": "phan_anh",
        "content_category": "cham_tre_phien_ha",
        "field": "bao_hiem_xa_hoi",
        "title": "Chậm giải quyết hồ sơ hưởng bảo hiểm xã hội một lần",
        "content": "Tôi nộp hồ sơ ngày 02/10/2026 tại bộ phận một cửa, đến nay đã quá hạn mà chưa có kết quả.",
        "consent": true
    })
}

async fn post(app: &TestApp, key: Option<&str>, body: &Value, lang: &str) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(app.url("/api/v1/pakn"))
        .header("Accept-Language", lang)
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    let res = req.send().await.expect("POST");
    let status = res.status();
    if !status.is_success() {
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "errors are problem details"
        );
    }
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(app: &TestApp, key: Option<&str>, path: &str) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new().get(app.url(path));
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    let res = req.send().await.expect("GET");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_files_like_the_form_and_follows_its_own_pakn() {
    let app = TestApp::spawn().await;
    let key = add_client(&app, "Hệ thống PAKN quốc gia", "national_portal").await;

    let (status, filed) = post(&app, Some(&key), &filing("nps-0001"), "vi").await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let code = filed["code"].as_str().expect("a code").to_string();
    // The same routing and mail as a filing through the form.
    assert_eq!(app.take_mail().await.who(), filing_mail());
    let (channel, external, unit): (String, Option<String>, i32) = tickets::table
        .filter(tickets::code.eq(&code))
        .select((tickets::channel, tickets::external_ref, tickets::unit_id))
        .first::<(pakn::domain::feedback::Channel, Option<String>, i32)>(&mut app.conn().await)
        .await
        .map(|(c, e, u)| (c.as_str().to_string(), e, u))
        .expect("the ticket");
    assert_eq!(channel, "national_portal");
    assert_eq!(external.as_deref(), Some("H12.99-261205-0001"));
    let by_form = file_by_form(&app).await;
    let form_unit: i32 = tickets::table
        .filter(tickets::code.eq(&by_form))
        .select(tickets::unit_id)
        .first(&mut app.conn().await)
        .await
        .expect("the form's ticket");
    assert_eq!(unit, form_unit, "routed alike");
    assert_eq!(app.take_mail().await.who(), filing_mail());

    // Sent again: the first PAKN; other content under the same key: a conflict.
    let (again, first) = post(&app, Some(&key), &filing("nps-0001"), "vi").await;
    assert_eq!(
        (again, first["code"].as_str()),
        (StatusCode::OK, Some(code.as_str()))
    );
    let mut edited = filing("nps-0001");
    edited["title"] = json!("Một tiêu đề khác hẳn cho cùng một khoá");
    let (conflict, problem) = post(&app, Some(&key), &edited, "vi").await;
    assert_eq!(conflict, StatusCode::CONFLICT, "{problem}");
    assert!(app.take_mail().await.is_empty(), "no second PAKN, no mail");

    // Refused: each field named, in the caller's language and both.
    let mut bad = filing("nps-0002");
    bad["phone"] = json!("12");
    bad["title"] = json!("");
    let (refused, problem) = post(&app, Some(&key), &bad, "en-GB,en;q=0.9").await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["title"], problem["title_en"]);
    assert_ne!(problem["title_vi"], problem["title_en"]);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(
        fields.contains(&"phone") && fields.contains(&"title"),
        "{problem}"
    );
    let (unknown, _) = post(&app, Some(&key), &json!({"titel": "x"}), "vi").await;
    assert_eq!(
        unknown,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );

    // Its own PAKN: status and public timeline, no personal data.
    let (ok, pakn) = get(&app, Some(&key), &format!("/api/v1/pakn/{code}")).await;
    assert_eq!(ok, StatusCode::OK, "{pakn}");
    assert_eq!(pakn["status"], "submitted");
    assert_eq!(pakn["status_label_vi"], "Chờ tiếp nhận");
    assert!(
        pakn["received_at"]
            .as_str()
            .is_some_and(|t| t.ends_with("+07:00"))
    );
    assert_eq!(pakn["timeline"][0]["event"], "submitted");
    let text = pakn.to_string();
    for personal in ["Nguyễn Thị Hoà", "0983", "hoa.nguyen", "Trần Hưng Đạo"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    // An approved reply appears with its document details.
    diesel::sql_query(
        "INSERT INTO replies (ticket_id, state, body, number_symbol, reply_date, signer, decided_at)
         SELECT id, 'approved', 'Sở đã chỉ đạo giải quyết hồ sơ.', '125/SNV-VP', '2026-12-05',
                'Lê Văn A', now()
           FROM tickets WHERE code = $1",
    )
    .bind::<diesel::sql_types::Text, _>(&code)
    .execute(&mut app.conn().await)
    .await
    .expect("a reply");
    let (_, answered) = get(&app, Some(&key), &format!("/api/v1/pakn/{code}")).await;
    assert_eq!(
        answered["replies"][0]["number_symbol"], "125/SNV-VP",
        "{answered}"
    );
    assert_eq!(answered["replies"][0]["reply_date"], "2026-12-05");
    // Not its own: as unknown.
    let (theirs, _) = get(&app, Some(&key), &format!("/api/v1/pakn/{by_form}")).await;
    assert_eq!(theirs, StatusCode::NOT_FOUND);
    let other = add_client(&app, "Cổng dịch vụ công tỉnh", "provincial_committee").await;
    let (not_other, _) = get(&app, Some(&other), &format!("/api/v1/pakn/{code}")).await;
    assert_eq!(not_other, StatusCode::NOT_FOUND);
    app.stop().await;
}

/// A multipart filing: the JSON in the part `pakn`, then `files`.
async fn post_multipart(
    app: &TestApp,
    key: &str,
    body: &Value,
    files: &[(&str, Vec<u8>)],
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new().text("pakn", body.to_string());
    for (name, bytes) in files {
        form = form.part(
            "files",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name(name.to_string()),
        );
    }
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/pakn"))
        .bearer_auth(key)
        .multipart(form)
        .send()
        .await
        .expect("POST multipart");
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_files_with_files_checked_as_the_forms() {
    use pakn::db::schema::attachments;
    let app = TestApp::spawn().await;
    let key = add_client(&app, "Ứng dụng PAKN tỉnh", "api").await;
    let pdf = crate::filing::pdf_bytes();
    let (status, filed) = post_multipart(
        &app,
        &key,
        &filing("app-77"),
        &[("giay-hen.pdf", pdf.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let code = filed["code"].as_str().expect("a code").to_string();
    let stored: Vec<(String, i32)> = attachments::table
        .inner_join(tickets::table)
        .filter(tickets::code.eq(&code))
        .select((attachments::filename, attachments::size_bytes))
        .load(&mut app.conn().await)
        .await
        .expect("attachments");
    assert_eq!(stored, vec![("giay-hen.pdf".to_string(), pdf.len() as i32)]);
    assert_eq!(app.take_mail().await.who(), filing_mail());
    // A file of a refused type: nothing filed, the file named in the problem.
    let (refused, problem) = post_multipart(
        &app,
        &key,
        &filing("app-78"),
        &[("chuong-trinh.exe", b"MZ\x90\x00 not a document".to_vec())],
    )
    .await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "files");
    assert!(
        problem["errors"][0]["message_vi"]
            .as_str()
            .is_some_and(|m| m.contains("chuong-trinh.exe")),
        "{problem}"
    );
    assert!(app.take_mail().await.is_empty());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_wrong_revoked_or_out_of_scope_keys_read_nothing() {
    let app = TestApp::spawn().await;
    let key = add_client(&app, "Ứng dụng tỉnh", "api").await;
    let path = "/api/v1/pakn/ABCD2345";
    let (missing, problem) = get(&app, None, path).await;
    assert_eq!(missing, StatusCode::UNAUTHORIZED);
    assert_eq!(problem["type"], "/api/v1/problems/missing-key");
    let mut wrong = key.clone();
    wrong.replace_range(key.len() - 4.., "AAAA");
    for bad in ["pakn_x", "Basic abc", wrong.as_str()] {
        let (status, problem) = get(&app, Some(bad), path).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad}: {problem}");
        assert_eq!(problem["type"], "/api/v1/problems/invalid-key");
    }
    let (posted, _) = post(&app, Some(&wrong), &filing("k1"), "vi").await;
    assert_eq!(posted, StatusCode::UNAUTHORIZED);
    assert!(app.take_mail().await.is_empty());

    let (code, out) = cli(&app, &["revoke", "--name", "Ứng dụng tỉnh"]).await;
    assert_eq!(code, 0, "{out}");
    let (revoked, _) = post(&app, Some(&key), &filing("k2"), "vi").await;
    assert_eq!(revoked, StatusCode::UNAUTHORIZED);
    let (_, list) = cli(&app, &["list"]).await;
    assert!(list.contains("revoked"), "{list}");
    assert!(!list.contains(&key), "the key is never shown again");

    // A client without the scope.
    let made = pakn::domain::api_key::generate(&mut rand::rng());
    pakn::db::api_clients::create(
        &mut app.conn().await,
        "Chỉ đọc",
        (&made.id, &made.digest),
        &[],
        ("api", 600),
    )
    .await
    .expect("a client without scopes");
    let (forbidden, problem) = post(&app, Some(&made.full), &filing("k3"), "vi").await;
    assert_eq!(forbidden, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["type"], "/api/v1/problems/out-of-scope");
    let count: i64 = tickets::table
        .count()
        .get_result(&mut app.conn().await)
        .await
        .expect("count");
    assert_eq!(count, 0, "nothing was filed");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_connects_a_system_sees_its_key_once_and_revokes_it() {
    use pakn::db::schema::audit_log;
    let app = TestApp::spawn().await;
    crate::auth::create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;
    let c = crate::auth::client();
    crate::auth::login_ok(&app, &c, "quantri@sonoivu.vn").await;
    let token = crate::auth::csrf(&app, &c).await;
    let add = |name: &str| {
        c.post(app.url("/staff/admin/api-clients")).form(&[
            ("csrf", token.as_str()),
            ("name", name),
            ("channel", "national_portal"),
            ("scope", "file"),
            ("rate_per_min", "600"),
        ])
    };
    // A name is needed; what was typed comes back.
    let res = add("  ").send().await.expect("POST");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .expect("page")
            .contains("Vui lòng nhập tên hệ thống")
    );

    // The staff scope needs its account; what was typed comes back.
    let res = c
        .post(app.url("/staff/admin/api-clients"))
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Phần mềm một cửa"),
            ("channel", "api"),
            ("scope", "staff"),
            ("rate_per_min", "120"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.expect("page");
    assert!(
        page.contains("tài khoản cán bộ mà hệ thống đại diện") && page.contains("value=\"120\"")
    );

    let res = add("Hệ thống PAKN quốc gia").send().await.expect("POST");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap_or_default()
            .contains("no-store"),
        "a page with a key is not kept"
    );
    let page = res.text().await.expect("page");
    let marker = "data-testid=\"api-key\">";
    let start = page.find(marker).expect("the key shown") + marker.len();
    let key = page[start..].split('<').next().expect("key").to_string();
    assert!(key.starts_with("pakn_"), "{key}");
    // Shown once: the list shows only its id.
    let list = crate::auth::get(&c, app.url("/staff/admin/api-clients"))
        .await
        .text()
        .await
        .expect("list");
    assert!(list.contains("Hệ thống PAKN quốc gia") && !list.contains(&key));
    assert!(list.contains("Chưa dùng"));
    let again = add("Hệ thống PAKN quốc gia").send().await.expect("POST");
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "names are unique"
    );

    // The key works, and the list says it was used.
    let (ok, _) = get(&app, Some(&key), "/api/v1/pakn/ABCD2345").await;
    assert_eq!(ok, StatusCode::NOT_FOUND, "a valid key, an unknown code");
    let list = crate::auth::get(&c, app.url("/staff/admin/api-clients"))
        .await
        .text()
        .await
        .expect("list");
    assert!(!list.contains("Chưa dùng"), "last use shown");

    // Revoked in one click: refused from the next call.
    let id: i32 = diesel::sql_query("SELECT id FROM api_clients")
        .get_result::<Id>(&mut app.conn().await)
        .await
        .expect("id")
        .id;
    let res = c
        .post(app.url(&format!("/staff/admin/api-clients/{id}/enabled")))
        .form(&[("csrf", token.as_str()), ("enabled", "0")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (refused, _) = get(&app, Some(&key), "/api/v1/pakn/ABCD2345").await;
    assert_eq!(refused, StatusCode::UNAUTHORIZED);
    let audited: Vec<String> = audit_log::table
        .filter(audit_log::entity.eq("api_client"))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut app.conn().await)
        .await
        .expect("audit");
    assert_eq!(audited, ["create", "revoke"]);
    // Officers and leaders never see the screen.
    let leader = crate::auth::client();
    crate::auth::create_user(&app, "ld2@sonoivu.vn", &["leader"], None).await;
    crate::auth::login_ok(&app, &leader, "ld2@sonoivu.vn").await;
    let res = crate::auth::get(&leader, app.url("/staff/admin/api-clients")).await;
    assert_ne!(res.status(), StatusCode::OK);
    app.stop().await;
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    id: i32,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_past_its_calls_a_minute_waits() {
    let app = TestApp::spawn().await;
    let (code, out) = cli(&app, &["add", "--name", "Thử tải", "--rate-per-min", "3"]).await;
    assert_eq!(code, 0, "{out}");
    let key = out
        .lines()
        .find(|l| l.starts_with("pakn_"))
        .expect("a key")
        .to_string();
    for _ in 0..3 {
        let (status, _) = get(&app, Some(&key), "/api/v1/pakn/ABCD2345").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // The fourth call of a minute is refused (a minute turning over between the calls
    // grants three more: at most seven calls find the refusal).
    let mut refused = None;
    for _ in 0..4 {
        let res = reqwest::Client::new()
            .get(app.url("/api/v1/pakn/ABCD2345"))
            .bearer_auth(&key)
            .send()
            .await
            .expect("GET");
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(res);
            break;
        }
    }
    let res = refused.expect("a 429 within the minute's calls");
    let wait: u32 = res.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    let problem: Value = serde_json::from_str(&res.text().await.expect("body")).expect("json");
    assert_eq!(problem["type"], "/api/v1/problems/rate-limited");
    app.stop().await;
}
