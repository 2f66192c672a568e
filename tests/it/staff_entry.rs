//! Issue 4: staff entry of a PAKN received off-line, with the citizen's documents (the
//! same limits, sniffing and kept files as the public form).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{attachments, tickets, upload_stash};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::auth::{UNIT, client, create_user, get, login_ok, value_of};
use crate::filing::{PNG, pdf_bytes, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::outbox::{filing_mail, filings_mail, mail_to};

/// The entry form's fields as typed by the officer, with the form's hidden values.
fn entry_fields(csrf: &str, entry_key: &str, title: &str) -> Vec<(&'static str, String)> {
    let mut fields: Vec<(&'static str, String)> = valid_fields("")
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "form_token" | "consent" | "title"))
        .collect();
    fields.push(("title", title.to_string()));
    fields.push(("csrf", csrf.to_string()));
    fields.push(("entry_key", entry_key.to_string()));
    fields.push(("channel", "in_person".into()));
    fields.push(("external_ref", "45/CV-UBND".into()));
    fields.push(("external_ref_date", "2026-11-20".into()));
    fields.push((
        "received_on",
        pakn::domain::calendar::local_date(chrono::Utc::now())
            .format("%Y-%m-%d")
            .to_string(),
    ));
    fields
}

fn multipart(fields: &[(&'static str, String)]) -> Form {
    fields
        .iter()
        .fold(Form::new(), |f, (k, v)| f.text(*k, v.clone()))
}

fn file(bytes: Vec<u8>, name: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_string())
}

/// A fresh entry form: (csrf, entry_key).
async fn open_form(app: &TestApp, c: &reqwest::Client) -> (String, String) {
    let res = get(c, app.url("/staff/tickets/new")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("name=\"attachments\""));
    (value_of(&html, "csrf"), value_of(&html, "entry_key"))
}

async fn send(app: &TestApp, c: &reqwest::Client, form: Form) -> (StatusCode, String, String) {
    let res = c
        .post(app.url("/staff/tickets/new"))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, res.text().await.expect("body"))
}

/// The code in `/staff/tickets/{code}/receipt`.
fn code_of(receipt_path: &str) -> String {
    receipt_path
        .trim_start_matches("/staff/tickets/")
        .trim_end_matches("/receipt")
        .to_string()
}

async fn files_of(app: &TestApp, code: &str) -> Vec<(String, String, String, Vec<u8>)> {
    let mut conn = app.conn().await;
    attachments::table
        .inner_join(tickets::table)
        .filter(tickets::code.eq(code))
        .order(attachments::id)
        .select((
            attachments::filename,
            attachments::origin,
            attachments::content_type,
            attachments::data,
        ))
        .load(&mut conn)
        .await
        .expect("attachments")
}

async fn ticket_count(app: &TestApp) -> i64 {
    let mut conn = app.conn().await;
    tickets::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_entry_stores_the_citizens_documents_shown_on_the_ticket_page() {
    let app = TestApp::spawn().await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let (csrf, key) = open_form(&app, &c).await;
    let pdf = pdf_bytes();
    let form = multipart(&entry_fields(
        &csrf,
        &key,
        "Đơn thư nhận tại bộ phận một cửa",
    ))
    .part("attachments", file(pdf.clone(), "don thu.pdf"))
    .part("attachments", file(PNG.to_vec(), "anh-chup.png"));
    let (status, location, body) = send(&app, &c, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let code = code_of(&location);
    let stored = files_of(&app, &code).await;
    let summary: Vec<(&str, &str, &str)> = stored
        .iter()
        .map(|(n, o, ct, _)| (n.as_str(), o.as_str(), ct.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("don thu.pdf", "citizen", "application/pdf"),
            ("anh-chup.png", "citizen", "image/png"),
        ],
        "stored as the citizen's files"
    );
    assert_eq!(stored[0].3, pdf);
    assert_eq!(stored[1].3, PNG);

    // The ticket page lists them and serves them as downloads, as for web filings.
    let leader = client();
    login_ok(&app, &leader, "lanhdao@sonoivu.vn").await;
    let page = get(&leader, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("body");
    assert!(page.contains("don thu.pdf") && page.contains("anh-chup.png"));
    assert!(page.contains("của người gửi"), "labelled as the sender's");
    let marker = format!("/staff/tickets/{code}/files/");
    let links: Vec<String> = page
        .match_indices(&marker)
        .map(|(at, _)| page[at..].split('"').next().expect("href").to_string())
        .collect();
    assert_eq!(links.len(), 2, "{page}");
    for (link, expected) in links.iter().zip([pdf.as_slice(), PNG]) {
        let res = get(&leader, app.url(link)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .expect("cd")
                .starts_with("attachment;")
        );
        assert_eq!(res.bytes().await.expect("bytes").as_ref(), expected);
    }
    // A PAKN entered by staff mails as one filed online: the citizen's acknowledgement (to
    // the email they gave) and the rule's notification; the documents go with neither.
    // The unit's notification goes to the department's leader, not to the officer who
    // entered it.
    let mail = app.take_mail().await;
    let mut want = filing_mail();
    want.push(("notify_staff", mail_to(&["lanhdao@sonoivu.vn"])));
    assert_eq!(mail.who(), want);
    assert!(mail.iter().all(|m| m.attachment_ids.is_empty()));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_file_comes_back_with_the_typed_values_and_the_files_that_passed() {
    let app = TestApp::spawn().await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let (csrf, key) = open_form(&app, &c).await;
    let fields = entry_fields(&csrf, &key, "Phản ánh nhận qua đường bưu điện");
    // A program renamed to .pdf: refused by its bytes, not its name.
    let form = multipart(&fields)
        .part("attachments", file(PNG.to_vec(), "anh.png"))
        .part(
            "attachments",
            file(b"MZ\x90\x00 this is a program".to_vec(), "bien-ban.pdf"),
        );
    let (status, _, body) = send(&app, &c, form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("bien-ban.pdf: loại tệp không được nhận"),
        "a clear message names the file and why: {body}"
    );
    for typed in [
        "value=\"45/CV-UBND\"",
        "Phản ánh nhận qua đường bưu điện",
        "Nguyễn Thị Hoà",
        "value=\"in_person\" selected",
        &format!("name=\"entry_key\" value=\"{key}\""),
    ] {
        assert!(body.contains(typed), "the form keeps {typed}");
    }
    assert!(body.contains("anh.png"), "the file that passed is kept");
    let kept = value_of(&body, "keep_upload");
    assert_eq!(ticket_count(&app).await, 0, "nothing filed");

    // Sent again with the kept file ticked: filed with it, the stash emptied.
    let again = multipart(&fields).text("keep_upload", kept.clone());
    let (status, location, body) = send(&app, &c, again).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let code = code_of(&location);
    let stored = files_of(&app, &code).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].0.as_str(), stored[0].1.as_str()),
        ("anh.png", "citizen")
    );
    let mut conn = app.conn().await;
    let left: i64 = upload_stash::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("stash");
    assert_eq!(left, 0);
    drop(conn);

    // The same form sent twice (a double click) files once.
    let twice = multipart(&fields).text("keep_upload", kept);
    let (status, second, _) = send(&app, &c, twice).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(second, location, "the first receipt again");
    assert_eq!(ticket_count(&app).await, 1);

    // The filed form edited and sent again (the browser's back button): offered as a
    // new entry under a fresh key, with its new file kept.
    let edited = with(&fields, "title", "Một phản ánh khác cùng người gửi");
    let form = multipart(&edited).part("attachments", file(PNG.to_vec(), "anh-moi.png"));
    let (status, _, body) = send(&app, &c, form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("đã được lưu trước đó"), "{body}");
    assert!(body.contains("Một phản ánh khác cùng người gửi"));
    let fresh = value_of(&body, "entry_key");
    assert_ne!(fresh, key);
    let kept = value_of(&body, "keep_upload");
    let resend = multipart(&with(&edited, "entry_key", &fresh)).text("keep_upload", kept);
    let (status, third, body) = send(&app, &c, resend).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_ne!(third, location);
    let stored = files_of(&app, &code_of(&third)).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, "anh-moi.png");
    assert_eq!(ticket_count(&app).await, 2);
    // The refused form and the double click mailed nothing: one filing's mail per entry.
    assert_eq!(app.take_mail().await.who(), filings_mail(2));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_users_form_key_cannot_claim_their_kept_files() {
    let app = TestApp::spawn().await;
    create_user(&app, "a@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "b@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let a = client();
    login_ok(&app, &a, "a@sonoivu.vn").await;
    let (csrf_a, key) = open_form(&app, &a).await;
    let mut fields = entry_fields(&csrf_a, &key, "Tiêu đề");
    fields.retain(|(k, _)| *k != "content");
    let form = multipart(&fields).part("attachments", file(PNG.to_vec(), "rieng.png"));
    let (status, _, body) = send(&app, &a, form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let kept = value_of(&body, "keep_upload");

    let b = client();
    login_ok(&app, &b, "b@sonoivu.vn").await;
    let (csrf_b, _) = open_form(&app, &b).await;
    let stolen =
        multipart(&entry_fields(&csrf_b, &key, "Tiêu đề khác của B")).text("keep_upload", kept);
    let (status, location, body) = send(&app, &b, stolen).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(
        files_of(&app, &code_of(&location)).await.is_empty(),
        "the key is per user: B's filing gets none of A's files"
    );
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_receipt_with_the_private_link_is_for_the_officer_who_took_it_for_a_day() {
    use pakn::db::schema::personal_data_views;
    let app = TestApp::spawn().await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "cv2@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let (csrf, key) = open_form(&app, &c).await;
    let form = multipart(&entry_fields(&csrf, &key, "Đơn nhận qua bưu điện"));
    let (status, location, body) = send(&app, &c, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let code = code_of(&location);
    let mut conn = app.conn().await;
    let (id, token, created_at): (i64, String, Option<chrono::DateTime<chrono::Utc>>) =
        tickets::table
            .filter(tickets::code.eq(&code))
            .select((tickets::id, tickets::access_token, tickets::created_at))
            .first(&mut conn)
            .await
            .expect("ticket");
    assert!(created_at.is_some(), "the row's creation time is recorded");

    let receipt = get(&c, app.url(&location)).await;
    assert_eq!(receipt.status(), StatusCode::OK);
    assert_eq!(receipt.headers()["cache-control"], "no-store");
    let receipt = receipt.text().await.expect("body");
    assert!(
        receipt.contains(&format!("/t/{token}")),
        "the officer hands the private link over"
    );
    let views: i64 = personal_data_views::table
        .filter(personal_data_views::ticket_id.eq(id))
        .filter(personal_data_views::purpose.eq("receipt"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("views");
    assert_eq!(views, 1, "showing the link is recorded");

    // The link is the citizen's key (read, answer, withdraw, rate): nobody else gets it.
    for email in [
        "cv2@sonoivu.vn",
        "lanhdao@sonoivu.vn",
        "thanhtra@sonoivu.vn",
    ] {
        let other = client();
        login_ok(&app, &other, email).await;
        let res = get(&other, app.url(&location)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{email}");
        assert!(!res.text().await.expect("body").contains(&token), "{email}");
    }
    // A day later not even its officer: the citizen uses the code at /track.
    diesel::update(tickets::table.find(id))
        .set(tickets::created_at.eq(Some(chrono::Utc::now() - chrono::TimeDelta::hours(25))))
        .execute(&mut conn)
        .await
        .expect("age");
    let res = get(&c, app.url(&location)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    drop(conn);
    let mut want = filing_mail();
    want.push(("notify_staff", mail_to(&["lanhdao@sonoivu.vn"])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_error_summary_names_each_field_and_the_consent_is_the_senders() {
    let app = TestApp::spawn().await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let (csrf, key) = open_form(&app, &c).await;
    let form = get(&c, app.url("/staff/tickets/new"))
        .await
        .text()
        .await
        .expect("form");
    assert!(
        form.contains("Người gửi đồng ý công khai"),
        "the officer ticks the sender's consent, not their own"
    );
    assert!(!form.contains("Tôi đồng ý công khai"));
    // Sent with only the hidden fields and a kept title: every other field is named.
    let fields = vec![
        ("csrf", csrf),
        ("entry_key", key),
        ("channel", "in_person".to_string()),
        ("title", "Phản ánh qua điện thoại".to_string()),
    ];
    let (status, _, body) = send(&app, &c, multipart(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let summary = &body[body.find("id=\"error-summary\"").expect("summary")..];
    let summary = &summary[..summary.find("</ul>").expect("list")];
    for named in [
        "href=\"#full_name\">Họ và tên: ",
        "href=\"#address\">Địa chỉ",
        "href=\"#phone\">Số điện thoại",
        "href=\"#field\">Lĩnh vực: Vui lòng chọn một mục.",
        "href=\"#content_category\">",
        "href=\"#content\">Nội dung",
        "href=\"#received_on\">Ngày tiếp nhận",
    ] {
        assert!(summary.contains(named), "{named} in {summary}");
    }
    let items = summary.matches("<li>").count();
    let unnamed = summary.matches("\">Vui lòng").count();
    assert!(items >= 6, "{summary}");
    assert_eq!(unnamed, 0, "no message without its field: {summary}");
    assert!(
        body.contains("value=\"Phản ánh qua điện thoại\""),
        "typed text kept"
    );
    assert!(body.contains("aria-invalid=\"true\""));
    assert_eq!(ticket_count(&app).await, 0);
    app.stop().await;
}
