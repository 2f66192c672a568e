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

/// The emails of the active admins, who handle data-subject requests.
pub async fn admin_emails(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    users::table
        .filter(users::active.eq(true))
        .filter(users::roles.contains(vec![Role::Admin.as_str().to_string()]))
        .order(users::id)
        .select(users::email)
        .load(conn)
        .await
}
