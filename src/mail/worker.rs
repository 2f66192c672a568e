//! The delivery worker: claims due rows with `SELECT … FOR UPDATE SKIP LOCKED`, sends
//! them, records the outcome and commits, all in one transaction per batch. Rows stay
//! locked only while their batch runs, so a worker that dies (even by SIGKILL) releases
//! them with its connection and another worker takes them at once. A crash between a
//! send and the commit can send a mail twice (at most the batch in flight), never lose
//! it; every attempt carries the row's `Message-ID`.
//!
//! Delivery is per recipient ([`settle`]): the message goes to those the server accepts;
//! those refused for good are recorded (`outbox_refusals`, shown on the ticket page and
//! in `pakn outbox status`); those refused for now are tried again alone, those who have
//! it being kept in `delivered_to`. A mail fails only when nobody ever accepted it.
//!
//! Loop: drain until nothing is due, then wait for a wake-up (a commit on this instance
//! that queued mail), the next retry falling due, or `poll_interval_secs` (mail queued by
//! other instances), whichever comes first. Stopping lets the sends in flight finish,
//! records them and leaves the rest of the batch for later.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use diesel_async::AsyncConnection;
use futures_util::{StreamExt, stream};
use lettre::Address;
use lettre::address::Envelope;
use rand::Rng;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::message::{self, Sender};
use super::outbox::{self, ClaimedRow};
use super::reply_address::Replies;
use super::transport::{Delivery, Refusal, SendError, Transport};
use super::{compose, notification};
use crate::config::{Config, MailConfig};
use crate::db::Pool;
use crate::db::tickets;
use crate::reference::ReferenceCache;

/// Retry settings from `[mail]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base_secs: u64,
    pub max_secs: u64,
    pub max_attempts: i32,
}

impl Backoff {
    pub fn from_config(cfg: &MailConfig) -> Backoff {
        Backoff {
            base_secs: cfg.retry_base_secs.max(1),
            max_secs: cfg.retry_max_secs.max(cfg.retry_base_secs.max(1)),
            max_attempts: cfg.max_attempts.max(1),
        }
    }

    /// The nominal delay after the `attempts`-th failed attempt (1-based):
    /// `min(max, base · 2^(attempts−1))`.
    pub fn nominal(&self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(40);
        let secs = self
            .base_secs
            .saturating_mul(1u64 << exp)
            .min(self.max_secs);
        Duration::from_secs(secs)
    }

    /// The nominal delay with ±20 % jitter (`jitter` in [-1, 1]), never above the cap.
    pub fn delay(&self, attempts: i32, jitter: f64) -> Duration {
        let nominal = self.nominal(attempts).as_secs_f64();
        let jittered = nominal * (1.0 + 0.2 * jitter.clamp(-1.0, 1.0));
        Duration::from_secs_f64(jittered.clamp(0.5, self.max_secs as f64))
    }
}

/// What one attempt at one row came to: who received it now, who will never receive
/// it (with the server's answer), and what becomes of the row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    delivered: Vec<String>,
    refused: Vec<(String, String)>,
    next: Next,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Next {
    /// Done: every recipient has it or refused it for good, and at least one has it.
    Sent,
    /// Some recipients were refused for now (or the send failed for now): try again
    /// later, for those who do not have it yet.
    Retry { class: String, text: String },
    /// Done, and nobody has it.
    Failed { class: String, text: String },
}

/// Decides an attempt: `attempt` is its number (1-based), `pending` the recipients it
/// was for, `delivered_before` whether an earlier attempt reached someone. A refusal
/// for now of some recipients retries those only; on the last attempt, or for a
/// permanent error, whoever is left counts as refused for good. The row fails only
/// when nobody ever received it.
fn settle(
    attempt: i32,
    max_attempts: i32,
    pending: &[String],
    delivered_before: bool,
    result: Result<Delivery, SendError>,
) -> Outcome {
    let last_try = attempt >= max_attempts;
    let (delivered, permanent, temporary) = match result {
        Ok(d) => {
            let (permanent, temporary): (Vec<Refusal>, Vec<Refusal>) =
                d.refused.into_iter().partition(|r| r.error.is_permanent());
            (d.accepted, permanent, temporary)
        }
        Err(error) => {
            let everyone = pending.iter().map(|address| Refusal {
                address: address.clone(),
                error: error.clone(),
            });
            if error.is_permanent() {
                (Vec::new(), everyone.collect(), Vec::new())
            } else {
                (Vec::new(), Vec::new(), everyone.collect())
            }
        }
    };
    let reply = |r: &Refusal| (r.address.clone(), last_error(&r.error, attempt));
    if !temporary.is_empty() && !last_try {
        let first = &temporary[0].error;
        return Outcome {
            delivered,
            refused: permanent.iter().map(reply).collect(),
            next: Next::Retry {
                class: first.class().to_string(),
                text: last_error(first, attempt),
            },
        };
    }
    let refused: Vec<(String, String)> = permanent.iter().chain(&temporary).map(reply).collect();
    let next = if delivered_before || !delivered.is_empty() {
        Next::Sent
    } else {
        let first = permanent.first().or(temporary.first());
        Next::Failed {
            class: first
                .map_or("no recipient", |r| r.error.class())
                .to_string(),
            text: first.map_or_else(
                || "no recipient".to_string(),
                |r| last_error(&r.error, attempt),
            ),
        }
    };
    Outcome {
        delivered,
        refused,
        next,
    }
}

/// Counts of one batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchReport {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

pub struct Worker {
    pool: Pool,
    cfg: Arc<Config>,
    reference: Arc<ReferenceCache>,
    transport: Arc<Transport>,
    sender: Sender,
    backoff: Backoff,
    /// The signed reply addresses (`[mail.inbound] enabled`), set up at the first batch
    /// (the secret may be generated in the database).
    replies: tokio::sync::OnceCell<Option<Replies>>,
    batch_size: i64,
    concurrency: usize,
    poll: Duration,
}

impl Worker {
    /// A worker on `pool` with the transport of `[mail]` (built once, here); it renders
    /// queued filing mails with `cfg` and `reference`.
    pub fn new(
        pool: Pool,
        config: Arc<Config>,
        reference: Arc<ReferenceCache>,
    ) -> anyhow::Result<Worker> {
        let cfg = &config.mail;
        let transport = Transport::from_config(cfg)?;
        let concurrency = transport.concurrency(cfg);
        Ok(Worker {
            pool,
            cfg: Arc::clone(&config),
            reference,
            transport: Arc::new(transport),
            sender: Sender::from_config(cfg)?,
            backoff: Backoff::from_config(cfg),
            replies: tokio::sync::OnceCell::new(),
            batch_size: cfg.batch_size.max(1),
            concurrency,
            poll: Duration::from_secs(cfg.poll_interval_secs.max(1)),
        })
    }

    /// Runs [`Worker::run`] as a task; the handle stops it.
    pub fn spawn(self, wake: Arc<Notify>) -> WorkerHandle {
        let (stop_tx, stop_rx) = watch::channel(false);
        let join = tokio::spawn(self.run(wake, stop_rx));
        WorkerHandle { stop_tx, join }
    }

    /// Delivers until `stop` turns true (or its sender goes away).
    pub async fn run(self, wake: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        tracing::info!("mail worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            let wait = match self.run_batch(&stop).await {
                Ok(report) if report.claimed > 0 => continue,
                Ok(_) => self.idle_wait().await,
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "mail batch failed; retrying later");
                    self.poll.min(Duration::from_secs(2))
                }
            };
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                changed = stop.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
            }
        }
        tracing::info!("mail worker stopped");
    }

    /// How long to sleep when nothing is due: until the next retry, at most the poll
    /// interval; briefly when rows are due but held by other workers.
    async fn idle_wait(&self) -> Duration {
        let next = async {
            let mut conn = self.pool.get().await?;
            anyhow::Ok(outbox::next_due(&mut conn).await?)
        }
        .await;
        match next {
            Ok(Some(at)) => {
                let until = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
                if until.is_zero() {
                    self.poll.min(Duration::from_millis(500))
                } else {
                    until.min(self.poll)
                }
            }
            Ok(None) => self.poll,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "mail worker cannot read the queue");
                self.poll
            }
        }
    }

    /// Delivers everything due now (tests, `pakn outbox run --once`-style use).
    pub async fn drain(&self) -> anyhow::Result<BatchReport> {
        let (_tx, stop) = watch::channel(false);
        let mut total = BatchReport::default();
        loop {
            let r = self.run_batch(&stop).await?;
            total.claimed += r.claimed;
            total.sent += r.sent;
            total.retried += r.retried;
            total.failed += r.failed;
            if r.claimed == 0 {
                return Ok(total);
            }
        }
    }

    /// Claims one batch, sends it, records the outcomes, commits.
    pub async fn run_batch(&self, stop: &watch::Receiver<bool>) -> anyhow::Result<BatchReport> {
        let mut conn = self.pool.get().await.context("mail worker: connecting")?;
        let report = conn
            .transaction::<BatchReport, anyhow::Error, _>(async |conn| {
                let mut rows = outbox::claim_due(conn, self.batch_size).await?;
                if rows.is_empty() {
                    return Ok(BatchReport::default());
                }
                self.render_queued(conn, &mut rows).await?;
                let mut file_ids: Vec<i64> =
                    rows.iter().flat_map(|r| r.attachment_ids.clone()).collect();
                file_ids.sort_unstable();
                file_ids.dedup();
                let files = outbox::attachments(conn, &file_ids).await?;
                let claimed = rows.len();
                let refused = outbox::refused_addresses(conn, &rows).await?;
                let reply_to = self.reply_addresses(conn, &rows).await?;
                let outcomes: Vec<(i64, i32, Outcome)> = stream::iter(rows)
                    .take_while(|_| std::future::ready(!*stop.borrow()))
                    .map(|row| {
                        let files: Vec<outbox::AttachmentFile> = files
                            .iter()
                            .filter(|f| row.attachment_ids.contains(&f.id))
                            .cloned()
                            .collect();
                        let skip: Vec<&str> = refused
                            .iter()
                            .filter(|(id, _)| *id == row.id)
                            .map(|(_, address)| address.as_str())
                            .collect();
                        let reply = reply_to
                            .iter()
                            .find(|(id, _)| *id == row.id)
                            .map(|(_, a)| a.clone());
                        async move {
                            let outcome = self.deliver(&row, &files, &skip, reply.as_deref()).await;
                            (row.id, row.attempts + 1, outcome)
                        }
                    })
                    .buffer_unordered(self.concurrency)
                    .collect()
                    .await;
                self.record(conn, claimed, &outcomes).await
            })
            .await?;
        metrics::counter!("pakn_mail_sent_total").increment(report.sent as u64);
        metrics::counter!("pakn_mail_failed_total")
            .increment((report.retried + report.failed) as u64);
        if report.claimed > 0 {
            tracing::info!(
                claimed = report.claimed,
                sent = report.sent,
                retried = report.retried,
                failed = report.failed,
                "mail batch"
            );
        }
        Ok(report)
    }

    /// The signed Reply-To of each row of a PAKN (none unless `[mail.inbound] enabled`).
    async fn reply_addresses(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        rows: &[ClaimedRow],
    ) -> anyhow::Result<Vec<(i64, String)>> {
        let replies = self
            .replies
            .get_or_try_init(|| async {
                if !self.cfg.mail.inbound.enabled {
                    return anyhow::Ok(None);
                }
                let secret =
                    crate::db::settings::instance_secret(conn, &self.cfg.security.secret).await?;
                Ok(Some(Replies::new(&self.cfg, &secret)))
            })
            .await?;
        match replies {
            Some(r) => Ok(r.for_rows(conn, rows).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Records the outcomes of a batch (in its transaction).
    async fn record(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        claimed: usize,
        outcomes: &[(i64, i32, Outcome)],
    ) -> anyhow::Result<BatchReport> {
        let mut report = BatchReport {
            claimed,
            ..BatchReport::default()
        };
        let sent: Vec<i64> = outcomes
            .iter()
            .filter(|(_, _, o)| o.next == Next::Sent)
            .map(|(id, _, _)| *id)
            .collect();
        report.sent = outbox::mark_sent(conn, &sent).await?;
        for (id, attempt, outcome) in outcomes {
            if !outcome.refused.is_empty() {
                // The addresses are personal data: the log gets the row and a count.
                tracing::warn!(
                    outbox_id = id,
                    refused = outcome.refused.len(),
                    "recipients refused for good; recorded on the mail"
                );
                outbox::record_refusals(conn, *id, &outcome.refused).await?;
                if outcome.next == Next::Sent {
                    // Kept so that `pakn outbox retry` sends to the refused ones only.
                    outbox::add_delivered(conn, *id, &outcome.delivered).await?;
                }
            }
            match &outcome.next {
                Next::Sent => {}
                Next::Retry { class, text } => {
                    let delay = self
                        .backoff
                        .delay(*attempt, rand::rng().random_range(-1.0..=1.0));
                    let at = Utc::now()
                        + chrono::Duration::from_std(delay)
                            .unwrap_or(chrono::Duration::seconds(60));
                    outbox::mark_retry(conn, *id, text, at, &outcome.delivered).await?;
                    tracing::warn!(
                        outbox_id = id,
                        error = %class,
                        retry_in_secs = delay.as_secs(),
                        "mail not sent to every recipient; will retry"
                    );
                    report.retried += 1;
                }
                Next::Failed { class, text } => {
                    outbox::mark_failed(conn, *id, text).await?;
                    tracing::error!(outbox_id = id, error = %class, "mail failed for good");
                    report.failed += 1;
                }
            }
        }
        Ok(report)
    }

    /// Fills in the subject and body of mails queued without them (a filing's, a move's
    /// notifications), from their tickets. A mail that cannot be rendered stays empty and
    /// fails as unbuildable. A notification that carries the sender's details is
    /// recorded in the personal-data log for each staff account it goes to.
    async fn render_queued(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        rows: &mut [ClaimedRow],
    ) -> anyhow::Result<()> {
        let tickets_of = |wanted: &dyn Fn(&str) -> bool| -> Vec<i64> {
            let mut ids: Vec<i64> = rows
                .iter()
                .filter(|r| r.body_text.is_none() && wanted(&r.kind))
                .filter_map(|r| r.ticket_id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        };
        let ack_ids = tickets_of(&|k| k == compose::KIND_ACK);
        let notify_ids = tickets_of(&|k| notification::of_kind(k).is_some());
        if ack_ids.is_empty() && notify_ids.is_empty() {
            return Ok(());
        }
        let mut ids = [ack_ids.as_slice(), notify_ids.as_slice()].concat();
        ids.sort_unstable();
        ids.dedup();
        let tickets = outbox::tickets_for_mail(conn, &ids).await?;
        let files = outbox::citizen_files(conn, &notify_ids).await?;
        let reference = self.reference.get();
        let mut mailed: Vec<(i64, Vec<String>)> = Vec::new();
        for row in rows.iter_mut().filter(|r| r.body_text.is_none()) {
            let Some(ticket_id) = row.ticket_id else {
                continue;
            };
            let rendered = if row.kind == compose::KIND_ACK {
                tickets
                    .iter()
                    .find(|t| t.id == ticket_id)
                    .map(|t| compose::render_ack(&self.cfg, t))
            } else {
                tickets.iter().find(|t| t.id == ticket_id).map(|t| {
                    if notification::carries_sender(&self.cfg, &row.kind, t) {
                        mailed.push((ticket_id, row.to_addrs.clone()));
                    }
                    notification::render(&self.cfg, &reference, &row.kind, t, &files)
                })
            };
            match rendered {
                Some(Ok((subject, text, html))) => {
                    row.subject = Some(subject);
                    row.body_text = Some(text);
                    row.body_html = Some(html);
                }
                Some(Err(e)) => {
                    tracing::error!(outbox_id = row.id, error = %e, "cannot render mail")
                }
                None => {}
            }
        }
        for (ticket_id, to) in mailed {
            tickets::record_mailed_views(conn, ticket_id, &to).await?;
        }
        Ok(())
    }

    /// One attempt at `row`, for the recipients who neither have it (`delivered_to`)
    /// nor refused it for good (`skip`).
    async fn deliver(
        &self,
        row: &ClaimedRow,
        files: &[outbox::AttachmentFile],
        skip: &[&str],
        reply_to: Option<&str>,
    ) -> Outcome {
        let attempt = row.attempts + 1;
        let unbuildable = |text: String| Outcome {
            delivered: Vec::new(),
            refused: Vec::new(),
            next: Next::Failed {
                class: "unbuildable".into(),
                text,
            },
        };
        let msg = match message::build(&self.sender, row, files, reply_to) {
            Ok(m) => m,
            Err(e) => return unbuildable(e.to_string()),
        };
        let done = |a: &str| {
            let has = |x: &str| x.eq_ignore_ascii_case(a);
            row.delivered_to.iter().any(|d| has(d)) || skip.iter().any(|s| has(s))
        };
        let full = msg.envelope();
        let pending: Vec<Address> = full
            .to()
            .iter()
            .filter(|a| !done(a.as_ref()))
            .cloned()
            .collect();
        let pending_text: Vec<String> = pending.iter().map(ToString::to_string).collect();
        if pending.is_empty() {
            // Everyone was dealt with by earlier attempts (a batch cut short after them).
            return settle(
                attempt,
                attempt,
                &[],
                !row.delivered_to.is_empty(),
                Ok(Delivery::default()),
            );
        }
        let envelope = match Envelope::new(full.from().cloned(), pending) {
            Ok(e) => e,
            Err(e) => return unbuildable(e.to_string()),
        };
        let result = self.transport.send(row.id, msg, &envelope).await;
        settle(
            attempt,
            self.backoff.max_attempts,
            &pending_text,
            !row.delivered_to.is_empty(),
            result,
        )
    }
}

fn last_error(e: &SendError, attempt: i32) -> String {
    let mut text = format!("attempt {attempt}: {}", e.text());
    if text.len() > 2000 {
        let mut cut = 2000;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

/// A running worker task.
pub struct WorkerHandle {
    stop_tx: watch::Sender<bool>,
    join: JoinHandle<()>,
}

impl WorkerHandle {
    /// Asks the worker to stop and waits until it has recorded its batch.
    pub async fn stop(self) {
        let _ = self.stop_tx.send(true);
        if let Err(e) = self.join.await {
            tracing::warn!(error = %e, "mail worker ended abnormally");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff() -> Backoff {
        Backoff::from_config(&MailConfig::default())
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b = Backoff {
            base_secs: 30,
            max_secs: 3600,
            max_attempts: 12,
        };
        let secs: Vec<u64> = (1..=9).map(|n| b.nominal(n).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(b.nominal(1000).as_secs(), 3600, "no overflow");
    }

    #[test]
    fn jitter_stays_within_twenty_percent_and_the_cap() {
        let b = backoff();
        for attempts in 1..=20 {
            let nominal = b.nominal(attempts).as_secs_f64();
            for j in [-1.0, -0.5, 0.0, 0.5, 1.0] {
                let d = b.delay(attempts, j).as_secs_f64();
                assert!(d >= nominal * 0.8 - 1e-9 && d <= nominal * 1.2 + 1e-9);
                assert!(d <= b.max_secs as f64);
            }
        }
    }

    fn refusal(address: &str, permanent: bool) -> Refusal {
        let (class, text) = if permanent {
            ("smtp 550", "550 no such mailbox")
        } else {
            ("smtp 450", "450 busy")
        };
        let error = if permanent {
            SendError::Permanent {
                class: class.into(),
                text: text.into(),
            }
        } else {
            SendError::Temporary {
                class: class.into(),
                text: text.into(),
            }
        };
        Refusal {
            address: address.into(),
            error,
        }
    }

    fn delivery(accepted: &[&str], refused: Vec<Refusal>) -> Result<Delivery, SendError> {
        Ok(Delivery {
            accepted: accepted.iter().map(|a| a.to_string()).collect(),
            refused,
        })
    }

    const TO: &str = "to@x.vn";
    const CC: &str = "cc@x.vn";

    #[test]
    fn a_refused_cc_is_recorded_and_the_mail_is_sent_to_the_rest() {
        let o = settle(1, 12, &[], false, delivery(&[TO], vec![refusal(CC, true)]));
        assert_eq!(o.next, Next::Sent);
        assert_eq!(o.delivered, [TO]);
        assert_eq!(o.refused.len(), 1);
        assert_eq!(o.refused[0].0, CC);
        assert!(o.refused[0].1.starts_with("attempt 1: 550"), "{o:?}");
    }

    #[test]
    fn a_recipient_refused_for_now_is_retried_and_given_up_on_the_last_attempt() {
        let o = settle(1, 3, &[], false, delivery(&[TO], vec![refusal(CC, false)]));
        assert!(matches!(o.next, Next::Retry { .. }), "{o:?}");
        assert_eq!(o.delivered, [TO], "remembered, so not sent twice");
        assert!(o.refused.is_empty(), "not refused for good yet");
        // The last attempt: someone has it, so it is sent, and the rest recorded.
        let o = settle(3, 3, &[], true, delivery(&[], vec![refusal(CC, false)]));
        assert_eq!(o.next, Next::Sent);
        assert_eq!(o.refused.len(), 1);
    }

    #[test]
    fn a_mail_nobody_accepted_fails_and_a_whole_failure_counts_for_everyone_pending() {
        let o = settle(1, 12, &[], false, delivery(&[], vec![refusal(TO, true)]));
        assert!(matches!(&o.next, Next::Failed { class, .. } if class == "smtp 550"));
        let pending = vec![TO.to_string(), CC.to_string()];
        let down = SendError::Temporary {
            class: "connection".into(),
            text: "refused".into(),
        };
        let o = settle(1, 12, &pending, false, Err(down.clone()));
        assert!(matches!(o.next, Next::Retry { .. }));
        assert!(o.refused.is_empty() && o.delivered.is_empty());
        let o = settle(12, 12, &pending, false, Err(down));
        assert!(matches!(o.next, Next::Failed { .. }));
        assert_eq!(o.refused.len(), 2, "each undelivered recipient is recorded");
        // After an earlier attempt reached someone, giving up still counts as sent.
        let rejected = SendError::Permanent {
            class: "smtp 554".into(),
            text: "554 rejected".into(),
        };
        let o = settle(2, 12, &[CC.to_string()], true, Err(rejected));
        assert_eq!(o.next, Next::Sent);
        assert_eq!(o.refused[0].0, CC);
    }

    #[test]
    fn the_first_retry_comes_within_30_seconds_by_default() {
        let b = backoff();
        assert!(b.delay(1, 1.0) <= Duration::from_secs(30));
    }
}
