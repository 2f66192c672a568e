//! The private link renewed by the citizen and revoked by staff (issue 14, item 7;
//! security review, finding 15): the old link answers 404 at once, the new one is
//! mailed to the filing's email (or shown when there is none), the timeline says so.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{outbox, tickets};
use reqwest::StatusCode;

use crate::auth::{client, create_user, csrf, login_ok, value_of};
use crate::citizen::filed;
use crate::filing::{form_of, fresh_form, post, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, filing_mail, mail_to};

/// A page's body as `c` gets it.
async fn text_of(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    c.get(app.url(path))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .expect("body")
}

async fn status_of(app: &TestApp, path: &str) -> StatusCode {
    client()
        .get(app.url(path))
        .send()
        .await
        .expect("GET")
        .status()
}

async fn html_of(app: &TestApp, path: &str) -> String {
    text_of(&client(), app, path).await
}

/// Asks for a new link from the page at `path`; (status, location, body).
async fn renew(app: &TestApp, path: &str, token: &str) -> (StatusCode, Option<String>, String) {
    let res = client()
        .post(app.url(&format!("{path}/new-link")))
        .form(&[("form_token", token)])
        .send()
        .await
        .expect("POST");
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, location, res.text().await.expect("body"))
}

async fn current_path(app: &TestApp, id: i64) -> String {
    let token: String = tickets::table
        .find(id)
        .select(tickets::access_token)
        .first(&mut app.conn().await)
        .await
        .expect("token");
    format!("/t/{token}")
}

/// The link in the latest `new_link` mail's text.
async fn mailed_link(app: &TestApp) -> String {
    let body: Option<String> = outbox::table
        .filter(outbox::kind.eq("new_link"))
        .order(outbox::id.desc())
        .select(outbox::body_text)
        .first(&mut app.conn().await)
        .await
        .expect("a new_link mail");
    let body = body.expect("a text part");
    let at = body.find("/t/").expect("a link in the mail");
    body[at..]
        .split_whitespace()
        .next()
        .expect("the link")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_citizen_gets_a_new_link_by_mail_and_the_old_one_stops_working() {
    let app = TestApp::spawn().await;
    let f = filed(&app).await;
    assert_eq!(app.take_mail().await.who(), filing_mail());
    let page = html_of(&app, &f.path).await;
    assert!(
        page.contains("data-testid=\"renew-link\""),
        "the card offers it"
    );
    let token = value_of(&page, "form_token");

    // An expired or forged form changes nothing.
    let (status, _, body) = renew(&app, &f.path, "forged").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("data-testid=\"renew-error\""), "{body}");
    assert_eq!(status_of(&app, &f.path).await, StatusCode::OK);

    let (status, _, body) = renew(&app, &f.path, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("h***@example.vn"), "{body}");
    assert!(!body.contains("hoa.nguyen"), "the address is masked");
    assert!(
        !body.contains("/t/"),
        "the new link is not shown to whoever asked"
    );
    assert_eq!(status_of(&app, &f.path).await, StatusCode::NOT_FOUND);
    assert_eq!(
        status_of(&app, &format!("{}/new-link", f.path)).await,
        StatusCode::METHOD_NOT_ALLOWED
    );

    assert_eq!(
        app.take_mail().await.who(),
        [("new_link", mail_to(&[CITIZEN]))]
    );
    let link = mailed_link(&app).await;
    assert_eq!(link, current_path(&app, f.id).await);
    assert_ne!(link, f.path);
    let page = html_of(&app, &link).await;
    assert!(page.contains("Đổi đường dẫn riêng"), "the timeline says so");
    // The old link's forms are gone with it.
    let (status, _, _) = renew(&app, &f.path, &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_an_email_the_new_link_is_the_page_the_citizen_lands_on() {
    let app = TestApp::spawn().await;
    let form = fresh_form(&app).await;
    let fields = with(&valid_fields(&form), "email", "");
    let (status, body, location) = post(&app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let old = location.expect("the private link");
    let _ = app.take_mail().await;
    let token = value_of(&html_of(&app, &old).await, "form_token");
    let (status, location, _) = renew(&app, &old, &token).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("a redirect");
    assert!(
        location.ends_with("?done=new-link#private-link"),
        "{location}"
    );
    let new = location.split('?').next().expect("path").to_string();
    assert_ne!(new, old);
    assert_eq!(status_of(&app, &old).await, StatusCode::NOT_FOUND);
    let page = html_of(&app, &location).await;
    assert!(page.contains("data-testid=\"link-renewed\""));
    assert!(app.take_mail().await.is_empty(), "nobody to mail");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_who_handle_the_pakn_revoke_its_link() {
    let app = TestApp::spawn().await;
    let f = filed(&app).await;
    assert_eq!(app.take_mail().await.who(), filing_mail());
    let code: String = tickets::table
        .find(f.id)
        .select(tickets::code)
        .first(&mut app.conn().await)
        .await
        .expect("code");
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    create_user(
        &app,
        "chuyenvien@sonoivu.vn",
        &["officer"],
        Some(crate::auth::UNIT),
    )
    .await;
    let revoke = format!("/staff/tickets/{code}/private-link");

    // An inspector reads the PAKN but may not revoke its link.
    let inspector = client();
    login_ok(&app, &inspector, "thanhtra@sonoivu.vn").await;
    let token = csrf(&app, &inspector).await;
    let page = text_of(&inspector, &app, &format!("/staff/tickets/{code}")).await;
    assert!(!page.contains("data-testid=\"revoke-link\""));
    let res = inspector
        .post(app.url(&revoke))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, &f.path).await, StatusCode::OK);

    // The unit's officer does; the new link goes to the citizen's mail only.
    let officer = client();
    login_ok(&app, &officer, "chuyenvien@sonoivu.vn").await;
    let token = csrf(&app, &officer).await;
    let page = text_of(&officer, &app, &format!("/staff/tickets/{code}")).await;
    assert!(page.contains("data-testid=\"revoke-link\""));
    // Without the anti-forgery token nothing happens.
    let res = officer.post(app.url(&revoke)).send().await.expect("POST");
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, &f.path).await, StatusCode::OK);
    let res = officer
        .post(app.url(&revoke))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, &f.path).await, StatusCode::NOT_FOUND);
    assert_eq!(
        app.take_mail().await.who(),
        [("new_link", mail_to(&[CITIZEN]))]
    );
    let link = mailed_link(&app).await;
    assert_eq!(status_of(&app, &link).await, StatusCode::OK);
    let staff_page = text_of(
        &officer,
        &app,
        &format!("/staff/tickets/{code}?done=private_link"),
    )
    .await;
    assert!(staff_page.contains("Đổi đường dẫn riêng"));
    app.stop().await;
}
