//! `/directory` (Danh bạ tiếp nhận PAKN): the published receiving contacts and the
//! hotline, from the database through the reference cache (an admin's edit reaches every
//! instance within seconds; no query per view), with `tel:` and `mailto:` links and the
//! "cần xác minh" flag on entries not yet confirmed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use crate::domain::reference::Reference;
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::{Chrome, page};

pub struct ContactView {
    pub person: Option<String>,
    pub title: String,
    /// (display, tel: digits)
    pub phones: Vec<(String, String)>,
    pub email: Option<String>,
}

/// Groups a normalised phone number for reading: 0983 570 009, 0296 3957 006.
pub fn display_phone(digits: &str) -> String {
    let d: Vec<char> = digits.chars().collect();
    let group = |parts: &[usize]| {
        let mut out = String::new();
        let mut i = 0;
        for (n, len) in parts.iter().enumerate() {
            if n > 0 {
                out.push(' ');
            }
            out.extend(d.iter().skip(i).take(*len));
            i += len;
        }
        out
    };
    match d.len() {
        10 => group(&[4, 3, 3]),
        11 => group(&[4, 4, 3]),
        _ => digits.to_string(),
    }
}

/// The active contacts of one kind ("receiving" or "hotline") in display order. Whether
/// an admin still has to verify a contact is their note (the admin screens show it),
/// never shown to citizens (issue 17, item 5).
pub fn contacts(reference: &Reference, t: &Tr, kind: &str) -> Vec<ContactView> {
    reference
        .contacts_of(kind)
        .map(|c| ContactView {
            person: c.person_name.clone(),
            title: t.pick(&c.title_vi, &c.title_en).to_string(),
            phones: c
                .phones
                .iter()
                .map(|p| (display_phone(p), p.clone()))
                .collect(),
            email: c.email.clone().filter(|e| !e.trim().is_empty()),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "directory.html")]
pub struct DirectoryPage {
    pub chrome: Chrome,
    pub receiving: Vec<ContactView>,
    pub hotline: Vec<ContactView>,
}

pub async fn show(State(state): State<SharedState>, lang: RequestLang) -> Response {
    let reference = state.reference.get();
    let t = lang.tr();
    let receiving = contacts(&reference, &t, "receiving");
    let hotline = contacts(&reference, &t, "hotline");
    let body = DirectoryPage {
        chrome: Chrome::new(&state, &lang, "/directory"),
        receiving,
        hotline,
    };
    page(&lang, body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_are_grouped() {
        assert_eq!(super::display_phone("0983570009"), "0983 570 009");
        assert_eq!(super::display_phone("02963957006"), "0296 3957 006");
    }
}
