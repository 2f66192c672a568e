//! Files kept for a form that came back (an error, an expired token, a rate limit), so
//! that the person does not choose them again: stored under the form's key, listed
//! beside the form, claimed by the filing that finally goes through, and forgotten after
//! `[uploads] stash_ttl_secs` (an hour) by the periodic sweep, within byte budgets per
//! client address and for the whole site (security review, finding 3).

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::db::{rate_limits, tickets};
use crate::domain::attachment::CheckedFile;

/// The bounds of what a form may keep (security review, finding 3).
#[derive(Debug, Clone)]
pub struct Budget {
    /// The client address's bucket (public forms, not exempt), and the bytes it may
    /// have kept at once.
    pub owner: Option<(Vec<u8>, i64)>,
    /// The bytes kept on the whole site at once, for public forms.
    pub total: Option<i64>,
    /// The files kept per form: newer ones replace the oldest.
    pub max_files: usize,
    /// Kept files older than this are gone (and count no more).
    pub ttl_secs: u64,
}

/// What became of the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Kept (this many).
    Files(usize),
    /// Past the address's or the site's budget: nothing kept.
    OverBudget,
}

/// Keeps `files` under the form's `key`, within `budget`: one transaction, under a lock
/// that serialises keeping across instances (it is rare: only forms that come back),
/// forgets expired files, checks both budgets, stores the files and keeps the form's
/// newest `max_files`.
pub async fn keep(
    conn: &mut AsyncPgConnection,
    key: &str,
    files: &[CheckedFile],
    budget: &Budget,
) -> diesel::QueryResult<Kept> {
    let owner = budget.owner.as_ref().map(|(o, _)| o.as_slice());
    let rows: Vec<tickets::NewStashedFile<'_>> = files
        .iter()
        .map(|f| tickets::NewStashedFile {
            form_key: key,
            filename: &f.filename,
            content_type: f.kind.content_type(),
            size_bytes: i32::try_from(f.bytes.len()).unwrap_or(i32::MAX),
            sha256: &f.sha256,
            data: &f.bytes,
            owner,
        })
        .collect();
    let new_bytes: i64 = rows.iter().map(|r| i64::from(r.size_bytes)).sum();
    conn.transaction::<Kept, diesel::result::Error, _>(async |conn| {
        tickets::lock_stash(conn).await?;
        tickets::sweep_stash(conn, budget.ttl_secs).await?;
        if let Some((owner, allowed)) = &budget.owner
            && tickets::stashed_bytes(conn, Some(owner)).await? + new_bytes > *allowed
        {
            return Ok(Kept::OverBudget);
        }
        if let Some(allowed) = budget.total
            && tickets::stashed_bytes(conn, None).await? + new_bytes > allowed
        {
            return Ok(Kept::OverBudget);
        }
        let n = tickets::stash_files(conn, &rows).await?;
        tickets::trim_stash(conn, key, budget.max_files).await?;
        Ok(Kept::Files(n))
    })
    .await
}

/// Forgets files kept for forms that were never sent again (past `ttl_secs`), old
/// rate-limit windows and the salts of past days' rate-limit keys.
pub async fn sweep(conn: &mut AsyncPgConnection, ttl_secs: u64) -> diesel::QueryResult<()> {
    tickets::sweep_stash(conn, ttl_secs).await?;
    rate_limits::sweep(conn).await?;
    rate_limits::forget_salts(conn, chrono::Utc::now().date_naive()).await?;
    Ok(())
}

/// Runs [`sweep`] every hour until the process ends.
pub fn spawn_sweeper(pool: crate::db::Pool, ttl_secs: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let result: anyhow::Result<()> = async {
                let mut conn = pool.get().await?;
                sweep(&mut conn, ttl_secs).await?;
                Ok(())
            }
            .await;
            if let Err(e) = result {
                tracing::warn!(error = %format!("{e:#}"), "sweep failed");
            }
        }
    });
}
