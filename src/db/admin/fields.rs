//! Lĩnh vực: chosen on the public form, stored on every ticket by code. Deactivating one
//! takes it off the form; tickets that have it still show its name. The last active
//! lĩnh vực cannot be deactivated (the form would offer nothing).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Record, action, taken};
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

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<FieldRow>> {
    fields::table
        .order((fields::sort, fields::code))
        .select(FieldRow::as_select())
        .load(conn)
        .await
}

impl Record for FieldRow {
    const ENTITY: &'static str = "field";
    type Key = String;
    type Input = FieldInput;

    async fn find(conn: &mut AsyncPgConnection, code: &String) -> QueryResult<Option<FieldRow>> {
        fields::table
            .find(code)
            .select(FieldRow::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, code: &String) -> QueryResult<Option<FieldRow>> {
        fields::table
            .find(code)
            .select(FieldRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        _by: i32,
        input: &FieldInput,
    ) -> EditResult<String> {
        if Self::find(conn, &input.code).await?.is_some() {
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
        Ok(input.code.clone())
    }

    async fn change(
        conn: &mut AsyncPgConnection,
        _by: i32,
        code: &String,
        before: &FieldRow,
        input: &FieldInput,
    ) -> EditResult<()> {
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
        Ok(())
    }

    fn action(before: &FieldRow, input: &FieldInput) -> &'static str {
        action(before.active, input.active)
    }
}
