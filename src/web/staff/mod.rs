//! The staff dashboard under `/staff`: login and logout, one's own account, user
//! administration. Only these routes carry a session (cookie `pakn_staff`, path
//! `/staff`), so anonymous public visitors never cost a session write.
//!
//! For other staff handlers: take [`StaffUser`](crate::auth::StaffUser) (or
//! [`AdminUser`]) as an extractor, check roles with its helpers (`can_read_tickets`,
//! `can_act`, `sees_all_units`, `may_see_unit`, `is_admin`), call
//! [`check_csrf`]`(&user, fields.get("csrf"))?` first in every POST, and render pages
//! with a [`StaffChrome`] (`templates/staff/base.html`).

mod account;
mod chrome;
mod extract;
pub mod form;
mod login;
mod users;

pub use chrome::{NavLink, StaffChrome};
pub use extract::{AdminUser, LOGIN_PATH, StaffRejection, check_csrf, session_error};
pub use form::Fields;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Redirect;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::{AppState, SharedState};
use crate::auth::session_store::PgSessionStore;

/// The staff session cookie.
pub const COOKIE_NAME: &str = "pakn_staff";

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/staff", get(|| async { Redirect::to("/staff/tickets") }))
        .route("/staff/login", get(login::form).post(login::submit))
        .route("/staff/logout", post(login::logout))
        .route("/staff/account", get(account::show))
        .route(
            "/staff/account/password",
            get(account::show).post(account::change_password),
        )
        .route("/staff/users", get(users::list))
        .route("/staff/users/new", get(users::new_form).post(users::create))
        .route(
            "/staff/users/{id}",
            get(users::edit_form).post(users::update),
        )
        .route("/staff/users/{id}/deactivate", post(users::deactivate))
        .route("/staff/users/{id}/activate", post(users::activate))
        .route(
            "/staff/users/{id}/reset-password",
            post(users::reset_password),
        )
        .merge(crate::web::tickets::router())
        .merge(crate::web::admin::router())
        .merge(crate::web::publication::staff::router())
}

/// Puts the session layer and `Cache-Control: no-store` on the staff routes.
pub fn with_session(router: Router<SharedState>, state: &AppState) -> Router<SharedState> {
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(session_layer(state))
}

/// Sessions in Postgres; `Secure` exactly when served over https; SameSite=Lax so that
/// a link in a notification mail opens the dashboard signed in (Strict would drop the
/// cookie on that first cross-site navigation); the idle timeout as the expiry, renewed
/// by every signed-in request (the `StaffUser` extractor marks the session modified).
/// Not `always_save`: that would save (and create) a session for any request carrying a
/// stale cookie, even on the login page.
pub fn session_layer(state: &AppState) -> SessionManagerLayer<PgSessionStore> {
    SessionManagerLayer::new(PgSessionStore::new(state.pool.clone()))
        .with_name(COOKIE_NAME)
        .with_secure(state.cfg.secure_cookies())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/staff")
        .with_expiry(Expiry::OnInactivity(Duration::seconds(
            state.cfg.server.session_idle_secs.max(1),
        )))
}
