//! What every public page shares: the language, the site name, the language switch and
//! the asset URLs; and the response wrapper that remembers a switched language.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::i18n::Tr;
use crate::web::kit::AppState;
use crate::web::kit::RequestLang;
use crate::web::kit::assets;

#[derive(Debug, Clone)]
pub struct Chrome {
    pub t: Tr,
    pub site_name: String,
    /// The link that shows this page in the other language.
    pub switch_href: String,
    pub switch_label: String,
    pub css: String,
    pub js: String,
    pub emblem: String,
}

impl Chrome {
    pub fn new(state: &AppState, lang: &RequestLang, path: &str) -> Chrome {
        let t = lang.tr();
        let other = lang.lang.other();
        Chrome {
            t,
            site_name: t
                .pick(&state.cfg.site.name_vi, &state.cfg.site.name_en)
                .to_string(),
            switch_href: format!("{path}?lang={}", other.code()),
            switch_label: Tr::new(other).t("lang-name"),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            emblem: assets::url("emblem.svg"),
        }
    }
}

/// Renders a page that no cache may keep (a form with a one-time token, or what the
/// person typed), like [`page`].
pub fn page_no_store(status: StatusCode, lang: &RequestLang, body: impl IntoResponse) -> Response {
    let mut res = page(lang, (status, body));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Renders a page, remembering a language chosen with `?lang=` in a cookie.
pub fn page(lang: &RequestLang, body: impl IntoResponse) -> Response {
    let mut res = body.into_response();
    if let Some(cookie) = lang.set_cookie()
        && let Ok(v) = HeaderValue::from_str(&cookie)
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res.headers_mut().insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    res
}
