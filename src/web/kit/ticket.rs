//! Finding a PAKN for a staff page: by its code in any spelling, and only if the access
//! policy lets this person read it (otherwise 404: its existence is not revealed).

use super::error::{AppError, AppResult};
use super::state::AppState;
use crate::db::tickets::{self, TicketRow};
use crate::domain::access::Access;
use crate::domain::tracking_code::TrackingCode;

/// The ticket of `code` if `access` may read it.
pub async fn visible_ticket(state: &AppState, access: &Access, code: &str) -> AppResult<TicketRow> {
    let code = TrackingCode::parse(code).ok_or(AppError::NotFound)?;
    let mut conn = state.pool.get().await?;
    let ticket = tickets::by_code(&mut conn, code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    if !access.may_read(ticket.unit_id) {
        return Err(AppError::NotFound);
    }
    Ok(ticket)
}
