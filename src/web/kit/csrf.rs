//! Cross-site request forgery: tower-http's `CsrfLayer` (the `Sec-Fetch-Site` / `Origin`
//! check) on every state-changing request, plus the per-session token of staff forms
//! (`web::staff::check_csrf`). Either rejection is answered with one localised page
//! (403), rendered here where the request's language is known.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::csrf::{CsrfLayer, ProtectionError};

use super::Chrome;
use super::RequestLang;
use super::SharedState;
use crate::config::Config;

/// Marks a response as a rejected staff form token (set by `AppError::Csrf`).
#[derive(Debug, Clone, Copy)]
pub struct Rejected;

#[derive(Template, WebTemplate)]
#[template(path = "csrf_rejected.html")]
struct RejectedPage {
    chrome: Chrome,
}

/// The origin check, trusting the configured public origin besides the request's own
/// host (a proxy that rewrites `Host` still lets the site's own forms through).
pub fn layer(cfg: &Config) -> CsrfLayer {
    let origin = url::Url::parse(&cfg.server.public_url)
        .ok()
        .map(|u| u.origin().ascii_serialization());
    match origin {
        Some(origin) => CsrfLayer::new()
            .add_trusted_origin(&origin)
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "server.public_url is not a usable origin");
                CsrfLayer::new()
            }),
        None => CsrfLayer::new(),
    }
}

/// Replaces both kinds of rejection with the localised page.
pub async fn rejection_page(
    State(state): State<SharedState>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let lang = RequestLang::from_parts(&parts);
    let res = next.run(Request::from_parts(parts, body)).await;
    let cross_origin = res.extensions().get::<ProtectionError>().map(|e| e.kind());
    let bad_token = res.extensions().get::<Rejected>().is_some();
    if cross_origin.is_none() && !bad_token {
        return res;
    }
    match cross_origin {
        Some(kind) => tracing::info!(?kind, "cross-site request refused"),
        None => tracing::info!("staff form without a valid session token refused"),
    }
    let page = RejectedPage {
        chrome: Chrome::new(&state, &lang, "/"),
    };
    let mut res = (StatusCode::FORBIDDEN, page).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
