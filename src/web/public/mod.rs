//! The public site: home, the filing form, the directory of receiving contacts, the
//! privacy notice, health. The citizen's own pages live in `web::track`.

pub mod directory;
pub mod feedback;
mod home;
pub mod privacy;

use axum::Router;
use axum::routing::{get, post};

use crate::web::kit::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/", get(home::show))
        .route("/feedback/new", get(feedback::new_form))
        .route(
            "/feedback",
            post(feedback::submit).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/directory", get(directory::show))
        .route("/privacy", get(privacy::show).post(privacy::submit))
        .route("/healthz", get(home::healthz))
}
