//! Contacts: the published recipients notified by email (kind `receiving`) and the
//! department's hotline entries (kind `hotline`). A contact that an active routing rule
//! notifies stays active and keeps an email.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Problem, Record, action, taken};
use crate::db::schema::{contacts, routing_rule_contacts, routing_rules, users};

#[derive(Debug, Clone, Queryable, Serialize)]
pub struct ContactRow {
    pub id: i32,
    pub code: String,
    pub kind: String,
    pub person_name: Option<String>,
    pub title_vi: String,
    pub title_en: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub needs_verification: bool,
    pub active: bool,
    pub sort: i32,
    /// The staff account linked to the contact, and its email (login).
    pub user_id: Option<i32>,
    pub account: Option<String>,
}

type Columns = (
    contacts::id,
    contacts::code,
    contacts::kind,
    contacts::person_name,
    contacts::title_vi,
    contacts::title_en,
    contacts::phones,
    contacts::email,
    contacts::needs_verification,
    contacts::active,
    contacts::sort,
    contacts::user_id,
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Text>>,
);

/// The columns of [`ContactRow`]: the linked account's email by a subquery, so that a
/// row lock takes the contact alone.
fn columns() -> Columns {
    (
        contacts::id,
        contacts::code,
        contacts::kind,
        contacts::person_name,
        contacts::title_vi,
        contacts::title_en,
        contacts::phones,
        contacts::email,
        contacts::needs_verification,
        contacts::active,
        contacts::sort,
        contacts::user_id,
        diesel::dsl::sql("(SELECT u.email FROM users u WHERE u.id = contacts.user_id)"),
    )
}

/// The active staff account with `email` (the admin form names the account by its
/// login), or a problem on the form's `account` field.
async fn account_id(conn: &mut AsyncPgConnection, email: Option<&str>) -> EditResult<Option<i32>> {
    let Some(email) = email else {
        return Ok(None);
    };
    let id: Option<i32> = users::table
        .filter(users::email.eq(email.to_lowercase()))
        .filter(users::active)
        .select(users::id)
        .first(conn)
        .await
        .optional()?;
    match id {
        Some(id) => Ok(Some(id)),
        None => Err(EditError::one("account", "admin-contact-account-unknown")),
    }
}

/// A checked contact form (`code` is used only when creating).
#[derive(Debug, Clone, Default)]
pub struct ContactInput {
    pub code: String,
    pub kind: String,
    pub person_name: Option<String>,
    pub title_vi: String,
    pub title_en: String,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub needs_verification: bool,
    pub active: bool,
    pub sort: i32,
    /// The login email of the staff account to link, if any.
    pub account: Option<String>,
}

pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<ContactRow>> {
    contacts::table
        .order((contacts::sort, contacts::id))
        .select(columns())
        .load(conn)
        .await
}

/// Names of the active routing rules that notify the contact.
async fn rules_notifying(conn: &mut AsyncPgConnection, id: i32) -> QueryResult<Vec<String>> {
    routing_rule_contacts::table
        .inner_join(routing_rules::table)
        .filter(routing_rule_contacts::contact_id.eq(id))
        .filter(routing_rules::active)
        .order(routing_rules::position)
        .select(routing_rules::name)
        .load(conn)
        .await
}

impl Record for ContactRow {
    const ENTITY: &'static str = "contact";
    type Key = i32;
    type Input = ContactInput;

    async fn find(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<ContactRow>> {
        contacts::table
            .find(*id)
            .select(columns())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<ContactRow>> {
        contacts::table
            .find(*id)
            .select(columns())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        _by: i32,
        input: &ContactInput,
    ) -> EditResult<i32> {
        let exists: i64 = contacts::table
            .filter(contacts::code.eq(&input.code))
            .count()
            .get_result(conn)
            .await?;
        if exists > 0 {
            return Err(EditError::one("code", "admin-err-taken"));
        }
        let user_id = account_id(conn, input.account.as_deref()).await?;
        let id = crate::db::durable::one(
            diesel::insert_into(contacts::table)
                .values((
                    contacts::code.eq(&input.code),
                    contacts::kind.eq(&input.kind),
                    contacts::person_name.eq(&input.person_name),
                    contacts::title_vi.eq(&input.title_vi),
                    contacts::title_en.eq(&input.title_en),
                    contacts::phones.eq(&input.phones),
                    contacts::email.eq(&input.email),
                    contacts::needs_verification.eq(input.needs_verification),
                    contacts::active.eq(input.active),
                    contacts::sort.eq(input.sort),
                    contacts::user_id.eq(user_id),
                ))
                .returning(contacts::id),
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
        _before: &ContactRow,
        input: &ContactInput,
    ) -> EditResult<()> {
        if !input.active || input.email.is_none() {
            let rules = rules_notifying(conn, *id).await?;
            if !rules.is_empty() {
                let field = if input.active { "email" } else { "active" };
                return Err(EditError::Invalid(vec![Problem::with(
                    field,
                    "admin-contact-in-rules",
                    rules.join("; "),
                )]));
            }
        }
        let user_id = account_id(conn, input.account.as_deref()).await?;
        diesel::update(contacts::table.find(*id))
            .set((
                contacts::user_id.eq(user_id),
                contacts::kind.eq(&input.kind),
                contacts::person_name.eq(&input.person_name),
                contacts::title_vi.eq(&input.title_vi),
                contacts::title_en.eq(&input.title_en),
                contacts::phones.eq(&input.phones),
                contacts::email.eq(&input.email),
                contacts::needs_verification.eq(input.needs_verification),
                contacts::active.eq(input.active),
                contacts::sort.eq(input.sort),
                contacts::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }

    fn action(before: &ContactRow, input: &ContactInput) -> &'static str {
        action(before.active, input.active)
    }
}
