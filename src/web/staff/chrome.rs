//! What every staff page shares: the language, the site name, the signed-in user, the
//! session's anti-forgery token for forms, and the navigation its roles allow.

use crate::auth::StaffUser;
use crate::web::AppState;
use crate::web::assets;
use crate::web::i18n::{RequestLang, Tr};

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

#[derive(Debug, Clone)]
pub struct StaffChrome {
    pub t: Tr,
    pub site_name: String,
    pub switch_href: String,
    pub switch_label: String,
    pub css: String,
    pub js: String,
    pub emblem: String,
    /// The signed-in user's name; empty on the login page.
    pub user_name: String,
    /// The user's roles, labelled and joined.
    pub roles: String,
    /// The session's anti-forgery token: put it in every staff form as
    /// `<input type="hidden" name="csrf" value="{{ chrome.csrf }}">`.
    pub csrf: String,
    pub nav: Vec<NavLink>,
}

impl StaffChrome {
    /// The chrome of a page for a signed-in user; `path` is the page's path (for the
    /// language switch and the current navigation entry).
    pub fn new(state: &AppState, lang: &RequestLang, user: &StaffUser, path: &str) -> StaffChrome {
        let mut chrome = StaffChrome::anonymous(state, lang, path);
        let t = chrome.t;
        chrome.user_name = user.name.clone();
        chrome.roles = user
            .roles
            .iter()
            .map(|r| t.t(r.label_id()))
            .collect::<Vec<_>>()
            .join(", ");
        chrome.csrf = user.csrf.clone();
        let mut nav: Vec<(&'static str, &str)> = Vec::new();
        if user.can_read_tickets() {
            nav.push(("/staff/tickets", "staff-nav-queue"));
            nav.push(("/staff/overview", "staff-nav-overview"));
        }
        if user.can_act() {
            nav.push(("/staff/tickets/new", "staff-nav-new-ticket"));
        }
        if user.is_admin() {
            nav.push(("/staff/users", "staff-nav-users"));
        }
        nav.push(("/staff/account", "staff-nav-account"));
        // The longest entry the path falls under is the current one.
        let current: Option<&str> = nav
            .iter()
            .map(|(href, _)| *href)
            .filter(|href| path == *href || path.starts_with(&format!("{href}/")))
            .max_by_key(|href| href.len());
        chrome.nav = nav
            .iter()
            .map(|(href, id)| NavLink {
                href,
                label: t.t(id),
                current: current == Some(*href),
            })
            .collect();
        chrome
    }

    /// The chrome of the login page (nobody signed in).
    pub fn anonymous(state: &AppState, lang: &RequestLang, path: &str) -> StaffChrome {
        let t = lang.tr();
        let other = lang.lang.other();
        StaffChrome {
            t,
            site_name: t
                .pick(&state.cfg.site.name_vi, &state.cfg.site.name_en)
                .to_string(),
            switch_href: format!("{path}?lang={}", other.code()),
            switch_label: Tr::new(other).t("lang-name"),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            emblem: assets::url("emblem.svg"),
            user_name: String::new(),
            roles: String::new(),
            csrf: String::new(),
            nav: Vec::new(),
        }
    }

    pub fn signed_in(&self) -> bool {
        !self.user_name.is_empty()
    }
}
