//! `POST /staff/tickets/{code}/email`: staff who handle a PAKN correct the citizen's
//! mistyped email when mail to it failed for good, and that mail goes again to the new
//! address ([`crate::handling::mail_fix::correct_email`]). A refused address comes back
//! on the page (422) with what was typed and the message at the form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::page;
use super::panel::MAIL_FIX;
use super::view::Loaded;
use crate::auth::StaffUser;
use crate::domain::access::Access;
use crate::domain::mail_state::MailState;
use crate::handling::HandlingError;
use crate::handling::mail_fix;
use crate::web::kit::attempt::Attempt;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::ticket::visible_ticket;
use crate::web::kit::{Fields, RequestLang, SharedState, check_csrf, detached};

/// The citizen's address, when some mail to it failed for good (the mail failed, or the
/// server refused the address) and `viewer` may correct it.
pub fn fixable(loaded: &Loaded, viewer: &Access) -> Option<String> {
    let ticket = &loaded.ticket;
    let email = ticket.email.as_deref()?;
    if !viewer.may_act_on(ticket.unit_id) {
        return None;
    }
    let failed = loaded.mails.iter().any(|m| {
        let to_citizen = m.to.iter().chain(&m.cc).any(|a| a == email);
        let refused = m.refused.iter().any(|(a, _)| a == email);
        refused || (to_citizen && matches!(m.state, MailState::Failed { .. }))
    });
    failed.then(|| email.to_string())
}

pub async fn correct(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    fields: Fields,
) -> Response {
    detached(async move { carry_out(&state, &lang, &user, &code, &fields).await }).await
}

async fn carry_out(
    state: &SharedState,
    lang: &RequestLang,
    user: &StaffUser,
    code: &str,
    fields: &Fields,
) -> AppResult<Response> {
    check_csrf(user, fields.get("csrf"))?;
    let ticket = visible_ticket(state, &user.access, code).await?;
    if !user.access.may_act_on(ticket.unit_id) {
        return Err(AppError::Forbidden);
    }
    let typed = fields.get("email");
    let mut conn = state.pool.get().await?;
    let outcome = mail_fix::correct_email(
        &mut conn,
        &user.access,
        ticket.id,
        ticket.unit_id,
        typed,
        Utc::now(),
    )
    .await;
    drop(conn);
    match outcome {
        Ok(done) => {
            if done.requeued > 0 {
                state.mail_wake.notify_one();
            }
            let to = format!(
                "/staff/tickets/{}?done=email_corrected#actions",
                ticket.code
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(HandlingError::Invalid(id)) => {
            let attempt = Attempt {
                action: MAIL_FIX.to_string(),
                error: lang.tr().t(id),
                values: vec![("email".to_string(), typed.to_string())],
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page::render(state, lang, user, code, Some(attempt), status).await
        }
        Err(HandlingError::NotAllowed) => Err(AppError::Forbidden),
        Err(e) => Err(AppError::Internal(anyhow::anyhow!(
            "correcting an email: {e}"
        ))),
    }
}
