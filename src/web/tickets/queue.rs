//! `GET /staff/tickets`: the queue. Filters and search travel in the URL (bookmarkable;
//! the access log keeps only the route), pages by keyset, counts from the counters.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::view::ViewCx;
use crate::auth::StaffUser;
use crate::db::queue::{
    self, AssigneeFilter, Cursor, DueDates, DueFilter, QueueFilter, QueueRow, Scope,
};
use crate::db::tickets;
use crate::domain::access::Access;
use crate::domain::calendar::{
    DueState, due_state, end_of_day_utc, format_date, format_datetime, local_date,
};
use crate::domain::search::SearchTerm;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::Tr;
use crate::web::kit::counts::{Counted, Lookup};
use crate::web::kit::date::parse_date;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AppState, RequestLang, SharedState, StaffChrome};

const CHROME_PATH: &str = "/staff/tickets";

pub const PAGE_SIZE: i64 = 50;

/// The query string, as typed; an empty value is the same as an absent one.
#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    pub q: Option<String>,
    pub status: Option<String>,
    pub field: Option<String>,
    pub unit: Option<String>,
    pub assignee: Option<String>,
    pub due: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub spam: Option<String>,
    pub after: Option<String>,
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl QueueParams {
    /// The filter these parameters ask for (unknown values are ignored).
    pub fn filter(&self, viewer: &Access) -> QueueFilter {
        QueueFilter {
            term: some(&self.q).and_then(SearchTerm::parse),
            status: some(&self.status).and_then(Status::parse),
            field: some(&self.field).map(str::to_string),
            unit: some(&self.unit).and_then(|u| u.parse().ok()),
            assignee: match some(&self.assignee) {
                Some("me") => Some(AssigneeFilter::User(viewer.user_id)),
                Some("none") => Some(AssigneeFilter::Nobody),
                Some(id) => id.parse().ok().map(AssigneeFilter::User),
                None => None,
            },
            due: match some(&self.due) {
                Some("overdue") => Some(DueFilter::Overdue),
                Some("soon") => Some(DueFilter::Soon),
                Some("publication") => Some(DueFilter::Publication),
                _ => None,
            },
            from: some(&self.from)
                .and_then(parse_date)
                .map(|d| end_of_day_utc(d) - chrono::Duration::days(1)),
            to: some(&self.to).and_then(parse_date).map(end_of_day_utc),
            spam_only: some(&self.spam).is_some(),
            after: some(&self.after).and_then(Cursor::decode),
        }
    }

    /// This URL's query string with `after` replaced (for the next page).
    pub fn with_after(&self, after: &str) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("status", &self.status),
            ("field", &self.field),
            ("unit", &self.unit),
            ("assignee", &self.assignee),
            ("due", &self.due),
            ("from", &self.from),
            ("to", &self.to),
            ("spam", &self.spam),
        ] {
            if let Some(v) = some(v) {
                s.append_pair(k, v);
            }
        }
        s.append_pair("after", after);
        s.finish()
    }
}

pub struct RowView {
    pub code: String,
    pub code_display: String,
    pub title: String,
    pub name: String,
    pub status_label: String,
    pub field: String,
    pub unit: String,
    pub received: String,
    pub reply_due: String,
    pub due_state: &'static str,
    pub spam: bool,
    pub confidential: bool,
}

pub struct Tab {
    pub status: String,
    pub label: String,
    pub count: i64,
    pub current: bool,
}

pub struct Choice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/queue.html")]
pub struct QueuePage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub rows: Vec<RowView>,
    pub tabs: Vec<Tab>,
    pub overdue: i64,
    pub soon: i64,
    pub q: String,
    pub due: String,
    pub from: String,
    pub to: String,
    pub assignee: String,
    pub spam: bool,
    pub fields: Vec<Choice>,
    pub units: Vec<Choice>,
    pub show_units: bool,
    pub next: Option<String>,
    pub searched: bool,
    /// When the counts were counted, if they are kept for a few seconds.
    pub counted_at: Option<String>,
}

/// "Counted at HH:MM:SS" for pages whose counts are kept a few seconds; `None` when
/// every view counts afresh.
pub fn counted_at(state: &AppState, t: &Tr, at: DateTime<Utc>) -> Option<String> {
    state.counts.enabled().then(|| {
        let time = at
            .with_timezone(&crate::domain::calendar::vn_offset())
            .format("%H:%M:%S")
            .to_string();
        t.t2(
            "staff-counted-at",
            "time",
            time,
            "secs",
            state.counts.ttl.as_secs() as i64,
        )
    })
}

/// Today's date and the last due date that counts as "soon", from the calendar.
pub fn due_dates(state: &AppState, now: DateTime<Utc>) -> DueDates {
    let reference = state.reference.get();
    let today = local_date(now);
    let soon = state.cfg.deadlines.due_soon_working_days;
    let first_on_time = crate::domain::reminders::publication_late_before(
        &reference.calendar,
        today,
        state.cfg.deadlines.publish_working_days,
    );
    DueDates {
        today,
        soon_until: reference.calendar.add_working_days(today, soon),
        // From 00:00 in Vietnam of the first answer date still on time.
        publication_late_before: end_of_day_utc(first_on_time.pred_opt().unwrap_or(first_on_time)),
    }
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Query(params): Query<QueueParams>,
) -> AppResult<Response> {
    let viewer = &user.access;
    if !viewer.reads_tickets() {
        // An admin without a ticket role lands here after login: their work is the
        // admin screens (users, units, routing, the calendar).
        if viewer.administers() {
            return Ok(axum::response::Redirect::to("/staff/admin").into_response());
        }
        // A data protection officer's work is the data-subject requests.
        if viewer.handles_privacy_requests() {
            return Ok(axum::response::Redirect::to("/staff/privacy").into_response());
        }
        return Err(AppError::NotFound);
    }
    let now = Utc::now();
    let filter = params.filter(viewer);
    let found = find(&state, viewer, &filter, now).await?;
    if filter.term.is_some() && !found.rows.is_empty() {
        // A search is a lookup of people: who searched, and whose PAKN (with their
        // senders) it listed, is recorded (security review, finding 13).
        let ids: Vec<i64> = found.rows.iter().map(|r| r.id).collect();
        let mut conn = state.pool.get().await?;
        tickets::record_personal_data_views(&mut conn, viewer.user_id, &ids, "search").await?;
    }
    let page = QueuePage::build(&state, &lang, &user, &params, &filter, found, now);
    Ok(crate::web::kit::page(&lang, page))
}

/// One page of the queue, with the counts beside it.
struct Found {
    rows: Vec<QueueRow>,
    /// Whether another page follows.
    more: bool,
    by_status: Counted<Vec<(String, i64)>>,
    /// Overdue and due soon.
    due: Counted<(i64, i64)>,
}

/// The rows `filter` finds in this viewer's scope (the last 12 months, their unit's
/// unless they see every unit, confidential PAKN by words only within their reach),
/// and the counts of that scope.
async fn find(
    state: &AppState,
    viewer: &Access,
    filter: &QueueFilter,
    now: DateTime<Utc>,
) -> AppResult<Found> {
    let scope = Scope {
        unit: viewer.scope_unit(),
        since: Some(now - chrono::Duration::days(365)),
        confidential: viewer.confidential_reach(),
    };
    let dates = due_dates(state, now);
    let mut conn = state.pool.get().await?;
    let (rows, more) = queue::list(&mut conn, filter, scope, dates, PAGE_SIZE).await?;
    // The counts of this scope, from memory when counted in the last few seconds.
    let count_unit = scope.unit.or(filter.unit);
    let status_key = (count_unit, filter.field.clone());
    let by_status = match state.counts.by_status.lookup(&status_key) {
        Lookup::Use(counted) => counted,
        Lookup::Count => {
            let counts =
                queue::counts_by_status(&mut conn, count_unit, filter.field.as_deref()).await?;
            state.counts.by_status.put(status_key, counts)
        }
    };
    let due_key = (count_unit, dates.today, dates.soon_until);
    let due = match state.counts.due.lookup(&due_key) {
        Lookup::Use(counted) => counted,
        Lookup::Count => {
            let dues = queue::due_counts(&mut conn, count_unit, dates).await?;
            state.counts.due.put(due_key, dues)
        }
    };
    Ok(Found {
        rows,
        more,
        by_status,
        due,
    })
}

impl QueuePage {
    /// The page of what was `found` with `filter`, the form showing `params` as typed.
    fn build(
        state: &AppState,
        lang: &RequestLang,
        user: &StaffUser,
        params: &QueueParams,
        filter: &QueueFilter,
        found: Found,
        now: DateTime<Utc>,
    ) -> QueuePage {
        let t = lang.tr();
        let reference = state.reference.get();
        let cx = ViewCx {
            t,
            reference: &reference,
            cfg: &state.cfg,
            policy: state.cfg.deadline_policy(),
            now,
        };
        let labels = StatusLabels::new(&t);
        let typed = |v: &Option<String>| some(v).unwrap_or_default().to_string();
        QueuePage {
            chrome: StaffChrome::new(state, lang, user, CHROME_PATH),
            t,
            rows: found
                .rows
                .iter()
                .map(|r| RowView::of(&cx, &labels, r))
                .collect(),
            tabs: tabs(&labels, &found.by_status.value, filter.status),
            overdue: found.due.value.0,
            soon: found.due.value.1,
            q: params.q.clone().unwrap_or_default(),
            due: typed(&params.due),
            from: typed(&params.from),
            to: typed(&params.to),
            assignee: typed(&params.assignee),
            spam: filter.spam_only,
            fields: field_choices(&cx, filter.field.as_deref().unwrap_or_default()),
            units: unit_choices(&cx, filter.unit),
            show_units: user.access.sees_all_units(),
            next: next_page(params, &found),
            searched: filter.term.is_some(),
            counted_at: counted_at(state, &t, found.by_status.at.min(found.due.at)),
        }
    }
}

/// Each status's label, looked up once per page, not once per row.
struct StatusLabels(Vec<(Status, String)>);

impl StatusLabels {
    fn new(t: &Tr) -> StatusLabels {
        StatusLabels(
            Status::ALL
                .iter()
                .map(|s| (*s, t.t(&s.label_id())))
                .collect(),
        )
    }

    fn of(&self, status: Status) -> String {
        self.0
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, label)| label.clone())
            .unwrap_or_default()
    }
}

impl RowView {
    fn of(cx: &ViewCx, labels: &StatusLabels, r: &QueueRow) -> RowView {
        let (t, reference) = (&cx.t, cx.reference);
        let due_state = if r.status.is_open() {
            match due_state(&reference.calendar, &cx.policy, r.reply_due, cx.now) {
                DueState::Overdue => "overdue",
                DueState::DueSoon => "soon",
                DueState::OnTime => "",
            }
        } else {
            ""
        };
        RowView {
            code: r.code.clone(),
            code_display: TrackingCode::parse(&r.code)
                .map(|c| c.display())
                .unwrap_or(r.code.clone()),
            title: if r.confidential {
                t.t("staff-confidential-title")
            } else {
                r.title.clone()
            },
            // A confidential PAKN is often a tố cáo: who sent it is what must be
            // protected, so lists show neither its title nor its sender.
            name: if r.confidential {
                String::new()
            } else {
                r.full_name
                    .clone()
                    .or(r.organization.clone())
                    .unwrap_or_default()
            },
            status_label: labels.of(r.status),
            field: reference
                .field(&r.field_code)
                .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
                .unwrap_or(r.field_code.clone()),
            unit: reference
                .unit(r.unit_id)
                .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
                .unwrap_or_default(),
            received: format_datetime(r.received_at),
            reply_due: format_date(r.reply_due),
            due_state,
            spam: r.suspected_spam,
            confidential: r.confidential,
        }
    }
}

/// One tab per status with its count; the filtered one is current.
fn tabs(labels: &StatusLabels, counts: &[(String, i64)], current: Option<Status>) -> Vec<Tab> {
    Status::ALL
        .iter()
        .map(|s| Tab {
            status: s.as_str().to_string(),
            label: labels.of(*s),
            count: counts
                .iter()
                .find(|(c, _)| c == s.as_str())
                .map(|(_, n)| *n)
                .unwrap_or(0),
            current: current == Some(*s),
        })
        .collect()
}

/// The next page's query string, when there is one: after the last row shown.
fn next_page(params: &QueueParams, found: &Found) -> Option<String> {
    let last = found.rows.last().filter(|_| found.more)?;
    let cursor = Cursor {
        received_at: last.received_at,
        id: last.id,
    };
    Some(params.with_after(&cursor.encode()))
}

fn field_choices(cx: &ViewCx, selected: &str) -> Vec<Choice> {
    cx.reference
        .active_fields()
        .map(|f| Choice {
            code: f.code.clone(),
            name: cx.t.pick(&f.name_vi, &f.name_en).to_string(),
            selected: f.code == selected,
        })
        .collect()
}

fn unit_choices(cx: &ViewCx, selected: Option<i32>) -> Vec<Choice> {
    cx.reference
        .units
        .iter()
        .filter(|u| u.active)
        .map(|u| Choice {
            code: u.id.to_string(),
            name: cx.t.pick(&u.name_vi, &u.name_en).to_string(),
            selected: selected == Some(u.id),
        })
        .collect()
}
