//! Issue 7's whole journey through the real pages, each step named and photographed: the
//! citizen on a 360×740 phone (`target/screenshots/journey/citizen/`), staff on a 1280×800
//! desktop (`target/screenshots/journey/staff/`). Screenshot files carry the step number,
//! so the two folders read together in order. Mail goes over SMTP to the sink; the citizen
//! follows the private link from the mail received there.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{ratings, tickets};
use serde_json::Value;

use super::sign_in;
use crate::auth::{UNIT, create_user};
use crate::filing::{PNG, askama_escape, pdf_bytes};
use crate::support::app::TestApp;
use crate::support::browser::{Browser, with_browser};
use crate::support::outbox::{DEPUTY, filing_mail_notifying, mail_to};
use crate::support::smtp::{Received, SmtpSink};
use crate::workflow::{LEADER_EMAIL, OFFICER_EMAIL};

const OFFICER: &str = "cv@sonoivu.vn";
const LEADER: &str = "ld@sonoivu.vn";
const CITIZEN: &str = "hoa.nguyen@example.vn";
const TITLE: &str = "Chậm giải quyết hồ sơ nâng bậc lương thường xuyên";
const CONTENT: &str = "Tôi là Nguyễn Thị Hoà, ở 12 Trần Hưng Đạo, phường Rạch Giá. Hồ sơ nâng \
     bậc lương thường xuyên nộp ngày 02/10/2026 theo Nghị định 204/2004/NĐ-CP vẫn chưa được \
     giải quyết. Xin gọi 0983 570 009.";
const QUESTION: &str = "Đề nghị bà cho biết số văn bản và ngày nộp hồ sơ tại bộ phận một cửa.";
const CITIZEN_ANSWER: &str =
    "Hồ sơ nộp ngày 02/10/2026, giấy biên nhận số 000.00.12.H01-261002-0007.";
const DRAFT: &str = "Kính gửi bà Nguyễn Thị Hoà, Sở Nội vụ đã rà soát hồ sơ nâng bậc lương.";
const RETURN_REASON: &str = "Cần nêu căn cứ Nghị định 204/2004/NĐ-CP và thời hạn giải quyết.";
const FINAL: &str = "Kính gửi bà Nguyễn Thị Hoà, căn cứ Nghị định 204/2004/NĐ-CP, Sở Nội vụ đã \
     ban hành quyết định nâng bậc lương cho bà; quyết định được gửi về đơn vị trước ngày \
     15/12/2026.";
const NUMBER: &str = "152/SNV-CCVC";
/// What the citizen gave, none of which may reach a public page.
const PERSONAL: [&str; 6] = [
    "Nguyễn Thị Hoà",
    "0983",
    "570 009",
    "hoa.nguyen",
    "Trần Hưng Đạo",
    "Rạch Giá",
];
/// A bound on waits for mail, so a broken build fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(30);

/// Numbers the steps across both browsers and photographs each.
struct Steps(AtomicU32);

impl Steps {
    /// Scrolls `css` to the top of the window, then photographs the step.
    async fn done_at(&self, b: &Browser, name: &str, css: &str) {
        b.wait_for(css).await;
        let script = format!(
            "document.querySelector({}).scrollIntoView({{block: 'start'}});",
            Value::String(css.to_owned())
        );
        b.eval(&script).await;
        self.done(b, name).await;
    }

    async fn done(&self, b: &Browser, name: &str) {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        eprintln!("journey step {n:02}: {name}");
        if let Err(e) = b.screenshot(&format!("step{n:02}-{name}")).await {
            panic!("screenshot of step {n} ({name}): {e:#}");
        }
    }
}

async fn select(b: &Browser, css: &str, value: &str) {
    let el = b.wait_for(css).await;
    el.select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("selecting {value} in {css}: {e}"));
}

async fn lang(b: &Browser) -> String {
    b.eval("return document.documentElement.lang;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Opens an action of the staff ticket page and returns the CSS of its form. The
/// expected next step is shown open already; the others are disclosures to open.
async fn open_action(b: &Browser, action: &str) -> String {
    let closed = b
        .eval(&format!(
            "const d = document.getElementById('act-{action}'); \
             return d.tagName === 'DETAILS' && !d.open;"
        ))
        .await;
    if closed.as_bool().unwrap_or(true) {
        b.click(&format!("#act-{action} > summary")).await;
    }
    format!("form[data-action={action}]")
}

async fn send_action(b: &Browser, action: &str) {
    // The page being left may show the confirmation of the previous action.
    b.click_to_next_page(&format!("form[data-action={action}] button[type=submit]"))
        .await;
    let done = b.text("[data-testid=action-done]").await;
    assert!(!done.is_empty(), "{action} is confirmed");
}

async fn status(b: &Browser) -> String {
    b.text("[data-testid=status]").await
}

async fn sign_out(b: &Browser) {
    b.click("form.staff-user button[type=submit]").await;
    b.wait_for("form[action='/staff/login']").await;
}

/// Waits for a mail to the citizen whose text contains `needle`.
async fn mail_with(sink: &SmtpSink, needle: &str) -> Received {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .find(|m| m.addresses("to").iter().any(|a| a == CITIZEN) && m.text().contains(needle))
        {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to the citizen with {needle:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Prints the page as the browser would on paper, keeps the PDF next to the screenshots and
/// returns its number of pages. The print style hides the header, footer and buttons.
async fn print(b: &Browser, name: &str) -> usize {
    let pdf = match b
        .client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
    {
        Ok(pdf) => pdf,
        Err(e) => panic!("printing {name}: {e}"),
    };
    assert!(pdf.starts_with(b"%PDF"), "{name} prints as a PDF");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots/journey")
        .join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    let text = String::from_utf8_lossy(&pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

/// The private link in a mail's text.
fn private_link(mail: &Received) -> String {
    mail.text()
        .split_whitespace()
        .find(|w| w.starts_with("http") && w.contains("/t/"))
        .unwrap_or_else(|| panic!("no private link in {}", mail.text()))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pakn_goes_from_a_phone_through_the_department_to_the_public_answers() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| crate::mail::use_sink(cfg, &sink)).await;
    let officer_id = create_user(&app, OFFICER, &["officer"], Some(UNIT)).await;
    create_user(&app, LEADER, &["leader"], None).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let photo = dir.path().join("giay-bien-nhan.png");
    std::fs::write(&photo, PNG).expect("write the photo");
    let letter = dir.path().join("quyet-dinh-152.pdf");
    std::fs::write(&letter, pdf_bytes()).expect("write the letter");
    let (photo, letter) = (
        photo.to_string_lossy().to_string(),
        letter.to_string_lossy().to_string(),
    );
    let base = app.base.clone();
    let steps = Steps(AtomicU32::new(0));
    let today = chrono::Utc::now()
        .with_timezone(&pakn::domain::calendar::vn_offset())
        .date_naive();
    let set_date = format!(
        "const d = document.querySelector('#approve-date'); d.value = '{}'; \
         d.dispatchEvent(new Event('change', {{bubbles: true}}));",
        today.format("%Y-%m-%d")
    );
    let shown_date = today.format("%d/%m/%Y").to_string();

    let public_html = with_browser("journey/citizen", 360, 740, async |citizen: &Browser| {
        with_browser("journey/staff", 1280, 800, async |staff: &Browser| {
            // The citizen, on a phone.
            citizen.goto(&format!("{base}/")).await;
            assert_eq!(lang(citizen).await, "vi");
            steps.done(citizen, "home").await;
            citizen.click(".lang-switch a").await;
            citizen.wait_for("html[lang=en]").await;
            steps.done(citizen, "home-in-english").await;
            citizen.click(".lang-switch a").await;
            citizen.wait_for("html[lang=vi]").await;
            steps.done(citizen, "back-to-vietnamese").await;

            citizen.click("a.button-primary").await;
            citizen.wait_for("form.pakn-form").await;
            citizen.fill("#full_name", "Nguyễn Thị Hoà").await;
            citizen
                .fill("#address", "12 Trần Hưng Đạo, phường Rạch Giá")
                .await;
            citizen.fill("#phone", "0983 57").await; // the mistake
            citizen.fill("#email", CITIZEN).await;
            citizen.click("input[name=kind][value=phan_anh]").await;
            select(citizen, "#content_category", "khac").await;
            select(citizen, "#field", "can_bo_cong_chuc").await;
            citizen.fill("#title", TITLE).await;
            citizen.fill("#content", CONTENT).await;
            let file = citizen.wait_for("#attachments").await;
            file.send_keys(&photo).await.expect("choose the photo");
            citizen.click("input[name=publish_consent]").await;
            citizen.click("#consent").await;
            steps.done(citizen, "form-filled").await;
            citizen.click("form.pakn-form button[type=submit]").await;
            let error = citizen.text("#phone-error").await;
            assert!(error.contains("Số điện thoại không hợp lệ"), "{error}");
            steps.done(citizen, "form-with-a-mistake").await;
            citizen.fill("#phone", "0983 570 009").await;
            citizen.click("form.pakn-form button[type=submit]").await;
            let code = citizen.text("[data-testid=tracking-code]").await;
            steps.done(citizen, "receipt-with-the-code").await;
            let pages = print(citizen, "receipt").await;
            assert!(
                (1..=2).contains(&pages),
                "the receipt prints on {pages} page(s)"
            );

            // An officer, on a desktop, finds it by its code and by words without diacritics.
            sign_in(staff, &base, OFFICER).await;
            steps.done(staff, "officer-signed-in").await;
            staff.fill("#q", &code).await;
            staff
                .click_to_next_page("form.queue-filters button[type=submit]")
                .await;
            let found = staff.text("table.queue tbody").await;
            assert!(found.contains(&code) && found.contains(TITLE), "{found}");
            steps.done(staff, "found-by-code").await;
            staff.fill("#q", "nang bac luong thuong xuyen").await;
            staff
                .click_to_next_page("form.queue-filters button[type=submit]")
                .await;
            let found = staff.text("table.queue tbody").await;
            assert!(found.contains(&code), "{found}");
            steps.done(staff, "found-without-diacritics").await;
            staff
                .click(&format!(
                    "table.queue a[href='/staff/tickets/{}']",
                    code.replace('-', "")
                ))
                .await;
            assert_eq!(staff.text("[data-testid=ticket-code]").await, code);
            steps.done(staff, "ticket-page").await;

            // Accepts it, starts the work and asks for more information.
            let form = open_action(staff, "accept").await;
            staff
                .fill(
                    &format!("{form} #accept-procedure"),
                    "Nâng bậc lương thường xuyên",
                )
                .await;
            select(staff, "#accept-assignee", &officer_id.to_string()).await;
            steps.done(staff, "accept-form").await;
            send_action(staff, "accept").await;
            assert_eq!(status(staff).await, "Đã tiếp nhận");
            steps.done_at(staff, "accepted", "#actions").await;
            open_action(staff, "start_work").await;
            send_action(staff, "start_work").await;
            open_action(staff, "ask_info").await;
            staff.fill("#ask_info-question", QUESTION).await;
            send_action(staff, "ask_info").await;
            assert_eq!(status(staff).await, "Yêu cầu bổ sung");
            steps.done_at(staff, "information-asked", "#actions").await;

            // The citizen opens the private link from the mail and answers.
            let asked = mail_with(&sink, QUESTION).await;
            let link = private_link(&asked);
            citizen.goto(&link).await;
            let timeline = citizen.text("[data-testid=timeline]").await;
            assert!(timeline.contains(QUESTION), "{timeline}");
            steps
                .done_at(citizen, "private-link-from-the-mail", "#actions")
                .await;
            citizen.fill("#answer-text", CITIZEN_ANSWER).await;
            citizen
                .click("[data-testid=answer-form] button[type=submit]")
                .await;
            citizen.wait_for("[data-testid=citizen-done]").await;
            steps.done_at(citizen, "information-sent", "#actions").await;

            // The officer drafts the reply with the signed letter.
            staff
                .goto(&format!("{base}/staff/tickets/{}", code.replace('-', "")))
                .await;
            let page = staff.text("main").await;
            assert!(
                page.contains(CITIZEN_ANSWER),
                "the officer reads the answer"
            );
            assert_eq!(status(staff).await, "Đang xử lý");
            open_action(staff, "submit_draft").await;
            staff.fill("#submit_draft-body", DRAFT).await;
            let file = staff.wait_for("#submit_draft-attachments").await;
            file.send_keys(&letter).await.expect("choose the letter");
            steps.done(staff, "draft-reply").await;
            send_action(staff, "submit_draft").await;
            assert_eq!(status(staff).await, "Chờ lãnh đạo duyệt");
            steps
                .done_at(staff, "draft-sent-for-approval", "#actions")
                .await;
            sign_out(staff).await;

            // A leader returns it once.
            sign_in(staff, &base, LEADER).await;
            staff
                .goto(&format!("{base}/staff/tickets/{}", code.replace('-', "")))
                .await;
            assert!(
                staff
                    .text("[data-testid=pending-reply]")
                    .await
                    .contains(DRAFT)
            );
            open_action(staff, "return_draft").await;
            staff.fill("#return_draft-reason", RETURN_REASON).await;
            send_action(staff, "return_draft").await;
            assert_eq!(status(staff).await, "Đang xử lý");
            steps
                .done_at(staff, "leader-returned-the-draft", "#actions")
                .await;
            sign_out(staff).await;

            // The officer fixes it.
            sign_in(staff, &base, OFFICER).await;
            staff
                .goto(&format!("{base}/staff/tickets/{}", code.replace('-', "")))
                .await;
            assert!(
                staff
                    .text("[data-testid=reply-returned]")
                    .await
                    .contains(RETURN_REASON)
            );
            open_action(staff, "submit_draft").await;
            staff.fill("#submit_draft-body", FINAL).await;
            let file = staff.wait_for("#submit_draft-attachments").await;
            file.send_keys(&letter).await.expect("choose the letter");
            send_action(staff, "submit_draft").await;
            steps.done_at(staff, "draft-fixed", "#actions").await;
            sign_out(staff).await;

            // The leader approves it.
            sign_in(staff, &base, LEADER).await;
            staff
                .goto(&format!("{base}/staff/tickets/{}", code.replace('-', "")))
                .await;
            open_action(staff, "approve").await;
            staff.fill("#approve-number_symbol", NUMBER).await;
            // A date input is the browser's own widget, laid out by the browser's locale:
            // set its value as the widget would.
            staff.eval(&set_date).await;
            staff
                .fill("#approve-signer", "Phó Giám đốc Lê Văn An")
                .await;
            steps.done(staff, "approval-form").await;
            send_action(staff, "approve").await;
            assert_eq!(status(staff).await, "Đã trả lời");
            steps.done_at(staff, "approved", "#actions").await;

            // The reply mail arrives with the letter.
            let reply = mail_with(&sink, NUMBER).await;
            assert!(reply.text().contains(&shown_date), "{}", reply.text());
            assert!(reply.text().contains("căn cứ Nghị định 204/2004/NĐ-CP"));
            assert_eq!(
                reply.attachments,
                vec![Some("quyet-dinh-152.pdf".to_string())]
            );

            // The citizen reads the answer on the track page and rates it.
            citizen.goto(&private_link(&reply)).await;
            assert_eq!(citizen.text("[data-testid=reply-number]").await, NUMBER);
            assert!(
                citizen
                    .text("[data-testid=reply-body]")
                    .await
                    .contains("căn cứ Nghị định")
            );
            assert_eq!(
                citizen.text("[data-testid=reply-file]").await,
                "quyet-dinh-152.pdf"
            );
            steps
                .done_at(citizen, "answer-on-the-track-page", "[data-testid=reply]")
                .await;
            citizen
                .click("[data-testid=rate-form] input[name=rating][value=satisfied]")
                .await;
            citizen
                .fill("#rate-comment", "Cảm ơn Sở đã giải quyết.")
                .await;
            citizen
                .click("[data-testid=rate-form] button[type=submit]")
                .await;
            citizen.wait_for("[data-testid=rated]").await;
            steps.done_at(citizen, "rated", "#actions").await;

            // Staff publish a copy without personal data.
            staff
                .goto(&format!("{base}/staff/tickets/{}", code.replace('-', "")))
                .await;
            staff.click("[data-testid=publication-link]").await;
            let question = staff
                .wait_for("#question")
                .await
                .prop("value")
                .await
                .expect("the copy")
                .unwrap_or_default();
            assert!(
                !question.contains("Nguyễn Thị Hoà"),
                "the draft copy is masked: {question}"
            );
            steps.done(staff, "publication-review").await;
            staff.click("button[name=action][value=publish]").await;
            staff.wait_for("[data-testid=public-link]").await;
            steps.done(staff, "published").await;

            // It appears on /answers, without personal data.
            citizen.goto(&format!("{base}/answers")).await;
            steps.done(citizen, "public-answers").await;
            citizen.click("[data-testid=answers] h2 a").await;
            citizen.wait_for("[data-testid=answer]").await;
            steps.done(citizen, "public-answer").await;
            let pages = print(citizen, "public-answer").await;
            assert!(
                (1..=2).contains(&pages),
                "the answer prints on {pages} page(s)"
            );
            let html = citizen.client.source().await.expect("the page source");
            for p in PERSONAL {
                assert!(
                    !html.contains(p) && !html.contains(&askama_escape(p)),
                    "the public page shows {p:?}"
                );
            }
            assert!(
                !html.contains(&code) && !html.contains(&code.replace('-', "")),
                "the code is private"
            );
            let answer = citizen.text("[data-testid=answer]").await;
            assert!(answer.contains("Nghị định 204/2004/NĐ-CP"), "{answer}");
            let list = citizen.eval("return location.pathname;").await;
            assert!(matches!(list, Value::String(ref p) if p.starts_with("/answers/")));
            html
        })
        .await
    })
    .await;
    assert!(!public_html.is_empty());

    let mut conn = app.conn().await;
    let (id, st): (i64, String) = tickets::table
        .select((tickets::id, tickets::status))
        .first(&mut conn)
        .await
        .expect("the ticket");
    assert_eq!(st, "answered");
    let rating: String = ratings::table
        .filter(ratings::ticket_id.eq(id))
        .select(ratings::rating)
        .first(&mut conn)
        .await
        .expect("the rating");
    assert_eq!(rating, "satisfied");
    drop(conn);
    // Who heard of each step: the citizen of the question, the answer and its publication;
    // the officer of the citizen's information and of the returned draft; the leader of
    // each draft. The rating mails nobody.
    let mut want = filing_mail_notifying(mail_to(&[DEPUTY]));
    want.extend([
        ("notify_unit", mail_to(&[OFFICER_EMAIL])),
        ("notify_staff", mail_to(&[LEADER_EMAIL])),
        ("update.ask_info", mail_to(&[CITIZEN])),
        ("update.answer_info", mail_to(&[OFFICER_EMAIL])),
        ("update.submit_draft", mail_to(&[LEADER_EMAIL])),
        ("update.return_draft", mail_to(&[OFFICER_EMAIL])),
        ("update.submit_draft", mail_to(&[LEADER_EMAIL])),
        ("update.approve", mail_to(&[CITIZEN])),
        ("published", mail_to(&[CITIZEN])),
    ]);
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}
