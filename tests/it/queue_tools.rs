//! Issue 17, item 8: the staff queue as a working tool. The bare queue is open work (an
//! officer's own), the most urgent first; a leader assigns and accepts in bulk through
//! the same use case as one PAKN at a time; saved views are one's own.

use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{audit_log, tickets};
use pakn::domain::workflow::Action;
use reqwest::StatusCode;

use crate::auth::{UNIT, client, create_user, csrf, get, login_ok};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, mail_to};
use crate::workflow::{
    LEADER_EMAIL, OFFICER_EMAIL, People, events_of, file, full_step, people, status_of, step_at,
};

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let res = get(c, app.url(path)).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.text().await.expect("body")
}

/// Where `code`'s row starts in the page (panics when it is not listed).
fn at(page: &str, code: &str) -> usize {
    page.find(&format!("/staff/tickets/{code}\""))
        .unwrap_or_else(|| panic!("{code} is listed"))
}

fn listed(page: &str, code: &str) -> bool {
    page.contains(&format!("/staff/tickets/{code}\""))
}

/// Accepts `id` for the officer of [`people`].
async fn accept(app: &TestApp, p: &People, id: i64) {
    let unit = crate::auth::unit_id(app, UNIT).await;
    step_at(
        app,
        id,
        &p.leader,
        full_step(Action::Accept, p.officer_id, unit, ""),
        Utc::now(),
    )
    .await
    .expect("accepted");
}

async fn set_reply_due(app: &TestApp, id: i64, due: NaiveDate) {
    diesel::update(tickets::table.find(id))
        .set(tickets::reply_due.eq(due))
        .execute(&mut app.conn().await)
        .await
        .expect("due date");
}

async fn assignee_of(app: &TestApp, id: i64) -> Option<i32> {
    tickets::table
        .find(id)
        .select(tickets::assignee_id)
        .first(&mut app.conn().await)
        .await
        .expect("assignee")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bare_queue_is_open_work_an_officers_own_most_urgent_first() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    let (_, waiting) = file(&app, "Chờ tiếp nhận: hồ sơ thi tuyển").await;
    let (mine_id, mine) = file(&app, "Của tôi: nâng ngạch chậm").await;
    let (late_id, late) = file(&app, "Của tôi, quá hạn: chế độ nghỉ hưu").await;
    let (done_id, done) = file(&app, "Đã trả lời: phụ cấp công vụ").await;
    for id in [mine_id, late_id] {
        accept(&app, &p, id).await;
    }
    crate::workflow::answer(&app, &p, done_id).await;
    let today = pakn::domain::calendar::local_date(Utc::now());
    set_reply_due(&app, late_id, today - Duration::days(10)).await;
    let _ = app.take_mail().await;

    let officer = client();
    login_ok(&app, &officer, OFFICER_EMAIL).await;
    let queue = page(&officer, &app, "/staff/tickets").await;
    assert!(
        listed(&queue, &mine) && listed(&queue, &late),
        "the officer's own open PAKN"
    );
    assert!(
        !listed(&queue, &waiting) && !listed(&queue, &done),
        "neither the unassigned nor the finished by default"
    );
    assert!(at(&queue, &late) < at(&queue, &mine), "overdue first");
    assert!(queue.contains("Quá hạn") && queue.contains("ngày làm việc"));
    assert!(queue.contains("data-testid=\"queue-count\" role=\"status\">2 PAKN<"));
    assert!(
        queue.contains("aria-current=\"page\">Việc của tôi<"),
        "the current view is marked"
    );
    assert!(queue.contains("<th scope=\"col\" aria-sort=\"ascending\" class=\"sortable col-due\"><a href=\"/staff/tickets?sort=due&#38;dir=desc\">Hạn"));
    assert!(
        !queue.contains("Số liệu đếm lúc"),
        "no technical note on counting"
    );
    // One click to the unit's open work; finished PAKN on their own tab.
    let unit = page(&officer, &app, "/staff/tickets?assignee=all").await;
    assert!(listed(&unit, &waiting) && listed(&unit, &mine) && !listed(&unit, &done));
    assert!(
        unit.contains("Chưa phân công"),
        "the blank handler is named"
    );
    let finished = page(&officer, &app, "/staff/tickets?assignee=all&state=done").await;
    assert!(listed(&finished, &done) && !listed(&finished, &mine));

    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;
    let queue = page(&leader, &app, "/staff/tickets").await;
    assert!(!listed(&queue, &done));
    // The overdue reply first, then the 3-working-day acceptance, then the 20-day reply.
    assert!(at(&queue, &late) < at(&queue, &waiting) && at(&queue, &waiting) < at(&queue, &mine));
    assert!(
        queue.contains("Hạn tiếp nhận"),
        "the acceptance deadline is flagged"
    );
    // Newest first on request; the other way round with the header's link.
    let newest = page(&leader, &app, "/staff/tickets?sort=received&dir=desc").await;
    assert!(at(&newest, &late) < at(&newest, &mine) && at(&newest, &mine) < at(&newest, &waiting));
    assert!(newest.contains("aria-sort=\"descending\""));
    let by_code = page(&leader, &app, "/staff/tickets?sort=code&dir=desc&state=all").await;
    let (high, low) = if done > waiting {
        (&done, &waiting)
    } else {
        (&waiting, &done)
    };
    assert!(at(&by_code, high) < at(&by_code, low), "codes from Z to A");
    // The overdue tab is highlighted when it is the filter.
    let overdue = page(&leader, &app, "/staff/tickets?due=overdue").await;
    assert!(overdue.contains("class=\"tab tab-overdue current\" aria-current=\"page\""));
    assert!(listed(&overdue, &late) && !listed(&overdue, &mine));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_pages_and_counts() {
    let app = TestApp::spawn().await;
    create_user(&app, LEADER_EMAIL, &["leader"], None).await;
    let mut codes = Vec::new();
    for i in 0..52 {
        let title = format!("Phản ánh số {i} về thủ tục");
        let phone = format!("09120{i:05}");
        // The oldest first: received 52 down to 1 days ago.
        let code =
            crate::queue::file_ticket(&app, "Lê Văn Tám", &title, "viec_lam", &phone, 52 - i).await;
        codes.push(code);
    }
    let _ = app.take_mail().await;
    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;
    let first = page(&leader, &app, "/staff/tickets?sort=received&dir=asc").await;
    assert!(first.contains(">52 PAKN<"));
    assert!(first.contains("Trang 1"));
    assert!(listed(&first, &codes[0]) && !listed(&first, &codes[50]));
    assert!(
        first.contains("rel=\"next\" href=\"/staff/tickets?sort=received&#38;dir=asc&#38;page=2\"")
    );
    let second = page(&leader, &app, "/staff/tickets?sort=received&dir=asc&page=2").await;
    assert!(
        listed(&second, &codes[50]) && listed(&second, &codes[51]) && !listed(&second, &codes[0])
    );
    assert!(second.contains("rel=\"prev\"") && !second.contains("rel=\"next\""));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_assigns_and_accepts_in_bulk_each_pakn_checked_alone() {
    let app = TestApp::spawn().await;
    let p = people(&app).await;
    create_user(&app, "tt@sonoivu.vn", &["inspector"], None).await;
    let (a_id, a) = file(&app, "Hàng loạt A: hồ sơ thi tuyển").await;
    let (b_id, b) = file(&app, "Hàng loạt B: hồ sơ nâng ngạch").await;
    // C is another unit's: the officer of UNIT cannot handle it.
    let c = crate::queue::file_ticket(
        &app,
        "Lê Văn Tám",
        "Hàng loạt C",
        "viec_lam",
        "0912000123",
        0,
    )
    .await;
    let _ = app.take_mail().await;
    let officer_s = p.officer_id.to_string();

    // Not a leader: refused, nothing moves.
    for email in [OFFICER_EMAIL, "tt@sonoivu.vn"] {
        let c = client();
        login_ok(&app, &c, email).await;
        let token = csrf(&app, &c).await;
        let res = c
            .post(app.url("/staff/tickets/bulk"))
            .form(&[
                ("csrf", token.as_str()),
                ("action", "assign"),
                ("assignee", &officer_s),
                ("ticket", &a),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{email}");
        let queue = page(&c, &app, "/staff/tickets?assignee=all").await;
        assert!(
            !queue.contains("name=\"ticket\""),
            "{email} gets no checkboxes"
        );
    }
    assert_eq!(assignee_of(&app, a_id).await, None);

    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;
    let queue = page(&leader, &app, "/staff/tickets").await;
    assert!(queue.contains(&format!("name=\"ticket\" value=\"{a}\"")));
    let token = csrf(&app, &leader).await;
    // Without the session's token: refused.
    let res = leader
        .post(app.url("/staff/tickets/bulk"))
        .form(&[
            ("action", "assign"),
            ("assignee", &officer_s),
            ("ticket", &a),
        ])
        .send()
        .await
        .expect("post");
    assert_ne!(res.status(), StatusCode::OK);
    assert_eq!(assignee_of(&app, a_id).await, None);

    let res = leader
        .post(app.url("/staff/tickets/bulk"))
        .form(&[
            ("csrf", token.as_str()),
            ("action", "assign"),
            ("assignee", &officer_s),
            ("ticket", &a),
            ("ticket", &b),
            ("ticket", &c),
            ("back", "status=submitted&evil=1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(body.contains("Đã phân công 2 PAKN."), "{body}");
    assert!(
        body.contains(&format!(
            "{c}</a>: Người xử lý phải là công chức của đơn vị xử lý hoặc lãnh đạo."
        )),
        "the other unit's is reported with its reason: {body}"
    );
    assert!(body.contains("href=\"/staff/tickets?status=submitted\""));
    assert_eq!(assignee_of(&app, a_id).await, Some(p.officer_id));
    assert_eq!(assignee_of(&app, b_id).await, Some(p.officer_id));
    let mut conn = app.conn().await;
    for id in [a_id, b_id] {
        let events = events_of(&mut conn, id).await;
        assert!(
            events.iter().any(|e| e.0 == "assign" && !e.1),
            "an internal assign event"
        );
    }
    let c_assignee: Option<i32> = tickets::table
        .filter(tickets::code.eq(&c))
        .select(tickets::assignee_id)
        .first(&mut conn)
        .await
        .expect("c");
    assert_eq!(c_assignee, None, "the refused one is unchanged");
    let assigned = app.take_mail().await;
    let kinds: Vec<_> = assigned.who();
    assert_eq!(kinds.len(), 2, "one mail per PAKN assigned: {kinds:?}");
    assert!(kinds.iter().all(|(_, to)| *to == mail_to(&[OFFICER_EMAIL])));

    // Accept both for the handler they now have; one already accepted is refused.
    accept(&app, &p, b_id).await;
    let _ = app.take_mail().await;
    let res = leader
        .post(app.url("/staff/tickets/bulk"))
        .form(&[
            ("csrf", token.as_str()),
            ("action", "accept"),
            ("assignee", ""),
            ("ticket", &a),
            ("ticket", &b),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(body.contains("Đã tiếp nhận 1 PAKN."), "{body}");
    assert!(body.contains(&format!("{b}</a>: ")));
    assert_eq!(status_of(&mut conn, a_id).await, "accepted");
    let events = events_of(&mut conn, a_id).await;
    assert!(events.iter().any(|e| e.0 == "accept"));
    let mail = app.take_mail().await;
    assert!(
        mail.who()
            .contains(&("update.accept", mail_to(&[OFFICER_EMAIL])))
            || mail.who().iter().any(|(_, to)| *to == mail_to(&[CITIZEN])),
        "the accept's mail as from its page: {:?}",
        mail.who()
    );
    // Nothing chosen, or no handler to assign to: the form says so.
    let res = leader
        .post(app.url("/staff/tickets/bulk"))
        .form(&[
            ("csrf", token.as_str()),
            ("action", "assign"),
            ("assignee", &officer_s),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Vui lòng chọn ít nhất một PAKN.")
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn saved_views_are_ones_own_and_keep_no_search_words() {
    let app = TestApp::spawn().await;
    let leader_id = create_user(&app, LEADER_EMAIL, &["leader"], None).await;
    create_user(&app, OFFICER_EMAIL, &["officer"], Some(UNIT)).await;
    let leader = client();
    login_ok(&app, &leader, LEADER_EMAIL).await;
    let token = csrf(&app, &leader).await;
    let res = leader
        .post(app.url("/staff/tickets/views"))
        .form(&[
            ("csrf", token.as_str()),
            ("name", "Quá hạn, chưa giao"),
            (
                "query",
                "due=overdue&assignee=none&q=0912345678&page=3&sort=due&dir=asc&x=1",
            ),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let href = "/staff/tickets?assignee=none&#38;due=overdue&#38;sort=due&#38;dir=asc";
    let queue = page(&leader, &app, "/staff/tickets").await;
    assert!(
        queue.contains(&format!("href=\"{href}\"")),
        "the view is listed"
    );
    assert!(queue.contains("Quá hạn, chưa giao"));
    let here = page(&leader, &app, &href.replace("&#38;", "&")).await;
    assert!(here.contains("aria-current=\"page\">Quá hạn, chưa giao<"));
    let (id, query): (i64, String) = {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            id: i64,
            #[diesel(sql_type = diesel::sql_types::Text)]
            query: String,
        }
        let row: Row = diesel::sql_query("SELECT id, query FROM saved_views")
            .get_result(&mut app.conn().await)
            .await
            .expect("one view");
        (row.id, row.query)
    };
    assert!(!query.contains("0912345678"), "no search words kept");

    // Another person neither sees nor deletes it.
    let officer = client();
    login_ok(&app, &officer, OFFICER_EMAIL).await;
    assert!(
        !page(&officer, &app, "/staff/tickets")
            .await
            .contains("Quá hạn, chưa giao")
    );
    let officer_token = csrf(&app, &officer).await;
    let res = officer
        .post(app.url(&format!("/staff/tickets/views/{id}/delete")))
        .form(&[("csrf", officer_token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(
        page(&leader, &app, "/staff/tickets")
            .await
            .contains("Quá hạn, chưa giao")
    );

    // A name is needed.
    let res = leader
        .post(app.url("/staff/tickets/views"))
        .form(&[("csrf", token.as_str()), ("name", "  "), ("query", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Vui lòng nhập tên bộ lọc.")
    );

    let res = leader
        .post(app.url(&format!("/staff/tickets/views/{id}/delete")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        !page(&leader, &app, "/staff/tickets")
            .await
            .contains("Quá hạn, chưa giao")
    );
    let audited: Vec<String> = audit_log::table
        .filter(audit_log::user_id.eq(leader_id))
        .filter(audit_log::entity.eq("saved_view"))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut app.conn().await)
        .await
        .expect("audit");
    assert_eq!(audited, ["save_own_view", "delete_own_view"]);
    app.stop().await;
}
