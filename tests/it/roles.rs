//! Issues 4 and 5: every role against every staff route, as one table. A new route is one line:
//! its method, its path (with `{code}`, `{file}`, `{user}` filled in from the fixture),
//! what it sends, and the expected outcome for each of the eight kinds of visitor.
//!
//! The fixture: a PAKN of unit `UNIT` with one file; an officer of `UNIT`, an officer
//! of another unit, a leader, an inspector, an admin without a ticket role, an admin who
//! is also an officer of `UNIT`, and a user deactivated while signed in (their session
//! row is still there: the check on every request must turn them away).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{attachments, tickets, units, users};
use reqwest::multipart::Part;
use reqwest::{Method, StatusCode};

use crate::auth::{OTHER_UNIT, UNIT, client, create_user, csrf, login_ok};
use crate::filing::{PNG, form_of, fresh_form, post, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, DEPUTY, MailLog, filing_mail_notifying, mail_to};

/// The visitors, in the order of the columns of [`routes`].
const WHO: [&str; 8] = [
    "anonymous",
    "officer",
    "other_officer",
    "leader",
    "inspector",
    "admin",
    "admin_officer",
    "deactivated",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Status(u16),
    /// 303 with a `Location` starting with this.
    SeeOther(&'static str),
}

const OK: Expect = Expect::Status(200);
/// A form sent back with its errors.
const BAD: Expect = Expect::Status(422);
const NO: Expect = Expect::Status(403);
const NF: Expect = Expect::Status(404);
const LOGIN: Expect = Expect::SeeOther("/staff/login");
const fn to(path: &'static str) -> Expect {
    Expect::SeeOther(path)
}

/// What a request sends.
#[derive(Debug, Clone, Copy)]
enum Body {
    Nothing,
    /// Only the session's anti-forgery token.
    Csrf,
    /// A form without the token.
    NoCsrf,
    /// A valid staff entry of an off-line PAKN.
    Entry,
    /// A valid new user (a fresh email per visitor).
    NewUser,
    /// A new password for the spare user.
    ResetPassword,
    /// An internal note on the fixture PAKN (an action of its page).
    Note,
    /// A change of one's own password with a wrong current password (changes nothing).
    WrongCurrentPassword,
}

struct Route {
    method: Method,
    path: &'static str,
    send: Body,
    expect: [Expect; 8],
}

fn r(method: Method, path: &'static str, send: Body, expect: [Expect; 8]) -> Route {
    Route {
        method,
        path,
        send,
        expect,
    }
}

/// Every staff route on this branch. Columns: anonymous, officer (own unit), officer of
/// another unit, leader, inspector, admin, admin + officer, deactivated.
#[rustfmt::skip]
fn routes() -> Vec<Route> {
    use Method as M;
    use Body::*;
    let receipt = to("/staff/tickets/");
    vec![
        r(M::GET, "/staff", Nothing, [to("/staff/tickets"); 8]),
        r(M::GET, "/staff/tickets", Nothing, [LOGIN, OK, OK, OK, OK, to("/staff/admin"), OK, LOGIN]),
        r(M::GET, "/staff/tickets?status=submitted&q=thu+tuc", Nothing, [LOGIN, OK, OK, OK, OK, to("/staff/admin"), OK, LOGIN]),
        r(M::GET, "/staff/tickets/{code}", Nothing, [LOGIN, OK, NF, OK, OK, NF, OK, LOGIN]),
        r(M::GET, "/staff/tickets/{code}/files/{file}", Nothing, [LOGIN, OK, NF, OK, OK, NF, OK, LOGIN]),
        r(M::GET, "/staff/tickets/{code}/receipt", Nothing, [LOGIN, NF, NF, NF, NF, NF, NF, LOGIN]),
        r(M::GET, "/staff/tickets/new", Nothing, [LOGIN, OK, OK, OK, NF, NF, OK, LOGIN]),
        r(M::POST, "/staff/tickets/new", Entry, [LOGIN, receipt, receipt, receipt, NF, NF, receipt, LOGIN]),
        r(M::POST, "/staff/tickets/new", NoCsrf, [LOGIN, NO, NO, NO, NF, NF, NO, LOGIN]),
        r(M::POST, "/staff/tickets/{code}/act", Note, [LOGIN, to("/staff/tickets/"), NF, to("/staff/tickets/"), NO, NF, to("/staff/tickets/"), LOGIN]),
        r(M::POST, "/staff/tickets/{code}/act", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        r(M::POST, "/staff/tickets/{code}/private-link", Csrf, [LOGIN, to("/staff/tickets/"), NF, to("/staff/tickets/"), NO, NF, to("/staff/tickets/"), LOGIN]),
        r(M::POST, "/staff/tickets/{code}/private-link", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        r(M::GET, "/staff/tickets/{code}/publication", Nothing, [LOGIN, OK, NF, OK, NO, NF, OK, LOGIN]),
        r(M::GET, "/staff/admin", Nothing, [LOGIN, NO, NO, NO, NO, OK, OK, LOGIN]),
        r(M::GET, "/staff/admin/rules", Nothing, [LOGIN, NO, NO, NO, NO, OK, OK, LOGIN]),
        r(M::GET, "/staff/overview", Nothing, [LOGIN, OK, OK, OK, OK, NF, OK, LOGIN]),
        r(M::GET, "/staff/personal-data", Nothing, [LOGIN, NO, NO, NO, OK, OK, OK, LOGIN]),
        r(M::GET, "/staff/privacy", Nothing, [LOGIN, NO, NO, NO, NO, OK, OK, LOGIN]),
        r(M::GET, "/staff/intake", Nothing, [LOGIN, OK, OK, OK, NF, NF, OK, LOGIN]),
        r(M::GET, "/staff/inbound", Nothing, [LOGIN, NO, NO, OK, NO, OK, OK, LOGIN]),
        r(M::POST, "/staff/privacy/999999/erase", Csrf, [LOGIN, NO, NO, NO, NO, NF, NF, LOGIN]),
        r(M::POST, "/staff/privacy/999999/erase", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        r(M::GET, "/staff/users", Nothing, [LOGIN, NO, NO, NO, NO, OK, OK, LOGIN]),
        r(M::GET, "/staff/users/new", Nothing, [LOGIN, NO, NO, NO, NO, OK, OK, LOGIN]),
        r(M::POST, "/staff/users/new", NewUser, [LOGIN, NO, NO, NO, NO, to("/staff/users?done=created"), to("/staff/users?done=created"), LOGIN]),
        r(M::POST, "/staff/users/new", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        r(M::POST, "/staff/users/{user}/deactivate", Csrf, [LOGIN, NO, NO, NO, NO, to("/staff/users?done=deactivated"), to("/staff/users?done=deactivated"), LOGIN]),
        r(M::POST, "/staff/users/{user}/activate", Csrf, [LOGIN, NO, NO, NO, NO, to("/staff/users?done=activated"), to("/staff/users?done=activated"), LOGIN]),
        r(M::POST, "/staff/users/{user}/reset-password", ResetPassword, [LOGIN, NO, NO, NO, NO, to("/staff/users?done=reset"), to("/staff/users?done=reset"), LOGIN]),
        // No such role request: decided already, as the list says.
        r(M::POST, "/staff/users/grants/0/approve", Csrf, [LOGIN, NO, NO, NO, NO, BAD, BAD, LOGIN]),
        r(M::POST, "/staff/users/grants/0/reject", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        r(M::POST, "/staff/users/{user}/deactivate", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        r(M::GET, "/staff/account", Nothing, [LOGIN, OK, OK, OK, OK, OK, OK, LOGIN]),
        r(M::GET, "/staff/account/password", Nothing, [LOGIN, OK, OK, OK, OK, OK, OK, LOGIN]),
        r(M::POST, "/staff/account/password", WrongCurrentPassword, [LOGIN, BAD, BAD, BAD, BAD, BAD, BAD, LOGIN]),
        r(M::POST, "/staff/account/password", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        // Without a session there is nothing to end (the deactivated user's session was
        // ended by their first request above): straight to the login page.
        r(M::POST, "/staff/logout", NoCsrf, [LOGIN, NO, NO, NO, NO, NO, NO, LOGIN]),
        // Last: it ends the session.
        r(M::POST, "/staff/logout", Csrf, [LOGIN; 8]),
        r(M::GET, "/staff/tickets", Nothing, [LOGIN; 8]),
    ]
}

struct Fixture {
    code: String,
    file: i64,
    spare_user: i32,
}

struct Visitor {
    who: &'static str,
    client: reqwest::Client,
    csrf: String,
}

async fn unit_of(app: &TestApp, code: &str) -> i32 {
    let mut conn = app.conn().await;
    units::table
        .filter(units::code.eq(code))
        .select(units::id)
        .first(&mut conn)
        .await
        .expect("unit")
}

/// A web filing routed to `UNIT`, with a file.
async fn fixture(app: &TestApp) -> Fixture {
    let token = fresh_form(app).await;
    let fields = with(
        &with(&valid_fields(&token), "field", "can_bo_cong_chuc"),
        "content_category",
        "khac",
    );
    let form = form_of(&fields).part(
        "attachments",
        Part::bytes(PNG.to_vec()).file_name("anh.png"),
    );
    let (status, body, _) = post(app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let unit = unit_of(app, UNIT).await;
    let mut conn = app.conn().await;
    let (id, code, ticket_unit): (i64, String, i32) = tickets::table
        .select((tickets::id, tickets::code, tickets::unit_id))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(ticket_unit, unit, "the fixture PAKN is routed to UNIT");
    let file = attachments::table
        .filter(attachments::ticket_id.eq(id))
        .select(attachments::id)
        .first(&mut conn)
        .await
        .expect("file");
    drop(conn);
    let spare_user = create_user(app, "du-phong@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    Fixture {
        code,
        file,
        spare_user,
    }
}

async fn visitors(app: &TestApp) -> Vec<Visitor> {
    let accounts: [(&str, &[&str], Option<&str>); 7] = [
        ("officer", &["officer"], Some(UNIT)),
        ("other_officer", &["officer"], Some(OTHER_UNIT)),
        ("leader", &["leader"], None),
        ("inspector", &["inspector"], None),
        ("admin", &["admin"], None),
        ("admin_officer", &["admin", "officer"], Some(UNIT)),
        ("deactivated", &["officer"], Some(UNIT)),
    ];
    let mut out = vec![Visitor {
        who: "anonymous",
        client: client(),
        csrf: String::new(),
    }];
    for (who, roles, unit) in accounts {
        let email = format!("{}@sonoivu.vn", who.replace('_', "-"));
        let id = create_user(app, &email, roles, unit).await;
        let c = client();
        login_ok(app, &c, &email).await;
        let token = csrf(app, &c).await;
        if who == "deactivated" {
            // Deactivated behind the session's back: the session row stays.
            let mut conn = app.conn().await;
            diesel::update(users::table.find(id))
                .set(users::active.eq(false))
                .execute(&mut conn)
                .await
                .expect("deactivate");
        }
        out.push(Visitor {
            who,
            client: c,
            csrf: token,
        });
    }
    assert_eq!(out.iter().map(|v| v.who).collect::<Vec<_>>(), WHO);
    out
}

fn entry_form(csrf: &str) -> Vec<(&'static str, String)> {
    let mut fields = with(
        &with(&valid_fields(""), "field", "can_bo_cong_chuc"),
        "content_category",
        "khac",
    );
    fields.retain(|(k, _)| !matches!(*k, "form_token" | "consent"));
    fields.push(("csrf", csrf.to_string()));
    fields.push(("channel", "phone".into()));
    fields.push((
        "received_on",
        pakn::domain::calendar::local_date(chrono::Utc::now())
            .format("%Y-%m-%d")
            .to_string(),
    ));
    fields
}

fn body_of(send: Body, v: &Visitor) -> Vec<(&'static str, String)> {
    let csrf = ("csrf", v.csrf.clone());
    match send {
        Body::Nothing => Vec::new(),
        Body::Csrf => vec![csrf],
        Body::NoCsrf => vec![("note", "x".into())],
        Body::Entry => entry_form(&v.csrf),
        Body::Note => vec![
            csrf,
            ("action", "internal_note".into()),
            ("text", format!("Ghi chú của {}", v.who)),
        ],
        Body::NewUser => vec![
            csrf,
            (
                "email",
                format!("moi-{}@sonoivu.vn", v.who.replace('_', "-")),
            ),
            ("name", "Người dùng mới".into()),
            ("roles", "inspector".into()),
            ("password", "một mật khẩu mới đủ dài".into()),
        ],
        Body::ResetPassword => vec![csrf, ("password", "mật khẩu đặt lại 2026".into())],
        Body::WrongCurrentPassword => vec![
            csrf,
            ("current_password", "không phải mật khẩu này".into()),
            ("new_password", "mật khẩu mới rất dài 2027".into()),
            ("new_password_confirm", "mật khẩu mới rất dài 2027".into()),
        ],
    }
}

fn outcome(res: &reqwest::Response) -> String {
    match res.status() {
        StatusCode::SEE_OTHER => format!(
            "303 {}",
            res.headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
        ),
        s => s.as_u16().to_string(),
    }
}

fn matches(expect: Expect, res: &reqwest::Response) -> bool {
    match expect {
        Expect::Status(code) => res.status().as_u16() == code,
        Expect::SeeOther(prefix) => {
            res.status() == StatusCode::SEE_OTHER
                && res
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|l| l.starts_with(prefix))
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_against_every_staff_route() {
    let app = TestApp::spawn().await;
    let fx = fixture(&app).await;
    let visitors = visitors(&app).await;
    let mut failures = Vec::new();
    for route in routes() {
        let path = route
            .path
            .replace("{code}", &fx.code)
            .replace("{file}", &fx.file.to_string())
            .replace("{user}", &fx.spare_user.to_string());
        for (v, expect) in visitors.iter().zip(route.expect) {
            let mut req = v.client.request(route.method.clone(), app.url(&path));
            if route.method == Method::POST {
                req = req.form(&body_of(route.send, v));
            }
            let res = req.send().await.expect("request");
            if !matches(expect, &res) {
                failures.push(format!(
                    "{} {path} as {}: expected {expect:?}, got {}",
                    route.method,
                    v.who,
                    outcome(&res)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    // The refused staff entries filed nothing: one fixture + four entries.
    let mut conn = app.conn().await;
    let n: i64 = tickets::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(n, 5);
    drop(conn);
    // Each filing acknowledges and notifies (and tells the unit's accounts that exist by
    // then: tests/it/notify.rs checks who); each account created is told to the admins
    // (the two who may create one); no other route mails anyone, allowed or not.
    let one = filing_mail_notifying(mail_to(&[DEPUTY]));
    let log = app.take_mail().await;
    let filings = MailLog(
        log.iter()
            .filter(|m| {
                !matches!(
                    m.kind.as_str(),
                    "role_change" | "new_link" | "notify_unit" | "notify_staff"
                )
            })
            .cloned()
            .collect(),
    );
    assert_eq!(filings.who(), [&one[..]; 5].concat());
    assert_eq!(log.of_kind("role_change").len(), 2, "{}", log.lines());
    // Each revocation of the fixture's private link mailed the new one to its sender.
    assert_eq!(
        log.of_kind("new_link").who(),
        vec![("new_link", mail_to(&[CITIZEN])); 3]
    );
    app.stop().await;
}
