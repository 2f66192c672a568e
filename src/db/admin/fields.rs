//! Lĩnh vực: chosen on the public form, stored on every ticket by code. Deactivating one
//! takes it off the form; tickets that have it still show its name. The last active
//! lĩnh vực cannot be deactivated (the form would offer nothing).

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, action, record, taken};
use crate::db::schema::fields;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = fields)]
pub struct FieldRow {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub keywords: String,
    pub active: bool,
    pub sort: i32,
}

/// A checked lĩnh vực form (`code` is used only when creating).
#[derive(Debug, Clone, Default)]
pub struct FieldInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub keywords: String,
    pub active: bool,
    pub sort: i32,
}

const ENTITY: &str = "field";

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<FieldRow>> {
    fields::table
        .order((fields::sort, fields::code))
        .select(FieldRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<FieldRow>> {
    fields::table
        .find(code)
        .select(FieldRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    by: i32,
    input: &FieldInput,
) -> EditResult<String> {
    conn.transaction::<String, EditError, _>(async |conn| {
        if find(conn, &input.code).await?.is_some() {
            return Err(EditError::one("code", "admin-err-taken"));
        }
        diesel::insert_into(fields::table)
            .values((
                fields::code.eq(&input.code),
                fields::name_vi.eq(&input.name_vi),
                fields::name_en.eq(&input.name_en),
                fields::keywords.eq(&input.keywords),
                fields::active.eq(input.active),
                fields::sort.eq(input.sort),
            ))
            .execute(conn)
            .await
            .map_err(taken("code"))?;
        let after = find(conn, &input.code).await?;
        record::<FieldRow, _>(
            conn,
            by,
            ENTITY,
            input.code.clone(),
            "create",
            None,
            after.as_ref(),
        )
        .await?;
        Ok(input.code.clone())
    })
    .await
}

pub async fn update(
    conn: &mut AsyncPgConnection,
    by: i32,
    code: &str,
    input: &FieldInput,
) -> EditResult<()> {
    conn.transaction::<(), EditError, _>(async |conn| {
        let before: FieldRow = fields::table
            .find(code)
            .select(FieldRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(EditError::NotFound)?;
        if before.active && !input.active {
            let others: i64 = fields::table
                .filter(fields::active)
                .filter(fields::code.ne(code))
                .count()
                .get_result(conn)
                .await?;
            if others == 0 {
                return Err(EditError::one("active", "admin-last-active"));
            }
        }
        diesel::update(fields::table.find(code))
            .set((
                fields::name_vi.eq(&input.name_vi),
                fields::name_en.eq(&input.name_en),
                fields::keywords.eq(&input.keywords),
                fields::active.eq(input.active),
                fields::sort.eq(input.sort),
                fields::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        let after = find(conn, code).await?;
        record(
            conn,
            by,
            ENTITY,
            code.to_string(),
            action(before.active, input.active),
            Some(&before),
            after.as_ref(),
        )
        .await?;
        Ok(())
    })
    .await
}
