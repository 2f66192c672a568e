//! `/staff/admin/mail`: the mail in trouble (issue 15, part 6): failed mail and mail
//! pending longer than `[mail] stuck_after_secs`, newest first, at most [`SHOWN`], with
//! the PAKN it is about, its kind, its recipients (masked: an admin does not read PAKN
//! personal data), its attempts and the server's last answer. Each can be sent again,
//! or every failed one at once, through [`crate::handling::mail_fix::retry`] (what
//! `pakn outbox retry` does, audited).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{TimeDelta, Utc};
use serde::Deserialize;

use crate::handling::HandlingError;
use crate::handling::mail_fix::{self, Retry};
use crate::mail::sight;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::mail_lines::{self, MailLineView};
use crate::web::kit::{AdminUser, Fields, RequestLang, SharedState, StaffChrome};
use crate::web::kit::{check_csrf, detached, page};

/// The most mails the page lists.
pub const SHOWN: i64 = 200;
const PATH: &str = "/staff/admin/mail";

#[derive(Template, WebTemplate)]
#[template(path = "admin/mail.html")]
struct MailPage {
    chrome: StaffChrome,
    intro: String,
    mails: Vec<MailLineView>,
    failed: i64,
    /// The outcome of the retry just made.
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    /// How many mails the retry just made queued again.
    retried: Option<usize>,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    AdminUser(me): AdminUser,
    Query(query): Query<ShowQuery>,
) -> AppResult<Response> {
    let stuck_secs = state.cfg.mail.stuck_after_secs;
    let stuck = TimeDelta::seconds(i64::try_from(stuck_secs).unwrap_or(i64::MAX / 1000));
    let (lines, failed) = {
        let mut conn = state.pool.get().await?;
        let lines = sight::troubled(&mut conn, stuck, Utc::now(), SHOWN).await?;
        (lines, sight::failed_count(&mut conn).await?)
    };
    let chrome = StaffChrome::new(&state, &lang, &me, "/staff/admin");
    let t = chrome.t;
    let done = query.retried.map(|n| match n {
        0 => t.t("admin-mail-nothing"),
        n => t.t1("admin-mail-retried", "count", n as i64),
    });
    Ok(page(
        &lang,
        MailPage {
            intro: t.t2(
                "admin-mail-intro",
                "minutes",
                (stuck_secs / 60) as i64,
                "limit",
                SHOWN,
            ),
            mails: lines
                .iter()
                .map(|l| mail_lines::view(&t, l, false))
                .collect(),
            failed,
            done,
            chrome,
        },
    ))
}

/// `POST /staff/admin/mail/{id}/retry`.
pub async fn retry_one(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    Path(id): Path<i64>,
    fields: Fields,
) -> Response {
    detached(async move { retry(&state, &me, &fields, Retry::One(id)).await }).await
}

/// `POST /staff/admin/mail/retry-failed`.
pub async fn retry_failed(
    State(state): State<SharedState>,
    AdminUser(me): AdminUser,
    fields: Fields,
) -> Response {
    detached(async move { retry(&state, &me, &fields, Retry::AllFailed).await }).await
}

async fn retry(
    state: &SharedState,
    me: &crate::auth::StaffUser,
    fields: &Fields,
    what: Retry,
) -> AppResult<Response> {
    check_csrf(me, fields.get("csrf"))?;
    let n = {
        let mut conn = state.pool.get().await?;
        mail_fix::retry(&mut conn, &me.access, what).await
    };
    let n = match n {
        Ok(n) => n,
        Err(HandlingError::NotAllowed) => return Err(AppError::Forbidden),
        Err(e) => return Err(AppError::Internal(anyhow::anyhow!("retrying mail: {e}"))),
    };
    if n > 0 {
        state.mail_wake.notify_one();
    }
    Ok(Redirect::to(&format!("{PATH}?retried={n}")).into_response())
}
