//! `GET /staff/tickets/export.csv` and `/staff/tickets/export.xlsx`: the queue with the
//! page's filters and scope (same query string), newest first, as a file.
//!
//! Rows are read in batches of [`BATCH`] by keyset ([`crate::db::queue_export`]) and
//! written to the response as they come (CSV), or to an XLSX written in constant-memory
//! mode in a blocking task and then streamed ([`super::export_xlsx`]): memory stays
//! flat whatever the number of rows. Each batch's PAKN whose sender the file shows are
//! recorded in the personal-data log (purpose `export`, one INSERT per batch) before the
//! batch is sent. A confidential PAKN's title, sender and contacts are withheld as in
//! the queue's rows; the phone, email and address columns exist only for those who
//! handle PAKN ([`Access::exports_contacts`]).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;
use futures_util::{StreamExt, stream};

use super::queue::{QueueParams, due_dates};
use super::queue_rows::StatusLabels;
use crate::auth::StaffUser;
use crate::db::queue::{self, Cursor, DueDates, QueueFilter, Scope, StaffName};
use crate::db::queue_export::{self, ExportRow};
use crate::db::tickets;
use crate::domain::calendar::{format_date, local_date};
use crate::domain::feedback::{Channel, FeedbackKind};
use crate::domain::reference::Reference;
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::Tr;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{RequestLang, SharedState};

/// Rows read, recorded and written at a time.
pub const BATCH: i64 = 1000;
/// The most rows one export holds (an XLSX sheet holds 1,048,576).
pub const MAX_ROWS: u64 = 1_000_000;

/// An export under way: where it stands and what it needs to write a row.
pub struct Exporter {
    state: SharedState,
    filter: QueueFilter,
    scope: Scope,
    dates: DueDates,
    user_id: i32,
    contacts: bool,
    labels: Labels,
    after: Option<Cursor>,
    written: u64,
    done: bool,
}

/// The words of the file, looked up once.
struct Labels {
    t: Tr,
    reference: Arc<Reference>,
    staff: Vec<StaffName>,
    statuses: StatusLabels,
    withheld: String,
    yes: String,
    /// Kinds and channels with their words (a Fluent lookup per row would cost more
    /// than the row's query).
    kinds: Vec<(FeedbackKind, String)>,
    channels: Vec<(Channel, String)>,
}

impl Exporter {
    /// The export of what `/staff/tickets?{params}` lists to `user` (404 when they read
    /// no PAKN).
    pub async fn start(
        state: &SharedState,
        lang: &RequestLang,
        user: &StaffUser,
        params: &QueueParams,
    ) -> AppResult<Exporter> {
        let viewer = &user.access;
        if !viewer.reads_tickets() {
            return Err(AppError::NotFound);
        }
        let now = Utc::now();
        let t = lang.tr();
        let staff = {
            let conn = state.pool.get().await?;
            queue::staff(&mut &*conn).await?
        };
        Ok(Exporter {
            state: state.clone(),
            filter: params.filter(viewer, &state.reference.get().synonyms),
            scope: Scope {
                unit: viewer.scope_unit(),
                since: Some(now - chrono::Duration::days(365)),
                confidential: viewer.confidential_reach(),
            },
            dates: due_dates(state, now),
            user_id: viewer.user_id,
            contacts: viewer.exports_contacts(),
            labels: Labels {
                t,
                reference: state.reference.get(),
                staff,
                statuses: StatusLabels::new(&t),
                withheld: t.t("staff-confidential-title"),
                yes: t.t("export-yes"),
                kinds: FeedbackKind::ALL
                    .iter()
                    .map(|k| (*k, t.t(&k.message_id("kind"))))
                    .collect(),
                channels: Channel::ALL
                    .iter()
                    .map(|c| (*c, t.t(&c.message_id("channel"))))
                    .collect(),
            },
            after: None,
            written: 0,
            done: false,
        })
    }

    /// The header row, in the user's language.
    pub fn header(&self) -> Vec<String> {
        columns(self.contacts)
            .iter()
            .map(|id| self.labels.t.t(id))
            .collect()
    }

    /// The next batch of rows as cells (recorded in the personal-data log first);
    /// `None` at the end.
    pub async fn next_batch(&mut self) -> AppResult<Option<Vec<Vec<String>>>> {
        if self.done || self.written >= MAX_ROWS {
            return Ok(None);
        }
        let mut conn = self.state.pool.get().await?;
        let rows = queue_export::batch(
            &mut conn,
            &self.filter,
            self.scope,
            self.dates,
            self.after,
            BATCH,
        )
        .await?;
        self.done = (rows.len() as i64) < BATCH;
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        self.after = Some(last.cursor());
        let shown: Vec<i64> = rows
            .iter()
            .filter(|r| !r.confidential)
            .map(|r| r.id)
            .collect();
        tickets::record_personal_data_views(&mut conn, self.user_id, &shown, "export").await?;
        drop(conn);
        self.written += rows.len() as u64;
        Ok(Some(
            rows.iter()
                .map(|r| self.labels.cells(r, self.contacts))
                .collect(),
        ))
    }

    /// The name of the file: `pakn-YYYYMMDD-HHMM.{ext}`, Vietnam time.
    pub fn file_name(ext: &str) -> String {
        let now = Utc::now().with_timezone(&crate::domain::calendar::vn_offset());
        format!("pakn-{}.{ext}", now.format("%Y%m%d-%H%M"))
    }
}

/// The Fluent ids of the columns, the contacts only for those who may export them.
fn columns(contacts: bool) -> Vec<&'static str> {
    let mut ids = vec![
        "export-col-code",
        "export-col-received",
        "export-col-title",
        "export-col-sender",
        "export-col-kind",
        "export-col-channel",
        "export-col-field",
        "export-col-unit",
        "export-col-status",
        "export-col-assignee",
        "export-col-accept-due",
        "export-col-reply-due",
        "export-col-answered",
    ];
    if contacts {
        ids.extend(["export-col-phone", "export-col-email", "export-col-address"]);
    }
    ids.push("export-col-confidential");
    ids
}

impl Labels {
    /// One row's cells, in the order of [`columns`].
    fn cells(&self, r: &ExportRow, contacts: bool) -> Vec<String> {
        let (t, reference) = (&self.t, &self.reference);
        let withheld = r.confidential;
        let mut cells = vec![
            TrackingCode::parse(&r.code)
                .map(|c| c.display())
                .unwrap_or(r.code.clone()),
            format_date(local_date(r.received_at)),
            if withheld {
                self.withheld.clone()
            } else {
                r.title.clone()
            },
            if withheld {
                String::new()
            } else {
                r.full_name
                    .clone()
                    .or(r.organization.clone())
                    .unwrap_or_default()
            },
            word(&self.kinds, r.kind),
            word(&self.channels, r.channel),
            reference
                .field(&r.field_code)
                .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
                .unwrap_or(r.field_code.clone()),
            reference
                .unit(r.unit_id)
                .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                .unwrap_or_default(),
            self.statuses.of(r.status),
            r.assignee_id
                .and_then(|id| self.staff.iter().find(|s| s.id == id))
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            format_date(r.accept_due),
            format_date(r.reply_due),
            r.answered_at
                .map(|a| format_date(local_date(a)))
                .unwrap_or_default(),
        ];
        if contacts {
            let shown = |v: &str| {
                if withheld {
                    String::new()
                } else {
                    v.to_string()
                }
            };
            cells.push(shown(&r.phone));
            cells.push(shown(r.email.as_deref().unwrap_or_default()));
            cells.push(shown(&r.address));
        }
        cells.push(if withheld {
            self.yes.clone()
        } else {
            String::new()
        });
        cells
    }
}

/// The word of `code` in a list looked up once.
fn word<C: PartialEq>(words: &[(C, String)], code: C) -> String {
    words
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, w)| w.clone())
        .unwrap_or_default()
}

/// `GET /staff/tickets/export.csv`: UTF-8 with a byte-order mark (so that Excel reads
/// Vietnamese), comma-separated, CRLF lines (RFC 4180), streamed batch by batch.
pub async fn csv(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<QueueParams>,
) -> AppResult<Response> {
    let exporter = Exporter::start(&state, &lang, &user, &params).await?;
    let mut head = String::from("\u{feff}");
    head.push_str(&csv_line(&exporter.header()));
    let body = stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(head)) }).chain(
        stream::unfold(exporter, |mut ex| async move {
            match ex.next_batch().await {
                Ok(Some(rows)) => {
                    let text: String = rows.iter().map(|r| csv_line(r)).collect();
                    Some((Ok(Bytes::from(text)), ex))
                }
                Ok(None) => None,
                Err(e) => {
                    tracing::error!(error = %e, "queue export (CSV) failed mid-way");
                    ex.done = true;
                    Some((Err(std::io::Error::other("export failed")), ex))
                }
            }
        }),
    );
    Ok(file_response(
        Body::from_stream(body),
        "text/csv; charset=utf-8",
        &Exporter::file_name("csv"),
    ))
}

/// A response that downloads `body` as `name`, never cached.
pub fn file_response(body: Body, content_type: &str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// One CSV line: fields quoted when they hold a comma, quote or line break; a field
/// that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab) is prefixed
/// with `'` (a sender's words must never run as a formula).
pub fn csv_line(cells: &[String]) -> String {
    let mut out = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{cell}")
        } else {
            cell.clone()
        };
        if guarded.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&guarded.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&guarded);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lines_quote_and_guard() {
        let cells = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(csv_line(&cells(&["a", "b c"])), "a,b c\r\n");
        assert_eq!(
            csv_line(&cells(&["Nguyễn, Văn \"A\"", "x\ny"])),
            "\"Nguyễn, Văn \"\"A\"\"\",\"x\ny\"\r\n"
        );
        assert_eq!(csv_line(&cells(&["=1+1", "-2", "@x"])), "'=1+1,'-2,'@x\r\n");
        assert_eq!(csv_line(&[]), "\r\n");
    }

    #[test]
    fn contacts_are_columns_only_for_those_who_handle() {
        assert_eq!(columns(false).len(), 14);
        assert_eq!(columns(true).len(), 17);
        assert!(!columns(false).contains(&"export-col-phone"));
        assert!(columns(true).contains(&"export-col-address"));
    }
}
