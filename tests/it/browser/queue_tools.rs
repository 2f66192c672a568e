//! Issue 17, item 8 in Chromium: the queue sorted by due date with its handler column,
//! a dozen rows and more on the first screen of a 1280 × 800 desktop, a card per PAKN on
//! a 360 px phone without sideways scrolling, and a leader's bulk assign through the
//! form (no script needed). Screenshots in `target/screenshots/queue_tools/`.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::tickets;
use pakn::domain::workflow::Action;

use super::sign_in;
use crate::auth::UNIT;
use crate::support::app::TestApp;
use crate::support::axe::blocking_report;
use crate::support::browser::{Browser, with_browser};
use crate::workflow::{LEADER_EMAIL, OFFICER_EMAIL, full_step, people, step_at};

/// Files `n` PAKN of [`UNIT`] today; the first `accepted` are accepted for the officer,
/// and the first of those is a week overdue. Their ids and codes, in filing order.
async fn queue_of(app: &TestApp, n: i64, accepted: usize) -> Vec<(i64, String)> {
    let p = people(app).await;
    let unit = crate::auth::unit_id(app, UNIT).await;
    let mut filed = Vec::new();
    for i in 0..n {
        let title = format!("Phản ánh {i}: chậm giải quyết hồ sơ thi tuyển công chức cấp xã");
        let phone = format!("09130{i:05}");
        let code =
            crate::queue::file_ticket(app, "Trần Thị Mai", &title, "can_bo_cong_chuc", &phone, 0)
                .await;
        let id: i64 = tickets::table
            .filter(tickets::code.eq(&code))
            .select(tickets::id)
            .first(&mut app.conn().await)
            .await
            .expect("id");
        filed.push((id, code));
    }
    for (id, _) in filed.iter().take(accepted) {
        let step = full_step(Action::Accept, p.officer_id, unit, "");
        step_at(app, *id, &p.leader, step, Utc::now())
            .await
            .expect("accepted");
    }
    let today = pakn::domain::calendar::local_date(Utc::now());
    diesel::update(tickets::table.find(filed[0].0))
        .set(tickets::reply_due.eq(today - Duration::days(7)))
        .execute(&mut app.conn().await)
        .await
        .expect("overdue");
    let _ = app.take_mail().await;
    filed
}

/// The rows whose whole line is on the first screen.
async fn rows_on_first_screen(b: &Browser) -> i64 {
    b.eval(
        "return Array.from(document.querySelectorAll('table.queue tbody tr'))
           .filter(r => r.getBoundingClientRect().bottom <= window.innerHeight).length;",
    )
    .await
    .as_i64()
    .unwrap_or_default()
}

async fn scrolls_sideways(b: &Browser) -> bool {
    b.eval("return document.documentElement.scrollWidth > document.documentElement.clientWidth;")
        .await
        .as_bool()
        .unwrap_or(true)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_by_due_date_with_handlers_and_a_bulk_assign() {
    let app = TestApp::spawn().await;
    let filed = queue_of(&app, 18, 3).await;
    let base = app.base.clone();
    let mut report = String::new();

    with_browser("queue_tools/leader-1280", 1280, 800, async |b: &Browser| {
        sign_in(b, &base, LEADER_EMAIL).await;
        b.goto(&format!("{base}/staff/tickets")).await;
        b.wait_for("table.queue").await;
        let _ = b.screenshot("queue-by-due").await;
        report.push_str(&blocking_report(b, "queue").await);
        // Sorted by the due date, the overdue PAKN first, with its handler named.
        let due_head = b.text("th[aria-sort=ascending]").await;
        assert!(due_head.starts_with("Hạn"), "{due_head}");
        let first = b.text("table.queue tbody tr:first-child").await;
        let first_code = b.text("table.queue tbody tr:first-child .code-link").await;
        assert_eq!(first_code.replace(['-', ' '], ""), filed[0].1.replace(['-', ' '], ""));
        assert!(first.contains("Quá hạn") && first.contains("ngày làm việc"), "{first}");
        assert!(first.contains("Cán bộ cv"), "the handler column: {first}");
        let second = b.text("table.queue tbody tr:nth-child(2)").await;
        assert!(second.contains("Chưa phân công") && second.contains("Hạn tiếp nhận"), "{second}");
        assert!(b.text("th.col-assignee").await.contains("Người xử lý"));
        let shown = rows_on_first_screen(b).await;
        assert!(shown >= 12, "{shown} rows on the first screen");
        assert!(!scrolls_sideways(b).await);
        // The filters are folded away until opened.
        let open = b.eval("return document.querySelector('details.filters-panel').open;").await;
        assert_eq!(open.as_bool(), Some(false));

        // Bulk assign two PAKN waiting to be accepted.
        for (_, code) in &filed[3..5] {
            b.click(&format!("input[name=ticket][value='{code}']")).await;
        }
        let officer_id: i32 = b
            .eval("return Array.from(document.querySelectorAll('#bulk-assignee option')).find(o => o.textContent.startsWith('Cán bộ cv')).value;")
            .await
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("the officer is offered");
        b.wait_for("#bulk-assignee")
            .await
            .select_by_value(&officer_id.to_string())
            .await
            .expect("select the officer");
        let _ = b.screenshot("bulk-selected").await;
        b.click_to_next_page("button[name=action][value=assign]").await;
        let summary = b.text("[data-testid=bulk-summary]").await;
        assert_eq!(summary, "Đã phân công 2 PAKN.");
        let _ = b.screenshot("bulk-result").await;
        report.push_str(&blocking_report(b, "bulk-result").await);
        b.click_to_next_page("main a.button-primary").await;
        b.wait_for("table.queue").await;
        let _ = b.screenshot("queue-after-bulk").await;
    })
    .await;

    for (id, _) in &filed[3..5] {
        let assignee: Option<i32> = tickets::table
            .find(id)
            .select(tickets::assignee_id)
            .first(&mut app.conn().await)
            .await
            .expect("assignee");
        assert!(assignee.is_some(), "assigned");
    }
    let mail = app.take_mail().await;
    assert_eq!(
        mail.who().len(),
        2,
        "the officer is told of each: {:?}",
        mail.who()
    );

    with_browser("queue_tools/phone-360", 360, 740, async |b: &Browser| {
        sign_in(b, &base, LEADER_EMAIL).await;
        b.goto(&format!("{base}/staff/tickets")).await;
        b.wait_for("table.queue").await;
        let _ = b.screenshot("queue-phone").await;
        assert!(
            !scrolls_sideways(b).await,
            "no sideways scrolling at 360 px"
        );
        report.push_str(&blocking_report(b, "queue-phone").await);
        b.eval("window.scrollTo(0, 600);").await;
        let _ = b.screenshot("queue-phone-cards").await;
        b.goto(&format!("{base}/staff/tickets?due=overdue")).await;
        let _ = b.screenshot("queue-phone-overdue").await;
    })
    .await;

    with_browser(
        "queue_tools/officer-1280",
        1280,
        800,
        async |b: &Browser| {
            sign_in(b, &base, OFFICER_EMAIL).await;
            b.goto(&format!("{base}/staff/tickets")).await;
            b.wait_for("table.queue").await;
            let _ = b.screenshot("officer-mine").await;
            report.push_str(&blocking_report(b, "officer-mine").await);
            let count = b.text("[data-testid=queue-count]").await;
            assert_eq!(
                count, "5 PAKN",
                "the officer's own: three accepted, two assigned"
            );
            b.click("details.filters-panel summary").await;
            let _ = b.screenshot("officer-filters-open").await;
        },
    )
    .await;

    app.stop().await;
    assert!(report.is_empty(), "axe-core found:\n{report}");
}
