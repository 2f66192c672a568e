//! Retention: a PAKN is anonymised `[privacy] retention_years` after it ends (closed,
//! rejected, out of scope, transferred; a withdrawal or a duplicate ends as closed),
//! counted from its end, as the privacy notice says. What is removed and what is kept
//! is [`crate::db::retention::anonymise`]'s: the statistics and the published public
//! copy stay, the sender's identity, contacts, address, texts, files, mail and private
//! link go.
//!
//! Every `pakn serve` runs the job every `[privacy] retention_interval_secs`; a lease in
//! `job_leases` lets one instance run it at a time, and each batch is claimed with
//! `FOR UPDATE SKIP LOCKED` in the transaction that anonymises it. `pakn retention
//! --dry-run` prints [`plan`]; `pakn retention` runs [`run`] at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Months, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::HandlingError;
use super::jobs::instance_name;
use crate::config::Config;
use crate::db::Pool;
use crate::db::retention::{self as data, Removed};
use crate::db::workflow::{release_lease, take_lease};
use crate::domain::calendar::{format_date, local_date};

/// Tickets anonymised per transaction.
const BATCH: i64 = 200;
const LEASE: &str = "privacy.retention";
const LEASE_SECS: i64 = 600;
/// The codes a dry run lists (the count is always whole).
pub const CODES_SHOWN: usize = 50;

/// The latest end a PAKN may have to be anonymised at `now`: `years` calendar years
/// before (29 February counts as 28 February in a year without one).
pub fn cutoff(now: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// What the next run would touch: no personal data, only codes and dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub cutoff: DateTime<Utc>,
    pub count: usize,
    /// The first [`CODES_SHOWN`] codes, oldest end first.
    pub codes: Vec<String>,
    pub oldest_end: Option<DateTime<Utc>>,
}

impl Plan {
    /// The lines `pakn retention --dry-run` prints.
    pub fn lines(&self, years: u32) -> Vec<String> {
        let mut out = vec![
            format!("retention_years: {years}"),
            format!(
                "ended on or before: {} (Asia/Ho_Chi_Minh)",
                format_date(local_date(self.cutoff))
            ),
            format!("would anonymise: {}", self.count),
        ];
        out.push(match self.oldest_end {
            Some(at) => format!("oldest end: {}", format_date(local_date(at))),
            None => "oldest end: -".to_string(),
        });
        if !self.codes.is_empty() {
            let more = self.count.saturating_sub(self.codes.len());
            let tail = if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            };
            out.push(format!("codes: {}{tail}", self.codes.join(" ")));
        }
        out
    }
}

/// What the next run would anonymise at `now`.
pub async fn plan(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    now: DateTime<Utc>,
) -> Result<Plan, HandlingError> {
    let cutoff = cutoff(now, cfg.privacy.retention_years);
    let due = data::due(conn, cutoff).await?;
    Ok(Plan {
        cutoff,
        count: due.len(),
        oldest_end: due.first().map(|d| d.ended_at),
        codes: due.into_iter().take(CODES_SHOWN).map(|d| d.code).collect(),
    })
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub tickets: usize,
    pub files: usize,
    pub mails: usize,
    /// Inbound messages whose raw text was wiped.
    pub inbound: usize,
}

/// Anonymises every PAKN due at `now`, a batch per transaction, each batch audited.
pub async fn run(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    now: DateTime<Utc>,
) -> Result<Report, HandlingError> {
    let cutoff = cutoff(now, cfg.privacy.retention_years);
    let mut report = Report::default();
    // Inbound mail: what it became is on the PAKN; the raw message (addresses, quoted
    // history) goes after `[mail.inbound] keep_days`.
    let keep = chrono::TimeDelta::days(i64::from(cfg.mail.inbound.keep_days));
    report.inbound = crate::db::inbound::wipe_processed(conn, now - keep).await?;
    loop {
        let removed = conn
            .transaction::<Removed, HandlingError, _>(async |conn| {
                let ids = data::claim_due(conn, cutoff, BATCH).await?;
                let codes = data::codes_of(conn, &ids).await?;
                let removed = data::anonymise(conn, &ids, now).await?;
                if removed.tickets > 0 {
                    data::audit_run(conn, &codes, cutoff).await?;
                }
                Ok(removed)
            })
            .await?;
        report.tickets += removed.tickets;
        report.files += removed.files;
        report.mails += removed.mails;
        if removed.tickets < usize::try_from(BATCH).unwrap_or(200) {
            return Ok(report);
        }
    }
}

/// One run, if this instance gets the lease.
pub async fn run_once(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    holder: &str,
) -> Result<Option<Report>, HandlingError> {
    if !take_lease(conn, LEASE, holder, LEASE_SECS).await? {
        return Ok(None);
    }
    let report = run(conn, cfg, Utc::now()).await;
    let released = release_lease(conn, LEASE, holder).await;
    let report = report?;
    released?;
    Ok(Some(report))
}

/// Runs the job every `[privacy] retention_interval_secs` until the process ends (the
/// first run one interval after start-up).
pub fn spawn(pool: Pool, cfg: Arc<Config>) {
    let holder = instance_name();
    tokio::spawn(async move {
        let every = Duration::from_secs(cfg.privacy.retention_interval_secs.max(1));
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let result: anyhow::Result<Option<Report>> = async {
                let mut conn = pool.get().await?;
                Ok(run_once(&mut conn, &cfg, &holder).await?)
            }
            .await;
            match result {
                Ok(Some(report)) if report != Report::default() => tracing::info!(
                    tickets = report.tickets,
                    files = report.files,
                    mails = report.mails,
                    "retention: PAKN anonymised"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention job failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_cutoff_is_whole_calendar_years_back() {
        let now = Utc.with_ymd_and_hms(2031, 6, 15, 3, 0, 0).unwrap();
        assert_eq!(
            cutoff(now, 5),
            Utc.with_ymd_and_hms(2026, 6, 15, 3, 0, 0).unwrap()
        );
        let leap = Utc.with_ymd_and_hms(2029, 2, 28, 0, 0, 0).unwrap();
        assert_eq!(
            cutoff(leap, 1),
            Utc.with_ymd_and_hms(2028, 2, 28, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_plan_prints_counts_codes_and_dates_only() {
        let plan = Plan {
            cutoff: Utc.with_ymd_and_hms(2021, 12, 4, 3, 0, 0).unwrap(),
            count: 51,
            codes: vec!["AB12CD34EF".into(), "GH56JK78MN".into()],
            oldest_end: Some(Utc.with_ymd_and_hms(2019, 1, 2, 20, 0, 0).unwrap()),
        };
        assert_eq!(
            plan.lines(5),
            [
                "retention_years: 5",
                "ended on or before: 04/12/2021 (Asia/Ho_Chi_Minh)",
                "would anonymise: 51",
                "oldest end: 03/01/2019",
                "codes: AB12CD34EF GH56JK78MN (and 49 more)",
            ]
        );
    }
}
