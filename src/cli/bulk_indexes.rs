//! The secondary indexes of the tables `seed-demo` fills in bulk (`tickets` and
//! `ticket_events`), dropped while their rows are loaded and built again after: one sort
//! per index instead of millions of inserts into each (20 at this writing: 19 on
//! `tickets`, its GIN word index among them, and one on `ticket_events`). Unique indexes
//! and primary keys stay, so a duplicate still fails the load.
//!
//! The definitions are written to `seed_demo_indexes` (committed) before any index is
//! dropped, so a seed that dies half-way leaves the list behind and the next `seed-demo`
//! builds what is missing before it does anything else ([`restore`]).

use anyhow::Context;

use super::spread;

/// The tables whose secondary indexes are dropped during a bulk load.
const TABLES: &[&str] = &["tickets", "ticket_events"];

/// Saves the secondary indexes' definitions and drops the indexes.
pub async fn drop(client: &tokio_postgres::Client) -> anyhow::Result<()> {
    let tables: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    client
        .execute(
            "CREATE TABLE IF NOT EXISTS seed_demo_indexes (name text PRIMARY KEY, def text NOT NULL)",
            &[],
        )
        .await
        .context("creating the list of dropped indexes")?;
    client
        .execute(
            "INSERT INTO seed_demo_indexes (name, def)
             SELECT c.relname, pg_get_indexdef(i.indexrelid)
               FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid
               JOIN pg_class t ON t.oid = i.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
              WHERE t.relname = ANY($1) AND NOT i.indisunique AND NOT i.indisprimary
                AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
             ON CONFLICT (name) DO NOTHING",
            &[&tables],
        )
        .await
        .context("listing the secondary indexes")?;
    let names: Vec<String> = client
        .query("SELECT name FROM seed_demo_indexes ORDER BY name", &[])
        .await
        .context("reading the list of dropped indexes")?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for name in &names {
        client
            .batch_execute(&format!("DROP INDEX IF EXISTS {}", quote(name)))
            .await
            .with_context(|| format!("dropping index {name}"))?;
    }
    eprintln!(
        "seed-demo: {} secondary indexes dropped for the load",
        names.len()
    );
    Ok(())
}

/// Builds every index on the list that does not exist, spread over `clients` (the GIN
/// index, the longest build, first; their sessions set `maintenance_work_mem`), and
/// forgets the list.
pub async fn build(clients: &[tokio_postgres::Client]) -> anyhow::Result<()> {
    let Some(first) = clients.first() else {
        return Ok(());
    };
    let listed = first
        .query(
            "SELECT s.name, s.def FROM seed_demo_indexes s
              WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = s.name AND c.relkind = 'i')
              ORDER BY s.def LIKE '%USING gin%', s.name DESC",
            &[],
        )
        .await
        .context("reading the list of dropped indexes")?;
    let queue: Vec<(String, String)> = listed.iter().map(|r| (r.get(0), r.get(1))).collect();
    spread::over(
        clients,
        queue,
        async |client, (name, def): (String, String)| {
            client
                .batch_execute(&def)
                .await
                .with_context(|| format!("building index {name}"))
        },
    )
    .await?;
    first
        .batch_execute("DROP TABLE seed_demo_indexes")
        .await
        .context("forgetting the list of dropped indexes")?;
    Ok(())
}

/// Builds the indexes an interrupted seed left dropped, if any.
pub async fn restore(clients: &[tokio_postgres::Client]) -> anyhow::Result<()> {
    let Some(first) = clients.first() else {
        return Ok(());
    };
    let left: bool = first
        .query_one("SELECT to_regclass('seed_demo_indexes') IS NOT NULL", &[])
        .await
        .context("looking for indexes an earlier seed dropped")?
        .get(0);
    if left {
        eprintln!("seed-demo: an earlier seed stopped half-way; building its indexes first");
        build(clients).await?;
    }
    Ok(())
}

/// An identifier quoted for SQL.
pub(super) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote("tickets_phone"), "\"tickets_phone\"");
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
    }
}
