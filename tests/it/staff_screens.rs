//! Issue 17, items 10–11 outside the browser: a 403 or 404 met inside the dashboard keeps
//! the staff chrome and leads back to the work; the users list keeps one compact line of
//! actions per user, with locking set apart from editing.

use reqwest::StatusCode;

use crate::auth::{OTHER_UNIT, UNIT, client, create_user, get, login_ok};
use crate::support::app::TestApp;
use crate::workflow::file;

/// The staff navigation and the signed-in user are on the page.
fn has_staff_chrome(html: &str, user_name_part: &str) -> bool {
    html.contains("class=\"staff-nav\"")
        && html.contains("action=\"/staff/logout\"")
        && html.contains(user_name_part)
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_and_not_found_keep_the_staff_chrome() {
    let app = TestApp::spawn().await;
    create_user(&app, "ld@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "kt@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    let (_, code) = file(&app, "Chậm trả kết quả hồ sơ nâng lương").await;
    assert!(!app.take_mail().await.who().is_empty(), "the filing's mail");

    // A leader is not an admin: the users page is forbidden, inside the dashboard.
    let leader = client();
    login_ok(&app, &leader, "ld@sonoivu.vn").await;
    let res = get(&leader, app.url("/staff/users")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(
        has_staff_chrome(&html, "ld@sonoivu.vn") || has_staff_chrome(&html, "ld"),
        "{html}"
    );
    assert!(html.contains("Không có quyền"), "{html}");
    assert!(
        html.contains("href=\"/staff/tickets\""),
        "back to the queue"
    );
    assert!(html.contains("data-testid=\"staff-error\""));

    // An officer of another unit opening the PAKN: not found, still in the dashboard.
    let other = client();
    login_ok(&app, &other, "kt@sonoivu.vn").await;
    let res = get(&other, app.url(&format!("/staff/tickets/{code}"))).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.expect("body");
    assert!(html.contains("class=\"staff-nav\""), "{html}");
    assert!(html.contains("không thuộc đơn vị bạn được xem"), "{html}");
    assert!(
        !html.contains("Chậm trả kết quả"),
        "nothing of the PAKN shows"
    );

    // In English when the staff member chose English.
    let res = get(&other, app.url("/staff/users?lang=en")).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("Not allowed") && html.contains("Back to my work"),
        "{html}"
    );

    // Signed out, the public error page as before (no staff chrome, no user).
    let anonymous = client();
    let res = get(&anonymous, app.url("/favicon-missing")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.expect("body");
    assert!(!html.contains("class=\"staff-nav\""));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_users_list_sets_locking_apart_and_folds_the_password_reset() {
    let app = TestApp::spawn().await;
    create_user(&app, "qt@sonoivu.vn", &["admin"], None).await;
    let officer = create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let admin = client();
    login_ok(&app, &admin, "qt@sonoivu.vn").await;
    let html = get(&admin, app.url("/staff/users"))
        .await
        .text()
        .await
        .expect("users");
    let row = &html[html
        .find(&format!("id=\"user-{officer}\""))
        .expect("the officer's row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(row.contains("cv@sonoivu.vn"));
    assert!(
        row.contains(&format!("action=\"/staff/users/{officer}/deactivate\">"))
            && row.contains("button button-danger"),
        "locking looks like what it is: {row}"
    );
    let edit = row.find("/staff/users/").expect("edit link");
    let lock = row.find("button-danger").expect("lock");
    assert!(edit < lock, "editing first, locking last");
    assert!(
        row.contains("<details class=\"reset-password\">"),
        "the password reset opens on demand: {row}"
    );
    assert!(row.contains("flag flag-ontime"), "the status is a badge");
    app.stop().await;
}
