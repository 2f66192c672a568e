//! A stand-in for the queue so the login redirect has a target until the real
//! `/staff/tickets` lands (drop this file and its `merge` then).

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::StaffChrome;
use crate::auth::StaffUser;
use crate::web::SharedState;
use crate::web::i18n::RequestLang;
use crate::web::public::page;

#[derive(Template, WebTemplate)]
#[template(path = "staff/tickets_placeholder.html")]
struct QueuePage {
    chrome: StaffChrome,
}

pub fn router() -> Router<SharedState> {
    Router::new().route("/staff/tickets", get(show))
}

async fn show(State(state): State<SharedState>, lang: RequestLang, user: StaffUser) -> Response {
    page(
        &lang,
        QueuePage {
            chrome: StaffChrome::new(&state, &lang, &user, "/staff/tickets"),
        },
    )
}
