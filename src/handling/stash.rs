//! Files kept for a form that came back (an error, an expired token, a rate limit), so
//! that the person does not choose them again: stored under the form's key, listed
//! beside the form, claimed by the filing that finally goes through, and forgotten after
//! a day by the periodic sweep.

use diesel_async::AsyncPgConnection;

use crate::db::{rate_limits, tickets};
use crate::domain::attachment::CheckedFile;

/// Keeps `files` under the form's `key`.
pub async fn keep(
    conn: &mut AsyncPgConnection,
    key: &str,
    files: &[CheckedFile],
) -> diesel::QueryResult<usize> {
    let rows: Vec<tickets::NewStashedFile<'_>> = files
        .iter()
        .map(|f| tickets::NewStashedFile {
            form_key: key,
            filename: &f.filename,
            content_type: f.kind.content_type(),
            size_bytes: i32::try_from(f.bytes.len()).unwrap_or(i32::MAX),
            sha256: &f.sha256,
            data: &f.bytes,
        })
        .collect();
    tickets::stash_files(conn, &rows).await
}

/// Forgets files kept for forms that were never sent again, old rate-limit windows and
/// the salts of past days' rate-limit keys.
pub async fn sweep(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    tickets::sweep_stash(conn).await?;
    rate_limits::sweep(conn).await?;
    rate_limits::forget_salts(conn, chrono::Utc::now().date_naive()).await?;
    Ok(())
}

/// Runs [`sweep`] every hour until the process ends.
pub fn spawn_sweeper(pool: crate::db::Pool) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let result: anyhow::Result<()> = async {
                let mut conn = pool.get().await?;
                sweep(&mut conn).await?;
                Ok(())
            }
            .await;
            if let Err(e) = result {
                tracing::warn!(error = %format!("{e:#}"), "sweep failed");
            }
        }
    });
}
