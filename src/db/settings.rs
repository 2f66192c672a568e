//! Key–value settings kept in Postgres (the generated HMAC secret and the like).

use anyhow::Context;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use rand::RngCore;

use super::schema::settings;

pub const SECRET_KEY: &str = "security.secret";

pub async fn get(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(key)
        .select(settings::value)
        .first(conn)
        .await
        .optional()
}

/// The shared secret: `configured` (`[security] secret`) when set, else the one
/// generated at the first start.
pub async fn instance_secret(
    conn: &mut AsyncPgConnection,
    configured: &str,
) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context as _;
    Ok(match configured {
        "" => get(conn, SECRET_KEY)
            .await?
            .context(
                "the generated secret is missing (start `pakn serve` or run `pakn migrate` once)",
            )?
            .into_bytes(),
        configured => configured.as_bytes().to_vec(),
    })
}

/// Generates the HMAC secret once; concurrent first starts agree on the first one written.
pub async fn ensure_secret(conn: &mut AsyncPgConnection) -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let candidate: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    diesel::insert_into(settings::table)
        .values((settings::key.eq(SECRET_KEY), settings::value.eq(&candidate)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .context("storing the generated secret")?;
    get(conn, SECRET_KEY)
        .await
        .context("reading the secret")?
        .context("the secret is missing right after it was stored")
}
