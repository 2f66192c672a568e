//! Issue 18 in Chromium: a leader reads the six-month report with its four charts and
//! their data tables, groups it by lĩnh vực through the form, follows a figure to the
//! queue of the PAKN it counts, opens the printable report; the public figures with
//! their charts; at 1280 px and on a 360 px phone without sideways scrolling, with
//! axe-core finding nothing blocking. Screenshots in `target/screenshots/reports/`.

use super::sign_in;
use crate::support::app::TestApp;
use crate::support::axe::blocking_report;
use crate::support::browser::{Browser, with_browser};
use crate::workflow::LEADER_EMAIL;

const CHARTS: [&str; 4] = [
    "report-chart-trend",
    "report-chart-on-time",
    "report-chart-received",
    "report-chart-satisfaction",
];

async fn scrolls_sideways(b: &Browser) -> bool {
    b.eval("return document.documentElement.scrollWidth > document.documentElement.clientWidth;")
        .await
        .as_bool()
        .unwrap_or(true)
}

/// Each chart's drawing: an `svg` with the role of an image, named by its title.
async fn chart_titles(b: &Browser) -> Vec<String> {
    let titles = b
        .eval(
            "return Array.from(document.querySelectorAll('section.chart-card svg[role=img]'))
               .map(s => { const id = s.getAttribute('aria-labelledby').split(' ')[0];
                           return document.getElementById(id).textContent; });",
        )
        .await;
    titles
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_reads_charts_groups_the_report_and_follows_a_figure() {
    let app = TestApp::spawn().await;
    crate::reports::fixture(&app).await;
    let base = app.base.clone();
    let mut report = String::new();

    with_browser("reports/leader-1280", 1280, 900, async |b: &Browser| {
        sign_in(b, &base, LEADER_EMAIL).await;
        b.goto(&format!("{base}/staff/reports?period=2026-H1"))
            .await;
        b.wait_for("[data-testid=report-summary]").await;
        let _ = b.screenshot("report-h1").await;
        report.push_str(&blocking_report(b, "report-h1").await);
        for id in CHARTS {
            b.wait_for(&format!("[data-testid={id}] svg[role=img]"))
                .await;
        }
        let titles = chart_titles(b).await;
        assert_eq!(titles.len(), 4, "{titles:?}");
        assert!(titles.contains(&"Tiếp nhận và trả lời theo tháng".to_string()));
        assert!(titles.contains(&"Tỷ lệ trả lời đúng hạn theo đơn vị".to_string()));
        // The data table of the trend, folded under its chart, holds January's receipt.
        b.click("[data-testid=report-chart-trend] details.chart-data summary")
            .await;
        let data = b
            .text("[data-testid=report-chart-trend] details.chart-data table")
            .await;
        assert!(data.contains("01/2026"), "{data}");
        assert!(!scrolls_sideways(b).await);

        // Grouped by lĩnh vực through the form.
        b.wait_for("#r-by")
            .await
            .select_by_value("field")
            .await
            .expect("the grouping");
        b.click_to_next_page("form.report-form button[type=submit]")
            .await;
        let heading = b.text(".report-table-heading").await;
        assert!(heading.contains("lĩnh vực"), "{heading}");
        assert_eq!(b.text("[data-testid=total-received]").await, "7");
        let _ = b.screenshot("report-by-field").await;

        // A figure leads to the queue of the PAKN it counts.
        b.click_to_next_page("[data-testid=total-received] a").await;
        b.wait_for("table.queue").await;
        let rows = b
            .eval("return document.querySelectorAll('table.queue tbody tr').length;")
            .await
            .as_i64()
            .unwrap_or_default();
        assert_eq!(rows, 7, "the seven PAKN received in the half-year");
        let _ = b.screenshot("queue-of-figure").await;

        b.goto(&format!("{base}/staff/reports/print?period=2026-H1"))
            .await;
        b.wait_for(".report-signatures").await;
        assert_eq!(chart_titles(b).await.len(), 4, "the charts print");
        let _ = b.screenshot("report-print").await;
    })
    .await;

    with_browser("reports/phone-360", 360, 740, async |b: &Browser| {
        sign_in(b, &base, LEADER_EMAIL).await;
        b.goto(&format!("{base}/staff/reports?period=2026-H1"))
            .await;
        b.wait_for("[data-testid=report-chart-trend]").await;
        assert!(
            !scrolls_sideways(b).await,
            "no sideways scrolling at 360 px"
        );
        let _ = b.screenshot("report-phone").await;
        report.push_str(&blocking_report(b, "report-phone").await);
        b.eval("document.querySelector('[data-testid=report-chart-on-time]').scrollIntoView();")
            .await;
        let _ = b.screenshot("report-phone-charts").await;
        b.goto(&format!("{base}/statistics")).await;
        b.wait_for("section.chart-card").await;
        assert!(!scrolls_sideways(b).await, "/statistics at 360 px");
        let _ = b.screenshot("statistics-phone").await;
        report.push_str(&blocking_report(b, "statistics-phone").await);
    })
    .await;

    with_browser("reports/public-1280", 1280, 900, async |b: &Browser| {
        b.goto(&format!("{base}/statistics")).await;
        b.wait_for("section.chart-card").await;
        let titles = chart_titles(b).await;
        assert!(
            titles.contains(&"Tiếp nhận và trả lời đúng hạn theo tháng".to_string()),
            "{titles:?}"
        );
        let _ = b.screenshot("statistics").await;
        report.push_str(&blocking_report(b, "statistics").await);
    })
    .await;

    app.stop().await;
    assert!(report.is_empty(), "axe-core found:\n{report}");
}
