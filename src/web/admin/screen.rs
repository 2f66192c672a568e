//! The shape every admin screen shares, written once: a list at `LIST`, a form for a new
//! record at `LIST/new` and one for an existing record at `LIST/{key}`, each form
//! posting back to its own address. A [`Screen`] says only what is its own (its key, its
//! list's columns and rows, its form's inputs and how what was typed is read and
//! checked); the handlers here do the rest the same way for every screen:
//!
//! - only admins get in ([`AdminUser`] answers 403 to other staff);
//! - a POST checks the session's anti-forgery token first and runs to its end in a
//!   spawned task ([`spawned`]), so a client that goes away never leaves an edit half
//!   done;
//! - a refused form comes back (422) with what was typed and each problem by its input;
//! - the edit runs in one transaction with its audit row and a reference version bump
//!   ([`crate::db::admin::edit`]); then this instance reloads its reference data and the
//!   browser goes to the list with `?done=created` or `?done=updated`;
//! - a key that names nothing is 404, for the form and for its POST alike.

use std::str::FromStr;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{Done, finish, notice};
use crate::auth::StaffUser;
use crate::db::admin::{self, Problem, Record};
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::detached;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::form_view::{FormPage, Input, ListPage, ListRow, PostButton};
use crate::web::kit::{AdminUser, Fields, StaffChrome, check_csrf};
use crate::web::kit::{AppState, SharedState};

/// The key of a screen's records.
pub type Key<S> = <<S as Screen>::Record as Record>::Key;
/// The checked form of a screen's records.
pub type Checked<S> = <<S as Screen>::Record as Record>::Input;

/// A query string a screen does not read (besides the list's `?done=`).
#[derive(Debug, Default, Deserialize)]
pub struct NoQuery {}

/// One admin screen: what it edits and what is its own on its pages.
pub trait Screen: Send + Sync + 'static {
    /// What the screen lists and edits (its key, checked form and edits).
    type Record: Record<Key: FromStr>;
    /// The form's values as typed (so a refused form comes back as it was).
    type Form: Send + Sync + 'static;
    /// What the list and the new form read from the query string (a year).
    type Query: DeserializeOwned + Send + Sync + 'static;

    /// The list's address.
    const LIST: &'static str;
    /// The message id of the screen's name: the list's heading and the forms' way back.
    /// `{TITLE}-intro` introduces the list, `{TITLE}-new` heads the new form (and is the
    /// list's link to it), `{TITLE}-edit` heads the form of an existing record.
    const TITLE: &'static str;

    /// The key in an address (by default as the key type parses it); `None` (404) when
    /// it cannot be one.
    fn key(raw: &str) -> Option<Key<Self>> {
        raw.parse().ok()
    }

    /// The records the list shows.
    fn records(
        conn: &mut AsyncPgConnection,
        query: &Self::Query,
    ) -> impl Future<Output = QueryResult<Vec<Self::Record>>> + Send;

    /// The list's column headings.
    fn columns(t: Tr) -> Vec<String>;

    /// The list's rows.
    fn rows(t: Tr, state: &AppState, records: Vec<Self::Record>) -> Vec<ListRow>;

    /// A new record's form as first shown.
    fn blank(query: &Self::Query) -> Self::Form;

    /// An existing record's form as first shown.
    fn of(record: &Self::Record) -> Self::Form;

    /// The form as posted; `existing` is the record being edited (what cannot change,
    /// such as its code, is taken from it).
    fn read(fields: &Fields, state: &AppState, existing: Option<&Self::Record>) -> Self::Form;

    /// Checks the form; `creating` when it makes a new record.
    fn parse(form: &Self::Form, creating: bool) -> Result<Checked<Self>, Vec<Problem>>;

    /// The form's inputs, filled from `form`; `key` names the record being edited.
    fn inputs(t: Tr, state: &AppState, form: &Self::Form, key: Option<&Key<Self>>) -> Vec<Input>;

    /// The list's heading.
    fn heading(t: Tr, _query: &Self::Query) -> String {
        t.t(Self::TITLE)
    }

    /// The list's link to the new form.
    fn new_href(_query: &Self::Query) -> String {
        format!("{}/new", Self::LIST)
    }

    /// Links between pages of the list: (href, label, current).
    fn pages(_query: &Self::Query) -> Vec<(String, String, bool)> {
        Vec::new()
    }

    /// What the list says when it has no rows.
    fn empty(t: Tr) -> String {
        t.t("admin-empty")
    }

    /// The words above the form's inputs.
    fn form_intro(_t: Tr) -> Option<String> {
        None
    }

    /// Other actions on the record being edited.
    fn extra(_t: Tr, _key: &Key<Self>) -> Vec<PostButton> {
        Vec::new()
    }

    /// The list a form leads back to.
    fn back(_key: Option<&Key<Self>>) -> String {
        Self::LIST.to_string()
    }

    /// The list after an edit, saying what was `done`.
    fn done(_input: &Checked<Self>, done: &str) -> String {
        format!("{}?done={done}", Self::LIST)
    }
}

/// The screen's list and forms, for the router.
pub fn routes<S: Screen>() -> Router<SharedState> {
    Router::new()
        .route(S::LIST, get(list::<S>))
        .route(
            &format!("{}/new", S::LIST),
            get(new_form::<S>).post(create::<S>),
        )
        .route(
            &format!("{}/{{key}}", S::LIST),
            get(edit_form::<S>).post(update::<S>),
        )
}

pub async fn list<S: Screen>(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(done): Query<Done>,
    Query(query): Query<S::Query>,
) -> AppResult<Response> {
    let records = {
        let mut conn = state.pool.get().await?;
        S::records(&mut conn, &query).await?
    };
    let chrome = StaffChrome::new(&state, &lang, &me, S::LIST);
    let t = chrome.t;
    Ok(ListPage {
        heading: S::heading(t, &query),
        intro: Some(t.t(&format!("{}-intro", S::TITLE))),
        new_link: Some((S::new_href(&query), t.t(&format!("{}-new", S::TITLE)))),
        notice: notice(t, &done.done),
        pages: S::pages(&query),
        columns: S::columns(t),
        rows: S::rows(t, &state, records),
        empty: S::empty(t),
        chrome,
    }
    .render(&lang))
}

pub async fn new_form<S: Screen>(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(query): Query<S::Query>,
) -> Response {
    render::<S>(&state, &lang, &me, &S::blank(&query), None, &[])
}

pub async fn edit_form<S: Screen>(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(raw): Path<String>,
) -> AppResult<Response> {
    let key = S::key(&raw).ok_or(AppError::NotFound)?;
    let record = find::<S>(&state, &key).await?;
    Ok(render::<S>(
        &state,
        &lang,
        &me,
        &S::of(&record),
        Some(&key),
        &[],
    ))
}

pub async fn create<S: Screen>(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> Response {
    detached(save::<S>(state, lang, me, None, fields)).await
}

pub async fn update<S: Screen>(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Path(raw): Path<String>,
    fields: Fields,
) -> Response {
    detached(save::<S>(state, lang, me, Some(raw), fields)).await
}

/// The record `key` names; 404 when there is none.
async fn find<S: Screen>(state: &AppState, key: &Key<S>) -> AppResult<S::Record> {
    let mut conn = state.pool.get().await?;
    <S::Record as Record>::find(&mut conn, key)
        .await?
        .ok_or(AppError::NotFound)
}

/// A posted form: a new record when `raw_key` is `None`, else the record it names.
async fn save<S: Screen>(
    state: SharedState,
    lang: RequestLang,
    me: StaffUser,
    raw_key: Option<String>,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&me, fields.get("csrf"))?;
    let key = match raw_key {
        Some(raw) => Some(S::key(&raw).ok_or(AppError::NotFound)?),
        None => None,
    };
    let existing = match &key {
        Some(key) => Some(find::<S>(&state, key).await?),
        None => None,
    };
    let form = S::read(&fields, &state, existing.as_ref());
    let back =
        |problems: &[Problem]| render::<S>(&state, &lang, &me, &form, key.as_ref(), problems);
    let input = match S::parse(&form, key.is_none()) {
        Ok(input) => input,
        Err(problems) => return Ok(back(&problems)),
    };
    let (result, done) = {
        let mut conn = state.pool.get().await?;
        match &key {
            Some(key) => (
                admin::update::<S::Record>(&mut conn, me.id, key, &input).await,
                "updated",
            ),
            None => (
                admin::create::<S::Record>(&mut conn, me.id, &input)
                    .await
                    .map(drop),
                "created",
            ),
        }
    };
    finish(&state, result, |()| S::done(&input, done), back).await
}

/// A form page: the screen's inputs with each problem by its input (422 when any).
fn render<S: Screen>(
    state: &AppState,
    lang: &RequestLang,
    me: &StaffUser,
    form: &S::Form,
    key: Option<&Key<S>>,
    problems: &[Problem],
) -> Response {
    let action = match key {
        Some(key) => format!("{}/{key}", S::LIST),
        None => format!("{}/new", S::LIST),
    };
    let chrome = StaffChrome::new(state, lang, me, &action);
    let t = chrome.t;
    let heading = match key {
        Some(_) => format!("{}-edit", S::TITLE),
        None => format!("{}-new", S::TITLE),
    };
    FormPage {
        heading: t.t(&heading),
        intro: S::form_intro(t),
        back: (S::back(key), t.t(S::TITLE)),
        submit: t.t("admin-save"),
        inputs: S::inputs(t, state, form, key),
        errors: Vec::new(),
        extra: key.map(|key| S::extra(t, key)).unwrap_or_default(),
        action,
        chrome,
    }
    .render(lang, problems)
}
