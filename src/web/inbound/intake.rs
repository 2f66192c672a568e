//! `GET /staff/intake`: the PAKN sent by email that wait to be completed, newest first;
//! `GET /staff/intake/{id}`: one mail as safe text, its files, and the completion form;
//! `POST /staff/intake/{id}/accept` files it as a PAKN (channel `email`, received when
//! the mail was) and goes to the new ticket; `POST /staff/intake/{id}/spam`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use super::IntakeUser;
use crate::auth::StaffUser;
use crate::db::intake::{self as data, Item};
use crate::domain::attachment::size_text;
use crate::domain::calendar::format_datetime;
use crate::domain::feedback::{self, FeedbackValues, limits};
use crate::domain::intake::{IntakeState, missing};
use crate::handling::Context;
use crate::handling::intake::{self as handling, IntakeError, mail_files, message_ids};
use crate::i18n::Tr;
use crate::web::kit::choices::{Choice, category_choices, field_choices};
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::messages::field_message;
use crate::web::kit::{
    AppState, Fields, RequestLang, SharedState, StaffChrome, check_csrf, detached, page,
    page_no_store,
};

/// The most items listed.
const LIMIT: i64 = 500;

/// One waiting mail in the list.
pub struct Line {
    pub id: i64,
    pub received: String,
    pub sender: String,
    pub subject: String,
    pub missing: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/inbound/intake_list.html")]
struct ListPage {
    chrome: StaffChrome,
    count: i64,
    lines: Vec<Line>,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
}

/// The sender as staff read it: the display name and the address.
fn sender_of(item: &Item) -> String {
    match &item.sender_name {
        Some(name) => format!("{name} <{}>", item.sender_email),
        None => item.sender_email.clone(),
    }
}

/// What the mail lacks, in the page's language.
fn missing_text(t: &Tr, item: &Item) -> String {
    missing(item.sender_name.as_deref(), item.found_phone.as_deref())
        .into_iter()
        .map(|m| t.t(m.message_id()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn list(
    State(state): State<SharedState>,
    lang: RequestLang,
    IntakeUser(me): IntakeUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let (items, count) = {
        let mut conn = state.pool.get().await?;
        let items = data::waiting(&mut conn, LIMIT).await?;
        (items, data::count_waiting(&mut conn).await?)
    };
    let t = lang.tr();
    let lines = items
        .iter()
        .map(|i| Line {
            id: i.id,
            received: format_datetime(i.received_at),
            sender: sender_of(i),
            subject: if i.subject.is_empty() {
                t.t("intake-no-subject")
            } else {
                i.subject.clone()
            },
            missing: missing_text(&t, i),
        })
        .collect();
    let body = ListPage {
        chrome: StaffChrome::new(&state, &lang, &me, "/staff/intake"),
        count,
        lines,
        notice: (q.done.as_deref() == Some("spam")).then(|| t.t("intake-done-spam")),
    };
    Ok(page(&lang, body))
}

pub struct FileLine {
    pub filename: String,
    pub size: String,
    pub kept: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/inbound/intake_item.html")]
pub struct ItemPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub id: i64,
    pub sender: String,
    pub received: String,
    pub subject: String,
    pub body: String,
    pub missing: String,
    pub files: Vec<FileLine>,
    /// Set once staff decided: what became of it.
    pub decided: Option<String>,
    pub ticket_code: Option<String>,
    pub v: FeedbackValues,
    pub errors: Vec<(String, String)>,
    pub fields: Vec<Choice>,
    pub categories: Vec<Choice>,
}

impl ItemPage {
    /// The label of field `name` in the error summary ("" when it has none).
    pub fn label_of(&self, name: &str) -> String {
        let id = format!("label-{}", name.replace('_', "-"));
        if self.t.has(&id) {
            format!("{}: ", self.t.t(&id))
        } else {
            String::new()
        }
    }

    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_str())
    }
}

/// At most `max` characters of `s`.
fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// The form as the mail fills it: the name from the display name, the email, the title
/// from the subject, the content from the text, a phone found in the text.
fn prefilled(item: &Item) -> FeedbackValues {
    FeedbackValues {
        submitter_kind: "individual".into(),
        full_name: item.sender_name.clone().unwrap_or_default(),
        email: item.sender_email.clone(),
        phone: item.found_phone.clone().unwrap_or_default(),
        title: cut(&item.subject, limits::TITLE.1),
        content: cut(&item.body, limits::CONTENT.1),
        consent: true,
        ..FeedbackValues::default()
    }
}

/// The item's page: the mail, and the form with `v` and `errors`.
async fn item_page(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    id: i64,
    form: Option<(FeedbackValues, Vec<(String, String)>)>,
) -> AppResult<ItemPage> {
    let mut conn = state.pool.get().await?;
    let item = data::get(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let raws = data::raws(&mut conn, &message_ids(&item)).await?;
    let ticket_code = match item.ticket_id {
        Some(t) => crate::db::inbound::ticket_code(&mut conn, t).await?,
        None => None,
    };
    drop(conn);
    let t = lang.tr();
    let files = mail_files(&state.cfg, &raws)
        .into_iter()
        .map(|f| FileLine {
            filename: f.filename,
            size: size_text(f.size as i64),
            kept: f.kept.is_some(),
        })
        .collect();
    let decided = match (item.state, &ticket_code) {
        (IntakeState::Accepted, Some(code)) => {
            Some(t.t1("intake-decided-accepted", "code", code.clone()))
        }
        (IntakeState::Spam, _) => Some(t.t("intake-decided-spam")),
        _ => None,
    };
    let (v, errors) = form.unwrap_or_else(|| (prefilled(&item), Vec::new()));
    let reference = state.reference.get();
    Ok(ItemPage {
        chrome: StaffChrome::new(state, lang, me, "/staff/intake"),
        t,
        id,
        sender: sender_of(&item),
        received: format_datetime(item.received_at),
        subject: item.subject.clone(),
        body: item.body.clone(),
        missing: missing_text(&t, &item),
        files,
        decided,
        ticket_code,
        fields: field_choices(&reference, &t, &v.field),
        categories: category_choices(&reference, &t, &v.content_category),
        v,
        errors,
    })
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    IntakeUser(me): IntakeUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let body = item_page(&state, &lang, &me, id, None).await?;
    Ok(page_no_store(StatusCode::OK, &lang, body))
}

/// What the officer typed into the completion form.
fn typed(fields: &Fields) -> FeedbackValues {
    let mut v = FeedbackValues::default();
    for name in feedback::FIELD_NAMES {
        v.set(name, fields.get(name).to_string());
    }
    // Staff record the sender's consent to the processing, as at the staff entry.
    v.consent = true;
    v
}

pub async fn accept(
    State(state): State<SharedState>,
    lang: RequestLang,
    IntakeUser(me): IntakeUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let v = typed(&fields);
        let reference = state.reference.get();
        let valid = match reference.validate_feedback(&v) {
            Ok(valid) => valid,
            Err(errs) => {
                let t = lang.tr();
                let errors = errs
                    .iter()
                    .map(|(n, e)| (n.to_string(), field_message(&t, *e)))
                    .collect();
                let body = item_page(&state, &lang, &me, id, Some((v, errors))).await?;
                return Ok(page_no_store(StatusCode::UNPROCESSABLE_ENTITY, &lang, body));
            }
        };
        let ctx = Context::now(&state.cfg, &reference);
        let done = {
            let mut conn = state.pool.get().await?;
            handling::accept(&mut conn, &ctx, &me.access, id, &valid).await
        };
        match done {
            Ok(code) => {
                state.mail_wake.notify_one();
                tracing::info!(intake_id = id, "staff accepted a PAKN sent by email");
                Ok(Redirect::to(&format!("/staff/tickets/{code}")).into_response())
            }
            Err(e) => decided_or_error(id, e),
        }
    })
    .await
}

/// A decision that was not carried out: back to the item when someone decided first.
fn decided_or_error(id: i64, e: IntakeError) -> AppResult<Response> {
    match e {
        IntakeError::Decided(..) => {
            Ok(Redirect::to(&format!("/staff/intake/{id}")).into_response())
        }
        IntakeError::NotFound => Err(AppError::NotFound),
        IntakeError::NotAllowed => Err(AppError::NotFound),
        IntakeError::Database(e) => Err(e.into()),
        IntakeError::Failed(e) => Err(e.into()),
    }
}

pub async fn spam(
    State(state): State<SharedState>,
    IntakeUser(me): IntakeUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&me, fields.get("csrf"))?;
        let done = {
            let mut conn = state.pool.get().await?;
            handling::spam(&mut conn, &me.access, id, Utc::now()).await
        };
        match done {
            Ok(()) => Ok(Redirect::to("/staff/intake?done=spam").into_response()),
            Err(e) => decided_or_error(id, e),
        }
    })
    .await
}
