//! Issue 15, parts 1 and 2: the new-PAKN mail carries what its reader needs to act, the
//! handling unit's staff are told, contacts can be staff accounts, a move into another
//! unit tells that unit. Delivered through a real SMTP server and read as received.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{contacts, personal_data_views, tickets, users};
use pakn::domain::access::{Access, Role};
use pakn::handling::{self, Classification, Command, Context, Step, Who};
use reqwest::StatusCode;
use reqwest::multipart::Part;

use crate::auth::{OTHER_UNIT, UNIT, client, create_user, csrf, login_ok, unit_id};
use crate::filing::{PNG, form_of, fresh_form, post, valid_fields, with};
use crate::mail::use_sink;
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, DEPUTY, INSPECTION, mail_to};
use crate::support::smtp::{Received, SmtpSink};

const RULE: &str = "Chậm trễ, phiền hà của cán bộ → Tổ kiểm tra công vụ";
/// The sender's phone as stored (the mail shows it so); "0983" finds any form of it.
const PHONE: &str = "0983570009";
const STREET: &str = "12 Trần Hưng Đạo";
const CONTENT_START: &str = "Tôi nộp hồ sơ ngày 02/10/2026 tại bộ phận một cửa";
const TITLE: &str = "Chậm giải quyết hồ sơ hưởng bảo hiểm xã hội một lần";

/// Files `valid_fields` (a delay by officials: routed to the inspection team, Cc the
/// deputy director) with one picture; returns (id, code).
async fn file_with_picture(app: &TestApp) -> (i64, String) {
    let token = fresh_form(app).await;
    let fields = valid_fields(&token);
    let form = form_of(&fields).part(
        "attachments",
        Part::bytes(PNG.to_vec()).file_name("ảnh hồ sơ.png"),
    );
    let (status, body, _) = post(app, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    newest(app).await
}

async fn file_plain(app: &TestApp, title: &str) -> (i64, String) {
    let token = fresh_form(app).await;
    let fields = with(&valid_fields(&token), "title", title);
    let (status, body, _) = post(app, form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    newest(app).await
}

async fn newest(app: &TestApp) -> (i64, String) {
    tickets::table
        .order(tickets::id.desc())
        .select((tickets::id, tickets::code))
        .first(&mut app.conn().await)
        .await
        .expect("the filed ticket")
}

/// The one message received by `address`.
fn to<'a>(messages: &'a [Received], address: &str) -> &'a Received {
    let found: Vec<&Received> = messages
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == address))
        .collect();
    assert_eq!(found.len(), 1, "one message to {address}: {found:#?}");
    found[0]
}

fn bodies(m: &Received) -> [&str; 2] {
    [m.text(), m.html()]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_unit_and_the_contacts_are_told_each_what_they_may_read() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_without_worker(|cfg| use_sink(cfg, &sink)).await;
    let officer = create_user(&app, "a@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    let leader = create_user(&app, "b@sonoivu.vn", &["leader"], Some(OTHER_UNIT)).await;
    // Not told: the department's leader (the unit has a leader of its own), an officer
    // of another unit, an inactive officer, an admin of the unit.
    create_user(&app, "c@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "d@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let gone = create_user(&app, "e@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    create_user(&app, "f@sonoivu.vn", &["admin"], Some(OTHER_UNIT)).await;
    diesel::update(users::table.find(gone))
        .set(users::active.eq(false))
        .execute(&mut app.conn().await)
        .await
        .expect("deactivate");
    let (id, code) = file_with_picture(&app).await;
    let mail = app.take_mail().await;
    assert_eq!(
        mail.who(),
        [
            ("ack", mail_to(&[CITIZEN])),
            ("notify", mail_to(&[INSPECTION]).cc(&[DEPUTY])),
            ("notify_unit", mail_to(&["a@sonoivu.vn", "b@sonoivu.vn"])),
        ]
    );
    app.deliver_mail().await;
    let messages = sink.wait_for(3, crate::mail::PATIENCE).await;
    let staff_link = format!("{}/staff/tickets/{code}", app.base);
    // The unit's staff: everything, the sender's details and the staff link.
    let unit = to(&messages, "a@sonoivu.vn");
    assert_eq!(
        unit.rcpt_tos.len(),
        2,
        "one message to the unit's two accounts"
    );
    for body in bodies(unit) {
        for wanted in [
            TITLE,
            CONTENT_START,
            "Phản ánh",
            "Bảo hiểm xã hội",
            "Cổng trực tuyến",
            "Hạn tiếp nhận, phân loại",
            "Hạn chuyển cơ quan có thẩm quyền",
            "Hạn trả lời",
            "ảnh hồ sơ.png (1 KB)",
            RULE,
            "Nguyễn Thị Hoà",
            PHONE,
            CITIZEN,
            STREET,
            staff_link.as_str(),
        ] {
            assert!(body.contains(wanted), "{wanted:?} missing: {body}");
        }
    }
    assert!(
        unit.subject()
            .contains(&format!("[PAKN {}]", display(&code)))
    );
    assert!(unit.attachments.is_empty(), "the files are named, not sent");
    // The contacts (no account): the substance, no sender and no staff link.
    let contact = to(&messages, INSPECTION);
    for body in bodies(contact) {
        for wanted in [TITLE, CONTENT_START, "ảnh hồ sơ.png", RULE, "Hạn trả lời"] {
            assert!(body.contains(wanted), "{wanted:?} missing: {body}");
        }
        for secret in [
            "0983",
            CITIZEN,
            STREET,
            "Nguyễn Thị Hoà",
            staff_link.as_str(),
        ] {
            assert!(
                !body.contains(secret),
                "{secret:?} leaked to a contact: {body}"
            );
        }
    }
    // Each account the sender's details were mailed to is in the personal-data log.
    let mut mailed: Vec<i32> = personal_data_views::table
        .filter(personal_data_views::ticket_id.eq(id))
        .filter(personal_data_views::purpose.eq("mail"))
        .select(personal_data_views::user_id)
        .load(&mut app.conn().await)
        .await
        .expect("views");
    mailed.sort_unstable();
    assert_eq!(mailed, vec![officer, leader]);
    app.stop().await;
}

fn display(code: &str) -> String {
    format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..])
}

#[tokio::test(flavor = "multi_thread")]
async fn no_sender_details_when_switched_off_and_no_content_when_confidential() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_without_worker(|cfg| {
        use_sink(cfg, &sink);
        cfg.mail.staff_personal_data = false;
    })
    .await;
    create_user(&app, "a@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    // The unit has no leader: the department's leader is told, without the details.
    create_user(&app, "c@sonoivu.vn", &["leader"], None).await;
    let (_, plain) = file_plain(&app, "Phản ánh thường về hồ sơ").await;
    let (secret_id, secret) = file_plain(&app, "Tố cáo cán bộ nhận tiền bimatxyz").await;
    // Marked confidential before the worker renders it: the mail is rendered at send.
    diesel::update(tickets::table.find(secret_id))
        .set(tickets::confidential.eq(true))
        .execute(&mut app.conn().await)
        .await
        .expect("confidential");
    let mail = app.take_mail().await;
    let per_filing = [
        ("ack", mail_to(&[CITIZEN])),
        ("notify", mail_to(&[INSPECTION]).cc(&[DEPUTY])),
        ("notify_unit", mail_to(&["a@sonoivu.vn"])),
        ("notify_staff", mail_to(&["c@sonoivu.vn"])),
    ];
    assert_eq!(mail.who(), [per_filing.clone(), per_filing].concat());
    app.deliver_mail().await;
    let messages = sink.wait_for(8, crate::mail::PATIENCE).await;
    let about = |code: &str, address: &str| -> Received {
        messages
            .iter()
            .find(|m| {
                m.subject().contains(&display(code)) && m.rcpt_tos.iter().any(|r| r == address)
            })
            .unwrap_or_else(|| panic!("a message about {code} to {address}"))
            .clone()
    };
    for address in ["a@sonoivu.vn", "c@sonoivu.vn"] {
        let m = about(&plain, address);
        for body in bodies(&m) {
            assert!(body.contains("Phản ánh thường về hồ sơ"), "{body}");
            assert!(body.contains("/staff/tickets/"), "{body}");
            for secret in ["0983", CITIZEN, STREET] {
                assert!(
                    !body.contains(secret),
                    "{secret:?} with the switch off: {body}"
                );
            }
        }
    }
    for address in ["a@sonoivu.vn", "c@sonoivu.vn", INSPECTION] {
        let m = about(&secret, address);
        for body in bodies(&m) {
            for hidden in ["bimatxyz", CONTENT_START, "0983", STREET] {
                assert!(
                    !body.contains(hidden),
                    "{hidden:?} in a confidential mail: {body}"
                );
            }
            assert!(body.contains("đánh dấu mật"), "{body}");
        }
    }
    let views: i64 = personal_data_views::table
        .filter(personal_data_views::purpose.eq("mail"))
        .count()
        .get_result(&mut app.conn().await)
        .await
        .expect("views");
    assert_eq!(views, 0, "no details were mailed");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contact_linked_to_an_account_is_mailed_as_staff() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_without_worker(|cfg| use_sink(cfg, &sink)).await;
    create_user(&app, "admin@sonoivu.vn", &["admin"], None).await;
    create_user(&app, "a@sonoivu.vn", &["officer"], Some(OTHER_UNIT)).await;
    let deputy = create_user(&app, "tlho@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "admin@sonoivu.vn").await;
    let deputy_contact: i32 = contacts::table
        .filter(contacts::email.eq(DEPUTY))
        .select(contacts::id)
        .first(&mut app.conn().await)
        .await
        .expect("the deputy's contact");
    let edit = app.url(&format!("/staff/admin/contacts/{deputy_contact}"));
    let token = csrf(&app, &c).await;
    let mut fields = contact_form(&app, deputy_contact).await;
    fields.push(("csrf".into(), token.clone()));
    // An address no account has comes back with the form and a message.
    let mut wrong = fields.clone();
    wrong.push(("account".into(), "nobody@sonoivu.vn".into()));
    let res = c.post(&edit).form(&wrong).send().await.expect("POST");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = res.text().await.expect("body");
    assert!(
        body.contains("Không có tài khoản cán bộ đang hoạt động"),
        "{body}"
    );
    assert!(body.contains("nobody@sonoivu.vn"), "what was typed stays");
    fields.push(("account".into(), "TLHO@sonoivu.vn".into()));
    let res = c.post(&edit).form(&fields).send().await.expect("POST");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap_or_default()
    );
    let linked: Option<i32> = contacts::table
        .find(deputy_contact)
        .select(contacts::user_id)
        .first(&mut app.conn().await)
        .await
        .expect("contact");
    assert_eq!(linked, Some(deputy));
    crate::admin::caught_up(&app).await;
    let (_, code) = file_plain(&app, "Phản ánh khi liên hệ có tài khoản").await;
    // The deputy's contact address is not mailed as a contact any more; the account is
    // told as staff (a leader of the department, not of the unit: no sender details).
    let mail = app.take_mail().await;
    assert_eq!(
        mail.who(),
        [
            ("ack", mail_to(&[CITIZEN])),
            ("notify", mail_to(&[INSPECTION])),
            ("notify_unit", mail_to(&["a@sonoivu.vn"])),
            ("notify_staff", mail_to(&["tlho@sonoivu.vn"])),
        ]
    );
    app.deliver_mail().await;
    let messages = sink.wait_for(4, crate::mail::PATIENCE).await;
    let deputy_mail = to(&messages, "tlho@sonoivu.vn");
    for body in bodies(deputy_mail) {
        assert!(body.contains(&format!("/staff/tickets/{code}")), "{body}");
        assert!(body.contains("Phản ánh khi liên hệ có tài khoản"), "{body}");
        assert!(!body.contains("0983"), "{body}");
    }
    app.stop().await;
}

/// The contact form of `id` as its stored values fill it.
async fn contact_form(app: &TestApp, id: i32) -> Vec<(String, String)> {
    type Row = (
        String,
        Option<String>,
        String,
        String,
        Vec<String>,
        Option<String>,
        bool,
        i32,
    );
    let (kind, person, title_vi, title_en, phones, email, active, sort): Row = contacts::table
        .find(id)
        .select((
            contacts::kind,
            contacts::person_name,
            contacts::title_vi,
            contacts::title_en,
            contacts::phones,
            contacts::email,
            contacts::active,
            contacts::sort,
        ))
        .first(&mut app.conn().await)
        .await
        .expect("contact");
    let mut out = vec![
        ("kind".to_string(), kind),
        ("person_name".into(), person.unwrap_or_default()),
        ("title_vi".into(), title_vi),
        ("title_en".into(), title_en),
        ("phones".into(), phones.join(", ")),
        ("email".into(), email.unwrap_or_default()),
        ("sort".into(), sort.to_string()),
    ];
    if active {
        out.push(("active".into(), "on".into()));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn accepting_into_another_unit_tells_that_unit_and_not_the_actor() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let (id, _) = file_plain(&app, "Phản ánh chuyển đơn vị").await;
    let _ = app.take_mail().await.who();
    let moving = create_user(&app, "ld@sonoivu.vn", &["leader"], None).await;
    let handler = create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "cv2@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "ld2@sonoivu.vn", &["leader"], None).await;
    let unit = unit_id(&app, UNIT).await;
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now: chrono::Utc::now(),
    };
    let who = Who::Staff(Access::new(moving, vec![Role::Leader], None));
    let step = Step::Accept(Classification {
        field_code: "can_bo_cong_chuc".into(),
        kind: "phan_anh".into(),
        procedure: String::new(),
        urgency: "normal".into(),
        unit_id: Some(unit),
        assignee_id: Some(handler),
    });
    let mut conn = app.conn().await;
    handling::perform(&mut conn, &ctx, id, &who, Command::Move(step))
        .await
        .expect("accept into another unit");
    drop(conn);
    // The handler hears they handle it; the new unit's other officer and the
    // department's other leader get the new-PAKN mail; the leader who moved it, nothing.
    let mail = app.take_mail().await;
    assert_eq!(
        mail.who(),
        [
            ("update.accept", mail_to(&["cv@sonoivu.vn"])),
            ("moved_unit", mail_to(&["cv2@sonoivu.vn"])),
            ("moved_staff", mail_to(&["ld2@sonoivu.vn"])),
        ]
    );
    let report = app.deliver_mail().await;
    assert_eq!(report.failed, 0, "{report:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_are_not_mailed_about_their_own_draft() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let (id, _) = file_plain(&app, "Phản ánh có dự thảo của lãnh đạo").await;
    let _ = app.take_mail().await.who();
    // A head of unit is its officer and a leader: they draft, and leaders approve.
    let me = create_user(
        &app,
        "ld@sonoivu.vn",
        &["leader", "officer"],
        Some(OTHER_UNIT),
    )
    .await;
    create_user(&app, "ld2@sonoivu.vn", &["leader"], None).await;
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now: chrono::Utc::now(),
    };
    let unit = unit_id(&app, OTHER_UNIT).await;
    let who = Who::Staff(Access::new(
        me,
        vec![Role::Leader, Role::Officer],
        Some(unit),
    ));
    let steps = vec![
        Command::Move(Step::Accept(Classification {
            field_code: "bao_hiem_xa_hoi".into(),
            kind: "phan_anh".into(),
            procedure: String::new(),
            urgency: "normal".into(),
            unit_id: Some(unit),
            assignee_id: Some(me),
        })),
        Command::Move(Step::StartWork),
        Command::Move(Step::SubmitDraft {
            body: "Dự thảo trả lời của lãnh đạo.".into(),
            files: Vec::new(),
        }),
    ];
    let mut conn = app.conn().await;
    handling::perform_all(&mut conn, &ctx, id, &who, steps)
        .await
        .expect("accept and draft");
    drop(conn);
    assert_eq!(
        app.take_mail().await.who(),
        [("update.submit_draft", mail_to(&["ld2@sonoivu.vn"]))]
    );
    app.deliver_mail().await;
    app.stop().await;
}
