//! `GET /staff/inbound`: the inbound messages waiting for staff (held or failed), newest
//! first, with their state and outcome; `POST /staff/inbound/{id}/retry|discard`.

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
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
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
    let lines = rows
        .into_iter()
        .map(|r| Line {
            id: r.id,
            received: format_datetime(r.received_at),
            state: t.t(&r.state.label_id()),
            outcome: r.outcome.map(|o| t.t(&o.label_id())).unwrap_or_default(),
            size: size_text(i64::from(r.size)),
            attempts: r.attempts,
        })
        .collect();
    let notice = match q.done.as_deref() {
        Some("retry") => Some(t.t("inbound-review-done-retry")),
        Some("discard") => Some(t.t("inbound-review-done-discard")),
        Some("gone") => Some(t.t("inbound-review-gone")),
        _ => None,
    };
    let body = ReviewPage {
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
