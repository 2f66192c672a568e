//! Routing rules: ordered by `position`; each names the content categories and lĩnh
//! vực it matches (an empty list matches any), the handling unit, and the contacts
//! notified as to or cc. Exactly one active rule is the default, which applies only when
//! no other rule matches: it cannot be unmarked or deactivated (edit its unit and
//! contacts instead), and its match lists are empty.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Problem, Record, action, record};
use crate::db::schema::{
    contacts, content_categories, fields, routing_rule_contacts as rrc, routing_rules as rr, units,
};

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = rr)]
pub struct RuleRow {
    pub id: i32,
    pub position: i32,
    pub name: String,
    pub match_categories: Vec<String>,
    pub match_fields: Vec<String>,
    pub unit_id: i32,
    pub is_default: bool,
    pub active: bool,
}

/// A rule with the contacts it notifies (ids), as listed, edited and audited.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    #[serde(flatten)]
    pub row: RuleRow,
    pub to: Vec<i32>,
    pub cc: Vec<i32>,
}

/// A checked rule form.
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    pub name: String,
    pub categories: Vec<String>,
    pub fields: Vec<String>,
    pub unit_id: i32,
    pub is_default: bool,
    pub active: bool,
    pub to: Vec<i32>,
    pub cc: Vec<i32>,
}

async fn with_recipients(
    conn: &mut AsyncPgConnection,
    rows: Vec<RuleRow>,
) -> QueryResult<Vec<Rule>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let recipients: Vec<(i32, i32, String)> = rrc::table
        .inner_join(contacts::table)
        .filter(rrc::rule_id.eq_any(&ids))
        .order((contacts::sort, contacts::id))
        .select((rrc::rule_id, rrc::contact_id, rrc::recipient))
        .load(conn)
        .await?;
    let mut by_rule: HashMap<i32, (Vec<i32>, Vec<i32>)> = HashMap::new();
    for (rule, contact, recipient) in recipients {
        let entry = by_rule.entry(rule).or_default();
        if recipient == "cc" {
            entry.1.push(contact);
        } else {
            entry.0.push(contact);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let (to, cc) = by_rule.remove(&row.id).unwrap_or_default();
            Rule { row, to, cc }
        })
        .collect())
}

/// Every rule in evaluation order (position, then id), inactive ones included.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Rule>> {
    let rows = rr::table
        .order((rr::position, rr::id))
        .select(RuleRow::as_select())
        .load(conn)
        .await?;
    with_recipients(conn, rows).await
}

/// Checks a rule against the reference data it names; `before` is the rule being
/// edited (what it already names may stay even if since deactivated).
async fn check(
    conn: &mut AsyncPgConnection,
    input: &RuleInput,
    before: Option<&Rule>,
) -> QueryResult<Vec<Problem>> {
    let mut problems = Vec::new();
    let unit: Option<bool> = units::table
        .find(input.unit_id)
        .select(units::active)
        .first(conn)
        .await
        .optional()?;
    match unit {
        None => problems.push(Problem::new("unit", "admin-err-choice")),
        Some(false) if input.active => {
            problems.push(Problem::new("unit", "admin-rule-unit-inactive"))
        }
        Some(_) => {}
    }
    let known_categories: Vec<(String, bool)> = content_categories::table
        .select((content_categories::code, content_categories::active))
        .load(conn)
        .await?;
    let usable = |known: &[(String, bool)], code: &String, kept: &[String]| {
        known
            .iter()
            .any(|(c, active)| c == code && (*active || kept.contains(code)))
    };
    let kept_categories = before
        .map(|b| b.row.match_categories.clone())
        .unwrap_or_default();
    if !input
        .categories
        .iter()
        .all(|c| usable(&known_categories, c, &kept_categories))
    {
        problems.push(Problem::new("categories", "admin-err-choice"));
    }
    let known_fields: Vec<(String, bool)> = fields::table
        .select((fields::code, fields::active))
        .load(conn)
        .await?;
    let kept_fields = before
        .map(|b| b.row.match_fields.clone())
        .unwrap_or_default();
    if !input
        .fields
        .iter()
        .all(|f| usable(&known_fields, f, &kept_fields))
    {
        problems.push(Problem::new("fields", "admin-err-choice"));
    }
    if !input.is_default && input.categories.is_empty() && input.fields.is_empty() {
        problems.push(Problem::new("categories", "admin-rule-match-needed"));
    }
    let wanted: Vec<i32> = input.to.iter().chain(&input.cc).copied().collect();
    let found: Vec<(i32, String, bool, Option<String>)> = contacts::table
        .filter(contacts::id.eq_any(&wanted))
        .select((
            contacts::id,
            contacts::code,
            contacts::active,
            contacts::email,
        ))
        .load(conn)
        .await?;
    for id in &wanted {
        match found.iter().find(|c| c.0 == *id) {
            None => problems.push(Problem::new("contacts", "admin-err-choice")),
            Some((_, code, active, email)) if !*active || email.is_none() => problems.push(
                Problem::with("contacts", "admin-rule-contact-unusable", code.clone()),
            ),
            Some(_) => {}
        }
    }
    if input.to.is_empty() {
        problems.push(Problem::new("contacts", "admin-rule-to-needed"));
    }
    if let Some(b) = before
        && b.row.is_default
        && (!input.is_default || !input.active)
    {
        problems.push(Problem::new("is_default", "admin-rule-default-keep"));
    }
    if input.is_default && !before.is_some_and(|b| b.row.is_default) {
        let other_default: i64 = rr::table
            .filter(rr::is_default)
            .filter(rr::active)
            .count()
            .get_result(conn)
            .await?;
        if other_default > 0 {
            problems.push(Problem::new("is_default", "admin-rule-default-exists"));
        }
    }
    Ok(problems)
}

async fn set_recipients(
    conn: &mut AsyncPgConnection,
    id: i32,
    input: &RuleInput,
) -> QueryResult<()> {
    diesel::delete(rrc::table.filter(rrc::rule_id.eq(id)))
        .execute(conn)
        .await?;
    let mut rows = Vec::new();
    for c in &input.to {
        rows.push((
            rrc::rule_id.eq(id),
            rrc::contact_id.eq(*c),
            rrc::recipient.eq("to"),
        ));
    }
    for c in input.cc.iter().filter(|c| !input.to.contains(c)) {
        rows.push((
            rrc::rule_id.eq(id),
            rrc::contact_id.eq(*c),
            rrc::recipient.eq("cc"),
        ));
    }
    if !rows.is_empty() {
        diesel::insert_into(rrc::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The lists a rule stores: the default rule matches nothing by itself.
fn match_lists(input: &RuleInput) -> (Vec<String>, Vec<String>) {
    if input.is_default {
        (Vec::new(), Vec::new())
    } else {
        (input.categories.clone(), input.fields.clone())
    }
}

/// Serialises rule edits (positions, the single default) until the transaction ends.
async fn lock_all(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    let _all: Vec<i32> = rr::table.select(rr::id).for_update().load(conn).await?;
    Ok(())
}

impl Record for Rule {
    const ENTITY: &'static str = "routing_rule";
    type Key = i32;
    type Input = RuleInput;

    async fn find(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<Rule>> {
        let rows = rr::table
            .filter(rr::id.eq(*id))
            .select(RuleRow::as_select())
            .load(conn)
            .await?;
        Ok(with_recipients(conn, rows).await?.pop())
    }

    /// Locks every rule (an edit may move the single default), then reads this one.
    async fn lock(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<Rule>> {
        lock_all(conn).await?;
        Self::find(conn, id).await
    }

    /// Creates a rule at the end of the order.
    async fn insert(conn: &mut AsyncPgConnection, _by: i32, input: &RuleInput) -> EditResult<i32> {
        lock_all(conn).await?;
        let problems = check(conn, input, None).await?;
        if !problems.is_empty() {
            return Err(EditError::Invalid(problems));
        }
        let last: Option<i32> = rr::table
            .select(diesel::dsl::max(rr::position))
            .first(conn)
            .await?;
        let (categories, fields) = match_lists(input);
        let id: i32 = crate::db::durable::one(
            diesel::insert_into(rr::table)
                .values((
                    rr::position.eq(last.unwrap_or(0) + 10),
                    rr::name.eq(&input.name),
                    rr::match_categories.eq(categories),
                    rr::match_fields.eq(fields),
                    rr::unit_id.eq(input.unit_id),
                    rr::is_default.eq(input.is_default),
                    rr::active.eq(input.active),
                ))
                .returning(rr::id),
            conn,
        )
        .await?;
        set_recipients(conn, id, input).await?;
        Ok(id)
    }

    async fn change(
        conn: &mut AsyncPgConnection,
        _by: i32,
        id: &i32,
        before: &Rule,
        input: &RuleInput,
    ) -> EditResult<()> {
        let problems = check(conn, input, Some(before)).await?;
        if !problems.is_empty() {
            return Err(EditError::Invalid(problems));
        }
        let (categories, fields) = match_lists(input);
        diesel::update(rr::table.find(*id))
            .set((
                rr::name.eq(&input.name),
                rr::match_categories.eq(categories),
                rr::match_fields.eq(fields),
                rr::unit_id.eq(input.unit_id),
                rr::is_default.eq(input.is_default),
                rr::active.eq(input.active),
                rr::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        set_recipients(conn, *id, input).await?;
        Ok(())
    }

    fn action(before: &Rule, input: &RuleInput) -> &'static str {
        action(before.row.active, input.active)
    }
}

/// Moves a rule one place up or down the order (positions are renumbered 10, 20, …);
/// nothing happens at either end.
pub async fn move_rule(conn: &mut AsyncPgConnection, by: i32, id: i32, up: bool) -> EditResult<()> {
    conn.transaction::<(), EditError, _>(async |conn| {
        let mut order: Vec<(i32, i32)> = rr::table
            .order((rr::position, rr::id))
            .select((rr::id, rr::position))
            .for_update()
            .load(conn)
            .await?;
        let i = order
            .iter()
            .position(|(r, _)| *r == id)
            .ok_or(EditError::NotFound)?;
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        let Some(j) = j.filter(|j| *j < order.len()) else {
            return Ok(());
        };
        let before_position = order[i].1;
        order.swap(i, j);
        let mut after_position = before_position;
        for (n, (rule, position)) in order.iter().enumerate() {
            let wanted = (n as i32 + 1) * 10;
            if *rule == id {
                after_position = wanted;
            }
            if *position != wanted {
                diesel::update(rr::table.find(*rule))
                    .set(rr::position.eq(wanted))
                    .execute(conn)
                    .await?;
            }
        }
        record(
            conn,
            by,
            Rule::ENTITY,
            id.to_string(),
            if up { "move_up" } else { "move_down" },
            Some(&serde_json::json!({ "position": before_position })),
            Some(&serde_json::json!({ "position": after_position })),
        )
        .await?;
        Ok(())
    })
    .await
}
