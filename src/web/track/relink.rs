//! `POST /t/{access_token}/new-link`: the holder of a private link asks for a new one
//! (the old one may have been forwarded, printed or seen on a shared device; security
//! review, finding 15). The old link stops working at once. When an email was given at
//! filing, the new link goes only there and the answer says where (masked); without
//! one, the new link is the page the citizen lands on. Renewals of one PAKN are limited
//! like any mail sent on request (`[limits] mail_per_address`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;

use super::page::{self, RENEW_ACTION, plausible_token, private_headers};
use crate::db::track;
use crate::domain::form_token::FormKind;
use crate::handling::private_link::{self, Renewed};
use crate::web::kit::attempt::Attempt;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::rate_limit::Decision;
use crate::web::kit::{
    AppState, Chrome, Fields, RequestLang, SharedState, detached, page_no_store,
};

/// Rate-limit name: renewals per PAKN.
const PER_TICKET: &str = "new_link";

#[derive(Template, WebTemplate)]
#[template(path = "track_relinked.html")]
struct RelinkedPage {
    chrome: Chrome,
    /// The masked address the new link went to.
    to: String,
}

pub async fn renew(
    State(state): State<SharedState>,
    lang: RequestLang,
    Path(access_token): Path<String>,
    fields: Fields,
) -> AppResult<Response> {
    if !plausible_token(&access_token) {
        return Err(AppError::NotFound);
    }
    Ok(detached(carry_out(state, lang, access_token, fields)).await)
}

async fn carry_out(
    state: SharedState,
    lang: RequestLang,
    access_token: String,
    fields: Fields,
) -> AppResult<Response> {
    let t = lang.tr();
    let now = Utc::now();
    let token_ok = state
        .tokens
        .verify(
            fields.get("form_token"),
            FormKind::Citizen,
            now.timestamp(),
            state.cfg.security.form_token_max_age_secs,
        )
        .is_ok();
    if !token_ok {
        return refused(
            &state,
            &lang,
            &access_token,
            t.t("track-form-expired"),
            None,
        )
        .await;
    }
    let mut conn = state.pool.get().await?;
    let Some(row) = track::by_access_token(&mut conn, &access_token).await? else {
        return Err(AppError::NotFound);
    };
    let limit = state.cfg.limits.mail_per_address;
    if let Decision::Limited { retry_after_secs } = state
        .rate_limit(&mut conn, PER_TICKET, &row.id.to_string(), limit)
        .await?
    {
        drop(conn);
        let message = t.t("private-link-limited");
        return refused(
            &state,
            &lang,
            &access_token,
            message,
            Some(retry_after_secs),
        )
        .await;
    }
    let renewed = private_link::renew(&mut conn, &state.cfg, &access_token, now)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("renewing a private link: {e}")))?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    match renewed {
        Renewed::Mailed { to } => {
            state.mail_wake.notify_one();
            let body = RelinkedPage {
                chrome: Chrome::new(&state, &lang, "/track"),
                to,
            };
            let mut res = page_no_store(StatusCode::OK, &lang, body);
            private_headers(&mut res);
            Ok(res)
        }
        Renewed::Shown { access_token } => {
            let to = format!("/t/{access_token}?done={RENEW_ACTION}#private-link");
            Ok(Redirect::to(&to).into_response())
        }
    }
}

/// The track page again with the renewal's refusal in the link's card.
async fn refused(
    state: &AppState,
    lang: &RequestLang,
    access_token: &str,
    message: String,
    retry_after_secs: Option<u32>,
) -> AppResult<Response> {
    let attempt = Attempt {
        action: RENEW_ACTION.to_string(),
        error: message,
        values: Vec::new(),
    };
    let status = match retry_after_secs {
        Some(_) => StatusCode::TOO_MANY_REQUESTS,
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let mut res = page::render_with(
        state,
        lang,
        access_token,
        Some(attempt),
        None,
        false,
        status,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    if let Some(secs) = retry_after_secs {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(res)
}
