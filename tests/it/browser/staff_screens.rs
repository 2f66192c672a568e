//! Issue 17, items 10–11 in Chromium: staff entry's error summary names each field; the
//! users list at one line of actions per user; 403 and 404 inside the dashboard keep the
//! staff chrome. Screenshots at 1280 and 360 px; axe-core clean on each.

use super::{CHIEF, sign_in};
use crate::auth::{OTHER_UNIT, create_user};
use crate::support::app::TestApp;
use crate::support::axe::blocking_report;
use crate::support::browser::{Browser, with_browser};
use crate::workflow::file;

async fn entry_errors(b: &Browser, base: &str) -> String {
    b.goto(&format!("{base}/staff/tickets/new")).await;
    b.fill("#title", "Phản ánh nhận qua điện thoại").await;
    b.click("form.pakn-form button[type=submit]").await;
    b.wait_for("#error-summary").await;
    b.text("#error-summary").await
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_entry_errors_name_fields_and_staff_errors_keep_the_dashboard() {
    let app = TestApp::spawn().await;
    create_user(
        &app,
        CHIEF,
        &["officer", "leader", "admin"],
        Some(crate::auth::UNIT),
    )
    .await;
    create_user(&app, "kt@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    let (_, code) = file(&app, "Chậm trả kết quả hồ sơ nâng lương").await;
    let _ = app.take_mail().await;
    let base = app.base.clone();
    let mut report = String::new();
    for (prefix, width, height) in [
        ("staff-screens/desk", 1280, 800),
        ("staff-screens/phone", 360, 740),
    ] {
        with_browser(prefix, width, height, async |b: &Browser| {
            sign_in(b, &base, CHIEF).await;
            let summary = entry_errors(b, &base).await;
            for named in ["Họ và tên:", "Số điện thoại:", "Lĩnh vực: Vui lòng chọn một mục.", "Nội dung:"] {
                assert!(summary.contains(named), "{named} in {summary}");
            }
            assert_eq!(
                b.eval("return document.querySelector('#title').value").await,
                "Phản ánh nhận qua điện thoại",
                "the typed title is kept"
            );
            let _ = b.screenshot("entry-errors").await;
            report.push_str(&blocking_report(b, "entry-errors").await);
            // The summary links move to their field.
            b.click("#error-summary a[href='#phone']").await;
            assert_eq!(b.eval("return document.activeElement.id").await, "phone");

            b.goto(&format!("{base}/staff/users")).await;
            b.wait_for("table.user-table").await;
            let _ = b.screenshot("users").await;
            report.push_str(&blocking_report(b, "users").await);
            let height: f64 = b
                .eval("return document.querySelector('table.user-table tbody tr').getBoundingClientRect().height")
                .await
                .as_f64()
                .unwrap_or(1e9);
            if width >= 1280 {
                assert!(height < 90.0, "a user's row is compact: {height} px");
            }
            b.click("table.user-table tbody tr details.reset-password summary").await;
            b.wait_for("details.reset-password[open] input[type=password]").await;
            let _ = b.screenshot("users-reset-open").await;
        })
        .await;
    }
    // An officer of another unit meets a 404 inside the dashboard, and a 403 likewise.
    with_browser("staff-screens/errors", 1280, 800, async |b: &Browser| {
        b.goto(&format!("{base}/staff/login")).await;
        b.fill("#email", "kt@sonoivu.vn").await;
        b.fill("#password", crate::auth::PASSWORD).await;
        b.click("form[action='/staff/login'] button[type=submit]")
            .await;
        b.wait_for(".staff-nav").await;
        b.goto(&format!("{base}/staff/tickets/{code}")).await;
        b.wait_for("[data-testid=staff-error]").await;
        assert!(
            b.text(".staff-nav").await.len() > 3,
            "the staff navigation is there"
        );
        let _ = b.screenshot("not-found").await;
        report.push_str(&blocking_report(b, "not-found").await);
        b.goto(&format!("{base}/staff/users")).await;
        b.wait_for("[data-testid=staff-error]").await;
        assert!(b.text("h1").await.contains("Không có quyền"));
        let _ = b.screenshot("forbidden").await;
        b.click("[data-testid=staff-error] a.button").await;
        b.wait_for(".staff-nav").await;
        let back: String = b
            .eval("return location.pathname")
            .await
            .as_str()
            .unwrap_or("")
            .to_string();
        assert!(
            back.starts_with("/staff/tickets"),
            "back to the work: {back}"
        );
    })
    .await;
    app.stop().await;
    assert!(report.is_empty(), "axe-core found:\n{report}");
}
