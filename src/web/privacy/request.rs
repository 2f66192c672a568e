//! `/staff/privacy/{id}`: one data-subject request, with its assignee and answer, and
//! the requester's PAKN (those filed with the request's phone or email) with the tools
//! the answer needs: export (a ZIP download), correction of the contact details of one
//! PAKN, and erasure (refused, with the PAKN still being handled and their statuses,
//! while any is). Showing the PAKN's contact details for correction is recorded in
//! `personal_data_views` with the purpose `privacy`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::PrivacyUser;
use super::list::overdue;
use crate::auth::StaffUser;
use crate::db::personal_data::{self as person, Person};
use crate::db::privacy::{self as requests, RequestRow};
use crate::db::tickets::{record_personal_data_views, user_names};
use crate::domain::calendar::{format_date, format_datetime, local_date};
use crate::domain::status::Status;
use crate::handling::privacy_requests::{
    self as handling, ANSWER_MAX, CorrectionValues, PrivacyError,
};
use crate::i18n::Tr;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{
    AppState, Fields, RequestLang, SharedState, StaffChrome, check_csrf, detached, page_no_store,
};

/// A PAKN of the requester, with its contact details for the correction form.
pub struct TicketView {
    pub code: String,
    pub status: String,
    pub received: String,
    pub ended: bool,
    pub anonymised: Option<String>,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/privacy_request.html")]
struct RequestPage {
    chrome: StaffChrome,
    id: i64,
    kind: String,
    name: String,
    contact: String,
    by_email: bool,
    body: String,
    received: String,
    due: String,
    overdue: bool,
    assignee: Option<i32>,
    assigned: String,
    handlers: Vec<(i32, String)>,
    handled: Option<String>,
    answer: String,
    /// The answer typed in a refused form.
    typed_answer: String,
    answer_max: usize,
    tickets: Vec<TicketView>,
    notice: Option<String>,
    /// A refusal: the message, and the PAKN it names (code, status).
    problem: Option<String>,
    still_handled: Vec<(String, String)>,
}

impl RequestPage {
    fn is_assignee(&self, uid: &i32) -> bool {
        self.assignee == Some(*uid)
    }
}

/// What a refused action shows at the top of the page.
#[derive(Default)]
struct Refusal {
    message: Option<String>,
    still_handled: Vec<(String, String)>,
    /// What was typed in the refused form, shown again in it.
    typed: Option<Typed>,
}

/// A refused form's values.
enum Typed {
    Answer(String),
    Correction {
        code: String,
        values: CorrectionValues,
    },
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

fn path_of(id: i64) -> String {
    format!("/staff/privacy/{id}")
}

fn ticket_view(t: Tr, tk: person::PersonTicket) -> TicketView {
    let status = Status::parse(&tk.status);
    let individual = tk.submitter_kind == "individual";
    TicketView {
        status: status
            .map(|s| t.t(&s.label_id()))
            .unwrap_or_else(|| tk.status.clone()),
        ended: status.is_some_and(|s| crate::db::retention::ENDED.contains(&s)),
        received: format_datetime(tk.received_at),
        anonymised: tk.anonymized_at.map(format_datetime),
        name: if individual {
            tk.full_name
        } else {
            tk.representative
        }
        .unwrap_or_default(),
        email: tk.email.unwrap_or_default(),
        phone: tk.phone,
        address: tk.address,
        code: tk.code,
    }
}

fn notice_of(t: Tr, done: Option<&str>, contact: &str) -> Option<String> {
    Some(match done? {
        "assigned" => t.t("privacy-done-assigned"),
        "mailed" => t.t1("privacy-done-mailed", "contact", contact.to_string()),
        "call" => t.t1("privacy-done-call", "contact", contact.to_string()),
        "corrected" => t.t("privacy-done-corrected"),
        "erased" => t.t("privacy-done-erased"),
        _ => return None,
    })
}

/// Renders the request's page (with a refusal, 422), recording the view of the
/// requester's PAKN that it lists with their contact details.
async fn render(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    id: i64,
    done: Option<&str>,
    refusal: Refusal,
) -> AppResult<Response> {
    let mut conn = state.pool.get().await?;
    let r: RequestRow = requests::find(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let handlers = requests::handlers(&mut conn).await?;
    let mine = person::tickets_of(&mut conn, &Person::of_contact(&r.contact)).await?;
    let shown: Vec<i64> = mine
        .iter()
        .filter(|t| t.anonymized_at.is_none())
        .map(|t| t.id)
        .collect();
    record_personal_data_views(&mut conn, me.id, &shown, "privacy").await?;
    let ids: Vec<i32> = [r.assigned_to, r.handled_by]
        .into_iter()
        .flatten()
        .collect();
    let names = user_names(&mut conn, &ids).await?;
    drop(conn);
    let name = |id: Option<i32>| {
        id.and_then(|id| names.iter().find(|(u, _)| *u == id))
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let chrome = StaffChrome::new(state, lang, me, &path_of(id));
    let t = chrome.t;
    let status = if refusal.message.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body = RequestPage {
        id,
        kind: t.t(&format!("privacy-kind-{}", r.kind)),
        by_email: matches!(Person::of_contact(&r.contact), Person::Email(_)),
        received: format_datetime(r.created_at),
        due: format_date(r.due_on),
        overdue: overdue(&r, local_date(Utc::now())),
        assignee: r.assigned_to,
        assigned: name(r.assigned_to),
        handlers,
        handled: r
            .handled_at
            .map(|at| format!("{} · {}", format_datetime(at), name(r.handled_by))),
        answer: r.answer.clone().unwrap_or_default(),
        answer_max: ANSWER_MAX,
        tickets: mine
            .into_iter()
            .map(|tk| with_typed(ticket_view(t, tk), &refusal.typed))
            .collect(),
        typed_answer: match &refusal.typed {
            Some(Typed::Answer(text)) => text.clone(),
            _ => String::new(),
        },
        notice: notice_of(t, done, &r.contact),
        problem: refusal.message,
        still_handled: refusal.still_handled,
        name: r.name,
        contact: r.contact,
        body: r.body,
        chrome,
    };
    Ok(page_no_store(status, lang, body))
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    PrivacyUser(me): PrivacyUser,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    render(
        &state,
        &lang,
        &me,
        id,
        q.done.as_deref(),
        Refusal::default(),
    )
    .await
}

/// The answer to an action: back to the page with `done`, the page again with the
/// refusal, or the error page.
async fn outcome(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    id: i64,
    result: Result<&str, PrivacyError>,
    typed: Option<Typed>,
) -> AppResult<Response> {
    let t = lang.tr();
    let refusal = match result {
        Ok(done) => {
            return Ok(Redirect::to(&format!("{}?done={done}", path_of(id))).into_response());
        }
        Err(PrivacyError::NotFound) => return Err(AppError::NotFound),
        Err(PrivacyError::NotAllowed) => return Err(AppError::Forbidden),
        Err(PrivacyError::Database(e)) => return Err(e.into()),
        Err(PrivacyError::Internal(e)) => return Err(AppError::Internal(e)),
        Err(PrivacyError::Invalid(_, msg)) => Refusal {
            message: Some(t.t(msg)),
            ..Refusal::default()
        },
        Err(PrivacyError::Handled) => Refusal {
            message: Some(t.t("privacy-err-handled")),
            ..Refusal::default()
        },
        Err(PrivacyError::StillHandled(open)) => Refusal {
            message: Some(t.t("privacy-err-still-handled")),
            still_handled: open
                .into_iter()
                .map(|(code, s)| (code, t.t(&s.label_id())))
                .collect(),
            typed: None,
        },
    };
    let refusal = Refusal { typed, ..refusal };
    render(state, lang, me, id, None, refusal).await
}

/// The PAKN's correction form with what was typed, when that form was refused.
fn with_typed(mut view: TicketView, typed: &Option<Typed>) -> TicketView {
    if let Some(Typed::Correction { code, values }) = typed
        && *code == view.code
    {
        view.name = values.name.clone();
        view.email = values.email.clone();
        view.phone = values.phone.clone();
        view.address = values.address.clone();
    }
    view
}

pub async fn assign(
    State(state): State<SharedState>,
    lang: RequestLang,
    PrivacyUser(me): PrivacyUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let result = match fields.get("assignee").trim().parse::<i32>() {
            Ok(assignee) => {
                let mut conn = state.pool.get().await?;
                handling::assign(&mut conn, &me.access, id, assignee, Utc::now()).await
            }
            Err(_) => Err(PrivacyError::Invalid("assignee", "privacy-err-assignee")),
        };
        outcome(&state, &lang, &me, id, result.map(|()| "assigned"), None).await
    })
    .await
}

pub async fn answer(
    State(state): State<SharedState>,
    lang: RequestLang,
    PrivacyUser(me): PrivacyUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let result = {
            let mut conn = state.pool.get().await?;
            handling::answer(
                &mut conn,
                &state.cfg,
                &me.access,
                id,
                fields.get("answer"),
                Utc::now(),
            )
            .await
        };
        if matches!(result, Ok(a) if a.mailed) {
            state.mail_wake.notify_one();
        }
        let done = result.map(|a| if a.mailed { "mailed" } else { "call" });
        let typed = Typed::Answer(fields.get("answer").to_string());
        outcome(&state, &lang, &me, id, done, Some(typed)).await
    })
    .await
}

/// The ZIP of the requester's data, as a download no cache keeps.
pub async fn export(
    State(state): State<SharedState>,
    lang: RequestLang,
    PrivacyUser(me): PrivacyUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let result = {
            let mut conn = state.pool.get().await?;
            handling::export(&mut conn, &me.access, id, Utc::now()).await
        };
        let export = match result {
            Ok(export) => export,
            Err(e) => return outcome(&state, &lang, &me, id, Err(e), None).await,
        };
        let disposition = format!("attachment; filename=\"{}\"", export.filename);
        let mut res = export.bytes.into_response();
        let headers = res.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/zip"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
        Ok(res)
    })
    .await
}

pub async fn correct(
    State(state): State<SharedState>,
    lang: RequestLang,
    PrivacyUser(me): PrivacyUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let values = CorrectionValues {
            name: fields.get("name").to_string(),
            email: fields.get("email").to_string(),
            phone: fields.get("phone").to_string(),
            address: fields.get("address").to_string(),
        };
        let result = {
            let mut conn = state.pool.get().await?;
            handling::correct(&mut conn, &me.access, id, fields.get("code"), &values).await
        };
        let typed = Typed::Correction {
            code: fields.get("code").to_string(),
            values,
        };
        outcome(
            &state,
            &lang,
            &me,
            id,
            result.map(|()| "corrected"),
            Some(typed),
        )
        .await
    })
    .await
}

pub async fn erase(
    State(state): State<SharedState>,
    lang: RequestLang,
    PrivacyUser(me): PrivacyUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let result = {
            let mut conn = state.pool.get().await?;
            handling::erase(&mut conn, &me.access, id, Utc::now()).await
        };
        outcome(&state, &lang, &me, id, result.map(|_| "erased"), None).await
    })
    .await
}
