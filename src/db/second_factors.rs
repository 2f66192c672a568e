//! `second_factors` and `recovery_codes`: a user's TOTP secret (encrypted, see
//! `auth::second_factor`), the step of their last accepted code, and their recovery
//! codes' hashes. Spending a step or a recovery code is one conditional `UPDATE`, so two
//! requests carrying the same code cannot both pass. Also the spaced queue of wrong
//! codes (in `login_slots`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Binary, Double};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{recovery_codes, second_factors};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = second_factors)]
pub struct SecondFactorRow {
    pub user_id: i32,
    /// Encrypted.
    pub secret: Vec<u8>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_step: Option<i64>,
    pub recovery_salt: Vec<u8>,
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    user_id: i32,
) -> QueryResult<Option<SecondFactorRow>> {
    second_factors::table
        .filter(second_factors::user_id.eq(user_id))
        .select(SecondFactorRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Whether the user has a confirmed second factor.
pub async fn is_on(conn: &mut AsyncPgConnection, user_id: i32) -> QueryResult<bool> {
    Ok(find(conn, user_id)
        .await?
        .is_some_and(|r| r.confirmed_at.is_some()))
}

/// Starts an enrolment with this (encrypted) secret unless the user already has a row
/// (pending or confirmed): two pages opened at once show the same secret.
pub async fn insert_pending(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    secret: &[u8],
    salt: &[u8],
) -> QueryResult<usize> {
    diesel::insert_into(second_factors::table)
        .values((
            second_factors::user_id.eq(user_id),
            second_factors::secret.eq(secret),
            second_factors::recovery_salt.eq(salt),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
}

/// Confirms a pending enrolment with the step of its first code; false when there was
/// none pending.
pub async fn confirm(conn: &mut AsyncPgConnection, user_id: i32, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        second_factors::table
            .filter(second_factors::user_id.eq(user_id))
            .filter(second_factors::confirmed_at.is_null()),
    )
    .set((
        second_factors::confirmed_at.eq(diesel::dsl::now),
        second_factors::last_step.eq(step),
    ))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Spends `step` of a confirmed second factor: false when that step, or a later one,
/// was already used (a replayed code).
pub async fn use_step(conn: &mut AsyncPgConnection, user_id: i32, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        second_factors::table
            .filter(second_factors::user_id.eq(user_id))
            .filter(second_factors::confirmed_at.is_not_null())
            .filter(
                second_factors::last_step
                    .is_null()
                    .or(second_factors::last_step.lt(step)),
            ),
    )
    .set(second_factors::last_step.eq(step))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Removes the user's second factor and recovery codes.
pub async fn delete(conn: &mut AsyncPgConnection, user_id: i32) -> QueryResult<usize> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    diesel::delete(second_factors::table.filter(second_factors::user_id.eq(user_id)))
        .execute(conn)
        .await
}

/// Replaces the user's recovery codes (old ones, used or not, stop working).
pub async fn replace_recovery_codes(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    hashes: &[Vec<u8>],
) -> QueryResult<usize> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = hashes
        .iter()
        .map(|h| {
            (
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(h.as_slice()),
            )
        })
        .collect();
    diesel::insert_into(recovery_codes::table)
        .values(rows)
        .execute(conn)
        .await
}

/// Spends a recovery code: false when it is not one of the user's or was spent.
pub async fn use_recovery_code(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    hash: &[u8],
) -> QueryResult<bool> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Recovery codes the user has left.
pub async fn recovery_codes_left(conn: &mut AsyncPgConnection, user_id: i32) -> QueryResult<i64> {
    recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)
        .await
}

#[derive(QueryableByName)]
struct Wait {
    #[diesel(sql_type = Double)]
    wait: f64,
}

/// Takes the next slot of a queue whose slots are `step_secs` apart, the slot beginning
/// when the previous one ended (or now): the seconds to wait for it. `None` when that
/// is more than `queue_secs` away (nothing is taken). Unlike `rate_limits::take_slot`,
/// the wait is before the slot, so a step longer than the queue is a pause between
/// checked codes, not a request held open.
pub async fn take_spaced_slot(
    conn: &mut AsyncPgConnection,
    subject: &[u8],
    step_secs: f64,
    queue_secs: f64,
) -> QueryResult<Option<f64>> {
    let rows: Vec<Wait> = diesel::sql_query(
        "INSERT INTO login_slots AS s (subject, next_at) \
              VALUES ($1, now() + make_interval(secs => $2)) \
         ON CONFLICT (subject) DO UPDATE \
              SET next_at = greatest(now(), s.next_at) + make_interval(secs => $2) \
            WHERE s.next_at < now() + make_interval(secs => $3) \
         RETURNING (extract(epoch FROM s.next_at - now()) - $2)::float8 AS wait",
    )
    .bind::<Binary, _>(subject)
    .bind::<Double, _>(step_secs)
    .bind::<Double, _>(queue_secs)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map(|w| w.wait.max(0.0)))
}
