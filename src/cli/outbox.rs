//! `pakn outbox run|status|retry`: the mail queue for operators.

use anyhow::Context;
use std::sync::Arc;

use clap::Subcommand;
use tokio::sync::{Notify, watch};

use crate::config::Config;
use crate::mail::outbox;
use crate::mail::worker::Worker;

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Deliver mail in the foreground until SIGTERM or Ctrl-C.
    Run,
    /// Print how much mail is pending and failed, and the age of the oldest pending.
    Status,
    /// Put failed mail back in the queue: one row by id (a sent one goes again to the
    /// recipients who refused it), or every failed row.
    Retry {
        /// The outbox id of the row.
        #[arg(required_unless_present = "all_failed", conflicts_with = "all_failed")]
        id: Option<i64>,
        #[arg(long)]
        all_failed: bool,
    },
}

pub async fn run(cfg: &Config, command: OutboxCommand) -> anyhow::Result<()> {
    match command {
        OutboxCommand::Run => {
            crate::app::prepare(cfg).await?;
            let pool = crate::db::pool(&cfg.database.url, 2)?;
            let mut conn = pool.get().await.context("connecting to the database")?;
            let reference = Arc::new(crate::reference::ReferenceCache::load(&mut conn).await?);
            drop(conn);
            reference.spawn_refresher(pool.clone(), crate::app::REFERENCE_REFRESH);
            let worker = Worker::new(pool.clone(), Arc::new(cfg.clone()), reference)?;
            let (stop_tx, stop_rx) = watch::channel(false);
            let task = tokio::spawn(worker.run(Arc::new(Notify::new()), stop_rx));
            crate::app::shutdown_signal().await;
            let _ = stop_tx.send(true);
            task.await?;
            pool.close();
            Ok(())
        }
        OutboxCommand::Status => {
            let mut conn = crate::db::connect(&cfg.database.url).await?;
            let s = outbox::status(&mut conn).await?;
            println!("pending: {}", s.pending);
            println!("failed: {}", s.failed);
            match s.oldest_pending_age_secs {
                Some(age) => println!("oldest_pending_age_secs: {age}"),
                None => println!("oldest_pending_age_secs: -"),
            }
            // For the operator (never logged): who will not receive which mail, and why.
            let refused = outbox::undelivered(&mut conn, None, 50).await?;
            if !refused.is_empty() {
                println!("refused recipients (latest {}):", refused.len());
            }
            for r in refused {
                println!(
                    "  mail {} ({}) to {} at {}: {}",
                    r.outbox_id,
                    r.kind,
                    r.address,
                    r.refused_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    r.reply
                );
            }
            Ok(())
        }
        OutboxCommand::Retry { id, all_failed } => {
            let mut conn = crate::db::connect(&cfg.database.url).await?;
            if all_failed {
                let n = outbox::retry_all_failed(&mut conn).await?;
                println!("{n} failed mail(s) queued again");
            } else if let Some(id) = id {
                if outbox::retry(&mut conn, id).await? {
                    println!("mail {id} queued again");
                } else {
                    anyhow::bail!("no unsent mail with id {id}");
                }
            }
            Ok(())
        }
    }
}
