//! The staff session: only `/staff` routes carry one (cookie `pakn_staff`, path
//! `/staff`), so anonymous public visitors never cost a session write.

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time::Duration;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::state::{AppState, SharedState};
use crate::auth::session_store::PgSessionStore;

/// The staff session cookie.
pub const COOKIE_NAME: &str = "pakn_staff";

/// Puts the session layer, `Cache-Control: no-store` and the staff error page on the
/// staff routes.
pub fn with_session(router: Router<SharedState>, state: &SharedState) -> Router<SharedState> {
    router
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::clone(state),
            super::staff_error::page,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(session_layer(state))
}

/// Sessions in Postgres; `Secure` exactly when served over https; SameSite=Lax so that
/// a link in a notification mail opens the dashboard signed in (Strict would drop the
/// cookie on that first cross-site navigation); the idle timeout as the expiry, renewed
/// by every signed-in request (the `StaffUser` extractor marks the session modified).
/// Not `always_save`: that would save (and create) a session for any request carrying a
/// stale cookie, even on the login page.
pub fn session_layer(state: &AppState) -> SessionManagerLayer<PgSessionStore> {
    SessionManagerLayer::new(PgSessionStore::new(state.pool.clone()))
        .with_name(COOKIE_NAME)
        .with_secure(state.cfg.secure_cookies())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/staff")
        .with_expiry(Expiry::OnInactivity(Duration::seconds(
            state.cfg.server.session_idle_secs.max(1),
        )))
}
