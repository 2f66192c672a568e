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
use crate::web::kit::numbers::grouped;
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

pub async fn show(State(state): State<SharedState>, lang: RequestLang) -> Response {
    let reference = state.reference.get();
    let t = lang.tr();
    let totals = state.visits.totals();
    let body = HomePage {
        chrome: Chrome::new(&state, &lang, "/"),
        receiving: contacts(&reference, &t, "receiving"),
        hotline: contacts(&reference, &t, "hotline"),
        track_token: state.tokens.issue_now(FormKind::Track),
        counter: state.cfg.site.visitor_counter.then(|| CounterView {
            total: grouped(&t, totals.total),
            today: grouped(&t, totals.today),
            online: grouped(&t, totals.online),
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
