//! Issue 18: the periodic report from the report aggregates. A fixture of PAKN with known
//! dates across the boundaries of months, quarters and half-years (in Vietnam time), Tết
//! 2026, a late answer, a reopened and a withdrawn PAKN; exact figures on the page, in
//! the XLSX (read back) and the CSV (parsed); role limits; `/statistics` without
//! personal data; the reconciliation agrees with the write paths and repairs drift.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::tickets;
use pakn::domain::workflow::Action;
use pakn::handling::{Context, Who};
use reqwest::StatusCode;

use crate::auth::{OTHER_UNIT, UNIT, client, create_user, get, login_ok};
use crate::support::app::TestApp;
use crate::support::count;
use crate::workflow::{People, file, full_step, people, step_at};

/// An instant given in Vietnam time (`2026-03-31 23:30`).
fn vn(s: &str) -> DateTime<Utc> {
    let local = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("a time");
    (local - chrono::Duration::hours(7)).and_utc()
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

/// Puts ticket `id` in `unit`, received at `at`, with the reply due on `due`.
async fn backdate(app: &TestApp, id: i64, unit: i32, at: DateTime<Utc>, due: &str) {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::received_at.eq(at),
            tickets::unit_id.eq(unit),
            tickets::reply_due.eq(day(due)),
            tickets::accept_due.eq(day(due)),
        ))
        .execute(&mut app.conn().await)
        .await
        .expect("backdated");
}

async fn step(app: &TestApp, p: &People, id: i64, who: &Who, action: Action, at: &str) {
    let unit = crate::auth::unit_id(app, UNIT).await;
    step_at(
        app,
        id,
        who,
        full_step(action, p.officer_id, unit, ""),
        vn(at),
    )
    .await
    .unwrap_or_else(|e| panic!("{action:?} at {at}: {e}"));
}

/// Accepted, started, drafted and approved on `day` (09:00 to 09:30).
async fn answer_on(app: &TestApp, p: &People, id: i64, day: &str) {
    for (who, action, time) in [
        (&p.officer, Action::Accept, "09:00"),
        (&p.officer, Action::StartWork, "09:10"),
        (&p.officer, Action::SubmitDraft, "09:20"),
        (&p.leader, Action::Approve, "09:30"),
    ] {
        step(app, p, id, who, action, &format!("{day} {time}")).await;
    }
}

async fn reconcile(app: &TestApp) -> i64 {
    let state = app.state();
    pakn::handling::report_reconcile::run(&mut app.conn().await, &state.cfg, None, Utc::now())
        .await
        .expect("reconciled")
        .fixed
}

async fn rate_on(app: &TestApp, id: i64, at: &str) {
    use pakn::handling::rating::{Rating, RatingInput, rate};
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now: vn(at),
    };
    let input = RatingInput {
        rating: Rating::Satisfied,
        comment: String::new(),
        not_resolved: false,
    };
    rate(&mut app.conn().await, &ctx, id, input)
        .await
        .expect("rated");
}

/// The fixture (2026, unit UNIT unless said):
/// - A: received 31/03 23:30 (Q1), answered 03/04 on time (3 working days);
/// - B: received 30/06 23:59 (H1), answered 30/07, late (22 working days);
/// - C: received 01/07 00:15 (H2; still 30/06 in UTC), withdrawn 02/07;
/// - D: received 13/02 (before Tết), answered 24/02 on time (2 working days: Tết);
/// - E: received 05/01, answered 20/01 on time (11), rated 22/01, reopened 25/01,
///   answered again 02/02 (not counted twice);
/// - F: received 10/05, refused 11/05;
/// - G: received 10/04, asked for information 13/04, answered by the citizen 14/04,
///   still open and overdue;
/// - H: received 02/03 in OTHER_UNIT, still open.
pub async fn fixture(app: &TestApp) -> People {
    let p = people(app).await;
    let unit = crate::auth::unit_id(app, UNIT).await;
    let other = crate::auth::unit_id(app, OTHER_UNIT).await;
    let plan = [
        ("A", unit, "2026-03-31 23:30", "2026-04-20"),
        ("B", unit, "2026-06-30 23:59", "2026-07-20"),
        ("C", unit, "2026-07-01 00:15", "2026-07-21"),
        ("D", unit, "2026-02-13 10:00", "2026-03-10"),
        ("E", unit, "2026-01-05 10:00", "2026-01-26"),
        ("F", unit, "2026-05-10 10:00", "2026-06-01"),
        ("G", unit, "2026-04-10 10:00", "2026-04-30"),
        ("H", other, "2026-03-02 10:00", "2026-03-23"),
    ];
    let mut ids = std::collections::HashMap::new();
    for (name, unit, at, due) in plan {
        let (id, _) = file(app, &format!("Báo cáo: hồ sơ {name} chậm giải quyết")).await;
        backdate(app, id, unit, vn(at), due).await;
        ids.insert(name, id);
    }
    // The filings counted today; the backdating is repaired from the tickets.
    assert!(reconcile(app).await > 0);
    answer_on(app, &p, ids["A"], "2026-04-03").await;
    answer_on(app, &p, ids["B"], "2026-07-30").await;
    step(
        app,
        &p,
        ids["C"],
        &Who::Citizen,
        Action::Withdraw,
        "2026-07-02 08:00",
    )
    .await;
    answer_on(app, &p, ids["D"], "2026-02-24").await;
    answer_on(app, &p, ids["E"], "2026-01-20").await;
    rate_on(app, ids["E"], "2026-01-22 10:00").await;
    step(
        app,
        &p,
        ids["E"],
        &p.leader,
        Action::Reopen,
        "2026-01-25 10:00",
    )
    .await;
    step(
        app,
        &p,
        ids["E"],
        &p.officer,
        Action::SubmitDraft,
        "2026-02-02 09:00",
    )
    .await;
    step(
        app,
        &p,
        ids["E"],
        &p.leader,
        Action::Approve,
        "2026-02-02 09:30",
    )
    .await;
    step(
        app,
        &p,
        ids["F"],
        &p.officer,
        Action::Reject,
        "2026-05-11 09:00",
    )
    .await;
    step(
        app,
        &p,
        ids["G"],
        &p.officer,
        Action::AskInfo,
        "2026-04-13 09:00",
    )
    .await;
    step(
        app,
        &p,
        ids["G"],
        &Who::Citizen,
        Action::AnswerInfo,
        "2026-04-14 09:00",
    )
    .await;
    let _ = app.take_mail().await;
    p
}

/// The totals row's figures of a report page, by figure id.
fn total(page: &str, figure: &str) -> String {
    let marker = format!("data-testid=\"total-{figure}\">");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("total {figure} in the page"))
        + marker.len();
    let rest = &page[start..];
    let end = rest.find("</td>").expect("end of cell");
    let cell = &rest[..end];
    // A linked figure: the link's text.
    match cell.find('>') {
        Some(i) if cell.starts_with("<a") => cell[i + 1..].trim_end_matches("</a>").to_string(),
        _ => cell.to_string(),
    }
}

async fn report(c: &reqwest::Client, app: &TestApp, query: &str) -> String {
    let res = get(c, app.url(&format!("/staff/reports?{query}"))).await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.text().await.expect("body")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_counts_the_fixture_exactly_and_the_reconciliation_agrees() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    // The write paths wrote what the tickets and their timeline say.
    assert_eq!(reconcile(&app).await, 0, "no drift after the moves");
    let c = client();
    login_ok(&app, &c, crate::workflow::LEADER_EMAIL).await;

    let h1 = report(&c, &app, "period=2026-H1&basis=receipt&by=unit").await;
    for (figure, want) in [
        ("received", "7"),
        ("accepted", "4"),
        ("refused", "1"),
        ("withdrawn", "0"),
        ("on_time", "3"),
        ("late", "1"),
        ("rate", "75,0%"),
        ("info_requested", "1"),
        ("satisfied", "1"),
        ("reopened", "1"),
        ("open", "2"),
        ("overdue", "2"),
        ("not_yet_due", "0"),
        ("median", "3"),
        ("p90", "22"),
    ] {
        assert_eq!(total(&h1, figure), want, "H1 by receipt: {figure}");
    }
    assert!(h1.contains("6 tháng đầu năm 2026"), "the period's name");
    assert!(h1.contains("Trong kỳ, tiếp nhận"), "the summary");

    // By the date of the facts: B's late answer and C's withdrawal are in H2.
    let h1_event = report(&c, &app, "period=2026-H1&basis=event&by=field").await;
    assert_eq!(total(&h1_event, "on_time"), "3");
    assert_eq!(total(&h1_event, "late"), "0");
    let h2_event = report(&c, &app, "period=2026-H2&basis=event&by=unit").await;
    assert_eq!(
        total(&h2_event, "received"),
        "1",
        "C, received 01/07 in Vietnam"
    );
    assert_eq!(total(&h2_event, "late"), "1");
    assert_eq!(total(&h2_event, "withdrawn"), "1");

    // Month and quarter boundaries in Vietnam time.
    let q1 = report(&c, &app, "period=2026-Q1").await;
    assert_eq!(total(&q1, "received"), "4", "A (31/03 23:30), D, E, H");
    let march = report(&c, &app, "period=2026-03").await;
    assert_eq!(total(&march, "received"), "2", "A and H");
    let april = report(&c, &app, "period=2026-04&basis=event").await;
    assert_eq!(total(&april, "on_time"), "1", "A");
    assert_eq!(total(&april, "info_requested"), "1", "G");
    // Tết: D took 2 working days.
    let feb = report(
        &c,
        &app,
        "period=range&from=2026-02-01&to=2026-02-28&basis=event",
    )
    .await;
    assert_eq!(total(&feb, "median"), "2");

    // The figure links to the PAKN it counts.
    let unescaped = h1.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        unescaped.contains("/staff/tickets?from=2026-01-01&to=2026-06-30&outcome=late&state=all")
    );
    let linked = get(
        &c,
        app.url("/staff/tickets?from=2026-01-01&to=2026-06-30&outcome=late&state=all"),
    )
    .await
    .text()
    .await
    .expect("queue");
    assert!(linked.contains("hồ sơ B"), "B is listed");
    assert!(!linked.contains("hồ sơ A"), "A is not");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documents_carry_the_figures_and_the_vietnamese_text() {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let c = client();
    login_ok(&app, &c, crate::workflow::LEADER_EMAIL).await;
    let query = "period=2026-H1&basis=receipt&by=unit";

    let res = get(&c, app.url(&format!("/staff/reports/report.csv?{query}"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("bao-cao-pakn-2026-H1.csv")
    );
    let csv = res.text().await.expect("csv");
    assert!(csv.starts_with('\u{feff}'), "a byte order mark");
    assert!(csv.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
    let lines: Vec<&str> = csv.split("\r\n").collect();
    let totals: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("Tổng cộng,"))
        .collect();
    assert_eq!(
        totals.len(),
        2,
        "a totals row per table (by unit, by lĩnh vực)"
    );
    let cells: Vec<&str> = totals[0].split(',').collect();
    assert_eq!(&cells[1..4], ["7", "4", "1"], "received, accepted, refused");
    assert!(
        totals[0].contains(",\"75,0%\","),
        "the rate is quoted: it holds a comma"
    );
    assert!(
        csv.contains("Phòng Tổ chức cán bộ"),
        "the unit's name intact"
    );

    let res = get(&c, app.url(&format!("/staff/reports/report.xlsx?{query}"))).await;
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.expect("xlsx");
    let mut book = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX");
    let sheet = book
        .worksheet_range_at(0)
        .expect("a sheet")
        .expect("readable");
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    let text = |d: &Data| d.to_string();
    assert!(
        rows.iter()
            .flatten()
            .any(|d| text(d).starts_with("BÁO CÁO KẾT QUẢ"))
    );
    let total_row = rows
        .iter()
        .find(|r| r.as_slice().first().is_some_and(|d| text(d) == "Tổng cộng"))
        .expect("a totals row");
    assert_eq!(total_row[1], Data::Float(7.0), "received");
    assert_eq!(total_row[7], Data::Float(3.0), "on time");
    assert_eq!(text(&total_row[9]), "75,0%", "the rate");
    assert!(
        rows.iter()
            .flatten()
            .any(|d| text(d).contains("Phòng Tổ chức cán bộ"))
    );

    let print = get(&c, app.url(&format!("/staff/reports/print?{query}")))
        .await
        .text()
        .await
        .expect("print");
    assert!(print.contains("data-testid=\"doc-heading\""));
    assert!(print.contains("THỦ TRƯỞNG CƠ QUAN"));
    assert!(print.contains("Bảng 2."));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_officer_sees_their_unit_and_an_admin_no_report() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let c = client();
    login_ok(&app, &c, crate::workflow::OFFICER_EMAIL).await;
    let mine = report(&c, &app, "period=2026-H1").await;
    assert_eq!(
        total(&mine, "received"),
        "6",
        "H, of another unit, is left out"
    );
    assert!(!mine.contains("Tổ kiểm tra công vụ"));

    create_user(&app, "qt@sonoivu.vn", &["admin"], None).await;
    let admin = client();
    login_ok(&app, &admin, "qt@sonoivu.vn").await;
    for path in [
        "/staff/reports",
        "/staff/reports/report.csv",
        "/staff/reports/print",
    ] {
        let res = get(&admin, app.url(path)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // The inspector sees every unit.
    create_user(&app, "kt@sonoivu.vn", &["inspector"], None).await;
    let inspector = client();
    login_ok(&app, &inspector, "kt@sonoivu.vn").await;
    assert_eq!(
        total(
            &report(&inspector, &app, "period=2026-H1").await,
            "received"
        ),
        "7"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_public_figures_carry_no_personal_data() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    let res = reqwest::get(app.url("/statistics"))
        .await
        .expect("statistics");
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.expect("body");
    assert!(
        page.contains("Cán bộ, công chức, viên chức"),
        "the lĩnh vực"
    );
    assert!(
        page.contains("<td>7</td>") || page.contains("<td>8</td>"),
        "counts"
    );
    for personal in [
        "Nguyễn Thị Hoà",
        "0983",
        "hoa.nguyen@example.vn",
        "Trần Hưng Đạo",
        "hồ sơ A",
        "Chậm giải quyết",
        "quá hạn mà chưa có kết quả",
    ] {
        assert!(!page.contains(personal), "{personal} on /statistics");
    }
    let home = reqwest::get(app.url("/"))
        .await
        .expect("home")
        .text()
        .await
        .expect("home");
    assert!(home.contains("href=\"/statistics\""));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reconciliation_repairs_injected_drift_and_says_how_much() {
    let app = TestApp::spawn().await;
    fixture(&app).await;
    assert_eq!(reconcile(&app).await, 0);
    let mut conn = app.conn().await;
    // One count inflated, one removed.
    diesel::sql_query(
        "UPDATE report_counts SET n = n + 5
          WHERE (basis, day, metric) = ('receipt', '2026-03-31', 'received')",
    )
    .execute(&mut conn)
    .await
    .expect("inflated");
    diesel::sql_query(
        "DELETE FROM report_counts WHERE basis = 'event' AND metric = 'answered_late'",
    )
    .execute(&mut conn)
    .await
    .expect("removed");
    assert_eq!(reconcile(&app).await, 2, "two counts repaired");
    assert_eq!(reconcile(&app).await, 0, "and then none");
    let audited = count(
        &mut conn,
        "SELECT count(*)::bigint AS n FROM audit_log
          WHERE entity = 'report_counts' AND action = 'reconcile' AND (after ->> 'fixed')::int = 2",
    )
    .await;
    assert_eq!(audited, 1);
    drop(conn);
    let c = client();
    login_ok(&app, &c, crate::workflow::LEADER_EMAIL).await;
    let h1 = report(&c, &app, "period=2026-H1").await;
    assert_eq!(total(&h1, "received"), "7");
    let h2 = report(&c, &app, "period=2026-H2&basis=event").await;
    assert_eq!(total(&h2, "late"), "1");
    app.stop().await;
}

/// The rows of `report_months` the periodic fold has not summed yet.
async fn unfolded(app: &TestApp) -> i64 {
    count(
        &mut app.conn().await,
        "SELECT count(*)::bigint AS n FROM report_months WHERE NOT folded",
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_months_come_from_the_roll_ups_and_the_days_around_them_from_the_daily_counts() {
    let app = TestApp::spawn().await;
    let _people = fixture(&app).await;
    let state = app.state();
    let done =
        pakn::handling::report_reconcile::run(&mut app.conn().await, &state.cfg, None, Utc::now())
            .await
            .expect("reconciled");
    assert_eq!(
        (done.fixed, done.months_fixed),
        (0, 0),
        "the trigger kept up"
    );
    assert_eq!(
        unfolded(&app).await,
        0,
        "the reconciliation folds the roll-ups"
    );
    let unit = crate::auth::unit_id(&app, UNIT).await;
    let c = client();
    login_ok(&app, &c, crate::workflow::LEADER_EMAIL).await;
    // 15/03–15/07: A on the days before April, B, F and G in the whole months April to
    // June, C on the days after; H and D and E before the range.
    let range = "period=range&from=2026-03-15&to=2026-07-15&basis=receipt&by=unit";
    assert_eq!(total(&report(&c, &app, range).await, "received"), "5");
    assert_eq!(
        total(
            &report(&c, &app, "period=2026-H1&by=field").await,
            "received"
        ),
        "7"
    );
    // A new move writes delta rows; the fold sums them into one row per key, and the
    // figures stay the same before and after.
    let (id, _) = file(&app, "Báo cáo: một PAKN hôm nay").await;
    let withdraw = full_step(Action::Withdraw, 0, unit, "");
    step_at(&app, id, &Who::Citizen, withdraw, Utc::now())
        .await
        .expect("withdrawn");
    let _ = app.take_mail().await;
    assert!(unfolded(&app).await > 0);
    let this_year = format!("period={}&basis=event", chrono::Datelike::year(&Utc::now()));
    let before = total(&report(&c, &app, &this_year).await, "withdrawn");
    assert_ne!(before, "0", "today's withdrawal");
    let folded = pakn::handling::report_reconcile::fold(&mut app.conn().await)
        .await
        .expect("folded");
    assert!(folded > 0);
    assert_eq!(unfolded(&app).await, 0);
    assert_eq!(
        total(&report(&c, &app, &this_year).await, "withdrawn"),
        before
    );
    // Drift in the roll-ups alone shows in a whole-month report, and is repaired.
    diesel::sql_query(
        "INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n)
         VALUES ('receipt', '2026-04-01', $1, 'kind', 'phan_anh', 'received', 3)",
    )
    .bind::<diesel::sql_types::Integer, _>(unit)
    .execute(&mut app.conn().await)
    .await
    .expect("drift injected");
    assert_eq!(
        total(&report(&c, &app, "period=2026-H1").await, "received"),
        "10"
    );
    let done =
        pakn::handling::report_reconcile::run(&mut app.conn().await, &state.cfg, None, Utc::now())
            .await
            .expect("reconciled");
    assert_eq!((done.fixed, done.months_fixed), (0, 1));
    assert_eq!(
        total(&report(&c, &app, "period=2026-H1").await, "received"),
        "7"
    );
    app.stop().await;
}

/// The href of the total's figure `figure` on a report page.
fn total_link(page: &str, figure: &str) -> String {
    let marker = format!("data-testid=\"total-{figure}\"><a href=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("a link on total {figure}"))
        + marker.len();
    page[start..]
        .split('"')
        .next()
        .expect("the href")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// The queue's count of the PAKN a link lists ("4 PAKN").
async fn queue_count(c: &reqwest::Client, app: &TestApp, href: &str) -> String {
    let page = get(c, app.url(href)).await.text().await.expect("queue");
    let marker = "data-testid=\"queue-count\" role=\"status\">";
    let start = page.find(marker).expect("the count") + marker.len();
    page[start..].split('<').next().expect("text").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_count_links_to_the_queue_of_the_pakn_it_counts() {
    let app = TestApp::spawn_with(|cfg| cfg.server.counts_cache_secs = 0).await;
    fixture(&app).await;
    let c = client();
    login_ok(&app, &c, crate::workflow::LEADER_EMAIL).await;
    for (query, figure, expected) in [
        // A, B, D and E were accepted; G was asked for information, E reopened and rated.
        ("period=2026-H1", "accepted", "4 PAKN"),
        ("period=2026-H1", "info_requested", "1 PAKN"),
        ("period=2026-H1", "reopened", "1 PAKN"),
        ("period=2026-H1", "satisfied", "1 PAKN"),
        ("period=2026-H1", "refused", "1 PAKN"),
        // By date of handling: C's withdrawal on 02/07, E's rating on 22/01.
        ("period=2026-H2&basis=event", "withdrawn", "1 PAKN"),
        ("period=2026-01&basis=event", "satisfied", "1 PAKN"),
        ("period=2026-02&basis=event", "accepted", "1 PAKN"),
    ] {
        let page = report(&c, &app, query).await;
        assert_eq!(
            total(&page, figure),
            expected.trim_end_matches(" PAKN"),
            "{query} {figure}"
        );
        let href = total_link(&page, figure);
        assert_eq!(
            queue_count(&c, &app, &href).await,
            expected,
            "{query} {figure}: {href}"
        );
    }
    app.stop().await;
}
