//! Issue 5, the admin screens: each screen edits and the change shows; only admins get
//! in; every POST needs the session's token; a refused form keeps what was typed; every
//! edit leaves an audit row; an edit on one instance takes effect on another; what is
//! deactivated leaves the forms but old tickets still show it.

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Weekday};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{
    audit_log, calendar_days, contacts, outbox, reason_templates, routing_rules, tickets, units,
    users,
};
use reqwest::StatusCode;

use crate::auth::{UNIT, client, create_user, csrf, get, login_ok};
use crate::filing::{askama_escape, form_of, fresh_form, post, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::outbox::{DEPUTY, INSPECTION, PPC_OFFICE, filing_mail_notifying, mail_to};

const ADMIN: &str = "quantri@sonoivu.vn";
const LABOUR: &str = "phong_lao_dong_viec_lam";
const PATIENCE: Duration = Duration::from_secs(20);

/// A signed-in admin's client and the session's anti-forgery token.
async fn admin(app: &TestApp) -> (reqwest::Client, String) {
    create_user(app, ADMIN, &["admin"], None).await;
    let c = client();
    login_ok(app, &c, ADMIN).await;
    let token = csrf(app, &c).await;
    (c, token)
}

async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let mut form: Vec<(&str, &str)> = vec![("csrf", token)];
    form.extend_from_slice(fields);
    let res = c
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
    (status, res.text().await.expect("body"), location)
}

/// Posts a form that must succeed (303 to `to`).
async fn ok(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
    to: &str,
) {
    let (status, body, location) = send(app, c, path, token, fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
    assert_eq!(location.as_deref(), Some(to), "{path}");
}

/// Posts a form that must come back (422) and returns the page.
async fn refused(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    token: &str,
    fields: &[(&str, &str)],
) -> String {
    let (status, body, _) = send(app, c, path, token, fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
    assert!(body.contains("id=\"error-summary\""), "{body}");
    body
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = get(c, app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("body")
}

fn has_value(html: &str, name: &str, value: &str) -> bool {
    html.contains(&format!(
        "name=\"{name}\" value=\"{}\"",
        askama_escape(value)
    )) || html.contains(&format!(
        "name=\"{name}\" type=\"text\" value=\"{}\"",
        askama_escape(value)
    )) || html.contains(&format!(
        "name=\"{name}\" type=\"email\" value=\"{}\"",
        askama_escape(value)
    )) || html.contains(&format!(
        "name=\"{name}\" type=\"text\" inputmode=\"numeric\" value=\"{}\"",
        askama_escape(value)
    ))
}

/// The actions recorded for one entity, oldest first.
async fn audit(app: &TestApp, entity: &str, id: &str) -> Vec<String> {
    let mut conn = app.conn().await;
    audit_log::table
        .filter(audit_log::entity.eq(entity))
        .filter(audit_log::entity_id.eq(id))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut conn)
        .await
        .expect("audit")
}

async fn audit_rows(app: &TestApp) -> i64 {
    let mut conn = app.conn().await;
    audit_log::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count")
}

async fn unit_id(app: &TestApp, code: &str) -> i32 {
    let mut conn = app.conn().await;
    units::table
        .filter(units::code.eq(code))
        .select(units::id)
        .first(&mut conn)
        .await
        .expect("unit")
}

async fn contact_id(app: &TestApp, code: &str) -> i32 {
    let mut conn = app.conn().await;
    contacts::table
        .filter(contacts::code.eq(code))
        .select(contacts::id)
        .first(&mut conn)
        .await
        .expect("contact")
}

/// Waits until `app`'s reference cache has reached the version in the database.
pub async fn caught_up(app: &TestApp) {
    let deadline = Instant::now() + PATIENCE;
    let mut conn = app.conn().await;
    let version = pakn::db::reference::current_version(&mut conn)
        .await
        .expect("version");
    while app.state.reference.get().version < version {
        assert!(Instant::now() < deadline, "the instance never reloaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Files a PAKN through the public form of `app`; returns the ticket's
/// (code, unit id, routing rule id, accept due date).
async fn file(
    app: &TestApp,
    category: &str,
    field: &str,
    title: &str,
) -> (String, i32, Option<i32>, NaiveDate) {
    let token = fresh_form(app).await;
    let fields = with(
        &with(
            &with(&valid_fields(&token), "content_category", category),
            "field",
            field,
        ),
        "title",
        title,
    );
    let (status, body, _) = post(app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let mut conn = app.conn().await;
    tickets::table
        .filter(tickets::title.eq(title))
        .select((
            tickets::code,
            tickets::unit_id,
            tickets::routing_rule_id,
            tickets::accept_due,
        ))
        .first(&mut conn)
        .await
        .expect("ticket")
}

/// Waits until every queued mail went out (the instances' workers send to files).
async fn mail_settled(app: &TestApp) {
    let deadline = Instant::now() + PATIENCE;
    let mut conn = app.conn().await;
    loop {
        let pending: i64 = outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null())
            .count()
            .get_result(&mut conn)
            .await
            .expect("outbox");
        if pending == 0 {
            let failed: i64 = outbox::table
                .filter(outbox::failed_at.is_not_null())
                .count()
                .get_result(&mut conn)
                .await
                .expect("outbox");
            assert_eq!(failed, 0, "no mail failed");
            return;
        }
        assert!(Instant::now() < deadline, "mail still pending");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const SCREENS: &[&str] = &[
    "/staff/admin",
    "/staff/admin/units",
    "/staff/admin/units/new",
    "/staff/admin/contacts",
    "/staff/admin/contacts/new",
    "/staff/admin/fields",
    "/staff/admin/fields/new",
    "/staff/admin/fields/ton_giao",
    "/staff/admin/categories",
    "/staff/admin/categories/new",
    "/staff/admin/categories/khac",
    "/staff/admin/rules",
    "/staff/admin/rules/new",
    "/staff/admin/reasons",
    "/staff/admin/reasons/new",
    "/staff/admin/calendar",
    "/staff/admin/calendar?year=2026",
    "/staff/admin/calendar/new",
    "/staff/admin/calendar/2026-02-16",
    "/staff/admin/synonyms",
    "/staff/admin/synonyms/new",
    "/staff/admin/synonyms/1",
];

#[tokio::test(flavor = "multi_thread")]
async fn only_admins_reach_the_admin_screens_and_every_post_needs_the_token() {
    let app = TestApp::spawn().await;
    let (admin_client, _) = admin(&app).await;
    let unit = unit_id(&app, UNIT).await;
    let edits = [
        format!("/staff/admin/units/{unit}"),
        format!(
            "/staff/admin/contacts/{}",
            contact_id(&app, "pho_giam_doc").await
        ),
    ];
    for path in SCREENS
        .iter()
        .copied()
        .chain(edits.iter().map(String::as_str))
    {
        let html = page(&admin_client, &app, path).await;
        assert!(
            html.contains("href=\"/staff/admin\" aria-current=\"page\">Quản trị</a>"),
            "{path}: the admin entry in the navigation"
        );
    }

    let anonymous = client();
    let res = get(&anonymous, app.url("/staff/admin/units")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let officer_id = create_user(&app, "chuyenvien@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "thanhtra@sonoivu.vn", &["inspector"], None).await;
    let before = audit_rows(&app).await;
    for email in [
        "chuyenvien@sonoivu.vn",
        "lanhdao@sonoivu.vn",
        "thanhtra@sonoivu.vn",
    ] {
        let c = client();
        login_ok(&app, &c, email).await;
        let their_token = csrf(&app, &c).await;
        let nav = page(&c, &app, "/staff/account").await;
        assert!(
            !nav.contains("href=\"/staff/admin\""),
            "{email}: no admin entry"
        );
        for path in SCREENS {
            let res = get(&c, app.url(path)).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email} {path}");
        }
        let res = get(&c, app.url(&format!("/staff/users/{officer_id}"))).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email}");
        for (path, fields) in [
            (
                "/staff/admin/units/new".to_string(),
                vec![
                    ("code", "phong_x"),
                    ("name_vi", "X"),
                    ("name_en", "X"),
                    ("active", "1"),
                ],
            ),
            (
                format!("/staff/admin/units/{unit}"),
                vec![("name_vi", "X"), ("name_en", "X"), ("active", "1")],
            ),
            (
                "/staff/admin/calendar/2026-02-16/delete".to_string(),
                vec![],
            ),
            (
                format!("/staff/users/{officer_id}"),
                vec![("name", "X"), ("roles", "admin")],
            ),
        ] {
            let (status, _, _) = send(&app, &c, &path, &their_token, &fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} POST {path}");
        }
    }

    // The admin's own POSTs without the token, or with another's, change nothing.
    for bad in ["", "not-the-token"] {
        let (status, body, _) = send(
            &app,
            &admin_client,
            "/staff/admin/units/new",
            bad,
            &[
                ("code", "phong_x"),
                ("name_vi", "X"),
                ("name_en", "X"),
                ("active", "1"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        let (status, _, _) = send(
            &app,
            &admin_client,
            "/staff/admin/calendar/2026-02-16/delete",
            bad,
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let res = admin_client
        .post(app.url("/staff/admin/rules/1/move"))
        .form(&[("direction", "up")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let mut conn = app.conn().await;
    let made: i64 = units::table
        .filter(units::code.eq("phong_x"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(made, 0);
    let tet: i64 = calendar_days::table
        .filter(calendar_days::day.eq(NaiveDate::from_ymd_opt(2026, 2, 16).expect("date")))
        .count()
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(tet, 1, "the day is still there");
    assert_eq!(audit_rows(&app).await, before, "nothing recorded");
    app.stop().await;
}

/// Each screen's list address, a key that names a record, and one that names none.
async fn every_screen(app: &TestApp) -> Vec<(&'static str, String, &'static str)> {
    let mut conn = app.conn().await;
    let rule: i32 = routing_rules::table
        .order(routing_rules::id)
        .select(routing_rules::id)
        .first(&mut conn)
        .await
        .expect("rule");
    let reason: i32 = reason_templates::table
        .order(reason_templates::id)
        .select(reason_templates::id)
        .first(&mut conn)
        .await
        .expect("reason");
    vec![
        (
            "/staff/admin/units",
            unit_id(app, UNIT).await.to_string(),
            "999999",
        ),
        (
            "/staff/admin/contacts",
            contact_id(app, "pho_giam_doc").await.to_string(),
            "999999",
        ),
        ("/staff/admin/fields", "ton_giao".into(), "khong_co"),
        ("/staff/admin/categories", "khac".into(), "khong_co"),
        ("/staff/admin/rules", rule.to_string(), "999999"),
        ("/staff/admin/reasons", reason.to_string(), "999999"),
        ("/staff/admin/calendar", "2026-02-16".into(), "2030-01-02"),
        ("/staff/admin/synonyms", "1".into(), "999999"),
    ]
}

/// One screen carries the list, the forms and their posts of every admin screen; each
/// answers alike: other staff and a missing or wrong token get 403 on both posts, a key
/// that names nothing (or cannot be a key) is 404 for the form and for its post, even
/// a post that would be refused, and nothing of it is recorded.
#[tokio::test(flavor = "multi_thread")]
async fn every_screen_refuses_other_staff_bad_tokens_and_unknown_records_alike() {
    let app = TestApp::spawn().await;
    let (c, token) = admin(&app).await;
    let screens = every_screen(&app).await;
    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let leader = client();
    login_ok(&app, &leader, "lanhdao@sonoivu.vn").await;
    let leader_token = csrf(&app, &leader).await;
    let before = audit_rows(&app).await;
    let fields = [
        ("name_vi", "X"),
        ("name_en", "X"),
        ("name", "X"),
        ("active", "1"),
    ];
    for (list, key, missing) in &screens {
        let new = format!("{list}/new");
        let edit = format!("{list}/{key}");
        page(&c, &app, &edit).await; // the key names a record: 403 is not a 404
        for path in [&new, &edit] {
            let (status, _, _) = send(&app, &leader, path, &leader_token, &fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "a leader's POST {path}");
            for bad in ["", "not-the-token"] {
                let (status, _, _) = send(&app, &c, path, bad, &fields).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "POST {path} with {bad:?}");
            }
        }
        for path in [format!("{list}/{missing}"), format!("{list}/not-a-key!")] {
            let res = get(&c, app.url(&path)).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "GET {path}");
            for posted in [&[][..], &fields[..]] {
                let (status, body, _) = send(&app, &c, &path, &token, posted).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "POST {path}: {body}");
            }
        }
    }
    assert_eq!(audit_rows(&app).await, before, "nothing recorded");
    app.stop().await;
}

/// Every edit, whatever the screen, leaves one audit row with the record before and after
/// (as read back from the database) and bumps the reference version once.
#[tokio::test(flavor = "multi_thread")]
async fn an_edit_records_the_record_before_and_after_and_bumps_the_reference_version() {
    let app = TestApp::spawn().await;
    let (c, token) = admin(&app).await;
    let rows =
        async |entity: &str, id: &str| -> Vec<(String, serde_json::Value, serde_json::Value)> {
            let mut conn = app.conn().await;
            audit_log::table
                .filter(audit_log::entity.eq(entity))
                .filter(audit_log::entity_id.eq(id))
                .order(audit_log::id)
                .select((audit_log::action, audit_log::before, audit_log::after))
                .load::<(String, Option<serde_json::Value>, Option<serde_json::Value>)>(&mut conn)
                .await
                .expect("audit")
                .into_iter()
                .map(|(a, b, f)| {
                    (
                        a,
                        b.unwrap_or(serde_json::Value::Null),
                        f.unwrap_or(serde_json::Value::Null),
                    )
                })
                .collect()
        };
    let version = async || {
        let mut conn = app.conn().await;
        pakn::db::reference::current_version(&mut conn)
            .await
            .expect("version")
    };

    let v0 = version().await;
    ok(
        &app,
        &c,
        "/staff/admin/fields/new",
        &token,
        &[
            ("code", "bao_hiem"),
            ("name_vi", "Bảo hiểm xã hội"),
            ("name_en", "Social insurance"),
            ("keywords", "bhxh"),
            ("sort", "90"),
            ("active", "1"),
        ],
        "/staff/admin/fields?done=created",
    )
    .await;
    assert_eq!(version().await, v0 + 1, "one bump per edit");
    let created = rows("field", "bao_hiem").await;
    assert_eq!(created.len(), 1);
    let (action, before, after) = &created[0];
    assert_eq!(action, "create");
    assert_eq!(before, &serde_json::Value::Null);
    assert_eq!(after["name_vi"], "Bảo hiểm xã hội");
    assert_eq!(after["keywords"], "bhxh");
    assert_eq!(after["sort"], 90);

    ok(
        &app,
        &c,
        "/staff/admin/fields/bao_hiem",
        &token,
        &[
            ("name_vi", "Bảo hiểm xã hội, bảo hiểm y tế"),
            ("name_en", "Social and health insurance"),
            ("keywords", "bhxh, bhyt"),
            ("sort", "90"),
        ],
        "/staff/admin/fields?done=updated",
    )
    .await;
    assert_eq!(version().await, v0 + 2, "one bump per edit");
    let all = rows("field", "bao_hiem").await;
    assert_eq!(all.len(), 2);
    let (action, before, after) = &all[1];
    assert_eq!(
        action, "deactivate",
        "an update that takes the active mark off"
    );
    assert_eq!(before["name_vi"], "Bảo hiểm xã hội");
    assert_eq!(before["active"], true);
    assert_eq!(after["name_vi"], "Bảo hiểm xã hội, bảo hiểm y tế");
    assert_eq!(after["keywords"], "bhxh, bhyt");
    assert_eq!(after["active"], false);
    assert_eq!(after["code"], "bao_hiem", "the code never changes");

    // A refused edit records nothing and bumps nothing.
    refused(
        &app,
        &c,
        "/staff/admin/fields/bao_hiem",
        &token,
        &[("name_vi", ""), ("name_en", "x"), ("active", "1")],
    )
    .await;
    assert_eq!(version().await, v0 + 2);
    assert_eq!(rows("field", "bao_hiem").await.len(), 2);

    // A calendar day keys its audit rows by its date and is always "update"d.
    let day = "2027-03-08";
    ok(
        &app,
        &c,
        "/staff/admin/calendar/new",
        &token,
        &[
            ("day", "08/03/2027"),
            ("kind", "holiday"),
            ("name", "Ngày nghỉ thử"),
            ("status", "expected"),
        ],
        "/staff/admin/calendar?year=2027&done=created",
    )
    .await;
    ok(
        &app,
        &c,
        &format!("/staff/admin/calendar/{day}"),
        &token,
        &[
            ("kind", "holiday"),
            ("name", "Ngày nghỉ thử"),
            ("status", "official"),
        ],
        "/staff/admin/calendar?year=2027&done=updated",
    )
    .await;
    let all = rows("calendar_day", day).await;
    let actions: Vec<&str> = all.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(actions, ["create", "update"]);
    assert_eq!(all[1].1["status"], "expected");
    assert_eq!(all[1].2["status"], "official");
    assert_eq!(all[1].2["day"], day);
    assert_eq!(version().await, v0 + 4);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn units_keep_one_default_and_a_refused_form_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let (c, token) = admin(&app).await;

    let body = refused(
        &app,
        &c,
        "/staff/admin/units/new",
        &token,
        &[
            ("code", "Phòng Mới"),
            ("name_vi", " "),
            ("name_en", "New Division"),
            ("email", "thanhtra@"),
            ("sort", "năm"),
            ("active", "1"),
        ],
    )
    .await;
    assert!(has_value(&body, "code", "Phòng Mới"), "{body}");
    assert!(has_value(&body, "name_en", "New Division"));
    assert!(has_value(&body, "email", "thanhtra@"));
    assert!(has_value(&body, "sort", "năm"));
    for message in [
        "Mã chỉ gồm chữ thường không dấu",
        "Vui lòng nhập mục này.",
        "Địa chỉ thư điện tử không hợp lệ.",
        "Vui lòng nhập một số nguyên.",
    ] {
        assert!(body.contains(message), "{message}: {body}");
    }
    // The same refusal in English.
    let res = c
        .post(app.url("/staff/admin/units/new?lang=en"))
        .form(&[("csrf", token.as_str()), ("code", "x y")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("body");
    assert!(body.contains("A code is lower-case letters"), "{body}");
    let _ = get(&c, app.url("/staff/admin?lang=vi")).await;

    let new_unit = [
        ("code", "phong_thanh_tra"),
        ("name_vi", "Phòng Thanh tra – Pháp chế"),
        ("name_en", "Inspection and Legal Division"),
        ("email", "ThanhTra@SoNoiVu.gov.vn"),
        ("sort", "5"),
        ("active", "1"),
    ];
    ok(
        &app,
        &c,
        "/staff/admin/units/new",
        &token,
        &new_unit,
        "/staff/admin/units?done=created",
    )
    .await;
    let list = page(&c, &app, "/staff/admin/units?done=created").await;
    assert!(list.contains("Đã thêm.") && list.contains("Phòng Thanh tra – Pháp chế"));
    assert!(
        list.contains("thanhtra@sonoivu.gov.vn"),
        "emails stored lower case"
    );
    let body = refused(&app, &c, "/staff/admin/units/new", &token, &new_unit).await;
    assert!(body.contains("Mã này đã được dùng."));
    let id = unit_id(&app, "phong_thanh_tra").await;
    // This instance reloaded at once: the new unit is offered for new users.
    assert!(
        page(&c, &app, "/staff/users/new")
            .await
            .contains("Phòng Thanh tra – Pháp chế")
    );

    // Renamed (the code stays whatever is posted), then made the default.
    let path = format!("/staff/admin/units/{id}");
    ok(
        &app,
        &c,
        &path,
        &token,
        &[
            ("code", "doi_ma"),
            ("name_vi", "Phòng Thanh tra"),
            ("name_en", "Inspection Division"),
            ("sort", "5"),
            ("active", "1"),
        ],
        "/staff/admin/units?done=updated",
    )
    .await;
    let edit = page(&c, &app, &path).await;
    assert!(
        edit.contains("<code>phong_thanh_tra</code>"),
        "the code is not editable"
    );
    assert!(has_value(&edit, "name_vi", "Phòng Thanh tra"));
    let office = unit_id(&app, "van_phong_so").await;
    ok(
        &app,
        &c,
        &path,
        &token,
        &[
            ("name_vi", "Phòng Thanh tra"),
            ("name_en", "Inspection Division"),
            ("is_default", "1"),
            ("active", "1"),
        ],
        "/staff/admin/units?done=updated",
    )
    .await;
    let mut conn = app.conn().await;
    let defaults: Vec<String> = units::table
        .filter(units::is_default)
        .select(units::code)
        .load(&mut conn)
        .await
        .expect("defaults");
    assert_eq!(defaults, ["phong_thanh_tra"]);
    assert_eq!(
        app.state.reference.get().default_unit().map(|u| u.id),
        Some(id)
    );

    // The default cannot be unmarked, nor deactivated; a unit that rules use cannot be
    // deactivated.
    let body = refused(
        &app,
        &c,
        &path,
        &token,
        &[
            ("name_vi", "Phòng Thanh tra"),
            ("name_en", "Inspection Division"),
            ("active", "1"),
        ],
    )
    .await;
    assert!(body.contains("Luôn phải có một đơn vị mặc định"), "{body}");
    assert!(has_value(&body, "name_vi", "Phòng Thanh tra"));
    let inspection = unit_id(&app, "to_kiem_tra_cong_vu").await;
    let body = refused(
        &app,
        &c,
        &format!("/staff/admin/units/{inspection}"),
        &token,
        &[
            ("name_vi", "Tổ kiểm tra công vụ"),
            ("name_en", "Public Service Inspection Team"),
        ],
    )
    .await;
    assert!(
        body.contains("Chậm trễ, phiền hà của cán bộ → Tổ kiểm tra công vụ"),
        "names the rule: {body}"
    );

    assert_eq!(
        audit(&app, "unit", &id.to_string()).await,
        ["create", "update", "update"]
    );
    assert_eq!(
        audit(&app, "unit", &office.to_string()).await,
        ["update"],
        "lost the default"
    );
    let index = page(&c, &app, "/staff/admin").await;
    assert!(index.contains("id=\"audit-log\"") && index.contains(&format!("<code>{id}</code>")));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn contacts_categories_and_reason_templates_edit_and_show() {
    let app = TestApp::spawn().await;
    let (c, token) = admin(&app).await;

    // Contacts: phone numbers in any format, stored in national form.
    let body = refused(
        &app,
        &c,
        "/staff/admin/contacts/new",
        &token,
        &[
            ("code", "thanh_tra_tinh"),
            ("kind", "hotline"),
            ("title_vi", "Thanh tra tỉnh"),
            ("title_en", "Provincial Inspectorate"),
            ("phones", "0296 3862 000, 12345"),
            ("needs_verification", "1"),
            ("active", "1"),
        ],
    )
    .await;
    assert!(has_value(&body, "phones", "0296 3862 000, 12345"));
    assert!(has_value(&body, "title_vi", "Thanh tra tỉnh"));
    assert!(body.contains("Có số điện thoại không hợp lệ"));
    ok(
        &app,
        &c,
        "/staff/admin/contacts/new",
        &token,
        &[
            ("code", "thanh_tra_tinh"),
            ("kind", "hotline"),
            ("title_vi", "Thanh tra tỉnh"),
            ("title_en", "Provincial Inspectorate"),
            ("phones", "0296 3862 000, +84 913 658 627"),
            ("needs_verification", "1"),
            ("active", "1"),
        ],
        "/staff/admin/contacts?done=created",
    )
    .await;
    let list = page(&c, &app, "/staff/admin/contacts").await;
    assert!(
        list.contains("02963862000") && list.contains("0913658627"),
        "{list}"
    );
    let id = contact_id(&app, "thanh_tra_tinh").await;
    ok(
        &app,
        &c,
        &format!("/staff/admin/contacts/{id}"),
        &token,
        &[
            ("kind", "hotline"),
            ("title_vi", "Thanh tra tỉnh An Giang"),
            ("title_en", "An Giang Provincial Inspectorate"),
            ("phones", "02963862000"),
            ("active", "1"),
        ],
        "/staff/admin/contacts?done=updated",
    )
    .await;
    let mut conn = app.conn().await;
    let (phones, verify): (Vec<String>, bool) = contacts::table
        .find(id)
        .select((contacts::phones, contacts::needs_verification))
        .first(&mut conn)
        .await
        .expect("contact");
    assert_eq!(phones, ["02963862000"]);
    assert!(!verify, "confirmed by the admin");
    let cached = app.state.reference.get();
    assert!(
        cached
            .contacts_of("hotline")
            .any(|c| c.title_vi == "Thanh tra tỉnh An Giang")
    );
    // A contact that a rule notifies stays in use.
    let deputy = contact_id(&app, "pho_giam_doc").await;
    let body = refused(
        &app,
        &c,
        &format!("/staff/admin/contacts/{deputy}"),
        &token,
        &[
            ("kind", "receiving"),
            ("title_vi", "Phó Giám đốc Sở"),
            ("title_en", "Deputy Director"),
            ("email", "tlho@angiang.gov.vn"),
        ],
    )
    .await;
    assert!(body.contains("Liên hệ đang nhận thông báo theo các quy tắc định tuyến sau"));
    assert_eq!(
        audit(&app, "contact", &id.to_string()).await,
        ["create", "update"]
    );

    // A content category that implies kiến nghị appears on the public form.
    ok(
        &app,
        &c,
        "/staff/admin/categories/new",
        &token,
        &[
            ("code", "de_xuat_so_hoa"),
            ("name_vi", "Đề xuất số hóa thủ tục"),
            ("name_en", "A proposal to digitise a procedure"),
            ("implies_kien_nghi", "1"),
            ("active", "1"),
        ],
        "/staff/admin/categories?done=created",
    )
    .await;
    let form = page(&c, &app, "/feedback/new").await;
    assert!(form.contains("Đề xuất số hóa thủ tục"));
    assert!(
        app.state
            .reference
            .get()
            .category("de_xuat_so_hoa")
            .is_some_and(|c| c.implies_kien_nghi)
    );
    assert_eq!(
        audit(&app, "content_category", "de_xuat_so_hoa").await,
        ["create"]
    );

    // Reason templates: a purpose and both languages.
    let body = refused(
        &app,
        &c,
        "/staff/admin/reasons/new",
        &token,
        &[
            ("code", "da_co_ket_qua"),
            ("purpose", ""),
            ("text_vi", "Hồ sơ đã có kết quả, phản ánh được đóng."),
            ("text_en", ""),
            ("active", "1"),
        ],
    )
    .await;
    assert!(
        body.contains(">Hồ sơ đã có kết quả, phản ánh được đóng.</textarea>"),
        "{body}"
    );
    assert!(has_value(&body, "code", "da_co_ket_qua"));
    ok(
        &app,
        &c,
        "/staff/admin/reasons/new",
        &token,
        &[
            ("code", "da_co_ket_qua"),
            ("purpose", "closed"),
            ("text_vi", "Hồ sơ đã có kết quả, phản ánh được đóng."),
            (
                "text_en",
                "The dossier has its result; the feedback is closed.",
            ),
            ("active", "1"),
        ],
        "/staff/admin/reasons?done=created",
    )
    .await;
    let list = page(&c, &app, "/staff/admin/reasons").await;
    assert!(list.contains("Đóng hồ sơ") && list.contains("Hồ sơ đã có kết quả"));
    let reference = app.state.reference.get();
    let template = reference
        .reasons
        .iter()
        .find(|r| r.code == "da_co_ket_qua")
        .expect("cached");
    assert_eq!(template.purpose, "closed");
    // The only template for the automatic expiry cannot be stopped.
    let expiry = reference
        .reasons
        .iter()
        .find(|r| r.purpose == "needs_info_expired")
        .expect("seeded")
        .id;
    let body = refused(
        &app,
        &c,
        &format!("/staff/admin/reasons/{expiry}"),
        &token,
        &[
            ("purpose", "needs_info_expired"),
            ("text_vi", "Quá thời hạn bổ sung."),
            ("text_en", "Expired."),
        ],
    )
    .await;
    assert!(body.contains("Đây là mẫu duy nhất đang dùng cho mục đích này"));
    assert!(body.contains(">Quá thời hạn bổ sung.</textarea>"), "{body}");
    let id = template.id;
    ok(
        &app,
        &c,
        &format!("/staff/admin/reasons/{id}"),
        &token,
        &[
            ("purpose", "closed"),
            ("text_vi", "Hồ sơ đã có kết quả."),
            ("text_en", "The dossier has its result."),
            ("active", "1"),
        ],
        "/staff/admin/reasons?done=updated",
    )
    .await;
    assert_eq!(
        audit(&app, "reason_template", &id.to_string()).await,
        ["create", "update"]
    );
    // A refusal template among several can be stopped.
    let answered = reference
        .reasons
        .iter()
        .find(|r| r.code == "da_giai_quyet")
        .expect("seeded")
        .id;
    ok(
        &app,
        &c,
        &format!("/staff/admin/reasons/{answered}"),
        &token,
        &[
            ("purpose", "rejected"),
            ("text_vi", "Nội dung đã được trả lời trước đây."),
            ("text_en", "Already answered."),
        ],
        "/staff/admin/reasons?done=updated",
    )
    .await;
    assert!(
        app.state
            .reference
            .get()
            .reasons
            .iter()
            .any(|r| r.id == answered && !r.active)
    );
    assert_eq!(
        audit(&app, "reason_template", &answered.to_string()).await,
        ["deactivate"]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn what_is_deactivated_leaves_the_forms_but_old_tickets_still_show_it() {
    let app = TestApp::spawn().await;
    let (c, token) = admin(&app).await;
    let (religion, ..) = file(
        &app,
        "khac",
        "ton_giao",
        "Thủ tục đăng ký sinh hoạt tôn giáo",
    )
    .await;
    let (labour, labour_unit, ..) =
        file(&app, "khac", "viec_lam", "Hồ sơ trợ cấp thất nghiệp chậm").await;
    assert_eq!(labour_unit, unit_id(&app, LABOUR).await);

    // lĩnh vực
    let form = page(&c, &app, "/feedback/new").await;
    assert!(form.contains("value=\"ton_giao\""));
    ok(
        &app,
        &c,
        "/staff/admin/fields/ton_giao",
        &token,
        &[
            ("name_vi", "Tôn giáo"),
            ("name_en", "Religion"),
            ("sort", "5"),
        ],
        "/staff/admin/fields?done=updated",
    )
    .await;
    let form = page(&c, &app, "/feedback/new").await;
    assert!(!form.contains("value=\"ton_giao\""), "off the public form");
    let token_form = fresh_form(&app).await;
    let (status, _, _) = post(
        &app,
        form_of(&with(&valid_fields(&token_form), "field", "ton_giao")),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no longer accepted"
    );
    assert_eq!(audit(&app, "field", "ton_giao").await, ["deactivate"]);

    // A unit: its rule stopped first, then the unit.
    let rule: i32 = {
        let mut conn = app.conn().await;
        routing_rules::table
            .filter(routing_rules::unit_id.eq(labour_unit))
            .select(routing_rules::id)
            .first(&mut conn)
            .await
            .expect("rule")
    };
    let deputy = contact_id(&app, "pho_giam_doc").await.to_string();
    let deputy_field = format!("contact_{deputy}");
    ok(
        &app,
        &c,
        &format!("/staff/admin/rules/{rule}"),
        &token,
        &[
            ("name", "Lao động, việc làm → Phòng Lao động"),
            ("fields", "viec_lam"),
            ("fields", "lao_dong_tien_luong"),
            ("unit", &labour_unit.to_string()),
            (&deputy_field, "to"),
        ],
        "/staff/admin/rules?done=updated",
    )
    .await;
    ok(
        &app,
        &c,
        &format!("/staff/admin/units/{labour_unit}"),
        &token,
        &[
            ("name_vi", "Phòng Lao động – Việc làm – BHXH"),
            (
                "name_en",
                "Labour, Employment and Social Insurance Division",
            ),
        ],
        "/staff/admin/units?done=updated",
    )
    .await;
    assert!(
        !page(&c, &app, "/staff/users/new")
            .await
            .contains("Phòng Lao động")
    );
    assert!(
        !page(&c, &app, "/staff/admin/rules/new")
            .await
            .contains("Phòng Lao động – Việc")
    );
    // Filing about viec_lam now goes to the default unit.
    let (_, unit, _, _) = file(&app, "khac", "viec_lam", "Hồ sơ việc làm sau khi đổi").await;
    assert_eq!(unit, unit_id(&app, "van_phong_so").await);

    create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let leader = client();
    login_ok(&app, &leader, "lanhdao@sonoivu.vn").await;
    let old = page(&leader, &app, &format!("/staff/tickets/{religion}")).await;
    assert!(
        old.contains("Tôn giáo"),
        "the old ticket shows its lĩnh vực"
    );
    let old = page(&leader, &app, &format!("/staff/tickets/{labour}")).await;
    assert!(
        old.contains("Phòng Lao động – Việc làm – BHXH"),
        "and its unit"
    );
    assert_eq!(
        audit(&app, "routing_rule", &rule.to_string()).await,
        ["deactivate"]
    );
    assert_eq!(
        audit(&app, "unit", &labour_unit.to_string()).await,
        ["deactivate"]
    );
    mail_settled(&app).await;
    // Religion goes by the default rule (the deputy director, Cc the provincial office);
    // labour by its own rule until it is stopped, then by the default one.
    let default_rule = filing_mail_notifying(mail_to(&[DEPUTY]).cc(&[PPC_OFFICE]));
    let mut want = default_rule.clone();
    want.extend(filing_mail_notifying(mail_to(&[DEPUTY])));
    want.extend(default_rule);
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rule_added_on_one_instance_routes_the_next_filing_on_another() {
    let a = TestApp::spawn().await;
    let b = a.second_instance().await;
    let (c, token) = admin(&a).await;

    ok(
        &a,
        &c,
        "/staff/admin/units/new",
        &token,
        &[
            ("code", "phong_phap_che"),
            ("name_vi", "Phòng Pháp chế"),
            ("name_en", "Legal Division"),
            ("active", "1"),
        ],
        "/staff/admin/units?done=created",
    )
    .await;
    let legal = unit_id(&a, "phong_phap_che").await;
    let inspection = contact_id(&a, "to_kiem_tra_cong_vu").await;
    let office = contact_id(&a, "phong_tong_hop_ubnd").await;
    let (to_field, cc_field) = (format!("contact_{inspection}"), format!("contact_{office}"));
    let body = refused(
        &a,
        &c,
        "/staff/admin/rules/new",
        &token,
        &[
            ("name", "Quy định trái luật → Phòng Pháp chế"),
            ("unit", &legal.to_string()),
        ],
    )
    .await;
    assert!(body.contains("Chọn ít nhất một nhóm nội dung hoặc một lĩnh vực"));
    assert!(body.contains("Chọn ít nhất một người nhận chính."));
    assert!(has_value(
        &body,
        "name",
        "Quy định trái luật → Phòng Pháp chế"
    ));
    ok(
        &a,
        &c,
        "/staff/admin/rules/new",
        &token,
        &[
            ("name", "Quy định trái luật → Phòng Pháp chế"),
            ("categories", "khong_hop_phap"),
            ("categories", "khong_dong_bo"),
            ("unit", &legal.to_string()),
            (&to_field, "to"),
            (&cc_field, "cc"),
            ("active", "1"),
        ],
        "/staff/admin/rules?done=created",
    )
    .await;
    let rule: i32 = {
        let mut conn = a.conn().await;
        routing_rules::table
            .filter(routing_rules::unit_id.eq(legal))
            .select(routing_rules::id)
            .first(&mut conn)
            .await
            .expect("rule")
    };
    let list = page(&c, &a, "/staff/admin/rules").await;
    let row = &list[list.find(&format!("id=\"rule-{rule}\"")).expect("listed")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    for shown in [
        "Quy định không hợp pháp",
        "Quy định không đồng bộ, thống nhất",
        "Phòng Pháp chế",
        "kiemtracongvu@angiang.gov.vn",
        "thutuchanhchinh@angiang.gov.vn",
    ] {
        assert!(row.contains(shown), "{shown}: {row}");
    }

    // The new rule is last; moved up once it passes the default rule.
    let order = |list: &str| -> Vec<i32> {
        list.split("<tr id=\"rule-")
            .skip(1)
            .filter_map(|s| s.split('"').next()?.parse().ok())
            .collect()
    };
    let before = order(&list);
    assert_eq!(before.last(), Some(&rule));
    ok(
        &a,
        &c,
        &format!("/staff/admin/rules/{rule}/move"),
        &token,
        &[("direction", "up")],
        &format!("/staff/admin/rules?done=moved#rule-{rule}"),
    )
    .await;
    let after = order(&page(&c, &a, "/staff/admin/rules").await);
    let n = before.len();
    assert_eq!(after[n - 2], rule);
    assert_eq!(after[n - 1], before[n - 2]);
    assert_eq!(
        audit(&a, "routing_rule", &rule.to_string()).await,
        ["create", "move_up"]
    );

    // The second instance reloads within seconds and routes by the new rule.
    caught_up(&b).await;
    let (code, unit, routed_by, _) = file(
        &b,
        "khong_hop_phap",
        "ton_giao",
        "Quy định thu phí đăng ký trái với Nghị định 20/2008/NĐ-CP",
    )
    .await;
    assert_eq!(unit, legal, "routed on the second instance to the new unit");
    assert_eq!(routed_by, Some(rule));
    let mut conn = a.conn().await;
    let ticket: i64 = tickets::table
        .filter(tickets::code.eq(&code))
        .select(tickets::id)
        .first(&mut conn)
        .await
        .expect("ticket");
    let mails: Vec<(Vec<String>, Vec<String>)> = outbox::table
        .filter(outbox::ticket_id.eq(ticket))
        .select((outbox::to_addrs, outbox::cc_addrs))
        .load(&mut conn)
        .await
        .expect("outbox");
    assert!(
        mails
            .iter()
            .any(|(to, cc)| to == &["kiemtracongvu@angiang.gov.vn"]
                && cc == &["thutuchanhchinh@angiang.gov.vn"]),
        "the rule's contacts notified as to and cc: {mails:?}"
    );
    // Anything else still goes by the old rules.
    let (_, unit, _, _) = file(&b, "khac", "ton_giao", "Thủ tục tôn giáo vẫn về Văn phòng").await;
    assert_eq!(unit, unit_id(&a, "van_phong_so").await);
    mail_settled(&a).await;
    // Whichever instance filed, the rule in force then chose who is notified.
    let mut want = filing_mail_notifying(mail_to(&[INSPECTION]).cc(&[PPC_OFFICE]));
    want.extend(filing_mail_notifying(mail_to(&[DEPUTY]).cc(&[PPC_OFFICE])));
    assert_eq!(a.take_mail().await.who(), want);
    b.stop_keeping_db().await;
    a.stop().await;
}

/// The first Monday–Friday after `d` that the calendar leaves a working day.
fn next_plain_weekday(cal: &pakn::domain::calendar::WorkCalendar, d: NaiveDate) -> NaiveDate {
    let mut day = d.succ_opt().expect("date");
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
        || cal.day_kind(day).is_some()
        || !cal.is_working_day(day)
    {
        day = day.succ_opt().expect("date");
    }
    day
}

#[tokio::test(flavor = "multi_thread")]
async fn a_holiday_added_on_one_instance_moves_deadlines_on_another() {
    let a = TestApp::spawn().await;
    let b = a.second_instance().await;
    let (c, token) = admin(&a).await;

    let list = page(&c, &a, "/staff/admin/calendar?year=2026").await;
    for shown in [
        "16/02/2026",
        "Tết Nguyên đán Bính Ngọ",
        "Chính thức",
        "27/04/2026",
        "Dự kiến",
    ] {
        assert!(list.contains(shown), "{shown}");
    }
    // Kinds must fit the week; what was typed comes back.
    let body = refused(
        &a,
        &c,
        "/staff/admin/calendar/new",
        &token,
        &[
            ("day", "14/09/2026"),
            ("kind", "make_up_workday"),
            ("name", "Làm bù Quốc khánh"),
            ("status", "expected"),
        ],
    )
    .await;
    assert!(body.contains("Ngày làm bù phải là thứ Bảy hoặc Chủ nhật."));
    assert!(has_value(&body, "day", "14/09/2026") && has_value(&body, "name", "Làm bù Quốc khánh"));
    let body = refused(
        &a,
        &c,
        "/staff/admin/calendar/new",
        &token,
        &[
            ("day", "31/02/2026"),
            ("kind", "holiday"),
            ("name", "Sai"),
            ("status", "official"),
        ],
    )
    .await;
    assert!(body.contains("Ngày không hợp lệ"));
    let body = refused(
        &a,
        &c,
        "/staff/admin/calendar/new",
        &token,
        &[
            ("day", "16/02/2026"),
            ("kind", "holiday"),
            ("name", "Tết"),
            ("status", "official"),
        ],
    )
    .await;
    assert!(body.contains("Ngày này đã có trong lịch"));

    let today = pakn::domain::calendar::local_date(chrono::Utc::now());
    let old_cal = b.state.reference.get().calendar.clone();
    let holiday = next_plain_weekday(&old_cal, today);
    let old_due = old_cal.add_working_days(today, 3);
    let typed = holiday.format("%d/%m/%Y").to_string();
    ok(
        &a,
        &c,
        "/staff/admin/calendar/new",
        &token,
        &[
            ("day", &typed),
            ("kind", "holiday"),
            ("name", "Nghỉ lễ đột xuất"),
            ("status", "expected"),
            ("note", "Chờ thông báo của Bộ Nội vụ"),
        ],
        &format!("/staff/admin/calendar?year={}&done=created", holiday.year()),
    )
    .await;
    caught_up(&b).await;
    let new_cal = b.state.reference.get().calendar.clone();
    assert!(!new_cal.is_working_day(holiday));
    let (_, _, _, accept_due) = file(&b, "khac", "ton_giao", "Thủ tục sau ngày nghỉ lễ mới").await;
    assert_eq!(accept_due, new_cal.add_working_days(today, 3));
    assert!(
        accept_due > old_due,
        "the holiday moved the deadline: {old_due} → {accept_due}"
    );

    // Confirmed, then removed; the deadline comes back.
    let path = format!("/staff/admin/calendar/{holiday}");
    let edit = page(&c, &a, &path).await;
    assert!(edit.contains(&typed) && edit.contains("Chờ thông báo của Bộ Nội vụ"));
    ok(
        &a,
        &c,
        &path,
        &token,
        &[
            ("kind", "holiday"),
            ("name", "Nghỉ lễ đột xuất"),
            ("status", "official"),
        ],
        &format!("/staff/admin/calendar?year={}&done=updated", holiday.year()),
    )
    .await;
    let list = page(
        &c,
        &a,
        &format!("/staff/admin/calendar?year={}", holiday.year()),
    )
    .await;
    let row = &list[list.find(&format!("id=\"day-{holiday}\"")).expect("listed")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(
        row.contains("Chính thức") && !row.contains("Dự kiến"),
        "{row}"
    );
    ok(
        &a,
        &c,
        &format!("{path}/delete"),
        &token,
        &[],
        &format!("/staff/admin/calendar?year={}&done=deleted", holiday.year()),
    )
    .await;
    assert_eq!(get(&c, a.url(&path)).await.status(), StatusCode::NOT_FOUND);
    caught_up(&b).await;
    let (_, _, _, accept_due) = file(&b, "khac", "ton_giao", "Thủ tục sau khi bỏ ngày nghỉ").await;
    assert_eq!(accept_due, old_due);
    assert_eq!(
        audit(&a, "calendar_day", &holiday.to_string()).await,
        ["create", "update", "delete"]
    );
    mail_settled(&a).await;
    let default_rule = filing_mail_notifying(mail_to(&[DEPUTY]).cc(&[PPC_OFFICE]));
    assert_eq!(
        a.take_mail().await.who(),
        [default_rule.clone(), default_rule].concat()
    );
    b.stop_keeping_db().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_edits_a_users_name_roles_and_unit() {
    let app = TestApp::spawn().await;
    let (c, token) = admin(&app).await;
    let officer = create_user(&app, "chuyenvien@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let labour = unit_id(&app, LABOUR).await.to_string();
    let path = format!("/staff/users/{officer}");

    let list = page(&c, &app, "/staff/users").await;
    assert!(list.contains(&format!("href=\"{path}\"")));
    let form = page(&c, &app, &path).await;
    assert!(
        form.contains("chuyenvien@sonoivu.vn") && has_value(&form, "name", "Cán bộ chuyenvien")
    );

    // An officer needs a unit; the typed name and ticked roles come back.
    let body = refused(
        &app,
        &c,
        &path,
        &token,
        &[
            ("name", "Trần Thị Bích Ngọc"),
            ("roles", "officer"),
            ("roles", "leader"),
            ("unit", ""),
        ],
    )
    .await;
    assert!(has_value(&body, "name", "Trần Thị Bích Ngọc"));
    assert!(body.contains("value=\"leader\" checked"));
    assert!(body.contains("Chuyên viên phải thuộc một đơn vị."));
    ok(
        &app,
        &c,
        &path,
        &token,
        &[
            ("name", "Trần Thị Bích Ngọc"),
            ("roles", "officer"),
            ("roles", "leader"),
            ("unit", &labour),
        ],
        "/staff/users?done=updated",
    )
    .await;
    let mut conn = app.conn().await;
    let (name, roles, unit): (String, Vec<String>, Option<i32>) = users::table
        .find(officer)
        .select((users::name, users::roles, users::unit_id))
        .first(&mut conn)
        .await
        .expect("user");
    assert_eq!(name, "Trần Thị Bích Ngọc");
    assert_eq!(roles, ["leader", "officer"]);
    assert_eq!(unit.map(|u| u.to_string()), Some(labour.clone()));
    let list = page(&c, &app, "/staff/users?done=updated").await;
    assert!(list.contains("Đã lưu thay đổi của tài khoản.") && list.contains("Trần Thị Bích Ngọc"));

    // The edited user's next request already carries the new roles.
    let theirs = client();
    login_ok(&app, &theirs, "chuyenvien@sonoivu.vn").await;
    assert!(
        page(&theirs, &app, "/staff/account")
            .await
            .contains("Lãnh đạo")
    );

    // An admin cannot drop their own admin role.
    let me: i32 = users::table
        .filter(users::email.eq(ADMIN))
        .select(users::id)
        .first(&mut conn)
        .await
        .expect("admin");
    let body = refused(
        &app,
        &c,
        &format!("/staff/users/{me}"),
        &token,
        &[("name", "Quản trị viên"), ("roles", "leader")],
    )
    .await;
    assert!(body.contains("Bạn không thể tự bỏ vai trò Quản trị của mình."));
    // A role that reads PAKN given to themself waits for a second admin (security
    // review, finding 10; `tests/it/duties.rs` has the whole flow).
    ok(
        &app,
        &c,
        &format!("/staff/users/{me}"),
        &token,
        &[
            ("name", "Quản trị viên"),
            ("roles", "admin"),
            ("roles", "leader"),
        ],
        "/staff/users?done=pending",
    )
    .await;
    // The officer's new roles and the waiting request were both mailed to the admin.
    assert_eq!(
        app.take_mail().await.who(),
        [
            ("role_change", mail_to(&[ADMIN])),
            ("role_change", mail_to(&[ADMIN]))
        ]
    );
    let roles: Vec<String> = users::table
        .find(me)
        .select(users::roles)
        .first(&mut conn)
        .await
        .expect("roles");
    assert_eq!(roles, ["admin"]);

    let rows: Vec<(String, Option<serde_json::Value>, Option<serde_json::Value>)> =
        audit_log::table
            .filter(audit_log::entity.eq("user"))
            .filter(audit_log::entity_id.eq(officer.to_string()))
            .select((audit_log::action, audit_log::before, audit_log::after))
            .load(&mut conn)
            .await
            .expect("audit");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, "update");
    let before = rows[0].1.as_ref().expect("before");
    let after = rows[0].2.as_ref().expect("after");
    assert_eq!(before["roles"], serde_json::json!(["officer"]));
    assert_eq!(after["roles"], serde_json::json!(["leader", "officer"]));
    assert_eq!(after["name"], "Trần Thị Bích Ngọc");
    assert!(after.get("password_hash").is_none());
    app.stop().await;
}

/// In a real browser: an admin signs in, lands on the admin page, adds a routing rule
/// (a mistake first, then fixed), and a make-up working day. Screenshots in
/// `target/screenshots/admin-screens/`.
#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_a_rule_and_a_calendar_day_in_a_browser() {
    use crate::support::browser::{Browser, with_browser};

    let app = TestApp::spawn().await;
    create_user(&app, ADMIN, &["admin"], None).await;
    let unit = unit_id(&app, UNIT).await.to_string();
    let inspection = contact_id(&app, "to_kiem_tra_cong_vu").await;
    let deputy = contact_id(&app, "pho_giam_doc").await;
    let base = app.base.clone();
    with_browser("admin-screens", 1280, 1400, async |b: &Browser| {
        b.goto(&format!("{base}/staff/login")).await;
        b.fill("#email", ADMIN).await;
        b.fill("#password", crate::auth::PASSWORD).await;
        b.click("main button[type=submit]").await;
        b.wait_for(".admin-sections").await;
        assert!(b.text("main h1").await.contains("Quản trị"), "an admin lands here");
        b.screenshot("admin-home").await.expect("screenshot");

        b.click("a[href='/staff/admin/rules']").await;
        b.wait_for("#rule-1").await;
        b.screenshot("rules").await.expect("screenshot");
        b.click("main a.button-primary").await;
        b.fill("#name", "Thi đua, khen thưởng → Phòng Tổ chức cán bộ").await;
        b.click("input[name=fields][value=thi_dua_khen_thuong]").await;
        b.wait_for("#unit")
            .await
            .select_by_value(&unit)
            .await
            .expect("choose the unit");
        b.click("main button[type=submit]").await;
        assert!(
            b.text("#error-summary")
                .await
                .contains("Chọn ít nhất một người nhận chính.")
        );
        b.screenshot("rule-error").await.expect("screenshot");
        let kept = b
            .eval("return document.querySelector('input[name=fields][value=thi_dua_khen_thuong]').checked;")
            .await;
        assert_eq!(kept.as_bool(), Some(true), "the ticked lĩnh vực is kept");
        b.wait_for(&format!("#contact_{deputy}"))
            .await
            .select_by_value("to")
            .await
            .expect("to");
        b.wait_for(&format!("#contact_{inspection}"))
            .await
            .select_by_value("cc")
            .await
            .expect("cc");
        b.click("main button[type=submit]").await;
        assert!(b.text("#admin-notice").await.contains("Đã thêm."));
        b.screenshot("rule-added").await.expect("screenshot");

        b.goto(&format!("{base}/staff/admin/calendar?year=2027")).await;
        b.click("main a.button-primary").await;
        b.fill("#day", "24/04/2027").await;
        b.wait_for("#kind")
            .await
            .select_by_value("make_up_workday")
            .await
            .expect("kind");
        b.fill("#name", "Làm bù cho ngày nghỉ 03/05/2027").await;
        b.wait_for("#status")
            .await
            .select_by_value("expected")
            .await
            .expect("status");
        b.click("main button[type=submit]").await;
        b.wait_for("#day-2027-04-24").await;
        let row = b.text("#day-2027-04-24").await;
        assert!(row.contains("Thứ Bảy") && row.contains("Làm bù") && row.contains("Dự kiến"), "{row}");
        b.screenshot("calendar-2027").await.expect("screenshot");
        for (path, name) in [
            ("/staff/admin/units", "units"),
            ("/staff/admin/contacts", "contacts"),
            (&format!("/staff/admin/contacts/{deputy}"), "contact-edit"),
            ("/staff/admin/reasons", "reasons"),
            ("/staff/users", "users"),
        ] {
            b.goto(&format!("{base}{path}")).await;
            b.wait_for("main h1").await;
            b.screenshot(name).await.expect("screenshot");
        }
    })
    .await;
    let reference = app.state.reference.get();
    let route = reference
        .route("khac", "thi_dua_khen_thuong")
        .expect("route");
    assert_eq!(route.unit.code, UNIT);
    assert_eq!(route.to.iter().map(|c| c.id).collect::<Vec<_>>(), [deputy]);
    assert_eq!(
        route.cc.iter().map(|c| c.id).collect::<Vec<_>>(),
        [inspection]
    );
    let saturday = NaiveDate::from_ymd_opt(2027, 4, 24).expect("date");
    assert!(reference.calendar.is_working_day(saturday));
    app.stop().await;
}
