//! `/`: what a PAKN is, the way to file one, the box to track one, the published
//! receiving contacts and hotline (from the reference cache: no database query per
//! view), and the visitor counter of the seed page (from this instance's cache of the
//! totals, a few seconds old).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::directory::{ContactView, contacts};
use crate::domain::form_token::FormKind;
use crate::mail::outbox;
use crate::web::kit::RequestLang;
use crate::web::kit::SharedState;
use crate::web::kit::error::{AppError, AppResult, retry_later};
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

/// How long `/healthz` waits for the database before it says "database down".
const HEALTH_DB_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// For load balancers and monitoring, in plain text whose first line is the state:
/// `up` (200); `mail stuck` (200: the instance serves, but a due mail has waited more
/// than `[mail] stuck_after_secs`); `database down` (503 with `Retry-After`: no
/// connection, or no answer within 3 s). The lines after it give the figures.
pub async fn healthz(State(state): State<SharedState>) -> Response {
    let probe = tokio::time::timeout(HEALTH_DB_WAIT, async {
        let mut conn = state.pool.get().await.map_err(AppError::from)?;
        AppResult::Ok(outbox::health(&mut conn).await?)
    })
    .await;
    let text = |status: StatusCode, body: String| {
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        res
    };
    let health = match probe {
        Ok(Ok(health)) => health,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "healthz: database down");
            return retry_later(text(
                StatusCode::SERVICE_UNAVAILABLE,
                "database down\n".into(),
            ));
        }
        Err(_) => {
            tracing::warn!("healthz: no answer from the database within 3 s");
            return retry_later(text(
                StatusCode::SERVICE_UNAVAILABLE,
                "database down\nno answer within 3 s\n".into(),
            ));
        }
    };
    let overdue = health.overdue_secs.unwrap_or(0).max(0);
    let stuck = u64::try_from(overdue).unwrap_or(0) >= state.cfg.mail.stuck_after_secs;
    let state_line = if stuck { "mail stuck" } else { "up" };
    text(
        StatusCode::OK,
        format!(
            "{state_line}\ndatabase: up\nmail pending: {}\nmail overdue secs: {overdue}\n",
            health.pending
        ),
    )
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
