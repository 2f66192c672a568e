//! `pakn digests [--dry-run]`: one pass of the digests now, as `pakn serve` would run it
//! at this moment (it sends only what is due: `[digests] at` and `weekly_on` apply; set
//! `PAKN_DIGESTS__AT=` to send at once), under the same lease and once-keys; or, with
//! `--dry-run`, which digests are due and for how many recipients. The mail is queued;
//! `pakn serve` (or `pakn outbox run`) delivers it.

use std::time::Instant;

use anyhow::Context as _;
use chrono::Utc;

use crate::config::Config;
use crate::domain::digest::UnsubscribeKey;
use crate::handling::digests::{self, Pass};
use crate::handling::jobs::instance_name;
use crate::reference::ReferenceCache;

pub async fn run(cfg: &Config, dry_run: bool) -> anyhow::Result<()> {
    crate::app::prepare(cfg).await?;
    let mut conn = crate::db::connect(&cfg.database.url)
        .await
        .context("connecting to the database")?;
    let secret = match cfg.security.secret.as_str() {
        "" => crate::db::settings::get(&mut conn, crate::db::settings::SECRET_KEY)
            .await?
            .context("no secret in the database")?,
        s => s.to_string(),
    };
    let key = UnsubscribeKey::new(secret.as_bytes());
    let reference = ReferenceCache::load(&mut conn).await?.get();
    let pass = Pass {
        cfg,
        reference: &reference,
        key: &key,
        now: Utc::now(),
    };
    if dry_run {
        for line in digests::plan(&mut conn, &pass).await? {
            println!("{line}");
        }
        return Ok(());
    }
    let started = Instant::now();
    let Some(report) = digests::run_once(&mut conn, &pass, &instance_name())
        .await
        .context("sending the digests due")?
    else {
        println!("another instance is sending digests now (lease mail.digests held)");
        return Ok(());
    };
    println!("daily digests queued: {}", report.daily);
    println!("daily, nothing to list: {}", report.daily_empty);
    println!("weekly digests queued: {}", report.weekly);
    println!("weekly, nothing to report: {}", report.weekly_empty);
    println!("took: {:.3} s", started.elapsed().as_secs_f64());
    Ok(())
}
