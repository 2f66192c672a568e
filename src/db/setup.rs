//! Creating the database when it is missing and migrating it under an advisory lock, so
//! several instances starting at once on an empty server all come up.

use anyhow::{Context, bail};
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::codes;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Advisory lock key held while migrating ("pakn" in ASCII).
const MIGRATION_LOCK: i64 = 0x7061_6b6e;

/// Splits a database URL into the URL of the maintenance database and the database name.
pub fn maintenance_url(url: &str) -> anyhow::Result<(String, String)> {
    let mut parsed = url::Url::parse(url).context("database.url is not a URL")?;
    let name = parsed.path().trim_start_matches('/').to_string();
    if name.is_empty() {
        bail!("database.url names no database");
    }
    parsed.set_path("/postgres");
    Ok((parsed.to_string(), name))
}

/// Creates the database when it is missing (UTF8, from template0). Several processes may
/// race here: "already exists" (42P04) and the catalog's unique violation (23505) both
/// mean another one won.
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    match AsyncPgConnection::establish(url).await {
        Ok(_) => return Ok(()),
        Err(e) if !e.to_string().contains("does not exist") => {
            return Err(anyhow::Error::new(e).context("connecting to the database"));
        }
        Err(_) => {}
    }
    let (admin_url, name) = maintenance_url(url)?;
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        bail!("database name {name:?} may only hold letters, digits, '_' and '-'");
    }
    let mut admin = AsyncPgConnection::establish(&admin_url)
        .await
        .context("connecting to the postgres maintenance database to create the database")?;
    let sql = format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0");
    match diesel::sql_query(sql).execute(&mut admin).await {
        Ok(_) => {
            tracing::info!(database = %name, "created database");
            Ok(())
        }
        Err(diesel::result::Error::DatabaseError(kind, info))
            if matches!(kind, diesel::result::DatabaseErrorKind::UniqueViolation)
                || info.message().contains("already exists") =>
        {
            Ok(())
        }
        Err(e) => {
            let code_hint = format!(
                "{} or {}",
                codes::DUPLICATE_DATABASE,
                codes::UNIQUE_VIOLATION
            );
            Err(anyhow::Error::new(e).context(format!(
                "creating database {name} (a concurrent creator would show as {code_hint})"
            )))
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Encoding {
    #[diesel(sql_type = Text)]
    server_encoding: String,
}

/// Refuses a database whose encoding is not UTF8 (Vietnamese text must survive).
pub async fn check_encoding(conn: &mut AsyncPgConnection) -> anyhow::Result<()> {
    let enc: Encoding = diesel::sql_query(
        "SELECT pg_encoding_to_char(encoding) AS server_encoding FROM pg_database WHERE datname = current_database()",
    )
    .get_result(conn)
    .await
    .context("reading the database encoding")?;
    if enc.server_encoding != "UTF8" {
        bail!(
            "the database encoding is {}, not UTF8: create it with ENCODING 'UTF8' TEMPLATE template0",
            enc.server_encoding
        );
    }
    Ok(())
}

/// Runs pending migrations under a session advisory lock. Returns how many ran.
pub async fn migrate(url: &str) -> anyhow::Result<usize> {
    let mut lock_conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database to migrate")?;
    check_encoding(&mut lock_conn).await?;
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(&mut lock_conn)
        .await
        .context("taking the migration lock")?;
    let result = run_migrations(url).await;
    let unlock = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(MIGRATION_LOCK)
        .execute(&mut lock_conn)
        .await;
    let ran = result?;
    unlock.context("releasing the migration lock")?;
    Ok(ran)
}

async fn run_migrations(url: &str) -> anyhow::Result<usize> {
    let conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database to migrate")?;
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .run_pending_migrations(MIGRATIONS)
            .map(|done| done.len())
            .map_err(|e| anyhow::anyhow!("running migrations: {e}"))
    })
    .await
    .context("the migration task panicked")?
}

/// What every start does first: create the database when missing, migrate it, make
/// sure the HMAC secret exists. Returns a connection for what comes next (the seed).
pub async fn prepare(url: &str) -> anyhow::Result<AsyncPgConnection> {
    ensure_database(url).await?;
    let ran = migrate(url).await?;
    if ran > 0 {
        tracing::info!(migrations = ran, "migrated the database");
    }
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database")?;
    super::settings::ensure_secret(&mut conn).await?;
    Ok(conn)
}

/// How many of this build's migrations the database has not run (`pakn doctor`).
pub async fn pending_migrations(url: &str) -> anyhow::Result<usize> {
    let conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to the database")?;
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .pending_migrations(MIGRATIONS)
            .map(|pending| pending.len())
            .map_err(|e| anyhow::anyhow!("reading the migrations: {e}"))
    })
    .await
    .context("the migration task panicked")?
}
