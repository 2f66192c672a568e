//! The inbound pass of every `pakn serve` (with `[mail.inbound] enabled`): processes the
//! stored messages that are due (new ones the pipe did not finish, those the IMAP
//! poller stored, retries after a failure). Instances share the work through `FOR
//! UPDATE SKIP LOCKED`; a pass is woken early by the poller after it stores, and by
//! `pakn mail receive`'s `NOTIFY` ([`super::listen`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::{Desk, process_due};
use crate::config::Config;
use crate::db::Pool;
use crate::reference::ReferenceCache;

/// Runs passes until the process ends; `wake` starts one at once, `mail_wake` is told
/// when a pass queued mail.
pub fn spawn(
    pool: Pool,
    cfg: Arc<Config>,
    reference: Arc<ReferenceCache>,
    secret: Arc<Vec<u8>>,
    wake: Arc<Notify>,
    mail_wake: Arc<Notify>,
) {
    if !cfg.mail.inbound.enabled {
        return;
    }
    super::listen::spawn(cfg.database.url.clone(), Arc::clone(&wake));
    if let Err(e) = super::socket::spawn(pool.clone(), Arc::clone(&cfg), Arc::clone(&wake)) {
        tracing::error!(error = %format!("{e:#}"), "inbound socket not available; the pipe stores directly");
    }
    let every = Duration::from_secs(cfg.mail.inbound.poll_interval_secs.max(1));
    tokio::spawn(async move {
        loop {
            match pass(&pool, &cfg, &reference, &secret).await {
                Ok(n) if n > 0 => {
                    tracing::info!(messages = n, "inbound mail processed");
                    mail_wake.notify_one();
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %format!("{e:#}"), "inbound pass failed"),
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(every) => {}
            }
        }
    });
}

/// One pass: every due message.
pub async fn pass(
    pool: &Pool,
    cfg: &Config,
    reference: &ReferenceCache,
    secret: &[u8],
) -> anyhow::Result<usize> {
    let mut conn = pool.get().await?;
    let reference = reference.get();
    let desk = Desk::new(cfg, &reference, secret);
    Ok(process_due(&mut conn, &desk).await?)
}
