//! The files a form keeps when it comes back (the filing form and staff entry): the
//! field that chooses them again, their list beside the form, and keeping the files
//! that passed under the form's key (through [`crate::handling::stash`]).

use super::error::AppResult;
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

/// Keeps the files that passed under the form's key, for the form shown again.
pub async fn keep_accepted(state: &AppState, key: &str, form: &ParsedForm) -> AppResult<()> {
    if form.files.is_empty() {
        return Ok(());
    }
    let files: Vec<CheckedFile> = form.checked_files();
    let mut conn = state.pool.get().await?;
    stash::keep(&mut conn, key, &files).await?;
    Ok(())
}
