//! A word search of `/answers` in relevance order (issue 21, item 5), and its count: as
//! the staff search does (`db::queue_search`), only the newest `want` matches (the page
//! uses 100) are ranked, by how much of the query a copy's title holds, the newest
//! first among equals; the older matches follow newest first, paged by the keyset
//! cursor from the oldest ranked one. The count is exact up to a bound: a search ranked
//! whole counts its ranking; otherwise up to `bound + 1` copies are counted among the
//! ids the GIN index gave, or by walking the newest listed copies (the words then fill
//! the ranking from the newest, so they are common and the walk is short), capped, with
//! the GIN index for the older ones when the cap comes first.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::publication::{
    AnswerCursor, AnswerFilter, ListedAnswer, Words, build, find, match_ids, window_cutoff,
};
use super::schema::public_answers;
use crate::domain::highlight::Matcher;

/// The newest matches of a search, best first, and where the older ones start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedAnswers {
    /// Public ids.
    pub ids: Vec<String>,
    /// The oldest ranked match, when older matches follow it (newest first).
    pub rest_after: Option<AnswerCursor>,
}

/// A ranking: when just made, with the copies ranked (read already) and the ids the GIN
/// index gave, if it was asked (for the count).
pub struct AnswerRanking {
    pub ranked: RankedAnswers,
    rows: Vec<ListedAnswer>,
    among: Option<Vec<i64>>,
}

impl AnswerRanking {
    /// Whether the GIN index gave its matches.
    pub fn from_index(&self) -> bool {
        self.among.is_some()
    }

    /// A ranking made earlier (kept a few seconds): its rows are read again.
    pub fn kept(ranked: RankedAnswers) -> AnswerRanking {
        AnswerRanking {
            ranked,
            rows: Vec::new(),
            among: None,
        }
    }
}

/// Where the page after this one starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// The next page of the ranking (1-based).
    Ranked(usize),
    /// The older matches after this cursor, newest first.
    After(AnswerCursor),
}

fn from_first(f: &AnswerFilter) -> AnswerFilter {
    AnswerFilter {
        after: None,
        ..f.clone()
    }
}

fn cursor(r: &ListedAnswer) -> AnswerCursor {
    AnswerCursor {
        answered_on: r.answered_on,
        public_id: r.public_id.clone(),
    }
}

/// Ranks the newest `want` listed copies matching `f`'s words (`window` as in
/// [`super::publication::list_with_window`]).
pub async fn rank(
    conn: &mut AsyncPgConnection,
    f: &AnswerFilter,
    want: i64,
    window: i64,
) -> QueryResult<AnswerRanking> {
    let found = find(conn, &from_first(f), want, window).await?;
    let rest_after = match (found.more, found.rows.last()) {
        (true, Some(last)) => Some(cursor(last)),
        _ => None,
    };
    let matcher = Matcher::new(&f.query);
    let mut scored: Vec<(u8, &ListedAnswer)> = found
        .rows
        .iter()
        .map(|r| (matcher.relevance(&r.title), r))
        .collect();
    scored.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.answered_on.cmp(&a.1.answered_on))
            .then(b.1.public_id.cmp(&a.1.public_id))
    });
    let ids = scored
        .into_iter()
        .map(|(_, r)| r.public_id.clone())
        .collect();
    Ok(AnswerRanking {
        ranked: RankedAnswers { ids, rest_after },
        rows: found.rows,
        among: found.among,
    })
}

/// A common word's count walks at most this many windows of the newest copies before
/// it asks the GIN index for the older ones.
const COUNT_WINDOWS: i64 = 10;

/// How many listed copies the search finds, up to `bound` (past it, `bound + 1`), as
/// the staff search counts (`db::queue_search::count_up_to`).
pub async fn count_up_to(
    conn: &mut AsyncPgConnection,
    f: &AnswerFilter,
    ranking: &AnswerRanking,
    bound: i64,
    window: i64,
) -> QueryResult<i64> {
    let f = from_first(f);
    let (Some(ts), Some(_)) = (f.query.tsquery(), &ranking.ranked.rest_after) else {
        return Ok(ranking.ranked.ids.len() as i64);
    };
    let count = async |conn: &mut AsyncPgConnection, words, cutoff| {
        let rows: Vec<ListedAnswer> = build(&f, words, cutoff).limit(bound + 1).load(conn).await?;
        QueryResult::Ok(rows.len() as i64)
    };
    if let Some(ids) = &ranking.among {
        return count(conn, Words::Among(ids), None).await;
    }
    let cutoff = window_cutoff(conn, &f, window * COUNT_WINDOWS).await?;
    let n = count(conn, Words::Match(&ts), cutoff.as_ref()).await?;
    if n > bound || cutoff.is_none() {
        return Ok(n);
    }
    match match_ids(conn, &ts).await? {
        Some(ids) => count(conn, Words::Among(&ids), None).await,
        None => count(conn, Words::Match(&ts), None).await,
    }
}

/// Page `number` (1-based) of a ranked search of `limit` copies: the ranked ones in
/// their order, then the older matches newest first; and where the next page starts.
pub async fn page_of(
    conn: &mut AsyncPgConnection,
    ranking: &AnswerRanking,
    f: &AnswerFilter,
    number: usize,
    limit: i64,
    window: i64,
) -> QueryResult<(Vec<ListedAnswer>, Option<NextPage>)> {
    let ranked = &ranking.ranked;
    let per_page = limit.max(1) as usize;
    let offset = number.saturating_sub(1).saturating_mul(per_page);
    let end = offset.saturating_add(per_page);
    let head = &ranked.ids[offset.min(ranked.ids.len())..end.min(ranked.ids.len())];
    let mut rows = in_order(conn, head, &ranking.rows).await?;
    if end < ranked.ids.len() {
        return Ok((rows, Some(NextPage::Ranked(number + 1))));
    }
    let Some(rest_after) = &ranked.rest_after else {
        return Ok((rows, None));
    };
    let want = per_page.saturating_sub(rows.len()) as i64;
    if want == 0 || offset > ranked.ids.len() {
        return Ok((rows, Some(NextPage::After(rest_after.clone()))));
    }
    let rest = AnswerFilter {
        after: Some(rest_after.clone()),
        ..f.clone()
    };
    let found = find(conn, &rest, want, window).await?;
    let next = match (found.more, found.rows.last()) {
        (true, Some(last)) => Some(NextPage::After(cursor(last))),
        _ => None,
    };
    rows.extend(found.rows);
    Ok((rows, next))
}

/// The listed copies of these public ids in that order, from `known` or read.
async fn in_order(
    conn: &mut AsyncPgConnection,
    ids: &[String],
    known: &[ListedAnswer],
) -> QueryResult<Vec<ListedAnswer>> {
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !known.iter().any(|r| &r.public_id == *id))
        .cloned()
        .collect();
    let read: Vec<ListedAnswer> = if missing.is_empty() {
        Vec::new()
    } else {
        public_answers::table
            .filter(public_answers::public_id.eq_any(missing))
            .filter(public_answers::published_at.is_not_null())
            .filter(public_answers::unpublished_at.is_null())
            .select(ListedAnswer::as_select())
            .load(conn)
            .await?
    };
    Ok(ids
        .iter()
        .filter_map(|id| {
            known
                .iter()
                .chain(&read)
                .find(|r| &r.public_id == id)
                .cloned()
        })
        .collect())
}

/// The start of the question of these listed copies, for the excerpt under each result.
pub async fn question_heads(
    conn: &mut AsyncPgConnection,
    public_ids: &[String],
    chars: i32,
) -> QueryResult<Vec<(String, String)>> {
    if public_ids.is_empty() {
        return Ok(Vec::new());
    }
    public_answers::table
        .filter(public_answers::public_id.eq_any(public_ids.to_vec()))
        .filter(public_answers::published_at.is_not_null())
        .filter(public_answers::unpublished_at.is_null())
        .select((
            public_answers::public_id,
            diesel::dsl::sql::<Text>("left(question, ")
                .bind::<Integer, _>(chars)
                .sql(")"),
        ))
        .load(conn)
        .await
}
