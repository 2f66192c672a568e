//! A request id for every request: in every log line written while it runs (the
//! `request` span), in the `X-Request-Id` response header and on the error page, so that
//! a citizen's or officer's report of an error leads to its log lines. Taken from the
//! `X-Request-Id` a trusted proxy sets (nginx's `$request_id`), so the proxy's access log
//! and pakn's lines share it; made here otherwise.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use rand::Rng;
use tracing::Instrument;

use crate::config::Cidr;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: Arc<str>;
}

/// The id of the request this task serves, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(|id| id.to_string()).ok()
}

/// An id a proxy may give: 1–64 characters of `[A-Za-z0-9._:-]` (never anything that
/// could break a log line or a header).
pub fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// A fresh id: 16 hexadecimal digits.
pub fn fresh() -> String {
    format!("{:016x}", rand::rng().random::<u64>())
}

/// The id of `req`: the trusted proxy's, or a fresh one.
fn id_of(req: &Request, trusted: &[Cidr]) -> String {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    let given = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| acceptable(id));
    match given {
        Some(id) if trusted.iter().any(|c| c.contains(peer)) => id.to_string(),
        _ => fresh(),
    }
}

/// Runs the request inside its `request` span and task-local id, and names the id in
/// the response.
pub async fn tag(trusted: Arc<[Cidr]>, req: Request, next: Next) -> Response {
    let id = id_of(&req, &trusted);
    let span = tracing::info_span!("request", request_id = %id);
    let shared: Arc<str> = Arc::from(id.as_str());
    let mut res = CURRENT.scope(shared, next.run(req).instrument(span)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_are_taken_from_a_proxy() {
        assert!(acceptable("3f2a9c0d1e4b5a6f7c8d9e0f1a2b3c4d"));
        assert!(acceptable("req-1.2:3_4"));
        for bad in ["", "a b", "x\ny", "<script>", &"a".repeat(65), "é"] {
            assert!(!acceptable(bad), "{bad:?}");
        }
        let id = fresh();
        assert_eq!(id.len(), 16);
        assert!(acceptable(&id));
    }

    #[tokio::test]
    async fn the_current_id_is_seen_inside_its_scope_only() {
        assert_eq!(current(), None);
        let seen = CURRENT.scope(Arc::from("abc"), async { current() }).await;
        assert_eq!(seen.as_deref(), Some("abc"));
    }
}
