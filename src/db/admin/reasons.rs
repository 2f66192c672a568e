//! Refusal and closing reason templates: texts staff choose (rejected, out of scope,
//! closed) and the automatic jobs use (needs-info expiry). A purpose that has an active
//! template keeps at least one.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Problem, action, record, taken};
use crate::db::schema::reason_templates as rt;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = rt)]
pub struct ReasonRow {
    pub id: i32,
    pub code: String,
    pub purpose: String,
    pub text_vi: String,
    pub text_en: String,
    pub active: bool,
    pub sort: i32,
}

/// A checked template form (`code` is used only when creating).
#[derive(Debug, Clone, Default)]
pub struct ReasonInput {
    pub code: String,
    pub purpose: String,
    pub text_vi: String,
    pub text_en: String,
    pub active: bool,
    pub sort: i32,
}

const ENTITY: &str = "reason_template";

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<ReasonRow>> {
    rt::table
        .order((rt::purpose, rt::sort, rt::id))
        .select(ReasonRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, id: i32) -> QueryResult<Option<ReasonRow>> {
    rt::table
        .find(id)
        .select(ReasonRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn create(conn: &mut AsyncPgConnection, by: i32, input: &ReasonInput) -> EditResult<i32> {
    conn.transaction::<i32, EditError, _>(async |conn| {
        let exists: i64 = rt::table
            .filter(rt::code.eq(&input.code))
            .count()
            .get_result(conn)
            .await?;
        if exists > 0 {
            return Err(EditError::one("code", "admin-err-taken"));
        }
        let id: i32 = diesel::insert_into(rt::table)
            .values((
                rt::code.eq(&input.code),
                rt::purpose.eq(&input.purpose),
                rt::text_vi.eq(&input.text_vi),
                rt::text_en.eq(&input.text_en),
                rt::active.eq(input.active),
                rt::sort.eq(input.sort),
            ))
            .returning(rt::id)
            .get_result(conn)
            .await
            .map_err(taken("code"))?;
        let after = find(conn, id).await?;
        record::<ReasonRow, _>(
            conn,
            by,
            ENTITY,
            id.to_string(),
            "create",
            None,
            after.as_ref(),
        )
        .await?;
        Ok(id)
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    by: i32,
    id: i32,
    input: &ReasonInput,
) -> EditResult<()> {
    conn.transaction::<(), EditError, _>(async |conn| {
        let before: ReasonRow = rt::table
            .find(id)
            .select(ReasonRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(EditError::NotFound)?;
        let leaves_purpose = before.active && (!input.active || input.purpose != before.purpose);
        if leaves_purpose {
            let others: i64 = rt::table
                .filter(rt::active)
                .filter(rt::purpose.eq(&before.purpose))
                .filter(rt::id.ne(id))
                .count()
                .get_result(conn)
                .await?;
            if others == 0 {
                let field = if input.active { "purpose" } else { "active" };
                return Err(EditError::Invalid(vec![Problem::new(
                    field,
                    "admin-reason-last-of-purpose",
                )]));
            }
        }
        diesel::update(rt::table.find(id))
            .set((
                rt::purpose.eq(&input.purpose),
                rt::text_vi.eq(&input.text_vi),
                rt::text_en.eq(&input.text_en),
                rt::active.eq(input.active),
                rt::sort.eq(input.sort),
                rt::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        let after = find(conn, id).await?;
        record(
            conn,
            by,
            ENTITY,
            id.to_string(),
            action(before.active, input.active),
            Some(&before),
            after.as_ref(),
        )
        .await?;
        Ok(())
    })
    .await
}
