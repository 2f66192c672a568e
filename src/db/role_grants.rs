//! `role_grants`: roles that read PAKN, given by an admin to themself or to another
//! admin, waiting for a second admin's approval (separation of duties). At most one
//! request waits per account (a partial unique index); a new one replaces it.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{role_grants, users};

/// A request that waits for a decision.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct OpenGrant {
    pub id: i64,
    pub user_id: i32,
    pub roles: Vec<String>,
    pub requested_by: i32,
    pub requested_at: DateTime<Utc>,
    /// The requesting admin's name.
    pub requested_by_name: String,
}

/// Replaces the account's open request (if any) by one for `roles`; returns its id.
pub async fn request(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    roles: &[String],
    requested_by: i32,
) -> QueryResult<i64> {
    diesel::delete(
        role_grants::table
            .filter(role_grants::user_id.eq(user_id))
            .filter(role_grants::decided_at.is_null()),
    )
    .execute(conn)
    .await?;
    super::durable::one(
        diesel::insert_into(role_grants::table)
            .values((
                role_grants::user_id.eq(user_id),
                role_grants::roles.eq(roles),
                role_grants::requested_by.eq(requested_by),
            ))
            .returning(role_grants::id),
        conn,
    )
    .await
}

/// Every open request, oldest first, with the requester's name.
pub async fn open(conn: &mut AsyncPgConnection) -> QueryResult<Vec<OpenGrant>> {
    role_grants::table
        .inner_join(users::table.on(users::id.eq(role_grants::requested_by)))
        .filter(role_grants::decided_at.is_null())
        .order(role_grants::id)
        .select((
            role_grants::id,
            role_grants::user_id,
            role_grants::roles,
            role_grants::requested_by,
            role_grants::requested_at,
            users::name,
        ))
        .load(conn)
        .await
}

/// The open request `id`, locked until the transaction ends.
pub async fn lock_open(
    conn: &mut AsyncPgConnection,
    id: i64,
) -> QueryResult<Option<(i32, Vec<String>, i32)>> {
    role_grants::table
        .filter(role_grants::id.eq(id))
        .filter(role_grants::decided_at.is_null())
        .select((
            role_grants::user_id,
            role_grants::roles,
            role_grants::requested_by,
        ))
        .for_update()
        .load(conn)
        .await
        .map(|mut rows| rows.pop())
}

/// Records the decision on request `id`.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    id: i64,
    decided_by: i32,
    approved: bool,
) -> QueryResult<()> {
    diesel::update(role_grants::table.filter(role_grants::id.eq(id)))
        .set((
            role_grants::decided_by.eq(decided_by),
            role_grants::decided_at.eq(diesel::dsl::now),
            role_grants::approved.eq(approved),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
