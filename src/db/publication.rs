//! `public_answers`: the reviewed public copy of an answered PAKN (staff side: the copy
//! of a ticket, saving, publishing, unpublishing) and the public list and page
//! (`/answers`).
//!
//! A copy is *listed* when it was published and not unpublished since. Publishing is
//! refused for confidential, refused and out-of-scope tickets, and a trigger unpublishes
//! the copy the moment its ticket becomes one (migration `…000017`), so the public reads
//! need no join to `tickets` (it doubled a list page's cost in Postgres).
//!
//! The list walks the partial index on (answered_on, public_id) newest first (0.05 ms
//! for a page at 400,000 listed copies). A word search first walks the newest
//! [`SEARCH_WINDOW`] listed copies testing each against the stored tsvector (common
//! words fill a page there), then asks the GIN index (rare words), as the staff queue
//! does (`db::queue`): left to itself, Postgres estimated 1,600 rows for a prefix query
//! that matched 79,000, took the GIN bitmap and sorted (1 s instead of 8 ms). The walk's
//! test is wrapped in `coalesce` so that the planner cannot turn it into that bitmap.
//! A search's ranking and count (issue 21) are in `db::answers_search`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::schema::{public_answers, replies, tickets};
use super::tickets::TicketRow;
use crate::domain::search::Query;

/// Listed copies only: published, not unpublished (the partial indexes' predicate).
macro_rules! listed {
    ($q:expr) => {
        $q.filter(public_answers::published_at.is_not_null())
            .filter(public_answers::unpublished_at.is_null())
    };
}

/// A word search walks at most this many of the newest listed copies before it asks
/// the GIN index.
pub const SEARCH_WINDOW: i64 = 2000;
/// Past this many matches the GIN path gives way to an unbounded walk.
pub const MAX_MATCH_IDS: i64 = 20_000;

// Staff side -----------------------------------------------------------------------------

/// A ticket's public copy.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = public_answers)]
pub struct PublicAnswerRow {
    pub id: i64,
    pub public_id: String,
    pub ticket_id: i64,
    pub field_code: String,
    pub title: String,
    pub question: String,
    pub answer: String,
    pub answered_on: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<i32>,
    pub unpublished_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl PublicAnswerRow {
    /// Published and not unpublished since (the ticket's own state aside).
    pub fn is_published(&self) -> bool {
        self.published_at.is_some() && self.unpublished_at.is_none()
    }
}

pub async fn for_ticket(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Option<PublicAnswerRow>> {
    public_answers::table
        .filter(public_answers::ticket_id.eq(ticket_id))
        .select(PublicAnswerRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The approved (sent) official reply of a ticket.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = replies)]
pub struct ApprovedReply {
    pub id: i64,
    pub body: String,
    pub number_symbol: Option<String>,
    pub reply_date: Option<NaiveDate>,
    pub signer: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The latest approved reply of a ticket (a reopened PAKN may have several).
pub async fn approved_reply(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Option<ApprovedReply>> {
    replies::table
        .filter(replies::ticket_id.eq(ticket_id))
        .filter(replies::state.eq("approved"))
        .order(replies::id.desc())
        .select(ApprovedReply::as_select())
        .first(conn)
        .await
        .optional()
}

/// The ticket, locked until the transaction ends (a publication and a change of the
/// ticket's status or confidentiality never interleave).
pub async fn lock_ticket(conn: &mut AsyncPgConnection, ticket_id: i64) -> QueryResult<TicketRow> {
    tickets::table
        .find(ticket_id)
        .select(TicketRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// The text of a copy and what goes with it.
#[derive(Debug, Clone, Copy)]
pub struct CopyWrite<'a> {
    pub field_code: &'a str,
    pub title: &'a str,
    pub question: &'a str,
    pub answer: &'a str,
    pub answered_on: NaiveDate,
    /// The folded copy (`domain::masking::search_text`).
    pub search_text: &'a str,
}

/// Creates the ticket's copy (with `new_public_id`) or replaces its text; its
/// publication state is left as it was.
pub async fn save(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    new_public_id: &str,
    w: &CopyWrite<'_>,
) -> QueryResult<PublicAnswerRow> {
    use diesel::upsert::excluded;
    crate::db::durable::one(
        diesel::insert_into(public_answers::table)
            .values((
                public_answers::public_id.eq(new_public_id),
                public_answers::ticket_id.eq(ticket_id),
                public_answers::field_code.eq(w.field_code),
                public_answers::title.eq(w.title),
                public_answers::question.eq(w.question),
                public_answers::answer.eq(w.answer),
                public_answers::answered_on.eq(w.answered_on),
                public_answers::search_text.eq(w.search_text),
            ))
            .on_conflict(public_answers::ticket_id)
            .do_update()
            .set((
                public_answers::field_code.eq(excluded(public_answers::field_code)),
                public_answers::title.eq(excluded(public_answers::title)),
                public_answers::question.eq(excluded(public_answers::question)),
                public_answers::answer.eq(excluded(public_answers::answer)),
                public_answers::answered_on.eq(excluded(public_answers::answered_on)),
                public_answers::search_text.eq(excluded(public_answers::search_text)),
                public_answers::updated_at.eq(diesel::dsl::now),
            ))
            .returning(PublicAnswerRow::as_returning()),
        conn,
    )
    .await
}

/// Puts the copy on the public list.
pub async fn set_published(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
    user_id: i32,
) -> QueryResult<PublicAnswerRow> {
    crate::db::durable::one(
        diesel::update(public_answers::table.filter(public_answers::ticket_id.eq(ticket_id)))
            .set((
                public_answers::published_at.eq(diesel::dsl::now),
                public_answers::published_by.eq(user_id),
                public_answers::unpublished_at.eq(None::<DateTime<Utc>>),
                public_answers::updated_at.eq(diesel::dsl::now),
            ))
            .returning(PublicAnswerRow::as_returning()),
        conn,
    )
    .await
}

/// Takes the copy off the public list (it stays stored, for a later republication).
pub async fn set_unpublished(conn: &mut AsyncPgConnection, ticket_id: i64) -> QueryResult<usize> {
    diesel::update(
        public_answers::table
            .filter(public_answers::ticket_id.eq(ticket_id))
            .filter(public_answers::unpublished_at.is_null())
            .filter(public_answers::published_at.is_not_null()),
    )
    .set((
        public_answers::unpublished_at.eq(diesel::dsl::now),
        public_answers::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .await
}

// Public side ----------------------------------------------------------------------------

/// One line of `/answers`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = public_answers)]
pub struct ListedAnswer {
    pub public_id: String,
    pub title: String,
    pub field_code: String,
    pub answered_on: NaiveDate,
}

/// `/answers/{public_id}`: the copy and nothing of the ticket.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = public_answers)]
pub struct AnswerPage {
    pub public_id: String,
    pub title: String,
    pub question: String,
    pub answer: String,
    pub field_code: String,
    pub answered_on: NaiveDate,
}

/// A position in the list: the last row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerCursor {
    pub answered_on: NaiveDate,
    pub public_id: String,
}

impl AnswerCursor {
    /// `2026-03-12.<public id>`: readable, URL-safe, stable.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.answered_on.format("%Y-%m-%d"), self.public_id)
    }

    pub fn decode(s: &str) -> Option<AnswerCursor> {
        let (date, id) = s.split_once('.')?;
        let answered_on = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        crate::domain::publication::is_public_id(id).then(|| AnswerCursor {
            answered_on,
            public_id: id.to_string(),
        })
    }
}

/// What `/answers` asks for.
#[derive(Debug, Clone, Default)]
pub struct AnswerFilter {
    pub field: Option<String>,
    pub year: Option<i32>,
    /// The words, expanded with the synonyms: every part must appear.
    pub query: Query,
    pub after: Option<AnswerCursor>,
}

type ListQuery<'a> = public_answers::BoxedQuery<
    'a,
    diesel::pg::Pg,
    diesel::dsl::SqlTypeOf<diesel::dsl::AsSelect<ListedAnswer, diesel::pg::Pg>>,
>;

/// How the words of a search are applied.
pub(super) enum Words<'a> {
    None,
    /// Test each row walked against the tsquery.
    Match(&'a str),
    /// Among these ids (found through the GIN index).
    Among(&'a [i64]),
}

fn year_range(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?,
    ))
}

pub(super) fn build<'a>(
    f: &AnswerFilter,
    words: Words<'_>,
    cutoff: Option<&AnswerCursor>,
) -> ListQuery<'a> {
    let mut q: ListQuery<'a> = listed!(
        public_answers::table
            .select(ListedAnswer::as_select())
            .into_boxed()
    );
    if let Some(field) = &f.field {
        q = q.filter(public_answers::field_code.eq(field.clone()));
    }
    if let Some((from, to)) = f.year.and_then(year_range) {
        q = q
            .filter(public_answers::answered_on.ge(from))
            .filter(public_answers::answered_on.lt(to));
    }
    match words {
        Words::None => {}
        Words::Match(ts) => {
            q = q.filter(
                sql::<Bool>("coalesce(search_tsv @@ to_tsquery('simple', ")
                    .bind::<Text, _>(ts.to_string())
                    .sql("), false)"),
            )
        }
        Words::Among(ids) => q = q.filter(public_answers::id.eq_any(ids.to_vec())),
    }
    if let Some(after) = &f.after {
        q = q.filter(
            sql::<Bool>("(answered_on, public_id) < (")
                .bind::<Date, _>(after.answered_on)
                .sql(", ")
                .bind::<Text, _>(after.public_id.clone())
                .sql(")"),
        );
    }
    if let Some(cut) = cutoff {
        q = q.filter(
            sql::<Bool>("(answered_on, public_id) >= (")
                .bind::<Date, _>(cut.answered_on)
                .sql(", ")
                .bind::<Text, _>(cut.public_id.clone())
                .sql(")"),
        );
    }
    q.order((
        public_answers::answered_on.desc(),
        public_answers::public_id.desc(),
    ))
}

async fn page(
    conn: &mut AsyncPgConnection,
    q: ListQuery<'_>,
    limit: i64,
) -> QueryResult<(Vec<ListedAnswer>, bool)> {
    let mut rows: Vec<ListedAnswer> = q.limit(limit + 1).load(conn).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// A page of listed copies, newest answer first, and whether more follow.
pub async fn list(
    conn: &mut AsyncPgConnection,
    f: &AnswerFilter,
    limit: i64,
) -> QueryResult<(Vec<ListedAnswer>, bool)> {
    list_with_window(conn, f, limit, SEARCH_WINDOW).await
}

/// [`list`] with the search window given (tests use a tiny one to take both paths).
pub async fn list_with_window(
    conn: &mut AsyncPgConnection,
    f: &AnswerFilter,
    limit: i64,
    window: i64,
) -> QueryResult<(Vec<ListedAnswer>, bool)> {
    let found = find(conn, f, limit, window).await?;
    Ok((found.rows, found.more))
}

/// A page of listed copies, and how its words were matched.
pub(super) struct Found {
    pub rows: Vec<ListedAnswer>,
    /// Whether more rows follow.
    pub more: bool,
    /// Every listed copy matching the words, when the GIN index was asked.
    pub among: Option<Vec<i64>>,
}

/// [`list_with_window`], saying whether the GIN index gave the matches.
pub(super) async fn find(
    conn: &mut AsyncPgConnection,
    f: &AnswerFilter,
    limit: i64,
    window: i64,
) -> QueryResult<Found> {
    let found = |(rows, more), among| Found { rows, more, among };
    let Some(ts) = f.query.tsquery() else {
        return Ok(found(
            page(conn, build(f, Words::None, None), limit).await?,
            None,
        ));
    };
    let Some(cutoff) = window_cutoff(conn, f, window).await? else {
        // Fewer listed copies than the window: walking them all is cheap.
        let q = build(f, Words::Match(&ts), None);
        return Ok(found(page(conn, q, limit).await?, None));
    };
    let (rows, more) = page(conn, build(f, Words::Match(&ts), Some(&cutoff)), limit).await?;
    if more {
        return Ok(found((rows, more), None));
    }
    match match_ids(conn, &ts).await? {
        Some(ids) => {
            let q = build(f, Words::Among(&ids), None);
            Ok(found(page(conn, q, limit).await?, Some(ids)))
        }
        None => {
            let q = build(f, Words::Match(&ts), None);
            Ok(found(page(conn, q, limit).await?, None))
        }
    }
}

/// The position of the `window`-th listed copy after the cursor (same lĩnh vực and
/// year); `None` when there are fewer.
pub(super) async fn window_cutoff(
    conn: &mut AsyncPgConnection,
    f: &AnswerFilter,
    window: i64,
) -> QueryResult<Option<AnswerCursor>> {
    let row: Option<ListedAnswer> = build(f, Words::None, None)
        .offset(window)
        .limit(1)
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|r| AnswerCursor {
        answered_on: r.answered_on,
        public_id: r.public_id,
    }))
}

/// Every listed copy matching the tsquery, through the GIN index; `None` past
/// [`MAX_MATCH_IDS`].
pub(super) async fn match_ids(
    conn: &mut AsyncPgConnection,
    ts: &str,
) -> QueryResult<Option<Vec<i64>>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let ids: Vec<Id> = diesel::sql_query(
        "SELECT id FROM public_answers \
         WHERE search_tsv @@ to_tsquery('simple', $1) \
           AND published_at IS NOT NULL AND unpublished_at IS NULL \
         LIMIT $2",
    )
    .bind::<Text, _>(ts)
    .bind::<BigInt, _>(MAX_MATCH_IDS + 1)
    .load(conn)
    .await?;
    Ok(((ids.len() as i64) <= MAX_MATCH_IDS).then(|| ids.into_iter().map(|i| i.id).collect()))
}

/// A listed copy by its public id.
pub async fn listed_by_public_id(
    conn: &mut AsyncPgConnection,
    public_id: &str,
) -> QueryResult<Option<AnswerPage>> {
    listed!(
        public_answers::table
            .filter(public_answers::public_id.eq(public_id))
            .select(AnswerPage::as_select())
    )
    .first(conn)
    .await
    .optional()
}

/// The year of the oldest listed answer (for the year filter).
pub async fn first_year(conn: &mut AsyncPgConnection) -> QueryResult<Option<i32>> {
    let oldest: Option<NaiveDate> = public_answers::table
        .filter(public_answers::published_at.is_not_null())
        .filter(public_answers::unpublished_at.is_null())
        .select(diesel::dsl::min(public_answers::answered_on))
        .first(conn)
        .await?;
    Ok(oldest.map(|d| chrono::Datelike::year(&d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let c = AnswerCursor {
            answered_on: NaiveDate::from_ymd_opt(2026, 3, 12).expect("date"),
            public_id: "0123456789abcdef".into(),
        };
        assert_eq!(c.encode(), "2026-03-12.0123456789abcdef");
        assert_eq!(AnswerCursor::decode(&c.encode()), Some(c));
        assert_eq!(AnswerCursor::decode("2026-03-12.x"), None);
        assert_eq!(AnswerCursor::decode("2026-13-12.0123456789abcdef"), None);
        assert_eq!(AnswerCursor::decode(""), None);
    }
}
