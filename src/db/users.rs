//! Staff accounts: lookups for login and for every staff request, and the admin edits.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::schema::users;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// A user as the dashboard shows it (never the password hash).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub roles: Vec<String>,
    pub unit_id: Option<i32>,
    pub active: bool,
    /// The language of the account's dashboard and mail (`vi` or `en`).
    #[serde(skip)]
    pub lang: String,
    #[serde(skip)]
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub deactivated_at: Option<DateTime<Utc>>,
}

/// What a login attempt needs.
#[derive(Debug, Clone, Queryable)]
pub struct LoginRow {
    pub id: i32,
    pub password_hash: String,
    pub active: bool,
}

/// A new account.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub roles: Vec<String>,
    pub unit_id: Option<i32>,
}

/// Emails are stored lower case and unique regardless of case.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn find_for_login(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<LoginRow>> {
    users::table
        .filter(lower(users::email).eq(normalise_email(email)))
        .select((users::id, users::password_hash, users::active))
        .first(conn)
        .await
        .optional()
}

/// The user behind a session, if still active.
pub async fn find_active(conn: &mut AsyncPgConnection, id: i32) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::id.eq(id))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn find(conn: &mut AsyncPgConnection, id: i32) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn password_hash(conn: &mut AsyncPgConnection, id: i32) -> QueryResult<Option<String>> {
    users::table
        .filter(users::id.eq(id))
        .select(users::password_hash)
        .first(conn)
        .await
        .optional()
}

/// Every account, active first, then by name.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<UserRow>> {
    users::table
        .order((users::active.desc(), users::name.asc(), users::id.asc()))
        .select(UserRow::as_select())
        .load(conn)
        .await
}

pub async fn insert(conn: &mut AsyncPgConnection, user: &NewUser<'_>) -> QueryResult<i32> {
    crate::db::durable::one(
        diesel::insert_into(users::table)
            .values(user)
            .returning(users::id),
        conn,
    )
    .await
}

/// Activates or deactivates an account; returns whether a row changed.
pub async fn set_active(conn: &mut AsyncPgConnection, id: i32, active: bool) -> QueryResult<bool> {
    let deactivated_at: Option<DateTime<Utc>> = (!active).then(Utc::now);
    let n = diesel::update(users::table.filter(users::id.eq(id)))
        .set((
            users::active.eq(active),
            users::deactivated_at.eq(deactivated_at),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

pub async fn set_password(conn: &mut AsyncPgConnection, id: i32, hash: &str) -> QueryResult<bool> {
    let n = diesel::update(users::table.filter(users::id.eq(id)))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// Sets an account's name, roles and unit (an admin's edit); returns whether a row changed.
pub async fn set_profile(
    conn: &mut AsyncPgConnection,
    id: i32,
    name: &str,
    roles: &[String],
    unit_id: Option<i32>,
) -> QueryResult<bool> {
    let n = diesel::update(users::table.filter(users::id.eq(id)))
        .set((
            users::name.eq(name),
            users::roles.eq(roles),
            users::unit_id.eq(unit_id),
        ))
        .execute(conn)
        .await?;
    Ok(n == 1)
}

/// An active account's id, email, name, roles and unit.
type StaffTuple = (i32, String, String, Vec<String>, Option<i32>);

/// Every active staff account with an email, as mail recipients (by id).
pub async fn active_staff(
    conn: &mut AsyncPgConnection,
) -> QueryResult<Vec<crate::domain::recipients::StaffMember>> {
    let rows: Vec<StaffTuple> = users::table
        .filter(users::active.eq(true))
        .filter(users::email.ne(""))
        .order(users::id)
        .select((
            users::id,
            users::email,
            users::name,
            users::roles,
            users::unit_id,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(user_id, email, name, roles, unit_id)| crate::domain::recipients::StaffMember {
                user_id,
                email,
                name,
                roles: crate::domain::access::Role::parse_all(&roles),
                unit_id,
            },
        )
        .collect())
}

/// The active account whose address is `email` (any case): who an officer's reply is
/// from.
pub async fn find_active_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(email) = ")
                .bind::<diesel::sql_types::Text, _>(email.to_lowercase()),
        )
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}
