//! The second step of a staff login. After a correct password, a user with a second
//! factor is signed in halfway (`auth::session::begin_pending`: no staff page opens)
//! and asked for a code or a recovery code at `/staff/login/code`; a user whose roles
//! require a second factor (`[auth] second_factor`) and who has none is sent to enrol at
//! `/staff/login/enrol` and reaches nothing else until done. The half state lasts
//! `[auth] second_step_secs` (`enrol_secs` for enrolment). Wrong codes are throttled
//! per account and per address in Postgres, like passwords but with a spacing that
//! doubles ([`admit_code`]).

use std::time::Duration;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::login::AFTER_LOGIN;
use super::qr::{QrView, qr};
use crate::auth::second_factor::SecondFactorKeys;
use crate::auth::session::{self, Pending, SecondStep};
use crate::auth::throttle;
use crate::db::{second_factors, users};
use crate::domain::access::Role;
use crate::domain::totp;
use crate::handling::second_factor::{self as use_case, SecondFactorError};
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::rate_limit::{Admission, Decision, address_subject, busy};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Fields, RequestLang, StaffChrome, detached, page, session_error};

/// Rate-limit names of second-factor codes, and of their queues.
const CODE_ACCOUNT: &str = "code_account";
const CODE_IP: &str = "code_ip";
const CODE_QUEUE_ACCOUNT: &str = "code_queue_account";
const CODE_QUEUE_IP: &str = "code_queue_ip";

pub const CODE_PATH: &str = "/staff/login/code";
pub const ENROL_PATH: &str = "/staff/login/enrol";

pub fn keys(state: &AppState) -> SecondFactorKeys {
    SecondFactorKeys::new(&state.secret)
}

/// Counts a code attempt of `user_id` from `ip` before it is checked; past
/// `[limits] code_per_account` the attempt takes a slot of the account's queue, whose
/// spacing doubles with each failure (up to `[auth] code_delay_max_secs`); past
/// `login_per_ip`, a slot of the address's queue. `None`: go on at once.
pub(super) async fn admit_code(
    state: &AppState,
    ip: ClientIp,
    user_id: i32,
) -> AppResult<Option<Admission>> {
    let limit = state.cfg.limits.code_per_account;
    let subject = user_id.to_string();
    let mut conn = state.pool.get().await?;
    let account = state
        .rate_limit(&mut conn, CODE_ACCOUNT, &subject, limit)
        .await?;
    let address = if state.is_exempt(ip.0) {
        Decision::Allowed
    } else {
        let per_ip = state.cfg.limits.login_per_ip;
        state
            .rate_limit(&mut conn, CODE_IP, &address_subject(ip.0), per_ip)
            .await?
    };
    if let Decision::Limited { .. } = account {
        let hits = state
            .rate_limit_hits(&mut conn, CODE_ACCOUNT, &subject, limit)
            .await?;
        let over = u32::try_from(hits)
            .unwrap_or(0)
            .saturating_sub(limit.count + 1);
        let max = Duration::from_secs(state.cfg.auth.code_delay_max_secs);
        let step = throttle::code_step(over, max);
        let key = state
            .bucket_at(&mut conn, chrono::Utc::now(), CODE_QUEUE_ACCOUNT, &subject)
            .await?;
        let slot = second_factors::take_spaced_slot(
            &mut conn,
            &key,
            step.as_secs_f64(),
            throttle::QUEUE.as_secs_f64(),
        )
        .await?;
        return Ok(Some(match slot {
            Some(secs) => Admission::After(Duration::from_secs_f64(secs)),
            None => Admission::Busy,
        }));
    }
    if let Decision::Limited { .. } = address {
        let slot = state
            .queue_slot(&mut conn, CODE_QUEUE_IP, &address_subject(ip.0))
            .await?;
        return Ok(Some(slot));
    }
    Ok(None)
}

/// Takes back the attempt of a right code: only failures count.
pub(super) async fn refund_code(state: &AppState, ip: ClientIp, user_id: i32) -> AppResult<()> {
    let mut conn = state.pool.get().await?;
    let limits = &state.cfg.limits;
    state
        .rate_limit_refund(
            &mut conn,
            CODE_ACCOUNT,
            &user_id.to_string(),
            limits.code_per_account,
        )
        .await?;
    if !state.is_exempt(ip.0) {
        state
            .rate_limit_refund(
                &mut conn,
                CODE_IP,
                &address_subject(ip.0),
                limits.login_per_ip,
            )
            .await?;
    }
    Ok(())
}

/// A refusal of the second-factor use cases as the form's problems, or the error.
pub(super) fn problems(e: SecondFactorError) -> AppResult<Vec<(&'static str, &'static str)>> {
    match e {
        SecondFactorError::Refused(p) => Ok(p),
        SecondFactorError::Pool(e) => Err(e.into()),
        SecondFactorError::Database(e) => Err(e.into()),
        SecondFactorError::Internal(e) => Err(AppError::Internal(e.context("second factor"))),
    }
}

/// Where a correct password leads: the code, enrolment (required and missing), or in.
pub async fn after_password(
    state: &AppState,
    session: &Session,
    user_id: i32,
) -> AppResult<Response> {
    let (on, roles) = {
        let mut conn = state.pool.get().await?;
        let on = second_factors::is_on(&mut conn, user_id).await?;
        let roles = users::find(&mut conn, user_id)
            .await?
            .map(|u| Role::parse_all(&u.roles))
            .unwrap_or_default();
        (on, roles)
    };
    let step = if on {
        SecondStep::Code
    } else if state.cfg.auth.requires_second_factor(&roles) {
        SecondStep::Enrol
    } else {
        session::begin(session, user_id)
            .await
            .map_err(session_error)?;
        tracing::info!(user_id, "staff login");
        return Ok(Redirect::to(AFTER_LOGIN).into_response());
    };
    session::begin_pending(session, user_id, step)
        .await
        .map_err(session_error)?;
    tracing::info!(user_id, "staff login: password right, second step next");
    Ok(Redirect::to(path_of(step)).into_response())
}

fn path_of(step: SecondStep) -> &'static str {
    match step {
        SecondStep::Code => CODE_PATH,
        SecondStep::Enrol => ENROL_PATH,
    }
}

fn to_login() -> Response {
    Redirect::to(crate::web::kit::LOGIN_PATH).into_response()
}

/// The session's half state if it waits for `step` and has not expired (an expired one
/// ends). `Err(response)`: where to send the request instead.
async fn live_pending(
    state: &AppState,
    session: &Session,
    step: SecondStep,
) -> AppResult<Result<Pending, Response>> {
    let Some(p) = session::pending(session).await.map_err(session_error)? else {
        return Ok(Err(to_login()));
    };
    let lasts = match p.step {
        SecondStep::Code => state.cfg.auth.second_step_secs,
        SecondStep::Enrol => state.cfg.auth.enrol_secs,
    };
    if chrono::Utc::now().timestamp().saturating_sub(p.since) >= lasts {
        session::end(session).await.map_err(session_error)?;
        return Ok(Err(to_login()));
    }
    if p.step != step {
        return Ok(Err(Redirect::to(path_of(p.step)).into_response()));
    }
    Ok(Ok(p))
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/login_code.html")]
struct CodePage {
    chrome: StaffChrome,
    error: Option<String>,
}

fn render_code(state: &AppState, lang: &RequestLang, p: &Pending, error: Option<&str>) -> Response {
    let mut chrome = StaffChrome::anonymous(state, lang, CODE_PATH);
    chrome.csrf = p.csrf.clone();
    let error = error.map(|id| chrome.t.t(id));
    page(lang, CodePage { chrome, error })
}

pub async fn code_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    session: Session,
) -> AppResult<Response> {
    Ok(
        match live_pending(&state, &session, SecondStep::Code).await? {
            Ok(p) => render_code(&state, &lang, &p, None),
            Err(elsewhere) => elsewhere,
        },
    )
}

/// `POST /staff/login/code`: a code or a recovery code; runs to its end even if the
/// client goes away (a right code spends its step).
pub async fn code_submit(
    State(state): State<SharedState>,
    lang: RequestLang,
    ip: ClientIp,
    session: Session,
    fields: Fields,
) -> Response {
    detached(async move {
        let p = match live_pending(&state, &session, SecondStep::Code).await? {
            Ok(p) => p,
            Err(elsewhere) => return Ok(elsewhere),
        };
        if !session::tokens_match(&p.csrf, fields.get("csrf")) {
            return Err(AppError::Csrf);
        }
        if let Some(admission) = admit_code(&state, ip, p.user_id).await? {
            tracing::info!("second-factor code throttled");
            if admission.wait().await.is_err() {
                return Ok(busy(render_code(&state, &lang, &p, Some("totp-busy"))));
            }
        }
        let passed =
            use_case::check_login(&state.pool, &keys(&state), p.user_id, fields.get("code"))
                .await
                .or_else(|e| problems(e).map(|_| None))?;
        let Some(passed) = passed else {
            tracing::info!(user_id = p.user_id, "second-factor code refused");
            return Ok(render_code(&state, &lang, &p, Some("totp-code-wrong")));
        };
        refund_code(&state, ip, p.user_id).await?;
        sign_in(&state, &session, p.user_id).await?;
        tracing::info!(
            user_id = p.user_id,
            recovery = (passed == use_case::Passed::RecoveryCode),
            "staff login"
        );
        Ok(Redirect::to(AFTER_LOGIN).into_response())
    })
    .await
}

/// Signs the user in for good after the second factor, if still active.
async fn sign_in(state: &AppState, session: &Session, user_id: i32) -> AppResult<()> {
    let active = {
        let mut conn = state.pool.get().await?;
        users::find_active(&mut conn, user_id).await?.is_some()
    };
    if !active {
        session::end(session).await.map_err(session_error)?;
        return Err(AppError::Forbidden);
    }
    session::begin_verified(session, user_id)
        .await
        .map_err(session_error)
}

/// The enrolment form, at login or on one's account.
#[derive(Template, WebTemplate)]
#[template(path = "staff/second_factor_enrol.html")]
pub(super) struct EnrolPage {
    pub chrome: StaffChrome,
    /// Where the form goes.
    pub action: &'static str,
    /// Whether the password is asked (on one's account; at login it was just typed).
    pub ask_password: bool,
    /// Whether the configuration requires it (said at login).
    pub required: bool,
    pub qr: QrView,
    pub secret: String,
    pub errors: Vec<(&'static str, String)>,
}

impl EnrolPage {
    fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

/// Renders the enrolment form for `secret`.
#[allow(clippy::too_many_arguments)]
pub(super) fn render_enrol(
    state: &AppState,
    lang: &RequestLang,
    chrome: StaffChrome,
    action: &'static str,
    email: &str,
    secret: &[u8],
    errors: Vec<(&'static str, &'static str)>,
) -> AppResult<Response> {
    let issuer = chrome
        .t
        .pick(&state.cfg.site.name_vi, &state.cfg.site.name_en);
    let qr = qr(&totp::otpauth_url(secret, &format!("PAKN {issuer}"), email))?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let errors = errors
        .into_iter()
        .map(|(f, id)| (f, chrome.t.t(id)))
        .collect();
    let body = EnrolPage {
        action,
        ask_password: action != ENROL_PATH,
        required: action == ENROL_PATH,
        qr,
        secret: totp::secret_grouped(secret),
        errors,
        chrome,
    };
    Ok((status, page(lang, body)).into_response())
}

/// The recovery codes, shown once.
#[derive(Template, WebTemplate)]
#[template(path = "staff/recovery_codes.html")]
pub(super) struct RecoveryPage {
    pub chrome: StaffChrome,
    pub codes: Vec<String>,
    /// Where "continue" leads.
    pub next: &'static str,
}

pub(super) fn render_recovery(
    lang: &RequestLang,
    chrome: StaffChrome,
    codes: &[String],
    next: &'static str,
) -> Response {
    let codes = codes.iter().map(|c| totp::display_recovery(c)).collect();
    page(
        lang,
        RecoveryPage {
            chrome,
            codes,
            next,
        },
    )
}

async fn email_of(state: &AppState, user_id: i32) -> AppResult<String> {
    let mut conn = state.pool.get().await?;
    Ok(users::find(&mut conn, user_id)
        .await?
        .map(|u| u.email)
        .unwrap_or_default())
}

async fn enrol_page(
    state: &AppState,
    lang: &RequestLang,
    p: &Pending,
    errors: Vec<(&'static str, &'static str)>,
) -> AppResult<Response> {
    let Some(secret) = use_case::enrolment_secret(&state.pool, &keys(state), p.user_id)
        .await
        .or_else(|e| problems(e).map(|_| None))?
    else {
        // Enrolled meanwhile (another tab): the code is asked as for any login.
        return Ok(to_login());
    };
    let mut chrome = StaffChrome::anonymous(state, lang, ENROL_PATH);
    chrome.csrf = p.csrf.clone();
    let email = email_of(state, p.user_id).await?;
    render_enrol(state, lang, chrome, ENROL_PATH, &email, &secret, errors)
}

pub async fn enrol_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    session: Session,
) -> AppResult<Response> {
    match live_pending(&state, &session, SecondStep::Enrol).await? {
        Ok(p) => enrol_page(&state, &lang, &p, Vec::new()).await,
        Err(elsewhere) => Ok(elsewhere),
    }
}

/// `POST /staff/login/enrol`: the first code confirms the enrolment; the user is then
/// signed in and shown the recovery codes once.
pub async fn enrol_submit(
    State(state): State<SharedState>,
    lang: RequestLang,
    ip: ClientIp,
    session: Session,
    fields: Fields,
) -> Response {
    detached(async move {
        let p = match live_pending(&state, &session, SecondStep::Enrol).await? {
            Ok(p) => p,
            Err(elsewhere) => return Ok(elsewhere),
        };
        if !session::tokens_match(&p.csrf, fields.get("csrf")) {
            return Err(AppError::Csrf);
        }
        if let Some(admission) = admit_code(&state, ip, p.user_id).await?
            && admission.wait().await.is_err()
        {
            let page = enrol_page(&state, &lang, &p, vec![("code", "totp-busy")]).await?;
            return Ok(busy(page));
        }
        let done = use_case::confirm(
            &state.pool,
            &keys(&state),
            p.user_id,
            None,
            fields.get("code"),
        )
        .await;
        let codes = match done {
            Ok(codes) => codes,
            Err(e) => return enrol_page(&state, &lang, &p, problems(e)?).await,
        };
        refund_code(&state, ip, p.user_id).await?;
        sign_in(&state, &session, p.user_id).await?;
        tracing::info!(user_id = p.user_id, "staff login after enrolment");
        let chrome = StaffChrome::anonymous(&state, &lang, ENROL_PATH);
        Ok(render_recovery(&lang, chrome, &codes, AFTER_LOGIN))
    })
    .await
}
