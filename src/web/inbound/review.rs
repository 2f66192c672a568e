//! `GET /staff/inbound`: the inbound messages waiting for staff (held or failed), newest
//! first, with their state and outcome; `GET /staff/inbound/{id}`: one of them as safe
//! text (sender, subject, the new text, the files' names); `POST
//! /staff/inbound/{id}/retry|discard|attach` (attach: to a PAKN by its code, as an
//! internal note).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::ReviewUser;
use crate::db::inbound as data;
use crate::domain::attachment::size_text;
use crate::domain::calendar::format_datetime;
use crate::handling::inbound_review::{self, Review};
use crate::web::kit::error::AppResult;
use crate::web::kit::{Fields, RequestLang, SharedState, StaffChrome, check_csrf, detached, page};

/// The most messages listed.
const LIMIT: i64 = 200;

pub struct Line {
    pub id: i64,
    pub received: String,
    pub state: String,
    pub outcome: String,
    pub size: String,
    pub attempts: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/inbound/review.html")]
struct ReviewPage {
    chrome: StaffChrome,
    lines: Vec<Line>,
    /// Whether the viewer may open a message (leaders).
    reads: bool,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// One held message as the review page shows it.
#[derive(Template, WebTemplate)]
#[template(path = "staff/inbound/message.html")]
struct MessagePage {
    chrome: StaffChrome,
    line: Line,
    from: String,
    to: String,
    subject: String,
    text: String,
    files: Vec<String>,
    /// The code of the PAKN it names, if any.
    ticket: Option<String>,
    error: Option<String>,
    code: String,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    ReviewUser(me): ReviewUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    message_page(&state, &lang, me, id, None, String::new()).await
}

async fn message_page(
    state: &SharedState,
    lang: &RequestLang,
    me: crate::auth::StaffUser,
    id: i64,
    error: Option<String>,
    code: String,
) -> AppResult<Response> {
    if !me.access.reads_inbound() {
        return Err(crate::web::kit::AppError::Forbidden);
    }
    let (row, ticket) = {
        let mut conn = state.pool.get().await?;
        let Some(row) = data::raw(&mut conn, id).await? else {
            return Err(crate::web::kit::AppError::NotFound);
        };
        let ticket = match row.0.ticket_id {
            Some(t) => data::ticket_code(&mut conn, t).await?,
            None => None,
        };
        (row, ticket)
    };
    let t = lang.tr();
    let (line, raw) = row;
    let parsed = crate::mail::inbound::parse::parse(&raw).unwrap_or_default();
    let body = MessagePage {
        chrome: StaffChrome::new(state, lang, &me, "/staff/inbound"),
        line: line_of(&t, line),
        from: format!(
            "{} <{}>",
            parsed.from_name.clone().unwrap_or_default(),
            parsed.from.clone().unwrap_or_default()
        ),
        to: parsed.recipients.join(", "),
        subject: parsed.subject.clone(),
        text: if parsed.text.is_empty() {
            parsed.full_text.clone()
        } else {
            parsed.text.clone()
        },
        files: parsed
            .attachments
            .iter()
            .map(|f| format!("{} ({})", f.filename, size_text(f.bytes.len() as i64)))
            .collect(),
        ticket: ticket.map(|c| {
            crate::domain::tracking_code::TrackingCode::parse(&c)
                .map(|c| c.display())
                .unwrap_or(c)
        }),
        error,
        code,
    };
    Ok(page(lang, body))
}

fn line_of(t: &crate::i18n::Tr, r: data::ReviewLine) -> Line {
    Line {
        id: r.id,
        received: format_datetime(r.received_at),
        state: t.t(&r.state.label_id()),
        outcome: r.outcome.map(|o| t.t(&o.label_id())).unwrap_or_default(),
        size: size_text(i64::from(r.size)),
        attempts: r.attempts,
    }
}

/// Attaches the message to the PAKN whose code is typed, as an internal note.
pub async fn attach(
    State(state): State<SharedState>,
    lang: RequestLang,
    ReviewUser(me): ReviewUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let code = fields.get("code").trim().to_string();
        let done = {
            let mut conn = state.pool.get().await?;
            let reference = state.reference.get();
            let ctx = crate::handling::Context::now(&state.cfg, &reference);
            inbound_review::attach(&mut conn, &ctx, &me.access, id, &code).await
        };
        let t = lang.tr();
        let error = match done {
            Ok(inbound_review::Attach::Done) => {
                return Ok(Redirect::to("/staff/inbound?done=attach").into_response());
            }
            Ok(inbound_review::Attach::Gone) => {
                return Ok(Redirect::to("/staff/inbound?done=gone").into_response());
            }
            Ok(inbound_review::Attach::NoSuchCode) => t.t("inbound-review-no-code"),
            Err(crate::handling::HandlingError::NotAllowed) => t.t("inbound-review-not-yours"),
            Err(e) => match e.message_id() {
                Some(id) => t.t(&id),
                None => return Err(anyhow::Error::new(e).into()),
            },
        };
        let mut res = message_page(&state, &lang, me, id, Some(error), code).await?;
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        Ok(res)
    })
    .await
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    ReviewUser(me): ReviewUser,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let rows = {
        let mut conn = state.pool.get().await?;
        data::review_list(&mut conn, LIMIT).await?
    };
    let t = lang.tr();
    let lines = rows.into_iter().map(|r| line_of(&t, r)).collect();
    let notice = match q.done.as_deref() {
        Some("retry") => Some(t.t("inbound-review-done-retry")),
        Some("discard") => Some(t.t("inbound-review-done-discard")),
        Some("attach") => Some(t.t("inbound-review-done-attach")),
        Some("gone") => Some(t.t("inbound-review-gone")),
        _ => None,
    };
    let body = ReviewPage {
        reads: me.access.reads_inbound(),
        chrome: StaffChrome::new(&state, &lang, &me, "/staff/inbound"),
        lines,
        notice,
    };
    Ok(page(&lang, body))
}

async fn act(
    state: SharedState,
    me: ReviewUser,
    id: i64,
    fields: Fields,
    review: Review,
) -> Response {
    let ReviewUser(me) = me;
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let done = {
            let mut conn = state.pool.get().await?;
            inbound_review::review(&mut conn, &me.access, id, review, Utc::now()).await
        };
        let done = match done {
            Ok(done) => done,
            Err(crate::handling::HandlingError::NotAllowed) => {
                return Err(crate::web::kit::AppError::Forbidden);
            }
            Err(e) => return Err(anyhow::Error::new(e).into()),
        };
        // A message tried again is taken by the next pass of the inbound job.
        let word = match (done, review) {
            (false, _) => "gone",
            (true, Review::Retry) => "retry",
            (true, Review::Discard) => "discard",
        };
        Ok(Redirect::to(&format!("/staff/inbound?done={word}")).into_response())
    })
    .await
}

pub async fn retry(
    State(state): State<SharedState>,
    me: ReviewUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    act(state, me, id, fields, Review::Retry).await
}

pub async fn discard(
    State(state): State<SharedState>,
    me: ReviewUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    act(state, me, id, fields, Review::Discard).await
}
