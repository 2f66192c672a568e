//! The rows the handling of a PAKN reads and writes: the ticket locked for a change, the
//! change itself, timeline events, official replies and their files, and the leases of
//! the periodic jobs. Every function runs inside the caller's transaction.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{attachments, job_leases, replies, ticket_events, tickets, users};
use crate::domain::access::{Access, Role};
use crate::domain::feedback::{Channel, FeedbackKind};
use crate::domain::status::Status;
use crate::domain::workflow::{Actor, ActorKind, ReplyState, Urgency};

/// The columns a change needs, read under `FOR UPDATE`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct LockedTicket {
    pub id: i64,
    pub public_id: String,
    pub code: String,
    pub access_token: String,
    pub status: Status,
    pub status_before_info: Option<Status>,
    pub unit_id: i32,
    pub field_code: String,
    pub kind: FeedbackKind,
    pub content_category: String,
    pub channel: Channel,
    pub urgency: Option<Urgency>,
    pub received_at: DateTime<Utc>,
    pub reply_due: NaiveDate,
    pub needs_info_due: Option<NaiveDate>,
    pub paused_days: i32,
    pub assignee_id: Option<i32>,
    pub email: Option<String>,
    pub lang: String,
    pub answered_at: Option<DateTime<Utc>>,
    pub confidential: bool,
    pub duplicate_of: Option<i64>,
}

pub async fn lock(conn: &mut AsyncPgConnection, ticket_id: i64) -> QueryResult<LockedTicket> {
    tickets::table
        .find(ticket_id)
        .select(LockedTicket::as_select())
        .for_update()
        .first(conn)
        .await
}

/// A ticket's id by its canonical code.
pub async fn id_by_code(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<i64>> {
    tickets::table
        .filter(tickets::code.eq(code))
        .select(tickets::id)
        .first(conn)
        .await
        .optional()
}

/// The columns a change sets; `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = tickets)]
pub struct TicketChange {
    pub status: Option<Status>,
    pub status_before_info: Option<Option<Status>>,
    pub field_code: Option<String>,
    pub kind: Option<FeedbackKind>,
    pub procedure_name: Option<Option<String>>,
    pub urgency: Option<Option<Urgency>>,
    pub unit_id: Option<i32>,
    pub assignee_id: Option<Option<i32>>,
    pub reply_due: Option<NaiveDate>,
    pub needs_info_due: Option<Option<NaiveDate>>,
    pub paused_days: Option<i32>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub answered_at: Option<DateTime<Utc>>,
    pub closed_at: Option<Option<DateTime<Utc>>>,
    pub last_public_note_at: Option<DateTime<Utc>>,
    pub duplicate_of: Option<Option<i64>>,
    pub confidential: Option<bool>,
    pub updated_at: Option<DateTime<Utc>>,
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    change: &TicketChange,
) -> QueryResult<usize> {
    diesel::update(tickets::table.find(ticket_id))
        .set(change)
        .execute(conn)
        .await
}

/// One timeline entry to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = ticket_events)]
pub struct EventInsert {
    pub ticket_id: i64,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<i32>,
    pub event: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub public: bool,
    pub body: Option<String>,
    pub data: serde_json::Value,
}

pub async fn insert_event(conn: &mut AsyncPgConnection, event: &EventInsert) -> QueryResult<i64> {
    crate::db::durable::one(
        diesel::insert_into(ticket_events::table)
            .values(event)
            .returning(ticket_events::id),
        conn,
    )
    .await
}

/// When the latest event of a kind happened (e.g. the last request for information).
pub async fn last_event_at(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    event: &str,
) -> QueryResult<Option<DateTime<Utc>>> {
    ticket_events::table
        .filter(ticket_events::ticket_id.eq(ticket_id))
        .filter(ticket_events::event.eq(event))
        .order(ticket_events::id.desc())
        .select(ticket_events::at)
        .first(conn)
        .await
        .optional()
}

/// A file to store with an event or a reply.
#[derive(Debug, Clone)]
pub struct FileInsert<'a> {
    pub filename: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a [u8],
    pub data: &'a [u8],
}

/// Stores files of one origin (`citizen`, `staff`, `reply`); returns their ids.
pub async fn insert_files(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    origin: &str,
    event_id: Option<i64>,
    reply_id: Option<i64>,
    files: &[FileInsert<'_>],
) -> QueryResult<Vec<i64>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<_> = files
        .iter()
        .map(|f| {
            (
                attachments::ticket_id.eq(ticket_id),
                attachments::event_id.eq(event_id),
                attachments::reply_id.eq(reply_id),
                attachments::origin.eq(origin),
                attachments::filename.eq(f.filename),
                attachments::content_type.eq(f.content_type),
                attachments::size_bytes.eq(i32::try_from(f.data.len()).unwrap_or(i32::MAX)),
                attachments::sha256.eq(f.sha256),
                attachments::data.eq(f.data),
            )
        })
        .collect();
    diesel::insert_into(attachments::table)
        .values(rows)
        .returning(attachments::id)
        .get_results(conn)
        .await
}

/// An official reply, drafted or decided.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = replies)]
pub struct ReplyRow {
    pub id: i64,
    pub ticket_id: i64,
    pub state: ReplyState,
    pub body: String,
    pub number_symbol: Option<String>,
    pub reply_date: Option<NaiveDate>,
    pub signer: Option<String>,
    pub drafted_by: Option<i32>,
    pub decided_by: Option<i32>,
    pub return_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

pub async fn insert_reply(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    body: &str,
    drafted_by: i32,
) -> QueryResult<i64> {
    crate::db::durable::one(
        diesel::insert_into(replies::table)
            .values((
                replies::ticket_id.eq(ticket_id),
                replies::state.eq("pending"),
                replies::body.eq(body),
                replies::drafted_by.eq(drafted_by),
            ))
            .returning(replies::id),
        conn,
    )
    .await
}

/// The reply waiting for a leader, if any.
pub async fn pending_reply(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Option<ReplyRow>> {
    replies::table
        .filter(replies::ticket_id.eq(ticket_id))
        .filter(replies::state.eq("pending"))
        .order(replies::id.desc())
        .select(ReplyRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Every reply of a ticket, oldest first.
pub async fn replies_of(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Vec<ReplyRow>> {
    replies::table
        .filter(replies::ticket_id.eq(ticket_id))
        .order(replies::id)
        .select(ReplyRow::as_select())
        .load(conn)
        .await
}

pub async fn return_reply(
    conn: &mut AsyncPgConnection,
    reply_id: i64,
    leader: i32,
    reason: &str,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(replies::table.find(reply_id))
        .set((
            replies::state.eq("returned"),
            replies::decided_by.eq(leader),
            replies::return_reason.eq(reason),
            replies::decided_at.eq(at),
        ))
        .execute(conn)
        .await
}

pub async fn approve_reply(
    conn: &mut AsyncPgConnection,
    reply_id: i64,
    leader: i32,
    document: (&str, NaiveDate, &str),
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    let (number_symbol, date, signer) = document;
    diesel::update(replies::table.find(reply_id))
        .set((
            replies::state.eq("approved"),
            replies::decided_by.eq(leader),
            replies::number_symbol.eq(number_symbol),
            replies::reply_date.eq(date),
            replies::signer.eq(signer),
            replies::decided_at.eq(at),
        ))
        .execute(conn)
        .await
}

/// The ids of a reply's files.
pub async fn reply_file_ids(conn: &mut AsyncPgConnection, reply_id: i64) -> QueryResult<Vec<i64>> {
    attachments::table
        .filter(attachments::reply_id.eq(reply_id))
        .order(attachments::id)
        .select(attachments::id)
        .load(conn)
        .await
}

/// A staff member who may be given a ticket of `unit_id`: active, and an officer of
/// that unit or a leader.
pub async fn is_assignable(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    unit_id: i32,
) -> QueryResult<bool> {
    let row: Option<(Vec<String>, Option<i32>)> = users::table
        .filter(users::id.eq(user_id))
        .filter(users::active.eq(true))
        .select((users::roles, users::unit_id))
        .first(conn)
        .await
        .optional()?;
    Ok(row.is_some_and(|(roles, unit)| {
        Access::new(user_id, Role::parse_all(&roles), unit).may_act_on(unit_id)
    }))
}

/// Active staff who may handle a unit's tickets: (id, name), officers of the unit first.
pub async fn assignable_users(
    conn: &mut AsyncPgConnection,
    unit_id: i32,
) -> QueryResult<Vec<(i32, String)>> {
    let rows: Vec<(i32, String, Vec<String>, Option<i32>)> = users::table
        .filter(users::active.eq(true))
        .order(users::name)
        .select((users::id, users::name, users::roles, users::unit_id))
        .load(conn)
        .await?;
    let mut staff: Vec<(Access, String)> = rows
        .into_iter()
        .map(|(id, name, roles, unit)| (Access::new(id, Role::parse_all(&roles), unit), name))
        .filter(|(a, _)| a.may_act_on(unit_id))
        .collect();
    // Officers of the unit first, then leaders; by name within each (stable sort).
    staff.sort_by_key(|(a, _)| !a.actors(unit_id).contains(&Actor::Officer));
    Ok(staff
        .into_iter()
        .map(|(a, name)| (a.user_id, name))
        .collect())
}

/// Emails of active staff: the leaders, or the users with the given ids.
pub async fn leader_emails(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::roles.contains(vec![Role::Leader.as_str().to_string()]))
        .select(users::email)
        .load(conn)
        .await
}

/// Emails of a unit's active officers (when the unit has no address of its own).
pub async fn unit_officer_emails(
    conn: &mut AsyncPgConnection,
    unit_id: i32,
) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::unit_id.eq(unit_id))
        .filter(users::roles.contains(vec![Role::Officer.as_str().to_string()]))
        .select(users::email)
        .load(conn)
        .await
}

#[derive(diesel::QueryableByName)]
struct StaffRecipients {
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    unit_emails: Vec<String>,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Text>)]
    other_emails: Vec<String>,
}

/// Who among the staff is mailed about a PAKN of `unit_id` (the rule of the
/// `pakn_staff_recipients` function, migration 000038): the unit's own accounts, and
/// others; never the accounts `skip`.
pub async fn staff_recipients(
    conn: &mut AsyncPgConnection,
    unit_id: i32,
    skip: &[i32],
) -> QueryResult<(Vec<String>, Vec<String>)> {
    let r: StaffRecipients = diesel::sql_query(
        "SELECT unit_emails, other_emails FROM pakn_staff_recipients($1, '{}', NULL)",
    )
    .bind::<diesel::sql_types::Integer, _>(unit_id)
    .get_result(conn)
    .await?;
    let skipped: Vec<String> = users::table
        .filter(users::id.eq_any(skip))
        .select(users::email)
        .load::<String>(conn)
        .await?
        .into_iter()
        .map(|e| e.to_lowercase())
        .collect();
    let keep = |v: Vec<String>| -> Vec<String> {
        v.into_iter().filter(|e| !skipped.contains(e)).collect()
    };
    Ok((keep(r.unit_emails), keep(r.other_emails)))
}

pub async fn user_email(conn: &mut AsyncPgConnection, id: i32) -> QueryResult<Option<String>> {
    users::table
        .filter(users::id.eq(id))
        .filter(users::active.eq(true))
        .select(users::email)
        .first(conn)
        .await
        .optional()
}

/// Takes the lease of a periodic job for at most `secs` when it is free (or already
/// ours): while one instance runs the job, the others skip their turn. Returns whether
/// this instance holds it now; [`release_lease`] gives it back at the end of the run.
pub async fn take_lease(
    conn: &mut AsyncPgConnection,
    name: &str,
    holder: &str,
    secs: i64,
) -> QueryResult<bool> {
    diesel::insert_into(job_leases::table)
        .values(job_leases::name.eq(name))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let now = Utc::now();
    let until = now + chrono::TimeDelta::seconds(secs);
    let taken = diesel::update(
        job_leases::table.filter(job_leases::name.eq(name)).filter(
            job_leases::leased_until
                .lt(now)
                .or(job_leases::leased_by.eq(holder)),
        ),
    )
    .set((
        job_leases::leased_by.eq(holder),
        job_leases::leased_until.eq(until),
        job_leases::last_run_at.eq(now),
    ))
    .execute(conn)
    .await?;
    Ok(taken == 1)
}

pub async fn release_lease(
    conn: &mut AsyncPgConnection,
    name: &str,
    holder: &str,
) -> QueryResult<usize> {
    diesel::update(
        job_leases::table
            .filter(job_leases::name.eq(name))
            .filter(job_leases::leased_by.eq(holder)),
    )
    .set(job_leases::leased_until.eq(Utc::now()))
    .execute(conn)
    .await
}

/// Tickets in `needs_info` whose answer period ended before `today`, claimed for this
/// transaction (`SKIP LOCKED`: another instance's claims are passed over).
pub async fn claim_expired_info(
    conn: &mut AsyncPgConnection,
    today: NaiveDate,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    tickets::table
        .filter(tickets::status.eq("needs_info"))
        .filter(tickets::needs_info_due.lt(today))
        .order(tickets::id)
        .select(tickets::id)
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
        .await
}

/// Answered tickets whose rating window ended, claimed as [`claim_expired_info`].
pub async fn claim_rating_window_over(
    conn: &mut AsyncPgConnection,
    answered_before: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    tickets::table
        .filter(tickets::status.eq(Status::Answered))
        .filter(tickets::answered_at.lt(answered_before))
        .order(tickets::id)
        .select(tickets::id)
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
        .await
}
