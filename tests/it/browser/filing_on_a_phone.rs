//! Issue 2 in a real browser: a citizen on a phone (360×740) files a PAKN with
//! Vietnamese text and an attachment, makes a mistake, fixes it and reads the code.
//! Screenshots of every step go to `target/screenshots/filing-on-a-phone/`.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use fantoccini::Locator;
use pakn::db::schema::{attachments, tickets};

use crate::filing::PNG;
use crate::support::app::TestApp;
use crate::support::browser::{Browser, with_browser};
use crate::support::outbox::filing_mail;

async fn select(b: &Browser, css: &str, value: &str) {
    let el = b.wait_for(css).await;
    el.select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("selecting {value} in {css}: {e}"));
}

async fn no_horizontal_scroll(b: &Browser) {
    let overflow = b
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
        .await;
    assert_eq!(overflow.as_i64(), Some(0), "the page scrolls sideways");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_citizen_files_from_a_phone_fixes_a_mistake_and_reads_the_code() {
    let app = TestApp::spawn().await;
    let photo = std::env::temp_dir().join(format!("pakn-anh-{}.png", rand::random::<u32>()));
    std::fs::write(&photo, PNG).expect("write the photo");
    let base = app.base.clone();
    let photo_path = photo.to_string_lossy().to_string();
    let code = with_browser("filing-on-a-phone", 360, 740, async |b: &Browser| {
        b.goto(&format!("{base}/")).await;
        b.screenshot("home").await.expect("screenshot");
        no_horizontal_scroll(b).await;
        b.click("a.button-primary").await;
        b.wait_for("form.pakn-form").await;
        b.screenshot("form-empty").await.expect("screenshot");
        no_horizontal_scroll(b).await;

        b.fill("#full_name", "Nguyễn Thị Hoà").await;
        b.fill("#address", "12 Trần Hưng Đạo, phường Rạch Giá, An Giang").await;
        b.fill("#phone", "0983 57").await; // the mistake: too short
        b.fill("#email", "hoa.nguyen@example.vn").await;
        b.click("input[name=kind][value=phan_anh]").await;
        select(b, "#content_category", "cham_tre_phien_ha").await;
        select(b, "#field", "bao_hiem_xa_hoi").await;
        b.fill("#title", "Chậm giải quyết hồ sơ hưởng BHXH một lần").await;
        b.fill(
            "#content",
            "Tôi nộp hồ sơ ngày 02/10/2026 tại bộ phận một cửa; đến nay đã quá hạn mà chưa có kết quả, cán bộ hẹn lại nhiều lần.",
        )
        .await;
        let file_input = b.wait_for("#attachments").await;
        file_input.send_keys(&photo_path).await.expect("choose the file");
        b.click("#consent").await;
        b.screenshot("form-filled").await.expect("screenshot");
        b.click("button[type=submit]").await;

        b.wait_for("#error-summary").await;
        b.screenshot("form-with-error").await.expect("screenshot");
        no_horizontal_scroll(b).await;
        let phone_error = b.text("#phone-error").await;
        assert!(phone_error.contains("Số điện thoại không hợp lệ"), "{phone_error}");
        let kept_title = b
            .client
            .find(Locator::Css("#title"))
            .await
            .expect("title")
            .prop("value")
            .await
            .expect("value");
        assert_eq!(kept_title.as_deref(), Some("Chậm giải quyết hồ sơ hưởng BHXH một lần"));
        let kept_file = b.text(".kept-files").await;
        assert!(kept_file.contains(".png"), "the photo is kept: {kept_file}");

        b.fill("#phone", "0983 570 009").await;
        b.screenshot("form-fixed").await.expect("screenshot");
        b.click("button[type=submit]").await;
        let code = b.text("[data-testid=tracking-code]").await;
        b.screenshot("receipt").await.expect("screenshot");
        no_horizontal_scroll(b).await;
        code
    })
    .await;
    assert_eq!(code.len(), 12, "shown as XXXX-XXXX-XX: {code}");
    let mut conn = app.conn().await;
    let (id, stored): (i64, String) = tickets::table
        .select((tickets::id, tickets::code))
        .first(&mut conn)
        .await
        .expect("one ticket");
    assert_eq!(stored, code.replace('-', ""));
    let files: i64 = attachments::table
        .filter(attachments::ticket_id.eq(id))
        .count()
        .get_result(&mut conn)
        .await
        .expect("files");
    assert_eq!(files, 1, "the photo chosen before the mistake was filed");
    let _ = std::fs::remove_file(&photo);
    drop(conn);
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}
