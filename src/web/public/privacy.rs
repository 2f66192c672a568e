//! `/privacy`: the personal-data processing notice (Luật 91/2025/QH15, NĐ 356/2025/NĐ-CP)
//! with its version, and the form of a data-subject request (access, correction,
//! deletion, objection, other). A request is stored in `privacy_requests`, due 2 working
//! days later, and mailed to the admins in the same transaction.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use diesel_async::AsyncConnection;
use serde::Deserialize;

use crate::db::privacy::{self, NewPrivacyRequest};
use crate::domain::calendar::{format_date, local_date};
use crate::domain::feedback::is_plausible_email;
use crate::domain::form_token::{FormKind, TokenError};
use crate::domain::phone::Phone;
use crate::mail::{self, citizen};
use crate::web::kit::Fields;
use crate::web::kit::RequestLang;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::rate_limit::{Decision, address_subject};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Chrome, page};

pub const PATH: &str = "/privacy";
const PER_IP: &str = "privacy_ip";
/// Working days within which a request is answered (NĐ 356/2025).
pub const ANSWER_WORKING_DAYS: u32 = 2;
pub const KINDS: [&str; 5] = ["access", "correction", "deletion", "objection", "other"];
const NAME_MAX: usize = 200;
const CONTACT_MAX: usize = 254;
const BODY_MIN: usize = 10;
const BODY_MAX: usize = 5000;

/// What the request form holds.
#[derive(Debug, Clone, Default)]
pub struct RequestValues {
    pub kind: String,
    pub name: String,
    pub contact: String,
    pub body: String,
}

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
    let mut res = page(lang, (status, body));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
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

/// A request as stored: the contact normalised (phone digits or lower-case email).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    pub kind: &'static str,
    pub name: String,
    pub contact: String,
    pub body: String,
}

/// Checks the form; the errors name message ids.
pub fn validate(v: &RequestValues) -> Result<ValidRequest, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let kind = KINDS.iter().find(|k| **k == v.kind).copied();
    if kind.is_none() {
        errors.push(("kind", "err-choice"));
    }
    let name: String = v.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        errors.push(("name", "err-required"));
    } else if name.chars().count() > NAME_MAX {
        errors.push(("name", "privacy-err-too-long"));
    }
    let contact_typed = v.contact.trim();
    let contact = if contact_typed.is_empty() {
        errors.push(("contact", "err-required"));
        String::new()
    } else if contact_typed.contains('@') {
        let email = contact_typed.to_lowercase();
        if !is_plausible_email(&email) || email.len() > CONTACT_MAX {
            errors.push(("contact", "privacy-err-contact"));
        }
        email
    } else {
        match Phone::parse(contact_typed) {
            Ok(p) => p.as_str().to_string(),
            Err(_) => {
                errors.push(("contact", "privacy-err-contact"));
                String::new()
            }
        }
    };
    let body = v.body.trim().to_string();
    let n = body.chars().count();
    if n == 0 {
        errors.push(("body", "err-required"));
    } else if n < BODY_MIN {
        errors.push(("body", "privacy-err-too-short"));
    } else if n > BODY_MAX {
        errors.push(("body", "privacy-err-too-long"));
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(ValidRequest {
            kind,
            name,
            contact,
            body,
        }),
        _ => Err(errors),
    }
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
    if let Err(e) = state.tokens.verify(
        fields.get("form_token"),
        FormKind::Privacy,
        Utc::now().timestamp(),
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
            v,
            Vec::new(),
            Some(t.t(id)),
            false,
        ));
    }
    let valid = match validate(&v) {
        Ok(valid) => valid,
        Err(errors) => {
            let errors = errors
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
                .collect();
            return Ok(render(
                &state,
                &lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                v,
                errors,
                None,
                false,
            ));
        }
    };
    if !state.is_exempt(ip) {
        let mut conn = state.pool.get().await?;
        let decision = state
            .rate_limit(
                &mut conn,
                PER_IP,
                &address_subject(ip),
                state.cfg.limits.privacy_per_ip,
            )
            .await?;
        drop(conn);
        if let Decision::Limited { retry_after_secs } = decision {
            tracing::info!("privacy request limited");
            let mut res = render(
                &state,
                &lang,
                StatusCode::TOO_MANY_REQUESTS,
                v,
                Vec::new(),
                Some(t.t("notice-rate-limited")),
                false,
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return Ok(res);
        }
    }
    // Stored and mailed to its end even if the client goes away.
    let task = {
        let state = state.clone();
        tokio::spawn(async move { store(&state, valid).await })
    };
    let id = task
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("privacy request task failed: {e}")))??;
    tracing::info!(privacy_request = id, "privacy request received");
    Ok(Redirect::to(&format!("{PATH}?sent=1#request")).into_response())
}

/// Stores the request and queues the admins' mail in one transaction.
async fn store(state: &AppState, req: ValidRequest) -> AppResult<i64> {
    let now = Utc::now();
    let reference = state.reference.get();
    let due_on = reference
        .calendar
        .add_working_days(local_date(now), ANSWER_WORKING_DAYS);
    let mut conn = state.pool.get().await?;
    let (id, mailed) = conn
        .transaction::<(i64, bool), AppError, _>(async |conn| {
            let id = privacy::insert(
                conn,
                &NewPrivacyRequest {
                    kind: req.kind,
                    name: &req.name,
                    contact: &req.contact,
                    body: &req.body,
                    due_on,
                },
            )
            .await?;
            let admins = privacy::admin_emails(conn).await?;
            if admins.is_empty() {
                tracing::warn!(
                    privacy_request = id,
                    due = %format_date(due_on),
                    "privacy request stored, but no active admin to mail"
                );
                return Ok((id, false));
            }
            let mail = citizen::privacy_request(
                &state.cfg,
                admins,
                &citizen::PrivacyRequestMail {
                    id,
                    kind: req.kind,
                    name: &req.name,
                    contact: &req.contact,
                    body: &req.body,
                    received_at: now,
                    due_on,
                },
            )?;
            mail::enqueue(conn, mail).await?;
            Ok((id, true))
        })
        .await?;
    drop(conn);
    if mailed {
        state.mail_wake.notify_one();
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(kind: &str, name: &str, contact: &str, body: &str) -> RequestValues {
        RequestValues {
            kind: kind.into(),
            name: name.into(),
            contact: contact.into(),
            body: body.into(),
        }
    }

    #[test]
    fn a_valid_request_is_normalised() {
        let ok = validate(&values(
            "deletion",
            "  Nguyễn   Thị Hoà ",
            "+84 983 570 009",
            "Đề nghị xoá dữ liệu của tôi.",
        ))
        .expect("valid");
        assert_eq!(ok.kind, "deletion");
        assert_eq!(ok.name, "Nguyễn Thị Hoà");
        assert_eq!(ok.contact, "0983570009");
        let ok = validate(&values(
            "access",
            "A",
            " Hoa@Example.VN ",
            "Cho tôi xem dữ liệu.",
        ))
        .expect("valid");
        assert_eq!(ok.contact, "hoa@example.vn");
    }

    #[test]
    fn errors_name_their_fields() {
        let errs = validate(&values("delete_all", "", "12345", "ngắn")).expect_err("invalid");
        let fields: Vec<&str> = errs.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["kind", "name", "contact", "body"]);
    }
}
