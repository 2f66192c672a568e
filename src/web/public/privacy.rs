//! `/privacy`: the personal-data processing notice (Luật 91/2025/QH15, NĐ 356/2025/NĐ-CP)
//! with its version, and the form of a data-subject request (access, correction,
//! deletion, objection, other). The form is checked here and counted against the
//! sender's address; [`crate::handling::privacy`] stores the request, due 2 working days
//! later, and mails the admins in the same transaction.

use anyhow::Context as _;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;

use crate::domain::form_token::{FormKind, TokenError};
use crate::handling::Context;
use crate::handling::privacy::{
    self, ANSWER_WORKING_DAYS, BODY_MAX, BODY_MIN, KINDS, NAME_MAX, RequestValues, ValidRequest,
    validate,
};
use crate::i18n::Tr;
use crate::web::kit::Fields;
use crate::web::kit::RequestLang;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::detached;
use crate::web::kit::error::AppResult;
use crate::web::kit::rate_limit::{Decision, address_subject};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Chrome, page_no_store};

pub const PATH: &str = "/privacy";
const PER_IP: &str = "privacy_ip";

pub struct KindChoice {
    pub code: &'static str,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "privacy.html")]
pub struct PrivacyPage {
    pub chrome: Chrome,
    pub version: String,
    pub retention_years: i64,
    pub answer_days: i64,
    pub kinds: Vec<KindChoice>,
    pub token: String,
    pub v: RequestValues,
    /// (field, message) in form order.
    pub errors: Vec<(&'static str, String)>,
    pub notice: Option<String>,
    pub sent: bool,
}

impl PrivacyPage {
    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

fn render(
    state: &AppState,
    lang: &RequestLang,
    status: StatusCode,
    v: RequestValues,
    errors: Vec<(&'static str, String)>,
    notice: Option<String>,
    sent: bool,
) -> Response {
    let chrome = Chrome::new(state, lang, PATH);
    let t = chrome.t;
    let body = PrivacyPage {
        version: state.cfg.privacy.notice_version.clone(),
        retention_years: i64::from(state.cfg.privacy.retention_years),
        answer_days: i64::from(ANSWER_WORKING_DAYS),
        kinds: KINDS
            .iter()
            .map(|k| KindChoice {
                code: k,
                label: t.t(&format!("privacy-kind-{k}")),
            })
            .collect(),
        token: state.tokens.issue_now(FormKind::Privacy),
        v,
        errors,
        notice,
        sent,
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
    let v = RequestValues {
        kind: "access".into(),
        ..RequestValues::default()
    };
    render(
        &state,
        &lang,
        StatusCode::OK,
        v,
        Vec::new(),
        None,
        q.sent.is_some(),
    )
}

/// The message id of a refused form token (an expired one is said so: the form is
/// simply sent again).
fn token_problem(state: &AppState, token: &str) -> Option<&'static str> {
    let checked = state.tokens.verify(
        token,
        FormKind::Privacy,
        Utc::now().timestamp(),
        state.cfg.security.form_token_max_age_secs,
    );
    match checked {
        Ok(_) => None,
        Err(TokenError::Expired { .. }) => Some("track-form-expired"),
        Err(_) => Some("track-form-invalid"),
    }
}

/// The messages of the refused fields, with the limits they name.
fn error_messages(t: Tr, errors: Vec<(&'static str, &'static str)>) -> Vec<(&'static str, String)> {
    errors
        .into_iter()
        .map(|(field, id)| {
            let msg = match id {
                "privacy-err-too-long" if field == "name" => {
                    t.t1("err-too-long", "count", NAME_MAX as i64)
                }
                "privacy-err-too-long" => t.t1("err-too-long", "count", BODY_MAX as i64),
                "privacy-err-too-short" => t.t1("err-too-short", "count", BODY_MIN as i64),
                other => t.t(other),
            };
            (field, msg)
        })
        .collect()
}

/// Counts the request against its address's limit: `Some(retry after, in seconds)` when
/// over it. Exempt addresses are never counted.
async fn limited(state: &AppState, ip: std::net::IpAddr) -> AppResult<Option<u32>> {
    if state.is_exempt(ip) {
        return Ok(None);
    }
    let limit = state.cfg.limits.privacy_per_ip;
    let mut conn = state.pool.get().await?;
    let decision = state
        .rate_limit(&mut conn, PER_IP, &address_subject(ip), limit)
        .await?;
    Ok(match decision {
        Decision::Limited { retry_after_secs } => Some(retry_after_secs),
        Decision::Allowed => None,
    })
}

pub async fn submit(
    State(state): State<SharedState>,
    lang: RequestLang,
    ClientIp(ip): ClientIp,
    fields: Fields,
) -> AppResult<Response> {
    let t = lang.tr();
    let v = RequestValues {
        kind: fields.get("kind").to_string(),
        name: fields.get("name").to_string(),
        contact: fields.get("contact").to_string(),
        body: fields.get("body").to_string(),
    };
    let refused = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(id) = token_problem(&state, fields.get("form_token")) {
        return Ok(render(
            &state,
            &lang,
            refused,
            v,
            Vec::new(),
            Some(t.t(id)),
            false,
        ));
    }
    let valid = match validate(&v) {
        Ok(valid) => valid,
        Err(errors) => {
            let errors = error_messages(t, errors);
            return Ok(render(&state, &lang, refused, v, errors, None, false));
        }
    };
    if let Some(retry_after_secs) = limited(&state, ip).await? {
        tracing::info!("privacy request limited");
        let notice = Some(t.t("notice-rate-limited"));
        let status = StatusCode::TOO_MANY_REQUESTS;
        let mut res = render(&state, &lang, status, v, Vec::new(), notice, false);
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        return Ok(res);
    }
    // Stored and mailed to its end even if the client goes away.
    Ok(detached(store(state, valid)).await)
}

/// Stores the request and queues the admins' mail ([`privacy::receive`]), then wakes the
/// mail worker.
async fn store(state: SharedState, req: ValidRequest) -> AppResult<Response> {
    let reference = state.reference.get();
    let ctx = Context::now(&state.cfg, &reference);
    let mut conn = state.pool.get().await?;
    let received = privacy::receive(&mut conn, &ctx, &req)
        .await
        .context("storing a privacy request")?;
    drop(conn);
    if received.mails > 0 {
        state.mail_wake.notify_one();
    }
    Ok(Redirect::to(&format!("{PATH}?sent=1#request")).into_response())
}
