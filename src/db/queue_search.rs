//! A staff word search in relevance order (issue 21, item 5), and its count.
//!
//! Ranking every match is not affordable: a common word is in a fifth of 1,000,000 PAKN,
//! and ranking 200,000 rows would cost what the two search paths of [`super::queue`]
//! avoid. So only the newest `want` (the web uses 200) matches in scope are ranked:
//! found as the newest-first list finds them (the newest tickets walked, else the GIN
//! index), then ordered by how much of the query their title holds
//! ([`Matcher::relevance`], the same test that marks the words on the page), the newest
//! first among equals. The older matches follow, newest first, from the oldest ranked
//! one on. A search with no more matches than `want` is ranked whole.
//!
//! The count beside the list is exact up to a bound and "more than" past it, and bounded
//! in cost like the list ([`count_up_to`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::prepared::{paged, prepared};
use super::queue::{
    Cursor, DueDates, QueueFilter, QueueRow, Scope, Sort, Words, filtered, find, list_with_window,
    match_ids, window_cutoff,
};
use super::schema::tickets;
use crate::domain::highlight::Matcher;
use crate::domain::search::SearchTerm;

/// The newest matches of a word search, best first, and where the older ones start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub ids: Vec<i64>,
    /// The oldest ranked match, when older matches follow it (newest first).
    pub rest_after: Option<Cursor>,
}

/// A ranking: when just made, with the rows ranked (read already, for the first page)
/// and the ids the GIN index gave, if it was asked (for the count).
pub struct Ranking {
    pub ranked: Ranked,
    rows: Vec<QueueRow>,
    among: Option<Vec<i64>>,
}

impl Ranking {
    /// Whether the GIN index gave its matches (the words were too rare to fill it from
    /// the newest tickets).
    pub fn from_index(&self) -> bool {
        self.among.is_some()
    }

    /// A ranking made earlier (kept a few seconds): its rows are read again.
    pub fn kept(ranked: Ranked) -> Ranking {
        Ranking {
            ranked,
            rows: Vec::new(),
            among: None,
        }
    }
}

/// The filter of the newest matches of `filter`'s words, from the first.
fn newest(filter: &QueueFilter) -> QueueFilter {
    QueueFilter {
        sort: Sort::default(),
        offset: 0,
        after: None,
        ..filter.clone()
    }
}

/// Ranks the newest `want` matches of `filter`'s words in scope (a filter without words
/// ranks its newest rows by date alone). `window` is the newest-tickets walk of
/// [`super::queue::list_with_window`].
pub async fn rank(
    conn: &mut AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    want: i64,
    window: i64,
) -> QueryResult<Ranking> {
    let found = find(&mut &*conn, &newest(filter), scope, due, want, window).await?;
    let rest_after = match (found.more, found.rows.last()) {
        (true, Some(last)) => Some(Cursor {
            received_at: last.received_at,
            id: last.id,
        }),
        _ => None,
    };
    let matcher = filter
        .term
        .as_ref()
        .and_then(SearchTerm::query)
        .map(Matcher::new);
    let mut scored: Vec<(u8, DateTime<Utc>, i64)> = found
        .rows
        .iter()
        .map(|r| {
            let relevance = matcher.as_ref().map_or(0, |m| m.relevance(&r.title));
            (relevance, r.received_at, r.id)
        })
        .collect();
    scored.sort_by(|a, b| b.cmp(a));
    Ok(Ranking {
        ranked: Ranked {
            ids: scored.into_iter().map(|(_, _, id)| id).collect(),
            rest_after,
        },
        rows: found.rows,
        among: found.among,
    })
}

/// A common word's count walks at most this many windows of the newest tickets before
/// it asks the GIN index for the older ones.
const COUNT_WINDOWS: i64 = 10;

/// How many rows the ranked search finds in scope, counted up to `bound` (past it,
/// `bound + 1`): by the ranking when it holds them all; among the GIN index's ids when
/// the ranking came from there; else (words common among the newest tickets) by walking
/// the newest [`COUNT_WINDOWS`] × `window` tickets, and when fewer than the bound match
/// there (a word common only lately), through the GIN index for the older ones.
pub async fn count_up_to(
    conn: &mut AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    ranking: &Ranking,
    bound: i64,
    window: i64,
) -> QueryResult<i64> {
    let complete = ranking.ranked.ids.len() as i64;
    let (Some(SearchTerm::Words { query, dossier }), Some(_)) =
        (&filter.term, ranking.ranked.rest_after)
    else {
        return Ok(complete);
    };
    let count = |words: Words, cutoff| Count {
        filter,
        scope,
        due,
        words,
        cutoff,
        bound,
    };
    if let Some(ids) = &ranking.among {
        return count(Words::Among(ids.clone()), None).run(conn).await;
    }
    let (ts, dossier) = (query.tsquery(), dossier.clone());
    let walk = || Words::Walk(ts.clone(), dossier.clone());
    let unit = scope.unit.or(filter.unit);
    let cutoff = window_cutoff(&mut &*conn, unit, None, window * COUNT_WINDOWS).await?;
    let n = count(walk(), cutoff).run(conn).await?;
    if n > bound || cutoff.is_none() {
        return Ok(n);
    }
    match match_ids(&mut &*conn, ts.as_deref(), dossier.as_deref()).await? {
        Some(ids) => count(Words::Among(ids), None).run(conn).await,
        None => count(walk(), None).run(conn).await,
    }
}

/// One bounded count of a word search's rows.
struct Count<'f> {
    filter: &'f QueueFilter,
    scope: Scope,
    due: DueDates,
    words: Words,
    /// Only tickets received since then.
    cutoff: Option<DateTime<Utc>>,
    bound: i64,
}

impl Count<'_> {
    /// Up to `bound + 1` rows: among ids in any order (the first found will do), or
    /// walking the newest first (the order is what makes it a walk).
    async fn run(self, conn: &mut AsyncPgConnection) -> QueryResult<i64> {
        let q = tickets::table.select(tickets::id).into_boxed();
        let among = matches!(self.words, Words::Among(_));
        let q = filtered(
            q,
            self.filter,
            self.scope,
            self.due,
            Some(&self.words),
            self.cutoff,
        );
        let q = if among {
            q
        } else {
            q.order((tickets::received_at.desc(), tickets::id.desc()))
        };
        let ids: Vec<i64> = paged(q, self.bound + 1, 0).load(conn).await?;
        Ok(ids.len() as i64)
    }
}

/// The page at `filter.offset` of a ranked search: the ranked rows in their order, then
/// the older matches newest first; and whether more rows follow. The rows a fresh
/// ranking read are used as they are, the others read by id.
pub async fn page(
    conn: &mut AsyncPgConnection,
    ranking: &Ranking,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    limit: i64,
    window: i64,
) -> QueryResult<(Vec<QueueRow>, bool)> {
    let (ranked, known) = (&ranking.ranked, ranking.rows.as_slice());
    let offset = filter.offset.max(0) as usize;
    let ranked_len = ranked.ids.len();
    let end = offset.saturating_add(limit.max(0) as usize);
    let head_ids = &ranked.ids[offset.min(ranked_len)..end.min(ranked_len)];
    let mut rows = in_order(conn, head_ids, known).await?;
    if end < ranked_len {
        return Ok((rows, true));
    }
    let Some(rest_after) = ranked.rest_after else {
        return Ok((rows, false));
    };
    let rest = QueueFilter {
        after: Some(rest_after),
        offset: offset.saturating_sub(ranked_len) as i64,
        ..newest(filter)
    };
    let want = limit - rows.len() as i64;
    if want <= 0 {
        return Ok((rows, true));
    }
    let (older, more) = list_with_window(conn, &rest, scope, due, want, window).await?;
    rows.extend(older);
    Ok((rows, more))
}

/// The rows of `ids` in that order, from `known` or read.
async fn in_order(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
    known: &[QueueRow],
) -> QueryResult<Vec<QueueRow>> {
    let missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !known.iter().any(|r| r.id == *id))
        .collect();
    let read: Vec<QueueRow> = if missing.is_empty() {
        Vec::new()
    } else {
        prepared(
            tickets::table
                .filter(tickets::id.eq_any(missing))
                .select(QueueRow::as_select()),
        )
        .load(conn)
        .await?
    };
    Ok(ids
        .iter()
        .filter_map(|id| known.iter().chain(&read).find(|r| r.id == *id).cloned())
        .collect())
}

/// The start of the content of these tickets, for the excerpt under each result
/// (confidential ones are left out: their list line withholds the title too).
pub async fn content_heads(
    conn: &mut &AsyncPgConnection,
    ids: &[i64],
    chars: i32,
) -> QueryResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    prepared(
        tickets::table
            .filter(tickets::id.eq_any(ids.to_vec()))
            .filter(tickets::confidential.eq(false))
            .select((
                tickets::id,
                diesel::dsl::sql::<Text>("left(content, ")
                    .bind::<diesel::sql_types::Integer, _>(chars)
                    .sql(")"),
            )),
    )
    .load(conn)
    .await
}
