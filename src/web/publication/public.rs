//! `GET /answers`: the published answers, newest first, filtered by lĩnh vực and year,
//! searched by folded words over the public copies only (a citizen's name never finds
//! their answer: it is not in the copy), in keyset pages whose URLs can be bookmarked. A
//! search is expanded with the administration's abbreviations and synonyms, lists its
//! best matches first (`db::answers_search`: the newest [`RANKED`] matches by how much
//! of the query their title holds, in `?page=` pages, then the older ones newest first
//! in keyset pages), marks the words found in each title and in an excerpt of the
//! question, and says how many it found up to [`COUNT_BOUND`];
//! `GET /answers/{public_id}`: one answer (title, question, answer, lĩnh vực, date),
//! print-friendly. Never the tracking code, names or contacts; refused, out-of-scope,
//! confidential and unpublished items never appear. One query per page (two when
//! searching, plus the oldest year for the filter), no session, cacheable.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use chrono::{Datelike, Utc};
use serde::Deserialize;

use crate::db::answers_search::{self, AnswerRanking, NextPage};
use crate::db::publication::{self as db, AnswerCursor, AnswerFilter, ListedAnswer, SEARCH_WINDOW};
use crate::domain::calendar::{format_date, local_date};
use crate::domain::highlight::Matcher;
use crate::domain::publication::is_public_id;
use crate::domain::reference::Reference;
use crate::domain::search::query_words;
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::counts::{KeptSearch, Lookup};
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::highlight::Marked;
use crate::web::kit::search_words;
use crate::web::kit::{AppState, Chrome, page};

/// Answers per page.
pub const PAGE_SIZE: i64 = 20;
/// A search ranks this many of its newest matches (five pages).
pub const RANKED: i64 = 100;
/// Past this many answers the count says "more than".
pub const COUNT_BOUND: i64 = 1000;
/// How much of a question is read for its excerpt (characters), and shown.
const QUESTION_HEAD: i32 = 1000;
const EXCERPT_CHARS: usize = 200;
/// Longest search query looked at (characters) and most words used.
const Q_MAX_CHARS: usize = 200;
const Q_MAX_WORDS: usize = 8;
/// Public pages may be cached briefly (an unpublished answer is gone within this).
const CACHE_CONTROL: &str = "public, max-age=60";

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/answers", get(list))
        .route("/answers/{public_id}", get(show))
}

/// The query string as typed; empty values count as absent, unknown ones are ignored.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub field: Option<String>,
    pub year: Option<String>,
    pub q: Option<String>,
    /// A page of a search's ranking (1-based).
    pub page: Option<String>,
    pub after: Option<String>,
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListParams {
    /// What is asked, as the list's filter (a known lĩnh vực, a plausible year, at most
    /// `Q_MAX_WORDS` folded words expanded with the synonyms, the cursor), and the
    /// search as shown back.
    fn filter(&self, reference: &Reference, this_year: i32) -> (AnswerFilter, String) {
        let field = some(&self.field)
            .filter(|f| reference.field(f).is_some())
            .map(str::to_string);
        let year = some(&self.year)
            .and_then(|y| y.parse::<i32>().ok())
            .filter(|y| (2000..=this_year + 1).contains(y));
        let q: String = some(&self.q)
            .unwrap_or_default()
            .chars()
            .take(Q_MAX_CHARS)
            .collect();
        let query = reference.synonyms.expand(&query_words(&q, Q_MAX_WORDS));
        let filter = AnswerFilter {
            field,
            year,
            query,
            after: some(&self.after).and_then(AnswerCursor::decode),
        };
        (filter, q)
    }

    /// The page of a search's ranking asked for (1 to the last ranked page).
    fn page_number(&self) -> usize {
        let last = (RANKED / PAGE_SIZE) as usize;
        some(&self.page)
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(1)
            .clamp(1, last)
    }

    /// The address of the page after this one.
    fn next_href(&self, next: &NextPage) -> String {
        match next {
            NextPage::Ranked(n) => self.href(Some(("page", &n.to_string()))),
            NextPage::After(cursor) => self.href(Some(("after", &cursor.encode()))),
        }
    }

    /// This list's query string without its paging, plus `paging` when given.
    fn href(&self, paging: Option<(&str, &str)>) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("field", &self.field), ("year", &self.year), ("q", &self.q)] {
            if let Some(v) = some(v) {
                s.append_pair(k, v);
            }
        }
        if let Some((k, v)) = paging {
            s.append_pair(k, v);
        }
        let qs = s.finish();
        if qs.is_empty() {
            "/answers".to_string()
        } else {
            format!("/answers?{qs}")
        }
    }
}

pub struct ItemView {
    pub href: String,
    /// Escaped, with a search's words marked.
    pub title: Marked,
    /// A search: where the question holds the words, marked.
    pub excerpt: Option<Marked>,
    pub field: String,
    pub date: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "answers.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub items: Vec<ItemView>,
    pub fields: Vec<Choice>,
    pub years: Vec<Choice>,
    pub q: String,
    /// A search: how many answers it found, and the other terms it looked for.
    pub count: Option<String>,
    pub also: Option<String>,
    pub filtered: bool,
    pub paged: bool,
    pub next_href: Option<String>,
    pub first_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "answers_show.html")]
pub struct AnswerPage {
    pub chrome: Chrome,
    pub title: String,
    pub question: String,
    pub answer: String,
    pub field: String,
    pub date: String,
}

/// Lets caches keep a page for a minute, unless it remembers a language switch (a
/// shared cache must never store a `Set-Cookie`).
fn cacheable(lang: &RequestLang, mut res: Response) -> Response {
    if !lang.switched {
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
    }
    res
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    let reference = state.reference.get();
    let t = lang.tr();
    let this_year = local_date(Utc::now()).year();
    let (filter, q) = params.filter(&reference, this_year);
    let mut conn = state.reads.get().await?;
    let found = if filter.query.is_empty() {
        let (rows, more) = db::list(&mut conn, &filter, PAGE_SIZE).await?;
        Found::newest_first(rows, more, None)
    } else {
        search(&state, &mut conn, &filter, params.page_number()).await?
    };
    let excerpts = if filter.query.is_empty() {
        Vec::new()
    } else {
        let ids: Vec<String> = found.rows.iter().map(|r| r.public_id.clone()).collect();
        answers_search::question_heads(&mut conn, &ids, QUESTION_HEAD).await?
    };
    let first_year = db::first_year(&mut conn).await?.unwrap_or(this_year);
    drop(conn);
    let matcher = (!filter.query.is_empty()).then(|| Matcher::new(&filter.query));
    let items = found
        .rows
        .iter()
        .map(|r| ItemView {
            href: format!("/answers/{}", r.public_id),
            title: Marked::found(&r.title, matcher.as_ref()),
            excerpt: matcher.as_ref().and_then(|m| {
                let (_, question) = excerpts.iter().find(|(id, _)| *id == r.public_id)?;
                Marked::excerpt(question, m, EXCERPT_CHARS)
            }),
            field: field_name(&reference, &t, &r.field_code),
            date: format_date(r.answered_on),
        })
        .collect();
    let body = ListPage {
        chrome: Chrome::new(&state, &lang, "/answers"),
        items,
        fields: field_choices(&reference, &t, filter.field.as_deref()),
        years: year_choices(first_year, this_year, filter.year),
        count: found
            .total
            .map(|n| search_words::count_text(&t, n, COUNT_BOUND)),
        also: search_words::also_searched(&t, &reference.synonyms, &q, Q_MAX_WORDS),
        q,
        filtered: filter.field.is_some() || filter.year.is_some() || !filter.query.is_empty(),
        paged: filter.after.is_some() || (found.total.is_some() && params.page_number() > 1),
        next_href: found.next.as_ref().map(|n| params.next_href(n)),
        first_href: params.href(None),
    };
    Ok(cacheable(&lang, page(&lang, body)))
}

/// A page of the list, where the next one starts, and a search's count.
struct Found {
    rows: Vec<ListedAnswer>,
    next: Option<NextPage>,
    total: Option<i64>,
}

impl Found {
    /// A keyset page: the next one starts after its last answer.
    fn newest_first(rows: Vec<ListedAnswer>, more: bool, total: Option<i64>) -> Found {
        let next = match (more, rows.last()) {
            (true, Some(last)) => Some(NextPage::After(AnswerCursor {
                answered_on: last.answered_on,
                public_id: last.public_id.clone(),
            })),
            _ => None,
        };
        Found { rows, next, total }
    }
}

/// A word search: its ranking and count (kept a few seconds for every page of it), and
/// page `number` of the ranking, or, with a cursor, the older matches after it.
async fn search(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    filter: &AnswerFilter,
    number: usize,
) -> AppResult<Found> {
    let key = format!("{:?}|{:?}|{:?}", filter.query, filter.field, filter.year);
    let (ranking, total) = match state.counts.answers_search.lookup(&key) {
        Lookup::Use(kept) => (AnswerRanking::kept(kept.value.ranked), kept.value.total),
        Lookup::Count => {
            // Words known to be rare skip the walk of the newest copies.
            let words = format!("answers|{:?}", filter.query);
            let window = if state.counts.rare(&words) {
                0
            } else {
                SEARCH_WINDOW
            };
            let ranking = answers_search::rank(conn, filter, RANKED, window).await?;
            state.counts.rare_words.put(words, ranking.from_index());
            let total =
                answers_search::count_up_to(conn, filter, &ranking, COUNT_BOUND, SEARCH_WINDOW)
                    .await?;
            let kept = KeptSearch {
                ranked: ranking.ranked.clone(),
                total,
            };
            state.counts.answers_search.put(key, kept);
            (ranking, total)
        }
    };
    if filter.after.is_some() {
        let (rows, more) = db::list(conn, filter, PAGE_SIZE).await?;
        return Ok(Found::newest_first(rows, more, Some(total)));
    }
    let (rows, next) =
        answers_search::page_of(conn, &ranking, filter, number, PAGE_SIZE, SEARCH_WINDOW).await?;
    Ok(Found {
        rows,
        next,
        total: Some(total),
    })
}

/// A lĩnh vực's name in the page's language (its code when it is unknown).
fn field_name(reference: &Reference, t: &Tr, code: &str) -> String {
    reference
        .field(code)
        .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// The active lĩnh vực as filter choices.
fn field_choices(reference: &Reference, t: &Tr, selected: Option<&str>) -> Vec<Choice> {
    reference
        .active_fields()
        .map(|f| Choice {
            value: f.code.clone(),
            label: t.pick(&f.name_vi, &f.name_en).to_string(),
            selected: selected == Some(f.code.as_str()),
        })
        .collect()
}

/// The years from the oldest answer's to this one, newest first.
fn year_choices(first_year: i32, this_year: i32, selected: Option<i32>) -> Vec<Choice> {
    (first_year.min(this_year)..=this_year)
        .rev()
        .map(|y| Choice {
            value: y.to_string(),
            label: y.to_string(),
            selected: selected == Some(y),
        })
        .collect()
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    Path(public_id): Path<String>,
) -> AppResult<Response> {
    if !is_public_id(&public_id) {
        return Err(AppError::NotFound);
    }
    let row = {
        let mut conn = state.reads.get().await?;
        db::listed_by_public_id(&mut conn, &public_id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let reference = state.reference.get();
    let t = lang.tr();
    let body = AnswerPage {
        chrome: Chrome::new(&state, &lang, &format!("/answers/{public_id}")),
        title: row.title,
        question: row.question,
        answer: row.answer,
        field: field_name(&reference, &t, &row.field_code),
        date: format_date(row.answered_on),
    };
    Ok(cacheable(&lang, page(&lang, body)))
}
