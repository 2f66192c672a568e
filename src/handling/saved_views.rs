//! A staff member's saved queue views (issue 17, item 8): saved under a name, deleted;
//! each change audited like one's other settings, with before and after.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;

use super::HandlingError;
use crate::db::audit::{self, AuditEntry};
use crate::db::saved_views as data;

/// The longest name (characters).
pub const MAX_NAME_CHARS: usize = 60;
/// The most views one person keeps.
pub const MAX_VIEWS: i64 = 20;
/// The longest query string kept.
const MAX_QUERY_CHARS: usize = 1000;

/// Saves `query` (the queue's filter and sort) as `user_id`'s view `name`; a name used
/// already is replaced.
pub async fn save(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    name: &str,
    query: &str,
) -> Result<i64, HandlingError> {
    let name = crate::domain::fold::clean_text(name);
    if name.is_empty() {
        return Err(HandlingError::Invalid("queue-view-name-missing"));
    }
    if name.chars().count() > MAX_NAME_CHARS || query.chars().count() > MAX_QUERY_CHARS {
        return Err(HandlingError::Invalid("queue-view-too-long"));
    }
    conn.transaction::<i64, HandlingError, _>(async |conn| {
        let existing = data::list(&mut &*conn, user_id).await?;
        if !existing.iter().any(|v| v.name == name) && existing.len() as i64 >= MAX_VIEWS {
            return Err(HandlingError::Invalid("queue-view-too-many"));
        }
        let (id, before) = data::upsert(conn, user_id, &name, query).await?;
        audit::record(
            conn,
            AuditEntry {
                user_id,
                entity: "saved_view",
                entity_id: id.to_string(),
                action: "save_own_view",
                before: before.map(|q| json!({ "name": name, "query": q })),
                after: Some(json!({ "name": name, "query": query })),
            },
        )
        .await?;
        Ok(id)
    })
    .await
}

/// Deletes `user_id`'s view `id`; someone else's view is refused as not found.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    id: i64,
) -> Result<(), HandlingError> {
    conn.transaction::<(), HandlingError, _>(async |conn| {
        // Someone else's view is as if it did not exist.
        let Some(view) = data::delete(conn, user_id, id).await? else {
            return Err(HandlingError::NotAllowed);
        };
        audit::record(
            conn,
            AuditEntry {
                user_id,
                entity: "saved_view",
                entity_id: id.to_string(),
                action: "delete_own_view",
                before: Some(json!({ "name": view.name, "query": view.query })),
                after: None,
            },
        )
        .await?;
        Ok(())
    })
    .await
}
