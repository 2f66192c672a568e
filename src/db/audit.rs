//! `audit_log`: every edit an admin makes, with the row before and after (never a
//! password hash).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::audit_log;

/// One audited edit.
pub struct AuditEntry<'a> {
    /// Who made the edit.
    pub user_id: i32,
    /// What kind of row: `user`, `unit`, …
    pub entity: &'a str,
    pub entity_id: String,
    /// What was done: `create`, `deactivate`, `reset_password`, …
    pub action: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(conn: &mut AsyncPgConnection, entry: AuditEntry<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::user_id.eq(entry.user_id),
            audit_log::entity.eq(entry.entity),
            audit_log::entity_id.eq(entry.entity_id),
            audit_log::action.eq(entry.action),
            audit_log::before.eq(entry.before),
            audit_log::after.eq(entry.after),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
