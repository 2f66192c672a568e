//! Issue 21, item 5 in Chromium: the staff search with the administration's words (an
//! abbreviation finds the words in full, the best matches first, the words marked in
//! titles and excerpts, the count) on a 1280 px desktop and a 360 px phone; `/answers`
//! searched the same way; the admins' list of abbreviations and synonyms and its form.
//! No sideways scrolling, no serious axe-core finding. Screenshots in
//! `target/screenshots/search_words/`.

use chrono::{NaiveDate, Utc};

use super::sign_in;
use crate::auth::create_user;
use crate::search_words::file_pakn;
use crate::support::app::TestApp;
use crate::support::axe::blocking_report;
use crate::support::browser::{Browser, with_browser};

const LEADER: &str = "lanhdao@sonoivu.vn";
const ADMIN: &str = "quantri@sonoivu.vn";

/// PAKN that write "thủ tục hành chính" and "TTHC" in their titles or only in their
/// content, and three published answers about social insurance.
async fn site() -> TestApp {
    let app = TestApp::spawn().await;
    create_user(&app, LEADER, &["leader"], None).await;
    create_user(&app, ADMIN, &["admin"], None).await;
    let pakn = [
        (
            "Đề nghị công khai quy trình giải quyết hồ sơ đất đai",
            "Bộ phận một cửa chưa niêm yết TTHC cấp giấy chứng nhận quyền sử dụng đất, người dân phải hỏi nhiều lần.",
        ),
        (
            "Chậm giải quyết TTHC cấp giấy phép lao động",
            "Hồ sơ nộp từ ngày 02/03 đến nay vẫn chưa có kết quả, không được báo lý do.",
        ),
        (
            "Thủ tục hành chính về đăng ký kết hôn còn rườm rà",
            "Đề nghị bỏ yêu cầu nộp bản sao giấy tờ đã có trong cơ sở dữ liệu dân cư.",
        ),
        (
            "Cán bộ một cửa hướng dẫn không đầy đủ",
            "Khi làm thủ tục hành chính chuyển hộ khẩu, tôi được hướng dẫn ba lần mỗi lần một khác, mất nhiều ngày công.",
        ),
        (
            "Không nhận được phiếu hẹn trả kết quả",
            "Tôi nộp hồ sơ cấp lại CCCD nhưng không được phát phiếu hẹn.",
        ),
        (
            "Đề nghị rút ngắn thời hạn giải quyết TTHC về bảo hiểm xã hội",
            "Thời hạn 20 ngày là quá dài so với quy định mới.",
        ),
    ];
    let mut ids = Vec::new();
    for (i, (title, content)) in pakn.iter().enumerate() {
        ids.push(file_pakn(&app, title, content, i as i64).await.0);
    }
    let answers = [
        (
            "Chậm chi trả BHXH một lần cho người lao động",
            "Người lao động nghỉ việc từ tháng 1 nhưng đến nay chưa nhận được bảo hiểm xã hội một lần.",
        ),
        (
            "Hướng dẫn cấp lại sổ bảo hiểm xã hội bị mất",
            "Tôi làm mất sổ BHXH, đề nghị hướng dẫn thủ tục cấp lại.",
        ),
        (
            "Thời hạn giải quyết chế độ thai sản",
            "Công ty đã nộp hồ sơ hưởng chế độ thai sản lên cơ quan BHXH hơn một tháng.",
        ),
    ];
    let today = pakn::domain::calendar::local_date(Utc::now());
    for (i, (title, question)) in answers.iter().enumerate() {
        publish(
            &app,
            ids[i],
            title,
            question,
            today - chrono::Days::new(i as u64 * 3),
        )
        .await;
    }
    let _ = app.take_mail().await;
    app
}

async fn publish(app: &TestApp, id: i64, title: &str, question: &str, on: NaiveDate) {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use pakn::db::schema::public_answers as pa;
    let answer = "Sở Nội vụ đã đề nghị cơ quan bảo hiểm xã hội giải quyết dứt điểm trong tháng.";
    diesel::insert_into(pa::table)
        .values((
            pa::public_id.eq(pakn::domain::publication::new_public_id(&mut rand::rng())),
            pa::ticket_id.eq(id),
            pa::field_code.eq("bao_hiem_xa_hoi"),
            pa::title.eq(title),
            pa::question.eq(question),
            pa::answer.eq(answer),
            pa::answered_on.eq(on),
            pa::search_text.eq(pakn::domain::masking::search_text(&[
                title, question, answer,
            ])),
            pa::published_at.eq(Utc::now()),
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("a published answer");
}

async fn scrolls_sideways(b: &Browser) -> bool {
    b.eval("return document.documentElement.scrollWidth > document.documentElement.clientWidth;")
        .await
        .as_bool()
        .unwrap_or(true)
}

async fn marks(b: &Browser, css: &str) -> Vec<String> {
    b.eval(&format!(
        "return Array.from(document.querySelectorAll('{css} mark')).map(m => m.textContent);"
    ))
    .await
    .as_array()
    .map(|a| {
        a.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    })
    .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_search_answers_and_the_synonyms_screen_on_a_desktop_and_a_phone() {
    let app = site().await;
    let base = app.base.clone();
    let mut report = String::new();

    for (width, height) in [(1280, 800), (360, 740)] {
        let prefix = format!("search_words/staff-{width}");
        with_browser(&prefix, width, height, async |b: &Browser| {
            sign_in(b, &base, LEADER).await;
            b.goto(&format!("{base}/staff/tickets?q=TTHC")).await;
            b.wait_for("table.queue").await;
            let _ = b.screenshot("search-tthc").await;
            report.push_str(&blocking_report(b, &format!("staff-search-{width}")).await);
            assert!(!scrolls_sideways(b).await, "{width}: no sideways scrolling");
            assert_eq!(b.text("[data-testid=queue-count]").await, "5 kết quả");
            assert_eq!(
                b.text("[data-testid=search-also]").await,
                "Tìm cả: thủ tục hành chính"
            );
            let first = b.text("table.queue tbody tr:first-child .row-title").await;
            assert!(
                first.contains("TTHC") || first.to_lowercase().contains("thủ tục hành chính"),
                "a title match first: {first}"
            );
            let found = marks(b, "table.queue").await;
            assert!(found.iter().any(|m| m == "TTHC"), "{found:?}");
            assert!(
                found
                    .iter()
                    .any(|m| m.to_lowercase() == "thủ tục hành chính"),
                "the words in full are marked too: {found:?}"
            );
            if width == 360 {
                b.eval("document.querySelector('table.queue tbody tr').scrollIntoView();")
                    .await;
                let _ = b.screenshot("search-tthc-cards").await;
            }
            // Sorted by a column, the page offers relevance back.
            b.goto(&format!(
                "{base}/staff/tickets?q=TTHC&sort=received&dir=desc"
            ))
            .await;
            b.wait_for("a[data-testid=search-order]").await;
            let _ = b.screenshot("search-by-date").await;
        })
        .await;

        let prefix = format!("search_words/answers-{width}");
        with_browser(&prefix, width, height, async |b: &Browser| {
            b.goto(&format!("{base}/answers?q=bao+hiem+xa+hoi")).await;
            b.wait_for("[data-testid=answers]").await;
            let _ = b.screenshot("answers-search").await;
            b.eval("document.querySelector('[data-testid=search-count]').scrollIntoView();")
                .await;
            let _ = b.screenshot("answers-results").await;
            report.push_str(&blocking_report(b, &format!("answers-search-{width}")).await);
            assert!(!scrolls_sideways(b).await, "{width}: no sideways scrolling");
            assert_eq!(b.text("[data-testid=search-count]").await, "3 kết quả");
            let found = marks(b, "[data-testid=answers]").await;
            assert!(found.iter().any(|m| m == "BHXH"), "{found:?}");
            assert!(found.iter().any(|m| m == "bảo hiểm xã hội"), "{found:?}");
        })
        .await;

        let prefix = format!("search_words/admin-{width}");
        with_browser(&prefix, width, height, async |b: &Browser| {
            // An admin lands on the admin home, not the queue.
            b.goto(&format!("{base}/staff/login")).await;
            b.fill("#email", ADMIN).await;
            b.fill("#password", crate::auth::PASSWORD).await;
            b.click_to_next_page("form[action='/staff/login'] button[type=submit]")
                .await;
            b.goto(&format!("{base}/staff/admin/synonyms")).await;
            b.wait_for("#synonym-1").await;
            let _ = b.screenshot("synonyms").await;
            b.eval("document.querySelector('#synonym-1').scrollIntoView();")
                .await;
            let _ = b.screenshot("synonyms-list").await;
            report.push_str(&blocking_report(b, &format!("synonyms-{width}")).await);
            assert!(!scrolls_sideways(b).await, "{width}: no sideways scrolling");
            b.goto(&format!("{base}/staff/admin/synonyms/new")).await;
            let (terms, taken) = if width == 360 {
                (
                    "GDĐT\ngiáo dục và đào tạo",
                    "ĐGNL\nkỳ thi đánh giá năng lực",
                )
            } else {
                ("ĐGNL\nđánh giá năng lực", "GDĐT\ngiáo dục, đào tạo")
            };
            b.fill("textarea[name=terms]", terms).await;
            let _ = b.screenshot("synonym-new").await;
            report.push_str(&blocking_report(b, &format!("synonym-form-{width}")).await);
            b.click_to_next_page("main form button[type=submit]").await;
            let notice = b.text("#admin-notice").await;
            assert_eq!(notice, "Đã thêm.");
            b.eval("window.scrollTo(0, document.body.scrollHeight);")
                .await;
            let _ = b.screenshot("synonym-added").await;
            // A group's form: its terms one a line, and its removal apart.
            b.goto(&format!("{base}/staff/admin/synonyms/7")).await;
            let terms = b.text("textarea[name=terms]").await;
            assert!(
                terms.contains("CCCD") && terms.contains("căn cước"),
                "{terms}"
            );
            assert_eq!(
                b.text("form[action='/staff/admin/synonyms/7/delete'] button")
                    .await,
                "Xóa nhóm"
            );
            let _ = b.screenshot("synonym-edit").await;
            report.push_str(&blocking_report(b, &format!("synonym-edit-{width}")).await);
            // The desktop's group, seen from the phone, is taken.
            if width == 360 {
                b.goto(&format!("{base}/staff/admin/synonyms/new")).await;
                b.fill("textarea[name=terms]", taken).await;
                b.click("main form button[type=submit]").await;
                b.wait_for("#error-summary").await;
                let _ = b.screenshot("synonym-taken").await;
                report.push_str(&blocking_report(b, "synonym-taken").await);
            }
        })
        .await;
    }

    app.stop().await;
    assert!(report.is_empty(), "axe-core found:\n{report}");
}
