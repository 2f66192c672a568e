//! Anonymisation of ended PAKN: which are due (ended before a cutoff, not yet
//! anonymised) and the removal of their personal data, keeping what statistics and the
//! published public copy need. Used by the retention job and by an erasure request.
//!
//! A PAKN has ended when its status is terminal (rejected, out of scope, transferred,
//! closed: closing, withdrawal and closing as a duplicate all end in `closed`); its end
//! is `closed_at`, which every ending move sets (and a reopening clears), or, for rows
//! that lack it, the time of the last event that moved it into its status, else its
//! last update (never earlier than the end, so never anonymised early).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::status::Status;

/// The statuses in which a PAKN has ended.
pub const ENDED: [Status; 4] = [
    Status::Rejected,
    Status::OutOfScope,
    Status::Transferred,
    Status::Closed,
];

/// What replaces a name, a title or a content that held personal data.
pub const ANONYMISED: &str = "(đã ẩn danh)";

/// The SQL of a ticket's end, for `t` (see the module's comment).
const END_SQL: &str = "coalesce(t.closed_at, (SELECT max(e.at) FROM ticket_events e \
     WHERE e.ticket_id = t.id AND e.to_status = t.status), t.updated_at)";

/// The condition of a ticket `t` due at the cutoff `$1`: not anonymised, ended (the
/// statuses of [`ENDED`] written out, as in the partial index
/// `tickets_ended_not_anonymized`), and its end at or before the cutoff (`closed_at`
/// through the index; for rows without it, the last status event, else the last
/// update).
const DUE_SQL: &str = "t.anonymized_at IS NULL \
     AND t.status IN ('rejected', 'out_of_scope', 'transferred', 'closed') \
     AND (t.closed_at <= $1 OR (t.closed_at IS NULL AND coalesce((SELECT max(e.at) \
       FROM ticket_events e WHERE e.ticket_id = t.id AND e.to_status = t.status), \
       t.updated_at) <= $1))";

/// A PAKN due for anonymisation: no personal data, only what an operator may see.
#[derive(Debug, Clone, QueryableByName)]
pub struct Due {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Timestamptz)]
    pub ended_at: DateTime<Utc>,
}

/// Every PAKN ended at or before `cutoff` and not yet anonymised, oldest end first.
pub async fn due(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<Vec<Due>> {
    let sql = format!(
        "SELECT t.id, t.code, {END_SQL} AS ended_at FROM tickets t WHERE {DUE_SQL} \
         ORDER BY ended_at, t.id"
    );
    diesel::sql_query(sql)
        .bind::<Timestamptz, _>(cutoff)
        .load(conn)
        .await
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Locks up to `limit` PAKN due at `cutoff` (skipping those another transaction holds),
/// for the caller's transaction to anonymise.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let sql = format!("SELECT t.id FROM tickets t WHERE {DUE_SQL} LIMIT $2 FOR UPDATE SKIP LOCKED");
    let rows: Vec<Id> = diesel::sql_query(sql)
        .bind::<Timestamptz, _>(cutoff)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// What an anonymisation removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    pub tickets: usize,
    pub files: usize,
    pub mails: usize,
}

/// Removes the personal data of tickets `ids` (call it in a transaction that holds
/// their locks). Kept: status, unit, lĩnh vực, category, kind, channel, dates and
/// deadlines, ratings (without their comment), the timeline's moves, the official
/// reply's number, date and signer, and the public copy. Removed: the sender's name,
/// organisation, representative, address, commune, phone, email and dossier code; the
/// title, content and proposal (replaced by the published public copy's title and
/// question when there is one, else by [`ANONYMISED`]); the reply's text (replaced by
/// the published answer, or [`ANONYMISED`]); every text of the timeline and the data
/// of the citizen's messages; every file (rows and bytes); the mail about them; the
/// private link (replaced by a random token nobody holds). Marks them anonymised.
pub async fn anonymise(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
    now: DateTime<Utc>,
) -> QueryResult<Removed> {
    if ids.is_empty() {
        return Ok(Removed::default());
    }
    let ids = ids.to_vec();
    let run = |sql: &'static str| diesel::sql_query(sql).bind::<Array<BigInt>, _>(ids.clone());
    run("DELETE FROM outbox_refusals WHERE outbox_id IN \
         (SELECT id FROM outbox WHERE ticket_id = ANY($1))")
    .execute(conn)
    .await?;
    let mails = run("DELETE FROM outbox WHERE ticket_id = ANY($1)")
        .execute(conn)
        .await?;
    let files = run("DELETE FROM attachments WHERE ticket_id = ANY($1)")
        .execute(conn)
        .await?;
    run("UPDATE ticket_events SET body = NULL, \
           data = CASE WHEN actor_kind = 'citizen' THEN '{}'::jsonb ELSE data END \
         WHERE ticket_id = ANY($1)")
    .execute(conn)
    .await?;
    run("UPDATE ratings SET comment = NULL WHERE ticket_id = ANY($1)")
        .execute(conn)
        .await?;
    diesel::sql_query(
        "UPDATE replies r SET body = coalesce((SELECT pa.answer FROM public_answers pa \
           WHERE pa.ticket_id = r.ticket_id AND pa.published_at IS NOT NULL \
             AND pa.unpublished_at IS NULL), $2), return_reason = NULL \
         WHERE r.ticket_id = ANY($1)",
    )
    .bind::<Array<BigInt>, _>(ids.clone())
    .bind::<Text, _>(ANONYMISED)
    .execute(conn)
    .await?;
    let tickets = diesel::sql_query(
        "UPDATE tickets t SET \
           full_name = CASE WHEN t.full_name IS NULL THEN NULL ELSE $2 END, \
           organization = CASE WHEN t.organization IS NULL THEN NULL ELSE $2 END, \
           representative = CASE WHEN t.representative IS NULL THEN NULL ELSE $2 END, \
           address = '', commune = NULL, phone = '', email = NULL, dossier_code = NULL, \
           title = coalesce(pa.title, $2), content = coalesce(pa.question, $2), \
           proposal = NULL, search_text = '', idempotency_key = NULL, content_hash = NULL, \
           access_token = 'anon' || replace(gen_random_uuid()::text, '-', ''), \
           anonymized_at = $3, updated_at = $3 \
         FROM tickets t0 LEFT JOIN public_answers pa ON pa.ticket_id = t0.id \
           AND pa.published_at IS NOT NULL AND pa.unpublished_at IS NULL \
         WHERE t.id = t0.id AND t.id = ANY($1)",
    )
    .bind::<Array<BigInt>, _>(ids)
    .bind::<Text, _>(ANONYMISED)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await?;
    Ok(Removed {
        tickets,
        files,
        mails,
    })
}

/// Records a run of the retention job in `audit_log` (no user: the system did it),
/// with the codes it anonymised.
pub async fn audit_run(
    conn: &mut AsyncPgConnection,
    codes: &[String],
    cutoff: DateTime<Utc>,
) -> QueryResult<()> {
    use super::schema::audit_log;
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::user_id.eq(None::<i32>),
            audit_log::entity.eq("retention"),
            audit_log::entity_id.eq(cutoff.to_rfc3339()),
            audit_log::action.eq("anonymise"),
            audit_log::before.eq(None::<serde_json::Value>),
            audit_log::after.eq(Some(serde_json::json!({ "codes": codes }))),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The codes of tickets `ids`.
pub async fn codes_of(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<String>> {
    use super::schema::tickets;
    tickets::table
        .filter(tickets::id.eq_any(ids))
        .order(tickets::id)
        .select(tickets::code)
        .load(conn)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_names_the_ended_statuses_and_only_those() {
        let listed: Vec<String> = ENDED.iter().map(|s| format!("'{}'", s.as_str())).collect();
        assert!(DUE_SQL.contains(&format!("t.status IN ({})", listed.join(", "))));
        for s in Status::ALL {
            assert_eq!(ENDED.contains(s), s.is_terminal(), "{s:?}");
        }
    }
}
