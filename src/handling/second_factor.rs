//! The staff's second factor: enrolment (a secret shown once as a QR code, confirmed by
//! a first code), recovery codes (shown once, stored hashed, single use), turning it
//! off, and the check of a code at login. A code's time step is spent when accepted, so
//! a code works once; a recovery code likewise. Every change is audited; the secret
//! and the codes never reach a log.

use diesel_async::pooled_connection::deadpool::PoolError;
use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::auth::password;
use crate::auth::second_factor::{SecondFactorKeys, new_salt};
use crate::db::Pool;
use crate::db::audit::{self, AuditEntry};
use crate::db::second_factors::{self, SecondFactorRow};
use crate::db::users;
use crate::domain::totp;

/// Why a second-factor action was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SecondFactorError {
    /// The form's problems: (field, message id).
    #[error("refused: {0:?}")]
    Refused(Vec<(&'static str, &'static str)>),
    #[error("connection pool: {0}")]
    Pool(#[from] PoolError),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

type Result<T> = std::result::Result<T, SecondFactorError>;

fn refused(field: &'static str, id: &'static str) -> SecondFactorError {
    SecondFactorError::Refused(vec![(field, id)])
}

/// What let a user in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    Code,
    RecoveryCode,
}

fn now_unix() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

/// The secret of the user's pending enrolment, made now if there is none; `None` when
/// their second factor is already on.
pub async fn enrolment_secret(
    pool: &Pool,
    keys: &SecondFactorKeys,
    user_id: i32,
) -> Result<Option<Vec<u8>>> {
    let mut conn = pool.get().await?;
    if second_factors::find(&mut conn, user_id).await?.is_none() {
        let sealed = keys
            .seal(user_id, &totp::new_secret())
            .map_err(SecondFactorError::Internal)?;
        second_factors::insert_pending(&mut conn, user_id, &sealed, &new_salt()).await?;
    }
    let Some(row) = second_factors::find(&mut conn, user_id).await? else {
        return Err(SecondFactorError::Internal(anyhow::anyhow!(
            "the pending second factor vanished"
        )));
    };
    if row.confirmed_at.is_some() {
        return Ok(None);
    }
    keys.open(user_id, &row.secret)
        .map(Some)
        .map_err(SecondFactorError::Internal)
}

/// Checks the current password (when asked for), without holding a connection while
/// argon2 runs.
async fn check_password(pool: &Pool, user_id: i32, typed: Option<&str>) -> Result<()> {
    let Some(typed) = typed else { return Ok(()) };
    let stored = {
        let mut conn = pool.get().await?;
        users::password_hash(&mut conn, user_id).await?
    };
    let ok = password::verify(typed, stored.as_deref())
        .await
        .map_err(SecondFactorError::Internal)?;
    if ok {
        Ok(())
    } else {
        Err(refused("current_password", "account-current-wrong"))
    }
}

/// The step `typed` matches now, for the row's secret.
fn step_of_code(
    keys: &SecondFactorKeys,
    row: &SecondFactorRow,
    typed: &str,
) -> Result<Option<i64>> {
    let secret = keys
        .open(row.user_id, &row.secret)
        .map_err(SecondFactorError::Internal)?;
    Ok(totp::matching_step(&secret, typed, now_unix()).and_then(|s| i64::try_from(s).ok()))
}

/// Fresh recovery codes: the codes to show, and their hashes to store.
fn fresh_codes(keys: &SecondFactorKeys, salt: &[u8]) -> (Vec<String>, Vec<Vec<u8>>) {
    let codes = totp::new_recovery_codes();
    let hashes = codes.iter().map(|c| keys.recovery_hash(salt, c)).collect();
    (codes, hashes)
}

async fn audited(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    action: &str,
) -> diesel::QueryResult<()> {
    audit::record(
        conn,
        AuditEntry {
            user_id,
            entity: "user",
            entity_id: user_id.to_string(),
            action,
            before: None,
            after: None,
        },
    )
    .await
}

/// Confirms the pending enrolment with a current code (and the password, when given):
/// the second factor is on, and the recovery codes returned are shown once.
pub async fn confirm(
    pool: &Pool,
    keys: &SecondFactorKeys,
    user_id: i32,
    password: Option<&str>,
    code: &str,
) -> Result<Vec<String>> {
    check_password(pool, user_id, password).await?;
    let mut conn = pool.get().await?;
    let row = match second_factors::find(&mut conn, user_id).await? {
        Some(row) if row.confirmed_at.is_none() => row,
        _ => return Err(refused("code", "totp-not-pending")),
    };
    let Some(step) = step_of_code(keys, &row, code)? else {
        return Err(refused("code", "totp-code-wrong"));
    };
    let (codes, hashes) = fresh_codes(keys, &row.recovery_salt);
    let confirmed = conn
        .transaction::<bool, diesel::result::Error, _>(async |conn| {
            if !second_factors::confirm(conn, user_id, step).await? {
                return Ok(false);
            }
            second_factors::replace_recovery_codes(conn, user_id, &hashes).await?;
            audited(conn, user_id, "enable_second_factor").await?;
            Ok(true)
        })
        .await?;
    if !confirmed {
        return Err(refused("code", "totp-not-pending"));
    }
    tracing::info!(user_id, "second factor on");
    Ok(codes)
}

/// The confirmed second factor of the user, with the password and a current code
/// checked (the code's step is spent).
async fn checked(
    pool: &Pool,
    keys: &SecondFactorKeys,
    user_id: i32,
    password: &str,
    code: &str,
) -> Result<(crate::db::PooledConn, SecondFactorRow)> {
    check_password(pool, user_id, Some(password)).await?;
    let mut conn = pool.get().await?;
    let row = match second_factors::find(&mut conn, user_id).await? {
        Some(row) if row.confirmed_at.is_some() => row,
        _ => return Err(refused("code", "totp-not-on")),
    };
    let step = step_of_code(keys, &row, code)?;
    match step {
        Some(step) if second_factors::use_step(&mut conn, user_id, step).await? => Ok((conn, row)),
        _ => Err(refused("code", "totp-code-wrong")),
    }
}

/// New recovery codes (the old ones stop working), after the password and a code.
pub async fn regenerate_recovery_codes(
    pool: &Pool,
    keys: &SecondFactorKeys,
    user_id: i32,
    password: &str,
    code: &str,
) -> Result<Vec<String>> {
    let (mut conn, row) = checked(pool, keys, user_id, password, code).await?;
    let (codes, hashes) = fresh_codes(keys, &row.recovery_salt);
    conn.transaction::<(), diesel::result::Error, _>(async |conn| {
        second_factors::replace_recovery_codes(conn, user_id, &hashes).await?;
        audited(conn, user_id, "regenerate_recovery_codes").await
    })
    .await?;
    tracing::info!(user_id, "recovery codes regenerated");
    Ok(codes)
}

/// Turns the second factor off, after the password and a code; refused when the
/// configuration requires one of the user (`required`).
pub async fn disable(
    pool: &Pool,
    keys: &SecondFactorKeys,
    user_id: i32,
    password: &str,
    code: &str,
    required: bool,
) -> Result<()> {
    if required {
        return Err(refused("code", "totp-disable-required"));
    }
    let (mut conn, _) = checked(pool, keys, user_id, password, code).await?;
    conn.transaction::<(), diesel::result::Error, _>(async |conn| {
        second_factors::delete(conn, user_id).await?;
        audited(conn, user_id, "disable_second_factor").await
    })
    .await?;
    tracing::info!(user_id, "second factor off");
    Ok(())
}

/// The second step of a login: `typed` is a current code (its step then spent) or an
/// unused recovery code (then spent, and audited). `None` when it is neither.
pub async fn check_login(
    pool: &Pool,
    keys: &SecondFactorKeys,
    user_id: i32,
    typed: &str,
) -> Result<Option<Passed>> {
    let mut conn = pool.get().await?;
    let row = match second_factors::find(&mut conn, user_id).await? {
        Some(row) if row.confirmed_at.is_some() => row,
        _ => return Ok(None),
    };
    if totp::normalise_code(typed).is_some() {
        return Ok(match step_of_code(keys, &row, typed)? {
            Some(step) if second_factors::use_step(&mut conn, user_id, step).await? => {
                Some(Passed::Code)
            }
            _ => None,
        });
    }
    let Some(code) = totp::normalise_recovery(typed) else {
        return Ok(None);
    };
    let hash = keys.recovery_hash(&row.recovery_salt, &code);
    let spent = conn
        .transaction::<bool, diesel::result::Error, _>(async |conn| {
            if !second_factors::use_recovery_code(conn, user_id, &hash).await? {
                return Ok(false);
            }
            audited(conn, user_id, "login_recovery_code").await?;
            Ok(true)
        })
        .await?;
    Ok(spent.then_some(Passed::RecoveryCode))
}

/// Turns a user's second factor off from the command line (`pakn user
/// reset-second-factor`), audited as the user's own row; whether there was one.
pub async fn reset(conn: &mut AsyncPgConnection, user_id: i32) -> diesel::QueryResult<bool> {
    let removed = conn
        .transaction::<bool, diesel::result::Error, _>(async |conn| {
            if second_factors::delete(conn, user_id).await? == 0 {
                return Ok(false);
            }
            audited(conn, user_id, "reset_second_factor").await?;
            Ok(true)
        })
        .await?;
    tracing::info!(
        user_id,
        removed,
        "second factor reset from the command line"
    );
    Ok(removed)
}
