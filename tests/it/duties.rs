//! Separation of duties (issue 14, item 3; security review, finding 10): a role that
//! reads PAKN, given by an admin to themself or to another admin, waits for a second
//! admin's approval; every role change is mailed to all admins.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{audit_log, role_grants, users};
use reqwest::StatusCode;

use crate::auth::{client, create_user, csrf, get, login_ok};
use crate::support::app::TestApp;
use crate::support::outbox::{Mail, mail_to};

const ALICE: &str = "quantri.a@sonoivu.vn";
const BINH: &str = "quantri.b@sonoivu.vn";
const OFFICER: &str = "chuyenvien@sonoivu.vn";

struct Admin {
    c: reqwest::Client,
    token: String,
    id: i32,
}

async fn sign_in(app: &TestApp, email: &str, id: i32) -> Admin {
    let c = client();
    login_ok(app, &c, email).await;
    let token = csrf(app, &c).await;
    Admin { c, token, id }
}

/// Posts a form as `who`; the status, the redirect and the body.
async fn post(
    app: &TestApp,
    who: &Admin,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let mut form: Vec<(&str, &str)> = vec![("csrf", &who.token)];
    form.extend_from_slice(fields);
    let res = who
        .c
        .post(app.url(path))
        .form(&form)
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

async fn roles_of(app: &TestApp, id: i32) -> Vec<String> {
    users::table
        .find(id)
        .select(users::roles)
        .first(&mut app.conn().await)
        .await
        .expect("roles")
}

/// The open request of account `id`: (request id, roles).
async fn open_grant(app: &TestApp, id: i32) -> Option<(i64, Vec<String>)> {
    role_grants::table
        .filter(role_grants::user_id.eq(id))
        .filter(role_grants::decided_at.is_null())
        .select((role_grants::id, role_grants::roles))
        .first(&mut app.conn().await)
        .await
        .optional()
        .expect("grant")
}

/// The one role mail queued since the last look, to both admins; its subject.
async fn role_mail(app: &TestApp) -> String {
    let log = app.take_mail().await;
    let mails: Vec<&Mail> = log.iter().collect();
    assert_eq!(mails.len(), 1, "{}", log.lines());
    assert_eq!(
        log.who(),
        [("role_change", mail_to(&[ALICE, BINH]))],
        "{}",
        log.lines()
    );
    mails[0].subject.clone().expect("a subject")
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_that_read_pakn_given_to_an_admin_wait_for_a_second_admin() {
    let app = TestApp::spawn().await;
    let alice_id = create_user(&app, ALICE, &["admin"], None).await;
    let binh_id = create_user(&app, BINH, &["admin"], None).await;
    let officer = create_user(&app, OFFICER, &["officer"], Some(crate::auth::UNIT)).await;
    let alice = sign_in(&app, ALICE, alice_id).await;
    let binh = sign_in(&app, BINH, binh_id).await;

    // Alice gives herself the leader role: saved, but not in effect.
    let me = format!("/staff/users/{}", alice.id);
    let (status, to, _) = post(
        &app,
        &alice,
        &me,
        &[
            ("name", "Quản trị A"),
            ("roles", "admin"),
            ("roles", "leader"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/staff/users?done=pending"));
    assert_eq!(roles_of(&app, alice.id).await, ["admin"]);
    let (grant, roles) = open_grant(&app, alice.id).await.expect("a waiting request");
    assert_eq!(roles, ["leader"]);
    assert!(role_mail(&app).await.contains("Chờ phê duyệt"));
    // She still reads no PAKN.
    let res = get(&alice.c, app.url("/staff/tickets")).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "an admin alone reads no queue"
    );

    // She cannot approve it herself; the list says why.
    let approve = format!("/staff/users/grants/{grant}/approve");
    let (status, _, body) = post(&app, &alice, &approve, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Một quản trị viên khác"), "{body}");
    assert_eq!(roles_of(&app, alice.id).await, ["admin"]);

    // Binh sees it waiting and approves it.
    let list = get(&binh.c, app.url("/staff/users"))
        .await
        .text()
        .await
        .expect("list");
    assert!(list.contains(&format!("id=\"grant-{grant}\"")) && list.contains(&approve));
    let (status, to, _) = post(&app, &binh, &approve, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(to.as_deref(), Some("/staff/users?done=approved"));
    assert_eq!(roles_of(&app, alice.id).await, ["admin", "leader"]);
    assert!(open_grant(&app, alice.id).await.is_none());
    assert!(role_mail(&app).await.contains("Đã phê duyệt"));
    // Decided once: a second approval finds nothing to decide.
    let (status, _, body) = post(&app, &binh, &approve, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("đã được xử lý"), "{body}");

    // Alice makes Binh an inspector: waits; Alice (who asked) may still turn it down.
    let (_, to, _) = post(
        &app,
        &alice,
        &format!("/staff/users/{}", binh.id),
        &[
            ("name", "Quản trị B"),
            ("roles", "admin"),
            ("roles", "inspector"),
        ],
    )
    .await;
    assert_eq!(to.as_deref(), Some("/staff/users?done=pending"));
    assert!(role_mail(&app).await.contains("Chờ phê duyệt"));
    let (grant, _) = open_grant(&app, binh.id).await.expect("waiting");
    // Binh, who would get it, cannot approve it.
    let (status, _, _) = post(
        &app,
        &binh,
        &format!("/staff/users/grants/{grant}/approve"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, to, _) = post(
        &app,
        &alice,
        &format!("/staff/users/grants/{grant}/reject"),
        &[],
    )
    .await;
    assert_eq!(to.as_deref(), Some("/staff/users?done=rejected"));
    assert_eq!(roles_of(&app, binh.id).await, ["admin"]);
    assert!(role_mail(&app).await.contains("Đã từ chối"));

    // An officer made a leader is not an admin: in effect at once, and still mailed.
    let (_, to, _) = post(
        &app,
        &alice,
        &format!("/staff/users/{officer}"),
        &[
            ("name", "Cán bộ chuyenvien"),
            ("roles", "officer"),
            ("roles", "leader"),
            (
                "unit",
                &crate::auth::unit_id(&app, crate::auth::UNIT)
                    .await
                    .to_string(),
            ),
        ],
    )
    .await;
    assert_eq!(to.as_deref(), Some("/staff/users?done=updated"));
    assert_eq!(roles_of(&app, officer).await, ["leader", "officer"]);
    assert!(role_mail(&app).await.contains("đã thay đổi"));
    // A name alone changes no role: no mail.
    let (_, to, _) = post(
        &app,
        &alice,
        &format!("/staff/users/{officer}"),
        &[
            ("name", "Trần Văn Chuyên"),
            ("roles", "officer"),
            ("roles", "leader"),
            (
                "unit",
                &crate::auth::unit_id(&app, crate::auth::UNIT)
                    .await
                    .to_string(),
            ),
        ],
    )
    .await;
    assert_eq!(to.as_deref(), Some("/staff/users?done=updated"));
    assert!(app.take_mail().await.is_empty());

    // A new account made admin and leader at once: created as admin, leader waiting.
    let (_, to, _) = post(
        &app,
        &alice,
        "/staff/users/new",
        &[
            ("email", "quantri.c@sonoivu.vn"),
            ("name", "Quản trị C"),
            ("roles", "admin"),
            ("roles", "leader"),
            ("password", "một mật khẩu đủ dài 2026"),
        ],
    )
    .await;
    assert_eq!(to.as_deref(), Some("/staff/users?done=pending"));
    let carol: i32 = users::table
        .filter(users::email.eq("quantri.c@sonoivu.vn"))
        .select(users::id)
        .first(&mut app.conn().await)
        .await
        .expect("created");
    assert_eq!(roles_of(&app, carol).await, ["admin"]);
    assert_eq!(
        open_grant(&app, carol).await.map(|g| g.1),
        Some(vec!["leader".into()])
    );
    let log = app.take_mail().await;
    assert_eq!(log.len(), 1, "{}", log.lines());
    // Every admin, the new one included, is told.
    let mut to = log.iter().next().expect("mail").to.clone();
    to.sort();
    assert_eq!(to, [ALICE, BINH, "quantri.c@sonoivu.vn"]);

    // Every step is in the audit log.
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::entity.eq("user"))
        .filter(audit_log::entity_id.eq(alice.id.to_string()))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut app.conn().await)
        .await
        .expect("audit");
    assert_eq!(actions, ["update", "request_role", "approve_role"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_setting_lets_a_lone_admin_give_roles_at_once() {
    let app = TestApp::spawn_with(|cfg| cfg.security.role_grants_need_second_admin = false).await;
    let id = create_user(&app, ALICE, &["admin"], None).await;
    let alice = sign_in(&app, ALICE, id).await;
    let (_, to, _) = post(
        &app,
        &alice,
        &format!("/staff/users/{id}"),
        &[
            ("name", "Quản trị A"),
            ("roles", "admin"),
            ("roles", "leader"),
        ],
    )
    .await;
    assert_eq!(to.as_deref(), Some("/staff/users?done=updated"));
    assert_eq!(roles_of(&app, id).await, ["admin", "leader"]);
    assert!(open_grant(&app, id).await.is_none());
    assert_eq!(
        app.take_mail().await.who(),
        [("role_change", mail_to(&[ALICE]))]
    );
    app.stop().await;
}
