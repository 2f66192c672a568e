//! The staff's screens for mail that comes in (issue 16): the PAKN sent by email that
//! wait to be completed (`/staff/intake`, for those who enter PAKN received off-line),
//! and the inbound messages held or failed (`/staff/inbound`, admins and leaders). The
//! use cases are [`crate::handling::intake`] and [`crate::handling::inbound_review`].

mod intake;
mod review;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};

use crate::auth::StaffUser;
use crate::web::kit::error::AppError;
use crate::web::kit::{SharedState, StaffRejection};

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/staff/intake", get(intake::list))
        .route("/staff/intake/{id}", get(intake::show))
        .route("/staff/intake/{id}/accept", post(intake::accept))
        .route("/staff/intake/{id}/spam", post(intake::spam))
        .route("/staff/inbound", get(review::list))
        .route("/staff/inbound/{id}", get(review::show))
        .route("/staff/inbound/{id}/attach", post(review::attach))
        .route("/staff/inbound/{id}/retry", post(review::retry))
        .route("/staff/inbound/{id}/discard", post(review::discard))
}

/// A signed-in staff member who may complete mail waiting to become a PAKN (as
/// `/staff/tickets/new`, anyone else gets 404).
#[derive(Debug, Clone)]
pub struct IntakeUser(pub StaffUser);

impl FromRequestParts<SharedState> for IntakeUser {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let user = StaffUser::from_request_parts(parts, state).await?;
        if !user.access.takes_intake() {
            return Err(StaffRejection::Error(AppError::NotFound));
        }
        Ok(IntakeUser(user))
    }
}

/// A signed-in admin or leader; anyone else signed in gets 403.
#[derive(Debug, Clone)]
pub struct ReviewUser(pub StaffUser);

impl FromRequestParts<SharedState> for ReviewUser {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let user = StaffUser::from_request_parts(parts, state).await?;
        if !user.access.reviews_inbound() {
            return Err(StaffRejection::Error(AppError::Forbidden));
        }
        Ok(ReviewUser(user))
    }
}
