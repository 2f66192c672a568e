//! `/staff/account`: one's own account, and changing one's own password (the current
//! one first; the new one long enough and not the email). Other sessions of the user end.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::auth::StaffUser;
use crate::auth::password;
use crate::db::digests;
use crate::handling::account::{self, AccountError, PasswordChange};
use crate::handling::digest_settings;
use crate::web::kit::RequestLang;
use crate::web::kit::detached;
use crate::web::kit::error::AppError;
use crate::web::kit::page;
use crate::web::kit::rate_limit::{Decision, busy};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Fields, StaffChrome, check_csrf};

/// Rate-limit names of current-password checks and their queue.
const PASSWORD_CHECK: &str = "password_check";
const PASSWORD_QUEUE: &str = "password_check_queue";

#[derive(Template, WebTemplate)]
#[template(path = "staff/account.html")]
struct AccountPage {
    chrome: StaffChrome,
    email: String,
    unit: String,
    min_length: usize,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    second_factor: super::second_factor::Summary,
    digests: DigestSwitches,
}

/// The digest switches as the page shows them.
struct DigestSwitches {
    daily: bool,
    weekly: bool,
    /// The sending time said above them.
    intro: String,
    notice: Option<String>,
}

impl AccountPage {
    fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

async fn render(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    notice: Option<&str>,
    errors: Vec<(&'static str, &'static str)>,
) -> Response {
    let chrome = StaffChrome::new(state, lang, user, "/staff/account");
    let t = chrome.t;
    let reference = state.reference.get();
    let unit = user
        .access
        .unit_id
        .and_then(|id| reference.unit(id))
        .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
        .unwrap_or_default();
    let second_factor = match super::second_factor::summary(state, user).await {
        Ok(summary) => summary,
        Err(e) => return e.into_response(),
    };
    let digests = match digest_switches(state, user, &t, notice).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let notice = notice.filter(|id| *id != DIGESTS_SAVED);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = AccountPage {
        second_factor,
        digests,
        email: user.email.clone(),
        unit,
        min_length: password::MIN_LENGTH,
        notice: notice.map(|id| t.t(id)),
        errors: errors
            .into_iter()
            .map(|(field, id)| (field, t.t1(id, "min", password::MIN_LENGTH as i64)))
            .collect(),
        chrome,
    };
    (status, page(lang, body)).into_response()
}

/// The notice of saved digest switches (shown beside them, not beside the password).
const DIGESTS_SAVED: &str = "digest-settings-saved";

async fn digest_switches(
    state: &AppState,
    user: &StaffUser,
    t: &crate::i18n::Tr,
    notice: Option<&str>,
) -> Result<DigestSwitches, AppError> {
    let mut conn = state.pool.get().await?;
    let (daily, weekly) = digests::switches(&mut conn, user.access.user_id).await?;
    let at = state.cfg.digests.at.trim();
    Ok(DigestSwitches {
        daily,
        weekly,
        intro: if at.is_empty() {
            t.t("digest-settings-intro-any")
        } else {
            t.t1("digest-settings-intro", "at", at.to_string())
        },
        notice: notice.filter(|id| *id == DIGESTS_SAVED).map(|id| t.t(id)),
    })
}

/// `POST /staff/account/digests`: one's own digest switches (unchecked boxes are not
/// sent: off).
pub async fn set_digests(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&user, fields.get("csrf"))?;
        let daily = fields.get("daily") == "1";
        let weekly = fields.get("weekly") == "1";
        let mut conn = state.pool.get().await?;
        digest_settings::set(&mut conn, user.access.user_id, daily, weekly)
            .await
            .map_err(|e| {
                AppError::Internal(anyhow::Error::new(e).context("setting one's digests"))
            })?;
        drop(conn);
        Ok(render(&state, &lang, &user, Some(DIGESTS_SAVED), Vec::new()).await)
    })
    .await
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
) -> Response {
    render(&state, &lang, &user, None, Vec::new()).await
}

/// `POST /staff/account`: changes one's own password; runs to its end even if the
/// client goes away.
pub async fn change_password(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    session: Session,
    fields: Fields,
) -> Response {
    detached(async move {
        check_csrf(&user, fields.get("csrf"))?;
        let change = PasswordChange {
            current: fields.get("current_password"),
            new: fields.get("new_password"),
            confirm: fields.get("new_password_confirm"),
        };
        // The current password is a guess like a login's: counted first, queued past
        // the account's limit (security review, finding 4).
        let subject = user.access.user_id.to_string();
        let limit = state.cfg.limits.login_per_account;
        let mut conn = state.pool.get().await?;
        if let Decision::Limited { .. } = state
            .rate_limit(&mut conn, PASSWORD_CHECK, &subject, limit)
            .await?
        {
            let admission = state
                .queue_slot(&mut conn, PASSWORD_QUEUE, &subject)
                .await?;
            drop(conn);
            if admission.wait().await.is_err() {
                let page = render(&state, &lang, &user, Some("login-busy"), Vec::new()).await;
                return Ok(busy(page));
            }
        } else {
            drop(conn);
        }
        let done = account::change_password(&state.pool, &user, session.id(), &change).await;
        if done.is_ok() {
            let mut conn = state.pool.get().await?;
            state
                .rate_limit_refund(&mut conn, PASSWORD_CHECK, &subject, limit)
                .await?;
        }
        let (notice, problems) = match done {
            Ok(()) => (Some("account-password-changed"), Vec::new()),
            Err(AccountError::Refused(problems)) => (None, problems),
            Err(AccountError::Pool(e)) => return Err(e.into()),
            Err(AccountError::Database(e)) => return Err(e.into()),
            Err(AccountError::Internal(e)) => {
                return Err(AppError::Internal(e.context("changing one's own password")));
            }
        };
        Ok(render(&state, &lang, &user, notice, problems).await)
    })
    .await
}
