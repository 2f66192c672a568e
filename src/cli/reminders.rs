//! `pakn reminders [--dry-run]`: one reminder pass now, whatever `[reminders] at` says
//! (an operator who runs it means now; the benchmark times it), under the same lease as
//! the periodic job; `--dry-run` counts what it would send and rolls back.

use std::time::Instant;

use anyhow::Context as _;
use chrono::Utc;

use crate::config::Config;
use crate::handling::jobs::instance_name;
use crate::handling::reminders::{self, Mode};

pub async fn run(cfg: &Config, dry_run: bool) -> anyhow::Result<()> {
    crate::app::prepare(cfg).await?;
    let mut conn = crate::db::connect(&cfg.database.url)
        .await
        .context("connecting to the database")?;
    let reference = crate::db::reference::load_reference(&mut conn).await?;
    let mode = if dry_run { Mode::DryRun } else { Mode::Send };
    let started = Instant::now();
    let report = reminders::run_once(
        &mut conn,
        cfg,
        &reference,
        &instance_name(),
        Utc::now(),
        mode,
    )
    .await
    .context("the reminder pass")?;
    let secs = started.elapsed().as_secs_f64();
    let Some(report) = report else {
        println!("another instance is running the reminder pass; nothing done");
        return Ok(());
    };
    let verb = if dry_run { "would send" } else { "sent" };
    println!("due today: {}", report.due);
    println!("{verb}: {} (the others were sent before)", report.sent);
    println!("mails: {}", report.mails);
    println!("seconds: {secs:.3}");
    Ok(())
}
