//! `GET /answers`: the published answers, newest first, filtered by lĩnh vực and year,
//! searched by folded words over the public copies only (a citizen's name never finds
//! their answer: it is not in the copy), in keyset pages whose URLs can be bookmarked;
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

use crate::db::publication::{self as db, AnswerCursor, AnswerFilter, ListedAnswer};
use crate::domain::calendar::{format_date, local_date};
use crate::domain::fold::fold_words;
use crate::domain::publication::is_public_id;
use crate::domain::reference::Reference;
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{Chrome, page};

/// Answers per page.
pub const PAGE_SIZE: i64 = 20;
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
    pub after: Option<String>,
}

fn some(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListParams {
    /// What is asked, as the list's filter (a known lĩnh vực, a plausible year, at most
    /// `Q_MAX_WORDS` folded words, the cursor), and the search as shown back.
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
        let mut words = fold_words(&q);
        words.truncate(Q_MAX_WORDS);
        let filter = AnswerFilter {
            field,
            year,
            words,
            after: some(&self.after).and_then(AnswerCursor::decode),
        };
        (filter, q)
    }

    /// The next page's address: after the last answer of this one.
    fn next_href(&self, last: &ListedAnswer) -> String {
        let cursor = AnswerCursor {
            answered_on: last.answered_on,
            public_id: last.public_id.clone(),
        };
        self.href(Some(&cursor.encode()))
    }

    /// This page's query string without the cursor, plus `after` when given.
    fn href(&self, after: Option<&str>) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [("field", &self.field), ("year", &self.year), ("q", &self.q)] {
            if let Some(v) = some(v) {
                s.append_pair(k, v);
            }
        }
        if let Some(after) = after {
            s.append_pair("after", after);
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
    pub title: String,
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
    let (rows, more) = db::list(&mut conn, &filter, PAGE_SIZE).await?;
    let first_year = db::first_year(&mut conn).await?.unwrap_or(this_year);
    drop(conn);
    let next_href = match (more, rows.last()) {
        (true, Some(last)) => Some(params.next_href(last)),
        _ => None,
    };
    let body = ListPage {
        chrome: Chrome::new(&state, &lang, "/answers"),
        items: rows
            .iter()
            .map(|r| ItemView {
                href: format!("/answers/{}", r.public_id),
                title: r.title.clone(),
                field: field_name(&reference, &t, &r.field_code),
                date: format_date(r.answered_on),
            })
            .collect(),
        fields: field_choices(&reference, &t, filter.field.as_deref()),
        years: year_choices(first_year, this_year, filter.year),
        q,
        filtered: filter.field.is_some() || filter.year.is_some() || !filter.words.is_empty(),
        paged: filter.after.is_some(),
        next_href,
        first_href: params.href(None),
    };
    Ok(cacheable(&lang, page(&lang, body)))
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
