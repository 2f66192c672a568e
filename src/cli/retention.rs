//! `pakn retention [--dry-run]`: the retention job run now, or what it would touch
//! (counts, codes and dates; never personal data).

use anyhow::Context as _;
use chrono::Utc;

use crate::config::Config;
use crate::handling::retention;

pub async fn run(cfg: &Config, dry_run: bool) -> anyhow::Result<()> {
    crate::app::prepare(cfg).await?;
    let mut conn = crate::db::connect(&cfg.database.url)
        .await
        .context("connecting to the database")?;
    let years = cfg.privacy.retention_years;
    if dry_run {
        let plan = retention::plan(&mut conn, cfg, Utc::now())
            .await
            .context("finding the PAKN due for anonymisation")?;
        for line in plan.lines(years) {
            println!("{line}");
        }
        return Ok(());
    }
    let report = retention::run(&mut conn, cfg, Utc::now())
        .await
        .context("anonymising the PAKN due")?;
    println!("retention_years: {years}");
    println!("anonymised: {}", report.tickets);
    println!("files removed: {}", report.files);
    println!("mails removed: {}", report.mails);
    Ok(())
}
