//! The personal-data log made readable (issue 14, item 6): admins and inspectors see who
//! was shown whose personal data, filtered by staff member, PAKN, purpose and date; the
//! reading is itself logged; nobody else gets in.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{personal_data_views as v, tickets};
use reqwest::StatusCode;

use crate::auth::{client, create_user, get, login_ok};
use crate::citizen::filed;
use crate::support::app::TestApp;

async fn signed_in(
    app: &TestApp,
    email: &str,
    roles: &[&str],
    unit: Option<&str>,
) -> (reqwest::Client, i32) {
    let id = create_user(app, email, roles, unit).await;
    let c = client();
    login_ok(app, &c, email).await;
    (c, id)
}

async fn text(c: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = get(c, app.url(path)).await;
    (res.status(), res.text().await.expect("body"))
}

async fn code_of(app: &TestApp, id: i64) -> String {
    tickets::table
        .find(id)
        .select(tickets::code)
        .first(&mut app.conn().await)
        .await
        .expect("code")
}

/// The rows of the log table.
fn rows(html: &str) -> Vec<&str> {
    let Some(start) = html.find("<tbody>") else {
        return Vec::new();
    };
    let body = &html[start
        ..html[start..]
            .find("</tbody>")
            .map_or(html.len(), |e| start + e)];
    body.split("<tr>").skip(1).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn inspectors_and_admins_read_who_saw_whose_data() {
    let app = TestApp::spawn().await;
    let first = filed(&app).await;
    let second = filed(&app).await;
    let _ = app.take_mail().await;
    let (first_code, second_code) = (
        code_of(&app, first.id).await,
        code_of(&app, second.id).await,
    );
    let (officer, _) = signed_in(
        &app,
        "chuyenvien@sonoivu.vn",
        &["officer"],
        Some(crate::auth::UNIT),
    )
    .await;
    let (leader, _) = signed_in(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let (inspector, inspector_id) =
        signed_in(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    let (admin, _) = signed_in(&app, "quantri@sonoivu.vn", &["admin"], None).await;

    // The officer opens the first PAKN; the leader searches and lists both.
    let (status, _) = text(&officer, &app, &format!("/staff/tickets/{first_code}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = text(&leader, &app, "/staff/tickets?q=b%E1%BA%A3o+hi%E1%BB%83m").await;
    assert_eq!(status, StatusCode::OK);

    // Nobody but admins and inspectors reads the log.
    for c in [&officer, &leader] {
        let (status, _) = text(c, &app, "/staff/personal-data").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, html) = text(&admin, &app, "/staff/personal-data").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("href=\"/staff/personal-data\""),
        "in the admin's navigation"
    );

    let (status, html) = text(&inspector, &app, "/staff/personal-data").await;
    assert_eq!(status, StatusCode::OK);
    let all = rows(&html);
    // One view, two search listings (the admin's reading above is logged as well).
    let of = |purpose: &str| all.iter().filter(|r| r.contains(purpose)).count();
    assert_eq!(of("Xem trang PAKN"), 1, "{html}");
    assert_eq!(of("Tìm kiếm, danh sách"), 2, "{html}");
    assert_eq!(
        of("Xem nhật ký này"),
        2,
        "the admin read both senders: {html}"
    );
    assert!(
        all.iter().all(|r| r.contains("Nguyễn Thị Hoà")),
        "whose data"
    );
    assert!(all.iter().any(|r| r.contains("chuyenvien@sonoivu.vn")));

    // By staff member.
    let officer_id: i32 = v::table
        .filter(v::purpose.eq("view"))
        .select(v::user_id)
        .first(&mut app.conn().await)
        .await
        .expect("a view");
    let (_, html) = text(
        &inspector,
        &app,
        &format!("/staff/personal-data?user={officer_id}"),
    )
    .await;
    let mine = rows(&html);
    assert_eq!(mine.len(), 1, "{html}");
    assert!(mine[0].contains("Xem trang PAKN") && mine[0].contains("chuyenvien@sonoivu.vn"));

    // By PAKN: the second was only listed (by the leader) and read in the log.
    let (_, html) = text(
        &inspector,
        &app,
        &format!("/staff/personal-data?code={second_code}&purpose=search"),
    )
    .await;
    let listed = rows(&html);
    assert_eq!(listed.len(), 1, "{html}");
    assert!(listed[0].contains("lanhdao@sonoivu.vn"));

    // By date: nothing from tomorrow; everything today (dd/mm/yyyy or the date input).
    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    let tomorrow = today.succ_opt().expect("tomorrow");
    let (_, html) = text(
        &inspector,
        &app,
        &format!("/staff/personal-data?from={}", tomorrow.format("%d/%m/%Y")),
    )
    .await;
    assert!(html.contains("data-testid=\"pdlog-empty\""));
    let (_, html) = text(
        &inspector,
        &app,
        &format!("/staff/personal-data?purpose=view&from={today}&to={today}"),
    )
    .await;
    assert_eq!(rows(&html).len(), 1);
    let (status, html) = text(&inspector, &app, "/staff/personal-data?from=31/02/2026").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Ngày không hợp lệ"));

    // The inspector's readings are in the log too.
    let readings: i64 = v::table
        .filter(v::user_id.eq(inspector_id))
        .filter(v::purpose.eq("log"))
        .count()
        .get_result(&mut app.conn().await)
        .await
        .expect("count");
    assert!(readings >= 4, "{readings}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_log_pages_back_a_hundred_entries_at_a_time() {
    let app = TestApp::spawn().await;
    let f = filed(&app).await;
    let _ = app.take_mail().await;
    let (inspector, inspector_id) =
        signed_in(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    let rows_in: Vec<_> = (0..130)
        .map(|_| {
            (
                v::user_id.eq(inspector_id),
                v::ticket_id.eq(f.id),
                v::purpose.eq("view"),
            )
        })
        .collect();
    diesel::insert_into(v::table)
        .values(rows_in)
        .execute(&mut app.conn().await)
        .await
        .expect("insert");
    let (_, html) = text(&inspector, &app, "/staff/personal-data?purpose=view").await;
    assert_eq!(rows(&html).len(), 100);
    let at = html.find("rel=\"next\"").expect("a next page");
    let href_start = html[..at].rfind("href=\"").expect("href") + 6;
    let href = html[href_start..]
        .split('"')
        .next()
        .expect("url")
        .replace("&amp;", "&");
    assert!(href.contains("purpose=view"), "{href}");
    let (_, html) = text(&inspector, &app, &href).await;
    assert_eq!(rows(&html).len(), 30);
    assert!(!html.contains("rel=\"next\""));
    app.stop().await;
}
