//! Issue 5: the handling of a PAKN. The moves table exercised through `handling::perform`
//! against a real database (every allowed move, a refusal for every forbidden one and
//! for every missing requirement), then the same work through the ticket page over
//! HTTP: the reply drafted, returned, approved and mailed with its file; deadlines with
//! and without the needs-info pause; the automatic moves with two instances.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use pakn::db::schema::{outbox, replies, ticket_events, tickets};
use pakn::domain::access::{Access, Role};
use pakn::domain::status::Status;
use pakn::domain::workflow::{self, Action, Actor, MoveError};
use pakn::handling::{
    self, Classification, Command, Context, HandlingError, ReplyDocument, Step, Who,
};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::auth::{UNIT, client, create_user, csrf, get, login_ok};
use crate::filing::{fresh_form, pdf_bytes, post, valid_fields, with};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, DEPUTY, Rcpt, filing_mail_notifying, mail_to};
use crate::support::smtp::SmtpSink;

/// Files a PAKN routed to UNIT (lĩnh vực "can_bo_cong_chuc") and returns (id, code).
pub async fn file(app: &TestApp, title: &str) -> (i64, String) {
    let token = fresh_form(app).await;
    let fields = with(
        &with(
            &with(&valid_fields(&token), "field", "can_bo_cong_chuc"),
            "content_category",
            "khac",
        ),
        "title",
        title,
    );
    let (status, body, _) = post(app, crate::filing::form_of(&fields)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let mut conn = app.conn().await;
    tickets::table
        .filter(tickets::title.eq(title))
        .select((tickets::id, tickets::code))
        .first(&mut conn)
        .await
        .expect("the filed ticket")
}

/// The addresses of [`people`]: the officer of UNIT (which has no address of its own,
/// so its officers hear for it) and the leader.
pub const OFFICER_EMAIL: &str = "cv@sonoivu.vn";
pub const LEADER_EMAIL: &str = "ld@sonoivu.vn";

/// The mail of [`file`] before [`people`] exist: the acknowledgement, and the
/// notification of the rule for "can_bo_cong_chuc" (to the deputy director alone).
pub fn filed_mail() -> Vec<(&'static str, Rcpt)> {
    filing_mail_notifying(mail_to(&[DEPUTY]))
}

fn filings_mail_here(n: usize) -> Vec<(&'static str, Rcpt)> {
    (0..n).flat_map(|_| filed_mail()).collect()
}

/// The mail of `n` times [`file`] once [`people`] exist: as [`filed_mail`], and the
/// unit's notification to its officer and to the department's leader (the unit has no
/// leader of its own).
fn filings_mail_to_people(n: usize) -> Vec<(&'static str, Rcpt)> {
    (0..n)
        .flat_map(|_| {
            let mut mail = filed_mail();
            mail.push(("notify_unit", mail_to(&[OFFICER_EMAIL])));
            mail.push(("notify_staff", mail_to(&[LEADER_EMAIL])));
            mail
        })
        .collect()
}

/// The mail of [`answer`]: the draft to the leader, the answer to the citizen.
pub fn answer_mail() -> Vec<(&'static str, Rcpt)> {
    vec![
        ("update.submit_draft", mail_to(&[LEADER_EMAIL])),
        ("update.approve", mail_to(&[CITIZEN])),
    ]
}

/// The queue table's row that links to `code` (empty when there is none).
fn row_of<'a>(page: &'a str, code: &str) -> &'a str {
    let Some(at) = page.find(&format!("/staff/tickets/{code}\"")) else {
        return "";
    };
    let start = page[..at].rfind("<tr").unwrap_or(at);
    let end = page[at..].find("</tr>").map_or(page.len(), |e| at + e);
    &page[start..end]
}

async fn set_status(conn: &mut AsyncPgConnection, id: i64, status: Status, before: Option<Status>) {
    diesel::update(tickets::table.find(id))
        .set((
            tickets::status.eq(status.as_str()),
            tickets::status_before_info.eq(before.map(|b| b.as_str())),
            tickets::answered_at.eq(Some(Utc::now())),
        ))
        .execute(conn)
        .await
        .expect("set status");
}

pub async fn status_of(conn: &mut AsyncPgConnection, id: i64) -> String {
    tickets::table
        .find(id)
        .select(tickets::status)
        .first(conn)
        .await
        .expect("status")
}

async fn add_pending_reply(conn: &mut AsyncPgConnection, id: i64, drafter: i32) {
    diesel::insert_into(replies::table)
        .values((
            replies::ticket_id.eq(id),
            replies::state.eq("pending"),
            replies::body.eq("Trả lời: hồ sơ đã được giải quyết."),
            replies::drafted_by.eq(drafter),
        ))
        .execute(conn)
        .await
        .expect("reply");
}

pub struct People {
    pub officer: Who,
    pub leader: Who,
    pub officer_id: i32,
}

pub async fn people(app: &TestApp) -> People {
    let officer_id = create_user(app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let leader_id = create_user(app, "ld@sonoivu.vn", &["leader"], None).await;
    let unit_id = crate::auth::unit_id(app, UNIT).await;
    People {
        officer: Who::Staff(Access::new(officer_id, vec![Role::Officer], Some(unit_id))),
        leader: Who::Staff(Access::new(leader_id, vec![Role::Leader], None)),
        officer_id,
    }
}

/// A step that carries everything its move requires.
pub fn full_step(action: Action, officer_id: i32, unit_id: i32, other_code: &str) -> Step {
    let date = NaiveDate::from_ymd_opt(2026, 3, 2);
    match action {
        Action::Accept => Step::Accept(Classification {
            field_code: "can_bo_cong_chuc".into(),
            kind: "phan_anh".into(),
            procedure: "Thi tuyển công chức".into(),
            urgency: "normal".into(),
            unit_id: Some(unit_id),
            assignee_id: Some(officer_id),
        }),
        Action::AskInfo => Step::AskInfo {
            question: "Đề nghị bổ sung số hồ sơ.".into(),
        },
        Action::AnswerInfo => Step::AnswerInfo {
            text: "Số hồ sơ là 000.00.12.H01-250312-0001.".into(),
            files: Vec::new(),
        },
        Action::ExpireInfo => Step::ExpireInfo,
        Action::Reject => Step::Reject {
            reason: "Thiếu thông tin người gửi.".into(),
        },
        Action::OutOfScope => Step::OutOfScope {
            reason: "Nội dung là khiếu nại.".into(),
            competent_body: "Thanh tra tỉnh".into(),
        },
        Action::Transfer => Step::Transfer {
            agency: "Sở Tư pháp".into(),
            reference: "123/SNV-VP".into(),
            date,
        },
        Action::StartWork => Step::StartWork,
        Action::SubmitDraft => Step::SubmitDraft {
            body: "Dự thảo trả lời.".into(),
            files: Vec::new(),
        },
        Action::ReturnDraft => Step::ReturnDraft {
            reason: "Cần nêu căn cứ pháp lý.".into(),
        },
        Action::Approve => Step::Approve(ReplyDocument {
            number_symbol: "45/SNV-VP".into(),
            date,
            signer: "Phó Giám đốc Nguyễn Văn B".into(),
        }),
        Action::Withdraw => Step::Withdraw {
            reason: "Đã được giải quyết.".into(),
        },
        Action::CloseDuplicate => Step::CloseDuplicate {
            of_code: other_code.into(),
        },
        Action::Close => Step::Close,
        Action::AutoClose => Step::AutoClose,
        Action::Reopen => Step::Reopen {
            reason: "Chưa được giải quyết.".into(),
        },
    }
}

/// The same step with every requirement left out.
fn empty_step(action: Action) -> Step {
    match action {
        Action::Accept => Step::Accept(Classification::default()),
        Action::AskInfo => Step::AskInfo {
            question: " ".into(),
        },
        Action::AnswerInfo => Step::AnswerInfo {
            text: String::new(),
            files: Vec::new(),
        },
        Action::Reject => Step::Reject {
            reason: String::new(),
        },
        Action::OutOfScope => Step::OutOfScope {
            reason: String::new(),
            competent_body: String::new(),
        },
        Action::Transfer => Step::Transfer {
            agency: "Sở Tư pháp".into(),
            reference: String::new(),
            date: None,
        },
        Action::SubmitDraft => Step::SubmitDraft {
            body: "\n".into(),
            files: Vec::new(),
        },
        Action::ReturnDraft => Step::ReturnDraft {
            reason: String::new(),
        },
        Action::Approve => Step::Approve(ReplyDocument {
            number_symbol: "45/SNV-VP".into(),
            date: None,
            signer: String::new(),
        }),
        Action::Withdraw => Step::Withdraw {
            reason: String::new(),
        },
        Action::CloseDuplicate => Step::CloseDuplicate {
            of_code: String::new(),
        },
        Action::Reopen => Step::Reopen {
            reason: String::new(),
        },
        other => full_step(other, 0, 0, ""),
    }
}

fn who_for(actor: Actor, p: &People) -> &Who {
    match actor {
        Actor::Officer => &p.officer,
        Actor::Leader => &p.leader,
        Actor::Citizen => &Who::Citizen,
        Actor::System => &Who::System,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_move_of_the_table_and_a_refusal_for_everything_else() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let (id, _) = file(&app, "PAKN để thử các bước xử lý").await;
    let (_, other_code) = file(&app, "PAKN gốc để đánh dấu trùng").await;
    let p = people(&app).await;
    let unit_id = crate::auth::unit_id(&app, UNIT).await;
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now: Utc::now(),
    };
    let mut conn = app.conn().await;
    let mut allowed = 0;
    let mut refused = 0;
    for m in workflow::MOVES {
        for &from in Status::ALL {
            for actor in [Actor::Officer, Actor::Leader, Actor::Citizen, Actor::System] {
                let before = Some(Status::InProgress);
                set_status(&mut conn, id, from, before).await;
                diesel::delete(replies::table.filter(replies::ticket_id.eq(id)))
                    .execute(&mut conn)
                    .await
                    .expect("clear replies");
                if from == Status::PendingApproval {
                    add_pending_reply(&mut conn, id, p.officer_id).await;
                }
                let step = full_step(m.action, p.officer_id, unit_id, &other_code);
                let result =
                    handling::perform(&mut conn, &ctx, id, who_for(actor, &p), Command::Move(step))
                        .await;
                let may = m.from.contains(&from) && m.actors.contains(&actor);
                if may {
                    let done = result.unwrap_or_else(|e| {
                        panic!("{:?} from {from:?} by {actor:?}: {e}", m.action)
                    });
                    let expected = match m.to {
                        workflow::Target::To(s) => s,
                        workflow::Target::Previous => Status::InProgress,
                    };
                    assert_eq!(done.to, expected, "{:?} from {from:?}", m.action);
                    assert_eq!(status_of(&mut conn, id).await, expected.as_str());
                    allowed += 1;
                } else {
                    match result {
                        Err(HandlingError::Refused(MoveError::NotFrom { .. }))
                            if !m.from.contains(&from) => {}
                        Err(HandlingError::Refused(MoveError::NotYours { .. }))
                            if !m.actors.contains(&actor) => {}
                        other => panic!(
                            "{:?} from {from:?} by {actor:?} should be refused: {other:?}",
                            m.action
                        ),
                    }
                    assert_eq!(
                        status_of(&mut conn, id).await,
                        from.as_str(),
                        "a refused move changes nothing"
                    );
                    refused += 1;
                }
            }
        }
        // Each requirement missing, from an allowed status by an allowed actor.
        if !m.requires.is_empty() && m.actors.iter().all(|a| *a != Actor::System) {
            let from = m.from[0];
            set_status(&mut conn, id, from, Some(Status::InProgress)).await;
            let result = handling::perform(
                &mut conn,
                &ctx,
                id,
                who_for(m.actors[0], &p),
                Command::Move(empty_step(m.action)),
            )
            .await;
            match result {
                Err(HandlingError::Refused(MoveError::Missing(r))) => {
                    assert!(m.requires.contains(&r), "{:?}: {r:?}", m.action)
                }
                other => panic!("{:?} without its requirements: {other:?}", m.action),
            }
        }
    }
    assert_eq!(
        allowed,
        workflow::MOVES
            .iter()
            .map(|m| m.from.len() * m.actors.len())
            .sum::<usize>()
    );
    assert!(refused > 500, "{refused} refusals checked");
    // Inspectors, admins and officers of another unit handle nothing.
    let inspector = Who::Staff(Access::new(p.officer_id, vec![Role::Inspector], None));
    let stranger = Who::Staff(Access::new(
        p.officer_id,
        vec![Role::Officer],
        Some(unit_id + 1),
    ));
    set_status(&mut conn, id, Status::Submitted, None).await;
    for who in [inspector, stranger] {
        let r = handling::perform(
            &mut conn,
            &ctx,
            id,
            &who,
            Command::InternalNote { text: "x".into() },
        )
        .await;
        assert!(matches!(r, Err(HandlingError::NotAllowed)), "{r:?}");
    }
    drop(conn);
    // Every allowed move that tells someone, once per (from, actor) it was made from: the
    // citizen hears of the questions, refusals, transfers, answer and duplicates; the
    // unit's officer of the citizen's answers, withdrawals and reopenings (a staff
    // reopening tells nobody); the leader of the draft. Starting work and closing mail
    // nobody.
    // Accepting tells the handler it names unless they accepted it themself (the leader
    // names the officer once).
    // No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    assert_eq!(
        mail.tally(),
        [
            ("ack", mail_to(&[CITIZEN]), 2),
            ("notify", mail_to(&[DEPUTY]), 2),
            ("update.accept", mail_to(&[OFFICER_EMAIL]), 1),
            ("update.answer_info", mail_to(&[OFFICER_EMAIL]), 1),
            ("update.approve", mail_to(&[CITIZEN]), 1),
            ("update.ask_info", mail_to(&[CITIZEN]), 4),
            ("update.close_duplicate", mail_to(&[CITIZEN]), 4),
            ("update.expire_info", mail_to(&[CITIZEN]), 1),
            ("update.out_of_scope", mail_to(&[CITIZEN]), 4),
            ("update.reject", mail_to(&[CITIZEN]), 4),
            ("update.reopen", mail_to(&[OFFICER_EMAIL]), 2),
            ("update.return_draft", mail_to(&[OFFICER_EMAIL]), 1),
            ("update.submit_draft", mail_to(&[LEADER_EMAIL]), 1),
            ("update.transfer", mail_to(&[CITIZEN]), 6),
            ("update.withdraw", mail_to(&[OFFICER_EMAIL]), 4),
        ]
    );
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn counters_follow_every_move() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let p = people(&app).await;
    let unit_id = crate::auth::unit_id(&app, UNIT).await;
    let (a, _) = file(&app, "PAKN thứ nhất về công chức").await;
    let (b, code_b) = file(&app, "PAKN thứ hai về công chức").await;
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now: Utc::now(),
    };
    let mut conn = app.conn().await;
    for action in [Action::Accept, Action::StartWork, Action::SubmitDraft] {
        handling::perform(
            &mut conn,
            &ctx,
            a,
            &p.officer,
            Command::Move(full_step(action, p.officer_id, unit_id, "")),
        )
        .await
        .expect("move");
    }
    handling::perform(
        &mut conn,
        &ctx,
        a,
        &p.leader,
        Command::Move(full_step(Action::Approve, p.officer_id, unit_id, "")),
    )
    .await
    .expect("approve");
    handling::perform(
        &mut conn,
        &ctx,
        b,
        &p.officer,
        Command::Move(full_step(Action::Reject, p.officer_id, unit_id, &code_b)),
    )
    .await
    .expect("reject");
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let counted: Vec<Row> = diesel::sql_query(
        "SELECT status, sum(n)::bigint AS n FROM ticket_counters GROUP BY status
         HAVING sum(n) <> 0 ORDER BY status",
    )
    .load(&mut conn)
    .await
    .expect("counters");
    let actual: Vec<Row> = diesel::sql_query(
        "SELECT status, count(*)::bigint AS n FROM tickets GROUP BY status ORDER BY status",
    )
    .load(&mut conn)
    .await
    .expect("tickets");
    let without_outcomes: Vec<&Row> = counted
        .iter()
        .filter(|r| !r.status.starts_with("outcome:"))
        .collect();
    assert_eq!(without_outcomes, actual.iter().collect::<Vec<_>>());
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let on_time = diesel::sql_query(
        "SELECT coalesce(sum(n), 0)::bigint AS n FROM ticket_counters WHERE status = 'outcome:on_time'",
    )
    .get_result::<N>(&mut conn)
    .await
    .expect("outcome")
    .n;
    assert_eq!(on_time, 1, "the answer on time is counted once");
    drop(conn);
    // No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filings_mail_to_people(2);
    want.extend(answer_mail());
    want.push(("update.reject", mail_to(&[CITIZEN])));
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

/// Posts an action form from the ticket page (urlencoded).
async fn act(
    app: &TestApp,
    client: &reqwest::Client,
    code: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let token = csrf(app, client).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", token.as_str())];
    form.extend_from_slice(fields);
    let res = client
        .post(app.url(&format!("/staff/tickets/{code}/act")))
        .form(&form)
        .send()
        .await
        .expect("POST act");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

pub async fn events_of(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> Vec<(String, bool, Option<String>)> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(id))
        .order(ticket_events::id)
        .select((
            ticket_events::event,
            ticket_events::public,
            ticket_events::body,
        ))
        .load(conn)
        .await
        .expect("events")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_is_drafted_returned_approved_and_mailed_with_its_file() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| crate::mail::use_sink(cfg, &sink)).await;
    let (id, code) = file(&app, "Chậm giải quyết hồ sơ thi tuyển").await;
    let officer_id = create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "ld@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "tt@sonoivu.vn", &["inspector"], None).await;
    let unit_id = crate::auth::unit_id(&app, UNIT).await;
    let officer = client();
    login_ok(&app, &officer, "cv@sonoivu.vn").await;
    let leader = client();
    login_ok(&app, &leader, "ld@sonoivu.vn").await;
    let inspector = client();
    login_ok(&app, &inspector, "tt@sonoivu.vn").await;

    // The page offers the officer the moves from "submitted" and the inspector none.
    let page = get(&officer, app.url(&format!("/staff/tickets/{code}"))).await;
    let page = page.text().await.expect("page");
    assert!(page.contains("data-action=\"accept\"") && page.contains("data-action=\"reject\""));
    assert!(!page.contains("data-action=\"approve\""));
    let seen = get(&inspector, app.url(&format!("/staff/tickets/{code}"))).await;
    assert!(!seen.text().await.expect("page").contains("data-action="));
    let (status, _) = act(
        &app,
        &inspector,
        &code,
        &[("action", "internal_note"), ("text", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "inspectors change nothing");

    // A POST without the session's token is refused.
    let res = officer
        .post(app.url(&format!("/staff/tickets/{code}/act")))
        .form(&[("action", "start_work")])
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Accepting without a handler comes back with the message and what was typed.
    let unit = unit_id.to_string();
    let (status, body) = act(
        &app,
        &officer,
        &code,
        &[
            ("action", "accept"),
            ("field", "can_bo_cong_chuc"),
            ("kind", "kien_nghi"),
            ("urgency", "urgent"),
            ("procedure", "Thi tuyển công chức cấp xã"),
            ("unit", &unit),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Cần chọn lĩnh vực, loại, mức độ, đơn vị và người xử lý."));
    assert!(
        body.contains("value=\"Thi tuyển công chức cấp xã\""),
        "the typed value stays"
    );
    let officer_s = officer_id.to_string();
    let (status, body) = act(
        &app,
        &officer,
        &code,
        &[
            ("action", "accept"),
            ("field", "can_bo_cong_chuc"),
            ("kind", "kien_nghi"),
            ("urgency", "urgent"),
            ("procedure", "Thi tuyển công chức cấp xã"),
            ("unit", &unit),
            ("assignee", &officer_s),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The first draft, with the signed letter, starts the work and waits for a leader.
    let draft = |body: &str| {
        Form::new()
            .text("action", "submit_draft")
            .text("body", body.to_string())
            .part(
                "attachments",
                Part::bytes(pdf_bytes())
                    .file_name("cong-van-45.pdf")
                    .mime_str("application/pdf")
                    .expect("mime"),
            )
    };
    let token = csrf(&app, &officer).await;
    let res = officer
        .post(app.url(&format!("/staff/tickets/{code}/act")))
        .multipart(draft("Sở Nội vụ trả lời như sau: hồ sơ đã được xử lý.").text("csrf", token))
        .send()
        .await
        .expect("draft");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    assert_eq!(status_of(&mut conn, id).await, "pending_approval");

    // Only a leader approves: the officer is told so.
    let (status, body) = act(
        &app,
        &officer,
        &code,
        &[
            ("action", "approve"),
            ("number_symbol", "45/SNV-VP"),
            ("date", "2026-03-02"),
            ("signer", "Nguyễn Văn B"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Bạn không có quyền thực hiện thao tác này."),
        "{body}"
    );

    // The leader returns it with a reason; it goes back to the officer with that reason.
    let (status, _) = act(
        &app,
        &leader,
        &code,
        &[
            ("action", "return_draft"),
            ("reason", "Cần nêu căn cứ Nghị định 20/2008/NĐ-CP."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&mut conn, id).await, "in_progress");
    let page = get(&officer, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Cần nêu căn cứ Nghị định 20/2008/NĐ-CP.")
            && page.contains("data-testid=\"reply-returned\"")
    );

    let token = csrf(&app, &officer).await;
    let res = officer
        .post(app.url(&format!("/staff/tickets/{code}/act")))
        .multipart(
            draft("Căn cứ Nghị định 20/2008/NĐ-CP, Sở Nội vụ trả lời: hồ sơ đã được xử lý.")
                .text("csrf", token),
        )
        .send()
        .await
        .expect("draft");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, body) = act(
        &app,
        &leader,
        &code,
        &[
            ("action", "approve"),
            ("number_symbol", "45/SNV-VP"),
            ("date", "02/03/2026"),
            ("signer", "Phó Giám đốc Nguyễn Văn B"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(status_of(&mut conn, id).await, "answered");

    // The citizen gets the reply with the letter attached.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let reply = loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .find(|m| m.subject().contains("Lãnh đạo duyệt"))
        {
            break m;
        }
        assert!(std::time::Instant::now() < deadline, "no reply mail");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        reply.addresses("to"),
        vec!["hoa.nguyen@example.vn".to_string()]
    );
    assert!(reply.text().contains("45/SNV-VP") && reply.text().contains("02/03/2026"));
    assert!(reply.text().contains("Căn cứ Nghị định 20/2008/NĐ-CP"));
    assert_eq!(reply.attachments, vec![Some("cong-van-45.pdf".to_string())]);
    let events: Vec<String> = events_of(&mut conn, id)
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        events,
        [
            "submitted",
            "accept",
            "start_work",
            "submit_draft",
            "return_draft",
            "submit_draft",
            "approve"
        ]
    );
    // Leaders were told of each draft, the officer of the return: every mail went out.
    let pending: i64 = outbox::table
        .filter(outbox::sent_at.is_null())
        .count()
        .get_result(&mut conn)
        .await
        .expect("outbox");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut pending = pending;
    while pending > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
        pending = outbox::table
            .filter(outbox::sent_at.is_null())
            .count()
            .get_result(&mut conn)
            .await
            .expect("outbox");
    }
    assert_eq!(pending, 0, "the outbox ends empty");
    drop(conn);
    // The leader (not the inspector) hears of each draft, the officer of the return, the
    // citizen of the answer, with the letter; accepting into the unit it was routed to
    // mails nobody.
    let mail = app.take_mail().await;
    let mut want = filed_mail();
    want.extend([
        ("update.submit_draft", mail_to(&[LEADER_EMAIL])),
        ("update.return_draft", mail_to(&[OFFICER_EMAIL])),
        ("update.submit_draft", mail_to(&[LEADER_EMAIL])),
        ("update.approve", mail_to(&[CITIZEN])),
    ]);
    assert_eq!(mail.who(), want);
    let approve = mail.of_kind("update.approve");
    assert_eq!(
        approve
            .iter()
            .map(|m| m.attachment_ids.len())
            .collect::<Vec<_>>(),
        [1]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicates_are_linked_and_the_citizen_told() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let (original, original_code) = file(&app, "Phản ánh gốc").await;
    let (dup, dup_code) = file(&app, "Phản ánh gửi lại").await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let officer = client();
    login_ok(&app, &officer, "cv@sonoivu.vn").await;
    let (status, body) = act(
        &app,
        &officer,
        &dup_code,
        &[
            ("action", "close_duplicate"),
            ("duplicate_of", &dup_code),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Không thể đánh dấu trùng với chính nó."));
    let (status, body) = act(
        &app,
        &officer,
        &dup_code,
        &[
            ("action", "close_duplicate"),
            ("duplicate_of", "ZZZZ-ZZZZ-ZZ"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Không tìm thấy phản ánh, kiến nghị có mã này."));
    // Any spelling of the code works.
    let spelled = original_code.to_lowercase();
    let (status, _) = act(
        &app,
        &officer,
        &dup_code,
        &[
            ("action", "close_duplicate"),
            ("duplicate_of", &spelled),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    let (st, of): (String, Option<i64>) = tickets::table
        .find(dup)
        .select((tickets::status, tickets::duplicate_of))
        .first(&mut conn)
        .await
        .expect("dup");
    assert_eq!((st.as_str(), of), ("closed", Some(original)));
    let mail: (Vec<String>, Option<String>) = outbox::table
        .filter(outbox::ticket_id.eq(dup))
        .filter(outbox::kind.eq("update.close_duplicate"))
        .select((outbox::to_addrs, outbox::body_text))
        .first(&mut conn)
        .await
        .expect("the citizen is told");
    assert_eq!(mail.0, vec!["hoa.nguyen@example.vn".to_string()]);
    let shown = pakn::domain::tracking_code::TrackingCode::parse(&original_code)
        .expect("code")
        .display();
    let text = mail.1.unwrap_or_default();
    // Told it repeats an earlier PAKN, never which: that code is another citizen's key
    // to the track lookup (security review, finding 9).
    assert!(!text.contains(&shown), "another citizen's code: {text}");
    assert!(!text.contains(&original_code), "{text}");
    assert!(text.contains("đã được tiếp nhận trước đó"), "{text}");
    drop(conn);
    // The refused attempts mailed nobody. No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filings_mail_here(2);
    want.push(("update.close_duplicate", mail_to(&[CITIZEN])));
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

/// Runs one step at a chosen moment.
pub async fn step_at(
    app: &TestApp,
    id: i64,
    who: &Who,
    step: Step,
    now: chrono::DateTime<Utc>,
) -> Result<handling::Done, HandlingError> {
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now,
    };
    let mut conn = app.conn().await;
    handling::perform(&mut conn, &ctx, id, who, Command::Move(step)).await
}

async fn reply_due(app: &TestApp, id: i64) -> NaiveDate {
    let mut conn = app.conn().await;
    tickets::table
        .find(id)
        .select(tickets::reply_due)
        .first(&mut conn)
        .await
        .expect("reply_due")
}

/// Puts a ticket's receipt on a given day, with the deadlines computed for it.
async fn received_on(app: &TestApp, id: i64, at: chrono::DateTime<Utc>) {
    let state = app.state();
    let reference = state.reference.get();
    let policy = state.cfg.deadline_policy();
    let d = pakn::domain::calendar::deadlines(&reference.calendar, &policy, at);
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(id))
        .set((
            tickets::received_at.eq(at),
            tickets::accept_due.eq(d.accept_due),
            tickets::forward_due.eq(d.forward_due),
            tickets::reply_due.eq(d.reply_due),
        ))
        .execute(&mut conn)
        .await
        .expect("backdate");
}

fn vn(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    pakn::domain::calendar::vn_offset()
        .with_ymd_and_hms(y, m, d, 9, 0, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_needs_info_pause_moves_the_reply_due_date_over_tet() {
    // Working-day counting, pause on: received Fri 06/02/2026, 20 working days; asked on
    // 09/02, answered 27/02 (Tết 14–22/02 in between).
    // The automatic moves would expire these February requests: keep them away.
    let app = TestApp::spawn_without_worker(|cfg| {
        cfg.deadlines.reply_count = pakn::domain::calendar::DayCount::Working;
        cfg.deadlines.pause_on_needs_info = true;
        cfg.deadlines.job_interval_secs = 3600;
    })
    .await;
    let (id, _) = file(&app, "PAKN có yêu cầu bổ sung").await;
    let (plain, _) = file(&app, "PAKN không tạm dừng").await;
    let p = people(&app).await;
    received_on(&app, id, vn(2026, 2, 6)).await;
    received_on(&app, plain, vn(2026, 2, 6)).await;
    let before = reply_due(&app, id).await;
    let reference = app.state().reference.get();
    assert_eq!(
        before,
        reference
            .calendar
            .add_working_days(NaiveDate::from_ymd_opt(2026, 2, 6).expect("d"), 20)
    );
    assert!(
        before > NaiveDate::from_ymd_opt(2026, 3, 6).expect("d"),
        "Tết pushes it: {before}"
    );
    step_at(
        &app,
        id,
        &p.officer,
        full_step(Action::AskInfo, 0, 0, ""),
        vn(2026, 2, 9),
    )
    .await
    .expect("ask");
    step_at(
        &app,
        id,
        &Who::Citizen,
        full_step(Action::AnswerInfo, 0, 0, ""),
        vn(2026, 2, 27),
    )
    .await
    .expect("answer");
    let paused = reference.calendar.working_days_between(
        NaiveDate::from_ymd_opt(2026, 2, 9).expect("d"),
        NaiveDate::from_ymd_opt(2026, 2, 27).expect("d"),
    );
    assert_eq!(paused, 9, "working days 10–13/02 and 23–27/02");
    let after = reply_due(&app, id).await;
    assert_eq!(after, reference.calendar.add_working_days(before, 9));
    assert_eq!(
        status_of(&mut app.conn().await, id).await,
        "submitted",
        "back where it was"
    );
    // Without the pause the date stays.
    let app2 = TestApp::spawn_on(app.db.clone(), |cfg| {
        cfg.deadlines.reply_count = pakn::domain::calendar::DayCount::Working;
        cfg.deadlines.pause_on_needs_info = false;
        cfg.deadlines.job_interval_secs = 3600;
    })
    .await;
    step_at(
        &app2,
        plain,
        &p.officer,
        full_step(Action::AskInfo, 0, 0, ""),
        vn(2026, 2, 9),
    )
    .await
    .expect("ask");
    step_at(
        &app2,
        plain,
        &Who::Citizen,
        full_step(Action::AnswerInfo, 0, 0, ""),
        vn(2026, 2, 27),
    )
    .await
    .expect("answer");
    assert_eq!(reply_due(&app2, plain).await, before);
    app2.stop_keeping_db().await;
    // The second instance's worker delivered everything, its own mail when it stopped.
    let mail = app.take_mail().await;
    let mut want = filings_mail_here(2);
    for _ in 0..2 {
        want.push(("update.ask_info", mail_to(&[CITIZEN])));
        want.push(("update.answer_info", mail_to(&[OFFICER_EMAIL])));
    }
    assert_eq!(mail.who(), want);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn automatic_moves_happen_once_with_two_instances() {
    let app = TestApp::spawn_without_worker(|cfg| cfg.deadlines.job_interval_secs = 3600).await;
    let p = people(&app).await;
    let unit_id = crate::auth::unit_id(&app, UNIT).await;
    let mut expiring = Vec::new();
    for i in 0..12 {
        let (id, _) = file(&app, &format!("PAKN chờ bổ sung số {i}")).await;
        step_at(
            &app,
            id,
            &p.officer,
            full_step(Action::AskInfo, 0, 0, ""),
            Utc::now(),
        )
        .await
        .expect("ask");
        expiring.push(id);
    }
    let (answered, _) = file(&app, "PAKN đã trả lời lâu").await;
    for (who, action) in [
        (&p.officer, Action::Accept),
        (&p.officer, Action::StartWork),
        (&p.officer, Action::SubmitDraft),
        (&p.leader, Action::Approve),
    ] {
        step_at(
            &app,
            answered,
            who,
            full_step(action, p.officer_id, unit_id, ""),
            Utc::now(),
        )
        .await
        .expect("to answered");
    }
    let mut conn = app.conn().await;
    let long_ago = NaiveDate::from_ymd_opt(2026, 1, 5).expect("d");
    diesel::update(tickets::table.filter(tickets::id.eq_any(&expiring)))
        .set(tickets::needs_info_due.eq(long_ago))
        .execute(&mut conn)
        .await
        .expect("expire");
    diesel::update(tickets::table.find(answered))
        .set(tickets::answered_at.eq(Utc::now() - chrono::TimeDelta::days(31)))
        .execute(&mut conn)
        .await
        .expect("old answer");
    // Two more instances run the job every second.
    let a = TestApp::spawn_on(app.db.clone(), |cfg| cfg.deadlines.job_interval_secs = 1).await;
    let b = TestApp::spawn_on(app.db.clone(), |cfg| cfg.deadlines.job_interval_secs = 1).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let left: i64 = tickets::table
            .filter(
                tickets::status
                    .eq("needs_info")
                    .or(tickets::status.eq("answered")),
            )
            .count()
            .get_result(&mut conn)
            .await
            .expect("count");
        if left == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{left} tickets still waiting"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let both instances run a few more times: nothing happens twice.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    for id in &expiring {
        let events = events_of(&mut conn, *id).await;
        let expired: Vec<_> = events.iter().filter(|e| e.0 == "expire_info").collect();
        assert_eq!(expired.len(), 1, "ticket {id}: {events:?}");
        assert!(expired[0].1, "the citizen sees it");
        assert!(
            expired[0].2.as_deref().is_some_and(|b| !b.is_empty()),
            "with its template reason"
        );
        assert_eq!(status_of(&mut conn, *id).await, "rejected");
    }
    let closes = events_of(&mut conn, answered)
        .await
        .into_iter()
        .filter(|e| e.0 == "auto_close")
        .count();
    assert_eq!(closes, 1);
    assert_eq!(status_of(&mut conn, answered).await, "closed");
    let mails: i64 = outbox::table
        .filter(outbox::kind.eq("update.expire_info"))
        .count()
        .get_result(&mut conn)
        .await
        .expect("mails");
    assert_eq!(mails, 12, "one mail per expired request");
    drop(conn);
    a.stop_keeping_db().await;
    b.stop_keeping_db().await;
    // Each expired request tells its citizen once (whichever instance expired it); the
    // automatic close tells nobody.
    let mail = app.take_mail().await;
    assert_eq!(
        mail.tally(),
        [
            ("ack", mail_to(&[CITIZEN]), 13),
            ("notify", mail_to(&[DEPUTY]), 13),
            ("notify_staff", mail_to(&[LEADER_EMAIL]), 13),
            ("notify_unit", mail_to(&[OFFICER_EMAIL]), 13),
            ("update.approve", mail_to(&[CITIZEN]), 1),
            ("update.ask_info", mail_to(&[CITIZEN]), 12),
            ("update.expire_info", mail_to(&[CITIZEN]), 12),
            ("update.submit_draft", mail_to(&[LEADER_EMAIL]), 1),
        ]
    );
    app.stop().await;
}

/// Takes a filed ticket to `answered` through the engine.
pub async fn answer(app: &TestApp, p: &People, id: i64) {
    let unit_id = crate::auth::unit_id(app, UNIT).await;
    for (who, action) in [
        (&p.officer, Action::Accept),
        (&p.officer, Action::StartWork),
        (&p.officer, Action::SubmitDraft),
        (&p.leader, Action::Approve),
    ] {
        step_at(
            app,
            id,
            who,
            full_step(action, p.officer_id, unit_id, ""),
            Utc::now(),
        )
        .await
        .expect("to answered");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rating_counts_once_and_not_resolved_reopens_only_within_the_window() {
    use pakn::handling::rating::{Rated, Rating, RatingInput, rate};
    let app = TestApp::spawn_without_worker(|cfg| {
        cfg.deadlines.reopen_window_days = 30;
        // One answer is older than the rating window: keep the automatic close away.
        cfg.deadlines.job_interval_secs = 3600;
    })
    .await;
    let p = people(&app).await;
    let (fresh, _) = file(&app, "Trả lời mới").await;
    let (old, _) = file(&app, "Trả lời đã lâu").await;
    let (open, _) = file(&app, "Chưa trả lời").await;
    answer(&app, &p, fresh).await;
    answer(&app, &p, old).await;
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(old))
        .set(tickets::answered_at.eq(Utc::now() - chrono::TimeDelta::days(31)))
        .execute(&mut conn)
        .await
        .expect("old answer");
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context {
        cfg: &state.cfg,
        reference: &reference,
        now: Utc::now(),
    };
    let unhappy = || RatingInput {
        rating: Rating::Unsatisfied,
        comment: "Hồ sơ vẫn chưa được trả.".into(),
        not_resolved: true,
    };
    let r = rate(&mut conn, &ctx, open, unhappy()).await;
    assert!(
        matches!(r, Err(HandlingError::Invalid("rating-err-not-answered"))),
        "{r:?}"
    );
    let r = rate(&mut conn, &ctx, fresh, unhappy()).await.expect("rate");
    assert!(
        matches!(
            r,
            Rated::Recorded {
                reopened: true,
                mails: 1
            }
        ),
        "the unit is mailed: {r:?}"
    );
    let to: Vec<String> = outbox::table
        .filter(outbox::ticket_id.eq(fresh))
        .filter(outbox::kind.eq("update.reopen"))
        .select(outbox::to_addrs)
        .first(&mut conn)
        .await
        .expect("the unit's mail");
    assert!(!to.contains(&"hoa.nguyen@example.vn".to_string()), "{to:?}");
    assert_eq!(status_of(&mut conn, fresh).await, "in_progress");
    assert_eq!(
        rate(&mut conn, &ctx, fresh, unhappy())
            .await
            .expect("again"),
        Rated::AlreadyRated
    );
    let r = rate(&mut conn, &ctx, old, unhappy())
        .await
        .expect("rate old");
    assert!(
        matches!(
            r,
            Rated::Recorded {
                reopened: false,
                ..
            }
        ),
        "{r:?}"
    );
    assert_eq!(
        status_of(&mut conn, old).await,
        "answered",
        "past the window it stays answered"
    );
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n = diesel::sql_query(
        "SELECT coalesce(sum(n), 0)::bigint AS n FROM ticket_counters WHERE status = 'outcome:rating_unsatisfied'",
    )
    .get_result::<N>(&mut conn)
    .await
    .expect("counted")
    .n;
    assert_eq!(n, 2, "each rating counted once");
    let events = events_of(&mut conn, fresh).await;
    let names: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert!(names.ends_with(&["rating", "reopen"]), "{names:?}");
    drop(conn);
    // The reopening within the window mails the unit's officer; the rating past the window
    // and the refused ones mail nobody. No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filings_mail_to_people(3);
    want.extend(answer_mail());
    want.extend(answer_mail());
    want.push(("update.reopen", mail_to(&[OFFICER_EMAIL])));
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_confidential_pakn_is_hidden_from_inspectors_lists_and_search() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let (id, code) = file(&app, "Tố cáo cán bộ nhận tiền bimatxyz").await;
    let (_, plain_code) = file(&app, "Phản ánh thường bimatxyz").await;
    create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    create_user(&app, "ld@sonoivu.vn", &["leader"], None).await;
    create_user(&app, "tt@sonoivu.vn", &["inspector"], None).await;
    create_user(
        &app,
        "qt@sonoivu.vn",
        &["admin", "officer"],
        Some(crate::auth::OTHER_UNIT),
    )
    .await;
    let leader = client();
    login_ok(&app, &leader, "ld@sonoivu.vn").await;
    let (status, body) = act(
        &app,
        &leader,
        &code,
        &[("action", "confidential"), ("on", "1"), ("reason", "")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    assert!(body.contains("Cần nêu lý do."));
    let (status, _) = act(
        &app,
        &leader,
        &code,
        &[
            ("action", "confidential"),
            ("on", "1"),
            ("reason", "Nội dung là tố cáo."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let mut conn = app.conn().await;
    let confidential: bool = tickets::table
        .find(id)
        .select(tickets::confidential)
        .first(&mut conn)
        .await
        .expect("flag");
    assert!(confidential);

    let inspector = client();
    login_ok(&app, &inspector, "tt@sonoivu.vn").await;
    let page = get(&inspector, app.url(&format!("/staff/tickets/{code}"))).await;
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "inspectors see that it exists"
    );
    let page = page.text().await.expect("page");
    assert!(
        !page.contains("bimatxyz") && !page.contains("Nguyễn Thị Hoà"),
        "but not what it says or who sent it"
    );
    let found = get(&inspector, app.url("/staff/tickets?q=bimatxyz"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(
        !found.contains(&code) && found.contains(&plain_code),
        "search on its words skips it"
    );
    let listed = get(&inspector, app.url("/staff/tickets"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(
        listed.contains(&code) && !listed.contains("Tố cáo cán bộ nhận tiền"),
        "listed without its title"
    );
    assert!(
        !row_of(&listed, &code).contains("Nguyễn Thị Hoà")
            && row_of(&listed, &plain_code).contains("Nguyễn Thị Hoà"),
        "nor its sender: {}",
        row_of(&listed, &code)
    );
    let by_phone = get(&inspector, app.url("/staff/tickets?q=0983570009"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(
        !by_phone.contains(&code) && by_phone.contains(&plain_code),
        "a phone search does not tell who sent it"
    );
    let by_code = get(&inspector, app.url(&format!("/staff/tickets?q={code}")))
        .await
        .text()
        .await
        .expect("queue");
    assert!(
        by_code.contains(&code) && !row_of(&by_code, &code).contains("Nguyễn Thị Hoà"),
        "a code search finds that it exists, nothing more"
    );

    let admin_officer = client();
    login_ok(&app, &admin_officer, "qt@sonoivu.vn").await;
    let page = get(&admin_officer, app.url(&format!("/staff/tickets/{code}"))).await;
    assert_eq!(
        page.status(),
        StatusCode::NOT_FOUND,
        "an admin with a ticket role outside its unit"
    );

    let officer = client();
    login_ok(&app, &officer, "cv@sonoivu.vn").await;
    let page = get(&officer, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("bimatxyz"), "its unit reads it");
    let found = get(&officer, app.url("/staff/tickets?q=bimatxyz"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(found.contains(&code), "and finds it");
    let found = get(&leader, app.url("/staff/tickets?q=bimatxyz"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(found.contains(&code), "leaders find it");
    let by_phone = get(&officer, app.url("/staff/tickets?q=0983570009"))
        .await
        .text()
        .await
        .expect("queue");
    assert!(by_phone.contains(&code), "its unit finds it by phone");
    drop(conn);
    // Marking a PAKN confidential mails nobody. No worker in this test: the mail stays
    // queued.
    let mail = app.take_mail().await;
    assert_eq!(mail.who(), filings_mail_here(2));
    app.expect_pending_mail(mail.len());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn notes_assignment_and_the_progress_duty_while_overdue() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let (id, code) = file(&app, "PAKN quá hạn cần cập nhật tiến độ").await;
    let officer_id = create_user(&app, "cv@sonoivu.vn", &["officer"], Some(UNIT)).await;
    let stranger = create_user(
        &app,
        "cv2@sonoivu.vn",
        &["officer"],
        Some(crate::auth::OTHER_UNIT),
    )
    .await;
    let officer = client();
    login_ok(&app, &officer, "cv@sonoivu.vn").await;
    // Overdue: the page says a progress note is due.
    let mut conn = app.conn().await;
    diesel::update(tickets::table.find(id))
        .set(tickets::reply_due.eq(NaiveDate::from_ymd_opt(2026, 1, 5).expect("d")))
        .execute(&mut conn)
        .await
        .expect("overdue");
    let page = get(&officer, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("data-testid=\"progress-duty\""),
        "the 7-day duty is shown"
    );

    let stranger_s = stranger.to_string();
    let (status, body) = act(
        &app,
        &officer,
        &code,
        &[("action", "assign"), ("assignee", &stranger_s)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Người xử lý phải là công chức của đơn vị xử lý hoặc lãnh đạo."));
    let officer_s = officer_id.to_string();
    let (status, _) = act(
        &app,
        &officer,
        &code,
        &[("action", "assign"), ("assignee", &officer_s)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = act(
        &app,
        &officer,
        &code,
        &[
            ("action", "internal_note"),
            ("text", "Đã gọi điện cho người gửi."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = act(
        &app,
        &officer,
        &code,
        &[
            ("action", "progress_note"),
            (
                "text",
                "Đang phối hợp với Sở Tài chính, dự kiến trả lời trong tuần tới.",
            ),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (assignee, noted): (Option<i32>, Option<chrono::DateTime<Utc>>) = tickets::table
        .find(id)
        .select((tickets::assignee_id, tickets::last_public_note_at))
        .first(&mut conn)
        .await
        .expect("ticket");
    assert_eq!(assignee, Some(officer_id));
    assert!(noted.is_some());
    let events = events_of(&mut conn, id).await;
    let kinds: Vec<(&str, bool)> = events.iter().map(|e| (e.0.as_str(), e.1)).collect();
    assert_eq!(
        kinds,
        [
            ("submitted", true),
            ("assign", false),
            ("internal_note", false),
            ("progress_note", true)
        ]
    );
    let mails: Vec<String> = outbox::table
        .filter(outbox::ticket_id.eq(id))
        .filter(outbox::kind.like("update.%"))
        .select(outbox::kind)
        .load(&mut conn)
        .await
        .expect("mails");
    assert_eq!(
        mails,
        vec!["update.progress_note".to_string()],
        "only the progress note reaches the citizen"
    );
    // The citizen reads the progress note, never the internal one.
    let token: String = tickets::table
        .find(id)
        .select(tickets::access_token)
        .first(&mut conn)
        .await
        .expect("token");
    let track = reqwest::get(app.url(&format!("/t/{token}")))
        .await
        .expect("GET")
        .text()
        .await
        .expect("page");
    assert!(
        track.contains("Đang phối hợp với Sở Tài chính")
            && !track.contains("Đã gọi điện cho người gửi.")
    );
    let page = get(&officer, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("page");
    let next = pakn::domain::calendar::format_date(
        pakn::domain::calendar::local_date(Utc::now()) + chrono::TimeDelta::days(7),
    );
    assert!(
        page.contains(&format!(
            "cần cập nhật tiến độ cho người gửi trước ngày {next}"
        )),
        "the next note is due a week after this one"
    );
    drop(conn);
    // Assigning oneself and the internal note mail nobody; the progress note goes to the
    // citizen. No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    let mut want = filed_mail();
    want.push(("update.progress_note", mail_to(&[CITIZEN])));
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}
