//! The HTTP layer: one `router()` per feature area, merged here with the middleware that
//! every response gets (security headers, request logging by matched route, limits).

pub mod admin;
pub mod assets;
pub mod attempt;
pub mod client_ip;
pub mod csrf;
pub mod error;
pub mod event_details;
pub mod i18n;
pub mod middleware;
pub mod public;
pub mod publication;
pub mod rate_limit;
pub mod staff;
pub mod tickets;
pub mod track;
pub mod upload;
pub mod visits;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::sync::{Notify, Semaphore};

use crate::config::{Cidr, Config};
use crate::db::Pool;
use crate::domain::form_token::FormTokenKey;
use crate::reference::ReferenceCache;

/// What every handler can reach.
pub struct AppState {
    pub cfg: Arc<Config>,
    pub pool: Pool,
    pub reference: Arc<ReferenceCache>,
    /// Signs and checks the stateless tokens of public forms.
    pub tokens: FormTokenKey,
    /// The shared HMAC secret (rate-limit keys, visitor hashes).
    pub secret: Arc<Vec<u8>>,
    /// Wakes this instance's mail worker right after a commit that queued mail.
    pub mail_wake: Arc<Notify>,
    /// Bounds how many requests parse uploaded files at once.
    pub upload_permits: Arc<Semaphore>,
    pub exempt: Vec<Cidr>,
    pub trusted_proxies: Vec<Cidr>,
    /// This instance's visitor counter (page views in memory, flushed in batches).
    pub visits: Arc<visits::Visits>,
    /// The queue's and the overview's counts, kept a few seconds per scope.
    pub counts: tickets::counts::CountsCache,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(
        cfg: Arc<Config>,
        pool: Pool,
        reference: Arc<ReferenceCache>,
        secret: Vec<u8>,
    ) -> AppState {
        AppState {
            tokens: FormTokenKey::new(&secret),
            visits: Arc::new(visits::Visits::new(&secret)),
            secret: Arc::new(secret),
            mail_wake: Arc::new(Notify::new()),
            upload_permits: Arc::new(Semaphore::new(cfg.uploads.concurrency)),
            exempt: cfg.exempt_networks(),
            trusted_proxies: cfg.trusted_proxy_networks(),
            counts: tickets::counts::CountsCache::new(cfg.server.counts_cache_secs),
            cfg,
            pool,
            reference,
        }
    }

    /// The per-route body limit of forms with files: files × size + 1 MiB.
    pub fn upload_body_limit(&self) -> usize {
        self.cfg.uploads.max_files * self.cfg.uploads.max_file_mb * 1024 * 1024 + 1024 * 1024
    }
}

/// The whole application.
pub fn router(state: SharedState) -> Router {
    let max_concurrent = state.cfg.server.max_concurrent_requests;
    let csrf = csrf::layer(&state.cfg);
    Router::new()
        .merge(public::router())
        .merge(track::router())
        .merge(publication::public::router())
        .merge(staff::with_session(staff::router(), &state))
        .merge(assets::router())
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
        .with_state(state)
        .layer(axum::middleware::from_fn(middleware::log_request))
        .layer(tower::limit::ConcurrencyLimitLayer::new(max_concurrent))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
}
