//! Reusable reply templates: texts an officer starts a draft reply or a request for
//! information from, each with its purpose, a bilingual name and body, and optionally
//! one lĩnh vực. Deactivated, never deleted.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Record, action, taken};
use crate::db::schema::reply_templates as rt;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = rt)]
pub struct ReplyTemplateRow {
    pub id: i32,
    pub code: String,
    pub purpose: String,
    pub name_vi: String,
    pub name_en: String,
    pub body_vi: String,
    pub body_en: String,
    pub field_code: Option<String>,
    pub active: bool,
    pub sort: i32,
}

/// A checked template form (`code` is used only when creating).
#[derive(Debug, Clone, Default)]
pub struct ReplyTemplateInput {
    pub code: String,
    pub purpose: String,
    pub name_vi: String,
    pub name_en: String,
    pub body_vi: String,
    pub body_en: String,
    pub field_code: Option<String>,
    pub active: bool,
    pub sort: i32,
}

/// Every template, by purpose and order.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<ReplyTemplateRow>> {
    rt::table
        .order((rt::purpose, rt::sort, rt::id))
        .select(ReplyTemplateRow::as_select())
        .load(conn)
        .await
}

/// The active templates offered for a PAKN of `field_code`: those of every lĩnh vực and
/// those of its own, in order.
pub async fn offered(
    conn: &mut AsyncPgConnection,
    field_code: &str,
) -> QueryResult<Vec<ReplyTemplateRow>> {
    rt::table
        .filter(rt::active)
        .filter(rt::field_code.is_null().or(rt::field_code.eq(field_code)))
        .order((rt::purpose, rt::sort, rt::id))
        .select(ReplyTemplateRow::as_select())
        .load(conn)
        .await
}

impl Record for ReplyTemplateRow {
    const ENTITY: &'static str = "reply_template";
    type Key = i32;
    type Input = ReplyTemplateInput;

    async fn find(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<Self>> {
        rt::table
            .find(*id)
            .select(ReplyTemplateRow::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<Self>> {
        rt::table
            .find(*id)
            .select(ReplyTemplateRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        _by: i32,
        input: &ReplyTemplateInput,
    ) -> EditResult<i32> {
        let exists: i64 = rt::table
            .filter(rt::code.eq(&input.code))
            .count()
            .get_result(conn)
            .await?;
        if exists > 0 {
            return Err(EditError::one("code", "admin-err-taken"));
        }
        let id = crate::db::durable::one(
            diesel::insert_into(rt::table)
                .values((
                    rt::code.eq(&input.code),
                    rt::purpose.eq(&input.purpose),
                    rt::name_vi.eq(&input.name_vi),
                    rt::name_en.eq(&input.name_en),
                    rt::body_vi.eq(&input.body_vi),
                    rt::body_en.eq(&input.body_en),
                    rt::field_code.eq(&input.field_code),
                    rt::active.eq(input.active),
                    rt::sort.eq(input.sort),
                ))
                .returning(rt::id),
            conn,
        )
        .await
        .map_err(taken("code"))?;
        Ok(id)
    }

    async fn change(
        conn: &mut AsyncPgConnection,
        _by: i32,
        id: &i32,
        _before: &Self,
        input: &ReplyTemplateInput,
    ) -> EditResult<()> {
        diesel::update(rt::table.find(*id))
            .set((
                rt::purpose.eq(&input.purpose),
                rt::name_vi.eq(&input.name_vi),
                rt::name_en.eq(&input.name_en),
                rt::body_vi.eq(&input.body_vi),
                rt::body_en.eq(&input.body_en),
                rt::field_code.eq(&input.field_code),
                rt::active.eq(input.active),
                rt::sort.eq(input.sort),
                rt::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }

    fn action(before: &Self, input: &ReplyTemplateInput) -> &'static str {
        action(before.active, input.active)
    }
}
