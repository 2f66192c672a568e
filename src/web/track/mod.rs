//! The citizen's side after filing: the private track page `/t/{access_token}` (and its
//! reply files), the lookup by code and contact (`/track`), and "Quên mã PAKN?"
//! (`/track/forgot`). No session, no cookie needed.

pub mod actions;
pub mod forgot;
pub mod lookup;
pub mod page;

use axum::Router;
use axum::routing::{get, post};

use crate::web::kit::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/t/{access_token}", get(page::show))
        .route("/t/{access_token}/files/{id}", get(page::download))
        .route(
            "/t/{access_token}/answer",
            post(actions::answer).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/t/{access_token}/withdraw",
            post(actions::withdraw).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route(
            "/t/{access_token}/rate",
            post(actions::rate).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/track", get(lookup::show).post(lookup::submit))
        .route(forgot::PATH, get(forgot::show).post(forgot::submit))
}
