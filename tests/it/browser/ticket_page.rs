//! Issue 17, item 9 in Chromium: the staff ticket page shows the citizen's words above
//! the fold on a desktop and puts the expected next step first (a leader on a new PAKN,
//! the handling officer on one in progress, a leader on a draft to approve); axe-core
//! finds nothing serious on it nor on the reply templates' admin screen; screenshots at
//! 360 and 1280 px.

use chrono::Utc;
use pakn::domain::workflow::Action;

use super::{file, sign_in};
use crate::auth::UNIT;
use crate::support::axe::blocking_report;
use crate::support::browser::{Browser, with_browser};
use crate::support::outbox::mail_to;
use crate::workflow::{LEADER_EMAIL, OFFICER_EMAIL, filed_mail, full_step, people, step_at};

/// The action of the first action form inside `#actions`.
async fn first_action(b: &Browser) -> String {
    b.eval("return document.querySelector('#actions form[data-action]').dataset.action;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Opens a ticket page and checks it with axe-core, adding what it finds to `report`.
async fn visit(b: &Browser, base: &str, code: &str, name: &str, report: &mut String) {
    b.goto(&format!("{base}/staff/tickets/{code}")).await;
    b.wait_for("[data-testid=status]").await;
    report.push_str(&blocking_report(b, name).await);
}

/// Where the citizen's words start and the viewport's height (CSS pixels).
async fn content_top(b: &Browser) -> (f64, f64) {
    let v = b
        .eval(
            "const r = document.querySelector('[data-testid=ticket-content] .prose')\
             .getBoundingClientRect(); return [r.top, window.innerHeight];",
        )
        .await;
    let n = |i: usize| v[i].as_f64().unwrap_or(f64::MAX);
    (n(0), n(1))
}

/// Screenshots the top of the page and its actions.
async fn shots(b: &Browser, name: &str) {
    b.screenshot(name).await.expect("screenshot");
    b.eval("document.getElementById('actions').scrollIntoView();")
        .await;
    b.screenshot(&format!("{name}-actions"))
        .await
        .expect("screenshot");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_next_step_comes_first_and_the_content_is_above_the_fold() {
    let app = crate::support::app::TestApp::spawn().await;
    let submitted = file(&app, "Chậm giải quyết hồ sơ thi tuyển công chức").await;
    let in_progress = file(&app, "Không được hướng dẫn hồ sơ nâng ngạch").await;
    let pending = file(&app, "Chưa nhận quyết định nghỉ hưu").await;
    let p = people(&app).await;
    let unit_id = crate::auth::unit_id(&app, UNIT).await;
    let to = |id, actions: &'static [Action]| {
        let (app, p) = (&app, &p);
        async move {
            for &action in actions {
                step_at(
                    app,
                    id,
                    &p.officer,
                    full_step(action, p.officer_id, unit_id, ""),
                    Utc::now(),
                )
                .await
                .expect("a move");
            }
        }
    };
    to(in_progress.id, &[Action::Accept, Action::StartWork]).await;
    to(
        pending.id,
        &[Action::Accept, Action::StartWork, Action::SubmitDraft],
    )
    .await;
    let base = app.base.clone();
    let mut report = String::new();

    for (width, height) in [(1280, 800), (360, 740)] {
        with_browser(
            &format!("ticket_page/leader-{width}"),
            width,
            height,
            async |b: &Browser| {
                sign_in(b, &base, LEADER_EMAIL).await;
                visit(b, &base, &submitted.code, "submitted", &mut report).await;
                assert_eq!(
                    first_action(b).await,
                    "accept",
                    "a new PAKN is to be accepted"
                );
                let next = b.text("[data-testid=next-action] h3").await;
                assert!(next.contains("Việc cần làm tiếp"), "{next}");
                let danger = b.text("[data-testid=danger-zone]").await;
                assert!(danger.contains("Từ chối tiếp nhận"), "{danger}");
                if width == 1280 {
                    let (top, fold) = content_top(b).await;
                    assert!(top + 48.0 < fold, "content at {top} px, fold at {fold} px");
                }
                shots(b, &format!("submitted-{width}")).await;
                visit(b, &base, &pending.code, "pending-approval", &mut report).await;
                assert_eq!(first_action(b).await, "approve");
                let date = b
                    .eval("return document.getElementById('approve-date').value;")
                    .await;
                assert!(!date.as_str().unwrap_or_default().is_empty(), "today");
                shots(b, &format!("pending-approval-{width}")).await;
                visit(
                    b,
                    &base,
                    &in_progress.code,
                    "in-progress-leader",
                    &mut report,
                )
                .await;
                let wait = b.text("[data-testid=next-wait]").await;
                assert!(wait.contains("soạn dự thảo"), "{wait}");
            },
        )
        .await;
        with_browser(
            &format!("ticket_page/officer-{width}"),
            width,
            height,
            async |b: &Browser| {
                sign_in(b, &base, OFFICER_EMAIL).await;
                visit(b, &base, &in_progress.code, "in-progress", &mut report).await;
                assert_eq!(first_action(b).await, "submit_draft", "the officer drafts");
                let rows = b
                    .eval("return document.getElementById('submit_draft-body').rows;")
                    .await;
                assert!(rows.as_i64().unwrap_or_default() >= 16, "{rows}");
                // A template goes straight into the draft.
                b.eval(
                    "const s = document.getElementById('submit_draft-template'); \
                     s.selectedIndex = 1;",
                )
                .await;
                b.click("[data-testid=template-picker-submit_draft] button[type=submit]")
                    .await;
                let body = b
                    .eval("return document.getElementById('submit_draft-body').value;")
                    .await;
                assert!(
                    body.as_str().unwrap_or_default().contains("Sở Nội vụ"),
                    "{body}"
                );
                if width == 1280 {
                    let (top, fold) = content_top(b).await;
                    assert!(top + 48.0 < fold, "content at {top} px, fold at {fold} px");
                }
                shots(b, &format!("in-progress-{width}")).await;
            },
        )
        .await;
    }
    // The new admin screen: the list and its form.
    crate::auth::create_user(&app, "qt@sonoivu.vn", &["admin"], None).await;
    for (width, height) in [(1280, 800), (360, 740)] {
        with_browser(
            &format!("ticket_page/admin-{width}"),
            width,
            height,
            async |b: &Browser| {
                // An admin lands on the admin index, not the queue.
                b.goto(&format!("{base}/staff/login")).await;
                b.fill("#email", "qt@sonoivu.vn").await;
                b.fill("#password", crate::auth::PASSWORD).await;
                b.click("form[action='/staff/login'] button[type=submit]")
                    .await;
                b.wait_for("ul.admin-sections").await;
                for (path, name) in [
                    ("/staff/admin/reply-templates", "reply-templates"),
                    ("/staff/admin/reply-templates/new", "reply-template-new"),
                ] {
                    b.goto(&format!("{base}{path}")).await;
                    b.wait_for("main h1").await;
                    report.push_str(&blocking_report(b, name).await);
                    b.screenshot(&format!("{name}-{width}"))
                        .await
                        .expect("screenshot");
                }
                let list = b.text("main").await;
                assert!(list.contains("Mẫu trả lời"), "{list}");
            },
        )
        .await;
    }
    assert!(report.is_empty(), "axe-core found:\n{report}");
    let mut want = [filed_mail(), filed_mail(), filed_mail()].concat();
    want.push(("update.submit_draft", mail_to(&[LEADER_EMAIL])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}
