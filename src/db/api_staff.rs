//! What staff-scoped API clients read (`/api/v1/staff/pakn`): PAKN newest first, in the
//! acting account's reach (one unit, or every unit), optionally of one status, a page at
//! a time by keyset on (received_at, id), so a page costs the same wherever it starts.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::domain::feedback::{Channel, FeedbackKind};
use crate::domain::status::Status;

/// One PAKN as a staff client reads it, the sender's details included.
#[derive(Debug, Clone, QueryableByName)]
pub struct StaffRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub code: String,
    #[diesel(sql_type = Text)]
    pub status: Status,
    #[diesel(sql_type = Text)]
    pub kind: FeedbackKind,
    #[diesel(sql_type = Text)]
    pub channel: Channel,
    #[diesel(sql_type = Text)]
    pub field_code: String,
    #[diesel(sql_type = Text)]
    pub content_category: String,
    #[diesel(sql_type = Integer)]
    pub unit_id: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub assignee_id: Option<i32>,
    #[diesel(sql_type = Timestamptz)]
    pub received_at: DateTime<Utc>,
    #[diesel(sql_type = Date)]
    pub accept_due: NaiveDate,
    #[diesel(sql_type = Date)]
    pub reply_due: NaiveDate,
    #[diesel(sql_type = Bool)]
    pub confidential: bool,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub content: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub proposal: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub full_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub organization: Option<String>,
    #[diesel(sql_type = Text)]
    pub address: String,
    #[diesel(sql_type = Text)]
    pub phone: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub email: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub external_ref: Option<String>,
}

const COLUMNS: &str = "id, code, status, kind, channel, field_code, content_category, unit_id,
    assignee_id, received_at, accept_due, reply_due, confidential, title, content, proposal,
    full_name, organization, address, phone, email, external_ref";

/// Where a page starts: after this PAKN (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub received_at: DateTime<Utc>,
    pub id: i64,
}

/// Up to `limit` PAKN of `unit` (None: every unit), of `status` if given, after `after`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    unit: Option<i32>,
    status: Option<Status>,
    after: Option<After>,
    limit: i64,
) -> diesel::QueryResult<Vec<StaffRow>> {
    let mut sql = format!("SELECT {COLUMNS} FROM tickets WHERE true");
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if unit.is_some() {
        sql += &format!(" AND unit_id = ${}", next());
    }
    if status.is_some() {
        sql += &format!(" AND status = ${}", next());
    }
    if after.is_some() {
        sql += &format!(" AND (received_at, id) < (${}, ${})", next(), next());
    }
    sql += &format!(" ORDER BY received_at DESC, id DESC LIMIT ${}", next());
    let mut query = diesel::sql_query(sql).into_boxed();
    if let Some(unit) = unit {
        query = query.bind::<Integer, _>(unit);
    }
    if let Some(status) = status {
        query = query.bind::<Text, _>(status.as_str());
    }
    if let Some(after) = after {
        query = query
            .bind::<Timestamptz, _>(after.received_at)
            .bind::<BigInt, _>(after.id);
    }
    query.bind::<BigInt, _>(limit).load(conn).await
}

/// The PAKN of tracking code `code`.
pub async fn by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> diesel::QueryResult<Option<StaffRow>> {
    use diesel::OptionalExtension;
    diesel::sql_query(format!("SELECT {COLUMNS} FROM tickets WHERE code = $1"))
        .bind::<Text, _>(code)
        .get_result(conn)
        .await
        .optional()
}
