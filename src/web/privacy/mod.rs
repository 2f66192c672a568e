//! The data-subject requests screen under `/staff/privacy`, for admins and data
//! protection officers (anyone else signed in gets 403): the list of requests with
//! their due dates, and one request's page with what its answer needs (assigning,
//! answering, the export, correction and erasure of the requester's PAKN). The use
//! cases are in [`crate::handling::privacy_requests`].

mod list;
mod request;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};

use crate::auth::StaffUser;
use crate::web::kit::error::AppError;
use crate::web::kit::{SharedState, StaffRejection};

pub const PATH: &str = "/staff/privacy";

pub fn router() -> Router<SharedState> {
    Router::new()
        .route(PATH, get(list::list))
        .route("/staff/privacy/{id}", get(request::show))
        .route("/staff/privacy/{id}/assign", post(request::assign))
        .route("/staff/privacy/{id}/answer", post(request::answer))
        .route("/staff/privacy/{id}/export", post(request::export))
        .route("/staff/privacy/{id}/correct", post(request::correct))
        .route("/staff/privacy/{id}/erase", post(request::erase))
}

/// A signed-in admin or data protection officer; anyone else signed in gets 403.
#[derive(Debug, Clone)]
pub struct PrivacyUser(pub StaffUser);

impl FromRequestParts<SharedState> for PrivacyUser {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let user = StaffUser::from_request_parts(parts, state).await?;
        if !user.access.handles_privacy_requests() {
            return Err(StaffRejection::Error(AppError::Forbidden));
        }
        Ok(PrivacyUser(user))
    }
}
