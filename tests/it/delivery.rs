//! Issue 13: mail is delivered per recipient. A recipient the server refuses for good
//! is recorded and shown (the ticket page, `pakn outbox status`) while the mail still
//! reaches the others; one refused for now is tried again alone; a mail nobody
//! accepted fails as before (`mail::a_permanent_5xx_…`).

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use pakn::db::schema::{outbox, outbox_refusals};

use crate::auth::{client, create_user, get, login_ok};
use crate::mail::{PATIENCE, file_fields, outbox_cli, settled, use_sink};
use crate::support::app::TestApp;
use crate::support::outbox::{DEPUTY, INSPECTION, filing_mail};
use crate::support::smtp::SmtpSink;

/// (address, reply) of every refusal recorded.
async fn refusals(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.conn().await;
    outbox_refusals::table
        .order(outbox_refusals::address)
        .select((outbox_refusals::address, outbox_refusals::reply))
        .load(&mut conn)
        .await
        .expect("refusals")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_cc_still_reaches_the_to_officer_and_is_shown_on_the_ticket() {
    let sink = SmtpSink::start().await;
    sink.reject(DEPUTY);
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    let ticket = file_fields(&app, &[]).await;
    let messages = sink.wait_for(2, PATIENCE).await;
    let mut conn = app.conn().await;
    assert_eq!(
        settled(&mut conn).await,
        (0, 2, 0),
        "both mails count as sent"
    );
    let notification: Vec<_> = messages
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == INSPECTION))
        .collect();
    assert_eq!(notification.len(), 1, "{messages:#?}");
    assert_eq!(
        notification[0].rcpt_tos,
        [INSPECTION],
        "the To officer has it"
    );
    assert_eq!(
        notification[0].addresses("cc"),
        [DEPUTY],
        "the headers still name everyone it was for"
    );
    let recorded = refusals(&app).await;
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].0, DEPUTY);
    assert!(recorded[0].1.contains("550"), "{recorded:?}");
    let attempts: Vec<i32> = outbox::table
        .select(outbox::attempts)
        .load(&mut conn)
        .await
        .expect("attempts");
    assert_eq!(attempts, [1, 1], "a permanent refusal is not retried");

    // A leader sees on the ticket who did not get its mail, and why.
    create_user(&app, "ld@sonoivu.vn", &["leader"], None).await;
    let c = client();
    login_ok(&app, &c, "ld@sonoivu.vn").await;
    let page = get(
        &c,
        app.url(&format!("/staff/tickets/{}", ticket.code.replace('-', ""))),
    )
    .await
    .text()
    .await
    .expect("page");
    let card = page
        .split("data-testid=\"mail-card\"")
        .nth(1)
        .expect("the mail card")
        .split("</section>")
        .next()
        .unwrap_or_default();
    assert!(card.contains(DEPUTY), "{card}");
    assert!(card.contains("550"), "{card}");
    assert!(card.contains("Thông báo phản ánh, kiến nghị mới"), "{card}");
    // And the operator in `pakn outbox status`.
    let status = outbox_cli(&app, &["outbox", "status"]).await;
    assert!(status.contains("failed: 0"), "{status}");
    assert!(
        status.contains(&format!("(notify) to {DEPUTY}")),
        "{status}"
    );
    // Once the address works again, a retry sends to the refused recipient only.
    sink.accept_all();
    let id: i64 = outbox::table
        .filter(outbox::kind.eq("notify"))
        .select(outbox::id)
        .first(&mut conn)
        .await
        .expect("id");
    let out = outbox_cli(&app, &["outbox", "retry", &id.to_string()]).await;
    assert!(out.contains("queued again"), "{out}");
    let messages = sink.wait_for(3, PATIENCE).await;
    let rcpts: Vec<_> = messages
        .iter()
        .map(|m| {
            (
                m.rcpt_tos.clone(),
                m.header("message-id").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(messages[2].rcpt_tos, [DEPUTY], "{rcpts:#?}");
    assert_eq!(
        messages[2].header("message-id"),
        notification[0].header("message-id"),
        "the same mail"
    );
    assert_eq!(settled(&mut conn).await, (0, 2, 0));
    assert!(refusals(&app).await.is_empty());
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recipient_refused_for_now_is_tried_again_alone() {
    let sink = SmtpSink::start().await;
    sink.tempfail(DEPUTY);
    let app = TestApp::spawn_with(|cfg| use_sink(cfg, &sink)).await;
    file_fields(&app, &[]).await;
    let messages = sink.wait_for(2, PATIENCE).await;
    let first = messages
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|r| r == INSPECTION))
        .expect("the notification")
        .clone();
    assert_eq!(first.rcpt_tos, [INSPECTION]);
    // It waits for its retry, remembering who has it.
    let mut conn = app.conn().await;
    let (delivered, error): (Vec<String>, Option<String>) = outbox::table
        .filter(outbox::kind.eq("notify"))
        .select((outbox::delivered_to, outbox::last_error))
        .first(&mut conn)
        .await
        .expect("row");
    assert_eq!(delivered, [INSPECTION]);
    assert!(error.unwrap_or_default().contains("450"));
    // Tried again while still refused: nobody gets a second copy.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(sink.count(), 2, "{:#?}", sink.messages());
    sink.accept_all();
    let messages = sink.wait_for(3, PATIENCE).await;
    assert_eq!(messages[2].rcpt_tos, [DEPUTY]);
    assert_eq!(messages[2].header("message-id"), first.header("message-id"));
    assert_eq!(settled(&mut conn).await, (0, 2, 0));
    assert!(refusals(&app).await.is_empty(), "nobody refused for good");
    assert_eq!(app.take_mail().await.who(), filing_mail());
    app.stop().await;
}
