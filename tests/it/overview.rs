//! Issue 18, item 3: the overview's period, rates and charts, against counters with
//! known figures (the overview reads the counters only, so the fixture writes them).

use chrono::{Datelike, NaiveDate, Utc};
use pakn::db::counters;
use reqwest::StatusCode;

use crate::auth::{OTHER_UNIT, UNIT, client, create_user, get, login_ok, unit_id};
use crate::support::app::TestApp;

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = get(c, app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("body")
}

fn kpi(page: &str, id: &str) -> String {
    let marker = format!("data-testid=\"{id}\">");
    let at = page.find(&marker).unwrap_or_else(|| panic!("{id} shown")) + marker.len();
    page[at..].split('<').next().unwrap_or_default().to_string()
}

/// The figures:
/// - last year, March, unit A, Việc làm: 10 received (8 answered, 2 submitted), 6 on
///   time and 2 late, rated 3 satisfied and 1 neutral;
/// - last year, December, unit B, Tôn giáo: 4 received (closed), 4 on time, 1
///   unsatisfied;
/// - this month, unit A, Việc làm: 5 submitted.
async fn fixture(app: &TestApp) -> (i32, i32) {
    let (a, b) = (unit_id(app, UNIT).await, unit_id(app, OTHER_UNIT).await);
    let today = pakn::domain::calendar::local_date(Utc::now());
    let last_year = today.year() - 1;
    let march = NaiveDate::from_ymd_opt(last_year, 3, 1).expect("date");
    let december = NaiveDate::from_ymd_opt(last_year, 12, 1).expect("date");
    let this_month = today.with_day(1).expect("date");
    let rows: [(i32, &str, &str, NaiveDate, i64); 11] = [
        (a, "viec_lam", "answered", march, 8),
        (a, "viec_lam", "submitted", march, 2),
        (a, "viec_lam", "outcome:on_time", march, 6),
        (a, "viec_lam", "outcome:late", march, 2),
        (a, "viec_lam", "outcome:rating_satisfied", march, 3),
        (a, "viec_lam", "outcome:rating_neutral", march, 1),
        (b, "ton_giao", "closed", december, 4),
        (b, "ton_giao", "outcome:on_time", december, 4),
        (b, "ton_giao", "outcome:rating_unsatisfied", december, 1),
        (a, "viec_lam", "submitted", this_month, 3),
        // Two more on another shard: reads sum the shards.
        (a, "viec_lam", "submitted", this_month, 2),
    ];
    let mut conn = app.conn().await;
    for (unit, field, status, month, n) in rows {
        counters::add(&mut conn, unit, field, status, month, n)
            .await
            .expect("counter");
    }
    (a, b)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_gives_a_periods_rates_and_charts() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let leader = client();
    login_ok(&app, &leader, "lanhdao@sonoivu.vn").await;

    let now = page(&leader, &app, "/staff/overview").await;
    assert_eq!(kpi(&now, "total-open"), "7");
    assert_eq!(kpi(&now, "total-month"), "5");
    assert_eq!(kpi(&now, "rate-ontime"), "–", "nothing answered this month");
    assert!(now.contains("Tháng này ("), "{now}");
    assert!(now.contains("aria-current=\"page\">Tháng này</a>"));

    let year = page(&leader, &app, "/staff/overview?period=last_year").await;
    assert_eq!(kpi(&year, "total-month"), "14");
    assert_eq!(kpi(&year, "total-ontime"), "10");
    assert_eq!(kpi(&year, "total-late"), "2");
    assert_eq!(kpi(&year, "rate-ontime"), "83,3 %");
    assert_eq!(kpi(&year, "rate-satisfaction"), "60 %");
    assert_eq!(
        kpi(&year, "total-open"),
        "7",
        "open is now, whatever the period"
    );
    let last_year = Utc::now().year() - 1;
    assert!(year.contains(&format!(
        "Năm trước (01/01/{last_year} – 31/12/{last_year})"
    )));

    // The charts: SVG with a title, a description and a table of the figures.
    for id in [
        "chart-per-month",
        "chart-on-time",
        "chart-fields",
        "chart-satisfaction",
    ] {
        let at = year
            .find(&format!("data-testid=\"{id}\""))
            .unwrap_or_else(|| panic!("{id} shown"));
        let section = &year[at..at + year[at..].find("</section>").expect("end")];
        assert!(
            section.contains(&format!(
                "role=\"img\" aria-labelledby=\"{id}-title {id}-desc\""
            )),
            "{id}: {section}"
        );
        assert!(section.contains(&format!("<title id=\"{id}-title\">")));
        assert!(section.contains(&format!("<desc id=\"{id}-desc\">")));
        assert!(section.contains("<details class=\"chart-data\">"));
        assert!(section.contains("<table class=\"chart-table\">"));
    }
    // Rates per unit, best first, printed at the bar's end, names whole in the table.
    let unit_a = "Phòng Tổ chức cán bộ – công chức";
    let unit_b = "Tổ kiểm tra công vụ";
    assert!(year.contains(&format!("<title>{unit_b}: 100 %</title>")));
    assert!(year.contains(&format!("<title>{unit_a}: 75 %</title>")));
    assert!(
        year.find(&format!("<title>{unit_b}: 100 %"))
            < year.find(&format!("<title>{unit_a}: 75 %"))
    );
    assert!(year.contains(&format!("<th scope=\"row\">{unit_a}</th><td>75 %</td>")));
    assert!(year.contains("<title>Việc làm: 10</title>"));
    assert!(year.contains(">Hài lòng: 3 (60 %)</text>"));

    // An officer sees their unit's figures only.
    let officer = client();
    login_ok(&app, &officer, "cv@sonoivu.vn").await;
    let theirs = page(&officer, &app, "/staff/overview?period=last_year").await;
    assert_eq!(kpi(&theirs, "total-month"), "10");
    assert_eq!(kpi(&theirs, "rate-ontime"), "75 %");
    assert_eq!(kpi(&theirs, "rate-satisfaction"), "75 %");
    assert!(!theirs.contains(unit_b), "another unit's name is not shown");
    // An unknown period is this month.
    let odd = page(&officer, &app, "/staff/overview?period=x").await;
    assert_eq!(kpi(&odd, "total-month"), "5");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_period_says_so_instead_of_drawing() {
    let app = TestApp::spawn().await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let leader = client();
    login_ok(&app, &leader, "lanhdao@sonoivu.vn").await;
    let empty = page(&leader, &app, "/staff/overview?period=this_year").await;
    assert_eq!(kpi(&empty, "total-month"), "0");
    assert_eq!(kpi(&empty, "rate-satisfaction"), "–");
    assert_eq!(empty.matches("Chưa có số liệu trong kỳ này.").count(), 4);
    app.stop().await;
}
