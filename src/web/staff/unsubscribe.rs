//! `/digests/unsubscribe/{token}`: the one-click unsubscribe link of every digest
//! (`List-Unsubscribe`, RFC 8058). No login, no cookie, no form token: a mail provider
//! posts it on the user's behalf (`List-Unsubscribe=One-Click`), so the signed token is
//! the only authority, and it can only turn the digest it names off (posting it again
//! changes nothing). `GET` shows a page with a button that posts; a forged or altered
//! token is answered 404.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::domain::digest::{DigestKind, UnsubscribeKey};
use crate::handling::digest_settings;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::{AppState, Chrome, RequestLang, SharedState, detached, page_no_store};

pub const PATH: &str = "/digests/unsubscribe/{token}";

#[derive(Template, WebTemplate)]
#[template(path = "digest_unsubscribe.html")]
struct UnsubscribePage {
    chrome: Chrome,
    /// The form's target (this page, keeping the language).
    action: String,
    what: String,
    done: bool,
}

fn verified(state: &AppState, token: &str) -> AppResult<(i32, DigestKind)> {
    UnsubscribeKey::new(&state.secret)
        .verify(token)
        .ok_or(AppError::NotFound)
}

fn render(
    state: &AppState,
    lang: &RequestLang,
    token: &str,
    kind: DigestKind,
    done: bool,
) -> Response {
    let path = format!("/digests/unsubscribe/{token}");
    let chrome = Chrome::new(state, lang, &path);
    let what = chrome.t.t(&kind.message_id("digest-unsub-what"));
    let body = UnsubscribePage {
        action: format!("{path}?lang={}", lang.lang.code()),
        what,
        done,
        chrome,
    };
    page_no_store(StatusCode::OK, lang, body)
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (_, kind) = verified(&state, &token)?;
    Ok(render(&state, &lang, &token, kind, false))
}

/// Turns the digest off; the body (`List-Unsubscribe=One-Click`, or the page's button)
/// is not read.
pub async fn confirm(
    State(state): State<SharedState>,
    lang: RequestLang,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let (user_id, kind) = verified(&state, &token)?;
    Ok(detached(async move {
        let mut conn = state.pool.get().await?;
        digest_settings::unsubscribe(&mut conn, user_id, kind)
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("unsubscribing")))?;
        drop(conn);
        Ok(render(&state, &lang, &token, kind, true))
    })
    .await)
}
