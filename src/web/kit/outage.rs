//! The page of a database outage. A handler's outage answer ([`super::error::Outage`]:
//! 503, `Retry-After`) gets, here, the page that says in Vietnamese and English that
//! the service is briefly unavailable, that what was just sent was not filed, how to get
//! back what was typed, and the hotline (from the reference cache: nothing here needs
//! the database).

use askama::Template;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::SharedState;
use super::error::{OUTAGE_RETRY_AFTER_SECS, Outage, outage_response};
use crate::domain::reference::Reference;

#[derive(Template)]
#[template(path = "outage.html")]
struct OutagePage {
    site_vi: String,
    site_en: String,
    hotlines: Vec<Hotline>,
    minutes: u32,
}

struct Hotline {
    title_vi: String,
    title_en: String,
    /// (as written, for `tel:`).
    phones: Vec<(String, String)>,
}

/// The hotlines to call while the service is down.
fn hotlines(reference: &Reference) -> Vec<Hotline> {
    reference
        .contacts_of("hotline")
        .filter(|c| !c.phones.is_empty())
        .map(|c| Hotline {
            title_vi: c.title_vi.clone(),
            title_en: c.title_en.clone(),
            phones: c
                .phones
                .iter()
                .map(|p| {
                    (
                        p.clone(),
                        p.chars().filter(|c| !c.is_whitespace()).collect(),
                    )
                })
                .collect(),
        })
        .collect()
}

/// The first hotline number, for a notice that names one.
pub fn first_hotline(reference: &Reference) -> Option<String> {
    reference
        .contacts_of("hotline")
        .flat_map(|c| c.phones.iter())
        .next()
        .cloned()
}

/// Middleware: an outage answer gets the outage page (its status and headers kept).
pub async fn page(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    if res.extensions().get::<Outage>().is_none() {
        return res;
    }
    let reference = state.reference.get();
    let page = OutagePage {
        site_vi: state.cfg.site.name_vi.clone(),
        site_en: state.cfg.site.name_en.clone(),
        hotlines: hotlines(&reference),
        minutes: OUTAGE_RETRY_AFTER_SECS.div_ceil(60).max(1),
    };
    let Ok(body) = page.render() else {
        return res;
    };
    let (parts, _) = res.into_parts();
    let mut fresh = outage_response(Html(body).into_response());
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            fresh.headers_mut().insert(name, value.clone());
        }
    }
    fresh
}
