//! One's digest switches (issue 15, part 4): set on the account page (a staff form with
//! its session token), or one digest turned off by the signed one-click link every
//! digest carries (RFC 8058: no login, no cookie; it can only ever turn a digest off, so
//! posting it again changes nothing). Each change is audited with before and after.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use super::HandlingError;
use crate::db::audit::{self, AuditEntry};
use crate::db::digests as data;
use crate::domain::digest::DigestKind;

/// Sets `user_id`'s own two switches.
pub async fn set(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    daily: bool,
    weekly: bool,
) -> Result<(), HandlingError> {
    conn.transaction::<(), HandlingError, _>(async |conn| {
        let Some((was_daily, was_weekly)) =
            data::set_switches(conn, user_id, daily, weekly).await?
        else {
            return Err(HandlingError::NotAllowed);
        };
        if (was_daily, was_weekly) == (daily, weekly) {
            return Ok(());
        }
        audit::record(
            conn,
            AuditEntry {
                user_id,
                entity: "user",
                entity_id: user_id.to_string(),
                action: "set_own_digests",
                before: Some(json!({ "daily": was_daily, "weekly": was_weekly })),
                after: Some(json!({ "daily": daily, "weekly": weekly })),
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// Turns digest `kind` of `user_id` off (the one-click link); idempotent.
pub async fn unsubscribe(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    kind: DigestKind,
) -> Result<(), HandlingError> {
    conn.transaction::<(), HandlingError, _>(async |conn| {
        if data::switch_off(conn, user_id, kind).await? {
            audit::record(
                conn,
                AuditEntry {
                    user_id,
                    entity: "user",
                    entity_id: user_id.to_string(),
                    action: "digest_unsubscribe",
                    before: Some(json!({ kind.as_str(): true })),
                    after: Some(json!({ kind.as_str(): false })),
                },
            )
            .await?;
        }
        Ok(())
    })
    .await
}
