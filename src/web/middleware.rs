//! Middleware for every response: security headers, and one log line per request that
//! names the matched route (never the raw path or query, which may carry personal data
//! or a staff search).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::telemetry::prometheus;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
object-src 'none'";

/// `Strict-Transport-Security` when the site is served over HTTPS (security review,
/// finding 8): a year, subdomains included.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The headers every response gets; `https`: the public URL is HTTPS (then HSTS too).
pub async fn security_headers(https: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A page may ask for less (the private track page sends no referrer at all).
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    res
}

pub async fn log_request(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "(unmatched)".to_string());
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let elapsed = started.elapsed().as_secs_f64();
    let ms = elapsed * 1000.0;
    let method_label = prometheus::method_label(method.as_str());
    metrics::counter!(
        "pakn_http_requests_total",
        "method" => method_label,
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "pakn_http_request_duration_seconds",
        "method" => method_label,
        "route" => route.clone()
    )
    .record(elapsed);
    if status >= 500 {
        tracing::error!(%method, route, status, ms, "request");
    } else if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        tracing::debug!(%method, route, status, ms, "request");
    } else {
        tracing::info!(%method, route, status, ms, "request");
    }
    res
}
