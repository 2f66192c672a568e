//! Reading `personal_data_views`, the log of who was shown whose personal data (a PAKN
//! page, a search listing senders, an export, a mail, the log itself), newest first,
//! filtered by staff member, PAKN, purpose and time.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{personal_data_views as v, tickets, users};

/// What to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    pub user_id: Option<i32>,
    /// The PAKN's code as stored (upper case, no separators).
    pub code: Option<String>,
    pub purpose: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
    /// Only entries older than this id (the next page).
    pub before: Option<i64>,
}

/// One entry, with who looked and whose data it was.
#[derive(Debug, Clone, Queryable)]
pub struct LogRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub purpose: String,
    pub user_name: String,
    pub user_email: String,
    pub ticket_id: i64,
    pub code: String,
    /// The sender: a person's name, or none (an organisation, or anonymised).
    pub full_name: Option<String>,
    pub organization: Option<String>,
}

/// Up to `limit` entries matching `filter`, newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &LogFilter,
    limit: i64,
) -> QueryResult<Vec<LogRow>> {
    let mut q = v::table
        .inner_join(users::table.on(users::id.eq(v::user_id)))
        .inner_join(tickets::table.on(tickets::id.eq(v::ticket_id)))
        .select((
            v::id,
            v::at,
            v::purpose,
            users::name,
            users::email,
            tickets::id,
            tickets::code,
            tickets::full_name,
            tickets::organization,
        ))
        .order(v::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(user) = filter.user_id {
        q = q.filter(v::user_id.eq(user));
    }
    if let Some(code) = &filter.code {
        q = q.filter(tickets::code.eq(code.clone()));
    }
    if let Some(purpose) = &filter.purpose {
        q = q.filter(v::purpose.eq(purpose.clone()));
    }
    if let Some(from) = filter.from {
        q = q.filter(v::at.ge(from));
    }
    if let Some(until) = filter.until {
        q = q.filter(v::at.lt(until));
    }
    if let Some(before) = filter.before {
        q = q.filter(v::id.lt(before));
    }
    q.load(conn).await
}

/// Every staff account that has an entry, by name: (id, name, email).
pub async fn viewers(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(i32, String, String)>> {
    users::table
        .filter(diesel::dsl::exists(
            v::table.filter(v::user_id.eq(users::id)),
        ))
        .order((users::name, users::id))
        .select((users::id, users::name, users::email))
        .load(conn)
        .await
}
