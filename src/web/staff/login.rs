//! `GET|POST /staff/login` and `POST /staff/logout`. The login form carries the
//! stateless form token (no session before a successful login); a failure, whatever
//! its cause, shows one generic message with the email kept. Throttling
//! ([`crate::auth::throttle`]) counts every attempt before the password is checked and
//! queues attempts past the limit; a correct password is never refused for good.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::auth::{password, session};
use crate::db::users;
use crate::domain::form_token::FormKind;
use crate::web::kit::RequestLang;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::page;
use crate::web::kit::rate_limit::{Admission, Decision, address_subject, busy};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Fields, StaffChrome, session_error};

/// Where a successful login leads.
pub const AFTER_LOGIN: &str = "/staff/tickets";

/// Rate-limit names of failed logins, and of their queues past the limits.
const PER_ACCOUNT: &str = "login_account";
const PER_IP: &str = "login_ip";
const QUEUE_ACCOUNT: &str = "login_queue_account";
const QUEUE_IP: &str = "login_queue_ip";

#[derive(Template, WebTemplate)]
#[template(path = "staff/login.html")]
struct LoginPage {
    chrome: StaffChrome,
    token: String,
    email: String,
    error: Option<String>,
}

fn render(state: &AppState, lang: &RequestLang, email: &str, error: Option<&str>) -> Response {
    let chrome = StaffChrome::anonymous(state, lang, "/staff/login");
    let error = error.map(|id| chrome.t.t(id));
    let body = LoginPage {
        token: state.tokens.issue_now(FormKind::Login),
        email: email.to_string(),
        error,
        chrome,
    };
    page(lang, body)
}

pub async fn form(State(state): State<SharedState>, lang: RequestLang) -> Response {
    render(&state, &lang, "", None)
}

/// Counts the attempt against the account and the address before the password is
/// checked (so parallel attempts see each other), and past either limit takes the next
/// slot of the account's (or the address's) queue (`None`: no queue, go on).
async fn admit(state: &AppState, ip: ClientIp, email: &str) -> AppResult<Option<Admission>> {
    let limits = &state.cfg.limits;
    let mut conn = state.pool.get().await?;
    let account = state
        .rate_limit(&mut conn, PER_ACCOUNT, email, limits.login_per_account)
        .await?;
    let address = if state.is_exempt(ip.0) {
        Decision::Allowed
    } else {
        state
            .rate_limit(
                &mut conn,
                PER_IP,
                &address_subject(ip.0),
                limits.login_per_ip,
            )
            .await?
    };
    let (queue, subject) = match (account, address) {
        (Decision::Limited { .. }, _) => (QUEUE_ACCOUNT, email.to_string()),
        (_, Decision::Limited { .. }) => (QUEUE_IP, address_subject(ip.0)),
        _ => return Ok(None),
    };
    Ok(Some(state.queue_slot(&mut conn, queue, &subject).await?))
}

/// Takes back the attempt of a successful login: only failures count.
async fn refund(state: &AppState, ip: ClientIp, email: &str) -> AppResult<()> {
    let limits = &state.cfg.limits;
    let mut conn = state.pool.get().await?;
    state
        .rate_limit_refund(&mut conn, PER_ACCOUNT, email, limits.login_per_account)
        .await?;
    if !state.is_exempt(ip.0) {
        state
            .rate_limit_refund(
                &mut conn,
                PER_IP,
                &address_subject(ip.0),
                limits.login_per_ip,
            )
            .await?;
    }
    Ok(())
}

pub async fn submit(
    State(state): State<SharedState>,
    lang: RequestLang,
    ip: ClientIp,
    session: Session,
    fields: Fields,
) -> AppResult<Response> {
    let email = users::normalise_email(fields.get("email"));
    let password = fields.get("password");
    let now = chrono::Utc::now().timestamp();
    if state
        .tokens
        .verify(
            fields.get("form_token"),
            FormKind::Login,
            now,
            state.cfg.security.form_token_max_age_secs,
        )
        .is_err()
    {
        return Ok(render(&state, &lang, &email, Some("login-form-expired")));
    }
    if email.is_empty() || password.is_empty() {
        return Ok(render(&state, &lang, &email, Some("login-failed")));
    }

    if let Some(admission) = admit(&state, ip, &email).await? {
        tracing::info!("staff login throttled");
        if admission.wait().await.is_err() {
            tracing::info!("staff login refused: the account's queue is full");
            return Ok(busy(render(&state, &lang, &email, Some("login-busy"))));
        }
    }

    let row = {
        let mut conn = state.pool.get().await?;
        users::find_for_login(&mut conn, &email).await?
    };
    let matched = password::verify(password, row.as_ref().map(|r| r.password_hash.as_str()))
        .await
        .map_err(AppError::Internal)?;
    let user_id = match row {
        Some(r) if matched && r.active => r.id,
        _ => {
            tracing::info!("staff login failed");
            return Ok(render(&state, &lang, &email, Some("login-failed")));
        }
    };
    refund(&state, ip, &email).await?;
    // In, or halfway: the second factor's code (or enrolment) comes next.
    super::second_step::after_password(&state, &session, user_id).await
}

/// Ends the session (its row is deleted) and goes back to the login page.
pub async fn logout(session: Session, fields: Fields) -> AppResult<Response> {
    if let Some(info) = session::info(&session).await.map_err(session_error)? {
        if !session::tokens_match(&info.csrf, fields.get("csrf")) {
            return Err(AppError::Csrf);
        }
        session::end(&session).await.map_err(session_error)?;
        tracing::info!(user_id = info.user_id, "staff logout");
    } else if let Some(pending) = session::pending(&session).await.map_err(session_error)? {
        // Giving up halfway through the second step.
        if !session::tokens_match(&pending.csrf, fields.get("csrf")) {
            return Err(AppError::Csrf);
        }
        session::end(&session).await.map_err(session_error)?;
    }
    Ok((StatusCode::SEE_OTHER, [("location", "/staff/login")]).into_response())
}
