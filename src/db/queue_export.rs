//! The queue's rows for an export: the same filters and scope as the page
//! ([`super::queue::filtered`]), newest first, read in batches by keyset on
//! `(received_at, id)` so that 100,000 rows never sit in memory and no batch costs more
//! than the one before it (no OFFSET), with the sender's contacts for those who may
//! export them.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::queue::{Cursor, DueDates, QueueFilter, Scope, Words, before_cursor, filtered};
use super::schema::tickets;
use crate::domain::feedback::{Channel, FeedbackKind};
use crate::domain::search::SearchTerm;
use crate::domain::status::Status;

/// One exported line (the contacts are left out of the file for those who may not see
/// them, and for a confidential PAKN).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tickets)]
pub struct ExportRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub status: Status,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub kind: FeedbackKind,
    pub field_code: String,
    pub unit_id: i32,
    pub assignee_id: Option<i32>,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub answered_at: Option<DateTime<Utc>>,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
    pub confidential: bool,
}

impl ExportRow {
    /// Where the next batch starts.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            received_at: self.received_at,
            id: self.id,
        }
    }
}

/// Up to `limit` rows of `filter` in `scope` after `after`, newest first (whatever the
/// page's sort: an export is read in the one order its index serves). A word search
/// tests each row walked against its words (an export reads them all anyway).
pub async fn batch(
    conn: &mut AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    due: DueDates,
    after: Option<Cursor>,
    limit: i64,
) -> QueryResult<Vec<ExportRow>> {
    let words = match &filter.term {
        Some(SearchTerm::Words { query, dossier }) => {
            Some(Words::Match(query.tsquery(), dossier.clone()))
        }
        _ => None,
    };
    let q = tickets::table.select(ExportRow::as_select()).into_boxed();
    let mut q = filtered(q, filter, scope, due, words.as_ref(), None);
    if let Some(after) = after {
        q = q.filter(before_cursor(after));
    }
    q.order((tickets::received_at.desc(), tickets::id.desc()))
        .limit(limit)
        .load(conn)
        .await
}
