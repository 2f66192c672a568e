//! The queue's tools: `POST /staff/tickets/bulk` (a leader assigns or accepts the PAKN
//! ticked in the queue; the result page says which were done and why the others were
//! not) and `POST /staff/tickets/views`, `POST /staff/tickets/views/{id}/delete` (one's
//! saved views). Plain forms with the session's token: no JavaScript needed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::queue_params::QueueParams;
use crate::auth::StaffUser;
use crate::handling::queue_bulk::{self, BulkAction, BulkReport};
use crate::handling::{Context, HandlingError, saved_views};
use crate::i18n::Tr;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{
    AppState, Fields, RequestLang, SharedState, StaffChrome, check_csrf, detached,
};

const CHROME_PATH: &str = "/staff/tickets";

/// A PAKN the bulk action could not do, and why.
pub struct Failed {
    pub code: String,
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/queue_result.html")]
pub struct ResultPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    /// A refusal of the whole form (nothing selected, no handler chosen, a bad name).
    pub error: Option<String>,
    /// "3 PAKN đã được phân công."
    pub summary: String,
    pub done: Vec<String>,
    pub failed: Vec<Failed>,
    /// The queue as it was.
    pub back: String,
}

pub async fn bulk(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&user, fields.get("csrf"))?;
    if !user.access.acts_in_bulk() {
        return Err(AppError::Forbidden);
    }
    // The rest runs to its end even if the client goes away.
    Ok(detached(async move { carry_out(&state, &lang, &user, &fields).await }).await)
}

async fn carry_out(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    fields: &Fields,
) -> AppResult<Response> {
    let t = lang.tr();
    let back = back_link(fields.get("back"));
    let codes: Vec<String> = fields
        .all("ticket")
        .into_iter()
        .map(str::to_string)
        .collect();
    let handler = fields.get("assignee").trim().parse::<i32>().ok();
    let (action, verb) = match (fields.get("action"), handler) {
        ("assign", Some(id)) => (BulkAction::Assign(id), "assign"),
        ("assign", None) => return refuse(state, lang, user, back, "queue-bulk-no-handler"),
        ("accept", handler) => (BulkAction::Accept(handler), "accept"),
        _ => return refuse(state, lang, user, back, "handling-err-unknown-action"),
    };
    if codes.is_empty() {
        return refuse(state, lang, user, back, "queue-bulk-none");
    }
    let reference = state.reference.get();
    let ctx = Context::now(&state.cfg, &reference);
    let mut conn = state.pool.get().await?;
    let report = queue_bulk::perform_bulk(&mut conn, &ctx, &user.access, &codes, action)
        .await
        .map_err(|e| match e {
            HandlingError::NotAllowed => AppError::Forbidden,
            other => AppError::Internal(anyhow::anyhow!("bulk {verb}: {other}")),
        })?;
    drop(conn);
    if report.mails > 0 {
        state.mail_wake.notify_one();
    }
    let page = ResultPage {
        chrome: StaffChrome::new(state, lang, user, CHROME_PATH),
        summary: t.t1(
            &format!("queue-bulk-done-{verb}"),
            "n",
            report.done.len() as i64,
        ),
        failed: failures(&t, &report),
        done: report.done,
        error: None,
        back,
        t,
    };
    Ok(crate::web::kit::page(lang, page))
}

fn failures(t: &Tr, report: &BulkReport) -> Vec<Failed> {
    report
        .failed
        .iter()
        .map(|(code, id)| Failed {
            code: code.clone(),
            reason: t.t(id),
        })
        .collect()
}

/// The result page with only `message` (422): the form could not be carried out.
fn refuse(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    back: String,
    message: &str,
) -> AppResult<Response> {
    let t = lang.tr();
    let page = ResultPage {
        chrome: StaffChrome::new(state, lang, user, CHROME_PATH),
        error: Some(t.t(message)),
        summary: String::new(),
        done: Vec::new(),
        failed: Vec::new(),
        back,
        t,
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        crate::web::kit::page(lang, page),
    )
        .into_response())
}

/// The queue's URL from a posted query string, reduced to the parameters the queue
/// knows (never an address elsewhere).
fn back_link(query: &str) -> String {
    let params = parse_query(query);
    match params.page_number() {
        1 => params.link(&[]),
        n => params.link(&[("page", &n.to_string())]),
    }
}

fn parse_query(query: &str) -> QueueParams {
    format!("/staff/tickets?{query}")
        .parse::<axum::http::Uri>()
        .ok()
        .and_then(|uri| axum::extract::Query::<QueueParams>::try_from_uri(&uri).ok())
        .map(|q| q.0)
        .unwrap_or_default()
}

pub async fn save_view(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&user, fields.get("csrf"))?;
    let params = parse_query(fields.get("query"));
    let query = params.saved_query();
    let mut conn = state.pool.get().await?;
    let saved = saved_views::save(&mut conn, user.id, fields.get("name"), &query).await;
    drop(conn);
    match saved {
        Ok(_) => Ok(Redirect::to(&params.link(&[])).into_response()),
        Err(HandlingError::Invalid(id)) => refuse(&state, &lang, &user, params.link(&[]), id),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(
            "saving a queue view: {e}"
        ))),
    }
}

pub async fn delete_view(
    State(state): State<SharedState>,
    user: StaffUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&user, fields.get("csrf"))?;
    let mut conn = state.pool.get().await?;
    match saved_views::delete(&mut conn, user.id, id).await {
        Ok(()) => Ok(Redirect::to("/staff/tickets").into_response()),
        Err(HandlingError::NotAllowed) => Err(AppError::NotFound),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(
            "deleting a queue view: {e}"
        ))),
    }
}
