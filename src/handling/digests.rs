//! Digests (issue 15, part 4): every `pakn serve` looks every `[digests] interval_secs`
//! whether digests are due (at `[digests] at`, Vietnam time, on working days; the
//! weekly one from `[digests] weekly_on`, moved to the first working day after it in
//! the same week) and sends what is due:
//!
//! - **daily**, to each officer (and anyone assigned an open PAKN) with the switch on:
//!   their open PAKN and, for officers, the unassigned open PAKN of their unit, overdue
//!   first then by reply due date; no mail when both lists are empty;
//! - **weekly**, to each leader with the switch on: the previous week (Monday–Sunday)
//!   per unit (their unit; every unit for a leader without one): received, answered on
//!   time and late, open overdue now; no mail when every figure is 0.
//!
//! Once only: a batch of recipients is claimed by writing their keys in `digests_sent`
//! (`ON CONFLICT DO NOTHING`) in the transaction that queues their mail, so a restart, a
//! second pass or a second instance never sends a digest twice; a lease in
//! `job_leases` (`mail.digests`) keeps passes from overlapping in the first place.
//! Every digest carries a signed one-click unsubscribe link (`List-Unsubscribe`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Days, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use tokio::sync::Notify;

use super::HandlingError;
use super::jobs::instance_name;
use crate::config::Config;
use crate::db::Pool;
use crate::db::digests::{self as data, Item, List, Recipient, WeekLine};
use crate::db::workflow::{release_lease, take_lease};
use crate::domain::calendar::{end_of_day_utc, local_date};
use crate::domain::digest::{DigestKind, UnsubscribeKey, previous_week, weekly_due};
use crate::domain::reference::Reference;
use crate::i18n::Tr;
use crate::mail::digest::{self as compose, Section, UnitRow};
use crate::reference::ReferenceCache;

/// Recipients claimed (and mailed) per transaction.
const BATCH: i64 = 100;
const LEASE: &str = "mail.digests";
const LEASE_SECS: i64 = 600;

/// What a pass needs: the configuration, the reference data (calendar, unit names),
/// the key of the unsubscribe links and the clock.
#[derive(Clone, Copy)]
pub struct Pass<'a> {
    pub cfg: &'a Config,
    pub reference: &'a Reference,
    pub key: &'a UnsubscribeKey,
    pub now: DateTime<Utc>,
}

/// What a pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Daily digests queued.
    pub daily: usize,
    /// Daily digests keyed without a mail (nothing to list).
    pub daily_empty: usize,
    pub weekly: usize,
    pub weekly_empty: usize,
}

impl Report {
    pub fn mails(&self) -> usize {
        self.daily + self.weekly
    }
}

/// The one-click unsubscribe link of `user_id`'s digest `kind`.
pub fn unsubscribe_link(
    cfg: &Config,
    key: &UnsubscribeKey,
    user_id: i32,
    kind: DigestKind,
) -> String {
    format!(
        "{}/digests/unsubscribe/{}",
        cfg.server.public_url.trim_end_matches('/'),
        key.token(user_id, kind)
    )
}

/// Which digests are due at `now`: the day of the daily ones and the Monday of the
/// week the weekly ones report.
pub fn due(pass: &Pass<'_>) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let cal = &pass.reference.calendar;
    if !pass.cfg.digests.send_at().is_due(pass.now, cal) {
        return (None, None);
    }
    let today = local_date(pass.now);
    let weekly =
        weekly_due(today, pass.cfg.digests.weekly_on.weekday(), cal).then(|| previous_week(today));
    (Some(today), weekly)
}

/// Sends every digest due at `pass.now` that has not gone out yet.
pub async fn run(conn: &mut AsyncPgConnection, pass: &Pass<'_>) -> Result<Report, HandlingError> {
    let mut report = Report::default();
    let (daily, weekly) = due(pass);
    if let Some(today) = daily {
        loop {
            let b = daily_batch(conn, pass, today).await?;
            report.daily += b.mailed;
            report.daily_empty += b.empty;
            if b.candidates < BATCH {
                break;
            }
        }
    }
    if let Some(monday) = weekly {
        let from = end_of_day_utc(monday - Days::new(1));
        let to = end_of_day_utc(monday + Days::new(6));
        let lines = data::week_lines(conn, from, to, local_date(pass.now)).await?;
        loop {
            let b = weekly_batch(conn, pass, monday, &lines).await?;
            report.weekly += b.mailed;
            report.weekly_empty += b.empty;
            if b.candidates < BATCH {
                break;
            }
        }
    }
    Ok(report)
}

#[derive(Default)]
struct Batch {
    candidates: i64,
    mailed: usize,
    empty: usize,
}

fn mail_error(e: askama::Error) -> HandlingError {
    HandlingError::Mail(anyhow::Error::new(e).context("rendering a digest"))
}

/// Claims a batch of daily recipients and queues their digests, in one transaction.
async fn daily_batch(
    conn: &mut AsyncPgConnection,
    pass: &Pass<'_>,
    today: NaiveDate,
) -> Result<Batch, HandlingError> {
    conn.transaction::<Batch, HandlingError, _>(async |conn| {
        let claimed = data::claim(conn, DigestKind::Daily, today, BATCH).await?;
        let users: Vec<i32> = claimed.recipients.iter().map(|r| r.user_id).collect();
        let mut units: Vec<i32> = claimed
            .recipients
            .iter()
            .filter(|r| is_officer(r))
            .filter_map(|r| r.unit_id)
            .collect();
        units.sort_unstable();
        units.dedup();
        let max = i64::from(pass.cfg.digests.max_items);
        let assigned = by_owner(data::open_items(conn, List::Assigned, &users, max, today).await?);
        let unassigned =
            by_owner(data::open_items(conn, List::Unassigned, &units, max, today).await?);
        let mut mails = Vec::new();
        let mut links = Vec::new();
        for r in &claimed.recipients {
            let sections = daily_sections(pass, r, today, &assigned, &unassigned);
            if sections.is_empty() {
                continue;
            }
            let link = unsubscribe_link(pass.cfg, pass.key, r.user_id, DigestKind::Daily);
            let frame = compose::frame(pass.cfg, link.clone());
            let mail = compose::daily(pass.cfg, &frame, &r.email, &r.name, today, &sections)
                .map_err(mail_error)?;
            mails.push(mail);
            links.push((r.user_id, link));
        }
        queue(
            conn,
            DigestKind::Daily,
            today,
            mails,
            links,
            claimed.candidates,
            claimed.recipients.len(),
        )
        .await
    })
    .await
}

/// Queues a batch's mails and records them against their once-keys.
async fn queue(
    conn: &mut AsyncPgConnection,
    kind: DigestKind,
    period: NaiveDate,
    mails: Vec<crate::mail::OutgoingMail>,
    links: Vec<(i32, String)>,
    candidates: i64,
    claimed: usize,
) -> Result<Batch, HandlingError> {
    let ids = crate::mail::enqueue_all(conn, mails).await?;
    let sent: Vec<(i32, i64, String)> = links
        .into_iter()
        .zip(&ids)
        .map(|((user, link), id)| (user, *id, link))
        .collect();
    data::attach_mail(conn, kind, period, &sent).await?;
    Ok(Batch {
        candidates,
        mailed: ids.len(),
        empty: claimed - ids.len(),
    })
}

fn is_officer(r: &Recipient) -> bool {
    r.roles.iter().any(|role| role == "officer")
}

fn by_owner(items: Vec<Item>) -> HashMap<i32, Vec<Item>> {
    let mut map: HashMap<i32, Vec<Item>> = HashMap::new();
    for item in items {
        map.entry(item.owner).or_default().push(item);
    }
    map
}

/// A recipient's lists: their own PAKN, and (officers) their unit's unassigned ones.
fn daily_sections(
    pass: &Pass<'_>,
    r: &Recipient,
    today: NaiveDate,
    assigned: &HashMap<i32, Vec<Item>>,
    unassigned: &HashMap<i32, Vec<Item>>,
) -> Vec<Section> {
    let t = Tr::new(compose::LANG);
    let section = |heading: String, items: &[Item]| Section {
        heading,
        lines: items
            .iter()
            .map(|i| compose::line(pass.cfg, &t, i, today))
            .collect(),
        more: items.first().map_or(0, |i| i.total - items.len() as i64),
        overdue: items.first().map_or(0, |i| i.overdue),
    };
    let mut out = Vec::new();
    if let Some(items) = assigned.get(&r.user_id) {
        let total = items.first().map_or(0, |i| i.total);
        out.push(section(t.t1("digest-daily-mine", "count", total), items));
    }
    if is_officer(r)
        && let Some(unit) = r.unit_id
        && let Some(items) = unassigned.get(&unit)
    {
        let name = pass
            .reference
            .unit(unit)
            .map(|u| u.name_vi.clone())
            .unwrap_or_default();
        let total = items.first().map_or(0, |i| i.total);
        out.push(section(
            t.t2("digest-daily-unit", "unit", name, "count", total),
            items,
        ));
    }
    out
}

/// Claims a batch of leaders and queues their weekly digests, in one transaction.
async fn weekly_batch(
    conn: &mut AsyncPgConnection,
    pass: &Pass<'_>,
    monday: NaiveDate,
    lines: &[WeekLine],
) -> Result<Batch, HandlingError> {
    let today = local_date(pass.now);
    let week = (monday, monday + Days::new(6), today);
    conn.transaction::<Batch, HandlingError, _>(async |conn| {
        let claimed = data::claim(conn, DigestKind::Weekly, monday, BATCH).await?;
        let mut mails = Vec::new();
        let mut links = Vec::new();
        for r in &claimed.recipients {
            let rows = unit_rows(pass.reference, r.unit_id, lines);
            if rows.iter().all(|u| {
                u.line
                    == WeekLine {
                        unit_id: u.line.unit_id,
                        ..WeekLine::default()
                    }
            }) {
                continue;
            }
            let link = unsubscribe_link(pass.cfg, pass.key, r.user_id, DigestKind::Weekly);
            let frame = compose::frame(pass.cfg, link.clone());
            let mail = compose::weekly(pass.cfg, &frame, &r.email, &r.name, week, &rows)
                .map_err(mail_error)?;
            mails.push(mail);
            links.push((r.user_id, link));
        }
        queue(
            conn,
            DigestKind::Weekly,
            monday,
            mails,
            links,
            claimed.candidates,
            claimed.recipients.len(),
        )
        .await
    })
    .await
}

/// The rows a leader sees: their unit's, or (without a unit) every active unit's and
/// any other unit with figures, in the reference order.
pub fn unit_rows(reference: &Reference, unit: Option<i32>, lines: &[WeekLine]) -> Vec<UnitRow> {
    let line_of = |id: i32| {
        lines
            .iter()
            .find(|l| l.unit_id == id)
            .cloned()
            .unwrap_or(WeekLine {
                unit_id: id,
                ..WeekLine::default()
            })
    };
    let name_of = |id: i32| {
        reference
            .unit(id)
            .map(|u| u.name_vi.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let ids: Vec<i32> = match unit {
        Some(id) => vec![id],
        None => {
            let mut ids: Vec<i32> = reference
                .units
                .iter()
                .filter(|u| u.active || lines.iter().any(|l| l.unit_id == u.id))
                .map(|u| u.id)
                .collect();
            ids.extend(
                lines
                    .iter()
                    .map(|l| l.unit_id)
                    .filter(|id| reference.unit(*id).is_none()),
            );
            ids
        }
    };
    ids.into_iter()
        .map(|id| UnitRow {
            name: name_of(id),
            line: line_of(id),
        })
        .collect()
}

/// What `pakn digests --dry-run` prints: which digests are due and for how many.
pub async fn plan(
    conn: &mut AsyncPgConnection,
    pass: &Pass<'_>,
) -> Result<Vec<String>, HandlingError> {
    let (daily, weekly) = due(pass);
    let mut out = vec![format!(
        "at: {} (Asia/Ho_Chi_Minh), weekly_on: {:?}",
        if pass.cfg.digests.at.trim().is_empty() {
            "any run"
        } else {
            pass.cfg.digests.at.trim()
        },
        pass.cfg.digests.weekly_on
    )];
    match daily {
        Some(day) => {
            let n = data::pending_count(conn, DigestKind::Daily, day).await?;
            out.push(format!(
                "daily {}: {n} recipients not yet done (those with nothing to list get no mail)",
                crate::domain::calendar::format_date(day)
            ));
        }
        None => out.push("daily: not due now".into()),
    }
    match weekly {
        Some(monday) => {
            let n = data::pending_count(conn, DigestKind::Weekly, monday).await?;
            out.push(format!(
                "weekly (week of {}): {n} recipients not yet done",
                crate::domain::calendar::format_date(monday)
            ));
        }
        None => out.push("weekly: not due now".into()),
    }
    Ok(out)
}

/// One pass, if this instance gets the lease.
pub async fn run_once(
    conn: &mut AsyncPgConnection,
    pass: &Pass<'_>,
    holder: &str,
) -> Result<Option<Report>, HandlingError> {
    if !take_lease(conn, LEASE, holder, LEASE_SECS).await? {
        return Ok(None);
    }
    let report = run(conn, pass).await;
    let released = release_lease(conn, LEASE, holder).await;
    let report = report?;
    released?;
    Ok(Some(report))
}

/// Looks every `[digests] interval_secs` (none when 0) until the process ends, the
/// first time one interval after start-up; wakes the local mail worker after mail.
pub fn spawn(
    pool: Pool,
    cfg: Arc<Config>,
    reference: Arc<ReferenceCache>,
    secret: Arc<Vec<u8>>,
    wake: Arc<Notify>,
) {
    if cfg.digests.interval_secs == 0 {
        return;
    }
    let holder = instance_name();
    let key = UnsubscribeKey::new(&secret);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(cfg.digests.interval_secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let result: anyhow::Result<Option<Report>> = async {
                let mut conn = pool.get().await?;
                let reference = reference.get();
                let pass = Pass {
                    cfg: &cfg,
                    reference: &reference,
                    key: &key,
                    now: Utc::now(),
                };
                Ok(run_once(&mut conn, &pass, &holder).await?)
            }
            .await;
            match result {
                Ok(Some(report)) if report != Report::default() => {
                    tracing::info!(
                        daily = report.daily,
                        daily_empty = report.daily_empty,
                        weekly = report.weekly,
                        weekly_empty = report.weekly_empty,
                        "digests queued"
                    );
                    if report.mails() > 0 {
                        wake.notify_one();
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "digests failed"),
            }
        }
    });
}
