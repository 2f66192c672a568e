//! Issue 17, the citizen's items in real Chromium: the officer's question above the form
//! that answers it, a refusal's reason and "what you can do now" at the top, the private
//! link first on the receipt with a copy button, Vietnamese for an English-locale browser
//! (and the account's language for staff), the public top navigation, the printed
//! receipts carrying the agency and national headings (read from the PDF), and a filing
//! with files showing that it is sending. Screenshots at 360 and 1280 px go to
//! `target/screenshots/citizen-screens/…`; axe-core checks every page shown.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{attachments, tickets, users};
use pakn::domain::workflow::Action;
use reqwest::StatusCode;
use reqwest::multipart::Form;

use super::{Filed, file, sign_in};
use crate::auth::{client, get, login_ok, value_of};
use crate::filing::{PNG, valid_fields};
use crate::support::app::TestApp;
use crate::support::axe::blocking_report;
use crate::support::browser::{Browser, Options, with_browser, with_browser_options};
use crate::support::outbox::{CITIZEN, Rcpt, mail_to};
use crate::workflow::{OFFICER_EMAIL, full_step, people, step_at};

/// The two widths every screen is shot at: a phone and a desktop.
const SIZES: [(u32, u32); 2] = [(360, 740), (1280, 800)];

/// PAKN in every state the citizen's screens of this issue show.
struct Screens {
    app: TestApp,
    filed: Filed,
    asked: Filed,
    rejected: Filed,
    out_of_scope: Filed,
    transferred: Filed,
}

async fn screens() -> Screens {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    let filed = file(&app, "Chậm giải quyết hồ sơ thi tuyển công chức").await;
    let asked = file(&app, "Không được hướng dẫn hồ sơ nâng ngạch").await;
    let rejected = file(&app, "Phản ánh thiếu thông tin").await;
    let out_of_scope = file(&app, "Khiếu nại quyết định kỷ luật").await;
    let transferred = file(&app, "Chậm cấp lại giấy phép lái xe").await;
    let now = chrono::Utc::now();
    for (t, action) in [
        (&asked, Action::AskInfo),
        (&rejected, Action::Reject),
        (&out_of_scope, Action::OutOfScope),
        (&transferred, Action::Transfer),
    ] {
        step_at(&app, t.id, &p.officer, full_step(action, 0, 0, ""), now)
            .await
            .unwrap_or_else(|e| panic!("{action:?}: {e:?}"));
    }
    // Each decision was mailed to the citizen, as the page now shows it.
    let mail = app.take_mail().await;
    assert_eq!(mail.of_kind("ack").len(), 5, "{}", mail.lines());
    let updates: Vec<(&str, Rcpt)> = mail
        .who()
        .into_iter()
        .filter(|(kind, _)| kind.starts_with("update."))
        .collect();
    assert_eq!(
        updates,
        [
            ("update.ask_info", mail_to(&[CITIZEN])),
            ("update.reject", mail_to(&[CITIZEN])),
            ("update.out_of_scope", mail_to(&[CITIZEN])),
            ("update.transfer", mail_to(&[CITIZEN])),
        ]
    );
    Screens {
        app,
        filed,
        asked,
        rejected,
        out_of_scope,
        transferred,
    }
}

/// Problems of the page: sideways scrolling, and axe-core's serious or critical findings.
async fn problems(b: &Browser, name: &str) -> String {
    let overflow = b
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
        .await;
    let mut out = blocking_report(b, name).await;
    if overflow.as_i64() != Some(0) {
        out.push_str(&format!("{name}: scrolls sideways by {overflow} px\n"));
    }
    out
}

/// Whether the element `first` comes before `second` in the page.
async fn comes_before(b: &Browser, first: &str, second: &str) -> bool {
    let js = format!(
        "const a = document.querySelector({first:?}), b = document.querySelector({second:?});\n\
         return !!(a && b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING));"
    );
    b.eval(&js).await.as_bool() == Some(true)
}

async fn exists(b: &Browser, css: &str) -> bool {
    b.eval(&format!("return document.querySelector({css:?}) !== null;"))
        .await
        .as_bool()
        == Some(true)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_track_page_shows_the_question_and_the_reason_first_and_the_receipt_the_link() {
    let s = screens().await;
    let base = s.app.base.clone();
    let mut report = String::new();
    for (w, h) in SIZES {
        with_browser(
            &format!("citizen-screens/track-{w}"),
            w,
            h,
            async |b: &Browser| {
                // The receipt: the private link right after the code, with its advice.
                b.goto(&format!("{base}{}", s.filed.path)).await;
                let advice = b.text("[data-testid=key-advice]").await;
                assert!(
                    advice.starts_with("Hãy lưu lại hoặc đánh dấu trang này"),
                    "{advice}"
                );
                assert!(comes_before(b, "[data-testid=private-link-box]", ".facts").await);
                assert!(
                    b.text("[data-testid=private-url]")
                        .await
                        .contains(&s.filed.path),
                    "the link is text on the page"
                );
                b.click("button[data-copy]").await;
                // The clipboard answers asynchronously: the status is written when it has.
                let said = b.text("[data-testid=copy-status]:not(:empty)").await;
                assert!(
                    said == "Đã sao chép đường dẫn." || said.starts_with("Không sao chép được"),
                    "the copy button answers: {said:?}"
                );
                b.screenshot("receipt").await.expect("screenshot");
                report.push_str(&problems(b, &format!("receipt-{w}")).await);

                // Asked for information: the question before the form that answers it.
                b.goto(&format!("{base}{}", s.asked.path)).await;
                let question = b.text("[data-testid=question-box]").await;
                assert!(
                    question.contains("Cơ quan đề nghị bạn bổ sung:"),
                    "{question}"
                );
                assert!(question.contains("Đề nghị bổ sung số hồ sơ."), "{question}");
                assert!(
                    exists(b, "[data-testid=question-due]").await,
                    "the date to answer by"
                );
                assert!(comes_before(b, "[data-testid=question-box]", ".facts").await);
                assert!(
                    comes_before(b, "[data-testid=question-box]", "[data-testid=answer-form]")
                        .await
                );
                b.screenshot("track-needs-info").await.expect("screenshot");
                report.push_str(&problems(b, &format!("track-needs-info-{w}")).await);

                // Refused: the reason in its own box at the top, no reply date, what to do now.
                b.goto(&format!("{base}{}", s.rejected.path)).await;
                let reason = b.text("[data-testid=ended-reason]").await;
                assert_eq!(reason, "Thiếu thông tin người gửi.");
                assert!(comes_before(b, "[data-testid=ended-box]", ".facts").await);
                assert!(!exists(b, "[data-testid=reply-due]").await, "no reply date");
                let explain = b.text("[data-testid=status-explain]").await;
                assert!(!explain.contains("bên dưới"), "{explain}");
                let now = b.text("[data-testid=what-now]").await;
                assert!(now.contains("Gửi phản ánh, kiến nghị mới"), "{now}");
                b.screenshot("track-rejected").await.expect("screenshot");
                report.push_str(&problems(b, &format!("track-rejected-{w}")).await);

                // Out of scope: the competent body; transferred: to whom, with the letter.
                b.goto(&format!("{base}{}", s.out_of_scope.path)).await;
                let now = b.text("[data-testid=what-now]").await;
                assert!(now.contains("Thanh tra tỉnh"), "{now}");
                assert!(!exists(b, "[data-testid=reply-due]").await, "no reply date");
                b.screenshot("track-out-of-scope")
                    .await
                    .expect("screenshot");
                report.push_str(&problems(b, &format!("track-out-of-scope-{w}")).await);
                b.goto(&format!("{base}{}", s.transferred.path)).await;
                let now = b.text("[data-testid=what-now]").await;
                assert!(
                    now.contains("Sở Tư pháp") && now.contains("123/SNV-VP"),
                    "{now}"
                );
                b.screenshot("track-transferred").await.expect("screenshot");
                report.push_str(&problems(b, &format!("track-transferred-{w}")).await);
            },
        )
        .await;
    }
    s.app.stop().await;
    assert!(report.is_empty(), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_english_browser_gets_vietnamese_and_staff_get_their_account_language() {
    let app = TestApp::spawn().await;
    people(&app).await;
    let base = app.base.clone();
    let english = Options {
        locale: Some("en-US"),
        ..Options::default()
    };
    let mut report = String::new();
    for (w, h) in SIZES {
        let prefix = format!("citizen-screens/english-browser-{w}");
        with_browser_options(&prefix, w, h, english, async |b: &Browser| {
            assert_eq!(
                b.eval("return navigator.language;").await.as_str(),
                Some("en-US"),
                "the browser is set to English"
            );
            b.goto(&format!("{base}/")).await;
            let lang = b.eval("return document.documentElement.lang;").await;
            assert_eq!(lang.as_str(), Some("vi"));
            let nav = b.text("[data-testid=top-nav]").await;
            for entry in ["Gửi PAKN", "Tra cứu", "Kết quả trả lời", "Danh bạ"] {
                assert!(nav.contains(entry), "{entry} in {nav}");
            }
            b.screenshot("home").await.expect("screenshot");
            report.push_str(&problems(b, &format!("home-english-browser-{w}")).await);

            // An officer whose account is Vietnamese: a Vietnamese dashboard (no language
            // was chosen in this browser).
            sign_in(b, &base, OFFICER_EMAIL).await;
            let lang = b.eval("return document.documentElement.lang;").await;
            assert_eq!(
                lang.as_str(),
                Some("vi"),
                "the dashboard follows the account"
            );
            b.screenshot("staff-queue").await.expect("screenshot");

            // The current page is marked in the navigation; every entry is a 44 px target.
            b.goto(&format!("{base}/track/forgot")).await;
            assert_eq!(
                b.text("[data-testid=top-nav] a[aria-current=page]").await,
                "Tra cứu"
            );
            let short = b
                .eval(
                    "return [...document.querySelectorAll('[data-testid=top-nav] a')]\
                     .filter(a => a.getBoundingClientRect().height < 43.5).length;",
                )
                .await;
            assert_eq!(short.as_i64(), Some(0), "nav targets of 44 px");

            // English when chosen, remembered.
            b.goto(&format!("{base}/directory?lang=en")).await;
            b.goto(&format!("{base}/answers")).await;
            assert_eq!(
                b.text("[data-testid=top-nav] a[aria-current=page]").await,
                "Answers"
            );
        })
        .await;
    }
    // An account set to English gets English in a Vietnamese browser, without choosing.
    diesel::update(users::table.filter(users::email.eq(OFFICER_EMAIL)))
        .set(users::lang.eq("en"))
        .execute(&mut app.conn().await)
        .await
        .expect("an English account");
    with_browser(
        "citizen-screens/english-account",
        1280,
        800,
        async |b: &Browser| {
            sign_in(b, &base, OFFICER_EMAIL).await;
            let lang = b.eval("return document.documentElement.lang;").await;
            assert_eq!(lang.as_str(), Some("en"), "the account's language");
            b.goto(&format!("{base}/")).await;
            let lang = b.eval("return document.documentElement.lang;").await;
            assert_eq!(
                lang.as_str(),
                Some("vi"),
                "the public site stays Vietnamese"
            );
        },
    )
    .await;
    app.stop().await;
    assert!(report.is_empty(), "{report}");
}

/// Prints the page to PDF (kept next to the screenshots) and returns its text.
async fn printed_text(b: &Browser, name: &str) -> String {
    let pdf = b
        .client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap_or_else(|e| panic!("printing {name}: {e}"));
    assert!(pdf.starts_with(b"%PDF"), "{name} prints as a PDF");
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots/citizen-screens");
    std::fs::create_dir_all(&dir).expect("the screenshot directory");
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/test installs it)");
    assert!(out.status.success(), "pdftotext {}", path.display());
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// Enters a PAKN as the officer over HTTP: the path of its paper receipt.
async fn enter(app: &TestApp) -> String {
    let c = client();
    login_ok(app, &c, OFFICER_EMAIL).await;
    let html = get(&c, app.url("/staff/tickets/new"))
        .await
        .text()
        .await
        .expect("the entry form");
    let mut fields: Vec<(&'static str, String)> = valid_fields("")
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "form_token" | "consent"))
        .collect();
    fields.push(("csrf", value_of(&html, "csrf")));
    fields.push(("entry_key", value_of(&html, "entry_key")));
    fields.push(("channel", "in_person".into()));
    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    fields.push(("received_on", today.format("%Y-%m-%d").to_string()));
    let form = fields
        .iter()
        .fold(Form::new(), |f, (k, v)| f.text(*k, v.clone()));
    let res = c
        .post(app.url("/staff/tickets/new"))
        .multipart(form)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "entered");
    res.headers()["location"]
        .to_str()
        .expect("the receipt")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn printed_receipts_carry_the_agency_and_the_national_heading() {
    let s = screens().await;
    let base = s.app.base.clone();
    let receipt = enter(&s.app).await;
    let mut report = String::new();
    with_browser("citizen-screens/print", 1280, 800, async |b: &Browser| {
        for (name, path) in [("receipt", &s.filed.path), ("track", &s.asked.path)] {
            b.goto(&format!("{base}{path}")).await;
            assert!(
                !b.wait_for("[data-testid=doc-heading]")
                    .await
                    .is_displayed()
                    .await
                    .expect("shown?"),
                "the heading is for paper only"
            );
            let text = printed_text(b, name).await;
            for want in [
                "SỞ NỘI VỤ TỈNH AN GIANG",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Độc lập - Tự do - Hạnh phúc",
                "An Giang, ngày",
            ] {
                assert!(text.contains(want), "{name} prints {want:?}:\n{text}");
            }
        }
    })
    .await;
    for (w, h) in SIZES {
        with_browser(
            &format!("citizen-screens/staff-receipt-{w}"),
            w,
            h,
            async |b: &Browser| {
                sign_in(b, &base, OFFICER_EMAIL).await;
                b.goto(&format!("{base}{receipt}")).await;
                b.wait_for("[data-testid=paper-receipt]").await;
                b.screenshot("staff-receipt").await.expect("screenshot");
                report.push_str(&problems(b, &format!("staff-receipt-{w}")).await);
                let text = printed_text(b, &format!("staff-receipt-{w}")).await;
                for want in [
                    "SỞ NỘI VỤ TỈNH AN GIANG",
                    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                    "GIẤY BIÊN NHẬN PHẢN ÁNH, KIẾN NGHỊ",
                    "Ông/Bà Nguyễn Thị Hoà",
                    "Người tiếp nhận",
                    "(Ký, ghi rõ họ tên)",
                    "Cán bộ cv",
                ] {
                    assert!(
                        text.contains(want),
                        "the staff receipt prints {want:?}:\n{text}"
                    );
                }
                assert!(!text.contains("của bạn"), "third person:\n{text}");
            },
        )
        .await;
    }
    // The PAKN entered at the counter was acknowledged to the citizen's email too.
    let mail = s.app.take_mail().await;
    assert_eq!(mail.of_kind("ack").who(), [("ack", mail_to(&[CITIZEN]))]);
    s.app.stop().await;
    assert!(report.is_empty(), "{report}");
}

async fn select(b: &Browser, css: &str, value: &str) {
    b.wait_for(css)
        .await
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("selecting {value} in {css}: {e}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filing_with_files_says_it_is_sending_and_ends_on_the_receipt() {
    let app = TestApp::spawn().await;
    let base = app.base.clone();
    let photo = std::env::temp_dir().join(format!("pakn-tien-do-{}.png", rand::random::<u32>()));
    std::fs::write(&photo, PNG).expect("write the photo");
    let photo_path = photo.to_string_lossy().to_string();
    for (w, h) in SIZES {
        with_browser(&format!("citizen-screens/sending-{w}"), w, h, async |b: &Browser| {
            b.goto(&format!("{base}/feedback/new")).await;
            b.fill("#full_name", "Nguyễn Thị Hoà").await;
            b.fill("#address", "12 Trần Hưng Đạo, phường Rạch Giá").await;
            b.fill("#phone", "0983 570 009").await;
            b.click("input[name=kind][value=phan_anh]").await;
            select(b, "#content_category", "cham_tre_phien_ha").await;
            select(b, "#field", "bao_hiem_xa_hoi").await;
            b.fill("#title", "Chậm giải quyết hồ sơ hưởng BHXH một lần").await;
            b.fill("#content", "Tôi nộp hồ sơ ngày 02/10/2026; đến nay đã quá hạn.").await;
            let input = b.wait_for("#attachments").await;
            input.send_keys(&photo_path).await.expect("choose the photo");
            b.click("#consent").await;
            // Hold the upload where the test can drive it: progress, then a lost network.
            b.eval(
                "window.__send = XMLHttpRequest.prototype.send;\
                 XMLHttpRequest.prototype.send = function () { window.__held = this; };",
            )
            .await;
            b.click("form.pakn-form button[type=submit]").await;
            b.wait_for("[data-testid=sending]").await;
            b.eval("window.__held.upload.onprogress({ lengthComputable: true, loaded: 42, total: 100 });")
                .await;
            assert_eq!(b.text(".send-progress-text").await, "Đang gửi… 42%");
            let button = b.wait_for("form.pakn-form button[type=submit]").await;
            assert_eq!(button.text().await.expect("label"), "Đang gửi…");
            assert!(!button.is_enabled().await.expect("enabled?"), "no second send");
            b.screenshot("form-sending").await.expect("screenshot");
            b.eval("window.__held.onerror();").await;
            let failed = b.text("[data-testid=send-failed]").await;
            assert!(failed.starts_with("Chưa gửi được"), "{failed}");
            assert!(button.is_enabled().await.expect("enabled?"), "sent again by hand");
            b.screenshot("form-send-failed").await.expect("screenshot");
            // The network is back: sent in the background, the receipt follows.
            b.eval("XMLHttpRequest.prototype.send = window.__send;").await;
            b.click("form.pakn-form button[type=submit]").await;
            let code = b.text("[data-testid=tracking-code]").await;
            assert_eq!(code.len(), 12, "{code}");
        })
        .await;
    }
    let _ = std::fs::remove_file(&photo);
    let mut conn = app.conn().await;
    let ids: Vec<i64> = tickets::table
        .select(tickets::id)
        .load(&mut conn)
        .await
        .expect("tickets");
    assert_eq!(ids.len(), 2, "one PAKN per filing, none twice");
    let files: i64 = attachments::table
        .filter(attachments::ticket_id.eq_any(&ids))
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(files, 2, "each with its photo");
    drop(conn);
    assert_eq!(
        app.take_mail().await.kinds(),
        ["notify", "notify"],
        "each filing notified once"
    );
    app.stop().await;
}
