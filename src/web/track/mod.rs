//! The citizen's side after filing: the private track page `/t/{access_token}` (and its
//! reply files), the lookup by code and contact (`/track`), and "Quên mã PAKN?"
//! (`/track/forgot`). No session, no cookie needed.

pub mod actions;
pub mod forgot;
pub mod lookup;
pub mod outcome;
pub mod page;
pub mod relink;

use axum::Router;
use axum::routing::get;

use crate::domain::workflow::CitizenAction;
use crate::web::kit::SharedState;

pub fn router() -> Router<SharedState> {
    let pages = Router::new()
        .route("/t/{access_token}", get(page::show))
        .route("/t/{access_token}/files/{id}", get(page::download))
        .route(
            &format!("/t/{{access_token}}/{}", page::RENEW_ACTION),
            axum::routing::post(relink::renew),
        )
        .route("/track", get(lookup::show).post(lookup::submit))
        .route(forgot::PATH, get(forgot::show).post(forgot::submit));
    // One form per citizen action, each posted below the private link.
    CitizenAction::ALL.iter().fold(pages, |router, &action| {
        router.route(
            &format!("/t/{{access_token}}/{action}"),
            actions::route(action),
        )
    })
}
