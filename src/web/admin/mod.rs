//! The admin screens under `/staff/admin` (admins only): units, contacts, lĩnh vực,
//! content categories, routing rules, reason templates, the working-day calendar, the
//! search's abbreviations and synonyms, and the mail in trouble (`/staff/admin/mail`),
//! the API clients (`/staff/admin/api-clients`).
//! One file per screen says what is its own (a [`screen::Screen`]: its key, list columns
//! and form); [`screen`] carries the list, the forms and their posts for all of them; the
//! list and form pages are described as data ([`view`]); the edits live in
//! [`crate::db::admin`], each in one transaction with its audit row and a bump of the
//! reference version, so every instance reloads within seconds (this one at once, after
//! the commit). Users are edited under `/staff/users`.
//!
//! Every handler takes [`AdminUser`]; every POST checks the session's anti-forgery token
//! first and runs to its end in a spawned task, so a client that goes away never leaves
//! an edit half done. Moving a routing rule and removing a calendar day are their
//! screens' own posts.

mod api_clients;
mod calendar;
mod categories;
mod contacts;
mod fields;
mod index;
mod mail;
mod reasons;
mod reply_templates;
mod rules;
pub mod screen;
mod synonyms;
mod units;
mod webhooks;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::db::admin::{EditError, EditResult, Problem};
use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::SharedState;
use crate::web::kit::error::{AppError, AppResult};

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/staff/admin", get(index::show))
        .merge(screen::routes::<units::UnitsScreen>())
        .merge(screen::routes::<contacts::ContactsScreen>())
        .merge(screen::routes::<fields::FieldsScreen>())
        .merge(screen::routes::<categories::CategoriesScreen>())
        .merge(screen::routes::<rules::RulesScreen>())
        .route("/staff/admin/rules/{id}/move", post(rules::move_rule))
        .merge(screen::routes::<reasons::ReasonsScreen>())
        .merge(screen::routes::<reply_templates::ReplyTemplatesScreen>())
        .merge(screen::routes::<calendar::CalendarScreen>())
        .route("/staff/admin/calendar/{day}/delete", post(calendar::delete))
        .merge(screen::routes::<synonyms::SynonymsScreen>())
        .route("/staff/admin/synonyms/{id}/delete", post(synonyms::delete))
        .route(
            "/staff/admin/calendar/propose",
            post(calendar::add_proposal),
        )
        .route("/staff/admin/mail", get(mail::show))
        .route(
            "/staff/admin/api-clients",
            get(api_clients::show).post(api_clients::add),
        )
        .route(
            "/staff/admin/api-clients/{id}/enabled",
            post(api_clients::set_enabled),
        )
        .route(
            "/staff/admin/webhooks",
            get(webhooks::show).post(webhooks::add),
        )
        .route("/staff/admin/webhooks/{id}", get(webhooks::log))
        .route(
            "/staff/admin/webhooks/{id}/enabled",
            post(webhooks::set_enabled),
        )
        .route(
            "/staff/admin/webhooks/{id}/replay/{delivery}",
            post(webhooks::replay),
        )
        .route("/staff/admin/mail/retry-failed", post(mail::retry_failed))
        .route("/staff/admin/mail/{id}/retry", post(mail::retry_one))
}

/// A one-click switch on an admin list (revoke or enable an API client, switch a webhook
/// off or on): checks the form's anti-forgery token, asks `set` for the state the form
/// wants (`enabled` = `1` or `0`) as admin `by`, and goes back to `back`; a 404 when
/// `set` finds nothing.
pub(crate) async fn switch<F>(
    state: SharedState,
    me: crate::auth::StaffUser,
    fields: crate::web::kit::Fields,
    back: String,
    set: F,
) -> Response
where
    F: for<'c> FnOnce(
            &'c mut diesel_async::AsyncPgConnection,
            bool,
            i32,
        ) -> futures_util::future::BoxFuture<'c, diesel::QueryResult<bool>>
        + Send
        + 'static,
{
    crate::web::kit::detached(async move {
        crate::web::kit::check_csrf(&me, fields.get("csrf"))?;
        let enabled = fields.get("enabled") == "1";
        let found = {
            let mut conn = state.pool.get().await?;
            set(&mut conn, enabled, me.id).await?
        };
        if !found {
            return Err(AppError::NotFound);
        }
        Ok(Redirect::to(&back).into_response())
    })
    .await
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

/// The code of a posted form: the record's own when it exists (codes never change), else
/// as typed.
pub(crate) fn code(fields: &crate::web::kit::Fields, existing: Option<&str>) -> String {
    match existing {
        Some(code) => code.to_string(),
        None => fields.get("code").trim().to_string(),
    }
}

/// A checkbox is on for any non-empty value.
pub(crate) fn on(fields: &crate::web::kit::Fields, name: &str) -> bool {
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
