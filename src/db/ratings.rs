//! The citizens' ratings, one per answer (an approved reply): the answer a rating would
//! judge now, and recording one.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{ratings, replies};

/// The ticket's latest answer (its newest approved reply) and its rating, if rated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestAnswer {
    pub reply_id: i64,
    /// The stored rating (`satisfied`, `neutral`, `unsatisfied`).
    pub rating: Option<String>,
}

/// The answer the citizen would rate now: the newest approved reply of the ticket (a
/// reopened PAKN has several), with the rating it was given. `None` while none was
/// approved.
pub async fn latest_answer(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Option<LatestAnswer>> {
    replies::table
        .left_join(ratings::table)
        .filter(replies::ticket_id.eq(ticket_id))
        .filter(replies::state.eq("approved"))
        .order(replies::id.desc())
        .select((replies::id, ratings::rating.nullable()))
        .first::<(i64, Option<String>)>(conn)
        .await
        .optional()
        .map(|row| row.map(|(reply_id, rating)| LatestAnswer { reply_id, rating }))
}

/// A rating to store.
pub struct NewRating<'a> {
    pub reply_id: i64,
    pub ticket_id: i64,
    pub rating: &'a str,
    pub comment: Option<&'a str>,
    pub unit_id: i32,
    pub field_code: &'a str,
    pub at: DateTime<Utc>,
}

/// Stores a rating unless its answer already has one; returns whether it was stored.
pub async fn insert(conn: &mut AsyncPgConnection, r: &NewRating<'_>) -> QueryResult<bool> {
    let inserted = diesel::insert_into(ratings::table)
        .values((
            ratings::reply_id.eq(r.reply_id),
            ratings::ticket_id.eq(r.ticket_id),
            ratings::rating.eq(r.rating),
            ratings::comment.eq(r.comment),
            ratings::unit_id.eq(r.unit_id),
            ratings::field_code.eq(r.field_code),
            ratings::at.eq(r.at),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted > 0)
}
