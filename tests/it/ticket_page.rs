//! Issue 17, item 9 over HTTP: the staff ticket page's reply templates (admin-managed,
//! audited, only for admins; a chosen one fills the draft), the confirmation that an
//! action ending the handling needs, and the approval form (required fields marked, the
//! date today, each refused field named, at the page's own address).

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{audit_log, reply_templates, ticket_events};
use pakn::domain::workflow::Action;
use reqwest::StatusCode;

use crate::auth::{UNIT, client, create_user, csrf, get, login_ok};
use crate::filing::askama_escape;
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, mail_to};
use crate::workflow::{
    LEADER_EMAIL, OFFICER_EMAIL, file, filed_mail, full_step, people, status_of, step_at,
};

const ADMIN: &str = "quantri@sonoivu.vn";

/// Posts a urlencoded form with the session's token: (status, body, location).
async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let token = csrf(app, c).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
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

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = get(c, app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("body")
}

async fn audit(app: &TestApp, id: i32) -> Vec<String> {
    let mut conn = app.conn().await;
    audit_log::table
        .filter(audit_log::entity.eq("reply_template"))
        .filter(audit_log::entity_id.eq(id.to_string()))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut conn)
        .await
        .expect("audit")
}

async fn template_id(app: &TestApp, code: &str) -> i32 {
    let mut conn = app.conn().await;
    reply_templates::table
        .filter(reply_templates::code.eq(code))
        .select(reply_templates::id)
        .first(&mut conn)
        .await
        .expect("template")
}

/// The text of the textarea `id` on `html`.
fn textarea<'a>(html: &'a str, id: &str) -> &'a str {
    let open = format!("id=\"{id}\"");
    let start = html.find(&open).unwrap_or_else(|| panic!("no {id}"));
    let body = &html[start..];
    let from = body.find('>').expect("tag end") + 1;
    let to = body.find("</textarea>").expect("textarea end");
    &body[from..to]
}

#[tokio::test(flavor = "multi_thread")]
async fn reply_templates_are_admin_managed_audited_and_fill_the_draft() {
    let app = TestApp::spawn().await;
    let (id, code) = file(&app, "Chậm trả lời hồ sơ nâng ngạch").await;
    let p = people(&app).await;
    create_user(&app, ADMIN, &["admin"], None).await;
    let unit_id = crate::auth::unit_id(&app, UNIT).await;
    for action in [Action::Accept, Action::StartWork] {
        step_at(
            &app,
            id,
            &p.officer,
            full_step(action, p.officer_id, unit_id, ""),
            Utc::now(),
        )
        .await
        .expect("to in progress");
    }

    // Only admins reach the screen.
    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;
    for path in [
        "/staff/admin/reply-templates",
        "/staff/admin/reply-templates/new",
    ] {
        assert_eq!(
            get(&leader, app.url(path)).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    let (status, _, _) = send(
        &app,
        &leader,
        "/staff/admin/reply-templates/new",
        &[("code", "x"), ("purpose", "reply")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The admin sees the seeded templates, and a refused form keeps what was typed.
    let admin = client();
    login_ok(&app, &admin, ADMIN).await;
    let list = page(&admin, &app, "/staff/admin/reply-templates").await;
    assert!(list.contains("Trả lời chung") && list.contains("Đề nghị bổ sung thông tin"));
    let body_vi = "Sở Nội vụ trả lời như sau: hồ sơ nâng ngạch của Ông/Bà đang được thẩm định.";
    let mut fields = vec![
        ("code", "nang_ngach"),
        ("purpose", "reply"),
        ("name_vi", "Nâng ngạch: đang thẩm định"),
        ("name_en", ""),
        ("body_vi", body_vi),
        (
            "body_en",
            "The Department replies: your file is being assessed.",
        ),
        ("field", "can_bo_cong_chuc"),
        ("active", "1"),
    ];
    let (status, body, _) = send(&app, &admin, "/staff/admin/reply-templates/new", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.contains(&format!(">{}</textarea>", askama_escape(body_vi))),
        "{body}"
    );
    fields[3] = ("name_en", "Promotion: being assessed");
    let (status, body, location) =
        send(&app, &admin, "/staff/admin/reply-templates/new", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        location.as_deref(),
        Some("/staff/admin/reply-templates?done=created")
    );
    let mine = template_id(&app, "nang_ngach").await;
    // One for another lĩnh vực is not offered on this PAKN.
    let (status, _, _) = send(
        &app,
        &admin,
        "/staff/admin/reply-templates/new",
        &[
            ("code", "ton_giao_mau"),
            ("purpose", "reply"),
            ("name_vi", "Mẫu tôn giáo"),
            ("name_en", "Religion template"),
            ("body_vi", "Về hoạt động tôn giáo …"),
            ("body_en", "On religious activities …"),
            ("field", "ton_giao"),
            ("active", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The officer chooses it: the page comes back with the draft filled, no JavaScript.
    let officer = client();
    login_ok(&app, &officer, OFFICER_EMAIL).await;
    let ticket = page(&officer, &app, &format!("/staff/tickets/{code}")).await;
    assert!(ticket.contains("Nâng ngạch: đang thẩm định") && ticket.contains("Trả lời chung"));
    assert!(
        !ticket.contains("Mẫu tôn giáo"),
        "another lĩnh vực's template"
    );
    assert!(
        ticket.contains("Đề nghị nêu rõ địa điểm, thời gian"),
        "the request for information has its templates"
    );
    assert_eq!(textarea(&ticket, "submit_draft-body"), "");
    let filled = page(
        &officer,
        &app,
        &format!("/staff/tickets/{code}?template={mine}"),
    )
    .await;
    assert_eq!(
        textarea(&filled, "submit_draft-body"),
        askama_escape(body_vi)
    );
    assert!(filled.contains(&format!("<option value=\"{mine}\" data-text=")));
    let general = template_id(&app, "tra_loi_chung").await;
    let filled = page(
        &officer,
        &app,
        &format!("/staff/tickets/{code}?template={general}"),
    )
    .await;
    assert!(
        textarea(&filled, "submit_draft-body").contains("Sở Nội vụ trả lời như sau:"),
        "the seeded formal reply"
    );

    // Stopped, it is no longer offered; each edit is audited.
    let (status, _, _) = send(
        &app,
        &admin,
        &format!("/staff/admin/reply-templates/{mine}"),
        &[
            ("purpose", "reply"),
            ("name_vi", "Nâng ngạch: đang thẩm định"),
            ("name_en", "Promotion: being assessed"),
            ("body_vi", body_vi),
            (
                "body_en",
                "The Department replies: your file is being assessed.",
            ),
            ("field", "can_bo_cong_chuc"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(audit(&app, mine).await, ["create", "deactivate"]);
    let ticket = page(
        &officer,
        &app,
        &format!("/staff/tickets/{code}?template={mine}"),
    )
    .await;
    assert!(!ticket.contains("Nâng ngạch: đang thẩm định"));
    assert_eq!(textarea(&ticket, "submit_draft-body"), "");
    let list = page(&admin, &app, "/staff/admin/reply-templates").await;
    assert!(
        list.contains("Nâng ngạch: đang thẩm định"),
        "kept, marked stopped"
    );

    assert_eq!(app.take_mail().await.who(), filed_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_action_that_ends_the_handling_needs_its_confirmation() {
    let app = TestApp::spawn().await;
    let (id, code) = file(&app, "Đề nghị xem xét lại kết quả thi tuyển").await;
    let _p = people(&app).await;
    let officer = client();
    login_ok(&app, &officer, OFFICER_EMAIL).await;

    // The page sets it apart, with its box and a danger button.
    let ticket = page(&officer, &app, &format!("/staff/tickets/{code}")).await;
    let zone = &ticket[ticket
        .find("data-testid=\"danger-zone\"")
        .expect("danger zone")..];
    assert!(zone.contains("data-action=\"reject\"") && zone.contains("button-danger"));
    assert!(zone.contains("name=\"confirm\" value=\"1\" required aria-required=\"true\""));
    let reason = "Nội dung đã được trả lời tại Văn bản số 12/SNV-TCCB, không có tình tiết mới.";
    let path = format!("/staff/tickets/{code}");
    let (status, body, _) = send(
        &app,
        &officer,
        &path,
        &[("action", "reject"), ("reason", reason)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Vui lòng đánh dấu ô “Tôi xác nhận …” để thực hiện thao tác này."),
        "{body}"
    );
    assert_eq!(
        textarea(&body, "reject-reason"),
        askama_escape(reason),
        "kept"
    );
    assert!(body.contains("<details class=\"action action-danger\" id=\"act-reject\" open>"));
    let mut conn = app.conn().await;
    assert_eq!(
        status_of(&mut conn, id).await,
        "submitted",
        "nothing changed"
    );
    let events: i64 = ticket_events::table
        .filter(ticket_events::ticket_id.eq(id))
        .count()
        .get_result(&mut conn)
        .await
        .expect("events");
    assert_eq!(events, 1, "only the filing");

    let (status, body, _) = send(
        &app,
        &officer,
        &path,
        &[("action", "reject"), ("reason", reason), ("confirm", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&mut conn, id).await, "rejected");
    drop(conn);
    let mut want = filed_mail();
    want.push(("update.reject", mail_to(&[CITIZEN])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_approval_marks_its_fields_defaults_to_today_and_names_what_is_missing() {
    let app = TestApp::spawn().await;
    let (id, code) = file(&app, "Chưa nhận quyết định nâng lương").await;
    let p = people(&app).await;
    let unit_id = crate::auth::unit_id(&app, UNIT).await;
    for action in [Action::Accept, Action::StartWork, Action::SubmitDraft] {
        step_at(
            &app,
            id,
            &p.officer,
            full_step(action, p.officer_id, unit_id, ""),
            Utc::now(),
        )
        .await
        .expect("to pending approval");
    }
    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;
    let path = format!("/staff/tickets/{code}");
    let ticket = page(&leader, &app, &path).await;
    let today = pakn::domain::calendar::local_date(Utc::now())
        .format("%Y-%m-%d")
        .to_string();
    assert!(ticket.contains("data-next=\"approve\""), "the next step");
    assert!(
        ticket.contains(&format!(
            "name=\"date\" type=\"date\" value=\"{today}\" required aria-required=\"true\""
        )),
        "today by default"
    );
    for name in ["number_symbol", "signer"] {
        assert!(
            ticket.contains(&format!(
                "name=\"{name}\" type=\"text\" value=\"\" required aria-required=\"true\""
            )),
            "{name}"
        );
    }
    assert_eq!(
        ticket
            .matches("<span class=\"req\" aria-hidden=\"true\">*</span>")
            .count(),
        3
    );

    // Without the signer and with a wrong date: both are named, what was typed stays,
    // and the page is at its own address (the form posts there).
    assert!(ticket.contains(&format!("action=\"/staff/tickets/{code}#act-approve\"")));
    let (status, body, _) = send(
        &app,
        &leader,
        &path,
        &[
            ("action", "approve"),
            ("number_symbol", "88/SNV-TCCB"),
            ("date", "31/02/2026"),
            ("signer", " "),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Chưa thể duyệt: vui lòng kiểm tra các mục được đánh dấu."));
    assert!(body.contains("data-testid=\"field-error-date\">Ngày ban hành không hợp lệ"));
    assert!(body.contains("data-testid=\"field-error-signer\">Vui lòng nhập người ký"));
    assert!(!body.contains("field-error-number_symbol"));
    assert!(body.contains("value=\"88/SNV-TCCB\""));
    assert!(body.contains("value=\"31/02/2026\" required aria-required=\"true\" aria-invalid=\"true\" aria-describedby=\"approve-date-error\""));
    let mut conn = app.conn().await;
    assert_eq!(status_of(&mut conn, id).await, "pending_approval");
    drop(conn);

    let (status, body, location) = send(
        &app,
        &leader,
        &path,
        &[
            ("action", "approve"),
            ("number_symbol", "88/SNV-TCCB"),
            ("date", &today),
            ("signer", "Phó Giám đốc Lê Văn An"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = location.expect("back to the page");
    assert_eq!(to, format!("/staff/tickets/{code}?done=approve#actions"));
    let done = page(&leader, &app, &to).await;
    assert!(
        done.contains("<p class=\"alert alert-ok\" role=\"status\" data-testid=\"action-done\">")
    );
    let mut want = filed_mail();
    want.push(("update.submit_draft", mail_to(&[LEADER_EMAIL])));
    want.push(("update.approve", mail_to(&[CITIZEN])));
    assert_eq!(app.take_mail().await.who(), want);
    app.stop().await;
}
