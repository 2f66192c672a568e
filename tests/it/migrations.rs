//! Migrations that move data, run down and up again on a database with real handling
//! history: ratings written one per PAKN are attached to the answer they judged.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamptz};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use pakn::db::schema::{ratings, replies, tickets};
use pakn::domain::workflow::Action;

use crate::citizen::filed;
use crate::support::app::TestApp;
use crate::support::outbox::filings_mail;
use crate::workflow::{People, answer, answer_mail, full_step, people, step_at};

/// The migration that keys ratings by the answer (migrations/2026-11-29-000030_…, as
/// diesel spells its version).
const RATINGS_PER_ANSWER: &str = "20261129000030";

/// Reverts every applied migration from `version` on (newest first).
async fn revert_from(url: &str, version: &'static str) {
    let conn = AsyncPgConnection::establish(url).await.expect("connect");
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        let applied = harness.applied_migrations().expect("applied migrations");
        assert!(
            applied.iter().any(|v| v.to_string() == version),
            "{version} is not an applied migration: {applied:?}"
        );
        loop {
            let applied = harness.applied_migrations().expect("applied migrations");
            if !applied.iter().any(|v| v.to_string().as_str() >= version) {
                break;
            }
            harness
                .revert_last_migration(pakn::db::setup::MIGRATIONS)
                .expect("revert");
        }
    })
    .await
    .expect("the revert task");
}

/// Runs the pending migrations; the error's text when one fails.
async fn migrate_up(url: &str) -> Result<usize, String> {
    let conn = AsyncPgConnection::establish(url).await.expect("connect");
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .run_pending_migrations(pakn::db::setup::MIGRATIONS)
            .map(|done| done.len())
            .map_err(|e| e.to_string())
    })
    .await
    .expect("the migration task")
}

/// Answers a ticket twice (answered, reopened by the leader, answered again).
async fn answer_twice(app: &TestApp, p: &People, id: i64) {
    answer(app, p, id).await;
    for (who, action) in [
        (&p.leader, Action::Reopen),
        (&p.officer, Action::SubmitDraft),
        (&p.leader, Action::Approve),
    ] {
        step_at(
            app,
            id,
            who,
            full_step(action, p.officer_id, 0, ""),
            Utc::now(),
        )
        .await
        .expect("answered again");
    }
}

/// The ticket's approved replies, oldest first, each approved at the given time.
async fn approved_at(conn: &mut AsyncPgConnection, id: i64, at: &[DateTime<Utc>]) -> Vec<i64> {
    let ids: Vec<i64> = replies::table
        .filter(replies::ticket_id.eq(id))
        .filter(replies::state.eq("approved"))
        .order(replies::id)
        .select(replies::id)
        .load(conn)
        .await
        .expect("answers");
    assert_eq!(ids.len(), at.len());
    for (reply, when) in ids.iter().zip(at) {
        diesel::update(replies::table.find(reply))
            .set(replies::decided_at.eq(Some(*when)))
            .execute(conn)
            .await
            .expect("approval time");
    }
    ids
}

/// A rating as the application wrote it before the migration: one per ticket.
async fn old_rating(conn: &mut AsyncPgConnection, ticket: i64, rating: &str, at: DateTime<Utc>) {
    diesel::sql_query(
        "INSERT INTO ratings (ticket_id, rating, unit_id, field_code, at) \
         SELECT id, $2, unit_id, field_code, $3 FROM tickets WHERE id = $1",
    )
    .bind::<BigInt, _>(ticket)
    .bind::<Text, _>(rating)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await
    .expect("an old rating");
}

async fn rated_answers(conn: &mut AsyncPgConnection, ticket: i64) -> Vec<(i64, String)> {
    ratings::table
        .filter(ratings::ticket_id.eq(ticket))
        .order(ratings::reply_id)
        .select((ratings::reply_id, ratings::rating))
        .load(conn)
        .await
        .expect("ratings")
}

#[tokio::test(flavor = "multi_thread")]
async fn ratings_written_per_pakn_are_attached_to_the_answer_they_judged() {
    let app = TestApp::spawn_without_worker(|_| {}).await;
    let p = people(&app).await;
    let between = filed(&app).await;
    let after_both = filed(&app).await;
    let early = filed(&app).await;
    let unanswered = filed(&app).await;
    answer_twice(&app, &p, between.id).await;
    answer_twice(&app, &p, after_both.id).await;
    answer(&app, &p, early.id).await;
    let now = Utc::now();
    let days = TimeDelta::days;
    let mut conn = app.conn().await;
    let between_answers =
        approved_at(&mut conn, between.id, &[now - days(10), now - days(2)]).await;
    let both_answers =
        approved_at(&mut conn, after_both.id, &[now - days(10), now - days(2)]).await;
    let early_answer = approved_at(&mut conn, early.id, &[now - days(3)]).await;
    drop(conn);

    revert_from(&app.db.url, RATINGS_PER_ANSWER).await;
    let mut conn = app.conn().await;
    // Rated after the first answer, before the second.
    old_rating(&mut conn, between.id, "unsatisfied", now - days(5)).await;
    // Rated after both.
    old_rating(&mut conn, after_both.id, "satisfied", now - days(1)).await;
    // Stamped before the only answer (a clock set wrong): its latest answer.
    old_rating(&mut conn, early.id, "neutral", now - days(4)).await;
    // A rating of a PAKN never answered cannot be attached: the migration stops.
    old_rating(&mut conn, unanswered.id, "neutral", now).await;
    drop(conn);
    let refused = migrate_up(&app.db.url).await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.contains("without an approved reply")),
        "{refused:?}"
    );
    let mut conn = app.conn().await;
    diesel::sql_query("DELETE FROM ratings WHERE ticket_id = $1")
        .bind::<BigInt, _>(unanswered.id)
        .execute(&mut conn)
        .await
        .expect("the unattached rating removed");
    drop(conn);
    assert!(migrate_up(&app.db.url).await.expect("migrate") >= 1);

    let mut conn = app.conn().await;
    assert_eq!(
        rated_answers(&mut conn, between.id).await,
        vec![(between_answers[0], "unsatisfied".to_string())]
    );
    assert_eq!(
        rated_answers(&mut conn, after_both.id).await,
        vec![(both_answers[1], "satisfied".to_string())]
    );
    assert_eq!(
        rated_answers(&mut conn, early.id).await,
        vec![(early_answer[0], "neutral".to_string())]
    );

    // One rating per answer: the second answer of the first PAKN can be rated too, the
    // first one not twice.
    let (unit_id, field_code): (i32, String) = tickets::table
        .find(between.id)
        .select((tickets::unit_id, tickets::field_code))
        .first(&mut conn)
        .await
        .expect("the ticket");
    let second = diesel::insert_into(ratings::table)
        .values((
            ratings::reply_id.eq(between_answers[1]),
            ratings::ticket_id.eq(between.id),
            ratings::rating.eq("satisfied"),
            ratings::unit_id.eq(unit_id),
            ratings::field_code.eq(&field_code),
            ratings::at.eq(now),
        ))
        .execute(&mut conn)
        .await;
    assert_eq!(second.expect("the second answer rated"), 1);
    let again = diesel::sql_query(
        "INSERT INTO ratings (reply_id, ticket_id, rating, unit_id, field_code) \
         SELECT reply_id, ticket_id, 'neutral', unit_id, field_code FROM ratings WHERE reply_id = $1",
    )
    .bind::<BigInt, _>(between_answers[0])
    .execute(&mut conn)
    .await;
    assert!(again.is_err(), "an answer is rated once: {again:?}");
    drop(conn);

    // Down keeps one rating per PAKN, its latest answer's; up attaches it again.
    revert_from(&app.db.url, RATINGS_PER_ANSWER).await;
    let mut conn = app.conn().await;
    #[derive(QueryableByName)]
    struct Old {
        #[diesel(sql_type = Text)]
        rating: String,
    }
    let kept: Vec<Old> = diesel::sql_query("SELECT rating FROM ratings WHERE ticket_id = $1")
        .bind::<BigInt, _>(between.id)
        .load(&mut conn)
        .await
        .expect("the old shape");
    assert_eq!(
        kept.iter().map(|o| o.rating.as_str()).collect::<Vec<_>>(),
        ["satisfied"]
    );
    drop(conn);
    migrate_up(&app.db.url).await.expect("migrate again");
    let mut conn = app.conn().await;
    assert_eq!(
        rated_answers(&mut conn, between.id).await,
        vec![(between_answers[1], "satisfied".to_string())]
    );
    drop(conn);
    // Each answer mails the leader (the draft) and the citizen (the reply); the leader's
    // reopening mails nobody. No worker in this test: the mail stays queued.
    let mail = app.take_mail().await;
    // Each filing also tells the department's leader (the unit has no leader of its own).
    let mut want: Vec<_> = filings_mail(4)
        .chunks(2)
        .flat_map(|filing| {
            let mut m = filing.to_vec();
            m.push((
                "notify_staff",
                crate::support::outbox::mail_to(&[crate::workflow::LEADER_EMAIL]),
            ));
            m
        })
        .collect();
    for _ in 0..5 {
        want.extend(answer_mail());
    }
    assert_eq!(mail.who(), want);
    app.expect_pending_mail(mail.len());
    app.stop().await;
}
