//! `pakn doctor`: checks what an instance depends on, one line each, with an exit status
//! for monitoring (the Nagios convention): 0 all well, 1 a warning (the calendar lacks a
//! holiday, the clock drifts), 2 a failure (the database, its migrations, mail out, mail
//! in, the temporary directory). A configuration that does not load exits 2 before.

use std::time::Duration;

use diesel::sql_types::Double;
use diesel_async::RunQueryDsl;

use crate::config::Config;
use crate::domain::calendar::local_date;

/// How long each check waits for a server.
const WAIT: Duration = Duration::from_secs(10);
/// Clock drift against the database past which deadlines may be stamped wrong.
const DRIFT_WARN_SECS: f64 = 5.0;
const DRIFT_FAIL_SECS: f64 = 120.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warn,
    Fail,
}

impl Level {
    fn tag(self) -> &'static str {
        match self {
            Level::Ok => "OK  ",
            Level::Warn => "WARN",
            Level::Fail => "FAIL",
        }
    }
}

struct Line {
    level: Level,
    name: &'static str,
    detail: String,
}

fn line(level: Level, name: &'static str, detail: impl Into<String>) -> Line {
    Line {
        level,
        name,
        detail: detail.into(),
    }
}

async fn within<T>(
    what: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    tokio::time::timeout(WAIT, what)
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {} s", WAIT.as_secs()))?
}

async fn database(cfg: &Config) -> Vec<Line> {
    let url = &cfg.database.url;
    let conn = within(async { crate::db::connect(url).await }).await;
    let mut conn = match conn {
        Ok(conn) => conn,
        Err(e) => return vec![line(Level::Fail, "database", format!("{e:#}"))],
    };
    let mut out = vec![line(Level::Ok, "database", "connected")];
    out.push(
        match within(crate::db::setup::pending_migrations(url)).await {
            Ok(0) => line(Level::Ok, "migrations", "up to date"),
            Ok(n) => line(
                Level::Fail,
                "migrations",
                format!("{n} not run: run `pakn migrate` (it takes the advisory lock)"),
            ),
            Err(e) => line(Level::Fail, "migrations", format!("{e:#}")),
        },
    );
    out.push(clock(&mut conn).await);
    out.push(calendar(&mut conn).await);
    out.extend(replica(cfg, &mut conn).await);
    out
}

/// The read replica, when configured: it answers and is within its bound (else the
/// reads go to the primary: a warning, nothing fails).
async fn replica(cfg: &Config, primary: &mut diesel_async::AsyncPgConnection) -> Option<Line> {
    let url = cfg.database.replica_url.trim();
    if url.is_empty() {
        return None;
    }
    let bound = Duration::from_secs(cfg.database.replica_max_lag_secs);
    let mut conn = match within(async { crate::db::connect(url).await }).await {
        Ok(conn) => conn,
        Err(e) => {
            return Some(line(
                Level::Warn,
                "replica",
                format!("{e:#}: reads go to the primary"),
            ));
        }
    };
    Some(
        match crate::db::replica::measure(primary, &mut conn).await {
            Some(lag) if lag <= bound => line(
                Level::Ok,
                "replica",
                format!(
                    "{:.1} s behind (bound {} s)",
                    lag.as_secs_f64(),
                    bound.as_secs()
                ),
            ),
            Some(lag) => line(
                Level::Warn,
                "replica",
                format!(
                    "{:.1} s behind, past its bound of {} s: reads go to the primary",
                    lag.as_secs_f64(),
                    bound.as_secs()
                ),
            ),
            None => line(
                Level::Warn,
                "replica",
                "no answer on its lag: reads go to the primary",
            ),
        },
    )
}

#[derive(diesel::QueryableByName)]
struct Drift {
    #[diesel(sql_type = Double)]
    secs: f64,
}

/// This machine's clock against the database's (deadlines and timestamps use both).
async fn clock(conn: &mut diesel_async::AsyncPgConnection) -> Line {
    let local = chrono::Utc::now().timestamp_micros() as f64 / 1e6;
    let db: Result<Drift, _> =
        diesel::sql_query("SELECT extract(epoch FROM clock_timestamp())::float8 - $1 AS secs")
            .bind::<Double, _>(local)
            .get_result(conn)
            .await;
    match db {
        Ok(d) if d.secs.abs() > DRIFT_FAIL_SECS => line(
            Level::Fail,
            "clock",
            format!("{:.1} s off the database's clock: fix NTP", d.secs),
        ),
        Ok(d) if d.secs.abs() > DRIFT_WARN_SECS => line(
            Level::Warn,
            "clock",
            format!("{:.1} s off the database's clock", d.secs),
        ),
        Ok(d) => line(
            Level::Ok,
            "clock",
            format!("within {:.1} s of the database", d.secs.abs()),
        ),
        Err(e) => line(Level::Fail, "clock", e.to_string()),
    }
}

async fn calendar(conn: &mut diesel_async::AsyncPgConnection) -> Line {
    let today = local_date(chrono::Utc::now());
    match crate::db::admin::calendar::gaps(conn, today).await {
        Ok(gaps) if gaps.is_empty() => line(Level::Ok, "calendar", "complete for 12 months"),
        Ok(gaps) => {
            let what: Vec<String> = gaps.iter().map(super::check_calendar::describe).collect();
            line(Level::Warn, "calendar", what.join("; "))
        }
        Err(e) => line(Level::Fail, "calendar", e.to_string()),
    }
}

async fn mail_out(cfg: &Config) -> Line {
    let transport = match crate::mail::transport::Transport::from_config(&cfg.mail) {
        Ok(t) => t,
        Err(e) => return line(Level::Fail, "mail out", format!("{e:#}")),
    };
    let what = match cfg.mail.transport {
        crate::config::MailTransport::File => format!("file in {}", cfg.mail.dir.display()),
        crate::config::MailTransport::Smtp => {
            format!("smtp {}:{}", cfg.mail.smtp.host, cfg.mail.smtp.port)
        }
    };
    let checked = within(async {
        transport
            .check()
            .await
            .map_err(|e| anyhow::anyhow!("{what}: {e}"))
    })
    .await;
    match checked {
        Ok(()) => line(Level::Ok, "mail out", what),
        Err(e) => line(Level::Fail, "mail out", format!("{e:#}")),
    }
}

async fn mail_in(cfg: &Config) -> Option<Line> {
    let imap = &cfg.mail.inbound.imap;
    if imap.host.trim().is_empty() {
        return None;
    }
    let what = format!("imap {}:{}", imap.host, imap.port);
    let checked = within(async {
        let mut mailbox = crate::mail::inbound::imap::Mailbox::open(imap).await?;
        let waiting = mailbox.waiting().await?.len();
        mailbox.logout().await;
        Ok(waiting)
    })
    .await;
    Some(match checked {
        Ok(n) => line(Level::Ok, "mail in", format!("{what}, {n} waiting")),
        Err(e) => line(Level::Fail, "mail in", format!("{what}: {e:#}")),
    })
}

/// The temporary directory (uploads are read and exports written through it).
fn temp_dir() -> Line {
    let dir = std::env::temp_dir();
    let probe = dir.join(format!(".pakn-doctor-{}", std::process::id()));
    match std::fs::write(&probe, b"ok").and_then(|()| std::fs::remove_file(&probe)) {
        Ok(()) => line(Level::Ok, "temp dir", dir.display().to_string()),
        Err(e) => line(
            Level::Fail,
            "temp dir",
            format!("cannot write in {}: {e}", dir.display()),
        ),
    }
}

/// Runs every check, prints a line each, and returns the worst level.
pub async fn run(cfg: &Config) -> Level {
    let mut lines = vec![line(Level::Ok, "config", "loaded and checked")];
    lines.extend(database(cfg).await);
    lines.push(mail_out(cfg).await);
    lines.extend(mail_in(cfg).await);
    lines.push(temp_dir());
    for l in &lines {
        println!("{} {:<11} {}", l.level.tag(), l.name, l.detail);
    }
    lines.iter().map(|l| l.level).max().unwrap_or(Level::Ok)
}

/// The exit code of a level.
pub fn exit_code(level: Level) -> u8 {
    match level {
        Level::Ok => 0,
        Level::Warn => 1,
        Level::Fail => 2,
    }
}
