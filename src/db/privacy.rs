//! Data-subject requests sent from the privacy page, and who is told about them.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{privacy_requests, users};
use crate::domain::access::Role;

#[derive(Debug, Insertable)]
#[diesel(table_name = privacy_requests)]
pub struct NewPrivacyRequest<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub contact: &'a str,
    pub body: &'a str,
    pub due_on: NaiveDate,
}

pub async fn insert(
    conn: &mut AsyncPgConnection,
    request: &NewPrivacyRequest<'_>,
) -> QueryResult<i64> {
    crate::db::durable::one(
        diesel::insert_into(privacy_requests::table)
            .values(request)
            .returning(privacy_requests::id),
        conn,
    )
    .await
}

/// The emails of the active admins and data protection officers, who handle
/// data-subject requests.
pub async fn admin_emails(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::roles.overlaps_with(vec![
            Role::Admin.as_str().to_string(),
            Role::Privacy.as_str().to_string(),
        ]))
        .order(users::id)
        .select(users::email)
        .load(conn)
        .await
}

/// A data-subject request as the staff screen shows it.
#[derive(Debug, Clone, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = privacy_requests)]
pub struct RequestRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub contact: String,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub due_on: NaiveDate,
    pub handled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub handled_by: Option<i32>,
    pub assigned_to: Option<i32>,
    pub assigned_at: Option<chrono::DateTime<chrono::Utc>>,
    pub answer: Option<String>,
}

/// The most handled requests listed at once (the open ones are all listed).
pub const HANDLED_SHOWN: i64 = 200;

/// The open requests, the earliest due first; or the handled ones, the latest first.
pub async fn list(conn: &mut AsyncPgConnection, open: bool) -> QueryResult<Vec<RequestRow>> {
    let q = privacy_requests::table.select(RequestRow::as_select());
    if open {
        q.filter(privacy_requests::handled_at.is_null())
            .order((privacy_requests::due_on, privacy_requests::id))
            .load(conn)
            .await
    } else {
        q.filter(privacy_requests::handled_at.is_not_null())
            .order((
                privacy_requests::handled_at.desc(),
                privacy_requests::id.desc(),
            ))
            .limit(HANDLED_SHOWN)
            .load(conn)
            .await
    }
}

pub async fn find(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<RequestRow>> {
    privacy_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The request, locked for the caller's transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<RequestRow>> {
    privacy_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

pub async fn set_assignee(
    conn: &mut AsyncPgConnection,
    id: i64,
    user_id: i32,
    at: chrono::DateTime<chrono::Utc>,
) -> QueryResult<usize> {
    diesel::update(privacy_requests::table.find(id))
        .set((
            privacy_requests::assigned_to.eq(user_id),
            privacy_requests::assigned_at.eq(at),
        ))
        .execute(conn)
        .await
}

pub async fn set_answered(
    conn: &mut AsyncPgConnection,
    id: i64,
    answer: &str,
    by: i32,
    at: chrono::DateTime<chrono::Utc>,
) -> QueryResult<usize> {
    diesel::update(privacy_requests::table.find(id))
        .set((
            privacy_requests::answer.eq(answer),
            privacy_requests::handled_by.eq(by),
            privacy_requests::handled_at.eq(at),
        ))
        .execute(conn)
        .await
}

/// The active accounts that handle data-subject requests (admins and data protection
/// officers), as (id, name), by name.
pub async fn handlers(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(i32, String)>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::roles.overlaps_with(vec![
            Role::Admin.as_str().to_string(),
            Role::Privacy.as_str().to_string(),
        ]))
        .order((users::name, users::id))
        .select((users::id, users::name))
        .load(conn)
        .await
}
