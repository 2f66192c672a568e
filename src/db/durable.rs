//! Reading a write's result only once its commit is confirmed.
//!
//! **The rule** (issue 13): an answer that says "done" (a 303, a page, an API reply) goes
//! out only after Postgres has confirmed the commit of what it reports. Two ways honour
//! it: the write runs inside `conn.transaction(…)`, whose `COMMIT` is awaited; or the
//! statement's result is read to its end, as [`one`], [`optional`], `get_results`, `load`
//! and `execute` do.
//!
//! Why `get_result`, `first` and `optional()` on them break it: they take the first row
//! and drop the rest of the answer. A statement outside a transaction commits implicitly
//! at the end of its answer (after the row and `CommandComplete`, before
//! `ReadyForQuery`); the driver hands over the row before that, so a crash or a refused
//! commit at that moment loses a write already reported as done (the fault run of
//! `../shared/reviews/faults.md` lost 14 filings so; `tests/it/commit.rs` refuses the
//! commit with a deferred trigger). `tests/architecture.rs` refuses `get_result` and
//! `first` on an INSERT, UPDATE or DELETE anywhere in `src/`, inside a transaction or
//! not, so the rule holds without reading the call sites.

use std::future::Future;

use diesel::result::{Error, QueryResult};
use diesel_async::methods::LoadQuery;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::TryFutureExt;

/// The one row a write returns, read to the end of its answer (and so after its
/// implicit commit when it runs alone). No row is [`Error::NotFound`].
///
/// Plain functions returning the driver's future (not `async fn`s): the future of an
/// `async fn` generic over the query would not be provably `Send` inside the
/// higher-ranked closures that `transaction` takes.
pub fn one<'a, Q, T>(
    query: Q,
    conn: &'a mut AsyncPgConnection,
) -> impl Future<Output = QueryResult<T>> + Send + 'a
where
    Q: LoadQuery<'a, AsyncPgConnection, T> + Send + 'a,
    T: Send + 'a,
{
    optional(query, conn).and_then(|row| std::future::ready(row.ok_or(Error::NotFound)))
}

/// The row a write returns, if any (an `ON CONFLICT DO NOTHING` may return none), read
/// to the end of its answer.
pub fn optional<'a, Q, T>(
    query: Q,
    conn: &'a mut AsyncPgConnection,
) -> impl Future<Output = QueryResult<Option<T>>> + Send + 'a
where
    Q: LoadQuery<'a, AsyncPgConnection, T> + Send + 'a,
    T: Send + 'a,
{
    query.load::<T>(conn).map_ok(|rows| rows.into_iter().next())
}
