//! `pakn user add`: creates a staff account (the first admin, typically). The password
//! comes from `PAKN_PASSWORD` or standard input, never from the command line.

use anyhow::{Context, bail};
use clap::Subcommand;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::config::Config;
use crate::db::schema::{units, users};
use crate::domain::access::Role;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, leader, officer or inspector (repeatable).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// The unit's code (required for officers).
        #[arg(long)]
        unit: Option<String>,
    },
    /// Turn off a user's second factor (lost phone and recovery codes): they sign in
    /// with the password alone, and enrol again if their roles require it.
    ResetSecondFactor {
        #[arg(long)]
        email: String,
    },
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("PAKN_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn run(cfg: &Config, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            email,
            name,
            roles,
            unit,
        } => {
            let email = email.trim().to_lowercase();
            if !crate::domain::feedback::is_plausible_email(&email) {
                bail!("--email: {email:?} is not an email address");
            }
            let mut typed = Vec::new();
            for r in &roles {
                match Role::parse(r) {
                    Some(role) => typed.push(role),
                    None => bail!("--role: {r:?} is not one of admin, leader, officer, inspector"),
                }
            }
            if typed.contains(&Role::Officer) && unit.is_none() {
                bail!("--unit is required for an officer");
            }
            let password = read_password()?;
            if let Err(weak) = crate::auth::password::check_strength(&password, &email) {
                bail!(
                    "the password is too weak ({weak:?}): at least {} characters, not the email",
                    crate::auth::password::MIN_LENGTH
                );
            }
            crate::app::prepare(cfg).await?;
            let mut conn = crate::db::connect(&cfg.database.url).await?;
            let unit_id: Option<i32> = match &unit {
                Some(code) => Some(
                    units::table
                        .filter(units::code.eq(code))
                        .select(units::id)
                        .first(&mut conn)
                        .await
                        .optional()?
                        .with_context(|| format!("--unit: no unit with code {code}"))?,
                ),
                None => None,
            };
            let hash = crate::auth::password::hash(&password).await?;
            let id: i32 = crate::db::durable::one(
                diesel::insert_into(users::table)
                    .values((
                        users::email.eq(&email),
                        users::name.eq(name.trim()),
                        users::password_hash.eq(&hash),
                        users::roles.eq(typed.iter().map(|r| r.as_str()).collect::<Vec<_>>()),
                        users::unit_id.eq(unit_id),
                    ))
                    .returning(users::id),
                &mut conn,
            )
            .await
            .context("adding the user (is the email already taken?)")?;
            println!("user {id} added: {email} ({})", roles.join(", "));
            Ok(())
        }
        UserCommand::ResetSecondFactor { email } => reset_second_factor(cfg, &email).await,
    }
}

async fn reset_second_factor(cfg: &Config, email: &str) -> anyhow::Result<()> {
    crate::app::prepare(cfg).await?;
    let mut conn = crate::db::connect(&cfg.database.url).await?;
    let row = crate::db::users::find_for_login(&mut conn, email)
        .await?
        .with_context(|| format!("--email: no user {email}"))?;
    let removed = crate::handling::second_factor::reset(&mut conn, row.id).await?;
    if removed {
        println!("second factor of user {} turned off", row.id);
    } else {
        println!("user {} had no second factor", row.id);
    }
    Ok(())
}
