//! The automatic moves of domain.md, run by every `pakn serve` in a periodic job:
//!
//! - a request for information left unanswered past its expiry (default 15 days) ends
//!   the PAKN as rejected, with the `needs_info_expired` reason template;
//! - an answered PAKN is closed when its rating window (default 30 days) is over.
//!
//! Instances share the work safely: a lease in `job_leases` lets one instance scan at a
//! time, and each batch of tickets is claimed with `FOR UPDATE SKIP LOCKED` in the
//! transaction that moves them, so even two instances holding stale leases never move
//! one ticket twice (the move re-checks the status under the lock).

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::Notify;

use super::{Command, Context, HandlingError, Step, Who, perform_in};
use crate::config::Config;
use crate::db::Pool;
use crate::db::workflow as data;
use crate::domain::calendar::local_date;
use crate::reference::ReferenceCache;

/// Tickets moved per transaction.
const BATCH: i64 = 100;
const LEASE: &str = "workflow.automatic_moves";
/// The longest a run may hold the lease (a crashed instance frees it after this).
const LEASE_SECS: i64 = 300;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub expired: usize,
    pub closed: usize,
    pub mails: usize,
}

/// A name for this instance in leases (host and process, plus a random part).
pub fn instance_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "pakn".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

/// One run of every automatic move, if this instance gets the lease.
pub async fn run_once(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &crate::domain::reference::Reference,
    holder: &str,
) -> Result<Option<Report>, HandlingError> {
    if !data::take_lease(conn, LEASE, holder, LEASE_SECS).await? {
        return Ok(None);
    }
    let report = run_all(conn, cfg, reference).await;
    let released = data::release_lease(conn, LEASE, holder).await;
    // The run's own error first: a broken connection fails the release too.
    let report = report?;
    released?;
    Ok(Some(report))
}

async fn run_all(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &crate::domain::reference::Reference,
) -> Result<Report, HandlingError> {
    let mut report = Report::default();
    loop {
        let (n, mails) = batch(conn, cfg, reference, Kind::ExpiredInfo).await?;
        report.expired += n;
        report.mails += mails;
        if n < usize::try_from(BATCH).unwrap_or(100) {
            break;
        }
    }
    loop {
        let (n, mails) = batch(conn, cfg, reference, Kind::RatingWindowOver).await?;
        report.closed += n;
        report.mails += mails;
        if n < usize::try_from(BATCH).unwrap_or(100) {
            break;
        }
    }
    Ok(report)
}

#[derive(Clone, Copy)]
enum Kind {
    ExpiredInfo,
    RatingWindowOver,
}

/// Claims up to [`BATCH`] tickets and moves them in one transaction.
async fn batch(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &crate::domain::reference::Reference,
    kind: Kind,
) -> Result<(usize, usize), HandlingError> {
    conn.transaction::<(usize, usize), HandlingError, _>(async |conn| {
        let now = Utc::now();
        let ids = match kind {
            Kind::ExpiredInfo => data::claim_expired_info(conn, local_date(now), BATCH).await?,
            Kind::RatingWindowOver => {
                let window = TimeDelta::days(i64::from(cfg.deadlines.rating_window_days));
                data::claim_rating_window_over(conn, now - window, BATCH).await?
            }
        };
        let ctx = Context {
            cfg,
            reference,
            now,
        };
        let mut mails = 0;
        for id in &ids {
            let step = match kind {
                Kind::ExpiredInfo => Step::ExpireInfo,
                Kind::RatingWindowOver => Step::AutoClose,
            };
            let done = perform_in(conn, &ctx, *id, &Who::System, Command::Move(step)).await?;
            mails += done.mails;
        }
        Ok((ids.len(), mails))
    })
    .await
}

/// Runs the automatic moves every `[deadlines] job_interval_secs` until the process
/// ends; wakes the local mail worker when they queued mail.
pub fn spawn(pool: Pool, cfg: Arc<Config>, reference: Arc<ReferenceCache>, wake: Arc<Notify>) {
    let holder = instance_name();
    tokio::spawn(async move {
        let every = Duration::from_secs(cfg.deadlines.job_interval_secs.max(1));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first run comes one interval after start-up, not during it (tests that
        // backdate tickets right after starting an instance rely on this too).
        tick.tick().await;
        // With `[reminders] at` set, the day this instance last finished a pass: what is
        // due is fixed for the day, so one pass a day (the first tick after the hour)
        // is enough; a failed pass is tried again at the next tick.
        let mut reminded_on: Option<chrono::NaiveDate> = None;
        loop {
            tick.tick().await;
            let started = std::time::Instant::now();
            let result: anyhow::Result<Option<Report>> = async {
                let mut conn = pool.get().await?;
                let reference = reference.get();
                Ok(run_once(&mut conn, &cfg, &reference, &holder).await?)
            }
            .await;
            observe("automatic_moves", &result, started);
            if let Ok(Some(report)) = &result {
                metrics::counter!("pakn_moves_total", "action" => crate::domain::workflow::Action::ExpireInfo.code())
                    .increment(report.expired as u64);
                metrics::counter!("pakn_moves_total", "action" => crate::domain::workflow::Action::AutoClose.code())
                    .increment(report.closed as u64);
            }
            if cfg.reminders.enabled {
                remind(&pool, &cfg, &reference, &holder, &wake, &mut reminded_on).await;
            }
            reconcile_reports(&pool, &cfg, &holder).await;
            match result {
                Ok(Some(report)) if report != Report::default() => {
                    tracing::info!(
                        expired = report.expired,
                        closed = report.closed,
                        mails = report.mails,
                        "automatic moves done"
                    );
                    if report.mails > 0 {
                        wake.notify_one();
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "automatic moves failed"),
            }
        }
    });
}

/// Counts a periodic job's run in the metrics: `ran` (this instance held the lease),
/// `skipped` (another did) or `failed`, and how long a run took.
pub fn observe<T>(
    job: &'static str,
    result: &anyhow::Result<Option<T>>,
    started: std::time::Instant,
) {
    let outcome = match result {
        Ok(Some(_)) => "ran",
        Ok(None) => "skipped",
        Err(_) => "failed",
    };
    metrics::counter!("pakn_job_runs_total", "task" => job, "outcome" => outcome).increment(1);
    if outcome != "skipped" {
        metrics::histogram!("pakn_job_duration_seconds", "task" => job)
            .record(started.elapsed().as_secs_f64());
    }
}

/// The fold of the monthly roll-ups, then the nightly reconciliation of the report
/// aggregates when due and this instance gets its lease ([`super::report_reconcile`]).
async fn reconcile_reports(pool: &Pool, cfg: &Config, holder: &str) {
    let started = std::time::Instant::now();
    let result: anyhow::Result<_> = async {
        let mut conn = pool.get().await?;
        super::report_reconcile::fold(&mut conn).await?;
        Ok(super::report_reconcile::run_nightly(&mut conn, cfg, holder, Utc::now()).await?)
    }
    .await;
    observe("report_reconcile", &result, started);
    if let Err(e) = result {
        tracing::warn!(error = %e, "reconciling the report aggregates failed");
    }
}

/// The reminder pass of one tick (at the configured time, under its own lease).
async fn remind(
    pool: &Pool,
    cfg: &Config,
    reference: &ReferenceCache,
    holder: &str,
    wake: &Notify,
    reminded_on: &mut Option<chrono::NaiveDate>,
) {
    let now = Utc::now();
    let today = local_date(now);
    if cfg.reminders.send_at().time().is_some() && *reminded_on == Some(today) {
        return;
    }
    let started = std::time::Instant::now();
    let result: anyhow::Result<Option<super::reminders::Report>> = async {
        let mut conn = pool.get().await?;
        let reference = reference.get();
        Ok(super::reminders::run_scheduled(&mut conn, cfg, &reference, holder, now).await?)
    }
    .await;
    observe("reminders", &result, started);
    match result {
        Ok(Some(report)) => {
            *reminded_on = Some(today);
            if report.sent > 0 {
                tracing::info!(sent = report.sent, mails = report.mails, "reminders sent");
                wake.notify_one();
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "reminder pass failed"),
    }
}
