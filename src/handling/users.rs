//! User administration by an admin: creating an account, changing its name, roles and
//! unit, deactivating it (which ends all the user's sessions at once), reactivating it
//! and setting a new password (which ends them too). Each is one transaction with its
//! audit row holding the account before and after, so the log never says what did not
//! happen nor misses what did.
//!
//! The rules that are not the database's: an officer needs a unit (the database checks
//! it too, and its refusal is answered the same way), an admin can neither deactivate
//! themself nor take the admin role from themself (nobody could give it back).
//!
//! Separation of duties (security review, finding 10): a role that reads PAKN, given by
//! an admin to themself or to an admin (one who is or becomes admin), does not take effect
//! at once: it waits in `role_grants` for a second admin, neither the one who asked nor
//! the one who gets it, to approve it (unless `[security]
//! role_grants_need_second_admin = false`). Every change of an account's roles or unit,
//! every such request and every decision is mailed to all active admins, in the
//! transaction of the change.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::Context;
use super::account::weak_message;
use crate::auth::{password, session_store};
use crate::db::Pool;
use crate::db::admin::Problem;
use crate::db::audit::{self, AuditEntry};
use crate::db::users::{self, NewUser, UserRow};
use crate::db::{privacy, role_grants};
use crate::domain::access::{Access, Role};
use crate::domain::feedback::is_plausible_email;
use crate::mail::staff_notice::{RoleChange, RoleEvent};
use crate::mail::{self, staff_notice};

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
    /// Hashing a password or rendering the admins' mail failed.
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

/// What a saved edit of roles did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// Everything took effect.
    Done,
    /// Everything but the roles that read PAKN, which wait for a second admin.
    AwaitsApproval,
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

/// Creates an account with its audit row, and mails the admins; returns its id and
/// whether roles wait for a second admin. Takes the pool: no connection is held while
/// the password is hashed.
pub async fn create(
    pool: &Pool,
    ctx: &Context<'_>,
    admin: &Access,
    account: &NewAccount,
    password: &str,
) -> Result<(i32, Saved), UserError> {
    let problems = check_new(account, password);
    if !problems.is_empty() {
        return Err(UserError::Invalid(problems));
    }
    let hash = password::hash(password)
        .await
        .map_err(UserError::Internal)?;
    let held = held_back(ctx, admin, None, &[], &account.roles);
    let applied = applied_roles(&account.roles, &held, &[]);
    let new = NewUser {
        email: &account.email,
        name: &account.name,
        password_hash: &hash,
        roles: roles_of(&applied),
        unit_id: account.unit_id,
    };
    let mut conn = pool.get().await?;
    let id = insert(&mut conn, ctx, admin, &new, &held)
        .await
        .map_err(|e| match e {
            UserError::Database(e) => match form_problem(&e) {
                Some(p) => UserError::Invalid(vec![p]),
                None => UserError::Database(e),
            },
            e => e,
        })?;
    tracing::info!(admin = admin.user_id, user_id = id, "user created");
    Ok((id, saved(&held)))
}

/// The new row, its audit row, the roles held back and the admins' mail, in one
/// transaction.
async fn insert(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    admin: &Access,
    new: &NewUser<'_>,
    held: &[Role],
) -> Result<i32, UserError> {
    conn.transaction::<i32, UserError, _>(async |conn| {
        let id = users::insert(conn, new).await?;
        let after = users::find(conn, id).await?.ok_or(UserError::NotFound)?;
        audit::record(
            conn,
            AuditEntry {
                user_id: admin.user_id,
                entity: "user",
                entity_id: id.to_string(),
                action: "create",
                before: None,
                after: snapshot(&after),
            },
        )
        .await?;
        if !held.is_empty() {
            request_grant(conn, admin, id, held).await?;
        }
        let event = if held.is_empty() {
            RoleEvent::Created
        } else {
            RoleEvent::Requested
        };
        tell_admins(conn, ctx, admin, event, None, &after, held).await?;
        Ok(id)
    })
    .await
}

/// The roles of `wanted` that wait for a second admin: those that read PAKN and the
/// account does not hold yet, when an admin gives them to themself or to an admin (one
/// who is, or becomes, admin). None when the setting allows it.
fn held_back(
    ctx: &Context<'_>,
    admin: &Access,
    id: Option<i32>,
    before: &[Role],
    wanted: &[Role],
) -> Vec<Role> {
    let to_an_admin =
        id == Some(admin.user_id) || before.contains(&Role::Admin) || wanted.contains(&Role::Admin);
    if !ctx.cfg.security.role_grants_need_second_admin || !to_an_admin {
        return Vec::new();
    }
    wanted
        .iter()
        .copied()
        .filter(|r| r.reads_pakn() && !before.contains(r))
        .collect()
}

/// The roles set now: those wanted but held back; never none (an admin stays admin
/// rather than left without a role).
fn applied_roles(wanted: &[Role], held: &[Role], before: &[Role]) -> Vec<Role> {
    let applied: Vec<Role> = wanted
        .iter()
        .copied()
        .filter(|r| !held.contains(r))
        .collect();
    if applied.is_empty() {
        let mut kept: Vec<Role> = before.iter().copied().filter(|r| !r.reads_pakn()).collect();
        if kept.is_empty() {
            kept.push(Role::Admin);
        }
        return kept;
    }
    applied
}

fn saved(held: &[Role]) -> Saved {
    if held.is_empty() {
        Saved::Done
    } else {
        Saved::AwaitsApproval
    }
}

/// Stores the request for `held` on account `id` (replacing a waiting one), audited.
async fn request_grant(
    conn: &mut AsyncPgConnection,
    admin: &Access,
    id: i32,
    held: &[Role],
) -> Result<(), UserError> {
    let grant = role_grants::request(conn, id, &roles_of(held), admin.user_id).await?;
    audit::record(
        conn,
        AuditEntry {
            user_id: admin.user_id,
            entity: "user",
            entity_id: id.to_string(),
            action: "request_role",
            before: None,
            after: Some(serde_json::json!({ "grant": grant, "roles": roles_of(held) })),
        },
    )
    .await?;
    Ok(())
}

/// Queues the mail about `after`'s roles to every active admin (none when there is no
/// active admin with an address, which cannot happen while `admin` is one).
async fn tell_admins(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    admin: &Access,
    event: RoleEvent,
    before: Option<&UserRow>,
    after: &UserRow,
    pending: &[Role],
) -> Result<(), UserError> {
    let to = privacy::admin_emails(conn).await?;
    if to.is_empty() {
        return Ok(());
    }
    let actor = users::find(conn, admin.user_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let t = crate::i18n::Tr::new(crate::i18n::Lang::Vi);
    let labels =
        |roles: &[Role]| -> Vec<String> { roles.iter().map(|r| t.t(r.label_id())).collect() };
    let unit = |unit_id: Option<i32>| -> String {
        unit_id
            .and_then(|u| ctx.reference.unit(u))
            .map(|u| u.name_vi.clone())
            .unwrap_or_default()
    };
    let change = RoleChange {
        event,
        actor: &actor,
        user_name: &after.name,
        user_email: &after.email,
        before: before.map_or_else(Vec::new, |b| labels(&Role::parse_all(&b.roles))),
        after: labels(&Role::parse_all(&after.roles)),
        unit_before: before.map_or_else(String::new, |b| unit(b.unit_id)),
        unit_after: unit(after.unit_id),
        pending: labels(pending),
    };
    let mail = staff_notice::role_change(ctx.cfg, to, &change).map_err(|e| {
        UserError::Internal(anyhow::Error::new(e).context("rendering the role mail"))
    })?;
    mail::enqueue(conn, mail).await?;
    Ok(())
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
    problems
}

/// Sets account `id`'s name, roles and unit, with its audit row; roles that need a
/// second admin wait for one. The admins are mailed when roles or unit changed.
pub async fn update(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    admin: &Access,
    id: i32,
    profile: &Profile,
) -> Result<Saved, UserError> {
    let problems = check_profile(admin, id, profile);
    if !problems.is_empty() {
        return Err(UserError::Invalid(problems));
    }
    let result = conn
        .transaction::<Saved, UserError, _>(async |conn| {
            let before = users::find(conn, id).await?.ok_or(UserError::NotFound)?;
            let before_roles = Role::parse_all(&before.roles);
            let held = held_back(ctx, admin, Some(id), &before_roles, &profile.roles);
            let applied = applied_roles(&profile.roles, &held, &before_roles);
            users::set_profile(
                conn,
                id,
                &profile.name,
                &roles_of(&applied),
                profile.unit_id,
            )
            .await?;
            let after = users::find(conn, id).await?.ok_or(UserError::NotFound)?;
            audit::record(
                conn,
                AuditEntry {
                    user_id: admin.user_id,
                    entity: "user",
                    entity_id: id.to_string(),
                    action: "update",
                    before: snapshot(&before),
                    after: snapshot(&after),
                },
            )
            .await?;
            if !held.is_empty() {
                request_grant(conn, admin, id, &held).await?;
                let event = RoleEvent::Requested;
                tell_admins(conn, ctx, admin, event, Some(&before), &after, &held).await?;
            } else if before.roles != after.roles || before.unit_id != after.unit_id {
                let event = RoleEvent::Changed;
                tell_admins(conn, ctx, admin, event, Some(&before), &after, &[]).await?;
            }
            Ok(saved(&held))
        })
        .await;
    match result {
        // Only the unit check can refuse a profile (the email is not changed).
        Err(UserError::Database(e)) => match form_problem(&e) {
            Some(p) if p.field == "unit" => Err(UserError::Invalid(vec![p])),
            _ => Err(UserError::Database(e)),
        },
        Ok(saved) => {
            tracing::info!(admin = admin.user_id, user_id = id, ?saved, "user updated");
            Ok(saved)
        }
        Err(e) => Err(e),
    }
}

/// Approves the waiting request `grant`: its roles are added to the account. The admin
/// who asked and the one who gets the roles cannot approve it.
pub async fn approve_grant(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    admin: &Access,
    grant: i64,
) -> Result<(), UserError> {
    decide_grant(conn, ctx, admin, grant, true).await
}

/// Turns down the waiting request `grant` (any admin may, the one who asked included).
pub async fn reject_grant(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    admin: &Access,
    grant: i64,
) -> Result<(), UserError> {
    decide_grant(conn, ctx, admin, grant, false).await
}

async fn decide_grant(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    admin: &Access,
    grant: i64,
    approve: bool,
) -> Result<(), UserError> {
    let result = conn
        .transaction::<(), UserError, _>(async |conn| {
            let Some((user_id, roles, requested_by)) = role_grants::lock_open(conn, grant).await?
            else {
                return Err(UserError::Refused("role-grants-gone"));
            };
            if approve && (requested_by == admin.user_id || user_id == admin.user_id) {
                return Err(UserError::Refused("role-grants-not-yours"));
            }
            let before = users::find(conn, user_id)
                .await?
                .ok_or(UserError::NotFound)?;
            role_grants::decide(conn, grant, admin.user_id, approve).await?;
            let granted = Role::parse_all(&roles);
            let after = if approve {
                let mut all = Role::parse_all(&before.roles);
                all.extend(granted.iter().copied());
                let all = Role::parse_all(&roles_of(&all));
                users::set_profile(conn, user_id, &before.name, &roles_of(&all), before.unit_id)
                    .await?;
                users::find(conn, user_id)
                    .await?
                    .ok_or(UserError::NotFound)?
            } else {
                before.clone()
            };
            audit::record(
                conn,
                AuditEntry {
                    user_id: admin.user_id,
                    entity: "user",
                    entity_id: user_id.to_string(),
                    action: if approve {
                        "approve_role"
                    } else {
                        "reject_role"
                    },
                    before: snapshot(&before),
                    after: snapshot(&after),
                },
            )
            .await?;
            let (event, pending) = if approve {
                (RoleEvent::Approved, Vec::new())
            } else {
                (RoleEvent::Rejected, granted)
            };
            tell_admins(conn, ctx, admin, event, Some(&before), &after, &pending).await
        })
        .await;
    match result {
        // An officer's role on an account that has lost its unit since the request.
        Err(UserError::Database(e)) if form_problem(&e).is_some_and(|p| p.field == "unit") => {
            Err(UserError::Refused("user-unit-required"))
        }
        Ok(()) => {
            tracing::info!(
                admin = admin.user_id,
                grant,
                approve,
                "role request decided"
            );
            Ok(())
        }
        Err(e) => Err(e),
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
            Edit::Deactivate => "deactivate",
            Edit::Activate => "activate",
            Edit::SetPassword(_) => "reset_password",
        }
    }

    async fn apply(&self, conn: &mut AsyncPgConnection, id: i32) -> diesel::QueryResult<()> {
        match self {
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
    tracing::info!(admin = admin.user_id, user_id = id, action, "user edited");
    Ok(())
}
