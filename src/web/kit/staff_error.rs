//! A 403 or 404 met by a signed-in staff member keeps the staff chrome (navigation, user,
//! language) and leads back to their work, rather than the bare bilingual card that
//! public visitors get (look review: "a bare 'Không tìm thấy' reads as a broken link").

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::csrf::Rejected;
use super::error::ErrorPageMarker;
use super::{RequestLang, SharedState, StaffChrome};
use crate::auth::StaffUser;
use crate::i18n::Tr;

#[derive(Template, WebTemplate)]
#[template(path = "staff/error.html")]
struct StaffErrorPage {
    chrome: StaffChrome,
    t: Tr,
    forbidden: bool,
    /// Where the staff member's work is: the queue, or their first screen.
    home: &'static str,
}

/// Renders a staff route's 403 or 404 error page again inside the staff chrome when the
/// request carries a valid staff session; anything else passes unchanged.
pub async fn page(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let kept = parts.clone();
    let res = next.run(Request::from_parts(parts, body)).await;
    let status = res.status();
    let is_page = res.extensions().get::<ErrorPageMarker>().is_some()
        && res.extensions().get::<Rejected>().is_none();
    if !is_page || !(status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN) {
        return res;
    }
    let mut parts = kept;
    let Ok(user) = StaffUser::from_request_parts(&mut parts, &state).await else {
        return res;
    };
    // The chosen language, else the account's (the user is already in `parts`).
    let lang = match RequestLang::from_request_parts(&mut parts, &state).await {
        Ok(lang) => lang,
        Err(never) => match never {},
    };
    let chrome = StaffChrome::new(&state, &lang, &user, parts.uri.path());
    let home = if user.access.reads_tickets() {
        "/staff/tickets"
    } else {
        "/staff"
    };
    let t = chrome.t;
    let page = StaffErrorPage {
        chrome,
        t,
        forbidden: status == StatusCode::FORBIDDEN,
        home,
    };
    (status, page).into_response()
}
