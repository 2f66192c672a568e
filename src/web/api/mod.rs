//! `/api/v1` for other systems (issue 20, first part): clients with keys
//! (`pakn api-client`), filing a PAKN on a citizen's behalf and following it. Errors are
//! RFC 9457 problem details in Vietnamese and English.

mod caller;
mod doc;
mod pakn;
mod problem;
mod staff;

use axum::Router;
use axum::routing::{get, post};

use crate::web::kit::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route(
            "/api/v1/pakn",
            // Its own limits: a JSON body's, or the form's for files (kit::upload).
            post(pakn::file).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/api/v1/pakn/{code}", get(pakn::status))
        .route("/api/v1/openapi.json", get(doc::json))
        .route("/api/v1/docs", get(doc::docs))
        .route("/api/v1/staff/pakn", get(staff::list))
        .route("/api/v1/staff/pakn/{code}", get(staff::one))
        .route("/api/v1/staff/pakn/{code}/moves", post(staff::moves))
}
