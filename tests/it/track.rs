//! Issue 6, the citizen's side: the private track page, the lookup by code and contact,
//! "Quên mã PAKN?", the directory and the privacy request, against a real Postgres (and
//! a real SMTP server where mail is involved).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use pakn::config::Config;
use pakn::db::schema::{attachments, outbox, privacy_requests, replies, ticket_events, tickets};
use reqwest::StatusCode;
use reqwest::multipart::Part;

use crate::auth::{create_user, value_of};
use crate::filing::{form_of, fresh_form, pdf_bytes, post, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::outbox::{DEPUTY, INSPECTION, filing_mail, filings_mail, mail_to};
use crate::support::smtp::{Received, SmtpSink};

const PHONE: &str = "0983570009";
const EMAIL: &str = "hoa.nguyen@example.vn";
const PATIENCE: Duration = Duration::from_secs(30);

/// A ticket filed over HTTP.
struct Filed {
    id: i64,
    /// Canonical, `ABCD0123EF`.
    code: String,
    access_token: String,
}

impl Filed {
    fn shown(&self) -> String {
        format!(
            "{}-{}-{}",
            &self.code[..4],
            &self.code[4..8],
            &self.code[8..]
        )
    }

    fn path(&self) -> String {
        format!("/t/{}", self.access_token)
    }
}

async fn file_with(app: &TestApp, edit: &[(&'static str, &str)]) -> Filed {
    let token = fresh_form(app).await;
    let mut fields = valid_fields(&token);
    for (k, v) in edit {
        fields = with(&fields, k, v);
    }
    file_form(app, form_of(&fields)).await
}

async fn file_form(app: &TestApp, form: reqwest::multipart::Form) -> Filed {
    let (status, body, location) = post(app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let access_token = location
        .expect("location")
        .trim_start_matches("/t/")
        .to_string();
    let mut conn = app.conn().await;
    let (id, code): (i64, String) = tickets::table
        .filter(tickets::access_token.eq(&access_token))
        .select((tickets::id, tickets::code))
        .first(&mut conn)
        .await
        .expect("the ticket");
    Filed {
        id,
        code,
        access_token,
    }
}

/// A client that keeps no cookies at all.
fn cookieless() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn track_token(app: &TestApp, client: &reqwest::Client) -> String {
    let html = client
        .get(app.url("/track"))
        .send()
        .await
        .expect("GET /track")
        .text()
        .await
        .expect("body");
    value_of(&html, "form_token")
}

/// POSTs a lookup; returns (status, body, location).
async fn lookup_as(
    app: &TestApp,
    client: &reqwest::Client,
    forwarded_for: Option<&str>,
    code: &str,
    contact: &str,
) -> (StatusCode, String, Option<String>) {
    let token = track_token(app, client).await;
    let mut req = client.post(app.url("/track")).form(&[
        ("code", code),
        ("contact", contact),
        ("form_token", &token),
    ]);
    if let Some(ip) = forwarded_for {
        req = req.header("x-forwarded-for", ip);
    }
    let res = req.send().await.expect("POST /track");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, res.text().await.expect("body"), location)
}

async fn lookup(app: &TestApp, code: &str, contact: &str) -> (StatusCode, String, Option<String>) {
    lookup_as(app, &cookieless(), None, code, contact).await
}

async fn page(app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = cookieless().get(app.url(path)).send().await.expect("GET");
    let status = res.status();
    (status, res.text().await.expect("body"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_code_with_the_phone_or_the_email_shows_the_pakn() {
    let app = TestApp::spawn().await;
    let filed = file_with(&app, &[]).await;
    let expected = Some(filed.path());
    let lower = filed.shown().to_lowercase();
    for (code, contact) in [
        (filed.shown(), "0983 570 009".to_string()),
        (filed.code.clone(), "+84983570009".to_string()),
        (lower.clone(), PHONE.to_string()),
        (filed.shown(), " Hoa.Nguyen@Example.VN ".to_string()),
    ] {
        let (status, body, location) = lookup(&app, &code, &contact).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{code} / {contact}: {body}");
        assert_eq!(location, expected, "{code} / {contact}");
    }
    let (status, body) = page(&app, &filed.path()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Chậm giải quyết hồ sơ hưởng bảo hiểm xã hội một lần"));
    assert!(
        body.contains("data-testid=\"status\">Chờ tiếp nhận<"),
        "{body}"
    );
    assert!(body.contains(&filed.shown()));
    assert!(
        !body.contains(PHONE) && !body.contains(EMAIL),
        "no contact on the page"
    );
    // The home page has the box that posts here.
    let (_, home) = page(&app, "/").await;
    assert!(home.contains("action=\"/track\"") && home.contains("Tra cứu PAKN"));
    assert!(home.contains("href=\"/track/forgot\""));
    assert_eq!(
        app.take_mail().await.who(),
        filing_mail(),
        "the filing's mail; lookups mail nobody"
    );
    app.stop().await;
}

/// The page with what differs by design (the fresh token, the typed code) blanked out.
fn normalised(body: &str, code_typed: &str) -> String {
    let token = value_of(body, "form_token");
    body.replace(&token, "TOKEN")
        .replace(&format!("value=\"{code_typed}\""), "value=\"CODE\"")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_contact_a_wrong_code_and_a_malformed_code_look_the_same() {
    let app = TestApp::spawn().await;
    let filed = file_with(&app, &[]).await;
    let other = "0912345678";
    let (s1, wrong_contact, _) = lookup(&app, &filed.shown(), other).await;
    // A well-formed code that no PAKN has (the filed one with its first symbol changed).
    let mut unknown = filed.code.clone();
    unknown.replace_range(
        0..1,
        if filed.code.starts_with('Z') {
            "Y"
        } else {
            "Z"
        },
    );
    let (s2, wrong_code, _) = lookup(&app, &unknown, PHONE).await;
    let (s3, malformed, _) = lookup(&app, "ABC-!!", PHONE).await;
    // A known code with a phone that matches another field's shape (the email): still no.
    let (s4, no_email, _) = lookup(&app, &filed.shown(), "someone@example.vn").await;
    for s in [s1, s2, s3, s4] {
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    assert!(
        wrong_contact
            .contains("Không tìm thấy phản ánh, kiến nghị với mã và thông tin liên hệ này")
    );
    let a = normalised(&wrong_contact, &filed.shown()).replace(other, "CONTACT");
    let b = normalised(&wrong_code, &unknown).replace(PHONE, "CONTACT");
    let c = normalised(&malformed, "ABC-!!").replace(PHONE, "CONTACT");
    let d = normalised(&no_email, &filed.shown()).replace("someone@example.vn", "CONTACT");
    assert_eq!(a, b, "wrong contact and wrong code give the same page");
    assert_eq!(a, c, "wrong contact and malformed code give the same page");
    assert_eq!(a, d);
    assert!(
        !a.contains(&filed.access_token),
        "nothing revealing on a failed lookup"
    );
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_attempt_limit_engages_per_code_and_address_and_the_private_link_still_works() {
    let app = TestApp::spawn_with(|cfg: &mut Config| {
        cfg.limits.track_per_code_ip.count = 3;
        cfg.server.trusted_proxies = vec!["127.0.0.1/32".into()];
    })
    .await;
    let filed = file_with(&app, &[]).await;
    let other = file_with(&app, &[]).await;
    let stranger = Some("198.51.100.66");
    let client = cookieless();
    for _ in 0..3 {
        let (s, _, _) = lookup_as(&app, &client, stranger, &filed.shown(), "0912345678").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
    // The fourth attempt from that address on that code is refused, even a right one.
    let (s, body, location) = lookup_as(&app, &client, stranger, &filed.shown(), PHONE).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(location.is_none());
    assert!(body.contains("quá nhiều lần"));
    // Any spelling of the code counts as the same code.
    let (s, _, _) = lookup_as(&app, &client, stranger, &filed.code.to_lowercase(), PHONE).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // The citizen, from their own address, is not locked out by the stranger.
    let (s, _, location) =
        lookup_as(&app, &client, Some("203.0.113.10"), &filed.shown(), PHONE).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(location, Some(filed.path()));
    // Nor is another code from the stranger's address.
    let (s, _, _) = lookup_as(&app, &client, stranger, &other.shown(), PHONE).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // And the private link works while the limit is engaged.
    let (s, body) = page(&app, &filed.path()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains(&filed.shown()));
    // The buckets hold no code and no address.
    let mut conn = app.conn().await;
    let rows: Vec<String> = diesel::sql_query("SELECT r::text AS t FROM rate_limits r")
        .load::<TextRow>(&mut conn)
        .await
        .expect("rate limits")
        .into_iter()
        .map(|r| r.t)
        .collect();
    assert!(!rows.is_empty());
    for r in rows {
        assert!(
            !r.contains("198.51.100.66") && !r.contains(&filed.code),
            "{r}"
        );
    }
    assert_eq!(app.take_mail().await.who(), filings_mail(2));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn made_up_codes_from_one_address_hit_the_per_address_limit() {
    // Security review, finding 12: every made-up code used to start its own bucket.
    let app = TestApp::spawn_with(|cfg: &mut Config| {
        cfg.limits.track_per_ip.count = 5;
        cfg.server.trusted_proxies = vec!["127.0.0.1/32".into()];
    })
    .await;
    let filed = file_with(&app, &[]).await;
    let stranger = Some("198.51.100.77");
    let client = cookieless();
    for code in [
        "AAAA-AAAA-A1",
        "AAAA-AAAA-A2",
        "AAAA-AAAA-A3",
        "AAAA-AAAA-A4",
        "AAAA-AAAA-A5",
    ] {
        let (s, _, _) = lookup_as(&app, &client, stranger, code, PHONE).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{code}");
    }
    let (s, _, location) = lookup_as(&app, &client, stranger, &filed.shown(), PHONE).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "a sixth code from that address"
    );
    assert!(location.is_none());
    let (s, _, _) = lookup_as(&app, &client, Some("203.0.113.10"), &filed.shown(), PHONE).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "another address is not affected");
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    t: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn the_private_link_works_without_cookies_and_stops_after_revocation() {
    let app = TestApp::spawn().await;
    let filed = file_with(&app, &[]).await;
    let res = cookieless()
        .get(app.url(&filed.path()))
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers().get("set-cookie").is_none(),
        "no cookie needed or set"
    );
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let body = res.text().await.expect("body");
    assert!(!body.contains("<script>") && body.contains("data-testid=\"timeline\""));
    // Revoke: the access token is replaced.
    let fresh = "R".repeat(43);
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(filed.id))
        .set(tickets::access_token.eq(&fresh))
        .execute(&mut conn)
        .await
        .expect("revoke");
    let (s, body) = page(&app, &filed.path()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(!body.contains(&filed.shown()));
    let (s, _) = page(&app, &format!("/t/{fresh}")).await;
    assert_eq!(s, StatusCode::OK);
    // A lookup now leads to the new link.
    let (_, _, location) = lookup(&app, &filed.shown(), PHONE).await;
    assert_eq!(location, Some(format!("/t/{fresh}")));
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

async fn insert_event(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    actor: Option<i32>,
    event: &str,
    public: bool,
    body: &str,
    data: serde_json::Value,
) {
    diesel::insert_into(ticket_events::table)
        .values((
            ticket_events::ticket_id.eq(ticket_id),
            ticket_events::actor_kind.eq(if actor.is_some() { "staff" } else { "system" }),
            ticket_events::actor_id.eq(actor),
            ticket_events::event.eq(event),
            ticket_events::public.eq(public),
            ticket_events::body.eq(body),
            ticket_events::data.eq(data),
        ))
        .execute(conn)
        .await
        .expect("insert event");
}

#[tokio::test(flavor = "multi_thread")]
async fn internal_events_never_appear_and_staff_names_only_when_configured() {
    for show_names in [false, true] {
        let app = TestApp::spawn_with(|cfg: &mut Config| {
            cfg.privacy.show_staff_names = show_names;
        })
        .await;
        let filed = file_with(&app, &[]).await;
        let officer = create_user(
            &app,
            "chuyenvien@angiang.gov.vn",
            &["officer"],
            Some("phong_lao_dong_viec_lam"),
        )
        .await;
        let mut conn = app.conn().await;
        insert_event(
            &mut conn,
            filed.id,
            Some(officer),
            "internal_note",
            false,
            "GHI CHÚ NỘI BỘ: người này gọi nhiều lần",
            serde_json::json!({}),
        )
        .await;
        // Even flagged public by mistake, an internal note stays internal.
        insert_event(
            &mut conn,
            filed.id,
            Some(officer),
            "internal_note",
            true,
            "GHI CHÚ NỘI BỘ thứ hai",
            serde_json::json!({}),
        )
        .await;
        insert_event(
            &mut conn,
            filed.id,
            Some(officer),
            "assign",
            false,
            "",
            serde_json::json!({"assignee": officer}),
        )
        .await;
        insert_event(
            &mut conn,
            filed.id,
            Some(officer),
            "progress_note",
            true,
            "Đang xác minh với bộ phận một cửa.",
            serde_json::json!({}),
        )
        .await;
        insert_event(&mut conn, filed.id, Some(officer), "transfer", true, "Chuyển cơ quan có thẩm quyền.", serde_json::json!({"agency": "Sở Tài chính", "reference": "45/SNV-VP", "date": "2026-11-20"})).await;
        let (s, body) = page(&app, &filed.path()).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            !body.contains("GHI CHÚ NỘI BỘ"),
            "internal notes never appear"
        );
        assert!(
            body.contains("Đang xác minh với bộ phận một cửa."),
            "{body}"
        );
        assert!(
            body.contains("Sở Tài chính")
                && body.contains("45/SNV-VP")
                && body.contains("20/11/2026")
        );
        let name = "Cán bộ chuyenvien";
        assert_eq!(
            body.contains(name),
            show_names,
            "staff names only when configured"
        );
        assert_eq!(body.contains("Cán bộ xử lý"), !show_names);
        assert!(
            !body.contains("routing"),
            "no internal data of the submitted event"
        );
        // Events written straight into the table mail nobody.
        assert_eq!(app.take_mail().await.who(), filing_mail());
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_replys_file_downloads_and_the_citizens_file_does_not() {
    let app = TestApp::spawn().await;
    let token = fresh_form(&app).await;
    let form = form_of(&valid_fields(&token)).part(
        "attachments",
        Part::bytes(pdf_bytes()).file_name("giấy tiếp nhận.pdf"),
    );
    let filed = file_form(&app, form).await;
    let other = file_with(&app, &[]).await;
    let mut conn = app.conn().await;
    let citizen_file: i64 = attachments::table
        .filter(attachments::ticket_id.eq(filed.id))
        .select(attachments::id)
        .first(&mut conn)
        .await
        .expect("the citizen's file");
    let reply_id = |state: &'static str, number: &'static str| {
        diesel::insert_into(replies::table)
            .values((
                replies::ticket_id.eq(filed.id),
                replies::state.eq(state),
                replies::body.eq(format!(
                    "Nội dung trả lời {number}: hồ sơ đã được giải quyết."
                )),
                replies::number_symbol.eq(number),
                replies::reply_date.eq(NaiveDate::from_ymd_opt(2026, 11, 27).expect("date")),
                replies::signer.eq("Ngô Hồng Yến"),
            ))
            .returning(replies::id)
    };
    let approved: i64 = reply_id("approved", "123/SNV-VP")
        .get_result(&mut conn)
        .await
        .expect("approved reply");
    let draft: i64 = reply_id("draft", "999/NHAP")
        .get_result(&mut conn)
        .await
        .expect("draft reply");
    let signed = b"%PDF-1.4\n% the signed letter\n%%EOF\n".to_vec();
    let file = |reply: i64, name: &'static str, data: Vec<u8>| {
        diesel::insert_into(attachments::table)
            .values((
                attachments::ticket_id.eq(filed.id),
                attachments::reply_id.eq(reply),
                attachments::origin.eq("reply"),
                attachments::filename.eq(name),
                attachments::content_type.eq("application/pdf"),
                attachments::size_bytes.eq(data.len() as i32),
                attachments::sha256.eq(vec![0u8; 32]),
                attachments::data.eq(data),
            ))
            .returning(attachments::id)
    };
    let reply_file: i64 = file(approved, "Văn bản trả lời 123.pdf", signed.clone())
        .get_result(&mut conn)
        .await
        .expect("reply file");
    let draft_file: i64 = file(draft, "du-thao.pdf", signed.clone())
        .get_result(&mut conn)
        .await
        .expect("draft file");
    diesel::update(tickets::table.find(filed.id))
        .set((
            tickets::status.eq("answered"),
            tickets::answered_at.eq(chrono::Utc::now()),
        ))
        .execute(&mut conn)
        .await
        .expect("answered");

    let (s, body) = page(&app, &filed.path()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("data-testid=\"status\">Đã trả lời<"));
    assert!(
        body.contains("data-testid=\"reply-number\">123/SNV-VP<"),
        "{body}"
    );
    assert!(body.contains("data-testid=\"reply-date\">27/11/2026<"));
    assert!(body.contains("data-testid=\"reply-signer\">Ngô Hồng Yến<"));
    assert!(body.contains("Nội dung trả lời 123/SNV-VP"));
    assert!(!body.contains("999/NHAP"), "a draft is never shown");
    assert!(body.contains("Đã trả lời đúng hạn"));
    let link = format!("{}/files/{reply_file}", filed.path());
    assert!(body.contains(&format!("href=\"{link}\"")));
    assert!(
        !body.contains("giấy tiếp nhận.pdf"),
        "the citizen's file is not listed"
    );

    let res = cookieless()
        .get(app.url(&link))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), signed);

    for (path, why) in [
        (
            format!("{}/files/{citizen_file}", filed.path()),
            "the citizen's file",
        ),
        (
            format!("{}/files/{draft_file}", filed.path()),
            "a draft's file",
        ),
        (
            format!("{}/files/{reply_file}", other.path()),
            "through another ticket's link",
        ),
        (
            format!("/t/{}/files/{reply_file}", "x".repeat(43)),
            "through an unknown link",
        ),
    ] {
        let (s, _) = page(&app, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{why}");
    }
    assert_eq!(app.take_mail().await.who(), filings_mail(2));
    app.stop().await;
}

/// Mail over SMTP to the sink, with short retries.
fn use_sink(cfg: &mut Config, sink: &SmtpSink) {
    cfg.mail.transport = pakn::config::MailTransport::Smtp;
    cfg.mail.smtp.host = "127.0.0.1".into();
    cfg.mail.smtp.port = sink.port;
    cfg.mail.smtp.timeout_secs = 5;
    cfg.mail.retry_base_secs = 1;
    cfg.mail.retry_max_secs = 2;
    cfg.mail.poll_interval_secs = 1;
}

type Stamp = chrono::DateTime<chrono::Utc>;

/// Waits until the outbox has nothing pending; returns its rows' (kind, sent).
async fn settled_outbox(app: &TestApp) -> Vec<(String, bool)> {
    let mut conn = app.conn().await;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let rows: Vec<(String, Option<Stamp>, Option<Stamp>)> = outbox::table
            .select((outbox::kind, outbox::sent_at, outbox::failed_at))
            .load(&mut conn)
            .await
            .expect("outbox");
        if rows.iter().all(|(_, s, f)| s.is_some() || f.is_some()) {
            return rows.into_iter().map(|(k, s, _)| (k, s.is_some())).collect();
        }
        assert!(Instant::now() < deadline, "mail still pending");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let res = cookieless()
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("POST");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, res.text().await.expect("body"), location)
}

async fn forgot(app: &TestApp, email: &str) -> (StatusCode, String, Option<String>) {
    let (_, form) = page(app, "/track/forgot").await;
    let token = value_of(&form, "form_token");
    post_form(
        app,
        "/track/forgot",
        &[("email", email), ("form_token", &token)],
    )
    .await
}

fn forgot_mails(messages: &[Received]) -> Vec<Received> {
    messages
        .iter()
        .filter(|m| m.subject() == "Mã PAKN của Quý ông/bà")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_forgotten_code_mail_lists_the_codes_and_no_typed_text() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg: &mut Config| use_sink(cfg, &sink)).await;
    let first = file_with(&app, &[("title", "Tiêu đề riêng THỨ NHẤT của người gửi")]).await;
    let second = file_with(&app, &[("title", "Tiêu đề riêng THỨ HAI của người gửi")]).await;
    let elsewhere = file_with(&app, &[("email", "nguoi.khac@example.vn")]).await;
    // Each filing mails an acknowledgement and a notification.
    sink.wait_for(6, PATIENCE).await;

    let (s, body, location) = forgot(&app, "  HOA.Nguyen@Example.VN ").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location.as_deref(), Some("/track/forgot?sent=1"));
    let messages = sink.wait_for(7, PATIENCE).await;
    let mails = forgot_mails(&messages);
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, [EMAIL]);
    for part in [mail.text(), mail.html()] {
        assert!(
            part.contains(&first.shown()) && part.contains(&second.shown()),
            "{part}"
        );
        assert!(part.contains(&format!("{}{}", app.base, first.path())));
        assert!(part.contains(&format!("{}{}", app.base, second.path())));
        assert!(
            !part.contains(&elsewhere.shown()),
            "only that address's PAKN"
        );
        assert!(
            !part.contains("THỨ NHẤT") && !part.contains("THỨ HAI"),
            "no title"
        );
        assert!(!part.contains("bộ phận một cửa"), "no content");
        assert!(!part.contains("Nguyễn Thị Hoà"), "no name");
    }

    // An address that filed nothing gets the same answer, and no mail.
    let (s2, _, location2) = forgot(&app, "khong.ai@example.vn").await;
    assert_eq!(
        (s2, location2.as_deref()),
        (s, Some("/track/forgot?sent=1"))
    );
    let (s, sent_page) = page(&app, "/track/forgot?sent=1").await;
    assert_eq!(s, StatusCode::OK);
    assert!(sent_page.contains("data-testid=\"forgot-sent\""));
    // An implausible address comes back with what was typed.
    let (s, body, _) = forgot(&app, "not an email").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("value=\"not an email\""));

    let rows = settled_outbox(&app).await;
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert!(rows.iter().all(|(_, sent)| *sent));
    assert_eq!(rows.iter().filter(|(k, _)| k == "forgot_codes").count(), 1);
    assert_eq!(forgot_mails(&sink.messages()).len(), 1);
    // One mail to the address as stored (the typed spelling is normalised), none to the
    // address that filed nothing, none to the other filer.
    let mut want = filings_mail(2);
    want.push(("ack", mail_to(&["nguoi.khac@example.vn"])));
    want.push(("notify", mail_to(&[INSPECTION]).cc(&[DEPUTY])));
    want.push(("forgot_codes", mail_to(&[EMAIL])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forgotten_code_mail_is_bounded_per_address() {
    // Two: the filing's acknowledgement counts against the address too (finding 11).
    let app = TestApp::spawn_with(|cfg: &mut Config| {
        cfg.limits.mail_per_address.count = 2;
    })
    .await;
    file_with(&app, &[]).await;
    for _ in 0..3 {
        let (s, _, location) = forgot(&app, EMAIL).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(location.as_deref(), Some("/track/forgot?sent=1"));
    }
    let mut conn = app.conn().await;
    let n: i64 = outbox::table
        .filter(outbox::kind.eq("forgot_codes"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(n, 1, "one mail per window to one address");
    let mut want = filing_mail();
    want.push(("forgot_codes", mail_to(&[EMAIL])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_directory_lists_the_seeded_contacts() {
    let app = TestApp::spawn().await;
    let (s, body) = page(&app, "/directory").await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("Danh bạ tiếp nhận PAKN"));
    for expected in [
        "Ông Trương Long Hồ",
        "href=\"tel:0983570009\"",
        "0983 570 009",
        "href=\"mailto:tlho@angiang.gov.vn\"",
        "Phòng Tổng hợp – UBND tỉnh",
        "href=\"tel:02963957006\"",
        "href=\"mailto:thutuchanhchinh@angiang.gov.vn\"",
        "href=\"tel:0378247247\"",
        "href=\"mailto:kiemtracongvu@angiang.gov.vn\"",
        "Ông Ngô Hồng Yến",
        "href=\"tel:0913658627\"",
        "Bà Ngô Thị Ngọc Hạnh",
    ] {
        assert!(body.contains(expected), "{expected}");
    }
    // The seeded contacts wait for an admin's check: that is the admin's note, never
    // shown to citizens (issue 17).
    assert!(!body.contains("cần xác minh") && !body.contains("flag-unverified"));
    let (_, home) = page(&app, "/").await;
    assert!(!home.contains("cần xác minh") && !home.contains("flag-unverified"));
    // From the database: an admin's edit shows (after the cache reloads).
    let mut conn = app.conn().await;
    diesel::sql_query("UPDATE contacts SET phones = '{0296123456}' WHERE kind = 'hotline'")
        .execute(&mut conn)
        .await
        .expect("edit contacts");
    pakn::db::reference::bump_version(&mut conn)
        .await
        .expect("bump");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (_, body) = page(&app, "/directory").await;
        if body.contains("href=\"tel:0296123456\"") {
            break;
        }
        assert!(Instant::now() < deadline, "the edit never showed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Linked from the home page and the footer.
    let (_, home) = page(&app, "/").await;
    assert!(home.contains("href=\"/directory\""));
    let (_, form) = page(&app, "/feedback/new").await;
    assert!(form.contains("href=\"/directory\"") && form.contains("href=\"/privacy\""));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_privacy_request_is_stored_and_mailed_to_the_admins() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg: &mut Config| use_sink(cfg, &sink)).await;
    create_user(&app, "quantri@angiang.gov.vn", &["admin"], None).await;
    create_user(&app, "lanhdao@angiang.gov.vn", &["leader"], None).await;
    let (s, notice) = page(&app, "/privacy").await;
    assert_eq!(s, StatusCode::OK);
    assert!(notice.contains("91/2025/QH15") && notice.contains("356/2025/NĐ-CP"));
    assert!(notice.contains("data-testid=\"notice-version\">Phiên bản 2026-12<"));
    let token = value_of(&notice, "form_token");

    // A request with errors comes back with what was typed.
    let (s, body, _) = post_form(
        &app,
        "/privacy",
        &[
            ("kind", "deletion"),
            ("name", "Nguyễn Thị Hoà"),
            ("contact", "không phải số"),
            ("body", "Xin xoá dữ liệu của tôi, mã PAKN kèm theo."),
            ("form_token", &token),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("value=\"không phải số\"") && body.contains("Xin xoá dữ liệu của tôi"));

    let (s, body, location) = post_form(
        &app,
        "/privacy",
        &[
            ("kind", "deletion"),
            ("name", "Nguyễn Thị Hoà"),
            ("contact", "0983 570 009"),
            ("body", "Xin xoá dữ liệu của tôi, mã PAKN kèm theo."),
            ("form_token", &token),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location.as_deref(), Some("/privacy?sent=1#request"));
    let mut conn = app.conn().await;
    let (kind, name, contact, due_on): (String, String, String, NaiveDate) =
        privacy_requests::table
            .select((
                privacy_requests::kind,
                privacy_requests::name,
                privacy_requests::contact,
                privacy_requests::due_on,
            ))
            .first(&mut conn)
            .await
            .expect("the stored request");
    assert_eq!(
        (kind.as_str(), name.as_str(), contact.as_str()),
        ("deletion", "Nguyễn Thị Hoà", PHONE)
    );
    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    let expected_due = app
        .state
        .reference
        .get()
        .calendar
        .add_working_days(today, 2);
    assert_eq!(due_on, expected_due);

    let messages = sink.wait_for(1, PATIENCE).await;
    assert_eq!(messages.len(), 1);
    let mail = &messages[0];
    assert_eq!(mail.rcpt_tos, ["quantri@angiang.gov.vn"], "admins only");
    assert!(mail.subject().contains("Dữ liệu cá nhân"));
    assert!(mail.text().contains("Xoá dữ liệu") && mail.text().contains("Xin xoá dữ liệu của tôi"));
    assert!(
        mail.text()
            .contains(&pakn::domain::calendar::format_date(expected_due))
    );
    let rows = settled_outbox(&app).await;
    assert_eq!(rows, [("privacy_request".to_string(), true)]);
    // The admin only: not the leader, and not the requester (whose contact is a phone).
    assert_eq!(
        app.take_mail().await.who(),
        [("privacy_request", mail_to(&["quantri@angiang.gov.vn"]))]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn moves_made_by_the_handling_engine_show_on_the_track_page() {
    use pakn::domain::access::{Access, Role};
    use pakn::domain::attachment::CheckedFile;
    use pakn::domain::attachment::FileKind;
    use pakn::handling::{self, Classification, Command, Context, ReplyDocument, Step, Who};

    let app = TestApp::spawn().await;
    let filed = file_with(&app, &[]).await;
    let unit = "phong_lao_dong_viec_lam";
    let leader = create_user(
        &app,
        "lanhdao@angiang.gov.vn",
        &["leader", "officer"],
        Some(unit),
    )
    .await;
    let reference = app.state.reference.get();
    let unit_id = reference.unit_by_code(unit).expect("unit").id;
    let who = Who::Staff(Access::new(
        leader,
        vec![Role::Leader, Role::Officer],
        Some(unit_id),
    ));
    let signed = b"%PDF-1.4\n% the signed letter\n%%EOF\n".to_vec();
    let commands = vec![
        Command::Move(Step::Accept(Classification {
            field_code: "bao_hiem_xa_hoi".into(),
            kind: "phan_anh".into(),
            procedure: String::new(),
            urgency: "normal".into(),
            unit_id: Some(unit_id),
            assignee_id: Some(leader),
        })),
        Command::InternalNote {
            text: "GHI CHÚ NỘI BỘ của cán bộ".into(),
        },
        Command::ProgressNote {
            text: "Đã liên hệ bộ phận một cửa để xác minh.".into(),
        },
        Command::Move(Step::StartWork),
        Command::Move(Step::SubmitDraft {
            body: "Kính gửi bà Hoà, hồ sơ đã được giải quyết.".into(),
            files: vec![CheckedFile::new(
                "Văn bản 77.pdf".into(),
                FileKind::Pdf,
                signed.clone(),
            )],
        }),
        Command::Move(Step::Approve(ReplyDocument {
            number_symbol: "77/SNV-LĐVL".into(),
            date: Some(pakn::domain::calendar::local_date(chrono::Utc::now())),
            signer: "Ngô Hồng Yến".into(),
        })),
    ];
    let mut conn = app.conn().await;
    for command in commands {
        let ctx = Context {
            cfg: &app.state.cfg,
            reference: &reference,
            now: chrono::Utc::now(),
        };
        handling::perform(&mut conn, &ctx, filed.id, &who, command)
            .await
            .expect("the move");
    }
    let (s, body) = page(&app, &filed.path()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains("data-testid=\"status\">Đã trả lời<"),
        "{body}"
    );
    assert!(
        body.contains("Tiếp nhận, phân loại")
            && body.contains("Lãnh đạo duyệt, gửi văn bản trả lời")
    );
    assert!(body.contains("Đã liên hệ bộ phận một cửa để xác minh."));
    assert!(!body.contains("GHI CHÚ NỘI BỘ"));
    assert!(
        !body.contains("Trình dự thảo trả lời"),
        "drafting is internal"
    );
    assert!(body.contains("data-testid=\"reply-number\">77/SNV-LĐVL<"));
    assert!(body.contains("Kính gửi bà Hoà, hồ sơ đã được giải quyết."));
    assert!(body.contains("Đã trả lời đúng hạn"));
    assert!(
        !body.contains("Cán bộ lanhdao"),
        "no staff names by default"
    );
    let marker = "data-testid=\"reply-file\"";
    assert!(body.contains(marker));
    let start = body.find("/files/").expect("a file link");
    let href: String = body[..start]
        .rsplit('"')
        .next()
        .unwrap_or_default()
        .to_string()
        + body[start..].split('"').next().unwrap_or_default();
    let res = cookieless()
        .get(app.url(&href))
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK, "{href}");
    assert_eq!(res.bytes().await.expect("bytes").to_vec(), signed);
    // The citizen hears of the progress note and the answer; the leader, who made every
    // move (accepting into another unit with themself as handler, drafting), hears of
    // none of their own steps.
    let mut want = filing_mail();
    want.extend([
        ("update.progress_note", mail_to(&[EMAIL])),
        ("update.approve", mail_to(&[EMAIL])),
    ]);
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}
