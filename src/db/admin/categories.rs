//! Content categories (nội dung thuộc, Điều 5 NĐ 20/2008): chosen on the public form,
//! stored on every ticket by code; `implies_kien_nghi` makes a filing a kiến nghị.
//! Deactivating one takes it off the form; tickets that have it still show it. The last
//! active category cannot be deactivated.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, action, record, taken};
use crate::db::schema::content_categories as cc;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = cc)]
pub struct CategoryRow {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub implies_kien_nghi: bool,
    pub active: bool,
    pub sort: i32,
}

/// A checked category form (`code` is used only when creating).
#[derive(Debug, Clone, Default)]
pub struct CategoryInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub implies_kien_nghi: bool,
    pub active: bool,
    pub sort: i32,
}

const ENTITY: &str = "content_category";

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<CategoryRow>> {
    cc::table
        .order((cc::sort, cc::code))
        .select(CategoryRow::as_select())
        .load(conn)
        .await
}

pub async fn find(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<CategoryRow>> {
    cc::table
        .find(code)
        .select(CategoryRow::as_select())
        .first(conn)
        .await
        .optional()
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    by: i32,
    input: &CategoryInput,
) -> EditResult<String> {
    conn.transaction::<String, EditError, _>(async |conn| {
        if find(conn, &input.code).await?.is_some() {
            return Err(EditError::one("code", "admin-err-taken"));
        }
        diesel::insert_into(cc::table)
            .values((
                cc::code.eq(&input.code),
                cc::name_vi.eq(&input.name_vi),
                cc::name_en.eq(&input.name_en),
                cc::implies_kien_nghi.eq(input.implies_kien_nghi),
                cc::active.eq(input.active),
                cc::sort.eq(input.sort),
            ))
            .execute(conn)
            .await
            .map_err(taken("code"))?;
        let after = find(conn, &input.code).await?;
        record::<CategoryRow, _>(
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
    input: &CategoryInput,
) -> EditResult<()> {
    conn.transaction::<(), EditError, _>(async |conn| {
        let before: CategoryRow = cc::table
            .find(code)
            .select(CategoryRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(EditError::NotFound)?;
        if before.active && !input.active {
            let others: i64 = cc::table
                .filter(cc::active)
                .filter(cc::code.ne(code))
                .count()
                .get_result(conn)
                .await?;
            if others == 0 {
                return Err(EditError::one("active", "admin-last-active"));
            }
        }
        diesel::update(cc::table.find(code))
            .set((
                cc::name_vi.eq(&input.name_vi),
                cc::name_en.eq(&input.name_en),
                cc::implies_kien_nghi.eq(input.implies_kien_nghi),
                cc::active.eq(input.active),
                cc::sort.eq(input.sort),
                cc::updated_at.eq(diesel::dsl::now),
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
