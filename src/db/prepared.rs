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

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Integer};

    use super::*;
    use crate::db::schema::tickets;

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
