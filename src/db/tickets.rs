//! Ticket rows: inserting a filing and reading what the public pages need.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{attachments, ticket_events, tickets, upload_stash};

/// Everything stored in the `tickets` row of a new PAKN.
#[derive(Debug, Insertable)]
#[diesel(table_name = tickets)]
pub struct NewTicket<'a> {
    pub public_id: &'a str,
    pub code: &'a str,
    pub access_token: &'a str,
    pub idempotency_key: Option<&'a str>,
    pub content_hash: Option<&'a [u8]>,
    pub status: &'a str,
    pub channel: &'a str,
    pub external_ref: Option<&'a str>,
    pub external_ref_date: Option<NaiveDate>,
    pub entered_by: Option<i32>,
    pub submitter_kind: &'a str,
    pub full_name: Option<&'a str>,
    pub organization: Option<&'a str>,
    pub representative: Option<&'a str>,
    pub address: &'a str,
    pub commune: Option<&'a str>,
    pub phone: &'a str,
    pub email: Option<&'a str>,
    pub kind: &'a str,
    pub content_category: &'a str,
    pub field_code: &'a str,
    pub procedure_name: Option<&'a str>,
    pub dossier_code: Option<&'a str>,
    pub subject_agency: Option<&'a str>,
    pub title: &'a str,
    pub content: &'a str,
    pub proposal: Option<&'a str>,
    pub lang: &'a str,
    pub consent_at: DateTime<Utc>,
    pub privacy_notice_version: &'a str,
    pub publish_consent: bool,
    pub publish_consent_at: Option<DateTime<Utc>>,
    pub unit_id: i32,
    pub routing_rule_id: Option<i32>,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub suspected_spam: bool,
    pub spam_reasons: &'a [String],
    pub search_text: &'a str,
    pub retention_until: NaiveDate,
}

/// Inserts the ticket unless its idempotency key is already taken; `None` then.
pub async fn insert_unless_duplicate(
    conn: &mut AsyncPgConnection,
    ticket: &NewTicket<'_>,
) -> QueryResult<Option<i64>> {
    let insert = diesel::insert_into(tickets::table).values(ticket);
    if ticket.idempotency_key.is_some() {
        insert
            .on_conflict(tickets::idempotency_key)
            .do_nothing()
            .returning(tickets::id)
            .get_result(conn)
            .await
            .optional()
    } else {
        insert
            .returning(tickets::id)
            .get_result(conn)
            .await
            .map(Some)
    }
}

/// The ticket already filed with a form token: its private link token and content hash.
pub async fn by_idempotency_key(
    conn: &mut AsyncPgConnection,
    key: &str,
) -> QueryResult<Option<(String, Option<Vec<u8>>)>> {
    tickets::table
        .filter(tickets::idempotency_key.eq(key))
        .select((tickets::access_token, tickets::content_hash))
        .first(conn)
        .await
        .optional()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachment<'a> {
    pub ticket_id: i64,
    pub event_id: Option<i64>,
    pub origin: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i32,
    pub sha256: &'a [u8],
    pub data: &'a [u8],
}

pub async fn insert_attachments(
    conn: &mut AsyncPgConnection,
    rows: &[NewAttachment<'_>],
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(attachments::table)
        .values(rows)
        .execute(conn)
        .await
}

#[derive(Debug, Insertable)]
#[diesel(table_name = ticket_events)]
pub struct NewEvent<'a> {
    pub ticket_id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: &'a str,
    pub actor_id: Option<i32>,
    pub event: &'a str,
    pub from_status: Option<&'a str>,
    pub to_status: Option<&'a str>,
    pub public: bool,
    pub body: Option<&'a str>,
    pub data: serde_json::Value,
}

pub async fn insert_events(
    conn: &mut AsyncPgConnection,
    rows: &[NewEvent<'_>],
) -> QueryResult<usize> {
    diesel::insert_into(ticket_events::table)
        .values(rows)
        .execute(conn)
        .await
}

/// What the citizen's private page shows.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct ReceiptRow {
    pub id: i64,
    pub code: String,
    pub status: String,
    pub title: String,
    pub kind: String,
    pub field_code: String,
    pub unit_id: i32,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub channel: String,
    pub email: Option<String>,
    pub lang: String,
}

pub async fn receipt_by_access_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> QueryResult<Option<ReceiptRow>> {
    tickets::table
        .filter(tickets::access_token.eq(token))
        .select(ReceiptRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A file kept from a form that came back with errors.
#[derive(Debug, Clone, Queryable)]
pub struct StashedFile {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i32,
    pub sha256: Vec<u8>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = upload_stash)]
pub struct NewStashedFile<'a> {
    pub form_key: &'a str,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size_bytes: i32,
    pub sha256: &'a [u8],
    pub data: &'a [u8],
}

pub async fn stash_files(
    conn: &mut AsyncPgConnection,
    rows: &[NewStashedFile<'_>],
) -> QueryResult<usize> {
    if rows.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(upload_stash::table)
        .values(rows)
        .execute(conn)
        .await
}

pub async fn stashed_files(
    conn: &mut AsyncPgConnection,
    form_key: &str,
) -> QueryResult<Vec<StashedFile>> {
    upload_stash::table
        .filter(upload_stash::form_key.eq(form_key))
        .order(upload_stash::id)
        .select((
            upload_stash::id,
            upload_stash::filename,
            upload_stash::content_type,
            upload_stash::size_bytes,
            upload_stash::sha256,
        ))
        .load(conn)
        .await
}

/// Moves the kept files chosen by the citizen onto the ticket and forgets the rest.
pub async fn claim_stashed_files(
    conn: &mut AsyncPgConnection,
    form_key: &str,
    keep_ids: &[i64],
    ticket_id: i64,
) -> QueryResult<usize> {
    let moved = if keep_ids.is_empty() {
        0
    } else {
        diesel::sql_query(
            "INSERT INTO attachments (ticket_id, origin, filename, content_type, size_bytes, sha256, data)
             SELECT $1, 'citizen', filename, content_type, size_bytes, sha256, data
             FROM upload_stash WHERE form_key = $2 AND id = ANY($3) ORDER BY id",
        )
        .bind::<diesel::sql_types::BigInt, _>(ticket_id)
        .bind::<diesel::sql_types::Text, _>(form_key)
        .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(keep_ids)
        .execute(conn)
        .await?
    };
    diesel::delete(upload_stash::table.filter(upload_stash::form_key.eq(form_key)))
        .execute(conn)
        .await?;
    Ok(moved)
}

/// Forgets kept files older than a day.
pub async fn sweep_stash(conn: &mut AsyncPgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM upload_stash WHERE created_at < now() - interval '1 day'")
        .execute(conn)
        .await
}
