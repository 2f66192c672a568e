//! For operators: `GET /metrics` in the Prometheus text format. On the main listener it
//! needs `Authorization: Bearer <[metrics] token>` (and is a 404 without a token set);
//! on the separate `[metrics] listen` address, meant for the monitoring network only,
//! it is open.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use subtle::ConstantTimeEq;

use crate::db::queue::{self, DueDates};
use crate::domain::calendar::local_date;
use crate::telemetry::prometheus;
use crate::web::kit::counts::Lookup;
use crate::web::kit::error::AppError;
use crate::web::kit::{AppState, SharedState};

/// How long a sampling waits for a database connection for the outbox figures.
const DB_WAIT: Duration = Duration::from_millis(500);
/// How often the figures read from the database are sampled (a scrape reads none, so
/// that it answers in a few milliseconds whatever the database is doing).
pub const SAMPLE_EVERY: Duration = Duration::from_secs(5);

pub fn router() -> Router<SharedState> {
    Router::new().route("/metrics", get(with_token))
}

/// The separate metrics listener's whole application.
pub fn standalone(state: SharedState) -> Router {
    Router::new().route("/metrics", get(open)).with_state(state)
}

async fn with_token(State(state): State<SharedState>, headers: HeaderMap) -> Response {
    let token = state.cfg.metrics.token.trim();
    if token.is_empty() {
        return AppError::NotFound.into_response();
    }
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(given.as_bytes().ct_eq(token.as_bytes())) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a bearer token is needed\n",
        )
            .into_response();
    }
    render(&state).await
}

async fn open(State(state): State<SharedState>) -> Response {
    render(&state).await
}

async fn render(state: &AppState) -> Response {
    let Some(handle) = &state.metrics else {
        return AppError::NotFound.into_response();
    };
    pool_gauges(state);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        prometheus::render(handle),
    )
        .into_response()
}

/// Open PAKN past their reply deadline, all units (kept as long as the queue keeps its
/// counts: it walks the open tickets' due-date index).
async fn overdue(state: &AppState, conn: &mut diesel_async::AsyncPgConnection) {
    let today = local_date(chrono::Utc::now());
    let key = (None, today, today);
    let n = match state.counts.due.lookup(&key) {
        Lookup::Use(counted) => counted.value.0,
        Lookup::Count => {
            let dates = DueDates {
                today,
                soon_until: today,
                publication_late_before: chrono::Utc::now(),
            };
            match queue::due_counts(conn, None, dates).await {
                Ok(counts) => state.counts.due.put(key, counts).value.0,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: counting overdue PAKN");
                    return;
                }
            }
        }
    };
    metrics::gauge!("pakn_tickets_overdue").set(n as f64);
}

/// The pool's gauges, read at scrape time (from memory).
fn pool_gauges(state: &AppState) {
    let pool = state.pool.status();
    let in_use = pool.size.saturating_sub(pool.available);
    metrics::gauge!("pakn_db_pool_connections", "state" => "in_use").set(in_use as f64);
    metrics::gauge!("pakn_db_pool_connections", "state" => "idle").set(pool.available as f64);
    metrics::gauge!("pakn_db_pool_connections", "state" => "waiting").set(pool.waiting as f64);
    metrics::gauge!("pakn_db_pool_max").set(pool.max_size as f64);
}

/// Samples the gauges read from the database every [`SAMPLE_EVERY`], from start-up
/// (when `[metrics]` is set), or less often when sampling is slow ([`next_sample_in`]).
pub fn spawn_sampler(state: SharedState) {
    if state.metrics.is_none() {
        return;
    }
    tokio::spawn(async move {
        loop {
            let started = tokio::time::Instant::now();
            read_gauges(&state).await;
            tokio::time::sleep_until(started + next_sample_in(started.elapsed())).await;
        }
    });
}

/// The wait from one sample's start to the next: [`SAMPLE_EVERY`], or 50 times what the
/// sample took when that is longer, so that sampling never takes more than 2 % of a
/// database connection's time. Counting a queue costs as much as the queue is long: with
/// mail piling up (the SMTP server down for hours, or no worker running, as in the
/// filing benchmarks), the count of a few hundred thousand pending mails took 0.9 s of
/// Postgres CPU every 5 s, a fifth of a CPU (bench/results.md, issue 20).
fn next_sample_in(took: Duration) -> Duration {
    SAMPLE_EVERY.max(took.saturating_mul(50))
}

/// The gauges read from the database: overdue PAKN and the outbox (skipped, with their
/// last values kept, when the database does not answer in time).
async fn read_gauges(state: &AppState) {
    pool_gauges(state);
    let Ok(Ok(mut conn)) = tokio::time::timeout(DB_WAIT, state.pool.get()).await else {
        return;
    };
    overdue(state, &mut conn).await;
    match crate::mail::outbox::status(&mut conn).await {
        Ok(s) => {
            metrics::gauge!("pakn_outbox_pending").set(s.pending as f64);
            metrics::gauge!("pakn_outbox_failed").set(s.failed as f64);
            metrics::gauge!("pakn_outbox_oldest_pending_seconds")
                .set(s.oldest_pending_age_secs.unwrap_or(0) as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: reading the outbox"),
    }
}

#[cfg(test)]
mod tests {
    use super::{Duration, SAMPLE_EVERY, next_sample_in};

    #[test]
    fn a_slow_sample_spaces_the_next_ones() {
        assert_eq!(next_sample_in(Duration::from_millis(3)), SAMPLE_EVERY);
        assert_eq!(next_sample_in(Duration::from_millis(100)), SAMPLE_EVERY);
        assert_eq!(
            next_sample_in(Duration::from_millis(900)),
            Duration::from_secs(45)
        );
    }
}
