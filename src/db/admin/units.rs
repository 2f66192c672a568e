//! Handling units: exactly one is the default (where a PAKN goes when no rule matches);
//! the default cannot be unmarked or deactivated, only moved by marking another unit.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Problem, Record, action, record, taken};
use crate::db::schema::{routing_rules, units};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = units)]
pub struct UnitRow {
    pub id: i32,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub email: Option<String>,
    pub is_default: bool,
    pub active: bool,
    pub sort: i32,
}

/// A checked unit form (`code` is used only when creating).
#[derive(Debug, Clone, Default)]
pub struct UnitInput {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub email: Option<String>,
    pub is_default: bool,
    pub active: bool,
    pub sort: i32,
}

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<UnitRow>> {
    units::table
        .order((units::sort, units::id))
        .select(UnitRow::as_select())
        .load(conn)
        .await
}

/// Names of the active routing rules that send PAKN to the unit.
async fn rules_using(conn: &mut AsyncPgConnection, id: i32) -> QueryResult<Vec<String>> {
    routing_rules::table
        .filter(routing_rules::unit_id.eq(id))
        .filter(routing_rules::active)
        .order(routing_rules::position)
        .select(routing_rules::name)
        .load(conn)
        .await
}

/// Takes the default mark off every unit but `keep` (each change audited).
async fn clear_other_defaults(
    conn: &mut AsyncPgConnection,
    by: i32,
    keep: Option<i32>,
) -> QueryResult<()> {
    let defaults: Vec<UnitRow> = units::table
        .filter(units::is_default)
        .select(UnitRow::as_select())
        .for_update()
        .load(conn)
        .await?;
    for before in defaults.into_iter().filter(|u| Some(u.id) != keep) {
        diesel::update(units::table.find(before.id))
            .set((
                units::is_default.eq(false),
                units::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        let after = UnitRow {
            is_default: false,
            ..before.clone()
        };
        record(
            conn,
            by,
            UnitRow::ENTITY,
            before.id.to_string(),
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
    }
    Ok(())
}

impl Record for UnitRow {
    const ENTITY: &'static str = "unit";
    type Key = i32;
    type Input = UnitInput;

    async fn find(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<UnitRow>> {
        units::table
            .find(*id)
            .select(UnitRow::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<UnitRow>> {
        units::table
            .find(*id)
            .select(UnitRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(conn: &mut AsyncPgConnection, by: i32, input: &UnitInput) -> EditResult<i32> {
        if input.is_default && !input.active {
            return Err(EditError::one("active", "admin-unit-default-inactive"));
        }
        let exists: i64 = units::table
            .filter(units::code.eq(&input.code))
            .count()
            .get_result(conn)
            .await?;
        if exists > 0 {
            return Err(EditError::one("code", "admin-err-taken"));
        }
        if input.is_default {
            clear_other_defaults(conn, by, None).await?;
        }
        let id = crate::db::durable::one(
            diesel::insert_into(units::table)
                .values((
                    units::code.eq(&input.code),
                    units::name_vi.eq(&input.name_vi),
                    units::name_en.eq(&input.name_en),
                    units::email.eq(&input.email),
                    units::is_default.eq(input.is_default),
                    units::active.eq(input.active),
                    units::sort.eq(input.sort),
                ))
                .returning(units::id),
            conn,
        )
        .await
        .map_err(taken("code"))?;
        Ok(id)
    }

    async fn change(
        conn: &mut AsyncPgConnection,
        by: i32,
        id: &i32,
        before: &UnitRow,
        input: &UnitInput,
    ) -> EditResult<()> {
        let id = *id;
        let mut problems = Vec::new();
        if before.is_default && !input.is_default {
            problems.push(Problem::new("is_default", "admin-unit-default-keep"));
        }
        if input.is_default && !input.active {
            problems.push(Problem::new("active", "admin-unit-default-inactive"));
        }
        if before.active && !input.active {
            let rules = rules_using(conn, id).await?;
            if !rules.is_empty() {
                problems.push(Problem::with(
                    "active",
                    "admin-unit-in-rules",
                    rules.join("; "),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(EditError::Invalid(problems));
        }
        if input.is_default && !before.is_default {
            clear_other_defaults(conn, by, Some(id)).await?;
        }
        diesel::update(units::table.find(id))
            .set((
                units::name_vi.eq(&input.name_vi),
                units::name_en.eq(&input.name_en),
                units::email.eq(&input.email),
                units::is_default.eq(input.is_default),
                units::active.eq(input.active),
                units::sort.eq(input.sort),
                units::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }

    fn action(before: &UnitRow, input: &UnitInput) -> &'static str {
        action(before.active, input.active)
    }
}
