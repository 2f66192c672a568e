//! Group commit of filings (issue 21): the PAKN filed on the public form and through the
//! API at the same moment are stored together, in one filing statement
//! ([`crate::db::tickets::insert_filings`]) and so one commit, by a few writers per
//! instance.
//!
//! A writer takes every filing waiting when it is free (up to [`MAX_BATCH`]) and stores
//! them in one statement; meanwhile the next filings wait for the next writer. A filing
//! is held back only while another writer's statement is under way: then a group of
//! fewer than [`FILL_WHILE_BUSY`] waits up to [`LINGER`] for more, since the database
//! is busy anyway and one larger group costs it less per filing than two small ones
//! (API filings 1,766 → 2,034 a second, groups of 3.9 → 6.6, bench/results.md). Alone,
//! or with every writer free, a filing is stored at once. Each filing's answer is sent
//! once the statement's answer has been read to its end, after its commit
//! ([`crate::db::durable`]), so a 303 still means the PAKN is committed.
//!
//! When the grouped statement fails, each filing of the group is stored again alone, so a
//! bad row fails only itself. Only filings with an idempotency key (a form token, an API
//! key) are grouped: storing one again after a statement whose commit was lost on a
//! broken connection finds it instead of filing it twice.
//!
//! Each group counts on a random shard of the counters, as a lone filing does: a shard
//! per writer made its counter rows so hot (hundreds of updates a second of one row)
//! that Postgres's CPU per filing doubled (bench/results.md). The statement updates the
//! counter rows in key order, so two groups on one shard wait for each other at worst,
//! never deadlock.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, anyhow};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::time::Instant;

use super::filing::{Attempt, FilingOutcome};
use crate::db::{Pool, counters, tickets};

/// The most filings one statement stores.
pub const MAX_BATCH: usize = 64;

type Answer = anyhow::Result<Result<FilingOutcome, diesel::result::Error>>;

struct Job {
    attempt: Attempt,
    answer: oneshot::Sender<Answer>,
}

/// The filing writers of one instance.
#[derive(Clone)]
pub struct GroupCommit {
    jobs: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts `writers` writers (at least one) storing on connections of `pool`. They
    /// stop when every handle is dropped.
    pub fn start(pool: Pool, writers: usize) -> GroupCommit {
        let writers = writers.max(1);
        let (jobs, queue) = mpsc::channel(MAX_BATCH * writers * 4);
        let queue = Arc::new(Mutex::new(queue));
        let busy = Arc::new(AtomicUsize::new(0));
        for _ in 0..writers {
            tokio::spawn(write(pool.clone(), queue.clone(), busy.clone()));
        }
        GroupCommit { jobs }
    }

    /// How many filings wait for a writer.
    pub fn waiting(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }

    /// Stores `attempt` with the filings arriving meanwhile. The outer error: no writer
    /// answered (the instance is stopping); the inner one: the database refused this
    /// filing.
    pub async fn store(&self, attempt: Attempt) -> Answer {
        anyhow::ensure!(
            attempt.idempotency_key().is_some(),
            "a filing without an idempotency key is stored alone"
        );
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Job { attempt, answer })
            .await
            .map_err(|_| anyhow!("the filing writers have stopped"))?;
        answered
            .await
            .context("a filing writer stopped before answering")?
    }
}

/// While another writer is storing, a writer holds a group of fewer than this many
/// filings back (for at most [`LINGER`]) to let it grow.
pub const FILL_WHILE_BUSY: usize = 8;
/// The longest a group waits to grow while another writer is storing.
pub const LINGER: Duration = Duration::from_millis(1);

async fn write(pool: Pool, queue: Arc<Mutex<mpsc::Receiver<Job>>>, busy: Arc<AtomicUsize>) {
    loop {
        let group = {
            let mut queue = queue.lock().await;
            let Some(first) = queue.recv().await else {
                return;
            };
            let mut group = vec![first];
            take_waiting(&mut queue, &mut group);
            // Another writer's statement is under way: the database is busy anyway, and a
            // larger group costs it less per filing than two small ones.
            let until = Instant::now() + LINGER;
            while group.len() < FILL_WHILE_BUSY && busy.load(Ordering::Acquire) > 0 {
                match tokio::time::timeout_at(until, queue.recv()).await {
                    Ok(Some(job)) => {
                        group.push(job);
                        take_waiting(&mut queue, &mut group);
                    }
                    Ok(None) | Err(_) => break,
                }
            }
            busy.fetch_add(1, Ordering::AcqRel);
            group
        };
        store_group(&pool, group, counters::random_shard()).await;
        busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Adds to `group` the filings waiting in `queue`, up to [`MAX_BATCH`].
fn take_waiting(queue: &mut mpsc::Receiver<Job>, group: &mut Vec<Job>) {
    while group.len() < MAX_BATCH {
        match queue.try_recv() {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
}

/// Stores `group` in one statement, or each of its filings alone when that fails, and
/// answers each.
async fn store_group(pool: &Pool, group: Vec<Job>, shard: i16) {
    metrics::histogram!("pakn_filing_group_size").record(group.len() as f64);
    let mut conn = match pool.get().await {
        Ok(conn) => conn,
        Err(e) => return no_connection(group, &e),
    };
    if let [job] = group.as_slice() {
        let answer = job.attempt.store_alone(&mut conn, shard).await;
        if answer.is_err() {
            // Perhaps broken: not given back to the pool (see below).
            drop(crate::db::PooledConn::take(conn));
        }
        if let Some(job) = group.into_iter().next() {
            let _ = job.answer.send(Ok(answer));
        }
        return;
    }
    let extras: Vec<tickets::FilingExtras<'_>> =
        group.iter().map(|job| job.attempt.extras()).collect();
    let stored =
        tickets::insert_filings(&mut conn, &tickets::FilingBatch::new(&extras, shard)).await;
    drop(extras);
    match stored {
        Ok(rows) => {
            let ids: HashMap<String, i64> = rows.into_iter().collect();
            for job in group {
                let stored = ids.get(job.attempt.code()).copied();
                let answer = job.attempt.outcome(&mut conn, stored).await;
                let _ = job.answer.send(Ok(answer));
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, size = group.len(), "a group of filings failed; storing each alone");
            metrics::counter!("pakn_filing_group_failures_total").increment(1);
            // The connection may be broken (its backend killed): it is not given back
            // to the pool, whose quick check on return would not see it.
            drop(crate::db::PooledConn::take(conn));
            let mut conn = match pool.get().await {
                Ok(conn) => conn,
                Err(e) => return no_connection(group, &e),
            };
            for job in group {
                let answer = job.attempt.store_alone(&mut conn, shard).await;
                let _ = job.answer.send(Ok(answer));
            }
        }
    }
}

/// Answers every filing of `group` that no connection could be had to store it: as a
/// connection the database closed, so that the web says "database down" (503) and keeps
/// the form, as it does for a filing stored on its own connection.
fn no_connection(group: Vec<Job>, e: &dyn std::fmt::Display) {
    use diesel::result::{DatabaseErrorKind, Error};
    for job in group {
        let why = format!("no connection to store filings: {e}");
        let closed = Error::DatabaseError(DatabaseErrorKind::ClosedConnection, Box::new(why));
        let _ = job.answer.send(Ok(Err(closed)));
    }
}
