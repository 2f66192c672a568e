//! `GET /staff/tickets`: the queue. Filters, sort and page travel in the URL
//! (bookmarkable; the access log keeps only the route); counts from the counters.
//!
//! The bare URL is the viewer's open work: an officer's own PAKN, a leader's (or an
//! inspector's) every open PAKN, the most urgent due date first (overdue leads). A
//! status or a search shows every PAKN it names, open or not. A word search is expanded
//! with the administration's abbreviations and synonyms, lists its best matches first
//! (`db::queue_search`: its newest [`RANKED`] matches by how much of the query their
//! title holds, then the older ones newest first) unless a column's header is clicked,
//! marks the words found in each title and in an excerpt of the content, and says how
//! many it found up to [`COUNT_BOUND`]. The parameters are read in
//! [`super::queue_params`], the rows in [`super::queue_rows`].

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

pub use super::queue_params::{PAGE_SIZE, QueueParams};
use super::queue_params::{SortHead, ViewLink};
use super::queue_rows::{RowLabels, RowView, RowWords, StatusLabels};
use super::view::ViewCx;
use crate::auth::StaffUser;
use crate::db::queue::{
    self, DueDates, QueueFilter, QueueRow, SEARCH_WINDOW, Scope, Sort, SortKey, StaffName,
};
use crate::db::queue_search::{self, Ranking};
use crate::db::saved_views::{self, SavedView};
use crate::db::tickets;
use crate::domain::access::Access;
use crate::domain::calendar::{end_of_day_utc, local_date};
use crate::domain::highlight::Matcher;
use crate::domain::search::{MAX_WORDS, SearchTerm};
use crate::domain::status::Status;
use crate::i18n::Tr;
use crate::web::kit::counts::{Counted, KeptSearch, Lookup};
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::highlight::Marked;
use crate::web::kit::numbers::grouped;
use crate::web::kit::search_words;
use crate::web::kit::{AppState, RequestLang, SharedState, StaffChrome};

const CHROME_PATH: &str = "/staff/tickets";

/// Past this many rows the count says "more than".
pub const COUNT_BOUND: i64 = 1000;
/// A word search ranks this many of its newest matches (four pages).
pub const RANKED: i64 = 200;
/// How much of a result's content is read for its excerpt (characters), and shown.
const CONTENT_HEAD: i32 = 1000;
const EXCERPT_CHARS: usize = 180;

pub struct Tab {
    pub href: String,
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

/// A saved view as listed: its link and its delete form's target.
pub struct SavedLink {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/queue.html")]
pub struct QueuePage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub rows: Vec<RowView>,
    pub labels: RowLabels,
    /// "12 PAKN", "Hơn 1.000 PAKN"; for a word search "12 kết quả".
    pub count: String,
    /// A word search: the other terms it looked for ("Tìm cả: …").
    pub also: Option<String>,
    /// A word search in relevance order says so; sorted by a column, it links back.
    pub best_first: Option<String>,
    pub best_first_href: Option<String>,
    /// Whose work: mine, unassigned, everyone's.
    pub views: Vec<ViewLink>,
    /// Open, finished, both.
    pub states: Vec<ViewLink>,
    pub due_tabs: Vec<Tab>,
    pub tabs: Vec<Tab>,
    pub heads: Vec<SortHead>,
    pub saved: Vec<SavedLink>,
    /// The query string a saved view keeps.
    pub save_query: String,
    pub q: String,
    pub filters_open: bool,
    pub due: String,
    pub from: String,
    pub to: String,
    pub assignee: String,
    pub spam: bool,
    pub fields: Vec<Choice>,
    pub units: Vec<Choice>,
    pub show_units: bool,
    /// Bulk assign and accept: the handlers offered.
    pub bulk: Option<Vec<Choice>>,
    /// Where the bulk result links back to.
    pub back: String,
    /// The filters and sort of this list, for the export links.
    pub export_query: String,
    pub page: i64,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub searched: bool,
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
    let filter = params.filter(viewer, &state.reference.get().synonyms);
    let found = find(&state, &user, &filter, now).await?;
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
    /// The rows found, up to [`COUNT_BOUND`] + 1 (`None` when not counted).
    total: Option<i64>,
    /// The start of each result's content, for its excerpt (word searches).
    contents: Vec<(i64, String)>,
    /// Every staff account: the handlers' names, and whom the bulk bar offers.
    staff: Vec<StaffName>,
    saved: Vec<SavedView>,
    by_status: Counted<Vec<(String, i64)>>,
    /// Overdue and due soon.
    due: Counted<(i64, i64)>,
}

/// The rows `filter` finds in this viewer's scope (the last 12 months, their unit's
/// unless they see every unit, confidential PAKN by words only within their reach),
/// and the counts of that scope.
async fn find(
    state: &AppState,
    user: &StaffUser,
    filter: &QueueFilter,
    now: DateTime<Utc>,
) -> AppResult<Found> {
    let viewer = &user.access;
    let scope = Scope {
        unit: viewer.scope_unit(),
        since: Some(now - chrono::Duration::days(365)),
        confidential: viewer.confidential_reach(),
    };
    let dates = due_dates(state, now);
    let mut conn = state.pool.get().await?;
    let (rows, more, total, contents, staff, saved) = if filter.term.as_ref().is_some_and(words) {
        let (rows, more, total) = word_search(state, &mut conn, filter, scope, dates).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        // The excerpts of the page's rows, the staff names and the saved views in one
        // round trip (pipelined), as below.
        let (contents, staff, saved) = {
            let shared = &*conn;
            let (mut c1, mut c2, mut c3) = (shared, shared, shared);
            futures_util::try_join!(
                queue_search::content_heads(&mut c1, &ids, CONTENT_HEAD),
                queue::staff(&mut c2),
                saved_views::list(&mut c3, user.id),
            )?
        };
        (rows, more, total, contents, staff, saved)
    } else {
        // The page, the staff names and the saved views in one round trip (pipelined):
        // three waits for Postgres cost more than the statements (first page 2,223-2,309
        // -> 2,525-2,617 req/s, bench/results.md).
        let ((rows, more), staff, saved) = {
            let shared = &*conn;
            let (mut c1, mut c2, mut c3) = (shared, shared, shared);
            futures_util::try_join!(
                queue::unworded_page(&mut c1, filter, scope, dates, PAGE_SIZE),
                queue::staff(&mut c2),
                saved_views::list(&mut c3, user.id),
            )?
        };
        let total = if filter.offset == 0 && filter.after.is_none() && !more {
            // The whole list is on this page: no need to count it again.
            Some(rows.len() as i64)
        } else {
            total(state, &mut conn, filter, scope, dates).await?
        };
        (rows, more, total, Vec::new(), staff, saved)
    };
    let (by_status, due) =
        counts(state, &mut conn, scope.unit.or(filter.unit), filter, dates).await?;
    Ok(Found {
        rows,
        more,
        total,
        contents,
        staff,
        saved,
        by_status,
        due,
    })
}

fn words(term: &SearchTerm) -> bool {
    matches!(term, SearchTerm::Words { .. })
}

/// What identifies a list whatever its page: the filter without paging (and, for the
/// ranking of a word search, without the column it is sorted by), and the scope.
fn list_key(filter: &QueueFilter, sort: Sort, scope: Scope, dates: DueDates) -> String {
    let unpaged = QueueFilter {
        offset: 0,
        after: None,
        sort,
        ..filter.clone()
    };
    // `scope.since` moves with the clock; a few seconds of it do not matter.
    format!(
        "{unpaged:?}|{:?}|{:?}|{}",
        scope.unit, scope.confidential, dates.today
    )
}

/// A word search's page, whether more follow, and how many rows it finds (up to
/// [`COUNT_BOUND`] + 1). Its ranking and count are kept a few seconds for every page
/// of it (and its column sorts); the page is in relevance order unless a column's
/// header sorts it.
async fn word_search(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    dates: DueDates,
) -> AppResult<(Vec<QueueRow>, bool, Option<i64>)> {
    let key = list_key(filter, Sort::default(), scope, dates);
    let (ranking, total) = match state.counts.queue_search.lookup(&key) {
        Lookup::Use(kept) => (Ranking::kept(kept.value.ranked), kept.value.total),
        Lookup::Count => {
            // Words known to be rare skip the walk of the newest tickets.
            let words = format!("{:?}|{:?}", filter.term, scope.unit.or(filter.unit));
            let window = if state.counts.rare(&words) {
                0
            } else {
                SEARCH_WINDOW
            };
            let ranking = queue_search::rank(conn, filter, scope, dates, RANKED, window).await?;
            state.counts.rare_words.put(words, ranking.from_index());
            let total = queue_search::count_up_to(
                conn,
                filter,
                scope,
                dates,
                &ranking,
                COUNT_BOUND,
                SEARCH_WINDOW,
            )
            .await?;
            let kept = KeptSearch {
                ranked: ranking.ranked.clone(),
                total,
            };
            state.counts.queue_search.put(key, kept);
            (ranking, total)
        }
    };
    let (rows, more) = if filter.sort.key == SortKey::Relevance {
        queue_search::page(
            conn,
            &ranking,
            filter,
            scope,
            dates,
            PAGE_SIZE,
            SEARCH_WINDOW,
        )
        .await?
    } else {
        queue::list(conn, filter, scope, dates, PAGE_SIZE).await?
    };
    Ok((rows, more, Some(total)))
}

/// The rows `filter` finds in `scope` (up to [`COUNT_BOUND`] + 1), from memory when
/// counted in the last few seconds: the count walks up to 1,001 index entries, which
/// was a quarter of the first page's database time at 1,000,000 PAKN. Paging does not
/// change it, so every page of one list shares it.
async fn total(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    filter: &QueueFilter,
    scope: Scope,
    dates: DueDates,
) -> AppResult<Option<i64>> {
    // `scope.since` applies to searches only, and word searches are not counted here.
    let key = list_key(filter, filter.sort, scope, dates);
    Ok(match state.counts.queue_total.lookup(&key) {
        Lookup::Use(counted) => counted.value,
        Lookup::Count => {
            let n = queue::count_up_to(conn, filter, scope, dates, COUNT_BOUND).await?;
            state.counts.queue_total.put(key, n).value
        }
    })
}

/// The counts of this scope, from memory when counted in the last few seconds.
async fn counts(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    count_unit: Option<i32>,
    filter: &QueueFilter,
    dates: DueDates,
) -> AppResult<(Counted<Vec<(String, i64)>>, Counted<(i64, i64)>)> {
    let status_key = (count_unit, filter.field.clone());
    let by_status = match state.counts.by_status.lookup(&status_key) {
        Lookup::Use(counted) => counted,
        Lookup::Count => {
            let counts = queue::counts_by_status(conn, count_unit, filter.field.as_deref()).await?;
            state.counts.by_status.put(status_key, counts)
        }
    };
    let due_key = (count_unit, dates.today, dates.soon_until);
    let due = match state.counts.due.lookup(&due_key) {
        Lookup::Use(counted) => counted,
        Lookup::Count => {
            let dues = queue::due_counts(conn, count_unit, dates).await?;
            state.counts.due.put(due_key, dues)
        }
    };
    Ok((by_status, due))
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
        let words_of_rows = RowWords::new(&t);
        let typed = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
        let page = params.page_number();
        let matcher = filter
            .term
            .as_ref()
            .and_then(SearchTerm::query)
            .map(Matcher::new);
        let words = filter.term.as_ref().is_some_and(words);
        let relevance = filter.sort.key == SortKey::Relevance;
        let show_units = user.access.sees_all_units();
        QueuePage {
            chrome: StaffChrome::new(state, lang, user, CHROME_PATH),
            t,
            rows: rows(&cx, &words_of_rows, &found, matcher.as_ref()),
            labels: RowLabels::new(&t),
            count: match found.total {
                Some(n) if words => search_words::count_text(&t, n, COUNT_BOUND),
                _ => count_text(&t, &found, filter.offset),
            },
            also: words
                .then(|| {
                    let q = params.q.as_deref().unwrap_or_default();
                    search_words::also_searched(&t, &reference.synonyms, q, MAX_WORDS)
                })
                .flatten(),
            best_first: (words && relevance).then(|| t.t("search-best-first")),
            best_first_href: (words && !relevance)
                .then(|| params.link(&[("sort", "relevance"), ("dir", ""), ("after", "")])),
            views: views(&t, params, filter, &user.access),
            states: states(&t, params, filter),
            due_tabs: due_tabs(&t, params, &found),
            tabs: tabs(
                &words_of_rows.statuses,
                &found.by_status.value,
                filter.status,
            ),
            heads: heads(&t, params, filter),
            saved: saved_links(params, &found.saved),
            save_query: params.saved_query(),
            q: params.q.clone().unwrap_or_default(),
            filters_open: params.has_detail_filters(),
            due: typed(&params.due),
            from: typed(&params.from),
            to: typed(&params.to),
            assignee: typed(&params.assignee),
            spam: filter.spam_only,
            fields: field_choices(&cx, filter.field.as_deref().unwrap_or_default()),
            units: unit_choices(&cx, filter.unit),
            show_units,
            bulk: user
                .access
                .acts_in_bulk()
                .then(|| handler_choices(&cx, &found.staff)),
            back: params.query_with(&[("page", &page.to_string())]),
            export_query: params.query_with(&[]),
            page,
            prev: (page > 1).then(|| params.link(&[("page", &(page - 1).to_string())])),
            next: found
                .more
                .then(|| params.link(&[("page", &(page + 1).to_string())])),
            searched: filter.term.is_some(),
        }
    }
}

fn rows(cx: &ViewCx, words: &RowWords, found: &Found, matcher: Option<&Matcher>) -> Vec<RowView> {
    found
        .rows
        .iter()
        .map(|r| {
            let assignee = r
                .assignee_id
                .and_then(|id| found.staff.iter().find(|s| s.id == id))
                .map(|s| s.name.clone())
                .unwrap_or_default();
            let mut row = RowView::of(cx, words, r, assignee, matcher);
            if let Some(m) = matcher {
                row.excerpt = found
                    .contents
                    .iter()
                    .find(|(id, _)| *id == r.id)
                    .and_then(|(_, content)| Marked::excerpt(content, m, EXCERPT_CHARS));
            }
            row
        })
        .collect()
}

/// "12 PAKN"; past the bound (or a word search with more pages), "Hơn N PAKN".
fn count_text(t: &Tr, found: &Found, offset: i64) -> String {
    let shown = offset + found.rows.len() as i64;
    match found.total {
        Some(n) if n <= COUNT_BOUND => t.t1("queue-count", "n", grouped(t, n)),
        Some(_) => t.t1("queue-count-more", "n", grouped(t, COUNT_BOUND)),
        None if found.more => t.t1("queue-count-more", "n", grouped(t, shown)),
        None => t.t1("queue-count", "n", grouped(t, shown)),
    }
}

/// Whose work: an officer's own first, then the unassigned, then the unit's (or, for
/// those who see every unit, everyone's first).
fn views(t: &Tr, params: &QueueParams, filter: &QueueFilter, viewer: &Access) -> Vec<ViewLink> {
    use crate::db::queue::AssigneeFilter::{Nobody, User};
    let current = match filter.assignee {
        Some(User(id)) if id == viewer.user_id => "me",
        Some(Nobody) => "none",
        Some(User(_)) => "",
        None => "all",
    };
    let all_label = if viewer.sees_all_units() {
        "queue-view-all"
    } else {
        "queue-view-unit"
    };
    let mut order = vec![("me", "queue-view-mine"), ("none", "queue-view-unassigned")];
    order.push(("all", all_label));
    if viewer.sees_all_units() {
        order.rotate_right(1);
    }
    order
        .into_iter()
        .filter(|(v, _)| *v != "me" || viewer.acts())
        .map(|(v, id)| ViewLink {
            href: params.link(&[("assignee", v)]),
            label: t.t(id),
            current: current == v,
        })
        .collect()
}

/// Open work, finished PAKN, both.
fn states(t: &Tr, params: &QueueParams, filter: &QueueFilter) -> Vec<ViewLink> {
    use crate::db::queue::Openness;
    [
        ("open", Openness::Open, "queue-state-open"),
        ("done", Openness::Finished, "queue-state-done"),
        ("all", Openness::All, "queue-state-all"),
    ]
    .into_iter()
    .map(|(v, o, id)| ViewLink {
        href: params.link(&[("state", v), ("status", "")]),
        label: t.t(id),
        current: filter.state == o && filter.status.is_none(),
    })
    .collect()
}

/// The overdue and due-soon tabs, current when their filter is.
fn due_tabs(t: &Tr, params: &QueueParams, found: &Found) -> Vec<Tab> {
    let due = params.due.as_deref().unwrap_or_default();
    [
        ("overdue", "staff-overdue", found.due.value.0),
        ("soon", "staff-due-soon", found.due.value.1),
    ]
    .into_iter()
    .map(|(code, id, count)| Tab {
        href: format!("/staff/tickets?due={code}"),
        status: code.to_string(),
        label: t.t(id),
        count,
        current: due == code,
    })
    .collect()
}

/// One tab per status with its count; the filtered one is current.
fn tabs(labels: &StatusLabels, counts: &[(String, i64)], current: Option<Status>) -> Vec<Tab> {
    Status::ALL
        .iter()
        .map(|s| Tab {
            href: format!("/staff/tickets?status={}", s.as_str()),
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

/// The sortable columns' headers: code, status, received, due.
fn heads(t: &Tr, params: &QueueParams, filter: &QueueFilter) -> Vec<SortHead> {
    [
        ("code", "receipt-code-label"),
        ("status", "receipt-status"),
        ("received", "queue-col-received"),
        ("due", "queue-col-due"),
    ]
    .into_iter()
    .map(|(key, id)| params.sort_head(key, t.t(id), filter.sort))
    .collect()
}

fn saved_links(params: &QueueParams, saved: &[SavedView]) -> Vec<SavedLink> {
    let here = params.saved_query();
    saved
        .iter()
        .map(|v| SavedLink {
            id: v.id,
            name: v.name.clone(),
            href: if v.query.is_empty() {
                "/staff/tickets".to_string()
            } else {
                format!("/staff/tickets?{}", v.query)
            },
            current: v.query == here,
        })
        .collect()
}

/// The handlers a bulk action may name: "name — unit".
fn handler_choices(cx: &ViewCx, staff: &[StaffName]) -> Vec<Choice> {
    staff
        .iter()
        .filter(|s| s.handles)
        .map(|s| {
            let (id, name) = (s.id, &s.name);
            let unit = s
                .unit_id
                .and_then(|u| cx.reference.unit(u))
                .map(|u| format!(" — {}", cx.t.pick(&u.name_vi, &u.name_en)))
                .unwrap_or_default();
            Choice {
                code: id.to_string(),
                name: format!("{name}{unit}"),
                selected: false,
            }
        })
        .collect()
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
