//! axe-core on every public page (on a phone) and the main staff pages (on a desktop): no
//! serious or critical violation. Every finding of every page is printed before failing.

use super::{CHIEF, Site, form_with_errors, sign_in};
use crate::support::axe::blocking_report;
use crate::support::browser::{Browser, with_browser};

async fn check(b: &Browser, name: &str, report: &mut String) {
    let _ = b.screenshot(name).await;
    report.push_str(&blocking_report(b, name).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_page_has_a_serious_or_critical_axe_violation() {
    let site = Site::build().await;
    let base = site.app.base.clone();
    let mut report = String::new();

    with_browser("a11y/public", 360, 740, async |b: &Browser| {
        for (name, path) in site.public_pages() {
            b.goto(&format!("{base}{path}")).await;
            check(b, name, &mut report).await;
        }
        // The harness itself: a picture without text is found (critical) on a page.
        b.goto(&format!("{base}/directory")).await;
        b.eval("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/emblem.svg\">');")
            .await;
        let planted = blocking_report(b, "planted").await;
        assert!(planted.contains("image-alt"), "axe-core runs: {planted}");
        form_with_errors(b, &base).await;
        check(b, "form-with-errors", &mut report).await;
        // A lookup that finds nothing shows its message on the lookup page.
        b.goto(&format!("{base}/track")).await;
        b.fill("main input[name=code]", "ABCD-EFGH-23").await;
        b.fill("main input[name=contact]", "0900 000 000").await;
        b.click("main form[action='/track'] button[type=submit]").await;
        b.wait_for("[data-testid=notice]").await;
        check(b, "track-not-found", &mut report).await;
    })
    .await;

    with_browser("a11y/staff", 1280, 800, async |b: &Browser| {
        b.goto(&format!("{base}/staff/login")).await;
        check(b, "login", &mut report).await;
        sign_in(b, &base, CHIEF).await;
        for (name, path) in site.staff_pages() {
            b.goto(&format!("{base}{path}")).await;
            check(b, name, &mut report).await;
        }
    })
    .await;

    site.stop().await;
    assert!(report.is_empty(), "axe-core found:\n{report}");
}
