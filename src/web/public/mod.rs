//! The public site: home, the filing form, the citizen's private page, health.

mod chrome;
pub mod feedback;
mod home;
mod receipt;

pub use chrome::{Chrome, page};

use axum::Router;
use axum::routing::{get, post};

use super::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/", get(home::show))
        .route("/feedback/new", get(feedback::new_form))
        .route(
            "/feedback",
            post(feedback::submit).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/t/{access_token}", get(receipt::show))
        .route("/healthz", get(home::healthz))
}
