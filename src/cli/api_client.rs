//! `pakn api-client add|list|revoke|enable`: the systems that file and follow PAKN
//! through `/api/v1` (issue 20). `add` prints the client's key once; only its digest is
//! kept, so a lost key is replaced by revoking the client and adding another.
//! `pakn api-client webhook add|list|enable|disable|rotate|replay`: a client's webhook
//! subscriptions; `add` and `rotate` print the signing secret (`whsec_…`) once.

use anyhow::bail;
use clap::Subcommand;

use crate::config::Config;
use crate::db::api_clients;
use crate::db::webhooks as db_webhooks;
use crate::domain::api_key;
use crate::domain::feedback::Channel;
use crate::webhooks::sign::SigningKeys;
use crate::webhooks::{self, sign};

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
        /// What it may do (repeatable): file (file PAKN and read those it filed), watch
        /// (its webhooks hear the events of every PAKN, without personal data), staff
        /// (read and move PAKN as the account of --acts-as).
        #[arg(long = "scope", default_value = "file")]
        scopes: Vec<String>,
        /// Calls a minute it may make (429 beyond).
        #[arg(long, default_value_t = 600)]
        rate_per_min: i32,
        /// With the scope staff: the staff account (its email) whose roles and unit
        /// the client acts with.
        #[arg(long)]
        acts_as: Option<String>,
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
    /// A client's webhook subscriptions.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Subscribe a client's receiver and print its signing secret (shown this once).
    Add {
        /// The client's name.
        #[arg(long)]
        client: String,
        /// Where deliveries are posted (http:// or https://).
        #[arg(long)]
        url: String,
        /// The events it hears (repeatable; default all): pakn.filed, pakn.status_changed,
        /// pakn.information_requested, pakn.answered, pakn.published, pakn.rated.
        #[arg(long = "event")]
        events: Vec<String>,
    },
    /// List the subscriptions: id, client, address, events, state, waiting, delivered.
    List,
    /// Switch a subscription on (after a receiver came back).
    Enable { id: i32 },
    /// Switch a subscription off (its deliveries wait).
    Disable { id: i32 },
    /// Give a subscription a new secret and print it (the old one stops at once).
    Rotate { id: i32 },
}

/// The scopes a client may hold.
const SCOPES: &[&str] = &["file", "watch", "staff"];

pub async fn run(cfg: &Config, command: ApiClientCommand) -> anyhow::Result<()> {
    let mut conn = crate::db::connect(&cfg.database.url).await?;
    match command {
        ApiClientCommand::Add {
            name,
            channel,
            scopes,
            rate_per_min,
            acts_as,
        } => {
            if scopes.iter().any(|s| s == "staff") != acts_as.is_some() {
                bail!("--scope staff and --acts-as go together");
            }
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
            if let Some(email) = acts_as
                && !api_clients::set_acts_as(&mut conn, client.id, &email).await?
            {
                api_clients::set_enabled(&mut conn, &client.name, false).await?;
                bail!("--acts-as: no active staff account {email:?} (the client is left revoked)");
            }
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
        ApiClientCommand::Webhook { command } => webhook(cfg, &mut conn, command).await?,
    }
    Ok(())
}

async fn webhook(
    cfg: &Config,
    conn: &mut diesel_async::AsyncPgConnection,
    command: WebhookCommand,
) -> anyhow::Result<()> {
    let keys =
        SigningKeys::new(&crate::db::settings::instance_secret(conn, &cfg.security.secret).await?);
    match command {
        WebhookCommand::Add {
            client,
            url,
            events,
        } => {
            let events: Vec<String> = if events.is_empty() {
                webhooks::EVENTS.iter().map(|e| (*e).to_string()).collect()
            } else {
                events
            };
            if let Some(e) = events.iter().find(|e| !webhooks::is_event(e)) {
                bail!("--event: {e:?} is not one of {:?}", webhooks::EVENTS);
            }
            if url::Url::parse(&url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
                bail!("--url: {url:?} is not an http:// or https:// address");
            }
            let salt = sign::new_salt();
            let id = match db_webhooks::add(conn, &client, (&url, &events), &salt, None).await {
                Ok(id) => id,
                Err(db_webhooks::AddError::NoClient) => bail!("no client named {client:?}"),
                Err(e) => return Err(e.into()),
            };
            println!("webhook {id} of {client}: signing secret shown once:");
            println!("{}", sign::whsec(&keys.secret(&salt)));
        }
        WebhookCommand::List => {
            for s in db_webhooks::list(conn).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{} waiting\t{} delivered",
                    s.id,
                    s.client_name,
                    s.url,
                    s.events.join(","),
                    if s.enabled { "on" } else { "off" },
                    s.pending,
                    s.delivered
                );
            }
        }
        WebhookCommand::Enable { id } | WebhookCommand::Disable { id } => {
            let on = matches!(command, WebhookCommand::Enable { .. });
            if !db_webhooks::set_enabled(conn, id, on, None).await? {
                bail!("no webhook {id}");
            }
            println!("webhook {id}: {}", if on { "on" } else { "off" });
        }
        WebhookCommand::Rotate { id } => {
            let salt = sign::new_salt();
            if !db_webhooks::rotate_salt(conn, id, &salt).await? {
                bail!("no webhook {id}");
            }
            println!("webhook {id}: new signing secret shown once:");
            println!("{}", sign::whsec(&keys.secret(&salt)));
        }
    }
    Ok(())
}
