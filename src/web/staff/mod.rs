//! The staff dashboard's own pages under `/staff`: login and logout, one's own account
//! (with the digest switches, and the digests' one-click unsubscribe link at
//! `/digests/unsubscribe/{token}`), user administration. The session layer, the staff extractors and the staff chrome
//! that every staff area uses are in [`crate::web::kit`].

mod account;
mod login;
mod personal_data;
mod qr;
mod second_factor;
mod second_step;
mod unsubscribe;
mod users;

use axum::Router;
use axum::response::Redirect;
use axum::routing::{get, post};

use crate::web::kit::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/staff", get(|| async { Redirect::to("/staff/tickets") }))
        .route("/staff/login", get(login::form).post(login::submit))
        .route("/staff/logout", post(login::logout))
        .route("/staff/account", get(account::show))
        .route(
            "/staff/account/digests",
            get(account::show).post(account::set_digests),
        )
        .route(
            unsubscribe::PATH,
            get(unsubscribe::show).post(unsubscribe::confirm),
        )
        .route(
            "/staff/account/password",
            get(account::show).post(account::change_password),
        )
        .route(personal_data::PATH, get(personal_data::show))
        .route(
            second_step::CODE_PATH,
            get(second_step::code_form).post(second_step::code_submit),
        )
        .route(
            second_step::ENROL_PATH,
            get(second_step::enrol_form).post(second_step::enrol_submit),
        )
        .route(
            second_factor::PATH,
            get(second_factor::show).post(second_factor::confirm),
        )
        .route(
            "/staff/account/second-factor/recovery",
            post(second_factor::regenerate),
        )
        .route(
            "/staff/account/second-factor/disable",
            post(second_factor::disable),
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
        .route(
            "/staff/users/grants/{id}/approve",
            post(users::approve_grant),
        )
        .route("/staff/users/grants/{id}/reject", post(users::reject_grant))
}
