//! The delivery worker: claims due deliveries (`FOR UPDATE SKIP LOCKED`, in one
//! transaction per batch, as the mail worker does), posts them at once to their receivers
//! signed per Standard Webhooks, records each outcome and commits. A crash before the
//! commit sends the batch again with the same `webhook-id` (receivers deduplicate on it),
//! never loses it. A failure is retried after `retry_base_secs`, doubling up to
//! `retry_max_secs` (±20 % jitter); a subscription whose every delivery has failed for
//! `disable_after_hours` is switched off and the admins are mailed.
//!
//! Deliveries are queued by triggers on any instance, so each worker looks every
//! `poll_interval_ms`, and drains without waiting while batches come full.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use diesel_async::AsyncConnection;
use futures_util::{StreamExt, stream};
use rand::Rng;
use tokio::task::JoinHandle;

use super::notice;
use super::sign::{SigningKeys, signature};
use crate::config::{Config, WebhooksConfig};
use crate::db::Pool;
use crate::db::webhooks::{self, Due, Outcome};

/// The most of a receiver's answer kept in the log.
const ERROR_CHARS: usize = 300;

pub struct Worker {
    pool: Pool,
    cfg: Arc<Config>,
    keys: SigningKeys,
    http: reqwest::Client,
}

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    pub claimed: usize,
    pub delivered: usize,
    pub failed: usize,
}

impl Worker {
    pub fn new(pool: Pool, cfg: Arc<Config>, app_secret: &[u8]) -> anyhow::Result<Worker> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(cfg.webhooks.timeout_secs.max(1)))
            .connect_timeout(Duration::from_secs(cfg.webhooks.timeout_secs.clamp(1, 5)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("pakn-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("building the webhook client")?;
        Ok(Worker {
            pool,
            keys: SigningKeys::new(app_secret),
            cfg,
            http,
        })
    }

    fn settings(&self) -> &WebhooksConfig {
        &self.cfg.webhooks
    }

    /// Runs until the process ends.
    pub fn spawn(self) -> JoinHandle<()> {
        tokio::spawn(async move {
            let poll = Duration::from_millis(self.settings().poll_interval_ms.max(10));
            loop {
                match self.run_batch().await {
                    Ok(r) if r.claimed as i64 >= self.settings().batch_size.max(1) => continue,
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "webhook batch failed");
                    }
                }
                tokio::time::sleep(poll).await;
            }
        })
    }

    /// Claims one batch, posts it, records the outcomes, commits; then switches off the
    /// subscriptions failing too long.
    pub async fn run_batch(&self) -> anyhow::Result<BatchReport> {
        let mut conn = self.pool.get().await.context("webhooks: connecting")?;
        let report = conn
            .transaction::<BatchReport, anyhow::Error, _>(async |conn| {
                let due = webhooks::claim_due(conn, self.settings().batch_size.max(1)).await?;
                if due.is_empty() {
                    return Ok(BatchReport::default());
                }
                let claimed = due.len();
                let outcomes: Vec<Outcome> = stream::iter(due)
                    .map(|d| self.deliver(d))
                    .buffer_unordered(self.settings().concurrency.max(1))
                    .collect()
                    .await;
                webhooks::record(conn, &outcomes).await?;
                let failed = outcomes.iter().filter(|o| o.error.is_some()).count();
                for o in &outcomes {
                    metrics::counter!(
                        "pakn_webhook_deliveries_total",
                        "outcome" => if o.error.is_none() { "delivered" } else { "failed" }
                    )
                    .increment(1);
                }
                Ok(BatchReport {
                    claimed,
                    delivered: outcomes.len() - failed,
                    failed,
                })
            })
            .await?;
        if report.failed > 0 {
            self.switch_off_failing(&mut conn).await?;
        }
        Ok(report)
    }

    async fn switch_off_failing(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
    ) -> anyhow::Result<()> {
        let hours = self.settings().disable_after_hours as f64;
        conn.transaction::<(), anyhow::Error, _>(async |conn| {
            let off = webhooks::switch_off_failing(conn, hours).await?;
            for s in &off {
                tracing::warn!(
                    subscription = s.id,
                    "webhook subscription switched off: failing"
                );
                notice::switched_off(conn, &self.cfg, s).await?;
            }
            Ok(())
        })
        .await
    }

    /// One attempt at one delivery.
    async fn deliver(&self, d: Due) -> Outcome {
        let secret = self.keys.secret(&d.secret_salt);
        let now = Utc::now().timestamp();
        let sent = self
            .http
            .post(&d.url)
            .header("content-type", "application/json")
            .header("webhook-id", &d.msg_id)
            .header("webhook-timestamp", now.to_string())
            .header(
                "webhook-signature",
                signature(&secret, &d.msg_id, now, d.body.as_bytes()),
            )
            .body(d.body)
            .send()
            .await;
        let (status, error) = match sent {
            Ok(res) if res.status().is_success() => (Some(i32::from(res.status().as_u16())), None),
            Ok(res) => {
                let status = res.status();
                let text = res.text().await.unwrap_or_default();
                let said: String = text.chars().take(ERROR_CHARS).collect();
                (
                    Some(i32::from(status.as_u16())),
                    Some(format!("HTTP {status}: {said}")),
                )
            }
            Err(e) => (None, Some(describe(&e))),
        };
        let retry_in_secs = if error.is_some() {
            self.delay(d.attempts + 1)
        } else {
            0.0
        };
        Outcome {
            id: d.id,
            subscription_id: d.subscription_id,
            status,
            error,
            retry_in_secs,
        }
    }

    /// Seconds before the next attempt after the `attempts`-th failed one.
    fn delay(&self, attempts: i32) -> f64 {
        let s = self.settings();
        let base = s.retry_base_secs.max(1) as f64;
        let exp = attempts.saturating_sub(1).clamp(0, 30);
        let nominal = (base * 2f64.powi(exp)).min(s.retry_max_secs.max(1) as f64);
        let jitter: f64 = rand::rng().random_range(-0.2..=0.2);
        (nominal * (1.0 + jitter)).max(0.5)
    }
}

/// A transport error in a few words (never the body sent).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    let line = format!("{what}: {detail}");
    line.chars().take(ERROR_CHARS).collect()
}
