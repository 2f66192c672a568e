//! Content categories (nội dung thuộc, Điều 5 NĐ 20/2008): chosen on the public form,
//! stored on every ticket by code; `implies_kien_nghi` makes a filing a kiến nghị.
//! Deactivating one takes it off the form; tickets that have it still show it. The last
//! active category cannot be deactivated.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Record, action, taken};
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

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<CategoryRow>> {
    cc::table
        .order((cc::sort, cc::code))
        .select(CategoryRow::as_select())
        .load(conn)
        .await
}

impl Record for CategoryRow {
    const ENTITY: &'static str = "content_category";
    type Key = String;
    type Input = CategoryInput;

    async fn find(conn: &mut AsyncPgConnection, code: &String) -> QueryResult<Option<CategoryRow>> {
        cc::table
            .find(code)
            .select(CategoryRow::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, code: &String) -> QueryResult<Option<CategoryRow>> {
        cc::table
            .find(code)
            .select(CategoryRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        _by: i32,
        input: &CategoryInput,
    ) -> EditResult<String> {
        if Self::find(conn, &input.code).await?.is_some() {
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
        Ok(input.code.clone())
    }

    async fn change(
        conn: &mut AsyncPgConnection,
        _by: i32,
        code: &String,
        before: &CategoryRow,
        input: &CategoryInput,
    ) -> EditResult<()> {
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
        Ok(())
    }

    fn action(before: &CategoryRow, input: &CategoryInput) -> &'static str {
        action(before.active, input.active)
    }
}
