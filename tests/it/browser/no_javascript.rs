//! Without JavaScript (Chromium with JavaScript blocked, as a user or a locked-down
//! office PC sets it): a PAKN is filed with a file and a mistake fixed, found again with
//! its code and phone, and the citizen answers a request for information.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{attachments, tickets};
use pakn::domain::workflow::Action;

use crate::filing::PNG;
use crate::support::app::TestApp;
use crate::support::browser::{Browser, Options, with_browser_options};
use crate::support::outbox::{DEPUTY, mail_to};
use crate::workflow::OFFICER_EMAIL;
use crate::workflow::{full_step, people, status_of, step_at};

async fn select(b: &Browser, css: &str, value: &str) {
    let el = b.wait_for(css).await;
    el.select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("selecting {value} in {css}: {e}"));
}

/// app.js unhides the print button: hidden means no page script ran.
async fn print_button_hidden(b: &Browser) -> bool {
    b.eval("return document.querySelector('button[data-print]').hidden;")
        .await
        .as_bool()
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread")]
async fn filing_tracking_and_answering_work_without_javascript() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    let photo = std::env::temp_dir().join(format!("pakn-nojs-{}.png", rand::random::<u32>()));
    std::fs::write(&photo, PNG).expect("write the photo");
    let photo_path = photo.to_string_lossy().to_string();
    let base = app.base.clone();
    let no_js = Options {
        javascript: false,
        ..Options::default()
    };

    let (code, private) = with_browser_options(
        "no-javascript/file",
        360,
        740,
        no_js,
        async |b: &Browser| {
            b.goto(&format!("{base}/")).await;
            b.click("a.button-primary").await;
            b.wait_for("form.pakn-form").await;
            // The organisation's fields appear when chosen (CSS, no script).
            b.click("#sk-organization").await;
            assert!(
                b.wait_for("#organization")
                    .await
                    .is_displayed()
                    .await
                    .unwrap_or(false)
            );
            assert!(
                !b.wait_for("#full_name")
                    .await
                    .is_displayed()
                    .await
                    .unwrap_or(true)
            );
            b.click("#sk-individual").await;
            b.fill("#full_name", "Lê Thị Cúc").await;
            b.fill("#address", "8 Lý Thái Tổ, phường Châu Đốc, An Giang")
                .await;
            b.fill("#phone", "0912 345 67").await; // one digit short
            b.click("input[name=kind][value=phan_anh]").await;
            select(b, "#content_category", "khac").await;
            select(b, "#field", "can_bo_cong_chuc").await;
            b.fill("#title", "Chưa được trả lời đơn xin chuyển công tác")
                .await;
            b.fill(
                "#content",
                "Tôi nộp đơn xin chuyển công tác từ tháng 8/2026, đến nay chưa có trả lời.",
            )
            .await;
            let file_input = b.wait_for("#attachments").await;
            file_input
                .send_keys(&photo_path)
                .await
                .expect("choose the file");
            b.click("#consent").await;
            b.click("form.pakn-form button[type=submit]").await;

            b.wait_for("#error-summary").await;
            b.screenshot("form-with-error").await.expect("screenshot");
            let kept = b.text(".kept-files").await;
            assert!(
                kept.contains(".png"),
                "the file is kept without script: {kept}"
            );
            b.fill("#phone", "0912 345 678").await;
            b.click("form.pakn-form button[type=submit]").await;
            let code = b.text("[data-testid=tracking-code]").await;
            assert!(print_button_hidden(b).await, "no page script ran");
            b.screenshot("receipt").await.expect("screenshot");
            let private = b.text(".private-link .url").await;

            // Found again with the code and the phone on the lookup page.
            b.goto(&format!("{base}/track")).await;
            b.fill("#code", &code.to_lowercase()).await;
            b.fill("#contact", "0912345678").await;
            b.click("main form[action='/track'] button[type=submit]")
                .await;
            let found = b.text("[data-testid=tracking-code]").await;
            assert_eq!(found, code);
            b.screenshot("found").await.expect("screenshot");
            (code, private)
        },
    )
    .await;

    let mut conn = app.conn().await;
    let (id, files): (i64, i64) = {
        let id: i64 = tickets::table
            .filter(tickets::code.eq(code.replace('-', "")))
            .select(tickets::id)
            .first(&mut conn)
            .await
            .expect("the ticket");
        let files = attachments::table
            .filter(attachments::ticket_id.eq(id))
            .count()
            .get_result(&mut conn)
            .await
            .expect("files");
        (id, files)
    };
    assert_eq!(files, 1, "filed with its photo");
    step_at(
        &app,
        id,
        &p.officer,
        full_step(Action::AskInfo, 0, 0, ""),
        Utc::now(),
    )
    .await
    .expect("ask for information");

    with_browser_options(
        "no-javascript/answer",
        360,
        740,
        no_js,
        async |b: &Browser| {
            b.goto(&private).await;
            b.fill(
                "#answer-text",
                "Đơn nộp ngày 05/08/2026 tại bộ phận văn thư, số đến 1520.",
            )
            .await;
            b.click("[data-testid=answer-form] button[type=submit]")
                .await;
            b.wait_for("[data-testid=citizen-done]").await;
            b.screenshot("answered").await.expect("screenshot");
        },
    )
    .await;
    assert_eq!(
        status_of(&mut conn, id).await,
        "submitted",
        "back to the unit"
    );
    let _ = std::fs::remove_file(&photo);
    drop(conn);
    // Filed as an organisation without an email: no acknowledgement; the unit's officer
    // hears of the information sent.
    let mut want = vec![
        ("notify", mail_to(&[DEPUTY])),
        ("notify_unit", mail_to(&[OFFICER_EMAIL])),
        ("notify_staff", mail_to(&[crate::workflow::LEADER_EMAIL])),
    ];
    want.push(("update.answer_info", mail_to(&[OFFICER_EMAIL])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}
