//! The search's abbreviations and synonyms: groups of terms that mean the same
//! (`domain::synonyms`). A term belongs to one group only (compared folded, so "QSDĐ"
//! and "qsdd" are one term): a second group with it would make one query mean two
//! things. Groups are removed outright (nothing refers to them), audited like any edit.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

use super::{EditError, EditResult, Problem, Record, record};
use crate::db::schema::search_synonyms as ss;
use crate::domain::synonyms::term_words;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = ss)]
pub struct SynonymRow {
    pub id: i32,
    pub terms: Vec<String>,
}

/// A checked group (`domain::admin::synonym_terms`).
#[derive(Debug, Clone, Default)]
pub struct SynonymInput {
    pub terms: Vec<String>,
}

/// Every group, in the order they were added.
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<SynonymRow>> {
    ss::table
        .order(ss::id)
        .select(SynonymRow::as_select())
        .load(conn)
        .await
}

/// Refuses terms another group already has; holds the table against other edits until
/// the transaction ends, so two admins cannot add one term twice.
async fn check_unique(
    conn: &mut AsyncPgConnection,
    terms: &[String],
    except: Option<i32>,
) -> EditResult<()> {
    diesel::sql_query("LOCK TABLE search_synonyms IN SHARE ROW EXCLUSIVE MODE")
        .execute(conn)
        .await?;
    let others = list(conn).await?;
    for term in terms {
        let words = term_words(term);
        let taken = others
            .iter()
            .filter(|g| Some(g.id) != except)
            .find(|g| g.terms.iter().any(|t| term_words(t) == words));
        if let Some(group) = taken {
            return Err(EditError::Invalid(vec![Problem::with(
                "terms",
                "admin-synonym-taken",
                format!("{term} ({})", group.terms.join(" = ")),
            )]));
        }
    }
    Ok(())
}

impl Record for SynonymRow {
    const ENTITY: &'static str = "search_synonym";
    type Key = i32;
    type Input = SynonymInput;

    async fn find(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<SynonymRow>> {
        ss::table
            .find(*id)
            .select(SynonymRow::as_select())
            .first(conn)
            .await
            .optional()
    }

    async fn lock(conn: &mut AsyncPgConnection, id: &i32) -> QueryResult<Option<SynonymRow>> {
        ss::table
            .find(*id)
            .select(SynonymRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()
    }

    async fn insert(
        conn: &mut AsyncPgConnection,
        _by: i32,
        input: &SynonymInput,
    ) -> EditResult<i32> {
        check_unique(conn, &input.terms, None).await?;
        let id = crate::db::durable::one(
            diesel::insert_into(ss::table)
                .values(ss::terms.eq(&input.terms))
                .returning(ss::id),
            conn,
        )
        .await?;
        Ok(id)
    }

    async fn change(
        conn: &mut AsyncPgConnection,
        _by: i32,
        id: &i32,
        _before: &SynonymRow,
        input: &SynonymInput,
    ) -> EditResult<()> {
        check_unique(conn, &input.terms, Some(*id)).await?;
        diesel::update(ss::table.find(*id))
            .set((
                ss::terms.eq(&input.terms),
                ss::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }

    fn action(_before: &SynonymRow, _input: &SynonymInput) -> &'static str {
        "update"
    }
}

/// Removes a group (audited as `delete`, with the group before).
pub async fn delete(conn: &mut AsyncPgConnection, by: i32, id: i32) -> EditResult<()> {
    conn.transaction::<(), EditError, _>(async |conn| {
        let before = SynonymRow::lock(conn, &id)
            .await?
            .ok_or(EditError::NotFound)?;
        diesel::delete(ss::table.find(id)).execute(conn).await?;
        record::<_, SynonymRow>(
            conn,
            by,
            SynonymRow::ENTITY,
            id.to_string(),
            "delete",
            Some(&before),
            None,
        )
        .await?;
        Ok(())
    })
    .await
}
