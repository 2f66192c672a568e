//! The IMAP poller (`[mail.inbound.imap]`, issue 16's second way in): one instance at a
//! time, the holder of the lease `mail.inbound.imap`, takes the messages waiting in
//! `folder`, [`store`]s each in its own commit and only then moves it to `done_folder`
//! (a crash between the two leaves it in the folder: the next pass stores it again, a
//! duplicate by its Message-ID, and moves it then). After storing any it wakes the
//! processing pass ([`super::job`]). Then it waits: IDLE when the server offers it and
//! `idle` is on (new mail wakes it), else `poll_secs`. Errors reconnect with backoff;
//! the other instances try for the lease every `poll_secs`, and a crashed holder's
//! lease expires. [`poll_once`] is one pass on one connection (tests, an operator).
//!
//! Logs carry counts and errors, never a message's subject or addresses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::{Stored, store};
use crate::config::Config;
use crate::db::Pool;
use crate::db::workflow as leases;
use crate::domain::inbound::InboundSource;
use crate::mail::inbound::imap::{MAX_IDLE, Mailbox};

/// The lease in `job_leases` that the polling instance holds.
pub const LEASE: &str = "mail.inbound.imap";
/// How often a long pass renews the lease.
const RENEW_EVERY: Duration = Duration::from_secs(60);
/// The first wait after an error; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollReport {
    /// Messages stored new.
    pub stored: usize,
    /// Messages stored before (same Message-ID): moved only.
    pub duplicates: usize,
    /// Messages moved to the done folder.
    pub moved: usize,
}

/// What [`poll_once`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    /// Another instance holds the lease: nothing done.
    Busy,
    Done(PollReport),
}

/// The pass stopped because another instance took the lease (ours had expired).
#[derive(Debug, thiserror::Error)]
#[error("the imap lease was taken by another instance")]
struct LeaseLost;

/// Whether this configuration runs a poller.
pub fn enabled(cfg: &Config) -> bool {
    cfg.mail.inbound.enabled && !cfg.mail.inbound.imap.host.trim().is_empty()
}

/// The longest wait between passes (IDLE or sleep).
fn wait_of(cfg: &Config) -> Duration {
    Duration::from_secs(cfg.mail.inbound.imap.poll_secs.max(1)).min(MAX_IDLE)
}

/// How long the lease lasts unrenewed: a wait plus a margin for a pass.
fn lease_secs(cfg: &Config) -> i64 {
    i64::try_from(wait_of(cfg).as_secs()).unwrap_or(i64::MAX / 2) + 120
}

/// Takes or renews the lease; whether this instance holds it now.
async fn renew(pool: &Pool, cfg: &Config, holder: &str) -> anyhow::Result<bool> {
    let mut conn = pool
        .get()
        .await
        .context("imap poller: a database connection")?;
    leases::take_lease(&mut conn, LEASE, holder, lease_secs(cfg))
        .await
        .context("imap poller: taking the lease")
}

async fn release(pool: &Pool, holder: &str) -> anyhow::Result<()> {
    let mut conn = pool
        .get()
        .await
        .context("imap poller: a database connection")?;
    leases::release_lease(&mut conn, LEASE, holder)
        .await
        .context("imap poller: releasing the lease")?;
    Ok(())
}

/// One pass on one connection if this instance gets the lease (given back at the end):
/// stores and moves everything waiting.
pub async fn poll_once(pool: &Pool, cfg: &Config, holder: &str) -> anyhow::Result<Polled> {
    if !renew(pool, cfg, holder).await? {
        return Ok(Polled::Busy);
    }
    let report = async {
        let mut mailbox = Mailbox::open(&cfg.mail.inbound.imap)
            .await
            .context("imap poller: opening the mailbox")?;
        let report = pass(&mut mailbox, pool, cfg, holder).await;
        mailbox.logout().await;
        report
    }
    .await;
    let released = release(pool, holder).await;
    // The pass's own error first.
    let report = report?;
    released?;
    Ok(Polled::Done(report))
}

/// Stores every message waiting, each in its own commit, and moves it to the done
/// folder after that commit; renews the lease as it goes.
async fn pass(
    mailbox: &mut Mailbox,
    pool: &Pool,
    cfg: &Config,
    holder: &str,
) -> anyhow::Result<PollReport> {
    let mut report = PollReport::default();
    let uids = mailbox.waiting().await.context("imap poller: listing")?;
    let mut renewed = Instant::now();
    for uid in uids {
        if renewed.elapsed() >= RENEW_EVERY {
            if !renew(pool, cfg, holder).await? {
                return Err(LeaseLost.into());
            }
            renewed = Instant::now();
        }
        let Some(message) = mailbox
            .fetch(uid, cfg.mail.inbound.max_bytes)
            .await
            .with_context(|| format!("imap poller: fetching uid {uid}"))?
        else {
            continue;
        };
        let total = message.size.max(message.raw.len());
        let stored = {
            let mut conn = pool
                .get()
                .await
                .context("imap poller: a database connection")?;
            store(&mut conn, cfg, InboundSource::Imap, &message.raw, total)
                .await
                .with_context(|| format!("imap poller: storing uid {uid}"))?
        };
        match stored {
            Stored::New(_) => report.stored += 1,
            Stored::Duplicate => report.duplicates += 1,
        }
        mailbox
            .move_done(uid)
            .await
            .with_context(|| format!("imap poller: moving uid {uid}"))?;
        report.moved += 1;
    }
    Ok(report)
}

/// Starts the poller when `[mail.inbound] enabled` and `[mail.inbound.imap] host` is
/// set; `wake` is told after messages were stored.
pub fn spawn(pool: Pool, cfg: Arc<Config>, wake: Arc<Notify>) -> Option<JoinHandle<()>> {
    if !enabled(&cfg) {
        return None;
    }
    let holder = super::super::jobs::instance_name();
    Some(tokio::spawn(async move {
        run(&pool, &cfg, &wake, &holder).await;
    }))
}

/// The poller's loop (until the task is dropped): wait for the lease, hold it while the
/// connection works, reconnect with backoff after an error.
pub async fn run(pool: &Pool, cfg: &Config, wake: &Notify, holder: &str) {
    let mut backoff = FIRST_BACKOFF;
    loop {
        match renew(pool, cfg, holder).await {
            Ok(true) => {}
            Ok(false) => {
                tokio::time::sleep(wait_of(cfg)).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "imap poller: no lease");
                backoff = pause(backoff).await;
                continue;
            }
        }
        match hold(pool, cfg, wake, holder, &mut backoff).await {
            Ok(()) => tracing::info!("imap poller: the lease went to another instance"),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "imap poller failed; reconnecting");
                if let Err(e) = release(pool, holder).await {
                    tracing::warn!(error = %format!("{e:#}"), "imap poller: lease not released");
                }
                backoff = pause(backoff).await;
            }
        }
    }
}

/// Sleeps `backoff`; the next one.
async fn pause(backoff: Duration) -> Duration {
    tokio::time::sleep(backoff).await;
    (backoff * 2).min(MAX_BACKOFF)
}

/// While this instance holds the lease: one connection, passes and waits. `Ok` when the
/// lease was lost.
async fn hold(
    pool: &Pool,
    cfg: &Config,
    wake: &Notify,
    holder: &str,
    backoff: &mut Duration,
) -> anyhow::Result<()> {
    let mut mailbox = Mailbox::open(&cfg.mail.inbound.imap)
        .await
        .context("imap poller: opening the mailbox")?;
    loop {
        let report = match pass(&mut mailbox, pool, cfg, holder).await {
            Ok(report) => report,
            Err(e) if e.is::<LeaseLost>() => {
                mailbox.logout().await;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        *backoff = FIRST_BACKOFF;
        if report.stored > 0 {
            wake.notify_one();
        }
        if report.moved > 0 {
            tracing::info!(
                stored = report.stored,
                duplicates = report.duplicates,
                "imap poller: messages taken"
            );
        }
        if !renew(pool, cfg, holder).await? {
            mailbox.logout().await;
            return Ok(());
        }
        mailbox = wait(mailbox, cfg).await?;
    }
}

/// Waits for new mail: IDLE when offered and wanted, else a sleep.
async fn wait(mailbox: Mailbox, cfg: &Config) -> anyhow::Result<Mailbox> {
    if cfg.mail.inbound.imap.idle && mailbox.can_idle() {
        let (mailbox, _woke) = mailbox
            .idle(wait_of(cfg))
            .await
            .context("imap poller: idle")?;
        return Ok(mailbox);
    }
    tokio::time::sleep(wait_of(cfg)).await;
    Ok(mailbox)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_outlasts_a_wait() {
        let mut cfg = Config::default();
        cfg.mail.inbound.imap.poll_secs = 60;
        assert_eq!(wait_of(&cfg), Duration::from_secs(60));
        assert_eq!(lease_secs(&cfg), 180);
        cfg.mail.inbound.imap.poll_secs = 86_400;
        assert_eq!(wait_of(&cfg), MAX_IDLE);
        assert!(lease_secs(&cfg) > i64::try_from(MAX_IDLE.as_secs()).unwrap_or(0));
        cfg.mail.inbound.imap.poll_secs = 0;
        assert_eq!(wait_of(&cfg), Duration::from_secs(1));
    }

    #[test]
    fn enabled_needs_a_host() {
        let mut cfg = Config::default();
        cfg.mail.inbound.enabled = true;
        assert!(!enabled(&cfg));
        cfg.mail.inbound.imap.host = "imap.example.org".into();
        assert!(enabled(&cfg));
        cfg.mail.inbound.enabled = false;
        assert!(!enabled(&cfg));
    }
}
