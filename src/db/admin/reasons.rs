//! Refusal and closing reason templates: texts staff choose (rejected, out of scope,
//! closed) and the automatic jobs use (needs-info expiry). A purpose that has an active
//! template keeps at least one.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Problem, Record, action, taken};
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

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<ReasonRow>> {
    rt::table
        .order((rt::purpose, rt::sort, rt::id))
        .select(ReasonRow::as_select())
        .load(conn)
        .await
}

impl Record for ReasonRow {
    const ENTITY: &'static str = "reason_template";
    type Key = i32;
    type Input = ReasonInput;

    async fn find(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<ReasonRow>> {
        rt::table
            .find(*id)
            .select(ReasonRow::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<ReasonRow>> {
        rt::table
            .find(*id)
            .select(ReasonRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        _by: i32,
        input: &ReasonInput,
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
                    rt::text_vi.eq(&input.text_vi),
                    rt::text_en.eq(&input.text_en),
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
        before: &ReasonRow,
        input: &ReasonInput,
    ) -> EditResult<()> {
        let leaves_purpose = before.active && (!input.active || input.purpose != before.purpose);
        if leaves_purpose {
            let others: i64 = rt::table
                .filter(rt::active)
                .filter(rt::purpose.eq(&before.purpose))
                .filter(rt::id.ne(*id))
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
        diesel::update(rt::table.find(*id))
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
        Ok(())
    }

    fn action(before: &ReasonRow, input: &ReasonInput) -> &'static str {
        action(before.active, input.active)
    }
}
