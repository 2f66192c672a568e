//! The reconciliation of the report aggregates (issue 18, item 6): recomputes
//! `report_counts` from the tickets and their timeline, repairs every count that drifted
//! (adding the difference, in one statement), folds the shards of past days into one row,
//! checks the monthly roll-ups (`report_months`) against the daily counts, and records
//! how many rows it fixed (log and `audit_log`). Every `pakn serve` tries it at each tick
//! of the periodic job and runs it once a night (after 01:00 in Vietnam) under the lease
//! `reports.reconcile`; `pakn reports reconcile` runs it by hand. Each tick also folds
//! the roll-ups' delta rows ([`fold`]), which needs no lease. The
//! first run after migration 000047 (whose backfill assumed 2 working days to publish)
//! is the first tick after start-up.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::HandlingError;
use crate::config::Config;
use crate::db::reports;
use crate::domain::calendar::{local_date, vn_offset};

/// The lease of the nightly run; its `last_run_at` says when the aggregates were last
/// computed from the rows (`seed-demo` sets it too).
pub const LEASE: &str = "reports.reconcile";
/// The longest a run may hold the lease.
const LEASE_SECS: i64 = 3600;

/// What a reconciliation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Counts (keys) that differed from the tickets and were repaired.
    pub fixed: i64,
    /// Monthly roll-ups (`report_months`) that differed from the daily counts.
    pub months_fixed: i64,
    /// Shard rows of past days folded away.
    pub compacted: i64,
}

/// Reconciles the days in `window` (every day when `None`) now, in one transaction.
pub async fn run(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    window: Option<(NaiveDate, NaiveDate)>,
    now: DateTime<Utc>,
) -> Result<Reconciled, HandlingError> {
    let publish_days = i32::try_from(cfg.deadlines.publish_working_days).unwrap_or(i32::MAX);
    let scope = match window {
        Some((from, to)) => format!("{from}..{to}"),
        None => "all".to_string(),
    };
    let done = conn
        .transaction::<Reconciled, HandlingError, _>(async |conn| {
            let fixed = reports::reconcile(conn, publish_days, window).await?;
            // Today's and yesterday's rows are still being written to: leave their shards.
            let before = local_date(now) - TimeDelta::days(1);
            let compacted = reports::compact(conn, before).await?;
            // The roll-ups follow report_counts by a trigger; checked all the same (a
            // repair by hand with the trigger off), then folded.
            let months_fixed = reports::reconcile_months(conn, window).await?;
            reports::fold_months(conn).await?;
            reports::audit_reconciliation(conn, &scope, fixed, months_fixed, compacted).await?;
            Ok(Reconciled {
                fixed,
                months_fixed,
                compacted,
            })
        })
        .await?;
    if done.fixed > 0 || done.months_fixed > 0 {
        tracing::warn!(
            fixed = done.fixed,
            months_fixed = done.months_fixed,
            scope,
            "report aggregates repaired"
        );
    }
    tracing::info!(
        fixed = done.fixed,
        months_fixed = done.months_fixed,
        compacted = done.compacted,
        scope,
        "report aggregates reconciled"
    );
    Ok(done)
}

/// Folds the delta rows of the monthly roll-ups, so that a report reads one row per key
/// (safe on any number of instances at once). Returns the rows folded away.
pub async fn fold(conn: &mut AsyncPgConnection) -> Result<i64, HandlingError> {
    Ok(reports::fold_months(conn).await?)
}

/// The last 01:00 in Vietnam at or before `now`: a night's run is due when none ran since.
fn night_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or_default();
    let local = now.with_timezone(&vn_offset());
    let mut day = local.date_naive();
    if local.time() < one {
        day = day.pred_opt().unwrap_or(day);
    }
    let start = day.and_time(one) - TimeDelta::hours(7);
    start.and_utc()
}

/// The nightly run: everything, when no run started since the last 01:00 in Vietnam and
/// this instance gets the lease; `None` when not due or another instance has it.
pub async fn run_nightly(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    holder: &str,
    now: DateTime<Utc>,
) -> Result<Option<Reconciled>, HandlingError> {
    if !reports::take_nightly_lease(conn, LEASE, holder, LEASE_SECS, night_start(now)).await? {
        return Ok(None);
    }
    let done = run(conn, cfg, None, now).await;
    let released = crate::db::workflow::release_lease(conn, LEASE, holder).await;
    let done = done?;
    released?;
    Ok(Some(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_night_starts_at_one_in_vietnam() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // 02:00 in Vietnam on 5 December: since 01:00 that day (18:00 UTC the 4th).
        assert_eq!(
            night_start(at("2026-12-04T19:00:00Z")),
            at("2026-12-04T18:00:00Z")
        );
        // 00:30 in Vietnam on 5 December: since 01:00 on the 4th.
        assert_eq!(
            night_start(at("2026-12-04T17:30:00Z")),
            at("2026-12-03T18:00:00Z")
        );
    }
}
