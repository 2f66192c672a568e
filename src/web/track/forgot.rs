//! `GET|POST /track/forgot` ("Quên mã PAKN?"): enter an email, receive the codes and
//! private links of every PAKN filed with it.
//!
//! The answer is the same whether or not any exist (a 303 to the same "sent" page). The
//! mail goes only where PAKN exist, at most `[limits] mail_per_address` times per window
//! to one address, and a requester is bounded per address by `forgot_per_ip`. It carries
//! no text anyone typed: codes, dates and links only. The limits are counted here; the
//! look-up and the mail are [`crate::handling::forgot_codes`].

use anyhow::Context as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::domain::feedback::is_plausible_email;
use crate::domain::form_token::{FormKind, TokenError};
use crate::handling::forgot_codes;
use crate::web::kit::Fields;
use crate::web::kit::RequestLang;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::detached;
use crate::web::kit::error::AppResult;
use crate::web::kit::rate_limit::{Decision, address_subject};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Chrome, page_no_store};

pub const PATH: &str = "/track/forgot";
/// Rate-limit names: requests per address (IP), and mails per recipient (shared with
/// any other mail sent on request).
const PER_IP: &str = "forgot_ip";
pub const PER_RECIPIENT: &str = crate::web::kit::rate_limit::MAIL_PER_RECIPIENT;

#[derive(Template, WebTemplate)]
#[template(path = "track_forgot.html")]
pub struct ForgotPage {
    pub chrome: Chrome,
    pub token: String,
    pub email: String,
    pub sent: bool,
    pub error: Option<String>,
    pub notice: Option<String>,
}

fn render(
    state: &AppState,
    lang: &RequestLang,
    status: StatusCode,
    email: &str,
    sent: bool,
    error: Option<&str>,
    notice: Option<&str>,
) -> Response {
    let chrome = Chrome::new(state, lang, PATH);
    let body = ForgotPage {
        token: state.tokens.issue_now(FormKind::Forgot),
        email: email.to_string(),
        sent,
        error: error.map(|id| chrome.t.t(id)),
        notice: notice.map(|id| chrome.t.t(id)),
        chrome,
    };
    page_no_store(status, lang, body)
}

#[derive(Debug, Deserialize)]
pub struct Shown {
    #[serde(default)]
    sent: Option<String>,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    Query(q): Query<Shown>,
) -> Response {
    render(
        &state,
        &lang,
        StatusCode::OK,
        "",
        q.sent.is_some(),
        None,
        None,
    )
}

pub async fn submit(
    State(state): State<SharedState>,
    lang: RequestLang,
    ClientIp(ip): ClientIp,
    fields: Fields,
) -> AppResult<Response> {
    let email: String = fields.get("email").trim().to_lowercase();
    let now = chrono::Utc::now().timestamp();
    if let Err(e) = state.tokens.verify(
        fields.get("form_token"),
        FormKind::Forgot,
        now,
        state.cfg.security.form_token_max_age_secs,
    ) {
        let id = match e {
            TokenError::Expired { .. } => "track-form-expired",
            _ => "track-form-invalid",
        };
        return Ok(render(
            &state,
            &lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &email,
            false,
            None,
            Some(id),
        ));
    }
    if !is_plausible_email(&email) {
        return Ok(render(
            &state,
            &lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &email,
            false,
            Some("err-email"),
            None,
        ));
    }
    // The rest runs to its end even if the client goes away.
    Ok(detached(async move { process(&state, lang, ip, email).await }).await)
}

async fn process(
    state: &AppState,
    lang: RequestLang,
    ip: std::net::IpAddr,
    email: String,
) -> AppResult<Response> {
    let limits = &state.cfg.limits;
    let mut conn = state.pool.get().await?;
    if !state.is_exempt(ip)
        && let Decision::Limited { retry_after_secs } = state
            .rate_limit(
                &mut conn,
                PER_IP,
                &address_subject(ip),
                limits.forgot_per_ip,
            )
            .await?
    {
        drop(conn);
        tracing::info!("forgotten-code request limited");
        let mut res = render(
            state,
            &lang,
            StatusCode::TOO_MANY_REQUESTS,
            &email,
            false,
            None,
            Some("track-limited"),
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        return Ok(res);
    }
    let recipient_allowed = matches!(
        state
            .rate_limit(&mut conn, PER_RECIPIENT, &email, limits.mail_per_address)
            .await?,
        Decision::Allowed
    );
    if recipient_allowed {
        let mails = forgot_codes::mail_codes(&mut conn, &state.cfg, lang.lang, &email)
            .await
            .context("mailing forgotten codes")?;
        drop(conn);
        if mails > 0 {
            state.mail_wake.notify_one();
        }
    } else {
        tracing::info!("forgotten-code mail skipped: the address was mailed often enough");
    }
    Ok(Redirect::to(&format!("{PATH}?sent=1")).into_response())
}
