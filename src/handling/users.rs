//! User administration by an admin: creating an account, changing its name, roles and
//! unit, deactivating it (which ends all the user's sessions at once), reactivating it
//! and setting a new password (which ends them too). Each is one transaction with its
//! audit row holding the account before and after, so the log never says what did not
//! happen nor misses what did.
//!
//! The rules that are not the database's: an officer needs a unit (the database checks
//! it too, and its refusal is answered the same way), an admin can neither deactivate
//! themself nor take the admin role from themself (nobody could give it back), nor
//! give themself a role they do not hold (another admin must).

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::account::weak_message;
use crate::auth::{password, session_store};
use crate::db::Pool;
use crate::db::admin::Problem;
use crate::db::audit::{self, AuditEntry};
use crate::db::users::{self, NewUser, UserRow};
use crate::domain::access::{Access, Role};
use crate::domain::feedback::is_plausible_email;

/// The longest name of an account (characters).
pub const NAME_MAX: usize = 200;

/// Why an edit of an account was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("no such user")]
    NotFound,
    /// The form's problems, in form order.
    #[error("invalid: {0:?}")]
    Invalid(Vec<Problem>),
    /// Refused for a reason shown beside the user in the list (a message id).
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error("connection pool: {0}")]
    Pool(#[from] PoolError),
    #[error("database: {0}")]
    Database(#[from] DieselError),
    /// Hashing a password failed.
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

/// A new account as the admin typed it (the email normalised, the unit one that may be
/// chosen).
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub unit_id: Option<i32>,
}

/// An account's name, roles and unit as the admin set them.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub name: String,
    pub roles: Vec<Role>,
    pub unit_id: Option<i32>,
    /// A unit was sent that may not be chosen (unknown, or inactive and not the
    /// account's own); `unit_id` is then `None`.
    pub unit_refused: bool,
}

/// The audited picture of an account (no password hash).
fn snapshot(row: &UserRow) -> Option<serde_json::Value> {
    serde_json::to_value(row).ok()
}

fn roles_of(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.as_str().to_string()).collect()
}

/// The problems of a new account, in form order.
fn check_new(account: &NewAccount, password: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    if !is_plausible_email(&account.email) {
        problems.push(Problem::new("email", "user-email-invalid"));
    }
    if account.name.is_empty() || account.name.chars().count() > NAME_MAX {
        problems.push(Problem::new("name", "user-name-required"));
    }
    if account.roles.is_empty() {
        problems.push(Problem::new("roles", "user-roles-required"));
    }
    if account.roles.contains(&Role::Officer) && account.unit_id.is_none() {
        problems.push(Problem::new("unit", "user-unit-required"));
    }
    if let Err(weak) = password::check_strength(password, &account.email) {
        problems.push(Problem::new("password", weak_message(weak)));
    }
    problems
}

/// A refusal of the database a form can answer: a taken email, an officer without a
/// unit (the `users` check constraint).
fn form_problem(e: &DieselError) -> Option<Problem> {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            Some(Problem::new("email", "user-email-taken"))
        }
        DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _) => {
            Some(Problem::new("unit", "user-unit-required"))
        }
        _ => None,
    }
}

/// Creates an account with its audit row; returns its id. Takes the pool: no
/// connection is held while the password is hashed.
pub async fn create(
    pool: &Pool,
    admin: &Access,
    account: &NewAccount,
    password: &str,
) -> Result<i32, UserError> {
    let problems = check_new(account, password);
    if !problems.is_empty() {
        return Err(UserError::Invalid(problems));
    }
    let hash = password::hash(password)
        .await
        .map_err(UserError::Internal)?;
    let new = NewUser {
        email: &account.email,
        name: &account.name,
        password_hash: &hash,
        roles: roles_of(&account.roles),
        unit_id: account.unit_id,
    };
    let mut conn = pool.get().await?;
    let id = insert(&mut conn, admin, &new)
        .await
        .map_err(|e| match form_problem(&e) {
            Some(p) => UserError::Invalid(vec![p]),
            None => UserError::Database(e),
        })?;
    tracing::info!(admin = admin.user_id, user_id = id, "user created");
    Ok(id)
}

/// The new row and its audit row, in one transaction.
async fn insert(
    conn: &mut AsyncPgConnection,
    admin: &Access,
    new: &NewUser<'_>,
) -> diesel::QueryResult<i32> {
    conn.transaction::<i32, DieselError, _>(async |conn| {
        let id = users::insert(conn, new).await?;
        let after = users::find(conn, id).await?;
        audit::record(
            conn,
            AuditEntry {
                user_id: admin.user_id,
                entity: "user",
                entity_id: id.to_string(),
                action: "create",
                before: None,
                after: after.as_ref().and_then(snapshot),
            },
        )
        .await?;
        Ok(id)
    })
    .await
}

/// The problems of a profile set on account `id`, in form order.
fn check_profile(admin: &Access, id: i32, profile: &Profile) -> Vec<Problem> {
    let mut problems = Vec::new();
    if profile.name.is_empty() || profile.name.chars().count() > NAME_MAX {
        problems.push(Problem::new("name", "user-name-required"));
    }
    if profile.roles.is_empty() {
        problems.push(Problem::new("roles", "user-roles-required"));
    }
    if profile.unit_refused {
        problems.push(Problem::new("unit", "admin-err-choice"));
    } else if profile.roles.contains(&Role::Officer) && profile.unit_id.is_none() {
        problems.push(Problem::new("unit", "user-unit-required"));
    }
    if id == admin.user_id && !profile.roles.contains(&Role::Admin) {
        problems.push(Problem::new("roles", "admin-user-keep-own-admin"));
    }
    // An admin cannot give themself a role that reads PAKN (and their senders' personal
    // data) they do not hold already: another admin must (security review, finding 10).
    let gains = |r: Role| r != Role::Admin && !admin.has(r);
    if id == admin.user_id && profile.roles.iter().copied().any(gains) {
        problems.push(Problem::new("roles", "admin-user-no-own-new-role"));
    }
    problems
}

/// Sets account `id`'s name, roles and unit, with its audit row.
pub async fn update(
    conn: &mut AsyncPgConnection,
    admin: &Access,
    id: i32,
    profile: &Profile,
) -> Result<(), UserError> {
    let problems = check_profile(admin, id, profile);
    if !problems.is_empty() {
        return Err(UserError::Invalid(problems));
    }
    let roles = roles_of(&profile.roles);
    let edit = Edit::Profile {
        name: &profile.name,
        roles: &roles,
        unit_id: profile.unit_id,
    };
    match edit_audited(conn, admin, id, &edit).await {
        // Only the unit check can refuse a profile (the email is not changed).
        Err(UserError::Database(e)) => match form_problem(&e) {
            Some(p) if p.field == "unit" => Err(UserError::Invalid(vec![p])),
            _ => Err(UserError::Database(e)),
        },
        other => other,
    }
}

/// Deactivates account `id` and ends all its sessions; an admin cannot deactivate
/// themself.
pub async fn deactivate(
    conn: &mut AsyncPgConnection,
    admin: &Access,
    id: i32,
) -> Result<(), UserError> {
    if id == admin.user_id {
        return Err(UserError::Refused("users-not-self"));
    }
    edit_audited(conn, admin, id, &Edit::Deactivate).await
}

/// Reactivates account `id` (its sessions ended at deactivation stay ended).
pub async fn activate(
    conn: &mut AsyncPgConnection,
    admin: &Access,
    id: i32,
) -> Result<(), UserError> {
    edit_audited(conn, admin, id, &Edit::Activate).await
}

/// Sets a password typed by the admin on account `id`; its sessions end. Takes the
/// pool: no connection is held while the password is hashed.
pub async fn reset_password(
    pool: &Pool,
    admin: &Access,
    id: i32,
    password: &str,
) -> Result<(), UserError> {
    let target = {
        let mut conn = pool.get().await?;
        users::find(&mut conn, id)
            .await?
            .ok_or(UserError::NotFound)?
    };
    if let Err(weak) = password::check_strength(password, &target.email) {
        return Err(UserError::Refused(weak_message(weak)));
    }
    let hash = password::hash(password)
        .await
        .map_err(UserError::Internal)?;
    let mut conn = pool.get().await?;
    edit_audited(&mut conn, admin, id, &Edit::SetPassword(&hash)).await
}

/// An edit of one existing account.
enum Edit<'a> {
    Profile {
        name: &'a str,
        roles: &'a [String],
        unit_id: Option<i32>,
    },
    /// Deactivates and ends all the user's sessions.
    Deactivate,
    Activate,
    /// Sets a new password (hashed) and ends all the user's sessions.
    SetPassword(&'a str),
}

impl Edit<'_> {
    /// Its audit action.
    fn action(&self) -> &'static str {
        match self {
            Edit::Profile { .. } => "update",
            Edit::Deactivate => "deactivate",
            Edit::Activate => "activate",
            Edit::SetPassword(_) => "reset_password",
        }
    }

    async fn apply(&self, conn: &mut AsyncPgConnection, id: i32) -> diesel::QueryResult<()> {
        match self {
            Edit::Profile {
                name,
                roles,
                unit_id,
            } => {
                users::set_profile(conn, id, name, roles, *unit_id).await?;
            }
            Edit::Deactivate => {
                users::set_active(conn, id, false).await?;
                session_store::delete_user_sessions(conn, id).await?;
            }
            Edit::Activate => {
                users::set_active(conn, id, true).await?;
            }
            Edit::SetPassword(hash) => {
                users::set_password(conn, id, hash).await?;
                session_store::delete_user_sessions(conn, id).await?;
            }
        }
        Ok(())
    }
}

/// Runs an edit of account `id` with its audit row, in one transaction;
/// [`UserError::NotFound`] when the account does not exist.
async fn edit_audited(
    conn: &mut AsyncPgConnection,
    admin: &Access,
    id: i32,
    edit: &Edit<'_>,
) -> Result<(), UserError> {
    let action = edit.action();
    let found = conn
        .transaction::<bool, DieselError, _>(async |conn| {
            let Some(before) = users::find(conn, id).await? else {
                return Ok(false);
            };
            edit.apply(conn, id).await?;
            let after = users::find(conn, id).await?;
            audit::record(
                conn,
                AuditEntry {
                    user_id: admin.user_id,
                    entity: "user",
                    entity_id: id.to_string(),
                    action,
                    before: snapshot(&before),
                    after: after.as_ref().and_then(snapshot),
                },
            )
            .await?;
            Ok(true)
        })
        .await?;
    if !found {
        return Err(UserError::NotFound);
    }
    match edit {
        Edit::Profile { .. } => tracing::info!(admin = admin.user_id, user_id = id, "user updated"),
        _ => tracing::info!(admin = admin.user_id, user_id = id, action, "user edited"),
    }
    Ok(())
}
