//! `/`: what a PAKN is, the way to file one, the box to track one, the published
//! receiving contacts and hotline (from the reference cache: no database query per
//! view), and the visitor counter of the seed page (from this instance's cache of the
//! totals, a few seconds old).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use diesel_async::RunQueryDsl;

use super::directory::{ContactView, contacts};
use crate::domain::form_token::FormKind;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::error::AppResult;
use crate::web::kit::{Chrome, page};

/// The counter as shown: grouped digits.
pub struct CounterView {
    pub total: String,
    pub today: String,
    pub online: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub receiving: Vec<ContactView>,
    pub hotline: Vec<ContactView>,
    /// The form token of the "Tra cứu PAKN" box.
    pub track_token: String,
    /// The visitor counter, when `[site] visitor_counter` is on.
    pub counter: Option<CounterView>,
}

/// 1234567 → "1.234.567" (Vietnamese grouping) or "1,234,567" (English).
pub fn group_digits(n: i64, sep: char) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

pub async fn show(State(state): State<SharedState>, lang: RequestLang) -> Response {
    let reference = state.reference.get();
    let t = lang.tr();
    let totals = state.visits.totals();
    let sep = if t.code() == "vi" { '.' } else { ',' };
    let body = HomePage {
        chrome: Chrome::new(&state, &lang, "/"),
        receiving: contacts(&reference, &t, "receiving"),
        hotline: contacts(&reference, &t, "hotline"),
        track_token: state.tokens.issue_now(FormKind::Track),
        counter: state.cfg.site.visitor_counter.then(|| CounterView {
            total: group_digits(totals.total, sep),
            today: group_digits(totals.today, sep),
            online: group_digits(totals.online, sep),
        }),
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
    fn counts_are_grouped_by_thousands() {
        assert_eq!(super::group_digits(0, '.'), "0");
        assert_eq!(super::group_digits(999, '.'), "999");
        assert_eq!(super::group_digits(1000, '.'), "1.000");
        assert_eq!(super::group_digits(1234567, '.'), "1.234.567");
        assert_eq!(super::group_digits(1234567, ','), "1,234,567");
    }
}
