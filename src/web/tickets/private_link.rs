//! `POST /staff/tickets/{code}/private-link`: staff who may act on a PAKN revoke the
//! citizen's private link (a leaked mail, a printed receipt left behind). The new link
//! is mailed to the email given at filing; without one, the citizen finds the PAKN
//! again with its code and phone at `/track`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use crate::auth::StaffUser;
use crate::handling::private_link;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::ticket::visible_ticket;
use crate::web::kit::{Fields, SharedState, check_csrf, detached};

pub async fn revoke(
    State(state): State<SharedState>,
    user: StaffUser,
    Path(code): Path<String>,
    fields: Fields,
) -> Response {
    detached(async move { carry_out(&state, &user, &code, &fields).await }).await
}

async fn carry_out(
    state: &SharedState,
    user: &StaffUser,
    code: &str,
    fields: &Fields,
) -> AppResult<Response> {
    check_csrf(user, fields.get("csrf"))?;
    let ticket = visible_ticket(state, &user.access, code).await?;
    if !user.access.may_act_on(ticket.unit_id) {
        return Err(AppError::Forbidden);
    }
    let mut conn = state.pool.get().await?;
    let mailed = private_link::revoke(&mut conn, &state.cfg, ticket.id, user.id, Utc::now())
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("revoking a private link: {e}")))?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    if mailed {
        state.mail_wake.notify_one();
    }
    let to = format!("/staff/tickets/{}?done=private_link#actions", ticket.code);
    Ok(Redirect::to(&to).into_response())
}
