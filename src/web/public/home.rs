//! `/`: what a PAKN is, the way to file one, and the published receiving contacts and
//! hotline (from the reference cache: no database query per view).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use diesel_async::RunQueryDsl;

use super::{Chrome, page};
use crate::web::SharedState;
use crate::web::error::AppResult;
use crate::web::i18n::RequestLang;

pub struct ContactView {
    pub person: Option<String>,
    pub title: String,
    /// (display, tel: digits)
    pub phones: Vec<(String, String)>,
    pub email: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub receiving: Vec<ContactView>,
    pub hotline: Vec<ContactView>,
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

pub async fn show(State(state): State<SharedState>, lang: RequestLang) -> Response {
    let reference = state.reference.get();
    let t = lang.tr();
    let view = |kind: &str| -> Vec<ContactView> {
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
                email: c.email.clone(),
            })
            .collect()
    };
    let body = HomePage {
        chrome: Chrome::new(&state, &lang, "/"),
        receiving: view("receiving"),
        hotline: view("hotline"),
    };
    page(&lang, body)
}

/// Liveness and database reachability, for load balancers.
pub async fn healthz(State(state): State<SharedState>) -> AppResult<impl IntoResponse> {
    let mut conn = state.pool.get().await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok((StatusCode::OK, "ok"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_are_grouped() {
        assert_eq!(super::display_phone("0983570009"), "0983 570 009");
        assert_eq!(super::display_phone("02963957006"), "0296 3957 006");
    }
}
