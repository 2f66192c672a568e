#![allow(dead_code)]
//! What a test left in the outbox, and who its mail went to.
//!
//! Every [`super::app::TestApp`] ends with [`check`] (run by `stop()`; dropping an app
//! without stopping it fails the test). It fails when the outbox holds
//!
//! - **pending** mail (not sent, not given up) other than the test declared with
//!   `app.expect_pending_mail(n)`: an instance with a mail worker first delivers what
//!   is due, so this is mail waiting for a retry, or mail of an app without a worker;
//! - **failed** mail (given up) other than declared with `app.expect_failed_mail(n)`;
//! - mail the test **never looked at**: every row must have come back to the test
//!   from `app.take_mail()` (or `app.all_mail()`), which is where it asserts who the
//!   mail goes to ([`MailLog::who`], [`MailLog::recipients_of`]).
//!
//! The declarations and the rows seen are kept per database, so every instance of a
//! test on one database (a second instance, as behind a load balancer) shares them and
//! the instance that drops the database checks them all.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use pakn::db::schema::outbox;

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    /// Not sent yet and not given up (due now, or waiting for a retry).
    Pending,
    Sent,
    /// Given up (`failed_at`): a permanent error, an unbuildable mail or too many tries.
    Failed,
}

/// One row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: i64,
    pub ticket_id: Option<i64>,
    pub kind: String,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub lang: String,
    /// Empty for a filing's mails (rendered from the ticket when sent, not stored).
    pub subject: Option<String>,
    pub status: MailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub attachment_ids: Vec<i64>,
}

impl Mail {
    pub fn rcpt(&self) -> Rcpt {
        Rcpt {
            to: self.to.clone(),
            cc: self.cc.clone(),
        }
    }
}

impl fmt::Display for Mail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} [{:?}] {}",
            self.id,
            self.kind,
            self.status,
            self.rcpt()
        )?;
        if let Some(t) = self.ticket_id {
            write!(f, " ticket {t}")?;
        }
        if let Some(s) = &self.subject {
            write!(f, " «{s}»")?;
        }
        if let Some(e) = &self.last_error {
            write!(f, " error after {} attempts: {e}", self.attempts)?;
        }
        Ok(())
    }
}

/// The recipients of one mail: To and Cc, in the order stored.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rcpt {
    pub to: Vec<String>,
    pub cc: Vec<String>,
}

/// A mail's recipients, To only (add Cc with [`Rcpt::cc`]).
pub fn mail_to(addrs: &[&str]) -> Rcpt {
    Rcpt {
        to: addrs.iter().map(|a| a.to_string()).collect(),
        cc: Vec::new(),
    }
}

impl Rcpt {
    pub fn cc(mut self, addrs: &[&str]) -> Rcpt {
        self.cc = addrs.iter().map(|a| a.to_string()).collect();
        self
    }
}

impl fmt::Display for Rcpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "to {}", self.to.join(", "))?;
        if !self.cc.is_empty() {
            write!(f, "; cc {}", self.cc.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Rcpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Some rows of the outbox, in the order they were queued.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailLog(pub Vec<Mail>);

impl MailLog {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Mail> {
        self.0.iter()
    }

    /// Every mail as (kind, recipients), in queueing order: compare it whole to say
    /// who got mail and that nobody else did.
    pub fn who(&self) -> Vec<(&str, Rcpt)> {
        self.0.iter().map(|m| (m.kind.as_str(), m.rcpt())).collect()
    }

    /// As [`MailLog::who`], sorted (for mail queued by concurrent requests or jobs).
    pub fn who_sorted(&self) -> Vec<(&str, Rcpt)> {
        let mut who = self.who();
        who.sort();
        who
    }

    /// How many mails of each kind went to each set of recipients, by kind and then
    /// recipients (for many mails, or mail queued in no fixed order).
    pub fn tally(&self) -> Vec<(&str, Rcpt, usize)> {
        let mut counts: std::collections::BTreeMap<(&str, Rcpt), usize> =
            std::collections::BTreeMap::new();
        for m in &self.0 {
            *counts.entry((m.kind.as_str(), m.rcpt())).or_default() += 1;
        }
        counts.into_iter().map(|((k, r), n)| (k, r, n)).collect()
    }

    /// The recipients of each mail of one kind, in queueing order.
    pub fn recipients_of(&self, kind: &str) -> Vec<Rcpt> {
        self.0
            .iter()
            .filter(|m| m.kind == kind)
            .map(Mail::rcpt)
            .collect()
    }

    /// The mails of one ticket.
    pub fn of_ticket(&self, ticket_id: i64) -> MailLog {
        MailLog(
            self.0
                .iter()
                .filter(|m| m.ticket_id == Some(ticket_id))
                .cloned()
                .collect(),
        )
    }

    /// The mails of one kind.
    pub fn of_kind(&self, kind: &str) -> MailLog {
        MailLog(self.0.iter().filter(|m| m.kind == kind).cloned().collect())
    }

    /// The kinds, in queueing order.
    pub fn kinds(&self) -> Vec<&str> {
        self.0.iter().map(|m| m.kind.as_str()).collect()
    }

    pub fn with_status(&self, status: MailStatus) -> MailLog {
        MailLog(
            self.0
                .iter()
                .filter(|m| m.status == status)
                .cloned()
                .collect(),
        )
    }

    /// One line per mail, for failure messages.
    pub fn lines(&self) -> String {
        if self.0.is_empty() {
            return "  (none)".into();
        }
        self.0
            .iter()
            .map(|m| format!("  {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl<'a> IntoIterator for &'a MailLog {
    type Item = &'a Mail;
    type IntoIter = std::slice::Iter<'a, Mail>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

type Row = (
    i64,
    Option<i64>,
    String,
    Vec<String>,
    Vec<String>,
    String,
    Option<String>,
    i32,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Vec<i64>,
);

/// Every row of the outbox, oldest first.
pub async fn all_rows(conn: &mut AsyncPgConnection) -> MailLog {
    let rows: Vec<Row> = outbox::table
        .order(outbox::id)
        .select((
            outbox::id,
            outbox::ticket_id,
            outbox::kind,
            outbox::to_addrs,
            outbox::cc_addrs,
            outbox::lang,
            outbox::subject,
            outbox::attempts,
            outbox::last_error,
            outbox::sent_at,
            outbox::failed_at,
            outbox::attachment_ids,
        ))
        .load(conn)
        .await
        .expect("the outbox");
    MailLog(
        rows.into_iter()
            .map(
                |(
                    id,
                    ticket_id,
                    kind,
                    to,
                    cc,
                    lang,
                    subject,
                    attempts,
                    last_error,
                    sent_at,
                    failed_at,
                    attachment_ids,
                )| Mail {
                    id,
                    ticket_id,
                    kind,
                    to,
                    cc,
                    lang,
                    subject,
                    status: match (sent_at, failed_at) {
                        (Some(_), _) => MailStatus::Sent,
                        (None, Some(_)) => MailStatus::Failed,
                        (None, None) => MailStatus::Pending,
                    },
                    attempts,
                    last_error,
                    attachment_ids,
                },
            )
            .collect(),
    )
}

/// What a test declared about the outbox of its database, and which rows it has seen.
#[derive(Debug, Default)]
pub struct Ledger {
    inner: Mutex<LedgerState>,
}

#[derive(Debug, Default)]
struct LedgerState {
    expected_pending: usize,
    expected_failed: usize,
    seen: BTreeSet<i64>,
}

static LEDGERS: Mutex<Option<HashMap<String, Arc<Ledger>>>> = Mutex::new(None);

/// The ledger of one test database (shared by every instance on it).
pub fn ledger(db_name: &str) -> Arc<Ledger> {
    let mut all = LEDGERS.lock().unwrap_or_else(|e| e.into_inner());
    Arc::clone(
        all.get_or_insert_with(HashMap::new)
            .entry(db_name.to_string())
            .or_default(),
    )
}

/// Forgets the ledger of a database that is being dropped.
pub fn forget_ledger(db_name: &str) {
    let mut all = LEDGERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(map) = all.as_mut() {
        map.remove(db_name);
    }
}

impl Ledger {
    fn state(&self) -> std::sync::MutexGuard<'_, LedgerState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn expect_pending(&self, n: usize) {
        self.state().expected_pending = n;
    }

    pub fn expect_failed(&self, n: usize) {
        self.state().expected_failed = n;
    }

    /// Keeps the rows of `log` not seen before, and marks them seen.
    pub fn take_unseen(&self, log: MailLog) -> MailLog {
        let mut state = self.state();
        MailLog(
            log.0
                .into_iter()
                .filter(|m| state.seen.insert(m.id))
                .collect(),
        )
    }

    pub fn mark_seen(&self, log: &MailLog) {
        let mut state = self.state();
        state.seen.extend(log.0.iter().map(|m| m.id));
    }

    /// What is wrong with `rows` as the outbox a test ends with (`None` when nothing).
    pub fn verdict(&self, rows: &MailLog) -> Option<String> {
        let state = self.state();
        let pending = rows.with_status(MailStatus::Pending);
        let failed = rows.with_status(MailStatus::Failed);
        let unseen = MailLog(
            rows.0
                .iter()
                .filter(|m| !state.seen.contains(&m.id))
                .cloned()
                .collect(),
        );
        let mut problems = Vec::new();
        if pending.len() != state.expected_pending {
            problems.push(format!(
                "{} pending mail, {} declared (app.expect_pending_mail):\n{}",
                pending.len(),
                state.expected_pending,
                pending.lines()
            ));
        }
        if failed.len() != state.expected_failed {
            problems.push(format!(
                "{} failed mail, {} declared (app.expect_failed_mail):\n{}",
                failed.len(),
                state.expected_failed,
                failed.lines()
            ));
        }
        if !unseen.is_empty() {
            problems.push(format!(
                "{} mail the test never looked at (assert its recipients with \
                 app.take_mail()):\n{}",
                unseen.len(),
                unseen.lines()
            ));
        }
        (!problems.is_empty()).then(|| {
            format!(
                "the outbox check failed at the end of the test:\n{}\nthe whole outbox:\n{}",
                problems.join("\n"),
                rows.lines()
            )
        })
    }
}

/// The end-of-test check of one database's outbox: `Err` says what is wrong.
pub async fn check(conn: &mut AsyncPgConnection, ledger: &Ledger) -> Result<(), String> {
    let rows = all_rows(conn).await;
    match ledger.verdict(&rows) {
        None => Ok(()),
        Some(problem) => Err(problem),
    }
}

/// The citizen of `filing::valid_fields`.
pub const CITIZEN: &str = "hoa.nguyen@example.vn";
/// The seeded receiving contacts: the deputy director, …
pub const DEPUTY: &str = "tlho@angiang.gov.vn";
/// … the public service inspection team, …
pub const INSPECTION: &str = "kiemtracongvu@angiang.gov.vn";
/// … and the provincial committee's general affairs office.
pub const PPC_OFFICE: &str = "thutuchanhchinh@angiang.gov.vn";

/// The mail of one filing of `filing::valid_fields` (a delay by officials): the
/// acknowledgement to the citizen, then the routing notification to the inspection
/// team, Cc the deputy director.
pub fn filing_mail() -> Vec<(&'static str, Rcpt)> {
    vec![
        ("ack", mail_to(&[CITIZEN])),
        ("notify", mail_to(&[INSPECTION]).cc(&[DEPUTY])),
    ]
}

/// The mail of one filing with the citizen's email, whose routing rule notifies
/// `notify`.
pub fn filing_mail_notifying(notify: Rcpt) -> Vec<(&'static str, Rcpt)> {
    vec![("ack", mail_to(&[CITIZEN])), ("notify", notify)]
}

/// The mail of `n` such filings, in order.
pub fn filings_mail(n: usize) -> Vec<(&'static str, Rcpt)> {
    (0..n).flat_map(|_| filing_mail()).collect()
}
