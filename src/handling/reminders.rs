//! Reminders and escalation (issue 15, parts 3 and 5), run by the periodic job of every
//! `pakn serve` under the lease `mail.reminders`, and by `pakn reminders`.
//!
//! A pass reads the clocks of the open PAKN (an index-only scan), of the answered PAKN
//! waiting for their public copy and of the open data-subject requests, asks
//! [`crate::domain::reminders`] which reminders are due today, and sends each once: its
//! key (PAKN or request, deadline, kind, due date) is inserted into `reminders_sent` with
//! `ON CONFLICT DO NOTHING RETURNING` in the transaction that queues its mail, so two
//! instances, a restart or a crash never repeat one (a key another instance holds
//! uncommitted waits for its commit and then counts as sent).
//!
//! Mail is grouped: one mail per recipient list and kind per batch of keys, listing up
//! to [`ITEMS_PER_MAIL`] PAKN (threaded under the PAKN when it lists one).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::HandlingError;
use crate::config::Config;
use crate::db::reminders::{self as data, Key};
use crate::db::workflow::{release_lease, take_lease};
use crate::domain::calendar::local_date;
use crate::domain::recipients::StaffMember;
use crate::domain::reference::Reference;
use crate::domain::reminders::{Clock, Deadline, ReminderKind, privacy_due, reminders_due};
use crate::domain::status::Status;

pub use super::reminder_mail::ITEMS_PER_MAIL;
use super::reminder_mail::{Pending, Target, compose};

const LEASE: &str = "mail.reminders";
/// The longest a pass may hold the lease (a crashed instance frees it after this).
const LEASE_SECS: i64 = 600;
/// Keys claimed, and their mail queued, per transaction.
const CHUNK: usize = 5000;
/// Mails per INSERT into the outbox.
const MAIL_BATCH: usize = 500;

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Reminders due today (sent now or before).
    pub due: usize,
    /// Reminders new in this pass (sent now; with `--dry-run`, that would be).
    pub sent: usize,
    /// Mails queued.
    pub mails: usize,
}

/// Whether this pass sends (or only counts, rolling back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Send,
    DryRun,
}

/// One pass if `[reminders] at` says now is a sending moment and this instance gets the
/// lease; `None` otherwise.
pub async fn run_scheduled(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &Reference,
    holder: &str,
    now: DateTime<Utc>,
) -> Result<Option<Report>, HandlingError> {
    if !cfg.reminders.send_at().is_due(now, &reference.calendar) {
        return Ok(None);
    }
    run_once(conn, cfg, reference, holder, now, Mode::Send).await
}

/// One pass now, whatever the time of day, if this instance gets the lease.
pub async fn run_once(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &Reference,
    holder: &str,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Option<Report>, HandlingError> {
    if !take_lease(conn, LEASE, holder, LEASE_SECS).await? {
        return Ok(None);
    }
    let report = pass(conn, cfg, reference, now, mode).await;
    let released = release_lease(conn, LEASE, holder).await;
    let report = report?;
    released?;
    Ok(Some(report))
}

/// The pass itself (no lease: callers hold it, or test what two instances without one
/// would do).
pub async fn pass(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &Reference,
    now: DateTime<Utc>,
    mode: Mode,
) -> Result<Report, HandlingError> {
    let staff = crate::db::users::active_staff(conn).await?;
    let mut pending = ticket_reminders(conn, cfg, reference, now).await?;
    pending.extend(request_reminders(conn, cfg, reference, now).await?);
    // One order for every pass: two passes at once then claim the same keys in the same
    // order (the second waits for the first's commit instead of deadlocking with it).
    pending.sort_by_key(|p| {
        let k = p.key;
        (
            k.ticket_id,
            k.privacy_request_id,
            k.deadline.as_str(),
            k.kind.as_str(),
            k.due_on,
        )
    });
    let mut report = Report {
        due: pending.len(),
        ..Report::default()
    };
    for chunk in pending.chunks(CHUNK) {
        let (sent, mails) = send_chunk(conn, cfg, reference, &staff, chunk, mode).await?;
        report.sent += sent;
        report.mails += mails;
    }
    Ok(report)
}

/// Claims the keys of `chunk`, composes and queues the mail of the new ones, in one
/// transaction (rolled back in a dry run).
async fn send_chunk(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &Reference,
    staff: &[StaffMember],
    chunk: &[Pending],
    mode: Mode,
) -> Result<(usize, usize), HandlingError> {
    let mut counted = (0, 0);
    let result = conn
        .transaction::<(), HandlingError, _>(async |conn| {
            let keys: Vec<Key> = chunk.iter().map(|p| p.key).collect();
            let new = data::claim(conn, &keys).await?;
            let new: std::collections::HashSet<Key> = new.into_iter().collect();
            let fresh: Vec<&Pending> = chunk.iter().filter(|p| new.contains(&p.key)).collect();
            let mut ids: Vec<i64> = fresh.iter().filter_map(|p| p.key.ticket_id).collect();
            ids.dedup(); // sorted by ticket: a PAKN's keys are together
            let subjects = data::subjects(conn, &ids).await?;
            let mails =
                compose(cfg, reference, staff, &fresh, &subjects).map_err(HandlingError::Mail)?;
            counted = (fresh.len(), mails.len());
            if mode == Mode::DryRun {
                return Err(HandlingError::Database(
                    diesel::result::Error::RollbackTransaction,
                ));
            }
            for batch in mails.chunks(MAIL_BATCH) {
                crate::mail::outbox::enqueue_all(conn, batch.to_vec()).await?;
            }
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(counted),
        Err(HandlingError::Database(diesel::result::Error::RollbackTransaction))
            if mode == Mode::DryRun =>
        {
            Ok(counted)
        }
        Err(e) => Err(e),
    }
}

/// The reminders of PAKN due today: their open clocks and their publication clocks.
async fn ticket_reminders(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &Reference,
    now: DateTime<Utc>,
) -> Result<Vec<Pending>, HandlingError> {
    let cal = &reference.calendar;
    let rules = cfg.reminder_rules();
    let today = local_date(now);
    let horizon = cal.add_working_days(today, rules.widest_soon());
    let open = data::open_clocks(conn, horizon).await?;
    let waiting: Vec<i64> = open
        .iter()
        .filter(|c| c.status == Status::PendingApproval)
        .map(|c| c.id)
        .collect();
    let drafts: HashMap<i64, DateTime<Utc>> = data::pending_drafts(conn, &waiting)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    for c in &open {
        let clock = Clock {
            status: c.status,
            accept_due: c.accept_due,
            forward_due: c.forward_due,
            reply_due: c.reply_due,
            last_public_note: c.last_public_note_at.map(local_date),
            draft_since: drafts.get(&c.id).copied().map(local_date),
            unpublished_answer: None,
        };
        let target = Target::Ticket {
            id: c.id,
            unit_id: c.unit_id,
            assignee_id: c.assignee_id,
            rule_id: c.routing_rule_id,
        };
        for due in reminders_due(cal, &rules, &clock, today) {
            out.push(Pending::of(target, due));
        }
    }
    for a in data::unpublished_answers(conn, now).await? {
        let clock = Clock {
            status: Status::Answered,
            accept_due: today,
            forward_due: today,
            reply_due: today,
            last_public_note: None,
            draft_since: None,
            unpublished_answer: Some(local_date(a.answered_at)),
        };
        let target = Target::Ticket {
            id: a.id,
            unit_id: a.unit_id,
            assignee_id: a.assignee_id,
            rule_id: a.routing_rule_id,
        };
        for due in reminders_due(cal, &rules, &clock, today) {
            if due.deadline == Deadline::Publication {
                out.push(Pending::of(target, due));
            }
        }
    }
    Ok(out)
}

/// The reminders of open data-subject requests due today.
async fn request_reminders(
    conn: &mut AsyncPgConnection,
    cfg: &Config,
    reference: &Reference,
    now: DateTime<Utc>,
) -> Result<Vec<Pending>, HandlingError> {
    let cal = &reference.calendar;
    let rules = cfg.reminder_rules();
    let today = local_date(now);
    let horizon = cal.add_working_days(today, rules.soon(Deadline::Privacy));
    let mut out = Vec::new();
    for r in data::open_requests(conn, horizon).await? {
        if let Some(due) = privacy_due(cal, &rules, r.due_on, today) {
            let target = Target::Request {
                id: r.id,
                assignee_id: r.assigned_to,
            };
            out.push(Pending::of(target, due));
        }
    }
    Ok(out)
}

/// Whether a reminder of `kind` escalates to the routing rule's first contact.
pub fn escalates_to_contact(deadline: Deadline, kind: ReminderKind) -> bool {
    kind == ReminderKind::Overdue
        && matches!(
            deadline,
            Deadline::Classify | Deadline::Forward | Deadline::Reply
        )
}
