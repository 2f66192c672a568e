//! Issue 15, part 6: failed mail in sight and fixable from the web, against a real SMTP
//! sink. The receipt says the acknowledgement will be mailed, then that it could not
//! be; the ticket page lists every mail with its state; an officer corrects the
//! mistyped address and the mail goes again; an admin sends failed mail again from the
//! admin page.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{audit_log, outbox, ticket_events, tickets, units};
use reqwest::StatusCode;

use crate::auth::{OTHER_UNIT, client, create_user, csrf, get, login_ok};
use crate::filing::{form_of, fresh_form, post, valid_fields};
use crate::mail::{PATIENCE, use_sink};
use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, MailStatus, mail_to};
use crate::support::smtp::SmtpSink;

const NEW_ADDRESS: &str = "hoa.nguyen@example.com";
const ACK_LABEL: &str = "Xác nhận tiếp nhận gửi người gửi";

/// A PAKN filed over HTTP: its id, code (as stored) and private page.
struct Filed {
    id: i64,
    code: String,
    receipt: String,
}

async fn file(app: &TestApp) -> Filed {
    let token = fresh_form(app).await;
    let (status, body, location) = post(app, form_of(&valid_fields(&token))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let receipt = location.expect("the private page");
    let access = receipt.trim_start_matches("/t/").to_string();
    let mut conn = app.conn().await;
    let (id, code): (i64, String) = tickets::table
        .filter(tickets::access_token.eq(&access))
        .select((tickets::id, tickets::code))
        .first(&mut conn)
        .await
        .expect("the ticket");
    Filed { id, code, receipt }
}

/// The ack's outbox row: (id, failed, attempts).
async fn ack_row(app: &TestApp, ticket: i64) -> (i64, bool, i32) {
    let mut conn = app.conn().await;
    let (id, failed, attempts): (i64, Option<chrono::DateTime<chrono::Utc>>, i32) = outbox::table
        .filter(outbox::ticket_id.eq(ticket))
        .filter(outbox::kind.eq("ack"))
        .select((outbox::id, outbox::failed_at, outbox::attempts))
        .first(&mut conn)
        .await
        .expect("the acknowledgement");
    (id, failed.is_some(), attempts)
}

/// Waits until `done` holds of the ticket's acknowledgement row.
async fn wait_ack(app: &TestApp, ticket: i64, done: impl Fn(bool, i32) -> bool) -> i64 {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (id, failed, attempts) = ack_row(app, ticket).await;
        if done(failed, attempts) {
            return id;
        }
        assert!(
            Instant::now() < deadline,
            "the acknowledgement never settled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text(c: &reqwest::Client, url: String) -> (StatusCode, String) {
    let res = get(c, url).await;
    let status = res.status();
    (status, res.text().await.expect("body"))
}

/// The part of a page inside the element marked `data-testid="{id}"`, up to `end`.
fn part<'a>(page: &'a str, id: &str, end: &str) -> &'a str {
    page.split(&format!("data-testid=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {id} in {page}"))
        .split(end)
        .next()
        .unwrap_or_default()
}

/// The unit code of a ticket.
async fn unit_of(app: &TestApp, ticket: i64) -> String {
    let mut conn = app.conn().await;
    tickets::table
        .inner_join(units::table)
        .filter(tickets::id.eq(ticket))
        .select(units::code)
        .first(&mut conn)
        .await
        .expect("unit")
}

/// Signs in a new user with `roles` (of `unit`) on a new client.
async fn staff(app: &TestApp, email: &str, roles: &[&str], unit: Option<&str>) -> reqwest::Client {
    create_user(app, email, roles, unit).await;
    let c = client();
    login_ok(app, &c, email).await;
    c
}

async fn post_form(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    c.post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("POST")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_receipt_says_the_confirmation_will_be_mailed_then_that_it_could_not_be() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_without_worker(|cfg| use_sink(cfg, &sink)).await;
    let filed = file(&app).await;
    // Before delivery: it will be mailed, to the address given (masked).
    let (status, receipt) = text(&app.client, app.url(&filed.receipt)).await;
    assert_eq!(status, StatusCode::OK);
    let said = part(&receipt, "ack-state", "</p>");
    assert!(
        said.contains("data-state=\"pending\"")
            && said.contains("Thư xác nhận kèm mã PAKN sẽ được gửi tới h***@example.vn"),
        "{said}"
    );
    assert!(!receipt.contains("đã được gửi") && !receipt.contains(CITIZEN));
    let (_, english) = text(&app.client, app.url(&format!("{}?lang=en", filed.receipt))).await;
    assert!(
        english.contains("will be mailed to h***@example.vn"),
        "{english}"
    );

    // The citizen's server refuses the address for good.
    sink.reject(CITIZEN);
    app.deliver_mail().await;
    assert!(
        ack_row(&app, filed.id).await.1,
        "the acknowledgement failed"
    );
    // (The English page above set the language: back to Vietnamese.)
    let vi = format!("{}?lang=vi", filed.receipt);
    let (_, receipt) = text(&app.client, app.url(&vi)).await;
    assert!(!receipt.contains("sẽ được gửi"), "{receipt}");
    let failed = part(&receipt, "ack-failed", "</div>");
    for words in [
        "Không gửi được thư xác nhận tới h***@example.vn",
        "lưu đường dẫn riêng",
        "mã PAKN",
        "Kiểm tra lại địa chỉ thư điện tử",
        "đường dây nóng 0",
    ] {
        assert!(failed.contains(words), "{words}: {failed}");
    }
    let (_, english) = text(&app.client, app.url(&format!("{}?lang=en", filed.receipt))).await;
    let failed = part(&english, "ack-failed", "</div>");
    assert!(
        failed.contains("could not be mailed to h***@example.vn") && failed.contains("hotline"),
        "{failed}"
    );

    let mail = app.take_mail().await;
    assert_eq!(mail.recipients_of("ack"), [mail_to(&[CITIZEN])]);
    assert_eq!(
        mail.of_kind("ack").with_status(MailStatus::Failed).len(),
        1,
        "{}",
        mail.lines()
    );
    app.expect_failed_mail(1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_address_is_on_the_ticket_page_and_corrected_there_and_the_mail_goes_again() {
    let sink = SmtpSink::start().await;
    sink.reject(CITIZEN);
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let filed = file(&app).await;
    let ack = wait_ack(&app, filed.id, |failed, _| failed).await;
    let page_url = app.url(&format!("/staff/tickets/{}", filed.code));
    let unit = unit_of(&app, filed.id).await;

    // The officer of its unit sees the failed acknowledgement, its address and the
    // server's answer, and the form to correct the address.
    let officer = staff(&app, "cb.xuly@sonoivu.vn", &["officer"], Some(&unit)).await;
    let (status, page) = text(&officer, page_url.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let card = part(&page, "mail-card", "</section>");
    let line = card
        .split("data-testid=\"mail-line\"")
        .find(|l| l.contains(ACK_LABEL))
        .expect("the acknowledgement's line");
    assert!(line.contains("data-state=\"failed\""), "{line}");
    assert!(
        line.contains("Không gửi được") && line.contains(CITIZEN),
        "{line}"
    );
    assert!(line.contains("550"), "the server's answer: {line}");
    assert_eq!(
        page.matches("Thư không gửi được").count(),
        0,
        "the old card is gone"
    );
    assert!(card.contains("data-testid=\"mail-fix\""), "{card}");

    // It is on the admin page too, its address masked.
    let admin = staff(&app, "qt@sonoivu.vn", &["admin"], None).await;
    let (_, listed) = text(&admin, app.url("/staff/admin/mail")).await;
    let row = part(&listed, "mail-row", "</tr>");
    assert!(
        row.contains(&format!("data-id=\"{ack}\"")) && row.contains("h***@example.vn"),
        "{row}"
    );

    // An officer of another unit may not correct it.
    let other_unit = if unit == OTHER_UNIT {
        "phong_to_chuc_can_bo"
    } else {
        OTHER_UNIT
    };
    let other = staff(&app, "cb.khac@sonoivu.vn", &["officer"], Some(other_unit)).await;
    let token = csrf(&app, &other).await;
    let path = format!("/staff/tickets/{}/email", filed.code);
    let res = post_form(
        &app,
        &other,
        &path,
        &[("csrf", &token), ("email", NEW_ADDRESS)],
    )
    .await;
    assert!(
        matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        res.status()
    );
    // Nor an inspector, who reads it but does not handle it (and gets no form).
    let inspector = staff(&app, "tt.vien@sonoivu.vn", &["inspector"], None).await;
    let (_, seen) = text(&inspector, page_url.clone()).await;
    assert!(part(&seen, "mail-card", "</section>").contains(ACK_LABEL));
    assert!(!seen.contains("data-testid=\"mail-fix\""));
    let token = csrf(&app, &inspector).await;
    let res = post_form(
        &app,
        &inspector,
        &path,
        &[("csrf", &token), ("email", NEW_ADDRESS)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A wrong address comes back with what was typed and why.
    let token = csrf(&app, &officer).await;
    let typed = "hoa.nguyen@@example";
    let res = post_form(&app, &officer, &path, &[("csrf", &token), ("email", typed)]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let back = res.text().await.expect("body");
    let form = part(&back, "mail-fix", "</details>");
    assert!(form.contains(" open"), "{form}");
    assert!(form.contains(&format!("value=\"{typed}\"")), "{form}");
    assert!(form.contains("Địa chỉ thư điện tử không hợp lệ"), "{form}");

    // The right one: the PAKN has it, the timeline says so (for staff), the
    // acknowledgement goes to it with its own Message-ID.
    let before = sink.count();
    let res = post_form(
        &app,
        &officer,
        &path,
        &[("csrf", &token), ("email", NEW_ADDRESS)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let received = sink.wait_for(before + 1, PATIENCE).await;
    let resent = received.last().expect("the acknowledgement again");
    assert_eq!(resent.rcpt_tos, [NEW_ADDRESS]);
    assert!(
        resent.subject().contains(&filed.code[..4]),
        "{}",
        resent.subject()
    );
    let mut conn = app.conn().await;
    let message_id: String = outbox::table
        .find(ack)
        .select(outbox::message_id)
        .first(&mut conn)
        .await
        .expect("row");
    assert!(
        resent
            .header("message-id")
            .is_some_and(|h| h.contains(&message_id)),
        "the same mail: {:?}",
        resent.header("message-id")
    );
    let email: Option<String> = tickets::table
        .find(filed.id)
        .select(tickets::email)
        .first(&mut conn)
        .await
        .expect("email");
    assert_eq!(email.as_deref(), Some(NEW_ADDRESS));
    let (public, body): (bool, Option<String>) = ticket_events::table
        .filter(ticket_events::ticket_id.eq(filed.id))
        .filter(ticket_events::event.eq("email_corrected"))
        .select((ticket_events::public, ticket_events::body))
        .first(&mut conn)
        .await
        .expect("the timeline event");
    assert!(!public);
    assert_eq!(body.as_deref(), Some("h***@example.vn → h***@example.com"));
    let audited: Vec<(String, Option<serde_json::Value>)> = audit_log::table
        .filter(audit_log::action.eq("email_correct"))
        .select((audit_log::entity_id, audit_log::after))
        .load(&mut conn)
        .await
        .expect("audit");
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].0, filed.code);
    assert_eq!(audited[0].1.as_ref().expect("after")["email"], NEW_ADDRESS);
    crate::mail::settled(&mut conn).await;

    // The ticket page shows it sent, and offers no correction any more.
    let (_, page) = text(&officer, page_url).await;
    let card = part(&page, "mail-card", "</section>");
    let line = card
        .split("data-testid=\"mail-line\"")
        .find(|l| l.contains(ACK_LABEL))
        .expect("the acknowledgement's line");
    assert!(
        line.contains("data-state=\"sent\"") && line.contains(NEW_ADDRESS),
        "{line}"
    );
    assert!(!card.contains("data-testid=\"mail-fix\""));
    assert!(
        page.contains("Sửa địa chỉ thư điện tử của người gửi"),
        "in the timeline"
    );
    let (_, listed) = text(&admin, app.url("/staff/admin/mail")).await;
    assert!(listed.contains("data-testid=\"mail-none\""), "{listed}");
    // The citizen's page: mailed, and nothing of the correction.
    let (_, track) = text(&app.client, app.url(&filed.receipt)).await;
    assert!(!track.contains("data-testid=\"ack-failed\""), "{track}");
    assert!(!track.contains("Sửa địa chỉ"), "{track}");
    assert!(
        track.contains("đã được gửi tới h***@example.com"),
        "{track}"
    );

    let mail = app.take_mail().await;
    assert_eq!(mail.recipients_of("ack"), [mail_to(&[NEW_ADDRESS])]);
    assert!(
        mail.iter().all(|m| m.status == MailStatus::Sent),
        "{}",
        mail.lines()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_sends_failed_mail_again_from_the_admin_page() {
    let sink = SmtpSink::start().await;
    sink.reject(CITIZEN);
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let first = file(&app).await;
    let second = file(&app).await;
    let first_ack = wait_ack(&app, first.id, |failed, _| failed).await;
    wait_ack(&app, second.id, |failed, _| failed).await;

    // Only admins see the page.
    let unit = unit_of(&app, first.id).await;
    let officer = staff(&app, "cb.xuly@sonoivu.vn", &["officer"], Some(&unit)).await;
    let (status, _) = text(&officer, app.url("/staff/admin/mail")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let token = csrf(&app, &officer).await;
    let res = post_form(
        &app,
        &officer,
        "/staff/admin/mail/retry-failed",
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let admin = staff(&app, "qt@sonoivu.vn", &["admin"], None).await;
    let (_, index) = text(&admin, app.url("/staff/admin")).await;
    assert!(
        index.contains("href=\"/staff/admin/mail\""),
        "linked from the index"
    );
    let (status, page) = text(&admin, app.url("/staff/admin/mail")).await;
    assert_eq!(status, StatusCode::OK);
    let table = part(&page, "mail-table", "</table>");
    let rows: Vec<&str> = table.split("data-testid=\"mail-row\"").skip(1).collect();
    assert_eq!(rows.len(), 2, "two failed acknowledgements: {table}");
    let row = rows
        .iter()
        .find(|r| r.contains(&format!("data-id=\"{first_ack}\"")))
        .expect("the first PAKN's acknowledgement");
    assert!(
        row.contains(&format!("/staff/tickets/{}", first.code)),
        "{row}"
    );
    assert!(row.contains(ACK_LABEL) && row.contains("550"), "{row}");
    assert!(row.contains("h***@example.vn"), "masked: {row}");
    assert!(
        !page.contains(CITIZEN),
        "an admin does not read the address"
    );
    assert!(page.contains("Gửi lại tất cả thư lỗi (2)"), "{page}");

    // Without the session's token nothing happens.
    let retry_one = format!("/staff/admin/mail/{first_ack}/retry");
    let res = post_form(&app, &admin, &retry_one, &[("csrf", "forged")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(ack_row(&app, first.id).await.1, "still failed");

    // The address works again: one mail, then all the failed ones.
    sink.accept_all();
    let token = csrf(&app, &admin).await;
    let before = sink.count();
    let res = post_form(&app, &admin, &retry_one, &[("csrf", &token)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().expect("location");
    assert_eq!(location, "/staff/admin/mail?retried=1");
    let received = sink.wait_for(before + 1, PATIENCE).await;
    assert_eq!(received.last().expect("resent").rcpt_tos, [CITIZEN]);
    wait_ack(&app, first.id, |failed, attempts| !failed && attempts == 1).await;
    let (_, page) = text(&admin, app.url(location)).await;
    assert!(page.contains("Đã đưa 1 thư trở lại hàng đợi"), "{page}");
    assert!(page.contains("Gửi lại tất cả thư lỗi (1)"), "{page}");

    let res = post_form(
        &app,
        &admin,
        "/staff/admin/mail/retry-failed",
        &[("csrf", &token)],
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    sink.wait_for(before + 2, PATIENCE).await;
    let mut conn = app.conn().await;
    crate::mail::settled(&mut conn).await;
    let (_, page) = text(&admin, app.url("/staff/admin/mail")).await;
    assert!(page.contains("data-testid=\"mail-none\""), "{page}");
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::entity.eq("outbox"))
        .order(audit_log::id)
        .select(audit_log::action)
        .load(&mut conn)
        .await
        .expect("audit");
    assert_eq!(actions, ["mail_retry", "mail_retry_all"]);

    let mail = app.take_mail().await;
    assert_eq!(
        mail.recipients_of("ack"),
        [mail_to(&[CITIZEN]), mail_to(&[CITIZEN])]
    );
    assert!(
        mail.iter().all(|m| m.status == MailStatus::Sent),
        "{}",
        mail.lines()
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mail_refused_for_now_shows_its_next_attempt() {
    let sink = SmtpSink::start().await;
    sink.tempfail(CITIZEN);
    let app = TestApp::spawn_with(|cfg| {
        use_sink(cfg, &sink);
        // Long enough that the page is read between two attempts.
        cfg.mail.retry_base_secs = 3600;
        cfg.mail.retry_max_secs = 3600;
        // Pending at all counts as long-pending here.
        cfg.mail.stuck_after_secs = 0;
    })
    .await;
    let filed = file(&app).await;
    let ack = wait_ack(&app, filed.id, |_, attempts| attempts >= 1).await;
    let mut conn = app.conn().await;
    let next: chrono::DateTime<chrono::Utc> = outbox::table
        .find(ack)
        .select(outbox::next_attempt_at)
        .first(&mut conn)
        .await
        .expect("next attempt");
    let next = pakn::domain::calendar::format_datetime(next);

    let unit = unit_of(&app, filed.id).await;
    let officer = staff(&app, "cb.xuly@sonoivu.vn", &["officer"], Some(&unit)).await;
    let (_, page) = text(&officer, app.url(&format!("/staff/tickets/{}", filed.code))).await;
    let card = part(&page, "mail-card", "</section>");
    let line = card
        .split("data-testid=\"mail-line\"")
        .find(|l| l.contains(ACK_LABEL))
        .expect("the acknowledgement's line");
    assert!(line.contains("data-state=\"retrying\""), "{line}");
    assert!(
        line.contains(&format!("Đã thử 1 lần; lần thử tiếp theo lúc {next}")),
        "{line}"
    );
    assert!(line.contains("450"), "{line}");
    assert!(
        !card.contains("data-testid=\"mail-fix\""),
        "nothing failed for good"
    );
    // The citizen is still told it will be mailed.
    let (_, receipt) = text(&app.client, app.url(&filed.receipt)).await;
    assert!(
        receipt.contains("sẽ được gửi tới h***@example.vn"),
        "{receipt}"
    );

    // It is long-pending on the admin page.
    let admin = staff(&app, "qt@sonoivu.vn", &["admin"], None).await;
    let (_, page) = text(&admin, app.url("/staff/admin/mail")).await;
    let row = part(&page, "mail-row", "</tr>");
    assert!(
        row.contains("data-state=\"retrying\"") && row.contains(&next),
        "{row}"
    );

    let mail = app.take_mail().await;
    assert_eq!(mail.recipients_of("ack"), [mail_to(&[CITIZEN])]);
    assert_eq!(
        mail.of_kind("ack").with_status(MailStatus::Pending).len(),
        1
    );
    app.expect_pending_mail(1);
    app.stop().await;
}

/// The mail card (with the correction form open) and the admin page in Chromium, on a
/// phone and on a desktop: screenshots under `target/screenshots/mail_status/`, no
/// sideways scrolling, no serious or critical axe-core finding.
#[tokio::test(flavor = "multi_thread")]
async fn the_mail_card_and_the_admin_page_fit_a_phone_and_a_desktop() {
    use crate::support::axe::blocking_report;
    use crate::support::browser::{Browser, with_browser};

    let sink = SmtpSink::start().await;
    sink.reject(CITIZEN);
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let filed = file(&app).await;
    wait_ack(&app, filed.id, |failed, _| failed).await;
    let unit = unit_of(&app, filed.id).await;
    let chief = "qt@sonoivu.vn";
    create_user(&app, chief, &["officer", "leader", "admin"], Some(&unit)).await;
    let base = app.base.clone();
    let mut report = String::new();
    for (device, width, height) in [("phone", 360, 740), ("desktop", 1280, 800)] {
        let prefix = format!("mail_status/{device}");
        with_browser(&prefix, width, height, async |b: &Browser| {
            crate::browser::sign_in(b, &base, chief).await;
            b.goto(&format!("{base}/staff/tickets/{}#mail", filed.code))
                .await;
            b.click("[data-testid=mail-fix] summary").await;
            b.wait_for("#email_fix-email").await;
            b.eval("document.getElementById('mail').scrollIntoView()")
                .await;
            b.screenshot("ticket-mail-card").await.expect("screenshot");
            report.push_str(&blocking_report(b, &format!("{device} ticket")).await);
            let fits = b
                .eval("return document.documentElement.scrollWidth <= window.innerWidth")
                .await;
            assert_eq!(fits, serde_json::Value::Bool(true), "{device}: ticket page");
            b.goto(&format!("{base}/staff/admin/mail")).await;
            b.wait_for("[data-testid=mail-table]").await;
            b.screenshot("admin-mail").await.expect("screenshot");
            b.eval("document.querySelector('[data-testid=mail-table]').scrollIntoView()")
                .await;
            b.screenshot("admin-mail-table").await.expect("screenshot");
            // The citizen's receipt, the confirmation refused.
            b.goto(&format!("{base}{}", filed.receipt)).await;
            b.wait_for("[data-testid=ack-failed]").await;
            b.eval("document.querySelector('[data-testid=ack-failed]').scrollIntoView()")
                .await;
            b.screenshot("receipt-ack-failed")
                .await
                .expect("screenshot");
            report.push_str(&blocking_report(b, &format!("{device} receipt")).await);
            report.push_str(&blocking_report(b, &format!("{device} admin")).await);
            let fits = b
                .eval("return document.documentElement.scrollWidth <= window.innerWidth")
                .await;
            assert_eq!(fits, serde_json::Value::Bool(true), "{device}: admin page");
        })
        .await;
    }
    assert!(report.is_empty(), "axe-core found:\n{report}");
    let mail = app.take_mail().await;
    assert_eq!(mail.recipients_of("ack"), [mail_to(&[CITIZEN])]);
    app.expect_failed_mail(1);
    app.stop().await;
}
