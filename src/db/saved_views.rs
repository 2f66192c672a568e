//! A staff member's saved queue views (migration 000045): a name and the queue's query
//! string. Plain SQL, so that the table stays out of the shared schema module.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct SavedView {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub query: String,
}

/// `user_id`'s views, by name.
pub async fn list(conn: &mut &AsyncPgConnection, user_id: i32) -> QueryResult<Vec<SavedView>> {
    super::prepared::prepared(
        diesel::sql_query(
            "SELECT id, name, query FROM saved_views WHERE user_id = $1 ORDER BY lower(name), id",
        )
        .bind::<Integer, _>(user_id),
    )
    .load(conn)
    .await
}

/// Saves (or, under a name already used, replaces) a view; its id and the query it
/// replaced, if any.
pub async fn upsert(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    name: &str,
    query: &str,
) -> QueryResult<(i64, Option<String>)> {
    #[derive(QueryableByName)]
    struct Saved {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        before: Option<String>,
    }
    let saved: Saved = super::durable::one(
        diesel::sql_query(
            "WITH old AS (SELECT query FROM saved_views WHERE user_id = $1 AND name = $2)
             INSERT INTO saved_views (user_id, name, query) VALUES ($1, $2, $3)
             ON CONFLICT (user_id, name) DO UPDATE SET query = EXCLUDED.query
             RETURNING id, (SELECT query FROM old) AS before",
        )
        .bind::<Integer, _>(user_id)
        .bind::<Text, _>(name)
        .bind::<Text, _>(query),
        conn,
    )
    .await?;
    Ok((saved.id, saved.before))
}

/// Deletes `user_id`'s view `id`; the view deleted, `None` when it is not theirs.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    user_id: i32,
    id: i64,
) -> QueryResult<Option<SavedView>> {
    super::durable::optional(
        diesel::sql_query(
            "DELETE FROM saved_views WHERE user_id = $1 AND id = $2 RETURNING id, name, query",
        )
        .bind::<Integer, _>(user_id)
        .bind::<BigInt, _>(id),
        conn,
    )
    .await
}
