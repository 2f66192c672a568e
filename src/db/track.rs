//! What the citizen's side reads: the track page (by private link), the lookup by code,
//! the codes filed with one email, the reply's files. Never a citizen's own files, never
//! an event that is not public.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{attachments, ratings, replies, ticket_events, tickets};
use crate::domain::feedback::FeedbackKind;
use crate::domain::status::Status;
use crate::domain::workflow::ActorKind;

/// The ticket as the track page shows it (no personal data but whether an email exists).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct TrackRow {
    pub id: i64,
    pub code: String,
    pub status: Status,
    pub title: String,
    pub kind: FeedbackKind,
    pub field_code: String,
    pub unit_id: i32,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub needs_info_due: Option<NaiveDate>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub email: Option<String>,
}

pub async fn by_access_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> QueryResult<Option<TrackRow>> {
    tickets::table
        .filter(tickets::access_token.eq(token))
        .select(TrackRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// One public entry of the timeline.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ticket_events)]
pub struct PublicEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i32>,
    pub event: String,
    pub body: Option<String>,
    pub data: serde_json::Value,
}

/// Event codes never shown to the citizen, whatever their `public` flag says.
pub const NEVER_PUBLIC: &[&str] = &["internal_note", "assign", "confidential"];

/// The public timeline of a ticket, oldest first.
pub async fn public_events(
    conn: &mut &AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Vec<PublicEvent>> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(ticket_id))
        .filter(ticket_events::public.eq(true))
        .filter(ticket_events::event.ne_all(NEVER_PUBLIC))
        .order(ticket_events::id)
        .select(PublicEvent::as_select())
        .load(conn)
        .await
}

/// An official reply that was approved (and so sent).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = replies)]
pub struct ApprovedReply {
    pub id: i64,
    pub body: String,
    pub number_symbol: Option<String>,
    pub reply_date: Option<NaiveDate>,
    pub signer: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The approved replies of a ticket, oldest first, each with the citizen's rating of it
/// once given (the last one is the answer a rating judges now).
pub async fn approved_replies(
    conn: &mut &AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Vec<(ApprovedReply, Option<String>)>> {
    replies::table
        .left_join(ratings::table)
        .filter(replies::ticket_id.eq(ticket_id))
        .filter(replies::state.eq("approved"))
        .order(replies::id)
        .select((ApprovedReply::as_select(), ratings::rating.nullable()))
        .load(conn)
        .await
}

/// A file of an approved reply (metadata only).
#[derive(Debug, Clone, Queryable)]
pub struct ReplyFile {
    pub id: i64,
    pub reply_id: i64,
    pub filename: String,
    pub size_bytes: i32,
}

/// The files of the ticket's approved replies: origin 'reply' only.
pub async fn reply_files(
    conn: &mut &AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Vec<ReplyFile>> {
    attachments::table
        .inner_join(replies::table.on(replies::id.nullable().eq(attachments::reply_id)))
        .filter(attachments::ticket_id.eq(ticket_id))
        .filter(attachments::origin.eq("reply"))
        .filter(replies::ticket_id.eq(ticket_id))
        .filter(replies::state.eq("approved"))
        .order(attachments::id)
        .select((
            attachments::id,
            replies::id,
            attachments::filename,
            attachments::size_bytes,
        ))
        .load(conn)
        .await
}

/// One file of an approved reply of the ticket with this private link: (name, type,
/// bytes). `None` for anything else: the citizen's own files, a draft's files, another
/// ticket's files, a revoked link.
pub async fn reply_file_data(
    conn: &mut AsyncPgConnection,
    access_token: &str,
    file_id: i64,
) -> QueryResult<Option<(String, String, Vec<u8>)>> {
    attachments::table
        .inner_join(tickets::table.on(tickets::id.eq(attachments::ticket_id)))
        .inner_join(replies::table.on(replies::id.nullable().eq(attachments::reply_id)))
        .filter(tickets::access_token.eq(access_token))
        .filter(attachments::id.eq(file_id))
        .filter(attachments::origin.eq("reply"))
        .filter(replies::ticket_id.eq(tickets::id))
        .filter(replies::state.eq("approved"))
        .select((
            attachments::filename,
            attachments::content_type,
            attachments::data,
        ))
        .first(conn)
        .await
        .optional()
}

/// What a lookup by code compares: the contact given at filing and the private link.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct LookupRow {
    pub phone: String,
    pub email: Option<String>,
    pub access_token: String,
}

pub async fn lookup_by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<LookupRow>> {
    tickets::table
        .filter(tickets::code.eq(code))
        .select(LookupRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// A PAKN filed with an email, for the "forgotten code" mail.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct FiledWithEmail {
    pub code: String,
    pub access_token: String,
    pub received_at: DateTime<Utc>,
}

/// The newest `limit` PAKN filed with this (normalised, lower-case) email.
pub async fn filed_with_email(
    conn: &mut AsyncPgConnection,
    email: &str,
    limit: i64,
) -> QueryResult<Vec<FiledWithEmail>> {
    tickets::table
        .filter(tickets::email.eq(email))
        .order((tickets::received_at.desc(), tickets::id.desc()))
        .limit(limit)
        .select(FiledWithEmail::as_select())
        .load(conn)
        .await
}

/// What renewing a private link needs of its ticket, locked until the transaction ends.
#[derive(Debug, Clone, Queryable)]
pub struct LinkOwner {
    pub id: i64,
    pub code: String,
    pub email: Option<String>,
    pub lang: String,
}

/// The ticket whose private link is `token`, locked (none once anonymised: it has no
/// link then).
pub async fn lock_by_access_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> QueryResult<Option<LinkOwner>> {
    tickets::table
        .filter(tickets::access_token.eq(token))
        .filter(tickets::anonymized_at.is_null())
        .select((tickets::id, tickets::code, tickets::email, tickets::lang))
        .for_update()
        .load(conn)
        .await
        .map(|mut rows| rows.pop())
}

/// Ticket `id`, locked, for a staff revocation of its link.
pub async fn lock_link_owner(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<LinkOwner>> {
    tickets::table
        .filter(tickets::id.eq(id))
        .filter(tickets::anonymized_at.is_null())
        .select((tickets::id, tickets::code, tickets::email, tickets::lang))
        .for_update()
        .load(conn)
        .await
        .map(|mut rows| rows.pop())
}

/// Replaces ticket `id`'s private link: the old one stops working at commit.
pub async fn set_access_token(
    conn: &mut AsyncPgConnection,
    id: i64,
    token: &str,
) -> QueryResult<()> {
    diesel::update(tickets::table.filter(tickets::id.eq(id)))
        .set(tickets::access_token.eq(token))
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces ticket `id`'s email (a staff correction of a mistyped address).
pub async fn set_email(conn: &mut AsyncPgConnection, id: i64, email: &str) -> QueryResult<()> {
    diesel::update(tickets::table.filter(tickets::id.eq(id)))
        .set(tickets::email.eq(email))
        .execute(conn)
        .await?;
    Ok(())
}
