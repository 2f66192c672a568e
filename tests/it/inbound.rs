//! Issue 16: mail comes back in. Real messages go through `pakn mail receive` (the
//! binary, the message on standard input, as an MTA's pipe runs it) or through the
//! storing use case; the mails they answer were sent by pakn to a real SMTP sink, and
//! the replies are written as mail clients write them (quoted history, signatures).

use std::time::Duration;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use pakn::db::schema::{inbound_mail, outbox, outbox_refusals, ticket_events};
use pakn::domain::inbound::{InboundOutcome, InboundSource, InboundState};
use pakn::handling::inbound::{self, Desk, Stored};
use pakn::handling::{self, Command, Context, Step};
use tokio::io::AsyncWriteExt;
use tokio::process::Command as Process;

use crate::support::app::TestApp;
use crate::support::outbox::{CITIZEN, mail_to};
use crate::support::smtp::{Received, SmtpSink};
use crate::workflow::{OFFICER_EMAIL, events_of, file, people, status_of};

const BIN: &str = env!("CARGO_BIN_EXE_pakn");
const FROM: &str = "Sở Nội vụ tỉnh An Giang <pakn@sonoivu.angiang.gov.vn>";

fn inbound_on(cfg: &mut pakn::config::Config, sink: &SmtpSink) {
    crate::mail::use_sink(cfg, sink);
    cfg.mail.from = FROM.into();
    cfg.mail.inbound.enabled = true;
    // The test processes what it stores itself; the periodic pass only runs at start.
    cfg.mail.inbound.poll_interval_secs = 3600;
}

/// Runs `pakn mail receive` with `message` on standard input, with `--now` (processed
/// before it exits) unless `extra` says otherwise (`--announce`: the default, which
/// stores, announces and leaves processing to the running instance); returns its exit
/// code.
async fn pipe(app: &TestApp, message: &str, extra: &[&str]) -> i32 {
    let cfg = &app.state().cfg;
    let mut child = Process::new(BIN)
        .args(["mail", "receive"])
        .args(match extra {
            [] => &["--now"][..],
            ["--announce"] => &[][..],
            other => other,
        })
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &cfg.database.url)
        .env("PAKN_MAIL__FROM", FROM)
        .env("PAKN_MAIL__INBOUND__ENABLED", "true")
        .env(
            "PAKN_MAIL__INBOUND__MAX_BYTES",
            cfg.mail.inbound.max_bytes.to_string(),
        )
        .env("PAKN_MAIL__DIR", &cfg.mail.dir)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("pakn mail receive starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(message.as_bytes())
        .await
        .expect("message written");
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("pakn mail receive ends")
        .expect("exit status");
    status.code().unwrap_or(-1)
}

/// Stores and processes `message` in this process (faster than the binary).
async fn deliver(app: &TestApp, message: &str) -> Option<i64> {
    let state = app.state();
    let mut conn = app.conn().await;
    let stored = inbound::store(
        &mut conn,
        &state.cfg,
        InboundSource::Pipe,
        message.as_bytes(),
        message.len(),
    )
    .await
    .expect("stored");
    let reference = state.reference.get();
    let desk = Desk::new(&state.cfg, &reference, &state.secret);
    inbound::process_due(&mut conn, &desk)
        .await
        .expect("processed");
    match stored {
        Stored::New(id) => Some(id),
        Stored::Duplicate => None,
    }
}

async fn row_of(conn: &mut AsyncPgConnection, id: i64) -> (InboundState, Option<InboundOutcome>) {
    inbound_mail::table
        .find(id)
        .select((inbound_mail::state, inbound_mail::outcome))
        .first(conn)
        .await
        .expect("inbound row")
}

async fn last_row(conn: &mut AsyncPgConnection) -> (InboundState, Option<InboundOutcome>) {
    inbound_mail::table
        .order(inbound_mail::id.desc())
        .select((inbound_mail::state, inbound_mail::outcome))
        .first(conn)
        .await
        .expect("inbound row")
}

/// The one mail of the sink sent to `to` whose subject contains `what`.
fn sent_to<'a>(mails: &'a [Received], to: &str, what: &str) -> &'a Received {
    mails
        .iter()
        .find(|m| m.rcpt_tos.iter().any(|r| r == to) && m.subject().contains(what))
        .unwrap_or_else(|| panic!("no mail to {to} about {what:?}"))
}

/// Waits for the mail whose subject contains `what`.
async fn wait_for_subject(sink: &SmtpSink, what: &str) -> Received {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(m) = sink
            .messages()
            .into_iter()
            .find(|m| m.subject().contains(what))
        {
            return m;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no mail about {what:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn reply_to(m: &Received) -> String {
    m.addresses("reply-to")
        .into_iter()
        .next()
        .expect("a Reply-To")
}

/// A reply as Gmail writes it: new text, attribution, quoted history, signature.
fn gmail_reply(from: &str, to: &str, answered: &Received, text: &str, id: &str) -> String {
    let msg_id = answered.header("message-id").expect("Message-ID");
    let refs = answered.header("references").unwrap_or_default();
    format!(
        "MIME-Version: 1.0\r\nDate: Thu, 3 Dec 2026 10:20:00 +0700\r\nMessage-ID: <{id}@mail.gmail.com>\r\n\
In-Reply-To: {msg_id}\r\nReferences: {refs} {msg_id}\r\nSubject: =?UTF-8?B?UmU6IFTDtGkgY+G6p24gYuG7lSBzdW5n?=\r\n\
From: {from}\r\nTo: {to}\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
{text}\r\n\r\n-- \r\nNguyễn Thị Hoa\r\n\r\nVào Th 5, 3 thg 12, 2026 lúc 09:00 Sở Nội vụ <pakn@sonoivu.angiang.gov.vn> đã viết:\r\n\
> Đề nghị ông/bà bổ sung bản sao quyết định.\r\n> Trân trọng.\r\n"
    )
}

async fn event_bodies(conn: &mut AsyncPgConnection, id: i64, event: &str) -> Vec<(bool, String)> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(id))
        .filter(ticket_events::event.eq(event))
        .order(ticket_events::id)
        .select((ticket_events::public, ticket_events::body))
        .load::<(bool, Option<String>)>(conn)
        .await
        .expect("events")
        .into_iter()
        .map(|(p, b)| (p, b.unwrap_or_default()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_answer_a_request_become_messages_and_internal_notes() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| inbound_on(cfg, &sink)).await;
    let p = people(&app).await;
    let (id, _code) = file(&app, "Chậm cấp giấy xác nhận").await;
    let state = app.state();
    let reference = state.reference.get();
    let ctx = Context::now(&state.cfg, &reference);
    let mut conn = app.conn().await;
    let question = "Đề nghị ông/bà bổ sung bản sao quyết định.";
    handling::perform(
        &mut conn,
        &ctx,
        id,
        &p.officer,
        Command::Move(Step::AskInfo {
            question: question.into(),
        }),
    )
    .await
    .expect("ask for information");
    let mails = sink.wait_for(5, Duration::from_secs(20)).await;
    let asked = sent_to(&mails, CITIZEN, "");
    let asked = mails
        .iter()
        .filter(|m| m.rcpt_tos.iter().any(|r| r == CITIZEN))
        .find(|m| m.text().contains(question))
        .unwrap_or(asked);
    let citizen_reply_to = reply_to(asked);
    assert!(
        citizen_reply_to.starts_with("pakn+")
            && citizen_reply_to.ends_with("@sonoivu.angiang.gov.vn"),
        "{citizen_reply_to}"
    );

    // The citizen presses Reply: through the pipe, the answer to the request.
    let answer = "Tôi xin gửi bổ sung: quyết định số 12/QĐ-UBND ngày 01/12/2026.";
    let reply = gmail_reply(CITIZEN, &citizen_reply_to, asked, answer, "r1");
    assert_eq!(pipe(&app, &reply, &[]).await, 0);
    assert_eq!(
        status_of(&mut conn, id).await,
        "submitted",
        "back to where it was"
    );
    let answers = event_bodies(&mut conn, id, "answer_info").await;
    assert_eq!(
        answers,
        vec![(true, answer.to_string())],
        "quoted history trimmed"
    );
    assert_eq!(
        last_row(&mut conn).await,
        (InboundState::Done, Some(InboundOutcome::AnswerInfo))
    );

    // The same message delivered again is processed once.
    assert_eq!(pipe(&app, &reply, &[]).await, 0);
    assert_eq!(event_bodies(&mut conn, id, "answer_info").await.len(), 1);

    // The officer is told, and replies from their account: an internal note.
    let told = sink.wait_for(6, Duration::from_secs(20)).await;
    let notice = told
        .iter()
        .find(|m| {
            m.rcpt_tos.iter().any(|r| r == OFFICER_EMAIL)
                && m.subject().contains("Người gửi bổ sung thông tin")
        })
        .expect("the officer is told of the answer");
    let staff_reply_to = reply_to(notice);
    assert_ne!(
        staff_reply_to, citizen_reply_to,
        "another audience, another token"
    );
    let note = "Đã kiểm tra quyết định, đủ điều kiện xử lý.";
    let officer = gmail_reply(OFFICER_EMAIL, &staff_reply_to, notice, note, "r2");
    deliver(&app, &officer).await.expect("stored");
    assert_eq!(
        event_bodies(&mut conn, id, "internal_note").await,
        vec![(false, note.to_string())],
        "an officer's reply is internal only"
    );

    // A citizen's reply when nothing is asked: the citizen's message, public.
    let more = "Xin cho biết khi nào có kết quả.";
    deliver(
        &app,
        &gmail_reply(CITIZEN, &citizen_reply_to, asked, more, "r3"),
    )
    .await
    .expect("stored");
    assert_eq!(
        event_bodies(&mut conn, id, "citizen_message").await,
        vec![(true, more.to_string())]
    );
    assert_eq!(
        status_of(&mut conn, id).await,
        "submitted",
        "a message moves nothing"
    );
    let track_events: Vec<String> = events_of(&mut conn, id)
        .await
        .into_iter()
        .filter(|(_, public, _)| *public)
        .map(|(e, _, _)| e)
        .collect();
    assert!(!track_events.contains(&"internal_note".to_string()));
    // The track page shows the citizen's message and the answer, never the note.
    let token: String = pakn::db::schema::tickets::table
        .find(id)
        .select(pakn::db::schema::tickets::access_token)
        .first(&mut conn)
        .await
        .expect("token");
    let page = reqwest::get(app.url(&format!("/t/{token}")))
        .await
        .expect("GET track")
        .text()
        .await
        .expect("the track page");
    assert!(
        page.contains(more) && page.contains(answer),
        "the citizen's words are shown"
    );
    assert!(page.contains("Ý kiến thêm của người gửi (qua thư điện tử)"));
    assert!(!page.contains(note), "an internal note on the track page");

    let mail = app.take_mail().await;
    let kinds: Vec<&str> = mail.iter().map(|m| m.kind.as_str()).collect();
    assert!(kinds.contains(&"update.ask_info"));
    assert!(
        kinds.contains(&"update.citizen_message"),
        "the unit is mailed: {kinds:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_tokens_strangers_oversize_and_a_crash_before_processing() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| {
        inbound_on(cfg, &sink);
        cfg.mail.inbound.max_bytes = 4096;
    })
    .await;
    let (id, code) = file(&app, "Thủ tục chứng thực kéo dài").await;
    let mails = sink.wait_for(2, Duration::from_secs(20)).await;
    let ack = sent_to(&mails, CITIZEN, "");
    let good = reply_to(ack);
    let mut conn = app.conn().await;

    // One character of the token altered: held, not attached.
    let (local, domain) = good.split_once('@').expect("address");
    let last = local.chars().last().expect("token");
    let forged = format!(
        "{}{}@{domain}",
        &local[..local.len() - 1],
        if last == 'a' { 'b' } else { 'a' }
    );
    let row = deliver(&app, &gmail_reply(CITIZEN, &forged, ack, "Giả mạo.", "f1"))
        .await
        .expect("stored");
    assert_eq!(
        row_of(&mut conn, row).await,
        (InboundState::Held, Some(InboundOutcome::BadToken))
    );
    // A valid token from someone the PAKN does not know: held.
    let row = deliver(
        &app,
        &gmail_reply(
            "nguoi.la@example.com",
            &good,
            ack,
            "Tôi là người khác.",
            "f2",
        ),
    )
    .await
    .expect("stored");
    assert_eq!(
        row_of(&mut conn, row).await,
        (InboundState::Held, Some(InboundOutcome::UnknownSender))
    );
    assert!(
        event_bodies(&mut conn, id, "citizen_message")
            .await
            .is_empty()
    );

    // A leader reads it on the review page and attaches it to the PAKN by its code, as
    // an internal note (a wrong code comes back with what was typed).
    crate::auth::create_user(&app, "lanhdao@sonoivu.vn", &["leader"], None).await;
    let leader = crate::auth::client();
    crate::auth::login_ok(&app, &leader, "lanhdao@sonoivu.vn").await;
    let page = crate::auth::get(&leader, app.url(&format!("/staff/inbound/{row}")))
        .await
        .text()
        .await
        .expect("the message page");
    assert!(page.contains("Tôi là người khác.") && page.contains("nguoi.la@example.com"));
    // An admin keeps the list moving but does not read citizens' mail.
    crate::auth::create_user(&app, "quantri@sonoivu.vn", &["admin"], None).await;
    let admin = crate::auth::client();
    crate::auth::login_ok(&app, &admin, "quantri@sonoivu.vn").await;
    let res = crate::auth::get(&admin, app.url(&format!("/staff/inbound/{row}"))).await;
    assert_eq!(res.status(), reqwest::StatusCode::FORBIDDEN);
    let csrf = crate::auth::csrf(&app, &leader).await;
    let res = leader
        .post(app.url(&format!("/staff/inbound/{row}/attach")))
        .form(&[("csrf", csrf.as_str()), ("code", "AAAA-BBBB-CC")])
        .send()
        .await
        .expect("POST attach");
    assert_eq!(res.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.expect("body");
    assert!(page.contains("Không có PAKN nào mang mã này.") && page.contains("AAAA-BBBB-CC"));
    let res = leader
        .post(app.url(&format!("/staff/inbound/{row}/attach")))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .expect("POST attach");
    assert_eq!(res.headers()["location"], "/staff/inbound?done=attach");
    let notes = event_bodies(&mut conn, id, "internal_note").await;
    assert_eq!(notes.len(), 1);
    assert!(!notes[0].0, "internal only");
    assert!(
        notes[0].1.contains("nguoi.la@example.com") && notes[0].1.contains("Tôi là người khác.")
    );
    assert_eq!(
        row_of(&mut conn, row).await,
        (InboundState::Done, Some(InboundOutcome::InternalNote))
    );

    // Stored, then the process dies before processing: the message waits, then a pass
    // takes it.
    let text = "Tôi bổ sung số hồ sơ 000.00.12.H01-261201-0001.";
    let msg = gmail_reply(CITIZEN, &good, ack, text, "c1");
    assert_eq!(pipe(&app, &msg, &["--store-only"]).await, 0);
    assert_eq!(last_row(&mut conn).await, (InboundState::New, None));
    let state = app.state();
    let reference = state.reference.get();
    let desk = Desk::new(&state.cfg, &reference, &state.secret);
    assert_eq!(
        inbound::process_due(&mut conn, &desk).await.expect("pass"),
        1
    );
    assert_eq!(
        event_bodies(&mut conn, id, "citizen_message").await,
        vec![(true, text.to_string())]
    );

    // As an MTA runs it by default: stored and announced; the running instance, woken
    // by the announcement (its periodic pass is an hour away), processes it at once.
    let text = "Tôi xin gửi thêm bản chụp giấy hẹn trả kết quả.";
    let msg = gmail_reply(CITIZEN, &good, ack, text, "n1");
    assert_eq!(pipe(&app, &msg, &["--announce"]).await, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while event_bodies(&mut conn, id, "citizen_message").await.len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the announced message waits"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Too large: refused, and the sender told why in a mail of its own.
    let big = format!(
        "{}\r\n{}",
        gmail_reply(CITIZEN, &good, ack, "Kèm tệp lớn.", "big").trim_end(),
        "x".repeat(8000)
    );
    assert_eq!(pipe(&app, &big, &[]).await, 0);
    assert_eq!(
        last_row(&mut conn).await,
        (InboundState::Refused, Some(InboundOutcome::TooLarge))
    );
    let refusal = wait_for_subject(&sink, "chưa được tiếp nhận").await;
    assert_eq!(refusal.rcpt_tos, vec![CITIZEN.to_string()]);
    assert!(
        refusal.text().contains("vượt quá giới hạn 4 KB"),
        "{}",
        refusal.text()
    );
    assert!(
        refusal.text().contains("over the 4 KB limit"),
        "{}",
        refusal.text()
    );
    assert_eq!(refusal.header("auto-submitted"), Some("auto-generated"));

    // The retention job wipes the raw text of what was processed, not of what is held.
    let state = app.state();
    let report = pakn::handling::retention::run(
        &mut conn,
        &state.cfg,
        chrono::Utc::now() + chrono::TimeDelta::days(31),
    )
    .await
    .expect("retention");
    assert_eq!(
        report.inbound, 4,
        "the two processed replies, the attached one and the refused message"
    );
    let kept: Vec<(InboundState, i32)> = inbound_mail::table
        .order(inbound_mail::id)
        .select((inbound_mail::state, inbound_mail::size))
        .load(&mut conn)
        .await
        .expect("rows");
    assert!(
        kept.iter()
            .all(|(s, size)| (*s == InboundState::Held) == (*size > 0)),
        "{kept:?}"
    );

    let mail = app.take_mail().await;
    assert!(mail.iter().any(|m| m.kind == "inbound_refusal"));
    app.stop().await;
}

/// A delivery status notification as Postfix writes it, about `message_id`.
fn dsn(to: &str, failed: &str, message_id: &str) -> String {
    format!(
        "Return-Path: <>\r\nDate: Thu, 3 Dec 2026 10:00:00 +0700\r\nFrom: MAILER-DAEMON@mx.example.vn (Mail Delivery System)\r\n\
Subject: Undelivered Mail Returned to Sender\r\nTo: {to}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"B1\"\r\nMessage-Id: <dsn.1@mx.example.vn>\r\n\r\n\
--B1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nI'm sorry to have to inform you that your message could not be delivered.\r\n\r\n\
--B1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.vn\r\n\r\nFinal-Recipient: rfc822; {failed}\r\n\
Original-Recipient: rfc822;{failed}\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <{failed}>: Recipient address rejected: User unknown\r\n\r\n\
--B1\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {FROM}\r\nTo: {failed}\r\nMessage-ID: {message_id}\r\nSubject: PAKN\r\n\r\n--B1--\r\n"
    )
}

fn vacation(from: &str, to: &str) -> String {
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: =?UTF-8?Q?Tr=E1=BA=A3_l=E1=BB=9Di_t=E1=BB=B1_=C4=91=E1=BB=99ng?=\r\n\
Auto-Submitted: auto-replied\r\nMessage-ID: <vac.{}@example.vn>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n\
Tôi đang nghỉ phép đến hết ngày 10/12/2026.\r\n",
        rand::random::<u32>()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn bounces_show_on_the_mail_and_automatic_mail_starts_no_loop() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| {
        inbound_on(cfg, &sink);
        cfg.mail.inbound.per_sender_per_hour = 4;
    })
    .await;
    let (id, code) = file(&app, "Phản ánh về lệ phí").await;
    let mails = sink.wait_for(2, Duration::from_secs(20)).await;
    let ack = sent_to(&mails, CITIZEN, "");
    let good = reply_to(ack);
    let mut conn = app.conn().await;

    // A reply that lost its reply address (sent to the intake address) still finds its
    // PAKN by the Message-IDs it answers.
    let row = deliver(
        &app,
        &gmail_reply(
            CITIZEN,
            "pakn@sonoivu.angiang.gov.vn",
            ack,
            "Gửi lại ý kiến.",
            "t1",
        ),
    )
    .await
    .expect("stored");
    assert_eq!(
        row_of(&mut conn, row).await,
        (InboundState::Done, Some(InboundOutcome::CitizenMessage))
    );

    // The acknowledgement bounces: the row is marked and the refusal recorded.
    let ack_id = ack.header("message-id").expect("Message-ID").to_string();
    deliver(&app, &dsn("pakn@sonoivu.angiang.gov.vn", CITIZEN, &ack_id))
        .await
        .expect("stored");
    assert_eq!(
        last_row(&mut conn).await,
        (InboundState::Done, Some(InboundOutcome::Bounce))
    );
    let (bounced, refused): (Option<chrono::DateTime<chrono::Utc>>, Vec<String>) = {
        let row: (i64, Option<chrono::DateTime<chrono::Utc>>) = outbox::table
            .filter(outbox::ticket_id.eq(id))
            .filter(outbox::kind.eq("ack"))
            .select((outbox::id, outbox::bounced_at))
            .first(&mut conn)
            .await
            .expect("the ack row");
        let refused = outbox_refusals::table
            .filter(outbox_refusals::outbox_id.eq(row.0))
            .select(outbox_refusals::reply)
            .load(&mut conn)
            .await
            .expect("refusals");
        (row.1, refused)
    };
    assert!(bounced.is_some());
    assert_eq!(refused.len(), 1);
    assert!(refused[0].starts_with("5.1.1"), "{refused:?}");
    // The ticket's mail card shows it, and offers to correct the citizen's address.
    people(&app).await;
    let client = crate::auth::client();
    crate::auth::login_ok(&app, &client, OFFICER_EMAIL).await;
    let page = crate::auth::get(&client, app.url(&format!("/staff/tickets/{code}")))
        .await
        .text()
        .await
        .expect("the ticket page");
    assert!(
        page.contains("data-testid=\"mail-fix\""),
        "no correction offered"
    );
    assert!(page.contains("5.1.1"), "the server's answer is not shown");

    // A vacation notice to the reply address: nothing happens, nobody is mailed.
    deliver(&app, &vacation(CITIZEN, &good))
        .await
        .expect("stored");
    assert_eq!(
        last_row(&mut conn).await,
        (InboundState::Ignored, Some(InboundOutcome::Automatic))
    );

    // An autoresponder that says nothing of itself, answering every mail: after the
    // per-sender limit its mail is held, so no loop can run.
    for i in 0..6 {
        let text = format!("Thư tự động số {i}.");
        deliver(
            &app,
            &gmail_reply(CITIZEN, &good, ack, &text, &format!("loop{i}")),
        )
        .await
        .expect("stored");
    }
    let messages = event_bodies(&mut conn, id, "citizen_message").await;
    assert_eq!(
        messages.len(),
        3,
        "the vacation notice counts as the first of four"
    );
    assert_eq!(
        last_row(&mut conn).await,
        (InboundState::Held, Some(InboundOutcome::RateLimited))
    );
    let mail = app.take_mail().await;
    let to_citizen = mail
        .iter()
        .filter(|m| m.rcpt() == mail_to(&[CITIZEN]) && m.kind != "ack")
        .count();
    assert_eq!(to_citizen, 0, "nothing is sent back to the sender");
    app.stop().await;
}

/// A fixture of `tests/data/inbound` as this PAKN's citizen would send it: From the
/// citizen's address, To the reply address (the rest as the client wrote it).
fn as_reply(fixture: &str, reply_to: &str) -> String {
    let path = format!(
        "{}/tests/data/inbound/{fixture}.eml",
        env!("CARGO_MANIFEST_DIR")
    );
    let raw = std::fs::read_to_string(&path).expect("fixture");
    let mut out = String::new();
    let mut in_header = true;
    let mut skipping = false;
    for line in raw.split_inclusive('\n') {
        if in_header && (line == "\r\n" || line == "\n") {
            in_header = false;
        }
        if in_header {
            let folded = line.starts_with([' ', '\t']);
            if folded && skipping {
                continue;
            }
            skipping = false;
            let lower = line.to_ascii_lowercase();
            if lower.starts_with("from:") {
                out.push_str(&format!("From: Nguyễn Thị Hoa <{CITIZEN}>\r\n"));
                skipping = true;
                continue;
            }
            if lower.starts_with("to:") {
                out.push_str(&format!("To: <{reply_to}>\r\n"));
                skipping = true;
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_as_the_major_clients_write_them_keep_only_the_new_text() {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(|cfg| inbound_on(cfg, &sink)).await;
    let (id, _code) = file(&app, "Hồ sơ cấp đổi giấy phép").await;
    let mails = sink.wait_for(2, Duration::from_secs(20)).await;
    let good = reply_to(sent_to(&mails, CITIZEN, ""));
    let mut conn = app.conn().await;
    let clients = [
        "gmail-reply",
        "outlook-reply",
        "thunderbird-reply",
        "apple-mail-reply",
        "outlook-mobile-reply",
        "subject-b",
        "subject-q",
        "nested-multipart",
    ];
    for client in clients {
        let message = as_reply(client, &good);
        let expected = pakn::mail::inbound::parse::parse(message.as_bytes())
            .expect("parsed")
            .text;
        assert_eq!(pipe(&app, &message, &[]).await, 0, "{client}");
        let bodies = event_bodies(&mut conn, id, "citizen_message").await;
        let (public, body) = bodies.last().expect("a message").clone();
        assert!(public);
        assert_eq!(body, pakn::domain::fold::clean_text(&expected), "{client}");
        for quoted in [
            "đã viết:",
            "wrote:",
            "Gửi từ iPhone",
            "-----Original",
            "\n>",
        ] {
            assert!(
                !body.contains(quoted),
                "{client}: {quoted:?} left in {body:?}"
            );
        }
    }
    assert_eq!(
        event_bodies(&mut conn, id, "citizen_message").await.len(),
        clients.len()
    );
    // The nested multipart's PDF passed the filing's checks and is on the PAKN.
    let files: Vec<(String, String)> = pakn::db::schema::attachments::table
        .filter(pakn::db::schema::attachments::ticket_id.eq(id))
        .select((
            pakn::db::schema::attachments::origin,
            pakn::db::schema::attachments::filename,
        ))
        .load(&mut conn)
        .await
        .expect("files");
    assert!(
        files
            .iter()
            .any(|(o, f)| o == "citizen" && f.ends_with(".pdf")),
        "{files:?}"
    );
    // An Outlook winmail.dat: its CSV is not a file the filing takes; the text stays.
    let message = as_reply("outlook-winmail", &good);
    assert_eq!(pipe(&app, &message, &[]).await, 0);
    assert_eq!(
        last_row(&mut conn).await,
        (InboundState::Done, Some(InboundOutcome::CitizenMessage))
    );
    assert!(!files.iter().any(|(_, f)| f.ends_with(".csv")));
    // A new PAKN by email: its acknowledgement's Reply-To is the intake address, so the
    // sender's answer with the missing details joins the waiting item.
    let raw = std::fs::read(format!(
        "{}/tests/data/inbound/new-intake.eml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    assert_eq!(pipe(&app, &String::from_utf8_lossy(&raw), &[]).await, 0);
    let ack = wait_for_subject(&sink, "chưa phải là phản ánh").await;
    assert_eq!(reply_to(&ack), "pakn@sonoivu.angiang.gov.vn");
    let mail = app.take_mail().await;
    assert!(
        mail.iter().all(|m| m.kind != "inbound_refusal"),
        "no file was refused"
    );
    app.stop().await;
}

/// Runs `pakn mail receive` (the default: no flag) with `env` on top of the app's.
async fn pipe_env(app: &TestApp, message: &str, env: &[(&str, &str)]) -> i32 {
    let cfg = &app.state().cfg;
    let mut cmd = Process::new(BIN);
    cmd.args(["mail", "receive"])
        .env_remove("PAKN_CONFIG")
        .env("PAKN_DATABASE__URL", &cfg.database.url)
        .env("PAKN_MAIL__FROM", FROM)
        .env("PAKN_MAIL__INBOUND__ENABLED", "true")
        .stdin(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("pakn mail receive starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(message.as_bytes())
        .await
        .expect("message written");
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("pakn mail receive ends")
        .expect("exit status");
    status.code().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pipe_hands_the_message_to_the_running_instance_over_its_socket() {
    let sink = SmtpSink::start().await;
    let dir = std::env::temp_dir().join(format!("pakn-sock-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).expect("dir");
    let socket = dir.join("inbound.sock").display().to_string();
    let app = TestApp::spawn_with(|cfg| {
        inbound_on(cfg, &sink);
        cfg.mail.inbound.socket = socket.clone();
    })
    .await;
    let (id, _code) = file(&app, "Hồ sơ đăng ký kết hôn").await;
    let mails = sink.wait_for(2, Duration::from_secs(20)).await;
    let ack = sent_to(&mails, CITIZEN, "");
    let good = reply_to(ack);
    let mut conn = app.conn().await;
    // The pipe cannot reach the database at all: only the instance can have stored it.
    let text = "Tôi gửi thêm số giấy hẹn 1234/GH.";
    let msg = gmail_reply(CITIZEN, &good, ack, text, "s1");
    let unreachable = [
        ("PAKN_MAIL__INBOUND__SOCKET", socket.as_str()),
        (
            "PAKN_DATABASE__URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        ),
    ];
    assert_eq!(pipe_env(&app, &msg, &unreachable).await, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while event_bodies(&mut conn, id, "citizen_message")
        .await
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the handed-over message waits"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // No instance on the socket: the pipe stores directly (and announces).
    let missing = dir.join("none.sock").display().to_string();
    let msg = gmail_reply(CITIZEN, &good, ack, "Lần hai.", "s2");
    let direct = [("PAKN_MAIL__INBOUND__SOCKET", missing.as_str())];
    assert_eq!(pipe_env(&app, &msg, &direct).await, 0);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while event_bodies(&mut conn, id, "citizen_message").await.len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the directly stored message waits"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Neither the instance nor the database: exit 75, so the MTA keeps the message.
    let nothing = [
        ("PAKN_MAIL__INBOUND__SOCKET", missing.as_str()),
        (
            "PAKN_DATABASE__URL",
            "postgres://postgres@127.0.0.1:1/nowhere",
        ),
    ];
    assert_eq!(
        pipe_env(&app, &msg.replace("s2@", "s3@"), &nothing).await,
        75
    );
    let _ = std::fs::remove_dir_all(&dir);
    let mail = app.take_mail().await;
    assert!(mail.iter().all(|m| m.kind != "inbound_refusal"));
    app.stop().await;
}
