//! Issue 16: a PAKN sent by email waits "chờ hoàn thiện" until staff complete what
//! Điều 7 requires (`/staff/intake`), its sender gets one acknowledgement listing what
//! is missing, a reply to it joins the same item; accepted it is a PAKN of channel
//! email received when the mail was, with the mail's files. And the review of inbound
//! mail held for staff (`/staff/inbound`).

use base64::Engine;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{attachments, inbound_mail, intake_items, outbox, tickets};
use pakn::domain::inbound::InboundSource;
use pakn::handling::inbound::{Desk, Stored, process_due, store};
use reqwest::StatusCode;

use crate::auth::{UNIT, client, create_user, get, login_ok, value_of};
use crate::support::app::TestApp;
use crate::support::outbox::{filing_mail, mail_to};

const SENDER: &str = "hoa.nguyen@example.vn";

/// A header value in RFC 2047 (UTF-8, base64).
fn encoded(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("=?UTF-8?B?{b64}?=")
}

fn b64_lines(bytes: &[u8]) -> String {
    let s = base64::engine::general_purpose::STANDARD.encode(bytes);
    s.as_bytes()
        .chunks(76)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A mail to the intake address, as a citizen's mail client writes it.
struct Mail<'a> {
    from_name: Option<&'a str>,
    from: &'a str,
    subject: &'a str,
    text: &'a str,
    id: &'a str,
    in_reply_to: Option<String>,
    files: Vec<(&'a str, &'a str, Vec<u8>)>,
}

impl<'a> Mail<'a> {
    fn new(id: &'a str, subject: &'a str, text: &'a str) -> Mail<'a> {
        Mail {
            from_name: None,
            from: SENDER,
            subject,
            text,
            id,
            in_reply_to: None,
            files: Vec::new(),
        }
    }

    fn raw(&self, to: &str) -> Vec<u8> {
        let from = match self.from_name {
            Some(n) => format!("{} <{}>", encoded(n), self.from),
            None => self.from.to_string(),
        };
        let mut head = format!(
            "From: {from}\r\nTo: {to}\r\nSubject: {}\r\nDate: Fri, 04 Dec 2026 09:15:00 +0700\r\nMessage-ID: <{}@mail.example.vn>\r\nMIME-Version: 1.0\r\n",
            encoded(self.subject),
            self.id
        );
        if let Some(r) = &self.in_reply_to {
            head.push_str(&format!("In-Reply-To: {r}\r\nReferences: {r}\r\n"));
        }
        let text_part = format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64_lines(self.text.as_bytes())
        );
        if self.files.is_empty() {
            return format!("{head}{text_part}").into_bytes();
        }
        let mut body = format!(
            "{head}Content-Type: multipart/mixed; boundary=\"ranh-gioi\"\r\n\r\n--ranh-gioi\r\n{text_part}"
        );
        for (name, ctype, bytes) in &self.files {
            body.push_str(&format!(
                "--ranh-gioi\r\nContent-Type: {ctype}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                b64_lines(bytes)
            ));
        }
        body.push_str("--ranh-gioi--\r\n");
        body.into_bytes()
    }
}

/// Stores `raw` as `pakn mail receive` does, then runs a processing pass.
async fn receive(app: &TestApp, raw: &[u8]) {
    let cfg = &app.state.cfg;
    let reference = app.state.reference.get();
    let desk = Desk::new(cfg, &reference, &app.state.secret);
    let mut conn = app.conn().await;
    let stored = store(&mut conn, cfg, InboundSource::Pipe, raw, raw.len())
        .await
        .expect("store");
    assert!(matches!(stored, Stored::New(_)));
    process_due(&mut conn, &desk).await.expect("process");
}

fn intake_address(app: &TestApp) -> String {
    let reference = app.state.reference.get();
    Desk::new(&app.state.cfg, &reference, &app.state.secret).intake
}

fn message_domain(app: &TestApp) -> String {
    let reference = app.state.reference.get();
    Desk::new(&app.state.cfg, &reference, &app.state.secret).message_domain
}

/// A small JPEG (its magic bytes are what the filing's check reads).
fn jpeg() -> Vec<u8> {
    let mut b = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00,
    ];
    b.extend_from_slice(&[0u8; 64]);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

fn pdf() -> Vec<u8> {
    crate::filing::pdf_bytes()
}

type ItemRow = (i64, String, Option<i64>, String, Option<String>, Vec<i64>);

async fn items(app: &TestApp) -> Vec<ItemRow> {
    intake_items::table
        .order(intake_items::id)
        .select((
            intake_items::id,
            intake_items::state,
            intake_items::ticket_id,
            intake_items::body,
            intake_items::found_phone,
            intake_items::reply_ids,
        ))
        .load(&mut app.conn().await)
        .await
        .expect("items")
}

async fn ticket_count(app: &TestApp) -> i64 {
    tickets::table
        .count()
        .get_result(&mut app.conn().await)
        .await
        .expect("count")
}

/// The acknowledgements' bodies and Message-ID keys, oldest first.
async fn acks(app: &TestApp) -> Vec<(String, String)> {
    outbox::table
        .filter(outbox::kind.eq("intake_ack"))
        .order(outbox::id)
        .select((outbox::body_text.assume_not_null(), outbox::message_id))
        .load(&mut app.conn().await)
        .await
        .expect("acks")
}

async fn inbound_states(app: &TestApp) -> Vec<(String, Option<String>)> {
    inbound_mail::table
        .order(inbound_mail::id)
        .select((inbound_mail::state, inbound_mail::outcome))
        .load(&mut app.conn().await)
        .await
        .expect("inbound")
}

/// Saves a page under `target/screenshots/intake/` with its stylesheet inlined, to be
/// looked at (or screenshot with headless Chromium) without a running server.
fn save_page(name: &str, html: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots/intake");
    let css = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/app.css"),
    )
    .unwrap_or_default();
    let page: String = html
        .lines()
        .map(|l| {
            if l.starts_with("<link rel=\"stylesheet\"") {
                format!("<style>{css}</style>")
            } else if l.starts_with("<script") {
                String::new()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::write(dir.join(format!("{name}.html")), page);
    }
}

const TEXT_WITH_PHONE: &str = "Kính gửi Sở Nội vụ,\n\nTôi nộp hồ sơ hưởng bảo hiểm xã hội một lần ngày 02/10/2026 tại bộ phận một cửa, đến nay đã quá hạn mà chưa có kết quả. Điện thoại của tôi: 0912 345 678.\n\nTrân trọng.";
const TEXT_WITHOUT: &str = "Kính gửi Sở,\n\nCán bộ phường hẹn trả kết quả chứng thực từ tuần trước nhưng đến nay vẫn chưa trả, đề nghị Sở xem xét.";

#[tokio::test(flavor = "multi_thread")]
async fn a_new_mail_waits_as_an_item_and_its_acknowledgement_lists_what_is_missing() {
    let app = TestApp::spawn().await;
    let to = intake_address(&app);
    let mut named = Mail::new(
        "a1",
        "Chậm giải quyết hồ sơ bảo hiểm xã hội",
        TEXT_WITH_PHONE,
    );
    named.from_name = Some("Nguyễn Thị Hoà");
    receive(&app, &named.raw(&to)).await;
    let mut bare = Mail::new("a2", "Chậm trả kết quả chứng thực", TEXT_WITHOUT);
    bare.from = "binh.tran@example.vn";
    receive(&app, &bare.raw(&to)).await;

    assert_eq!(
        ticket_count(&app).await,
        0,
        "a mail is not a PAKN until accepted"
    );
    let found = items(&app).await;
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|i| i.1 == "waiting" && i.2.is_none()));
    assert_eq!(found[0].4.as_deref(), Some("0912345678"));
    let states = inbound_states(&app).await;
    assert!(
        states
            .iter()
            .all(|s| s.0 == "done" && s.1.as_deref() == Some("intake"))
    );

    let mail = app.take_mail().await;
    assert_eq!(
        mail.who(),
        vec![
            ("intake_ack", mail_to(&[SENDER])),
            ("intake_ack", mail_to(&["binh.tran@example.vn"]))
        ]
    );
    let bodies = acks(&app).await;
    // The named sender with a phone in the text lacks only the address.
    let first = &bodies[0].0;
    assert!(first.contains("Địa chỉ liên hệ") && first.contains("Your contact address"));
    assert!(!first.contains("Số điện thoại\n") && !first.contains("Your phone number"));
    assert!(!first.contains("Họ và tên đầy đủ") && !first.contains("Your full name"));
    assert!(first.contains("chưa được tiếp nhận là phản ánh, kiến nghị"));
    assert!(first.contains(&format!("{}/feedback/new", app.base)));
    // The other lacks all three, in both languages.
    let second = &bodies[1].0;
    for line in [
        "Họ và tên đầy đủ",
        "Địa chỉ liên hệ",
        "Số điện thoại",
        "Your full name",
        "Your contact address",
        "Your phone number",
    ] {
        assert!(second.contains(line), "{line} missing from {second}");
    }

    // The staff list: both, newest first, with the count; not in the PAKN queue.
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let html = get(&c, app.url("/staff/intake"))
        .await
        .text()
        .await
        .expect("body");
    assert!(html.contains("2 thư đang chờ hoàn thiện"), "{html}");
    save_page("list", &html);
    let (a, b) = (
        html.find("Chậm trả kết quả chứng thực").expect("second"),
        html.find("Chậm giải quyết hồ sơ bảo hiểm xã hội")
            .expect("first"),
    );
    assert!(a < b, "newest first");
    assert!(html.contains("Nguyễn Thị Hoà &#60;hoa.nguyen@example.vn&#62;"));
    assert!(html.contains("href=\"/staff/intake\""), "in the navigation");
    let en = get(&c, app.url("/staff/intake?lang=en"))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        en.contains("2 mails are waiting to be completed") && en.contains("Your contact address")
    );
    let queue = get(&c, app.url("/staff/tickets"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(!queue.contains("Chậm trả kết quả chứng thực"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_to_the_acknowledgement_joins_the_same_item_without_a_second_one() {
    let app = TestApp::spawn().await;
    let to = intake_address(&app);
    receive(
        &app,
        &Mail::new("b1", "Chậm trả kết quả chứng thực", TEXT_WITHOUT).raw(&to),
    )
    .await;
    let _ = app.take_mail().await;
    let key = acks(&app).await[0].1.clone();
    let mut reply = Mail::new(
        "b2",
        "Re: Đã nhận thư của bạn",
        "Tôi là Trần Văn Bình, địa chỉ 25 Lê Lợi, phường Long Xuyên, điện thoại 0983 570 009.",
    );
    reply.from = SENDER;
    reply.in_reply_to = Some(format!("<{key}@{}>", message_domain(&app)));
    reply.files = vec![("giay-hen-tra-ket-qua.pdf", "application/pdf", pdf())];
    receive(&app, &reply.raw(&to)).await;

    let found = items(&app).await;
    assert_eq!(found.len(), 1, "the reply joins the item");
    assert!(found[0].3.contains("Cán bộ phường hẹn trả kết quả"));
    assert!(found[0].3.contains("25 Lê Lợi, phường Long Xuyên"));
    assert_eq!(found[0].4.as_deref(), Some("0983570009"));
    assert_eq!(found[0].5.len(), 1);
    assert!(
        app.take_mail().await.is_empty(),
        "no second acknowledgement"
    );
    assert_eq!(ticket_count(&app).await, 0);
    // The reply's file is the item's: listed to be kept with the PAKN.
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let html = get(&c, app.url(&format!("/staff/intake/{}", found[0].0)))
        .await
        .text()
        .await
        .expect("body");
    assert!(html.contains("giay-hen-tra-ket-qua.pdf") && html.contains("sẽ được lưu vào PAKN"));
    app.stop().await;
}

/// The completion form's fields as typed by the officer.
fn completion(csrf: &str, address: &str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_string()),
        ("submitter_kind", "individual".into()),
        ("full_name", "Nguyễn Thị Hoà".into()),
        ("address", address.to_string()),
        ("phone", "0912 345 678".into()),
        ("email", SENDER.into()),
        ("kind", "phan_anh".into()),
        ("content_category", "cham_tre_phien_ha".into()),
        ("field", "bao_hiem_xa_hoi".into()),
        ("title", "Chậm giải quyết hồ sơ bảo hiểm xã hội".into()),
        ("content", TEXT_WITH_PHONE.into()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn accepting_files_a_pakn_of_channel_email_with_the_mails_time_and_files() {
    let app = TestApp::spawn().await;
    let to = intake_address(&app);
    let text = format!("{TEXT_WITH_PHONE}\n<script>alert('x')</script>");
    let mut mail = Mail::new("c1", "Chậm giải quyết hồ sơ bảo hiểm xã hội", &text);
    mail.from_name = Some("Nguyễn Thị Hoà");
    mail.files = vec![
        ("giay-hen.jpg", "image/jpeg", jpeg()),
        ("don-de-nghi.pdf", "application/pdf", pdf()),
        (
            "chay-toi.exe",
            "application/octet-stream",
            b"MZ\x90\x00 not allowed".to_vec(),
        ),
    ];
    receive(&app, &mail.raw(&to)).await;
    let _ = app.take_mail().await;
    let item_id = items(&app).await[0].0;
    let received_at: DateTime<Utc> = inbound_mail::table
        .select(inbound_mail::received_at)
        .first(&mut app.conn().await)
        .await
        .expect("received");

    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "lanhdao@sonoivu.vn").await;
    let page = get(&c, app.url(&format!("/staff/intake/{item_id}"))).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("body");
    assert!(
        html.contains("&#60;script&#62;") && !html.contains("<script>alert"),
        "mail as safe text"
    );
    assert!(html.contains("value=\"Nguyễn Thị Hoà\"") && html.contains("value=\"0912345678\""));
    assert!(
        html.contains("giay-hen.jpg")
            && html.contains("don-de-nghi.pdf")
            && html.contains("chay-toi.exe")
    );
    save_page("item", &html);
    let csrf = value_of(&html, "csrf");
    let accept = app.url(&format!("/staff/intake/{item_id}/accept"));

    // Without the address: the form comes back with what was typed and the message.
    let res = c
        .post(&accept)
        .form(&completion(&csrf, ""))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let again = res.text().await.expect("body");
    assert!(again.contains("Vui lòng kiểm tra lại các mục sau"));
    assert!(again.contains("id=\"address-error\""));
    assert!(
        again.contains("Địa chỉ liên hệ: Vui lòng nhập mục này."),
        "{again}"
    );
    assert!(
        again.contains("value=\"0912 345 678\"")
            && again.contains("value=\"bao_hiem_xa_hoi\" selected")
    );
    assert_eq!(ticket_count(&app).await, 0);
    save_page("item-errors", &again);

    let address = "12 Trần Hưng Đạo, phường Rạch Giá, tỉnh An Giang";
    let res = c
        .post(&accept)
        .form(&completion(&csrf, address))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let code = location.trim_start_matches("/staff/tickets/").to_string();
    let (ticket_id, channel, at, addr): (i64, String, DateTime<Utc>, String) = tickets::table
        .filter(tickets::code.eq(&code))
        .select((
            tickets::id,
            tickets::channel,
            tickets::received_at,
            tickets::address,
        ))
        .first(&mut app.conn().await)
        .await
        .expect("the ticket");
    assert_eq!(
        (channel.as_str(), at, addr.as_str()),
        ("email", received_at, address)
    );
    let files: Vec<(String, String)> = attachments::table
        .filter(attachments::ticket_id.eq(ticket_id))
        .order(attachments::id)
        .select((attachments::filename, attachments::content_type))
        .load(&mut app.conn().await)
        .await
        .expect("files");
    assert_eq!(
        files,
        vec![
            ("giay-hen.jpg".to_string(), "image/jpeg".to_string()),
            ("don-de-nghi.pdf".to_string(), "application/pdf".to_string())
        ]
    );
    let item = &items(&app).await[0];
    assert_eq!((item.1.as_str(), item.2), ("accepted", Some(ticket_id)));
    assert_eq!(app.take_mail().await.who(), filing_mail());

    // Now a PAKN: its page and the queue show it; the item is no longer waiting.
    assert_eq!(get(&c, app.url(&location)).await.status(), StatusCode::OK);
    let queue = get(&c, app.url("/staff/tickets"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(queue.contains("Chậm giải quyết hồ sơ bảo hiểm xã hội"));
    let list = get(&c, app.url("/staff/intake"))
        .await
        .text()
        .await
        .expect("list");
    assert!(list.contains("Không có thư nào đang chờ"));
    // Sent again: no second PAKN.
    let res = c
        .post(&accept)
        .form(&completion(&csrf, address))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(ticket_count(&app).await, 1);

    // A reply to the acknowledgement now is the citizen's message on the PAKN.
    let key = acks(&app).await[0].1.clone();
    let mut reply = Mail::new(
        "c2",
        "Re: Đã nhận thư của bạn",
        "Tôi gửi thêm: bộ phận một cửa hẹn trả kết quả ngày 20/11/2026.",
    );
    reply.in_reply_to = Some(format!("<{key}@{}>", message_domain(&app)));
    receive(&app, &reply.raw(&to)).await;
    let last: (String, Option<String>, Option<i64>) = inbound_mail::table
        .order(inbound_mail::id.desc())
        .select((
            inbound_mail::state,
            inbound_mail::outcome,
            inbound_mail::ticket_id,
        ))
        .first(&mut app.conn().await)
        .await
        .expect("the reply");
    assert_eq!(
        last,
        (
            "done".into(),
            Some("citizen_message".into()),
            Some(ticket_id)
        )
    );
    assert_eq!(items(&app).await.len(), 1);
    let mail = app.take_mail().await;
    assert!(!mail.kinds().contains(&"intake_ack"), "{}", mail.lines());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn spam_leaves_no_ticket_and_no_mail() {
    let app = TestApp::spawn().await;
    let to = intake_address(&app);
    receive(
        &app,
        &Mail::new(
            "d1",
            "Khuyến mãi lớn cuối năm",
            "Mua ngay hôm nay để nhận ưu đãi giảm giá 50% cho mọi sản phẩm.",
        )
        .raw(&to),
    )
    .await;
    let _ = app.take_mail().await;
    let item_id = items(&app).await[0].0;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    let inspector = client();
    login_ok(&app, &inspector, "thanhtra@sonoivu.vn").await;
    let res = get(&inspector, app.url(&format!("/staff/intake/{item_id}"))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "as /staff/tickets/new");
    let c = client();
    login_ok(&app, &c, "cv@sonoivu.vn").await;
    let html = get(&c, app.url(&format!("/staff/intake/{item_id}")))
        .await
        .text()
        .await
        .expect("body");
    let csrf = value_of(&html, "csrf");
    let res = c
        .post(app.url(&format!("/staff/intake/{item_id}/spam")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/staff/intake?done=spam");
    assert_eq!(items(&app).await[0].1, "spam");
    assert_eq!(ticket_count(&app).await, 0);
    assert!(app.take_mail().await.is_empty());
    let page = get(&c, app.url(&format!("/staff/intake/{item_id}")))
        .await
        .text()
        .await
        .expect("body");
    assert!(page.contains("đã được đánh dấu là thư rác") && !page.contains("/accept\""));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_review_list_shows_held_mail_and_retry_puts_it_back_to_new() {
    let app = TestApp::spawn().await;
    let to = intake_address(&app);
    // No From: nobody to answer, held for staff.
    let raw = format!(
        "To: {to}\r\nSubject: {}\r\nMessage-ID: <e1@mail.example.vn>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThư không ghi người gửi.\r\n",
        encoded("Góp ý")
    );
    receive(&app, raw.as_bytes()).await;
    let raw2 = raw.replace("<e1@", "<e2@");
    receive(&app, raw2.as_bytes()).await;
    let states = inbound_states(&app).await;
    assert_eq!(
        states[0],
        ("held".to_string(), Some("unknown_sender".to_string()))
    );
    let ids: Vec<i64> = inbound_mail::table
        .order(inbound_mail::id)
        .select(inbound_mail::id)
        .load(&mut app.conn().await)
        .await
        .expect("ids");

    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let officer = client();
    login_ok(&app, &officer, "cv@sonoivu.vn").await;
    let res = get(&officer, app.url("/staff/inbound")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let c = client();
    login_ok(&app, &c, "lanhdao@sonoivu.vn").await;
    let html = get(&c, app.url("/staff/inbound"))
        .await
        .text()
        .await
        .expect("body");
    assert!(html.contains("Chờ cán bộ xem") && html.contains("Người gửi không khớp với PAKN"));
    assert!(html.contains(&format!("/staff/inbound/{}/retry", ids[0])));
    let csrf = value_of(&html, "csrf");
    let res = c
        .post(app.url(&format!("/staff/inbound/{}/retry", ids[0])))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.headers()["location"], "/staff/inbound?done=retry");
    let res = c
        .post(app.url(&format!("/staff/inbound/{}/discard", ids[1])))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.headers()["location"], "/staff/inbound?done=discard");
    let states = inbound_states(&app).await;
    assert_eq!(states[0], ("new".to_string(), None));
    assert_eq!(
        states[1],
        ("ignored".to_string(), Some("discarded".to_string()))
    );
    let html = get(&c, app.url("/staff/inbound?done=retry"))
        .await
        .text()
        .await
        .expect("body");
    assert!(
        html.contains("Thư đã được đưa về hàng chờ xử lý")
            && html.contains("Không có thư nào cần xem")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pakn_mail_receive_on_stdin_makes_a_waiting_item() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn().await;
    let raw =
        Mail::new("f1", "Chậm trả kết quả chứng thực", TEXT_WITHOUT).raw(&intake_address(&app));
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pakn"))
        .args(["mail", "receive"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("DATABASE_URL")
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &app.db.url)
        .env("PAKN_SERVER__PUBLIC_URL", &app.base)
        .stdin(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("pakn mail receive");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&raw).await.expect("write the mail");
    drop(stdin);
    assert!(child.wait().await.expect("exit").success());
    let found = items(&app).await;
    assert_eq!((found.len(), found[0].1.as_str()), (1, "waiting"));
    assert_eq!(ticket_count(&app).await, 0);
    assert_eq!(
        app.take_mail().await.who(),
        vec![("intake_ack", mail_to(&[SENDER]))]
    );
    app.stop().await;
}
