//! Issue 14, item 5: data-subject requests handled on `/staff/privacy` by admins and
//! data protection officers: who gets in, the list with due dates, assigning,
//! answering (mailed when the contact is an email, to be called otherwise), the export
//! ZIP of one person's data, correction (audited) and erasure (refused while a PAKN is
//! still being handled, then done).

use std::io::Read as _;

use chrono::{NaiveDate, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{audit_log, outbox, personal_data_views, privacy_requests, tickets};
use reqwest::StatusCode;

use crate::auth::{UNIT, client, create_user, csrf, get, login_ok};
use crate::filing::PNG;
use crate::retention::{HOA, Sender, end, file_as};
use crate::support::app::TestApp;
use crate::support::outbox::mail_to;

const BINH: Sender = Sender {
    name: "Trần Văn Bình",
    phone: "0912 345 678",
    email: "binh.tran@example.vn",
};

/// Stores a request as the public form does (without its mail to the admins).
async fn request(app: &TestApp, kind: &str, contact: &str, due_on: NaiveDate) -> i64 {
    let mut conn = app.conn().await;
    diesel::insert_into(privacy_requests::table)
        .values((
            privacy_requests::kind.eq(kind),
            privacy_requests::name.eq("Nguyễn Thị Hoà"),
            privacy_requests::contact.eq(contact),
            privacy_requests::body.eq("Đề nghị cung cấp dữ liệu của tôi."),
            privacy_requests::due_on.eq(due_on),
        ))
        .returning(privacy_requests::id)
        .get_result(&mut conn)
        .await
        .expect("request")
}

fn today() -> NaiveDate {
    pakn::domain::calendar::local_date(Utc::now())
}

/// A client signed in as a new user with `roles`.
async fn staff(app: &TestApp, email: &str, roles: &[&str]) -> (reqwest::Client, i32) {
    let unit = roles.contains(&"officer").then_some(UNIT);
    let id = create_user(app, email, roles, unit).await;
    let c = client();
    login_ok(app, &c, email).await;
    (c, id)
}

async fn post_form(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(app, c).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", &token)];
    form.extend_from_slice(fields);
    c.post(app.url(path))
        .form(&form)
        .send()
        .await
        .expect("POST")
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_and_data_protection_officers_get_in() {
    let app = TestApp::spawn().await;
    let id = request(&app, "access", HOA.email, today()).await;
    let page = format!("/staff/privacy/{id}");
    for (email, roles) in [
        ("chuyenvien@angiang.gov.vn", &["officer"][..]),
        ("thanhtra@angiang.gov.vn", &["inspector"][..]),
        ("lanhdao@angiang.gov.vn", &["leader"][..]),
    ] {
        let (c, _) = staff(&app, email, roles).await;
        for path in ["/staff/privacy", page.as_str()] {
            let res = get(&c, app.url(path)).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email} {path}");
        }
        let res = post_form(&app, &c, &format!("{page}/erase"), &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email} erase");
        let nav = get(&c, app.url("/staff/account"))
            .await
            .text()
            .await
            .expect("body");
        assert!(!nav.contains("href=\"/staff/privacy\""), "{email}");
    }
    let (dpo, _) = staff(&app, "baove@angiang.gov.vn", &["privacy"]).await;
    // The officer lands on the requests, reads no PAKN, and has the link.
    let landing = get(&dpo, app.url("/staff/tickets")).await;
    assert_eq!(landing.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&landing), "/staff/privacy");
    let list = get(&dpo, app.url("/staff/privacy")).await;
    assert_eq!(list.status(), StatusCode::OK);
    let html = list.text().await.expect("body");
    assert!(
        html.contains("href=\"/staff/privacy\"") && html.contains("Cán bộ bảo vệ dữ liệu cá nhân")
    );
    assert_eq!(get(&dpo, app.url(&page)).await.status(), StatusCode::OK);
    assert_eq!(
        get(&dpo, app.url("/staff/tickets?q=Ho")).await.status(),
        StatusCode::SEE_OTHER
    );
    let (admin, _) = staff(&app, "quantri@angiang.gov.vn", &["admin"]).await;
    assert_eq!(get(&admin, app.url(&page)).await.status(), StatusCode::OK);
    // Unknown requests are 404; anonymous visitors go to the login page.
    assert_eq!(
        get(&admin, app.url("/staff/privacy/999999")).await.status(),
        StatusCode::NOT_FOUND
    );
    let anonymous = get(&client(), app.url("/staff/privacy")).await;
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_are_listed_assigned_and_answered_by_mail_or_phone() {
    let app = TestApp::spawn().await;
    let yesterday = today() - TimeDelta::days(1);
    let late = request(&app, "deletion", "0983570009", yesterday).await;
    let by_mail = request(&app, "access", HOA.email, today() + TimeDelta::days(2)).await;
    let (admin, _) = staff(&app, "quantri@angiang.gov.vn", &["admin"]).await;
    let (_, dpo_id) = staff(&app, "baove@angiang.gov.vn", &["privacy"]).await;

    let list = get(&admin, app.url("/staff/privacy"))
        .await
        .text()
        .await
        .expect("list");
    let row = |html: &str, id: i64| {
        let start = html.find(&format!("id=\"request-{id}\"")).expect("the row");
        html[start..]
            .split("</tr>")
            .next()
            .unwrap_or_default()
            .to_string()
    };
    assert!(row(&list, late).contains("data-testid=\"overdue\""));
    assert!(!row(&list, by_mail).contains("data-testid=\"overdue\""));
    assert!(list.find(&format!("request-{late}")) < list.find(&format!("request-{by_mail}")));
    let due = pakn::domain::calendar::format_date(yesterday);
    assert!(row(&list, late).contains(&due), "dd/mm/yyyy");

    // Assigning: to an officer of privacy (not to someone else), audited.
    let path = format!("/staff/privacy/{by_mail}");
    let refused = post_form(
        &app,
        &admin,
        &format!("{path}/assign"),
        &[("assignee", "999")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let dpo = dpo_id.to_string();
    let res = post_form(
        &app,
        &admin,
        &format!("{path}/assign"),
        &[("assignee", &dpo)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("{path}?done=assigned"));
    let page = get(&admin, app.url(&path))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("data-testid=\"assignee\">Cán bộ baove<"),
        "{page}"
    );

    // An answer over the limit comes back with what was typed.
    let long = format!("Trả lời rất dài. {}", "x".repeat(10_000));
    let res = post_form(
        &app,
        &admin,
        &format!("{path}/answer"),
        &[("answer", &long)],
    )
    .await;
    assert_eq!(res.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().await.expect("body").contains(&long),
        "the typed answer is kept"
    );

    // Answering an email contact mails the answer through the outbox.
    let answer = "Dữ liệu của bà gồm 1 phản ánh; tệp xuất kèm theo được gửi riêng.";
    let res = post_form(
        &app,
        &admin,
        &format!("{path}/answer"),
        &[("answer", answer)],
    )
    .await;
    assert_eq!(location(&res), format!("{path}?done=mailed"));
    assert_eq!(
        app.take_mail().await.who(),
        [("privacy_answer", mail_to(&[HOA.email]))]
    );
    let mut conn = app.conn().await;
    let body: Option<String> = outbox::table
        .filter(outbox::kind.eq("privacy_answer"))
        .select(outbox::body_text)
        .first(&mut conn)
        .await
        .expect("the mail");
    assert!(body.unwrap_or_default().contains(answer));
    let (handled_by, stored): (Option<i32>, Option<String>) = privacy_requests::table
        .find(by_mail)
        .select((privacy_requests::handled_by, privacy_requests::answer))
        .first(&mut conn)
        .await
        .expect("request");
    assert!(handled_by.is_some());
    assert_eq!(stored.as_deref(), Some(answer));
    let again = post_form(
        &app,
        &admin,
        &format!("{path}/answer"),
        &[("answer", "lần hai")],
    )
    .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A phone contact: the answer is recorded, no mail, and the page says to call.
    let phone_path = format!("/staff/privacy/{late}");
    let res = post_form(
        &app,
        &admin,
        &format!("{phone_path}/answer"),
        &[("answer", "Đã gọi điện xác nhận và xoá dữ liệu.")],
    )
    .await;
    assert_eq!(location(&res), format!("{phone_path}?done=call"));
    let done = get(&admin, app.url(&format!("{phone_path}?done=call"))).await;
    let done = done.text().await.expect("page");
    assert!(done.contains("Hãy gọi 0983570009"), "{done}");
    assert!(app.take_mail().await.is_empty());

    let open = get(&admin, app.url("/staff/privacy"))
        .await
        .text()
        .await
        .expect("list");
    assert!(open.contains("data-testid=\"privacy-empty\""));
    let handled = get(&admin, app.url("/staff/privacy?show=handled"))
        .await
        .text()
        .await
        .expect("list");
    assert!(
        handled.contains(&format!("request-{late}"))
            && handled.contains(&format!("request-{by_mail}"))
    );
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::entity.eq("privacy_request"))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut conn)
        .await
        .expect("audit");
    assert_eq!(actions, ["assign", "answer", "answer"]);
    drop(conn);
    app.stop().await;
}

/// Gives ticket `id` an approved reply and the citizen's rating of it.
async fn rate(app: &TestApp, id: i64) {
    use pakn::db::schema::{ratings, replies};
    let mut conn = app.conn().await;
    let reply: i64 = diesel::insert_into(replies::table)
        .values((
            replies::ticket_id.eq(id),
            replies::state.eq("approved"),
            replies::body.eq("Sở đã giải quyết hồ sơ."),
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
            ratings::comment.eq("Giải quyết nhanh"),
            ratings::unit_id.eq(unit_id),
            ratings::field_code.eq(field),
            ratings::reply_id.eq(reply),
        ))
        .execute(&mut conn)
        .await
        .expect("rating");
}

/// The anonymised tickets' ids.
async fn anonymised(conn: &mut diesel_async::AsyncPgConnection) -> Vec<i64> {
    tickets::table
        .filter(tickets::anonymized_at.is_not_null())
        .order(tickets::id)
        .select(tickets::id)
        .load(conn)
        .await
        .expect("rows")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_from_the_privacy_page_reaches_admins_and_officers_and_the_list() {
    let app = TestApp::spawn().await;
    let (admin, _) = staff(&app, "quantri@angiang.gov.vn", &["admin"]).await;
    staff(&app, "baove@angiang.gov.vn", &["privacy"]).await;
    staff(&app, "lanhdao@angiang.gov.vn", &["leader"]).await;
    let form = get(&client(), app.url("/privacy"))
        .await
        .text()
        .await
        .expect("page");
    let token = crate::auth::value_of(&form, "form_token");
    let res = client()
        .post(app.url("/privacy"))
        .form(&[
            ("kind", "correction"),
            ("name", "Trần Văn Bình"),
            ("contact", BINH.email),
            ("body", "Xin sửa địa chỉ trong phản ánh của tôi."),
            ("form_token", &token),
        ])
        .send()
        .await
        .expect("POST /privacy");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.take_mail().await.who(),
        [(
            "privacy_request",
            mail_to(&["quantri@angiang.gov.vn", "baove@angiang.gov.vn"])
        )]
    );
    let list = get(&admin, app.url("/staff/privacy"))
        .await
        .text()
        .await
        .expect("list");
    assert!(list.contains("Trần Văn Bình") && list.contains("Chỉnh sửa dữ liệu"));
    app.stop().await;
}

/// The entries of a ZIP, by name.
fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("entry");
            let mut data = Vec::new();
            f.read_to_end(&mut data).expect("read");
            (f.name().to_string(), data)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_export_holds_that_persons_pakn_messages_and_files_only() {
    let app = TestApp::spawn().await;
    let first = file_as(&app, &HOA, "Hồ sơ thứ nhất của chị Hoà", true).await;
    let second = file_as(&app, &HOA, "Hồ sơ thứ hai của chị Hoà", false).await;
    let other = file_as(&app, &BINH, "Hồ sơ của anh Bình", true).await;
    rate(&app, first.id).await;
    let id = request(&app, "access", HOA.email, today()).await;
    let (dpo, dpo_id) = staff(&app, "baove@angiang.gov.vn", &["privacy"]).await;

    let res = post_form(&app, &dpo, &format!("/staff/privacy/{id}/export"), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/zip")
    );
    let bytes = res.bytes().await.expect("ZIP");
    let files = entries(&bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(&names[..2], ["data.json", "index.html"]);
    assert!(
        names[2].starts_with(&format!("files/{}/", first.code))
            && names[2].ends_with("ảnh chụp.png")
    );
    assert_eq!(files[2].1, PNG);

    let json: serde_json::Value = serde_json::from_slice(&files[0].1).expect("JSON");
    let exported = json["tickets"].as_array().expect("tickets");
    let codes: Vec<&str> = exported.iter().filter_map(|t| t["code"].as_str()).collect();
    assert_eq!(codes, [first.code.as_str(), second.code.as_str()]);
    assert_eq!(exported[0]["full_name"], HOA.name);
    assert_eq!(exported[0]["email"], HOA.email);
    assert_eq!(exported[0]["files"][0]["path"], names[2]);
    assert!(exported[0]["messages"].is_array());
    assert_eq!(exported[0]["replies"][0]["number_symbol"], "125/SNV-VP");
    assert_eq!(exported[0]["ratings"][0]["comment"], "Giải quyết nhanh");
    assert_eq!(exported[1]["ratings"], serde_json::json!([]));
    let html = String::from_utf8(files[1].1.clone()).expect("UTF-8");
    assert!(
        html.contains("Dữ liệu cá nhân đã cung cấp") && html.contains("Số phản ánh, kiến nghị: 2")
    );
    assert!(
        html.contains(&first.code)
            && html.contains(&second.code)
            && html.contains("Nguyễn Thị Hoà")
    );
    let json_text = String::from_utf8_lossy(&files[0].1).to_string();
    for not_hers in [other.code.as_str(), BINH.name, BINH.email] {
        assert!(
            !html.contains(not_hers) && !json_text.contains(not_hers),
            "{not_hers}"
        );
    }

    // Every PAKN exported is in the personal-data log, with the purpose `export`.
    let mut conn = app.conn().await;
    let mut views: Vec<(i64, i32)> = personal_data_views::table
        .filter(personal_data_views::purpose.eq("export"))
        .select((personal_data_views::ticket_id, personal_data_views::user_id))
        .load(&mut conn)
        .await
        .expect("views");
    views.sort_unstable();
    assert_eq!(views, [(first.id, dpo_id), (second.id, dpo_id)]);
    let audited: i64 = audit_log::table
        .filter(audit_log::action.eq("export"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("audit");
    assert_eq!(audited, 1);
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_correction_is_audited_with_the_details_before_and_after() {
    let app = TestApp::spawn().await;
    let filed = file_as(&app, &HOA, "Hồ sơ cần sửa địa chỉ", false).await;
    let id = request(&app, "correction", "0983570009", today()).await;
    let (admin, _) = staff(&app, "quantri@angiang.gov.vn", &["admin"]).await;
    let path = format!("/staff/privacy/{id}/correct");
    let code = filed.code.clone();
    let fields = |phone: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("code", code.clone()),
            ("name", "Nguyễn Thị Hòa".to_string()),
            ("phone", phone.to_string()),
            ("email", HOA.email.to_string()),
            ("address", "45 Lê Lợi, phường Long Xuyên".to_string()),
        ]
    };
    let bad = fields("12");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = post_form(&app, &admin, &path, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let good = fields("0983 570 009");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = post_form(&app, &admin, &path, &good).await;
    assert_eq!(
        location(&res),
        format!("/staff/privacy/{id}?done=corrected")
    );

    let mut conn = app.conn().await;
    let (name, address, phone): (Option<String>, String, String) = tickets::table
        .find(filed.id)
        .select((tickets::full_name, tickets::address, tickets::phone))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(
        (name.as_deref(), address.as_str(), phone.as_str()),
        (
            Some("Nguyễn Thị Hòa"),
            "45 Lê Lợi, phường Long Xuyên",
            "0983570009"
        )
    );
    let (entity_id, before, after): (String, Option<serde_json::Value>, Option<serde_json::Value>) =
        audit_log::table
            .filter(audit_log::action.eq("privacy_correct"))
            .select((audit_log::entity_id, audit_log::before, audit_log::after))
            .first(&mut conn)
            .await
            .expect("audit row");
    assert_eq!(entity_id, filed.code);
    let before = before.expect("before");
    let after = after.expect("after");
    assert_eq!(before["contact"]["name"], HOA.name);
    assert_eq!(
        before["contact"]["address"],
        "12 Trần Hưng Đạo, phường Rạch Giá"
    );
    assert_eq!(after["contact"]["name"], "Nguyễn Thị Hòa");
    assert_eq!(after["contact"]["address"], "45 Lê Lợi, phường Long Xuyên");
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn erasure_is_refused_while_a_pakn_is_handled_then_anonymises_that_person_only() {
    let app = TestApp::spawn().await;
    let ended = file_as(&app, &HOA, "Hồ sơ đã kết thúc của chị Hoà", true).await;
    end(&app, ended.id, "closed", Utc::now() - TimeDelta::days(3)).await;
    let handled = file_as(&app, &HOA, "Hồ sơ đang xử lý của chị Hoà", false).await;
    let other = file_as(&app, &BINH, "Hồ sơ của anh Bình", true).await;
    end(&app, other.id, "closed", Utc::now() - TimeDelta::days(3)).await;
    let id = request(&app, "deletion", HOA.email, today()).await;
    let (dpo, _) = staff(&app, "baove@angiang.gov.vn", &["privacy"]).await;
    let path = format!("/staff/privacy/{id}/erase");

    let refused = post_form(&app, &dpo, &path, &[]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("page");
    let problem = page
        .split("data-testid=\"privacy-problem\"")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("the refusal")
        .to_string();
    assert!(
        problem.contains(&handled.code) && problem.contains("Chờ tiếp nhận"),
        "{problem}"
    );
    assert!(!problem.contains(&ended.code));
    let mut conn = app.conn().await;
    assert!(anonymised(&mut conn).await.is_empty(), "nothing changed");

    end(&app, handled.id, "closed", Utc::now()).await;
    let done = post_form(&app, &dpo, &path, &[]).await;
    assert_eq!(location(&done), format!("/staff/privacy/{id}?done=erased"));
    assert_eq!(anonymised(&mut conn).await, [ended.id, handled.id]);
    let (name, email, phone): (Option<String>, Option<String>, String) = tickets::table
        .find(ended.id)
        .select((tickets::full_name, tickets::email, tickets::phone))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(
        (name.as_deref(), email, phone.as_str()),
        (Some("(đã ẩn danh)"), None, "")
    );
    let (other_name, other_email): (Option<String>, Option<String>) = tickets::table
        .find(other.id)
        .select((tickets::full_name, tickets::email))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(
        (other_name.as_deref(), other_email.as_deref()),
        (Some(BINH.name), Some(BINH.email))
    );
    let files: Vec<i64> = pakn::db::schema::attachments::table
        .select(pakn::db::schema::attachments::ticket_id)
        .load(&mut conn)
        .await
        .expect("files");
    assert_eq!(
        files,
        [other.id],
        "the person's files are gone, not another's"
    );
    let erased: Option<serde_json::Value> = audit_log::table
        .filter(audit_log::action.eq("erase"))
        .select(audit_log::after)
        .first(&mut conn)
        .await
        .expect("audit row");
    let codes = erased.expect("after")["codes"].clone();
    assert_eq!(codes, serde_json::json!([ended.code, handled.code]));
    // The page now lists the person's PAKN as anonymised, with nothing to correct.
    let page = get(&dpo, app.url(&format!("/staff/privacy/{id}")))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("data-testid=\"no-tickets\""),
        "found by contact no more"
    );
    drop(conn);
    app.stop().await;
}
