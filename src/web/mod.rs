//! The HTTP layer: one `router()` per feature area (`public`, `track`, `publication`,
//! `staff`, `tickets`, `inbound`, `admin`, `privacy`, `reports`, `api`, `open311`), merged here with the middleware that every response
//! gets (security headers, request logging by matched route, limits). Feature areas never
//! import one another: what they share is in [`kit`].

pub mod admin;
pub mod api;
pub mod inbound;
pub mod kit;
pub mod middleware;
pub mod open311;
pub mod ops;
pub mod privacy;
pub mod public;
pub mod publication;
pub mod reports;
pub mod staff;
pub mod tickets;
pub mod track;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use kit::{AppState, SharedState};
use kit::{assets, csrf, error, outage, session, visits};

/// The whole application.
pub fn router(state: SharedState) -> Router {
    let max_concurrent = state.cfg.server.max_concurrent_requests;
    let csrf = csrf::layer(&state.cfg);
    let https = state.cfg.secure_cookies();
    let trusted: Arc<[crate::config::Cidr]> = state.trusted_proxies.clone().into();
    Router::new()
        .merge(public::router())
        .merge(track::router())
        .merge(publication::public::router())
        .merge(reports::public_router())
        .merge(session::with_session(
            Router::new()
                .merge(staff::router())
                .merge(tickets::router())
                .merge(inbound::router())
                .merge(admin::router())
                .merge(publication::staff::router())
                .merge(privacy::router())
                .merge(reports::staff_router()),
            &state,
        ))
        .merge(assets::router())
        .merge(ops::router())
        .merge(api::router())
        .merge(open311::router())
        .fallback(error::not_found)
        .layer(csrf)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            csrf::rejection_page,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            visits::count,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            outage::page,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(middleware::log_request))
        // One limit for the whole instance: `ConcurrencyLimitLayer` would give every
        // route a semaphore of its own (security review, finding 17).
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(
            max_concurrent,
        ))
        .layer(axum::middleware::from_fn(move |req, next| {
            middleware::security_headers(https, req, next)
        }))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        // Outermost: every line logged for the request, and any error page (a panic's
        // included), carries its id.
        .layer(axum::middleware::from_fn(move |req, next| {
            kit::request_id::tag(Arc::clone(&trusted), req, next)
        }))
}
