//! Issue 2: filing a PAKN over HTTP against a real Postgres.

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::StreamExt;
use pakn::db::schema::{attachments, ticket_events, tickets, upload_stash};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use unicode_normalization::UnicodeNormalization;

use crate::support::app::TestApp;
use crate::support::outbox::{DEPUTY, PPC_OFFICE, filing_mail, filings_mail, mail_to};

pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

pub fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// The value of the hidden form token in a page.
pub fn token_of(html: &str) -> String {
    let marker = "name=\"form_token\" value=\"";
    let start = html.find(marker).expect("the page has a form token") + marker.len();
    html[start..]
        .split('"')
        .next()
        .expect("token value")
        .to_string()
}

pub async fn fresh_form(app: &TestApp) -> String {
    let html = app
        .client
        .get(app.url("/feedback/new"))
        .send()
        .await
        .expect("GET form")
        .text()
        .await
        .expect("form body");
    token_of(&html)
}

/// POSTs a filing of [`valid_fields`] to `url` as multipart, its second half held back
/// until the returned sender fires: a request in flight, for shutdown and limit tests.
pub fn post_held_back(
    client: reqwest::Client,
    url: String,
    token: &str,
) -> (
    tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>,
    tokio::sync::oneshot::Sender<()>,
) {
    let boundary = "paknBoundary7MA4YWxkTrZu0gW";
    let mut body = String::new();
    for (k, v) in valid_fields(token) {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let bytes = body.into_bytes();
    let (first, second) = bytes.split_at(bytes.len() / 2);
    let (first, second) = (first.to_vec(), second.to_vec());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(
        futures_util::stream::once(async move {
            let _ = rx.await;
            Ok::<_, std::io::Error>(second)
        }),
    );
    let request = tokio::spawn(async move {
        client
            .post(url)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
    });
    (request, tx)
}

/// The fields of a valid individual filing.
pub fn valid_fields(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form_token", token.to_string()),
        ("submitter_kind", "individual".into()),
        ("full_name", "Nguyễn Thị Hoà".into()),
        ("address", "12 Trần Hưng Đạo, phường Rạch Giá".into()),
        ("phone", "0983 570 009".into()),
        ("email", "hoa.nguyen@example.vn".into()),
        ("kind", "phan_anh".into()),
        ("content_category", "cham_tre_phien_ha".into()),
        ("field", "bao_hiem_xa_hoi".into()),
        ("title", "Chậm giải quyết hồ sơ hưởng bảo hiểm xã hội một lần".into()),
        ("content", "Tôi nộp hồ sơ ngày 02/10/2026 tại bộ phận một cửa, đến nay đã quá hạn mà chưa có kết quả.".into()),
        ("consent", "1".into()),
    ]
}

pub fn form_of(fields: &[(&'static str, String)]) -> Form {
    fields
        .iter()
        .fold(Form::new(), |f, (k, v)| f.text(*k, v.clone()))
}

pub fn with(
    fields: &[(&'static str, String)],
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> =
        fields.iter().filter(|(k, _)| *k != name).cloned().collect();
    out.push((name, value.to_string()));
    out
}

pub fn without(fields: &[(&'static str, String)], name: &str) -> Vec<(&'static str, String)> {
    fields.iter().filter(|(k, _)| *k != name).cloned().collect()
}

pub async fn post(app: &TestApp, form: Form) -> (StatusCode, String, Option<String>) {
    post_with(&app.client, app.url("/feedback"), form).await
}

/// `post` with the client and the URL owned (for a filing posted from a spawned task).
pub async fn post_with(
    client: &reqwest::Client,
    url: String,
    form: Form,
) -> (StatusCode, String, Option<String>) {
    let res = client
        .post(url)
        .multipart(form)
        .send()
        .await
        .expect("POST /feedback");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = res.text().await.expect("body");
    (status, body, location)
}

async fn count_tickets(app: &TestApp) -> i64 {
    let mut conn = app.conn().await;
    tickets::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count")
}

/// Files a valid PAKN and returns the path of its private page.
#[allow(dead_code)]
pub async fn file_one(app: &TestApp) -> String {
    let token = fresh_form(app).await;
    let (status, body, location) = post(app, form_of(&valid_fields(&token))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    location.expect("a Location header")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_speaks_vietnamese_by_default_and_english_on_request_and_remembers() {
    let app = TestApp::spawn().await;
    let vi = app
        .client
        .get(app.url("/feedback/new"))
        .send()
        .await
        .expect("GET");
    assert_eq!(vi.headers()["cache-control"], "no-store");
    let vi = vi.text().await.expect("body");
    assert!(vi.contains("<html lang=\"vi\">"));
    assert!(vi.contains("Họ và tên") && vi.contains("Tôi đã đọc Thông báo xử lý dữ liệu cá nhân"));
    assert!(
        vi.contains("Khiếu nại, tố cáo"),
        "the out-of-scope note comes before the form"
    );
    let en = app
        .client
        .get(app.url("/feedback/new?lang=en"))
        .send()
        .await
        .expect("GET");
    assert!(
        en.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .starts_with("lang=en")
    );
    let en = en.text().await.expect("body");
    assert!(en.contains("<html lang=\"en\">") && en.contains("Full name"));
    // The cookie remembers the choice on the next page.
    let again = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        again.contains("<html lang=\"en\">"),
        "the choice is remembered"
    );
    // An English browser without the cookie still gets Vietnamese (issue 17, item 2).
    let fresh = reqwest::Client::new();
    let by_header = fresh
        .get(app.url("/feedback/new"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(by_header.contains("<html lang=\"vi\">"), "{by_header}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_valid_filing_with_two_files_stores_one_ticket_two_files_and_one_submitted_event() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let form = form_of(&valid_fields(&token))
        .part(
            "attachments",
            Part::bytes(PNG.to_vec()).file_name("ảnh chụp.png"),
        )
        .part(
            "attachments",
            Part::bytes(pdf_bytes()).file_name("giấy tiếp nhận.pdf"),
        );
    let (status, body, location) = post(&app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = location.expect("location");
    assert!(location.starts_with("/t/"));
    let mut conn = app.conn().await;
    let (id, phone, code, status, unit, search): (i64, String, String, String, i32, String) =
        tickets::table
            .select((
                tickets::id,
                tickets::phone,
                tickets::code,
                tickets::status,
                tickets::unit_id,
                tickets::search_text,
            ))
            .first(&mut conn)
            .await
            .expect("one ticket");
    assert_eq!(count_tickets(&app).await, 1);
    assert_eq!(phone, "0983570009", "phones are stored normalised");
    assert_eq!(status, "submitted");
    assert!(search.contains("nguyen thi hoa"), "{search}");
    let unit_code: String = pakn::db::schema::units::table
        .find(unit)
        .select(pakn::db::schema::units::code)
        .first(&mut conn)
        .await
        .expect("unit");
    assert_eq!(
        unit_code, "to_kiem_tra_cong_vu",
        "delays by officials go to the inspection team"
    );
    let files: Vec<(String, String, i32)> = attachments::table
        .filter(attachments::ticket_id.eq(id))
        .order(attachments::id)
        .select((
            attachments::filename,
            attachments::content_type,
            attachments::size_bytes,
        ))
        .load(&mut conn)
        .await
        .expect("files");
    assert_eq!(
        files,
        vec![
            (
                "ảnh chụp.png".to_string(),
                "image/png".to_string(),
                PNG.len() as i32
            ),
            (
                "giấy tiếp nhận.pdf".to_string(),
                "application/pdf".to_string(),
                pdf_bytes().len() as i32
            ),
        ]
    );
    let events: Vec<String> = ticket_events::table
        .filter(ticket_events::ticket_id.eq(id))
        .filter(ticket_events::event.eq("submitted"))
        .select(ticket_events::event)
        .load(&mut conn)
        .await
        .expect("events");
    assert_eq!(events, vec!["submitted"]);
    let totals = pakn::db::counters::totals_by_status(&mut conn)
        .await
        .expect("counters");
    let counted = totals
        .iter()
        .find(|(s, _)| s == "submitted")
        .map(|(_, n)| *n);
    assert_eq!(counted, Some(1));
    // The receipt shows the code, the status label and the deadline.
    let receipt = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .expect("receipt");
    assert_eq!(receipt.headers()["cache-control"], "no-store");
    let receipt = receipt.text().await.expect("body");
    let shown = format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]);
    assert!(
        receipt.contains(&format!("data-testid=\"tracking-code\">{shown}<")),
        "{receipt}"
    );
    assert!(receipt.contains("Chờ tiếp nhận"));
    assert!(!receipt.contains("0983570009") && !receipt.contains("hoa.nguyen@example.vn"));
    // The acknowledgement to the citizen and the notification of the routing rule's
    // contacts; the citizen's files go with neither.
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), filing_mail());
    assert!(
        mail.iter()
            .all(|m| m.attachment_ids.is_empty() && m.ticket_id == Some(id))
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_missing_field_gets_its_own_message_and_the_rest_stays() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let fields = valid_fields(&token);
    for missing in [
        "full_name",
        "address",
        "phone",
        "kind",
        "content_category",
        "field",
        "title",
        "content",
        "consent",
    ] {
        let (status, body, _) = post(&app, form_of(&without(&fields, missing))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{missing}");
        assert!(
            body.contains(&format!("id=\"{missing}-error\"")),
            "{missing} has its message"
        );
        assert_eq!(
            body.matches("class=\"field-error\"").count(),
            1,
            "only {missing} is in error"
        );
        // What was typed is still there.
        for (name, value) in &fields {
            if *name == missing
                || [
                    "form_token",
                    "submitter_kind",
                    "kind",
                    "content_category",
                    "field",
                    "consent",
                ]
                .contains(name)
            {
                continue;
            }
            let shown = askama_escape(value);
            assert!(
                body.contains(&shown),
                "{name} kept when {missing} is missing"
            );
        }
        assert!(body.contains("selected>") || missing == "content_category" || missing == "field");
    }
    assert_eq!(count_tickets(&app).await, 0);
    app.stop().await;
}

/// How askama escapes text in HTML.
pub fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test(flavor = "multi_thread")]
async fn organisations_give_a_name_and_a_representative_and_kien_nghi_needs_a_proposal() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let org = with(
        &without(&valid_fields(&token), "full_name"),
        "submitter_kind",
        "organization",
    );
    let (status, body, _) = post(&app, form_of(&org)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("id=\"organization-error\"") && body.contains("id=\"representative-error\"")
    );
    assert!(
        !body.contains("id=\"full_name-error\""),
        "an organisation needs no personal name"
    );

    let kn = with(&valid_fields(&token), "kind", "kien_nghi");
    let (status, body, _) = post(&app, form_of(&kn)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("id=\"proposal-error\"")
            && body.contains("Kiến nghị cần nêu đề xuất phương án xử lý.")
    );

    let org = with(
        &with(&org, "organization", "Công ty TNHH Minh Phát"),
        "representative",
        "Trần Văn Bình",
    );
    let org = with(
        &with(&org, "kind", "kien_nghi"),
        "proposal",
        "Đề nghị rút ngắn thời gian giải quyết còn 10 ngày.",
    );
    let (status, body, _) = post(&app, form_of(&org)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let mut conn = app.conn().await;
    let row: (Option<String>, Option<String>, Option<String>, String) = tickets::table
        .select((
            tickets::full_name,
            tickets::organization,
            tickets::representative,
            tickets::kind,
        ))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(
        row,
        (
            None,
            Some("Công ty TNHH Minh Phát".into()),
            Some("Trần Văn Bình".into()),
            "kien_nghi".into()
        )
    );
    // The refused attempts mailed nobody; the organisation's filing acknowledges to the
    // address it gave.
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn markup_is_escaped_and_nfd_is_stored_as_nfc() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let xss = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let nfd_name: String = "Nguyễn Thị Hoà".nfd().collect();
    let nfd_title: String = "Thủ tục chậm trễ ".nfd().collect::<String>() + xss;
    // First with an error, so the values come back in the form.
    let fields = with(
        &with(
            &without(&valid_fields(&token), "address"),
            "full_name",
            &nfd_name,
        ),
        "title",
        &nfd_title,
    );
    let (status, body, _) = post(&app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !body.contains("<script>alert"),
        "no raw markup in the re-rendered form"
    );
    assert!(body.contains("&#60;script&#62;"));
    let fields = with(&fields, "address", "12 Trần Hưng Đạo, Rạch Giá");
    let (status, _, location) = post(&app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    let (name, title): (Option<String>, String) = tickets::table
        .select((tickets::full_name, tickets::title))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(name.as_deref(), Some("Nguyễn Thị Hoà"));
    assert_eq!(
        name.as_deref().map(|n| n.nfc().collect::<String>()),
        name,
        "stored as NFC"
    );
    assert!(title.starts_with("Thủ tục chậm trễ"));
    let receipt = app
        .client
        .get(app.url(&location.expect("location")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(!receipt.contains("<script>alert") && receipt.contains("&#60;script&#62;"));
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_20_mb_file_and_an_exe_named_pdf_are_refused_with_nothing_stored_and_the_text_kept() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let fields = valid_fields(&token);
    let big = vec![0x25u8; 20 * 1024 * 1024];
    let form = form_of(&fields).part("attachments", Part::bytes(big).file_name("ho-so.pdf"));
    let (status, body, _) = post(&app, form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("ho-so.pdf: tệp lớn hơn 10 MB"),
        "friendly message"
    );
    assert!(body.contains(&askama_escape(
        "Chậm giải quyết hồ sơ hưởng bảo hiểm xã hội một lần"
    )));

    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00This program cannot be run in DOS mode".to_vec();
    let form = form_of(&fields).part("attachments", Part::bytes(exe).file_name("cong-van.pdf"));
    let (status, body, _) = post(&app, form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("cong-van.pdf: loại tệp không được nhận"));
    assert!(body.contains(&askama_escape("0983 570 009")));
    assert_eq!(count_tickets(&app).await, 0);
    let mut conn = app.conn().await;
    let stored: i64 = attachments::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stored, 0);
    let stashed: i64 = upload_stash::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stashed, 0, "refused files are not kept either");
    assert!(
        app.take_mail().await.is_empty(),
        "a refused filing mails nobody"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_over_the_route_limit_gets_the_form_back_not_a_reset() {
    let app = TestApp::spawn_with(|cfg| {
        cfg.uploads.max_files = 1;
        cfg.uploads.max_file_mb = 1;
    })
    .await;
    let token = fresh_form(&app).await;
    // 2 files of 1.5 MB: the body passes the route limit (1 × 1 MB + 1 MB).
    let form = form_of(&valid_fields(&token))
        .part(
            "attachments",
            Part::bytes(vec![1u8; 1_500_000]).file_name("a.pdf"),
        )
        .part(
            "attachments",
            Part::bytes(vec![1u8; 1_500_000]).file_name("b.pdf"),
        );
    let (status, body, _) = post(&app, form).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("Tổng dung lượng tệp vượt quá 2 MB"), "{body}");
    assert!(
        body.contains(&askama_escape("Nguyễn Thị Hoà")),
        "the text that came first is kept"
    );
    assert_eq!(count_tickets(&app).await, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_valid_file_survives_a_failed_attempt_and_is_filed_with_the_fix() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let fields = without(&valid_fields(&token), "title");
    let form = form_of(&fields).part(
        "attachments",
        Part::bytes(PNG.to_vec()).file_name("anh.png"),
    );
    let (status, body, _) = post(&app, form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let marker = "name=\"keep_upload\" value=\"";
    let start = body.find(marker).expect("the kept file is offered") + marker.len();
    let kept_id = body[start..].split('"').next().expect("id").to_string();
    assert!(body.contains("anh.png"));
    let fixed = with(
        &with(&fields, "title", "Hồ sơ chậm trả kết quả"),
        "keep_upload",
        &kept_id,
    );
    let (status, _, _) = post(&app, form_of(&fixed)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    let names: Vec<String> = attachments::table
        .select(attachments::filename)
        .load(&mut conn)
        .await
        .expect("files");
    assert_eq!(names, vec!["anh.png"]);
    let stashed: i64 = upload_stash::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stashed, 0, "the stash is emptied when the filing succeeds");
    assert_eq!(
        app.take_mail().await.who(),
        filing_mail(),
        "the fix mails once"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn files_sent_under_a_token_that_is_not_ours_are_never_kept() {
    // Security review, finding 3: a bogus token stored 5 × 10 MB a request.
    let app = TestApp::spawn().await;
    let form = form_of(&valid_fields("bogus")).part(
        "attachments",
        Part::bytes(PNG.to_vec()).file_name("anh.png"),
    );
    let (status, body, _) = post(&app, form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Nguyễn Thị Hoà"), "what was typed comes back");
    assert!(!body.contains("name=\"keep_upload\""), "no file kept");
    let mut conn = app.conn().await;
    let stashed: i64 = upload_stash::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stashed, 0);
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_gets_its_files_kept_a_bounded_number_of_times() {
    let app = TestApp::spawn_with(|c| {
        c.limits.stash_per_ip = pakn::config::Limit {
            count: 2,
            window_secs: 3600,
        };
    })
    .await;
    let marker = "name=\"keep_upload\" value=\"";
    let mut kept = Vec::new();
    for _ in 0..3 {
        let token = fresh_form(&app).await;
        let fields = without(&valid_fields(&token), "title");
        let form = form_of(&fields).part(
            "attachments",
            Part::bytes(PNG.to_vec()).file_name("anh.png"),
        );
        let (status, body, _) = post(&app, form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        kept.push(body.contains(marker));
    }
    assert_eq!(
        kept,
        vec![true, true, false],
        "the third time the files are not kept"
    );
    let mut conn = app.conn().await;
    let stashed: i64 = upload_stash::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(stashed, 2);
    // Forms without files are not counted: a fix still comes back with what was typed.
    let token = fresh_form(&app).await;
    let (status, body, _) = post(&app, form_of(&without(&valid_fields(&token), "title"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Nguyễn Thị Hoà"), "what was typed is kept");
    drop(conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn repeated_and_concurrent_posts_of_one_form_make_one_ticket_and_one_receipt() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let fields = valid_fields(&token);
    let mut handles = Vec::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let url = app.url("/feedback");
        let form = form_of(&fields);
        handles.push(tokio::spawn(async move {
            let res = client.post(url).multipart(form).send().await.expect("POST");
            (
                res.status(),
                res.headers()
                    .get("location")
                    .map(|v| v.to_str().unwrap_or_default().to_string()),
            )
        }));
    }
    let mut locations = Vec::new();
    for h in handles {
        let (status, location) = h.await.expect("task");
        assert_eq!(status, StatusCode::SEE_OTHER);
        locations.push(location.expect("location"));
    }
    locations.dedup();
    assert_eq!(locations.len(), 1, "every POST leads to the same receipt");
    assert_eq!(count_tickets(&app).await, 1);
    // A refresh later also finds it.
    let (status, _, location) = post(&app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(locations[0].as_str()));
    // The same token with other content is a cached form: it comes back with a notice.
    let changed = with(&fields, "title", "Một phản ánh khác hẳn");
    let form = form_of(&changed).part(
        "attachments",
        Part::bytes(PNG.to_vec()).file_name("anh-moi.png"),
    );
    let (status, body, _) = post(&app, form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Một phản ánh khác hẳn") && body.contains("đã được gửi trước đó"));
    assert_ne!(token_of(&body), token, "with a fresh token");
    assert!(
        body.contains("name=\"keep_upload\"") && body.contains("anh-moi.png"),
        "and the file that came with it kept"
    );
    assert_eq!(count_tickets(&app).await, 1);
    assert_eq!(
        app.take_mail().await.who(),
        filing_mail(),
        "one acknowledgement and one notification, however often the form was posted"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn fast_or_honeypot_filings_are_stored_and_flagged_not_refused() {
    let app = TestApp::spawn_with(|cfg| cfg.spam.min_fill_secs = 30).await;
    let token = fresh_form(&app).await;
    let (status, _, _) = post(&app, form_of(&valid_fields(&token))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "too fast is still filed");
    let old = app.state.tokens.issue(
        pakn::domain::form_token::FormKind::Feedback,
        chrono::Utc::now().timestamp() - 120,
        [7u8; 16],
    );
    let honey = with(&valid_fields(&old), "website", "http://spam.example");
    let (status, _, _) = post(&app, form_of(&honey)).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a filled honeypot is still filed"
    );
    let clean_token = app.state.tokens.issue(
        pakn::domain::form_token::FormKind::Feedback,
        chrono::Utc::now().timestamp() - 120,
        [8u8; 16],
    );
    let (status, _, _) = post(&app, form_of(&valid_fields(&clean_token))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    let mut flags: Vec<(bool, Vec<String>)> = tickets::table
        .select((tickets::suspected_spam, tickets::spam_reasons))
        .order(tickets::id)
        .load(&mut conn)
        .await
        .expect("tickets");
    flags.sort();
    assert_eq!(
        flags,
        vec![
            (false, vec![]),
            (true, vec!["fast".to_string()]),
            (true, vec!["honeypot".to_string()])
        ]
    );
    // Flagged filings mail as any other: the citizen's acknowledgement (no typed text)
    // and the notification (which carries the flag).
    assert_eq!(app.take_mail().await.who(), filings_mail(3));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_or_forged_token_brings_the_form_back_with_the_values_and_a_fresh_token() {
    let app = TestApp::spawn().await;
    let expired = app.state.tokens.issue(
        pakn::domain::form_token::FormKind::Feedback,
        chrono::Utc::now().timestamp() - 3 * 86_400,
        [1u8; 16],
    );
    let (status, body, _) = post(&app, form_of(&valid_fields(&expired))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Biểu mẫu đã mở quá lâu"));
    assert!(body.contains(&askama_escape("Nguyễn Thị Hoà")));
    let fresh = token_of(&body);
    assert_ne!(fresh, expired);
    let (status, body, _) = post(&app, form_of(&valid_fields("forged-token"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Biểu mẫu không còn hợp lệ"));
    let (status, _, _) = post(&app, form_of(&valid_fields(&fresh))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the fresh token files");
    assert_eq!(count_tickets(&app).await, 1);
    assert_eq!(
        app.take_mail().await.who(),
        filing_mail(),
        "only the filing mails"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn over_the_per_ip_limit_the_form_comes_back_429_with_the_values() {
    let app = TestApp::spawn_with(|cfg| {
        cfg.limits.submit_per_ip = pakn::config::Limit {
            count: 2,
            window_secs: 3600,
        };
    })
    .await;
    for _ in 0..2 {
        let token = fresh_form(&app).await;
        let (status, _, _) = post(&app, form_of(&valid_fields(&token))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let token = fresh_form(&app).await;
    let res = app
        .client
        .post(app.url("/feedback"))
        .multipart(form_of(&valid_fields(&token)))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
    let body = res.text().await.expect("body");
    assert!(
        body.contains("thử lại sau một phút") && body.contains(&askama_escape("Nguyễn Thị Hoà"))
    );
    assert_eq!(count_tickets(&app).await, 2);
    let mut conn = app.conn().await;
    let buckets: Vec<Vec<u8>> = pakn::db::schema::rate_limits::table
        .select(pakn::db::schema::rate_limits::bucket)
        .load(&mut conn)
        .await
        .expect("buckets");
    assert!(
        buckets
            .iter()
            .all(|b| !b.windows(9).any(|w| w == b"127.0.0.1")),
        "no raw IP stored"
    );
    assert_eq!(
        app.take_mail().await.who(),
        filings_mail(2),
        "the refused third filing mails nobody"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_receipt_deadline_skips_tet_2026() {
    let app = TestApp::spawn().await;
    let reference = app.state.reference.get();
    let values = pakn::domain::feedback::FeedbackValues {
        submitter_kind: "individual".into(),
        full_name: "Lê Văn Tám".into(),
        address: "5 Nguyễn Trung Trực, Rạch Giá".into(),
        phone: "0912345678".into(),
        kind: "phan_anh".into(),
        content_category: "khac".into(),
        field: "khac".into(),
        title: "Hồ sơ nộp trước Tết".into(),
        content: "Nội dung phản ánh đủ dài để được tiếp nhận.".into(),
        consent: true,
        ..Default::default()
    };
    let categories: Vec<(&str, bool)> = reference
        .active_categories()
        .map(|c| (c.code.as_str(), c.implies_kien_nghi))
        .collect();
    let fields: Vec<&str> = reference.active_fields().map(|f| f.code.as_str()).collect();
    let valid = pakn::domain::feedback::validate(
        &values,
        &pakn::domain::feedback::Choices {
            categories: &categories,
            fields: &fields,
        },
    )
    .expect("valid");
    // Received Friday 30/01/2026 at 10:00 local: 20 days → 19/02 (Tết) → Monday 23/02.
    let received = chrono::DateTime::parse_from_rfc3339("2026-01-30T10:00:00+07:00")
        .expect("time")
        .to_utc();
    let meta = pakn::handling::filing::FilingMeta {
        channel: pakn::domain::feedback::Channel::Web,
        external_ref: None,
        external_ref_date: None,
        entered_by: None,
        lang: "vi".into(),
        idempotency_key: None,
        suspected_spam: false,
        spam_reasons: vec![],
        received_at: received,
        keep_stashed: vec![],
        skip_acknowledgement: false,
    };
    let mut conn = app.conn().await;
    let outcome =
        pakn::handling::filing::file(&mut conn, &app.state.cfg, &reference, &valid, &[], &meta)
            .await
            .expect("filed");
    let pakn::handling::filing::FilingOutcome::Created { access_token, .. } = outcome else {
        panic!("created");
    };
    let receipt = app
        .client
        .get(app.url(&format!("/t/{access_token}")))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body");
    assert!(
        receipt.contains("data-testid=\"reply-due\">23/02/2026<"),
        "{receipt}"
    );
    // Accept-and-classify: 3 working days from Friday 30/01 → Wednesday 04/02.
    assert!(receipt.contains("04/02/2026"));
    // No email given: no acknowledgement; the default rule notifies the deputy director,
    // Cc the provincial committee's office.
    assert_eq!(
        app.take_mail().await.who(),
        [("notify", mail_to(&[DEPUTY]).cc(&[PPC_OFFICE]))]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_private_links_are_not_found() {
    let app = TestApp::spawn().await;
    for path in [
        "/t/nope",
        "/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/no/such/page",
    ] {
        let res = app.client.get(app.url(path)).send().await.expect("GET");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let res = app.client.get(app.url("/")).send().await.expect("GET");
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().expect("csp");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-content-type-options"], "nosniff");
    let body = res.text().await.expect("body");
    assert!(
        body.contains("href=\"tel:0983570009\""),
        "phone numbers are tel: links"
    );
    assert!(body.contains("Phòng Tổng hợp – UBND tỉnh") && body.contains("Thanh tra Sở"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_concurrency_limit_is_one_for_the_whole_instance() {
    // Security review, finding 17: the limit used to be per route.
    let app = TestApp::spawn_with(|cfg| cfg.server.max_concurrent_requests = 1).await;
    let token = fresh_form(&app).await;
    // A filing whose body arrives slowly holds the one slot…
    let (slow, tx) = post_held_back(app.client.clone(), app.url("/feedback"), &token);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // …so a request to another route waits for it.
    let other = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/healthz");
        async move { client.get(url).send().await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !other.is_finished(),
        "another route did not wait for the slot"
    );
    let _ = tx.send(());
    let filed = slow.await.expect("task").expect("the filing");
    assert_eq!(filed.status(), StatusCode::SEE_OTHER);
    let health = other.await.expect("task").expect("healthz");
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}
