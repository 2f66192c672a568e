//! One's own account: changing one's own password. The current password is asked first
//! (a session left open on a shared computer must not be enough to take the account
//! over); the new one must be long enough and not the email. The new password, the end
//! of the user's other sessions (whoever else held one is out) and the audit row commit
//! together.
//!
//! [`weak_message`] is also what [`super::users`] says of a password an admin sets:
//! users imports it from here, never the other way.

use diesel_async::pooled_connection::deadpool::PoolError;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tower_sessions::session::Id;

use crate::auth::StaffUser;
use crate::auth::password::{self, WeakPassword};
use crate::auth::session_store;
use crate::db::Pool;
use crate::db::audit::{self, AuditEntry};
use crate::db::users;

/// The message id of a refused new password.
pub fn weak_message(weak: WeakPassword) -> &'static str {
    match weak {
        WeakPassword::TooShort => "password-too-short",
        WeakPassword::IsEmail => "password-is-email",
    }
}

/// The change as typed.
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    /// The new password typed again.
    pub confirm: &'a str,
}

/// Why one's own password was not changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The form's problems: (field, message id), in form order.
    #[error("refused: {0:?}")]
    Refused(Vec<(&'static str, &'static str)>),
    #[error("connection pool: {0}")]
    Pool(#[from] PoolError),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    /// Hashing or verifying a password failed.
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

/// Changes `me`'s own password; every session of theirs but `keep` (the one asking)
/// ends. Takes the pool, not a connection: no connection is held while a password is
/// hashed (each hash takes tens of milliseconds behind a semaphore).
pub async fn change_password(
    pool: &Pool,
    me: &StaffUser,
    keep: Option<Id>,
    change: &PasswordChange<'_>,
) -> Result<(), AccountError> {
    let mut problems: Vec<(&'static str, &'static str)> = Vec::new();
    if let Err(weak) = password::check_strength(change.new, &me.email) {
        problems.push(("new_password", weak_message(weak)));
    } else if change.new != change.confirm {
        problems.push(("new_password_confirm", "password-mismatch"));
    }
    let stored = {
        let mut conn = pool.get().await?;
        users::password_hash(&mut conn, me.id).await?
    };
    let current_ok = password::verify(change.current, stored.as_deref())
        .await
        .map_err(AccountError::Internal)?;
    if !current_ok {
        problems.insert(0, ("current_password", "account-current-wrong"));
    }
    if !problems.is_empty() {
        return Err(AccountError::Refused(problems));
    }
    let hash = password::hash(change.new)
        .await
        .map_err(AccountError::Internal)?;
    let mut conn = pool.get().await?;
    store(&mut conn, me.id, &hash, keep).await?;
    tracing::info!(user_id = me.id, "password changed");
    Ok(())
}

/// The new hash, the other sessions ended and the audit row, in one transaction.
async fn store(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    hash: &str,
    keep: Option<Id>,
) -> diesel::QueryResult<()> {
    conn.transaction::<(), diesel::result::Error, _>(async |conn| {
        users::set_password(conn, user_id, hash).await?;
        session_store::delete_other_sessions(conn, user_id, keep).await?;
        audit::record(
            conn,
            AuditEntry {
                user_id,
                entity: "user",
                entity_id: user_id.to_string(),
                action: "change_own_password",
                before: None,
                after: None,
            },
        )
        .await
    })
    .await
}
