//! `pakn reports reconcile [--from D --to D]`: the reconciliation of the report
//! aggregates run now (every day, or the days of the window), printing how many counts
//! it repaired and how many shard rows it folded.

use anyhow::Context as _;
use chrono::{NaiveDate, Utc};

use crate::config::Config;
use crate::handling::report_reconcile;

#[derive(Debug, clap::Subcommand)]
pub enum ReportsCommand {
    /// Recompute the report aggregates from the PAKN and repair any drift.
    Reconcile {
        /// First day (YYYY-MM-DD) of the window; every day when left out.
        #[arg(long, requires = "to")]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD) of the window.
        #[arg(long, requires = "from")]
        to: Option<NaiveDate>,
    },
}

pub async fn run(cfg: &Config, command: ReportsCommand) -> anyhow::Result<()> {
    let ReportsCommand::Reconcile { from, to } = command;
    crate::app::prepare(cfg).await?;
    let mut conn = crate::db::connect(&cfg.database.url)
        .await
        .context("connecting to the database")?;
    let window = from.zip(to);
    let done = report_reconcile::run(&mut conn, cfg, window, Utc::now())
        .await
        .context("reconciling the report aggregates")?;
    println!("fixed: {}", done.fixed);
    println!("compacted: {}", done.compacted);
    Ok(())
}
