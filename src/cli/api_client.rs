//! `pakn api-client add|list|revoke|enable`: the systems that file and follow PAKN
//! through `/api/v1` (issue 20). `add` prints the client's key once; only its digest is
//! kept, so a lost key is replaced by revoking the client and adding another.

use anyhow::bail;
use clap::Subcommand;

use crate::config::Config;
use crate::db::api_clients;
use crate::domain::api_key;
use crate::domain::feedback::Channel;

#[derive(Debug, Subcommand)]
pub enum ApiClientCommand {
    /// Add a client and print its key (shown this once).
    Add {
        /// Its name (unique), e.g. "Hệ thống PAKN quốc gia".
        #[arg(long)]
        name: String,
        /// The channel its PAKN are received through: national_portal,
        /// provincial_committee or api.
        #[arg(long, default_value = "api")]
        channel: String,
        /// What it may do (repeatable): file (file PAKN and read those it filed).
        #[arg(long = "scope", default_value = "file")]
        scopes: Vec<String>,
        /// Calls a minute it may make (429 beyond).
        #[arg(long, default_value_t = 600)]
        rate_per_min: i32,
    },
    /// List the clients: name, key id, scopes, channel, enabled, last use.
    List,
    /// Switch a client off: its key is refused from the next call.
    Revoke {
        #[arg(long)]
        name: String,
    },
    /// Switch a revoked client on again.
    Enable {
        #[arg(long)]
        name: String,
    },
}

/// The scopes a client may hold.
const SCOPES: &[&str] = &["file"];

pub async fn run(cfg: &Config, command: ApiClientCommand) -> anyhow::Result<()> {
    let mut conn = crate::db::connect(&cfg.database.url).await?;
    match command {
        ApiClientCommand::Add {
            name,
            channel,
            scopes,
            rate_per_min,
        } => {
            if rate_per_min < 1 {
                bail!("--rate-per-min: at least 1");
            }
            let name = name.trim().to_string();
            if name.is_empty() {
                bail!("--name: empty");
            }
            if !matches!(
                Channel::parse(&channel),
                Some(Channel::NationalPortal | Channel::ProvincialCommittee | Channel::Api)
            ) {
                bail!("--channel: {channel:?} is not national_portal, provincial_committee or api");
            }
            if let Some(s) = scopes.iter().find(|s| !SCOPES.contains(&s.as_str())) {
                bail!("--scope: {s:?} is not one of {SCOPES:?}");
            }
            let key = api_key::generate(&mut rand::rng());
            let client = api_clients::create(
                &mut conn,
                &name,
                (&key.id, &key.digest),
                &scopes,
                (&channel, rate_per_min),
            )
            .await?;
            println!("client {} ({}): key shown once:", client.id, client.name);
            println!("{}", key.full);
        }
        ApiClientCommand::List => {
            for c in api_clients::list(&mut conn).await? {
                println!(
                    "{}\t{}\tpakn_{}_…\t{}\t{}\t{}\t{}",
                    c.id,
                    c.name,
                    c.key_id,
                    c.scopes.join(","),
                    c.channel,
                    if c.enabled { "enabled" } else { "revoked" },
                    c.last_used_at
                        .map(crate::domain::calendar::format_datetime)
                        .unwrap_or_else(|| "never used".into())
                );
            }
        }
        ApiClientCommand::Revoke { name } => {
            if !api_clients::set_enabled(&mut conn, &name, false).await? {
                bail!("no client named {name:?}");
            }
            println!("{name}: revoked");
        }
        ApiClientCommand::Enable { name } => {
            if !api_clients::set_enabled(&mut conn, &name, true).await? {
                bail!("no client named {name:?}");
            }
            println!("{name}: enabled");
        }
    }
    Ok(())
}
