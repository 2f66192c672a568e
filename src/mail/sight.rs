//! The outbox as people see it (issue 15, part 6): every mail of one PAKN with its
//! state (the ticket page), the acknowledgement's state (the citizen's receipt and track
//! page), the failed and long-pending mail of the whole system (the admin page), and
//! re-addressing a PAKN's mail to the citizen's corrected address.

use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::compose::KIND_ACK;
use crate::db::schema::{outbox, outbox_refusals, tickets};
use crate::domain::mail_state::{AckState, MailState, RowFacts};

/// One mail as the ticket page and the admin page list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailLine {
    pub id: i64,
    pub ticket_id: Option<i64>,
    /// The PAKN's code (admin page), when the mail is about one.
    pub ticket_code: Option<String>,
    pub kind: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub state: MailState,
    /// Recipients refused for good, with the server's answer.
    pub refused: Vec<(String, String)>,
}

type Row = (
    i64,
    Option<i64>,
    Option<String>,
    String,
    Vec<String>,
    Vec<String>,
    DateTime<Utc>,
    i32,
    DateTime<Utc>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn line(row: Row, refusals: &[(i64, String, String)]) -> MailLine {
    let (id, ticket_id, ticket_code, kind, to, cc, created_at, attempts, next, error, sent, failed) =
        row;
    MailLine {
        id,
        ticket_id,
        ticket_code,
        kind,
        to,
        cc,
        created_at,
        attempts,
        state: MailState::of(&RowFacts {
            attempts,
            next_attempt_at: next,
            last_error: error,
            sent_at: sent,
            failed_at: failed,
        }),
        refused: refusals
            .iter()
            .filter(|(o, _, _)| *o == id)
            .map(|(_, a, r)| (a.clone(), r.clone()))
            .collect(),
    }
}

macro_rules! line_columns {
    () => {
        (
            outbox::id,
            outbox::ticket_id,
            tickets::code.nullable(),
            outbox::kind,
            outbox::to_addrs,
            outbox::cc_addrs,
            outbox::created_at,
            outbox::attempts,
            outbox::next_attempt_at,
            outbox::last_error,
            outbox::sent_at,
            outbox::failed_at,
        )
    };
}

async fn refusals_of(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    outbox_refusals::table
        .filter(outbox_refusals::outbox_id.eq_any(ids))
        .order(outbox_refusals::address)
        .select((
            outbox_refusals::outbox_id,
            outbox_refusals::address,
            outbox_refusals::reply,
        ))
        .load(conn)
        .await
}

async fn with_refusals(conn: &mut AsyncPgConnection, rows: Vec<Row>) -> QueryResult<Vec<MailLine>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let refusals = refusals_of(conn, &ids).await?;
    Ok(rows.into_iter().map(|r| line(r, &refusals)).collect())
}

/// Every mail about ticket `ticket_id`, newest first, at most `limit`.
pub async fn of_ticket(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    limit: i64,
) -> QueryResult<Vec<MailLine>> {
    let rows: Vec<Row> = outbox::table
        .left_join(tickets::table.on(outbox::ticket_id.eq(tickets::id.nullable())))
        .filter(outbox::ticket_id.eq(ticket_id))
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .select(line_columns!())
        .load(conn)
        .await?;
    with_refusals(conn, rows).await
}

/// The mail in trouble, newest first, at most `limit`: failed, or pending (not sent,
/// not given up) since before `now - stuck_after`.
pub async fn troubled(
    conn: &mut AsyncPgConnection,
    stuck_after: TimeDelta,
    now: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<MailLine>> {
    let stuck_since = now - stuck_after;
    let rows: Vec<Row> = outbox::table
        .left_join(tickets::table.on(outbox::ticket_id.eq(tickets::id.nullable())))
        .filter(
            // As the partial indexes `outbox_failed` and `outbox_due` say it.
            outbox::failed_at.is_not_null().or(outbox::sent_at
                .is_null()
                .and(outbox::failed_at.is_null())
                .and(outbox::created_at.le(stuck_since))),
        )
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .limit(limit)
        .select(line_columns!())
        .load(conn)
        .await?;
    with_refusals(conn, rows).await
}

/// How many mails have failed in all (the admin page's "retry all").
pub async fn failed_count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    outbox::table
        .filter(outbox::failed_at.is_not_null())
        .count()
        .get_result(conn)
        .await
}

/// Where the acknowledgement of ticket `ticket_id` stands (its latest acknowledgement
/// mail), in one statement (the track page sends it in one round trip with its other
/// reads).
pub async fn ack_state(conn: &mut &AsyncPgConnection, ticket_id: i64) -> QueryResult<AckState> {
    let refused = diesel::dsl::exists(
        outbox_refusals::table.filter(outbox_refusals::outbox_id.eq(outbox::id)),
    );
    let latest: Option<(Row, bool)> = outbox::table
        .left_join(tickets::table.on(outbox::ticket_id.eq(tickets::id.nullable())))
        .filter(outbox::ticket_id.eq(ticket_id))
        .filter(outbox::kind.eq(KIND_ACK))
        // In the order of the index on (ticket_id, created_at): ordered by id alone,
        // Postgres may walk the whole outbox backwards by its key looking for this
        // ticket's row (0.6–0.8 s a page with stale statistics and 1.8 million mails).
        .order((outbox::created_at.desc(), outbox::id.desc()))
        .select((line_columns!(), refused))
        .first(conn)
        .await
        .optional()?;
    Ok(match latest {
        None => AckState::None,
        Some((row, refused)) => AckState::of(Some(&line(row, &[]).state), refused),
    })
}

/// Sends ticket `ticket_id`'s mail to `old` again, to `new` instead: every mail to `old`
/// not sent yet or refused by it for good. Each keeps its row (and so its Message-ID),
/// `old` replaced by `new` in its recipients, its refusal of `old` forgotten, due now
/// with its attempts reset; those who have it already are still left out. Call inside
/// the transaction that corrects the address; returns the ids of the mails re-addressed.
pub async fn readdress(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    old: &str,
    new: &str,
) -> QueryResult<Vec<i64>> {
    let refused_old = outbox_refusals::table
        .filter(outbox_refusals::address.eq(old))
        .select(outbox_refusals::outbox_id);
    let addressed_to_old = outbox::to_addrs
        .contains(vec![old.to_string()])
        .or(outbox::cc_addrs.contains(vec![old.to_string()]));
    let ids: Vec<i64> = outbox::table
        .filter(outbox::ticket_id.eq(ticket_id))
        .filter(addressed_to_old)
        .filter(outbox::sent_at.is_null().or(outbox::id.eq_any(refused_old)))
        .select(outbox::id)
        .for_update()
        .load(conn)
        .await?;
    if ids.is_empty() {
        return Ok(ids);
    }
    diesel::sql_query(
        "UPDATE outbox SET \
           to_addrs = array_replace(to_addrs, $2, $3), \
           cc_addrs = array_replace(cc_addrs, $2, $3), \
           sent_at = NULL, failed_at = NULL, attempts = 0, last_error = NULL, \
           next_attempt_at = now() \
         WHERE id = ANY($1)",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(&ids)
    .bind::<diesel::sql_types::Text, _>(old)
    .bind::<diesel::sql_types::Text, _>(new)
    .execute(conn)
    .await?;
    diesel::delete(
        outbox_refusals::table
            .filter(outbox_refusals::outbox_id.eq_any(&ids))
            .filter(outbox_refusals::address.eq(old)),
    )
    .execute(conn)
    .await?;
    Ok(ids)
}
