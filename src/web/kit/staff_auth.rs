//! The staff extractors: [`StaffUser`] (signed in, reloaded from Postgres on every
//! request so a deactivated user is out at once), [`AdminUser`], and the check of the
//! session's anti-forgery token that every staff POST makes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::auth::StaffUser;
use crate::auth::session;
use crate::auth::session_store::{LOADED_USER_KEY, LoadedUser};
use crate::db::users;
use crate::web::kit::SharedState;
use crate::web::kit::error::AppError;

pub const LOGIN_PATH: &str = "/staff/login";

/// Why a staff extractor refused.
#[derive(Debug)]
pub enum StaffRejection {
    /// Nobody is signed in (or the session ended): 303 to the login page.
    Login,
    Error(AppError),
}

impl From<AppError> for StaffRejection {
    fn from(e: AppError) -> Self {
        StaffRejection::Error(e)
    }
}

impl IntoResponse for StaffRejection {
    fn into_response(self) -> Response {
        match self {
            StaffRejection::Login => {
                let mut res = Redirect::to(LOGIN_PATH).into_response();
                res.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                res
            }
            StaffRejection::Error(e) => e.into_response(),
        }
    }
}

pub fn session_error(e: tower_sessions::session::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("staff session: {e}"))
}

/// The session of a staff route (the session layer is on every `/staff` route).
pub fn session_of(parts: &Parts) -> Result<Session, AppError> {
    parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer on this route")))
}

/// When the session's idle timeout was last renewed (unix seconds).
const RENEWED_AT_KEY: &str = "renewed_at";

impl FromRequestParts<SharedState> for StaffUser {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<StaffUser>() {
            return Ok(user.clone());
        }
        let session = session_of(parts)?;
        let Some(info) = session::info(&session).await.map_err(session_error)? else {
            return Err(StaffRejection::Login);
        };
        let now = chrono::Utc::now().timestamp();
        if session::past_absolute_timeout(
            info.login_at,
            now,
            state.cfg.server.session_absolute_secs,
        ) {
            session::end(&session).await.map_err(session_error)?;
            return Err(StaffRejection::Login);
        }
        // The account as the session's load read it (active, in the same statement);
        // read here only if that did not happen.
        let loaded: Option<LoadedUser> = session
            .get(LOADED_USER_KEY)
            .await
            .map_err(session_error)?
            .filter(|u: &LoadedUser| u.id == info.user_id);
        let user = match loaded {
            Some(loaded) => StaffUser::from_loaded(loaded, info.csrf),
            None => {
                let mut conn = state.pool.get().await.map_err(AppError::from)?;
                let row = users::find_active(&mut conn, info.user_id)
                    .await
                    .map_err(AppError::from)?;
                drop(conn);
                let Some(row) = row else {
                    session::end(&session).await.map_err(session_error)?;
                    return Err(StaffRejection::Login);
                };
                StaffUser::from_row(row, info.csrf)
            }
        };
        // A session that did not pass a second factor its roles now require (the
        // configuration changed, or a role was granted) ends: the next login asks for it.
        if !info.second_factor && state.cfg.auth.requires_second_factor(&user.access.roles) {
            session::end(&session).await.map_err(session_error)?;
            return Err(StaffRejection::Login);
        }
        // Renews the idle timeout (the session is saved with a new expiry), at most once
        // per quarter of the idle timeout and per minute: a save is a committed write, and
        // one per page view cost the queue a fifth of its throughput at 1M tickets.
        let every = (state.cfg.server.session_idle_secs / 4).min(60);
        let renewed: i64 = session
            .get(RENEWED_AT_KEY)
            .await
            .map_err(session_error)?
            .unwrap_or(info.login_at);
        if now - renewed >= every {
            session
                .insert(RENEWED_AT_KEY, now)
                .await
                .map_err(session_error)?;
        }
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// A signed-in admin; anyone else signed in gets 403.
#[derive(Debug, Clone)]
pub struct AdminUser(pub StaffUser);

impl FromRequestParts<SharedState> for AdminUser {
    type Rejection = StaffRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let user = StaffUser::from_request_parts(parts, state).await?;
        if !user.access.administers() {
            return Err(StaffRejection::Error(AppError::Forbidden));
        }
        Ok(AdminUser(user))
    }
}

/// Checks the `csrf` field of a staff form against the session's token (constant
/// time). Call it first in every staff POST handler: `check_csrf(&user, fields.get("csrf"))?`.
pub fn check_csrf(user: &StaffUser, submitted: &str) -> Result<(), AppError> {
    if session::tokens_match(&user.csrf, submitted) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}
