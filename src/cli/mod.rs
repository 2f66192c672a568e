//! The `pakn` command line: `serve` (the default), `migrate`, `check-config`, `seed`,
//! `seed-demo`, `user add`, `api-client add|list|revoke|enable`, `outbox run|status|retry`, `bench-tokens`, `retention`,
//! `digests`, `reminders`, `mail receive|process|poll`.

mod api_client;
mod bench_tokens;
mod bulk_indexes;
mod check_calendar;
mod digests;
mod doctor;
mod mail;
mod outbox;
mod reminders;
mod reports;
mod retention;
mod seed_demo;
mod seed_story;
mod spread;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "pakn",
    version,
    about = "Phản ánh, kiến nghị về thủ tục hành chính"
)]
pub struct Cli {
    /// The configuration file (default: config.toml; also PAKN_CONFIG).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve HTTP (and run the background workers unless --no-worker).
    Serve {
        #[arg(long)]
        no_worker: bool,
    },
    /// Create the database if missing and run pending migrations.
    Migrate,
    /// Load and check the configuration, then print a summary.
    CheckConfig,
    /// Check what this instance depends on (database, migrations, mail out and in, the
    /// temporary directory, the calendar, the clock): a line each; exit 0 well, 1 a
    /// warning, 2 a failure.
    Doctor,
    /// Apply the reference seed (units, contacts, lĩnh vực, routing, calendar).
    Seed {
        /// Apply the seed embedded at build time (or [seed] reference_file).
        #[arg(long, required = true)]
        from_config: bool,
        /// Rewrite existing rows from the seed.
        #[arg(long)]
        overwrite: bool,
    },
    /// Fill the database with realistic demo PAKN for trials and benchmarks.
    SeedDemo {
        #[arg(long, default_value_t = 1000)]
        tickets: u64,
        /// Connections loading at once (one Postgres backend, so one CPU, each).
        #[arg(long, default_value_t = 2)]
        jobs: usize,
    },
    /// The systems that file and follow PAKN through /api/v1: add, list, revoke, enable.
    ApiClient {
        #[command(subcommand)]
        command: api_client::ApiClientCommand,
    },
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// The mail outbox: deliver, inspect, retry.
    Outbox {
        #[command(subcommand)]
        command: outbox::OutboxCommand,
    },
    /// Print valid form tokens for load tests.
    BenchTokens {
        #[arg(long, default_value_t = 1000)]
        count: u64,
        #[arg(long, default_value = "feedback")]
        form: String,
        /// How long ago the tokens were issued (default: just past [spam] min_fill_secs).
        #[arg(long)]
        issued_ago: Option<i64>,
    },
    /// Send the reminders due today now, whatever [reminders] at says.
    Reminders {
        /// Only count what would be sent (rolled back; nothing is recorded or queued).
        #[arg(long)]
        dry_run: bool,
    },
    /// The report aggregates: `reconcile` recomputes them now and repairs any drift.
    Reports {
        #[command(subcommand)]
        command: reports::ReportsCommand,
    },
    /// Anonymise the PAKN ended more than [privacy] retention_years ago, now.
    Retention {
        /// Only print what would be anonymised (counts, codes, oldest end date).
        #[arg(long)]
        dry_run: bool,
    },
    /// Mail that comes in: `receive` (an MTA's pipe), `process`, `poll` (IMAP).
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
    /// Send the digests due now (one pass of the periodic job).
    Digests {
        /// Only print which digests are due and for how many recipients.
        #[arg(long)]
        dry_run: bool,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match Config::load(cli.config.as_deref()) {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    crate::telemetry::init(
        cfg.log
            .format
            .json(std::io::IsTerminal::is_terminal(&std::io::stderr())),
    );
    crate::app::malloc::keep_big_blocks_out_of_the_heap();
    // `pakn mail` runs once per message under an MTA's pipe: one thread is enough, and
    // starting no worker threads saves a little of every delivery.
    let mut builder = if matches!(cli.command, Some(Command::Mail { .. })) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Doctor) = cli.command {
        let level = runtime.block_on(doctor::run(&cfg));
        return ExitCode::from(doctor::exit_code(level));
    }
    if let Some(Command::Mail { command }) = cli.command {
        return runtime.block_on(mail::run(&cfg, command));
    }
    let result = runtime.block_on(run(
        cli.command.unwrap_or(Command::Serve { no_worker: false }),
        cfg,
    ));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, cfg: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve { no_worker } => serve(cfg, !no_worker).await,
        Command::Migrate => {
            crate::app::prepare(&cfg).await?;
            println!("database is up to date");
            Ok(())
        }
        // `main` runs it for its exit status; here only for completeness.
        Command::Doctor => {
            doctor::run(&cfg).await;
            Ok(())
        }
        Command::CheckConfig => {
            println!("configuration OK");
            println!("  listen      {}", cfg.server.listen);
            println!("  public_url  {}", cfg.server.public_url);
            println!("  mail        {}", cfg.mail.transport.as_str());
            check_calendar::print(&cfg).await;
            Ok(())
        }
        Command::Seed {
            from_config: _,
            overwrite,
        } => {
            crate::db::setup::ensure_database(&cfg.database.url).await?;
            crate::db::setup::migrate(&cfg.database.url).await?;
            let mut conn = crate::db::connect(&cfg.database.url).await?;
            let seed = crate::reference::seed::Seed::load(&cfg)?;
            let applied = crate::reference::seed::apply(&mut conn, &seed, overwrite).await?;
            println!(
                "{}",
                if applied {
                    "reference data applied"
                } else {
                    "reference data already at this seed version (use --overwrite to re-apply)"
                }
            );
            Ok(())
        }
        Command::SeedDemo { tickets, jobs } => seed_demo::run(&cfg, tickets, jobs).await,
        Command::User { command } => user::run(&cfg, command).await,
        Command::ApiClient { command } => api_client::run(&cfg, command).await,
        Command::Outbox { command } => outbox::run(&cfg, command).await,
        Command::BenchTokens {
            count,
            form,
            issued_ago,
        } => bench_tokens::run(&cfg, count, &form, issued_ago).await,
        Command::Reports { command } => reports::run(&cfg, command).await,
        Command::Retention { dry_run } => retention::run(&cfg, dry_run).await,
        Command::Digests { dry_run } => digests::run(&cfg, dry_run).await,
        Command::Reminders { dry_run } => reminders::run(&cfg, dry_run).await,
        Command::Mail { .. } => anyhow::bail!("pakn mail is run before the others"),
    }
}

async fn serve(cfg: Config, worker: bool) -> anyhow::Result<()> {
    let app = crate::app::Application::build(cfg).await?;
    tracing::info!(addr = %app.addr, "listening");
    app.spawn_background();
    let worker = if worker {
        Some(app.spawn_mail_worker()?)
    } else {
        None
    };
    let served = app.run_until_stopped().await;
    if let Some(worker) = worker {
        worker.stop().await;
    }
    served
}
