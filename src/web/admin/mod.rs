//! The admin screens under `/staff/admin` (admins only): units, contacts, lĩnh vực,
//! content categories, routing rules, reason templates and the working-day calendar.
//! One file per screen; the list and form pages are described as data ([`view`]); the
//! edits live in [`crate::db::admin`], each in one transaction with its audit row and a
//! bump of the reference version, so every instance reloads within seconds (this one at
//! once, after the commit). Users are edited under `/staff/users`.
//!
//! Every handler takes [`AdminUser`]; every POST checks the session's anti-forgery token
//! first and runs to its end in a spawned task, so a client that goes away never leaves
//! an edit half done.

mod calendar;
mod categories;
mod contacts;
mod fields;
mod index;
mod reasons;
mod rules;
mod units;
pub mod view;

use std::future::Future;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::SharedState;
use crate::db::admin::{EditError, EditResult, Problem};
use crate::web::AppState;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::Tr;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/staff/admin", get(index::show))
        .route("/staff/admin/units", get(units::list))
        .route(
            "/staff/admin/units/new",
            get(units::new_form).post(units::create),
        )
        .route(
            "/staff/admin/units/{id}",
            get(units::edit_form).post(units::update),
        )
        .route("/staff/admin/contacts", get(contacts::list))
        .route(
            "/staff/admin/contacts/new",
            get(contacts::new_form).post(contacts::create),
        )
        .route(
            "/staff/admin/contacts/{id}",
            get(contacts::edit_form).post(contacts::update),
        )
        .route("/staff/admin/fields", get(fields::list))
        .route(
            "/staff/admin/fields/new",
            get(fields::new_form).post(fields::create),
        )
        .route(
            "/staff/admin/fields/{code}",
            get(fields::edit_form).post(fields::update),
        )
        .route("/staff/admin/categories", get(categories::list))
        .route(
            "/staff/admin/categories/new",
            get(categories::new_form).post(categories::create),
        )
        .route(
            "/staff/admin/categories/{code}",
            get(categories::edit_form).post(categories::update),
        )
        .route("/staff/admin/rules", get(rules::list))
        .route(
            "/staff/admin/rules/new",
            get(rules::new_form).post(rules::create),
        )
        .route(
            "/staff/admin/rules/{id}",
            get(rules::edit_form).post(rules::update),
        )
        .route("/staff/admin/rules/{id}/move", post(rules::move_rule))
        .route("/staff/admin/reasons", get(reasons::list))
        .route(
            "/staff/admin/reasons/new",
            get(reasons::new_form).post(reasons::create),
        )
        .route(
            "/staff/admin/reasons/{id}",
            get(reasons::edit_form).post(reasons::update),
        )
        .route("/staff/admin/calendar", get(calendar::list))
        .route(
            "/staff/admin/calendar/new",
            get(calendar::new_form).post(calendar::create),
        )
        .route(
            "/staff/admin/calendar/{day}",
            get(calendar::edit_form).post(calendar::update),
        )
        .route("/staff/admin/calendar/{day}/delete", post(calendar::delete))
}

/// Runs a write handler's work to its end even if the client goes away.
pub(crate) async fn spawned<F>(work: F) -> Response
where
    F: Future<Output = AppResult<Response>> + Send + 'static,
{
    match tokio::spawn(work).await {
        Ok(Ok(res)) => res,
        Ok(Err(e)) => e.into_response(),
        Err(e) => {
            AppError::Internal(anyhow::anyhow!("admin edit task failed: {e}")).into_response()
        }
    }
}

/// Reloads this instance's reference cache at once after an edit (the others notice
/// the bumped version within `app::REFERENCE_REFRESH`).
pub(crate) async fn reload(state: &AppState) {
    let result = async {
        let mut conn = state.pool.get().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        state.reference.refresh_if_changed(&mut conn).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %format!("{e:#}"), "reference reload after an edit failed");
    }
}

/// Where an edit leads: to `ok`'s address (303) when done, back to the form when a rule
/// refused it, 404 when the record is gone.
pub(crate) async fn finish<T>(
    state: &AppState,
    result: EditResult<T>,
    ok: impl FnOnce(T) -> String,
    back: impl FnOnce(&[Problem]) -> Response,
) -> AppResult<Response> {
    match result {
        Ok(v) => {
            reload(state).await;
            Ok(Redirect::to(&ok(v)).into_response())
        }
        Err(EditError::Invalid(problems)) => Ok(back(&problems)),
        Err(EditError::NotFound) => Err(AppError::NotFound),
        Err(EditError::Db(e)) => Err(e.into()),
    }
}

/// `?done=` after a redirect.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// The notice shown after an edit.
pub(crate) fn notice(t: Tr, done: &Option<String>) -> Option<String> {
    let id = match done.as_deref()? {
        "created" => "admin-done-created",
        "updated" => "admin-done-updated",
        "deleted" => "admin-done-deleted",
        "moved" => "admin-done-moved",
        _ => return None,
    };
    Some(t.t(id))
}

/// A checkbox is on for any non-empty value.
pub(crate) fn on(fields: &crate::web::staff::Fields, name: &str) -> bool {
    !fields.get(name).is_empty()
}

/// The active/inactive and other marks of a list row.
pub(crate) fn flags(t: Tr, marks: &[(bool, &str)]) -> Vec<String> {
    marks
        .iter()
        .filter(|(shown, _)| *shown)
        .map(|(_, id)| t.t(id))
        .collect()
}
