//! What every staff page shares: the language, the site name, the signed-in user, the
//! session's anti-forgery token for forms, and the navigation its roles allow.

use crate::auth::StaffUser;
use crate::web::kit::AppState;
use crate::web::kit::Chrome;
use crate::web::kit::RequestLang;

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// The public page chrome (language, site name, assets) plus the staff parts; templates
/// reach the public fields through `Deref` (`chrome.t`, `chrome.css`, …).
#[derive(Debug, Clone)]
pub struct StaffChrome {
    pub base: Chrome,
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
            .access
            .roles
            .iter()
            .map(|r| t.t(r.label_id()))
            .collect::<Vec<_>>()
            .join(", ");
        chrome.csrf = user.csrf.clone();
        let mut nav: Vec<(&'static str, &str)> = Vec::new();
        if user.access.reads_tickets() {
            nav.push(("/staff/tickets", "staff-nav-queue"));
            nav.push(("/staff/overview", "staff-nav-overview"));
        }
        if user.access.reads_reports() {
            nav.push(("/staff/reports", "staff-nav-reports"));
        }
        if user.access.acts() {
            nav.push(("/staff/tickets/new", "staff-nav-new-ticket"));
        }
        if user.access.takes_intake() {
            nav.push(("/staff/intake", "intake-nav"));
        }
        if user.access.reviews_inbound() {
            nav.push(("/staff/inbound", "inbound-review-nav"));
        }
        if user.access.administers() {
            nav.push(("/staff/users", "staff-nav-users"));
            nav.push(("/staff/admin", "admin-nav"));
        }
        if user.access.reads_personal_data_log() {
            nav.push(("/staff/personal-data", "staff-nav-personal-data"));
        }
        if user.access.handles_privacy_requests() {
            nav.push(("/staff/privacy", "staff-nav-privacy"));
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
        StaffChrome {
            base: Chrome::new(state, lang, path),
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

impl std::ops::Deref for StaffChrome {
    type Target = Chrome;

    fn deref(&self) -> &Chrome {
        &self.base
    }
}
