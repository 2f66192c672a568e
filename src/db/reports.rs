//! The report aggregates. `report_counts` (migration 000047): counts per day, basis (the
//! day of the fact, or the PAKN's day of receipt), classification (unit, lĩnh vực,
//! content category, channel, kind) and metric ([`crate::domain::report`]), sharded as
//! the status counters are (a random shard of 64 per write, summed on read). Written in
//! the transaction of each change, in one statement; recomputed from the tickets and
//! their timeline by [`reconcile`]. `report_months` (migration 000050): the same counts
//! per month, unit and ONE dimension, kept by a trigger on `report_counts` and folded by
//! [`fold_months`]; a report reads its whole months there and only the days around them
//! in `report_counts`. The open PAKN come from the open tickets' index.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{Array, BigInt, Date, Integer, Nullable, SmallInt, Text, Timestamptz};
use diesel::{QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::counters::random_shard;
use super::prepared::prepared;
use crate::domain::report::{Basis, Grouping, Span};

/// Where a PAKN is counted: its current classification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coords {
    pub unit_id: i32,
    pub field_code: String,
    pub content_category: String,
    pub channel: String,
    pub kind: String,
}

/// One change of a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delta {
    pub basis: Basis,
    pub day: NaiveDate,
    pub coords: Coords,
    pub metric: String,
    pub n: i64,
}

impl Delta {
    /// The fact `metric` of a PAKN at `coords` received on `received`, happening on
    /// `on`: counted on both bases.
    pub fn both(
        coords: &Coords,
        received: NaiveDate,
        on: NaiveDate,
        metric: &str,
        n: i64,
    ) -> [Delta; 2] {
        let one = |basis, day| Delta {
            basis,
            day,
            coords: coords.clone(),
            metric: metric.to_string(),
            n,
        };
        [one(Basis::Event, on), one(Basis::Receipt, received)]
    }
}

/// Adds `deltas` in ONE statement, on one random shard (deltas of one key are summed
/// first, and rows go in key order so that two writers never wait on each other crosswise).
pub async fn add(conn: &mut AsyncPgConnection, deltas: &[Delta]) -> QueryResult<()> {
    if deltas.is_empty() {
        return Ok(());
    }
    let col = |f: fn(&Delta) -> String| deltas.iter().map(f).collect::<Vec<_>>();
    let days: Vec<NaiveDate> = deltas.iter().map(|d| d.day).collect();
    let units: Vec<i32> = deltas.iter().map(|d| d.coords.unit_id).collect();
    let ns: Vec<i64> = deltas.iter().map(|d| d.n).collect();
    diesel::sql_query(
        "INSERT INTO report_counts (basis, day, unit_id, field_code, content_category, channel,
                                    kind, metric, shard, n)
         SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric, $10, sum(n)
           FROM unnest($1::text[], $2::date[], $3::int[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::text[], $9::bigint[])
                AS d (basis, day, unit_id, field_code, content_category, channel, kind, metric, n)
          GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(n) <> 0
          ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
         ON CONFLICT (basis, day, unit_id, field_code, content_category, channel, kind, metric, shard)
         DO UPDATE SET n = report_counts.n + excluded.n",
    )
    .bind::<Array<Text>, _>(col(|d| d.basis.as_str().to_string()))
    .bind::<Array<Date>, _>(days)
    .bind::<Array<Integer>, _>(units)
    .bind::<Array<Text>, _>(col(|d| d.coords.field_code.clone()))
    .bind::<Array<Text>, _>(col(|d| d.coords.content_category.clone()))
    .bind::<Array<Text>, _>(col(|d| d.coords.channel.clone()))
    .bind::<Array<Text>, _>(col(|d| d.coords.kind.clone()))
    .bind::<Array<Text>, _>(col(|d| d.metric.clone()))
    .bind::<Array<BigInt>, _>(ns)
    .bind::<SmallInt, _>(random_shard())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct DayRow {
    #[diesel(sql_type = Date)]
    day: NaiveDate,
}

/// The days (in Vietnam) of a PAKN's requests for information: what an acceptance that
/// reclassifies it moves besides its receipt.
pub async fn ask_info_days(
    conn: &mut AsyncPgConnection,
    ticket_id: i64,
) -> QueryResult<Vec<NaiveDate>> {
    let rows: Vec<DayRow> = diesel::sql_query(
        "SELECT (at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day FROM ticket_events
          WHERE ticket_id = $1 AND event = 'ask_info'",
    )
    .bind::<BigInt, _>(ticket_id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.day).collect())
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Brings `report_counts` in line with what the tickets and their timeline say
/// (`pakn_report_truth`), for the days in `window` (every day when `None`): each key
/// whose sum differs gets the difference added on shard 0. One statement, so the truth
/// and the counts are read in one snapshot and changes committed meanwhile (counted by
/// their own transactions) are in neither. Returns how many keys were wrong.
pub async fn reconcile(
    conn: &mut AsyncPgConnection,
    publish_days: i32,
    window: Option<(NaiveDate, NaiveDate)>,
) -> QueryResult<i64> {
    let (from, to) = window.unzip();
    let query = diesel::sql_query(
        "WITH truth AS (
             SELECT * FROM pakn_report_truth($1)
              WHERE ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3)
         ), have AS (
             SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric,
                    sum(n)::bigint AS n
               FROM report_counts
              WHERE ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3)
              GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
         ), diff AS (
             SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric,
                    coalesce(t.n, 0) - coalesce(h.n, 0) AS n
               FROM truth t
               FULL JOIN have h
                 USING (basis, day, unit_id, field_code, content_category, channel, kind, metric)
              WHERE coalesce(t.n, 0) <> coalesce(h.n, 0)
         ), fixed AS (
             INSERT INTO report_counts (basis, day, unit_id, field_code, content_category,
                                        channel, kind, metric, shard, n)
             SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric, 0, n
               FROM diff ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
             ON CONFLICT (basis, day, unit_id, field_code, content_category, channel, kind,
                          metric, shard)
             DO UPDATE SET n = report_counts.n + excluded.n
             RETURNING 1
         )
         SELECT count(*)::bigint AS n FROM fixed",
    )
    .bind::<Integer, _>(publish_days)
    .bind::<Nullable<Date>, _>(from)
    .bind::<Nullable<Date>, _>(to);
    let row: CountRow = super::durable::one(query, conn).await?;
    Ok(row.n)
}

/// Folds the shards of the days before `before` into shard 0, then drops the rows that
/// sum to nothing (two statements: a row cannot be removed and written again in one). A
/// writer that meanwhile adds to a removed row waits for it and then inserts afresh.
/// Returns the rows removed.
pub async fn compact(conn: &mut AsyncPgConnection, before: NaiveDate) -> QueryResult<i64> {
    let query = diesel::sql_query(
        "WITH gone AS (
             DELETE FROM report_counts WHERE day < $1 AND shard <> 0
             RETURNING basis, day, unit_id, field_code, content_category, channel, kind, metric, n
         ), kept AS (
             INSERT INTO report_counts (basis, day, unit_id, field_code, content_category,
                                        channel, kind, metric, shard, n)
             SELECT basis, day, unit_id, field_code, content_category, channel, kind, metric, 0, sum(n)
               FROM gone GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
              ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
             ON CONFLICT (basis, day, unit_id, field_code, content_category, channel, kind,
                          metric, shard)
             DO UPDATE SET n = report_counts.n + excluded.n
         )
         SELECT count(*)::bigint AS n FROM gone",
    )
    .bind::<Date, _>(before);
    let folded: CountRow = super::durable::one(query, conn).await?;
    let zeros = diesel::sql_query("DELETE FROM report_counts WHERE day < $1 AND n = 0")
        .bind::<Date, _>(before)
        .execute(conn)
        .await?;
    Ok(folded.n + i64::try_from(zeros).unwrap_or(0))
}

/// Records a reconciliation in `audit_log` (entity `report_counts`, by the system).
pub async fn audit_reconciliation(
    conn: &mut AsyncPgConnection,
    scope: &str,
    fixed: i64,
    months_fixed: i64,
    compacted: i64,
) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO audit_log (user_id, entity, entity_id, action, after)
         VALUES (NULL, 'report_counts', $1, 'reconcile',
                 jsonb_build_object('fixed', $2::bigint, 'months_fixed', $3::bigint,
                                    'compacted', $4::bigint))",
    )
    .bind::<Text, _>(scope)
    .bind::<BigInt, _>(fixed)
    .bind::<BigInt, _>(months_fixed)
    .bind::<BigInt, _>(compacted)
    .execute(conn)
    .await?;
    Ok(())
}

/// The column a grouping reads from `report_counts`, as text.
fn group_sql(grouping: Grouping) -> &'static str {
    match grouping {
        Grouping::Unit => "unit_id::text",
        Grouping::Field => "field_code",
        Grouping::Category => "content_category",
        Grouping::Channel => "channel",
        Grouping::Kind => "kind",
    }
}

/// The dimension of `report_months` a grouping reads, and its key. Every row of a
/// dimension carries its unit, so a grouping by unit sums the two rows of 'kind'.
fn month_sql(grouping: Grouping) -> (&'static str, &'static str) {
    match grouping {
        Grouping::Unit => ("kind", "unit_id::text"),
        Grouping::Field => ("field", "value"),
        Grouping::Category => ("category", "value"),
        Grouping::Channel => ("channel", "value"),
        Grouping::Kind => ("kind", "value"),
    }
}

/// One summed count of a report: the line's key, the metric, the count.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct MetricRow {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub metric: String,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// The parts of a span as SQL: `months` (a SELECT over `report_months`) for its whole
/// months, `days` (over `report_counts`) for each run of days around them, each with its
/// `{from}` and `{to}` made parameters `$first`, `$first + 1`, …; and those dates in
/// order. Only the parts the span has: a range parameter bound to NULL would leave
/// Postgres's generic plan a scan of all of `report_counts`.
fn span_parts(span: &Span, months: &str, days: &str, first: usize) -> (String, Vec<NaiveDate>) {
    let mut parts = Vec::new();
    let mut dates = Vec::new();
    let mut add = |template: &str, (from, to): (NaiveDate, NaiveDate)| {
        let n = first + dates.len();
        parts.push(
            template
                .replace("{from}", &format!("${n}"))
                .replace("{to}", &format!("${}", n + 1)),
        );
        dates.extend([from, to]);
    };
    if let Some(range) = span.months {
        add(months, range);
    }
    for range in [span.before, span.after].into_iter().flatten() {
        add(days, range);
    }
    (parts.join(" UNION ALL "), dates)
}

/// The counts of the days `from..=to` on `basis`, per line of `grouping` and metric;
/// `unit` limits to one unit. The whole months come from `report_months` (a few thousand
/// rows for six months), the days around them from `report_counts` ([`Span`]).
pub async fn metric_rows(
    conn: &mut AsyncPgConnection,
    basis: Basis,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
    unit: Option<i32>,
    grouping: Grouping,
) -> QueryResult<Vec<MetricRow>> {
    let (dim, month_key) = month_sql(grouping);
    let unit_sql = "AND ($2::int IS NULL OR unit_id = $2)";
    let (parts, dates) = span_parts(
        &Span::of(from, to, today),
        &format!(
            "SELECT {month_key} AS key, metric, n FROM report_months
              WHERE basis = $1 AND dim = '{dim}' AND month >= {{from}} AND month <= {{to}} {unit_sql}"
        ),
        &format!(
            "SELECT {g} AS key, metric, n FROM report_counts
              WHERE basis = $1 AND day >= {{from}} AND day <= {{to}} {unit_sql}",
            g = group_sql(grouping)
        ),
        3,
    );
    if dates.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = diesel::sql_query(format!(
        "SELECT key, metric, sum(n)::bigint AS n FROM ({parts}) x GROUP BY 1, 2"
    ))
    .into_boxed()
    .bind::<Text, _>(basis.as_str())
    .bind::<Nullable<Integer>, _>(unit);
    for d in dates {
        query = query.bind::<Date, _>(d);
    }
    prepared(query).load(conn).await
}

/// One bar of a report's trend: a month or a week (its first day), PAKN received and
/// answered in it (by the day each happened).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct TrendRow {
    #[diesel(sql_type = Date)]
    pub bucket: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
}

/// PAKN received and answered per month of `from..=to` (whole months from
/// `report_months`), or per week (Monday) when `weekly` (from `report_counts`, for
/// periods of a few weeks); `unit` limits to one unit.
pub async fn trend_rows(
    conn: &mut AsyncPgConnection,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
    unit: Option<i32>,
    weekly: bool,
) -> QueryResult<Vec<TrendRow>> {
    let span = if weekly {
        Span {
            months: None,
            before: (from <= to).then_some((from, to)),
            after: None,
        }
    } else {
        Span::of(from, to, today)
    };
    let step = if weekly { "week" } else { "month" };
    let wanted = "basis = 'event' AND metric IN ('received', 'answered_on_time', 'answered_late')
                  AND ($1::int IS NULL OR unit_id = $1)";
    let (parts, dates) = span_parts(
        &span,
        &format!(
            "SELECT month AS bucket, metric, n FROM report_months
              WHERE dim = 'kind' AND month >= {{from}} AND month <= {{to}} AND {wanted}"
        ),
        &format!(
            "SELECT date_trunc('{step}', day)::date AS bucket, metric, n FROM report_counts
              WHERE day >= {{from}} AND day <= {{to}} AND {wanted}"
        ),
        2,
    );
    if dates.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = diesel::sql_query(format!(
        "SELECT bucket,
                coalesce(sum(n) FILTER (WHERE metric = 'received'), 0)::bigint AS received,
                coalesce(sum(n) FILTER (WHERE metric <> 'received'), 0)::bigint AS answered
           FROM ({parts}) x
          GROUP BY 1 ORDER BY 1"
    ))
    .into_boxed()
    .bind::<Nullable<Integer>, _>(unit);
    for d in dates {
        query = query.bind::<Date, _>(d);
    }
    prepared(query).load(conn).await
}

/// Folds the delta rows the trigger of `report_months` wrote into one row per key,
/// deleting exactly the rows it sums (a delta written meanwhile waits for the next fold;
/// a row another fold took is skipped). Returns the rows folded away.
pub async fn fold_months(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    let query = diesel::sql_query(
        "WITH fresh AS (
             SELECT DISTINCT basis, dim, month, unit_id, value, metric
               FROM report_months WHERE NOT folded
         ), gone AS (
             DELETE FROM report_months r USING fresh f
              WHERE (r.basis, r.dim, r.month, r.unit_id, r.value, r.metric)
                  = (f.basis, f.dim, f.month, f.unit_id, f.value, f.metric)
             RETURNING r.basis, r.month, r.unit_id, r.dim, r.value, r.metric, r.n
         ), kept AS (
             INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n, folded)
             SELECT basis, month, unit_id, dim, value, metric, sum(n), true
               FROM gone GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0
         )
         SELECT count(*)::bigint AS n FROM gone",
    );
    let row: CountRow = super::durable::one(query, conn).await?;
    Ok(row.n)
}

/// Brings `report_months` in line with `report_counts` (`pakn_report_months_truth`) for
/// the months of `window` (every month when `None`), one statement as [`reconcile`].
/// Returns how many keys were wrong.
pub async fn reconcile_months(
    conn: &mut AsyncPgConnection,
    window: Option<(NaiveDate, NaiveDate)>,
) -> QueryResult<i64> {
    let (from, to) = window.unzip();
    let query = diesel::sql_query(
        "WITH truth AS (
             SELECT * FROM pakn_report_months_truth()
              WHERE ($1::date IS NULL OR month >= date_trunc('month', $1::date))
                AND ($2::date IS NULL OR month <= $2)
         ), have AS (
             SELECT basis, month, unit_id, dim, value, metric, sum(n)::bigint AS n
               FROM report_months
              WHERE ($1::date IS NULL OR month >= date_trunc('month', $1::date))
                AND ($2::date IS NULL OR month <= $2)
              GROUP BY 1, 2, 3, 4, 5, 6
         ), diff AS (
             SELECT basis, month, unit_id, dim, value, metric,
                    coalesce(t.n, 0) - coalesce(h.n, 0) AS n
               FROM truth t
               FULL JOIN have h USING (basis, month, unit_id, dim, value, metric)
              WHERE coalesce(t.n, 0) <> coalesce(h.n, 0)
         ), fixed AS (
             INSERT INTO report_months (basis, month, unit_id, dim, value, metric, n)
             SELECT basis, month, unit_id, dim, value, metric, n FROM diff
             RETURNING 1
         )
         SELECT count(*)::bigint AS n FROM fixed",
    )
    .bind::<Nullable<Date>, _>(from)
    .bind::<Nullable<Date>, _>(to);
    let row: CountRow = super::durable::one(query, conn).await?;
    Ok(row.n)
}

/// The open PAKN of one line now: how many, and how many past their due date.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct OpenRow {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub open: i64,
    #[diesel(sql_type = BigInt)]
    pub overdue: i64,
}

/// The PAKN received between `from` and `to` (instants) that are still open, per line of
/// `grouping`, and those past their reply deadline (before `today`, as the queue's and
/// the overview's "overdue"), through the open tickets' partial indexes.
pub async fn open_rows(
    conn: &mut AsyncPgConnection,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    unit: Option<i32>,
    grouping: Grouping,
    today: NaiveDate,
) -> QueryResult<Vec<OpenRow>> {
    diesel::sql_query(format!(
        "SELECT {g} AS key, count(*)::bigint AS open,
                count(*) FILTER (WHERE reply_due < $4)::bigint AS overdue
           FROM tickets
          WHERE {open} AND received_at >= $1 AND received_at < $2
            AND ($3::int IS NULL OR unit_id = $3)
          GROUP BY 1",
        g = group_sql(grouping),
        open = open_status_sql!(),
    ))
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(to)
    .bind::<Nullable<Integer>, _>(unit)
    .bind::<Date, _>(today)
    .load(conn)
    .await
}

/// One line of the public figures: a month and lĩnh vực, received (by day of receipt)
/// and answered on time and in all (by day of answer).
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct PublicRow {
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = Text)]
    pub field_code: String,
    #[diesel(sql_type = BigInt)]
    pub received: i64,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
    #[diesel(sql_type = BigInt)]
    pub on_time: i64,
}

/// The public figures of the days `from..=to`, per month and lĩnh vực: whole months from
/// `report_months`, the days around them from `report_counts` ([`Span`]).
pub async fn public_rows(
    conn: &mut AsyncPgConnection,
    (from, to): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> QueryResult<Vec<PublicRow>> {
    let wanted = "((basis = 'receipt' AND metric = 'received')
        OR (basis = 'event' AND metric IN ('answered_on_time', 'answered_late')))";
    let (parts, dates) = span_parts(
        &Span::of(from, to, today),
        &format!(
            "SELECT month, value AS field_code, basis, metric, n FROM report_months
              WHERE dim = 'field' AND month >= {{from}} AND month <= {{to}} AND {wanted}"
        ),
        &format!(
            "SELECT date_trunc('month', day)::date AS month, field_code, basis, metric, n
               FROM report_counts WHERE day >= {{from}} AND day <= {{to}} AND {wanted}"
        ),
        1,
    );
    if dates.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = diesel::sql_query(format!(
        "SELECT month, field_code,
                coalesce(sum(n) FILTER (WHERE basis = 'receipt'), 0)::bigint AS received,
                coalesce(sum(n) FILTER (WHERE basis = 'event'), 0)::bigint AS answered,
                coalesce(sum(n) FILTER (WHERE basis = 'event' AND metric = 'answered_on_time'),
                         0)::bigint AS on_time
           FROM ({parts}) x
          GROUP BY 1, 2 ORDER BY 1, 2"
    ))
    .into_boxed();
    for d in dates {
        query = query.bind::<Date, _>(d);
    }
    prepared(query).load(conn).await
}

/// Takes the lease `name` when it is free and no run started since `since` (its
/// `last_run_at`, set now when taken).
pub async fn take_nightly_lease(
    conn: &mut AsyncPgConnection,
    name: &str,
    holder: &str,
    secs: i64,
    since: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::sql_query("INSERT INTO job_leases (name) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind::<Text, _>(name)
        .execute(conn)
        .await?;
    let taken = diesel::sql_query(
        "UPDATE job_leases SET leased_by = $2, leased_until = now() + make_interval(secs => $3),
                last_run_at = now()
          WHERE name = $1 AND (leased_until < now() OR leased_by = $2)
            AND (last_run_at IS NULL OR last_run_at < $4)",
    )
    .bind::<Text, _>(name)
    .bind::<Text, _>(holder)
    .bind::<diesel::sql_types::Double, _>(secs as f64)
    .bind::<Timestamptz, _>(since)
    .execute(conn)
    .await?;
    Ok(taken == 1)
}
