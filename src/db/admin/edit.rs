//! The one shape of an admin edit: in one transaction, the record's own checks and
//! writes ([`Record`]), then an `audit_log` row (the record before and after, as JSON, as
//! read back from the database) and a bump of the reference version, so every instance
//! reloads its cache within seconds. [`create`] and [`update`] carry that shape for every
//! kind of record; each kind says only what is its own.

use std::fmt::Display;
use std::future::Future;

use diesel::QueryResult;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Serialize;

use super::{EditError, EditResult};
use crate::db::audit::{self, AuditEntry};
use crate::db::reference::bump_version;

/// A kind of reference record an admin edits (a unit, a contact, a routing rule, …),
/// serialised whole into its audit rows.
pub trait Record: Serialize + Send + Sync + Sized + 'static {
    /// `audit_log.entity`.
    const ENTITY: &'static str;
    /// What names one record, in its address and in `audit_log.entity_id`: an id, a
    /// code, a date.
    type Key: Display + Send + Sync + 'static;
    /// A checked form.
    type Input: Send + Sync + 'static;

    /// The record as it stands, if it exists.
    fn find(
        conn: &mut AsyncPgConnection,
        key: &Self::Key,
    ) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    /// The record, locked until the transaction ends (with whatever else an edit of it
    /// must serialise on).
    fn lock(
        conn: &mut AsyncPgConnection,
        key: &Self::Key,
    ) -> impl Future<Output = QueryResult<Option<Self>>> + Send;

    /// Checks a new record against the rules of its kind and inserts it; `by` is the
    /// admin (a change it makes to other records is audited in their name).
    fn insert(
        conn: &mut AsyncPgConnection,
        by: i32,
        input: &Self::Input,
    ) -> impl Future<Output = EditResult<Self::Key>> + Send;

    /// Checks the change from `before` against the rules of its kind and writes it.
    fn change(
        conn: &mut AsyncPgConnection,
        by: i32,
        key: &Self::Key,
        before: &Self,
        input: &Self::Input,
    ) -> impl Future<Output = EditResult<()>> + Send;

    /// What the audit row calls the change (see [`action`]).
    fn action(before: &Self, input: &Self::Input) -> &'static str;
}

/// Creates a record (audited as `create`) and returns its key.
pub async fn create<R: Record>(
    conn: &mut AsyncPgConnection,
    by: i32,
    input: &R::Input,
) -> EditResult<R::Key> {
    conn.transaction::<R::Key, EditError, _>(async |conn| {
        let key = R::insert(conn, by, input).await?;
        let after = R::find(conn, &key).await?;
        record::<R, R>(
            conn,
            by,
            R::ENTITY,
            key.to_string(),
            "create",
            None,
            after.as_ref(),
        )
        .await?;
        Ok(key)
    })
    .await
}

/// Changes a record; [`EditError::NotFound`] when it is gone.
pub async fn update<R: Record>(
    conn: &mut AsyncPgConnection,
    by: i32,
    key: &R::Key,
    input: &R::Input,
) -> EditResult<()> {
    conn.transaction::<(), EditError, _>(async |conn| {
        let before = R::lock(conn, key).await?.ok_or(EditError::NotFound)?;
        R::change(conn, by, key, &before, input).await?;
        let after = R::find(conn, key).await?;
        record(
            conn,
            by,
            R::ENTITY,
            key.to_string(),
            R::action(&before, input),
            Some(&before),
            after.as_ref(),
        )
        .await?;
        Ok(())
    })
    .await
}

/// What an update did, for the audit log: an update that only flips `active` is a
/// deactivation or an activation.
pub fn action(before_active: bool, after_active: bool) -> &'static str {
    match (before_active, after_active) {
        (true, false) => "deactivate",
        (false, true) => "activate",
        _ => "update",
    }
}

/// Records an edit in `audit_log` and bumps the reference version; call it inside the
/// edit's transaction.
pub async fn record<B: Serialize, A: Serialize>(
    conn: &mut AsyncPgConnection,
    by: i32,
    entity: &str,
    entity_id: String,
    action: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> QueryResult<()> {
    audit::record(
        conn,
        AuditEntry {
            user_id: by,
            entity,
            entity_id,
            action,
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: after.and_then(|a| serde_json::to_value(a).ok()),
        },
    )
    .await?;
    bump_version(conn).await?;
    Ok(())
}
