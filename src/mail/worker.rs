//! The delivery worker: claims due rows with `SELECT … FOR UPDATE SKIP LOCKED`, sends
//! them, records the outcome and commits, all in one transaction per batch. Rows stay
//! locked only while their batch runs, so a worker that dies (even by SIGKILL) releases
//! them with its connection and another worker takes them at once. A crash between a
//! send and the commit can send a mail twice, never lose it.
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
use rand::Rng;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::compose;
use super::message::{self, Sender};
use super::outbox::{self, ClaimedRow};
use super::transport::{SendError, Transport};
use crate::config::{Config, MailConfig};
use crate::db::Pool;
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

/// What happened to one row.
#[derive(Debug)]
enum Outcome {
    Sent,
    Retry { class: String, text: String },
    Failed { class: String, text: String },
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
                let outcomes: Vec<(i64, i32, Outcome)> = stream::iter(rows)
                    .take_while(|_| std::future::ready(!*stop.borrow()))
                    .map(|row| {
                        let files: Vec<outbox::AttachmentFile> = files
                            .iter()
                            .filter(|f| row.attachment_ids.contains(&f.id))
                            .cloned()
                            .collect();
                        async move {
                            let outcome = self.deliver(&row, &files).await;
                            (row.id, row.attempts, outcome)
                        }
                    })
                    .buffer_unordered(self.concurrency)
                    .collect()
                    .await;
                let mut report = BatchReport {
                    claimed,
                    ..BatchReport::default()
                };
                let sent: Vec<i64> = outcomes
                    .iter()
                    .filter(|(_, _, o)| matches!(o, Outcome::Sent))
                    .map(|(id, _, _)| *id)
                    .collect();
                report.sent = outbox::mark_sent(conn, &sent).await?;
                for (id, attempts, outcome) in &outcomes {
                    match outcome {
                        Outcome::Sent => {}
                        Outcome::Retry { class, text } => {
                            let delay = self
                                .backoff
                                .delay(attempts + 1, rand::rng().random_range(-1.0..=1.0));
                            let at = Utc::now()
                                + chrono::Duration::from_std(delay)
                                    .unwrap_or(chrono::Duration::seconds(60));
                            outbox::mark_retry(conn, *id, text, at).await?;
                            tracing::warn!(
                                outbox_id = id,
                                error = %class,
                                retry_in_secs = delay.as_secs(),
                                "mail not sent; will retry"
                            );
                            report.retried += 1;
                        }
                        Outcome::Failed { class, text } => {
                            outbox::mark_failed(conn, *id, text).await?;
                            tracing::error!(outbox_id = id, error = %class, "mail failed for good");
                            report.failed += 1;
                        }
                    }
                }
                Ok(report)
            })
            .await?;
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

    /// Fills in the subject and body of filing mails queued without them, from their
    /// tickets. A mail that cannot be rendered stays empty and fails as unbuildable.
    async fn render_queued(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        rows: &mut [ClaimedRow],
    ) -> anyhow::Result<()> {
        let mut ids: Vec<i64> = rows
            .iter()
            .filter(|r| r.body_text.is_none())
            .filter_map(|r| r.ticket_id)
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        ids.sort_unstable();
        ids.dedup();
        let tickets = outbox::tickets_for_mail(conn, &ids).await?;
        let reference = self.reference.get();
        for row in rows.iter_mut().filter(|r| r.body_text.is_none()) {
            let Some(ticket) = row
                .ticket_id
                .and_then(|id| tickets.iter().find(|t| t.id == id))
            else {
                continue;
            };
            match compose::render_at_send(&self.cfg, &reference, &row.kind, ticket) {
                Ok((subject, text, html)) => {
                    row.subject = Some(subject);
                    row.body_text = Some(text);
                    row.body_html = Some(html);
                }
                Err(e) => tracing::error!(outbox_id = row.id, error = %e, "cannot render mail"),
            }
        }
        Ok(())
    }

    async fn deliver(&self, row: &ClaimedRow, files: &[outbox::AttachmentFile]) -> Outcome {
        let msg = match message::build(&self.sender, row, files) {
            Ok(m) => m,
            Err(e) => {
                return Outcome::Failed {
                    class: "unbuildable".into(),
                    text: e.to_string(),
                };
            }
        };
        match self.transport.send(row.id, msg).await {
            Ok(()) => Outcome::Sent,
            Err(e) if e.is_permanent() || row.attempts + 1 >= self.backoff.max_attempts => {
                Outcome::Failed {
                    class: e.class().to_string(),
                    text: last_error(&e, row.attempts + 1),
                }
            }
            Err(e) => Outcome::Retry {
                class: e.class().to_string(),
                text: last_error(&e, row.attempts + 1),
            },
        }
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

    #[test]
    fn the_first_retry_comes_within_30_seconds_by_default() {
        let b = backoff();
        assert!(b.delay(1, 1.0) <= Duration::from_secs(30));
    }
}
