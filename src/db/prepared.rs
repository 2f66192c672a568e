//! Keeps a hot read's statement prepared on its connection.
//!
//! Diesel caches a statement only when no part of the query is literal SQL: `dsl::sql`
//! and `sql_query` mark the whole query as not cacheable, since their text may be built
//! at run time and would fill the cache without bound. Such a query is parsed and planned
//! by Postgres on every call, at 0.3–0.5 ms each for the staff queue's statements: more
//! than running them. A query whose text comes from a finite set (literal SQL written in
//! the code, filters switched on or off) may be cached safely, because the cache of a
//! query without a static type is keyed by its SQL text and bind types.
//!
//! Wrap only such queries: never one whose text embeds values or a variable number of
//! placeholders.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::result::QueryResult;

/// `Q`, marked safe to keep prepared.
#[derive(Debug, Clone)]
pub struct Prepared<Q>(Q);

/// `query`, whose SQL text is one of a finite set, kept prepared on its connection.
pub fn prepared<Q>(query: Q) -> Prepared<Q> {
    Prepared(query)
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    // Keyed by its SQL text, never by its type (one type may carry many texts).
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}

/// `query` with its LIMIT written into the statement's text, and OFFSET too on a first
/// page, where diesel would bind both.
///
/// Postgres plans a prepared statement once for all calls only when the plan without
/// the parameters' values costs no more than the plans with them; a bound LIMIT is
/// costed as a tenth of the rows, so the queue's page was planned again on every call:
/// 0.26 ms of planning against 0.10 ms of running it, at 1,000,000 PAKN. Written as
/// text, the limit is known to the plan made once.
///
/// `limit` must come from a finite set (a constant of the calling code), as every
/// distinct text is a statement kept prepared; an offset past the first page stays a
/// parameter for the same reason.
#[derive(Debug, Clone)]
pub struct Paged<Q> {
    query: Q,
    limit: i64,
    offset: i64,
    /// Whether the offset too is written into the text (a constant of the code).
    offset_in_text: bool,
}

/// `query` LIMIT `limit` OFFSET `offset` (see [`Paged`]).
pub fn paged<Q>(query: Q, limit: i64, offset: i64) -> Prepared<Paged<Q>> {
    Prepared(Paged {
        query,
        limit,
        offset: offset.max(0),
        offset_in_text: false,
    })
}

/// `query` OFFSET `skip` LIMIT `limit`, both written into the text: for a `skip` that is
/// a constant of the calling code (the newest-tickets window of a search).
pub fn skipping<Q>(query: Q, skip: i64, limit: i64) -> Prepared<Paged<Q>> {
    Prepared(Paged {
        query,
        limit,
        offset: skip.max(0),
        offset_in_text: true,
    })
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Paged<Q> {
    fn walk_ast<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.query.walk_ast(pass.reborrow())?;
        pass.push_sql(" LIMIT ");
        pass.push_sql(&self.limit.to_string());
        if self.offset_in_text {
            pass.push_sql(" OFFSET ");
            pass.push_sql(&self.offset.to_string());
        } else if self.offset > 0 {
            pass.push_sql(" OFFSET ");
            pass.push_bind_param::<diesel::sql_types::BigInt, _>(&self.offset)?;
        }
        Ok(())
    }
}

impl<Q> QueryId for Paged<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Paged<Q> {
    type SqlType = Q::SqlType;
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Integer};

    use super::*;
    use crate::db::schema::tickets;

    #[test]
    fn a_first_page_has_its_limit_and_no_offset_in_its_text_and_later_pages_bind_theirs() {
        let q = || tickets::table.select(tickets::id).into_boxed::<Pg>();
        let first = diesel::debug_query::<Pg, _>(&paged(q(), 51, 0)).to_string();
        assert!(first.contains(" LIMIT 51 --"), "{first}");
        assert!(!first.contains("OFFSET"), "{first}");
        let third = diesel::debug_query::<Pg, _>(&paged(q(), 51, 100)).to_string();
        assert!(third.contains(" LIMIT 51 OFFSET $1"), "{third}");
        assert!(third.contains("[100]"), "{third}");
        assert!(
            paged(q(), 51, 0)
                .is_safe_to_cache_prepared(&Pg)
                .expect("cacheable")
        );
        let window = diesel::debug_query::<Pg, _>(&skipping(q(), 3000, 1)).to_string();
        assert!(window.contains(" LIMIT 1 OFFSET 3000 --"), "{window}");
    }

    #[test]
    fn literal_sql_is_cacheable_only_once_wrapped() {
        let q = || {
            tickets::table
                .select(tickets::id)
                .filter(diesel::dsl::sql::<Bool>("status = 'submitted'"))
                .into_boxed::<Pg>()
        };
        let cacheable = |f: &dyn QueryFragment<Pg>| f.is_safe_to_cache_prepared(&Pg).unwrap();
        assert!(!cacheable(&q()));
        assert!(cacheable(&prepared(q())));
        let raw = || diesel::sql_query("SELECT 1 WHERE $1 = 1").bind::<Integer, _>(1);
        assert!(!cacheable(&raw()));
        assert!(cacheable(&prepared(raw())));
        assert_eq!(
            diesel::debug_query::<Pg, _>(&prepared(q())).to_string(),
            diesel::debug_query::<Pg, _>(&q()).to_string()
        );
    }
}
