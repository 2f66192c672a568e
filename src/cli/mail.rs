//! `pakn mail receive`: the pipe transport of an MTA (Postfix `pipe`, Exim `pipe`) hands
//! one RFC 5322 message on standard input. It is stored in Postgres in its own commit
//! before anything else; only then does the command exit 0, so the MTA keeps (and
//! retries) any message pakn did not store: exit 75 (EX_TEMPFAIL) when the database
//! cannot be reached. It then announces the message (`NOTIFY pakn_inbound`) and the
//! running `pakn serve` instances process it at once, with warm connections and
//! reference data (a new connection's first queries cost the database more than the
//! processing itself: bench/results.md, issue 16). `--now` processes it in this process
//! instead (no instance running); `--store-only` leaves it to the next periodic pass.
//! Either way a failed processing is tried again by the pass: the message is safe.
//!
//! `pakn mail process`: one inbound pass now (every stored message that is due).
//!
//! `pakn mail poll`: one IMAP pass now (`[mail.inbound.imap]`): every message waiting is
//! stored, then moved to the done folder; nothing when another instance holds the lease.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;

use crate::config::Config;
use crate::domain::inbound::InboundSource;
use crate::handling::inbound::poller::{self, Polled};
use crate::handling::inbound::{self, Desk, Stored};

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Store one message read on standard input (for an MTA's pipe transport).
    Receive {
        /// Store only, without announcing it: the next periodic pass processes it.
        #[arg(long, conflicts_with = "now")]
        store_only: bool,
        /// Process it here too (when no `pakn serve` runs).
        #[arg(long)]
        now: bool,
    },
    /// Process every stored message that is due now.
    Process,
    /// Store (and move to the done folder) every message waiting in the IMAP folder.
    Poll,
}

/// EX_TEMPFAIL (sysexits.h): the MTA keeps the message and tries again later.
const EX_TEMPFAIL: u8 = 75;

/// Runs a `pakn mail` command; its exit code is the MTA's answer.
pub async fn run(cfg: &Config, command: MailCommand) -> ExitCode {
    match command {
        MailCommand::Receive { store_only, now } => match receive(cfg, store_only, now).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("pakn mail receive: not stored, try again later: {e:#}");
                ExitCode::from(EX_TEMPFAIL)
            }
        },
        MailCommand::Process => match process(cfg).await {
            Ok(n) => {
                println!("processed: {n}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
        MailCommand::Poll => match poll(cfg).await {
            Ok(Polled::Done(r)) => {
                println!(
                    "stored: {}, duplicates: {}, moved: {}",
                    r.stored, r.duplicates, r.moved
                );
                ExitCode::SUCCESS
            }
            Ok(Polled::Busy) => {
                println!("busy: another instance holds the lease mail.inbound.imap");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

/// Reads standard input: at most `max + 1` bytes are kept, the rest is only counted.
fn read_message(max: usize) -> anyhow::Result<(Vec<u8>, usize)> {
    let mut stdin = std::io::stdin().lock();
    let mut kept = Vec::with_capacity(64 * 1024);
    (&mut stdin)
        .take(max as u64 + 1)
        .read_to_end(&mut kept)
        .context("reading the message")?;
    let mut total = kept.len();
    if total > max {
        let mut sink = [0u8; 64 * 1024];
        loop {
            let n = stdin.read(&mut sink).context("reading the message")?;
            if n == 0 {
                break;
            }
            total += n;
        }
    }
    Ok((kept, total))
}

async fn receive(cfg: &Config, store_only: bool, now: bool) -> anyhow::Result<()> {
    let (raw, total) = read_message(cfg.mail.inbound.max_bytes)?;
    if raw.is_empty() {
        anyhow::bail!("empty input");
    }
    let socket = cfg.mail.inbound.socket.trim();
    if !socket.is_empty() && !store_only && !now {
        // The running instance stores and processes it; if it cannot, store here.
        match inbound::socket::hand_over(socket, &raw, total).await {
            Ok(true) => return Ok(()),
            Ok(false) => eprintln!("pakn mail receive: the instance refused it; storing directly"),
            Err(e) => eprintln!("pakn mail receive: {socket}: {e}; storing directly"),
        }
    }
    let mut conn = crate::db::connect(&cfg.database.url)
        .await
        .context("connecting to the database")?;
    let stored = inbound::store(&mut conn, cfg, InboundSource::Pipe, &raw, total)
        .await
        .context("storing the message")?;
    let Stored::New(id) = stored else {
        return Ok(());
    };
    if store_only {
        return Ok(());
    }
    if !now {
        // Stored: a lost announcement only waits for the next pass.
        if let Err(e) = crate::db::inbound::announce(&mut conn).await {
            eprintln!("pakn mail receive: stored as {id}; not announced: {e}");
        }
        return Ok(());
    }
    // Stored: whatever happens now, exit 0 (the inbound pass retries a failure).
    let processed = async {
        let reference = crate::db::reference::load_reference(&mut conn).await?;
        let secret = crate::db::settings::instance_secret(&mut conn, &cfg.security.secret).await?;
        let desk = Desk::new(cfg, &reference, &secret);
        inbound::process_one(&mut conn, &desk, id).await?;
        anyhow::Ok(())
    }
    .await;
    if let Err(e) = processed {
        eprintln!("pakn mail receive: stored as {id}; processing will be tried again: {e:#}");
    }
    Ok(())
}

async fn process(cfg: &Config) -> anyhow::Result<usize> {
    let mut conn = crate::db::connect(&cfg.database.url)
        .await
        .context("connecting to the database")?;
    let reference = crate::db::reference::load_reference(&mut conn).await?;
    let secret = crate::db::settings::instance_secret(&mut conn, &cfg.security.secret).await?;
    let desk = Desk::new(cfg, &reference, &secret);
    Ok(inbound::process_due(&mut conn, &desk).await?)
}

async fn poll(cfg: &Config) -> anyhow::Result<Polled> {
    if cfg.mail.inbound.imap.host.trim().is_empty() {
        anyhow::bail!("[mail.inbound.imap] host is not set");
    }
    let pool = crate::db::pool(&cfg.database.url, 2)?;
    let holder = crate::handling::jobs::instance_name();
    let polled = poller::poll_once(&pool, cfg, &holder).await;
    pool.close();
    polled
}
