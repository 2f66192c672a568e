//! What every public page shares: the language, the site name, the language switch and
//! the asset URLs; and the response wrapper that remembers a switched language.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use chrono::{Datelike, NaiveDate, Utc};

use crate::domain::calendar::local_date;
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
    /// The public top navigation, with the entry of this page marked.
    pub nav: Vec<PublicNavLink>,
    /// The place and today's date as paper carries them under the headings
    /// ("An Giang, ngày 05 tháng 12 năm 2026"), for the print-only heading.
    pub printed: String,
}

/// An entry of the public top navigation.
#[derive(Debug, Clone)]
pub struct PublicNavLink {
    pub href: &'static str,
    pub label: String,
    /// This page is (under) the entry: `aria-current="page"`.
    pub current: bool,
}

/// "An Giang, ngày 05 tháng 12 năm 2026" (the form of Vietnamese administrative
/// documents), or the date alone without a place.
pub fn place_and_date(t: &Tr, place: &str, date: NaiveDate) -> String {
    let id = if place.trim().is_empty() {
        "print-date"
    } else {
        "print-place-date"
    };
    t.tn(
        id,
        vec![
            ("place", place.trim().to_string().into()),
            ("day", format!("{:02}", date.day()).into()),
            ("month", format!("{:02}", date.month()).into()),
            ("year", date.year().to_string().into()),
        ],
    )
}

/// The public top navigation: (path, message id).
const PUBLIC_NAV: [(&str, &str); 5] = [
    ("/feedback/new", "citizen-nav-file"),
    ("/track", "citizen-nav-track"),
    ("/answers", "citizen-nav-answers"),
    ("/directory", "citizen-nav-directory"),
    ("/statistics", "citizen-nav-statistics"),
];

/// The public top navigation for the page at `path`. The filing form posts to
/// `/feedback`, and the lookup's pages are below `/track`.
pub fn public_nav(t: &Tr, path: &str) -> Vec<PublicNavLink> {
    PUBLIC_NAV
        .iter()
        .map(|&(href, id)| {
            let section = match href {
                "/feedback/new" => "/feedback",
                other => other,
            };
            PublicNavLink {
                href,
                label: t.t(id),
                current: path == section || path.starts_with(&format!("{section}/")),
            }
        })
        .collect()
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
            nav: public_nav(&t, path),
            printed: place_and_date(&t, &state.cfg.site.place, local_date(Utc::now())),
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
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Cookie"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn current(path: &str) -> Vec<&'static str> {
        public_nav(&Tr::new(Lang::Vi), path)
            .into_iter()
            .filter(|l| l.current)
            .map(|l| l.href)
            .collect()
    }

    #[test]
    fn the_top_navigation_marks_the_section_of_the_page() {
        assert_eq!(current("/feedback/new"), ["/feedback/new"]);
        assert_eq!(current("/feedback"), ["/feedback/new"]);
        assert_eq!(current("/track/forgot"), ["/track"]);
        assert_eq!(current("/answers/abc"), ["/answers"]);
        assert_eq!(current("/directory"), ["/directory"]);
        assert!(current("/").is_empty());
        assert!(current("/trackers").is_empty());
        let labels: Vec<String> = public_nav(&Tr::new(Lang::Vi), "/")
            .into_iter()
            .map(|l| l.label)
            .collect();
        assert_eq!(
            labels,
            [
                "Gửi PAKN",
                "Tra cứu",
                "Kết quả trả lời",
                "Danh bạ",
                "Số liệu"
            ]
        );
    }

    #[test]
    fn paper_carries_the_place_and_date_in_words() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 5).expect("a date");
        let vi = Tr::new(Lang::Vi);
        assert_eq!(
            place_and_date(&vi, "An Giang", d),
            "An Giang, ngày 05 tháng 12 năm 2026"
        );
        assert_eq!(place_and_date(&vi, " ", d), "Ngày 05 tháng 12 năm 2026");
        assert_eq!(
            place_and_date(&Tr::new(Lang::En), "An Giang", d),
            "An Giang, 05/12/2026"
        );
    }
}
