//! `/staff/account/second-factor`: one's own second factor. Off: the enrolment form (a
//! QR code drawn on the server, the secret as text, confirmed by the current password
//! and a first code), then the recovery codes shown once. On: when it was turned on,
//! the recovery codes left, new recovery codes and turning it off (both need the
//! password and a current code; turning off is refused when the configuration requires
//! a second factor of one's roles). Every attempt counts in the code throttle.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::second_step::{admit_code, keys, problems, refund_code, render_enrol, render_recovery};
use crate::auth::StaffUser;
use crate::auth::session::SECOND_FACTOR_KEY;
use crate::db::second_factors;
use crate::domain::calendar::{format_date, local_date};
use crate::handling::second_factor as use_case;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::error::AppResult;
use crate::web::kit::rate_limit::busy;
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{
    Fields, RequestLang, StaffChrome, check_csrf, detached, page, session_error,
};

pub const PATH: &str = "/staff/account/second-factor";

/// What the account page says of the second factor.
#[derive(Debug, Clone)]
pub struct Summary {
    /// `dd/mm/yyyy` it was turned on; `None`: off.
    pub since: Option<String>,
    pub codes_left: i64,
    pub required: bool,
}

pub async fn summary(state: &AppState, user: &StaffUser) -> AppResult<Summary> {
    let mut conn = state.pool.get().await?;
    let row = second_factors::find(&mut conn, user.id).await?;
    let since = row
        .and_then(|r| r.confirmed_at)
        .map(|t| format_date(local_date(t)));
    let codes_left = if since.is_some() {
        second_factors::recovery_codes_left(&mut conn, user.id).await?
    } else {
        0
    };
    Ok(Summary {
        since,
        codes_left,
        required: state.cfg.auth.requires_second_factor(&user.access.roles),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/second_factor.html")]
struct ManagePage {
    chrome: StaffChrome,
    summary: Summary,
    /// The form the errors are of: `recovery` or `disable`.
    form: &'static str,
    errors: Vec<(&'static str, String)>,
}

impl ManagePage {
    fn err(&self, form: &str, name: &str) -> Option<&str> {
        (self.form == form)
            .then(|| self.errors.iter().find(|(n, _)| *n == name))
            .flatten()
            .map(|(_, m)| m.as_str())
    }
}

/// The page: management when on, enrolment when off.
async fn render(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    form: &'static str,
    errors: Vec<(&'static str, &'static str)>,
) -> AppResult<Response> {
    let chrome = StaffChrome::new(state, lang, user, PATH);
    let summary = summary(state, user).await?;
    if summary.since.is_none() {
        let secret = use_case::enrolment_secret(&state.pool, &keys(state), user.id)
            .await
            .or_else(|e| problems(e).map(|_| None))?;
        return match secret {
            Some(secret) => render_enrol(state, lang, chrome, PATH, &user.email, &secret, errors),
            None => Ok(Redirect::to(PATH).into_response()),
        };
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let errors = errors
        .into_iter()
        .map(|(f, id)| (f, chrome.t.t(id)))
        .collect();
    let body = ManagePage {
        chrome,
        summary,
        form,
        errors,
    };
    Ok((status, page(lang, body)).into_response())
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
) -> AppResult<Response> {
    render(&state, &lang, &user, "", Vec::new()).await
}

/// Counts the attempt in the code throttle; `Some(answer)` when the queue is full.
async fn throttled(
    state: &AppState,
    lang: &RequestLang,
    ip: ClientIp,
    user: &StaffUser,
    form: &'static str,
) -> AppResult<Option<Response>> {
    if let Some(admission) = admit_code(state, ip, user.id).await?
        && admission.wait().await.is_err()
    {
        let page = render(state, lang, user, form, vec![("code", "totp-busy")]).await?;
        return Ok(Some(busy(page)));
    }
    Ok(None)
}

/// `POST /staff/account/second-factor`: confirms the enrolment.
pub async fn confirm(
    State(state): State<SharedState>,
    lang: RequestLang,
    ip: ClientIp,
    user: StaffUser,
    session: Session,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&user, fields.get("csrf"))?;
        if let Some(busy) = throttled(&state, &lang, ip, &user, "").await? {
            return Ok(busy);
        }
        let password = Some(fields.get("current_password"));
        let done = use_case::confirm(
            &state.pool,
            &keys(&state),
            user.id,
            password,
            fields.get("code"),
        )
        .await;
        let codes = match done {
            Ok(codes) => codes,
            Err(e) => return render(&state, &lang, &user, "", problems(e)?).await,
        };
        refund_code(&state, ip, user.id).await?;
        // This session has now shown the second factor.
        session
            .insert(SECOND_FACTOR_KEY, true)
            .await
            .map_err(session_error)?;
        let chrome = StaffChrome::new(&state, &lang, &user, PATH);
        Ok(render_recovery(&lang, chrome, &codes, "/staff/account"))
    })
    .await
}

/// `POST /staff/account/second-factor/recovery`: new recovery codes.
pub async fn regenerate(
    State(state): State<SharedState>,
    lang: RequestLang,
    ip: ClientIp,
    user: StaffUser,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&user, fields.get("csrf"))?;
        if let Some(busy) = throttled(&state, &lang, ip, &user, "recovery").await? {
            return Ok(busy);
        }
        let done = use_case::regenerate_recovery_codes(
            &state.pool,
            &keys(&state),
            user.id,
            fields.get("current_password"),
            fields.get("code"),
        )
        .await;
        let codes = match done {
            Ok(codes) => codes,
            Err(e) => return render(&state, &lang, &user, "recovery", problems(e)?).await,
        };
        refund_code(&state, ip, user.id).await?;
        let chrome = StaffChrome::new(&state, &lang, &user, PATH);
        Ok(render_recovery(&lang, chrome, &codes, "/staff/account"))
    })
    .await
}

/// `POST /staff/account/second-factor/disable`: turns it off (unless required).
pub async fn disable(
    State(state): State<SharedState>,
    lang: RequestLang,
    ip: ClientIp,
    user: StaffUser,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&user, fields.get("csrf"))?;
        let required = state.cfg.auth.requires_second_factor(&user.access.roles);
        if required {
            let page = render(
                &state,
                &lang,
                &user,
                "disable",
                vec![("code", "totp-disable-required")],
            );
            return page.await;
        }
        if let Some(busy) = throttled(&state, &lang, ip, &user, "disable").await? {
            return Ok(busy);
        }
        let done = use_case::disable(
            &state.pool,
            &keys(&state),
            user.id,
            fields.get("current_password"),
            fields.get("code"),
            required,
        )
        .await;
        if let Err(e) = done {
            return render(&state, &lang, &user, "disable", problems(e)?).await;
        }
        refund_code(&state, ip, user.id).await?;
        Ok(Redirect::to("/staff/account").into_response())
    })
    .await
}
