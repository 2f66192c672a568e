//! The files a form keeps when it comes back (the filing form and staff entry): the
//! field that chooses them again, their list beside the form, and keeping the files
//! that passed under the form's key (through [`crate::handling::stash`]).

use std::net::IpAddr;

use chrono::Utc;

use super::error::AppResult;
use super::rate_limit::wide_address_subject;
use super::state::AppState;
use super::upload::ParsedForm;
use crate::db::tickets;
use crate::domain::attachment::{CheckedFile, size_text};
use crate::handling::stash;

/// The checkbox of a kept file: its value is the kept file's id.
pub const KEEP_FIELD: &str = "keep_upload";

/// A kept file as the form lists it.
pub struct KeptFile {
    pub id: i64,
    pub filename: String,
    pub size: String,
}

/// The files kept under `key`, for the form shown again.
pub async fn kept_files(state: &AppState, key: &str) -> AppResult<Vec<KeptFile>> {
    let mut conn = state.pool.get().await?;
    Ok(tickets::stashed_files(&mut conn, key)
        .await?
        .into_iter()
        .map(|f| KeptFile {
            id: f.id,
            filename: f.filename,
            size: size_text(i64::from(f.size_bytes)),
        })
        .collect())
}

/// The ids of the kept files the person chose again.
pub fn chosen(form: &ParsedForm) -> Vec<i64> {
    form.get_all(KEEP_FIELD)
        .filter_map(|v| v.parse().ok())
        .collect()
}

/// The rate-limit name of an address's stash budget.
const STASH_BYTES: &str = "stash_bytes";

/// Keeps the files that passed under the form's key, for the form shown again. A public
/// form names its `client`: its files count against the address's budget (IPv4, or
/// IPv6 /48; none for `[limits] exempt`) and the site's (security review, finding 3).
pub async fn keep_accepted(
    state: &AppState,
    client: Option<IpAddr>,
    key: &str,
    form: &ParsedForm,
) -> AppResult<stash::Kept> {
    if form.files.is_empty() {
        return Ok(stash::Kept::Files(0));
    }
    let files: Vec<CheckedFile> = form.checked_files();
    let mut conn = state.pool.get().await?;
    let uploads = &state.cfg.uploads;
    let mib = |n: usize| {
        i64::try_from(n)
            .unwrap_or(i64::MAX / 2)
            .saturating_mul(1024 * 1024)
    };
    let owner = match client.filter(|ip| !state.is_exempt(*ip)) {
        Some(ip) => {
            let subject = wide_address_subject(ip);
            let bucket = state
                .bucket_at(&mut conn, Utc::now(), STASH_BYTES, &subject)
                .await?;
            Some((bucket, mib(uploads.stash_mb_per_address)))
        }
        None => None,
    };
    let budget = stash::Budget {
        owner,
        total: client.map(|_| mib(uploads.stash_mb_total)),
        max_files: uploads.max_files,
        ttl_secs: uploads.stash_ttl_secs,
    };
    Ok(stash::keep(&mut conn, key, &files, &budget).await?)
}
