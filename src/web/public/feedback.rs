//! `GET /feedback/new` and `POST /feedback`: the filing form and its submission.
//!
//! The form carries a stateless signed token (anti-forgery, idempotency key, fill-time
//! clock). Whatever goes wrong, the citizen gets the form back with what they typed and
//! the files that passed; only a valid filing leaves, with a 303 to its private page.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};

use crate::domain::attachment::FileRefusal;
use crate::domain::feedback::{Channel, FeedbackValues, ValidFeedback};
use crate::domain::form_token::{FormKind, TokenError};
use crate::domain::reference::Reference;
use crate::handling::filing::{self, FilingMeta, FilingOutcome};
use crate::handling::stash::Kept as KeptFiles;
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::error::{AppError, AppResult, retry_later};
use crate::web::kit::field_labels;
use crate::web::kit::messages::{field_message, file_message};
use crate::web::kit::outage;
use crate::web::kit::rate_limit::{
    Decision, MAIL_PER_RECIPIENT, address_subject, wide_address_subject,
};
use crate::web::kit::stash::{self, KeptFile};
use crate::web::kit::upload::{self, ParsedForm};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Chrome, detached, page_no_store};

/// The honeypot field: invisible to people, tempting to robots.
pub const HONEYPOT: &str = "website";
pub const TOKEN_FIELD: &str = "form_token";

pub struct Choice {
    pub code: String,
    pub name: String,
}

pub struct LinkView {
    pub label: String,
    pub url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "feedback_form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub token: String,
    pub v: FeedbackValues,
    /// (field name, message), in form order.
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
    pub fields: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub kept_files: Vec<KeptFile>,
    pub max_files: i64,
    pub max_file_mb: i64,
    pub elsewhere: Vec<LinkView>,
}

impl FormPage {
    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_str())
    }

    pub fn has_err(&self, name: &str) -> bool {
        self.err(name).is_some()
    }

    /// `aria-describedby` for a field: its hint and, when present, its error.
    pub fn described_by(&self, name: &str, hint: bool) -> String {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{name}-hint"));
        }
        if self.has_err(name) {
            ids.push(format!("{name}-error"));
        }
        ids.join(" ")
    }

    /// The message id of a field's label, which the error summary puts before the field's
    /// message ("Họ và tên: Vui lòng nhập mục này.").
    pub fn label_id(&self, name: &str) -> &'static str {
        field_labels::label_id(name)
    }

    pub fn is_org(&self) -> bool {
        self.v.submitter_kind == "organization"
    }
}

/// Builds the form page; the caller picks the status.
async fn form_page(
    state: &AppState,
    lang: &RequestLang,
    token: String,
    values: FeedbackValues,
    errors: Vec<(String, String)>,
    notice: Option<String>,
    stash_key: Option<&str>,
) -> AppResult<FormPage> {
    let reference = state.reference.get();
    let t = lang.tr();
    let kept_files = match stash_key {
        Some(key) => stash::kept_files(state, key).await?,
        None => Vec::new(),
    };
    Ok(FormPage {
        chrome: Chrome::new(state, lang, "/feedback/new"),
        token,
        v: values,
        errors,
        notice,
        fields: reference
            .active_fields()
            .map(|f| Choice {
                code: f.code.clone(),
                name: t.pick(&f.name_vi, &f.name_en).to_string(),
            })
            .collect(),
        categories: reference
            .active_categories()
            .map(|c| Choice {
                code: c.code.clone(),
                name: t.pick(&c.name_vi, &c.name_en).to_string(),
            })
            .collect(),
        kept_files,
        max_files: state.cfg.uploads.max_files as i64,
        max_file_mb: state.cfg.uploads.max_file_mb as i64,
        elsewhere: state
            .cfg
            .site
            .elsewhere
            .iter()
            .map(|l| LinkView {
                label: t.pick(&l.label_vi, &l.label_en).to_string(),
                url: l.url.clone(),
            })
            .collect(),
    })
}

pub async fn new_form(State(state): State<SharedState>, lang: RequestLang) -> AppResult<Response> {
    let token = state.tokens.issue_now(FormKind::Feedback);
    let values = FeedbackValues {
        submitter_kind: "individual".into(),
        ..FeedbackValues::default()
    };
    let body = form_page(&state, &lang, token, values, Vec::new(), None, None).await?;
    Ok(page_no_store(StatusCode::OK, &lang, body))
}

pub async fn submit(
    State(state): State<SharedState>,
    lang: RequestLang,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let form = match upload::read_form(&state, Some(ip), &headers, body, "filing", || {
        AppError::NotFound.into_response()
    })
    .await
    {
        Ok(form) => form,
        Err(answer) => return answer,
    };
    // The rest runs to its end even if the client goes away: a dropped connection must
    // never half-file a PAKN.
    detached(async move { process(&state, &lang, ip, form).await }).await
}

/// How a submission ends.
enum FormOutcome {
    /// Filed, now or by an earlier post of the same form: on to its private page.
    Filed { access_token: String },
    /// The form comes back.
    Again(Again),
}

/// The form shown again with what was typed, under `token`, with the files that passed
/// kept under `key`; a notice above it or the fields' messages; its status (and, when
/// limited, when to retry).
struct Again {
    status: StatusCode,
    token: String,
    key: String,
    notice: Option<String>,
    errors: Vec<(String, String)>,
    retry_after_secs: Option<u32>,
    /// Whether the files that passed are kept for the form shown again: not for a form
    /// whose token is not ours nor for an address over its filing limit, so that
    /// nobody fills the database with files sent under a bogus token (security review,
    /// finding 3).
    keep_files: bool,
}

impl Again {
    /// The form under `token`, with a notice above it.
    fn notice(status: StatusCode, token: String, key: String, notice: String) -> FormOutcome {
        FormOutcome::Again(Again {
            status,
            token,
            key,
            notice: Some(notice),
            errors: Vec::new(),
            retry_after_secs: None,
            keep_files: true,
        })
    }

    /// As [`Again::notice`], its files not kept.
    fn without_files(outcome: FormOutcome) -> FormOutcome {
        match outcome {
            FormOutcome::Again(again) => FormOutcome::Again(Again {
                keep_files: false,
                ..again
            }),
            filed => filed,
        }
    }
}

async fn process(
    state: &AppState,
    lang: &RequestLang,
    ip: std::net::IpAddr,
    form: ParsedForm,
) -> AppResult<Response> {
    let mut values = FeedbackValues::default();
    for (name, value) in &form.fields {
        values.set(name, value.clone());
    }
    let answer = match decide(state, lang, ip, &form, &values).await {
        Ok(outcome) => respond(state, lang, ip, &form, values.clone(), outcome).await,
        Err(e) => Err(e),
    };
    match answer {
        Err(e) if e.is_outage() => {
            tracing::error!(error = %e, "database unavailable: the form goes back unfiled");
            outage_form(state, lang, &form, values).await
        }
        other => other,
    }
}

/// The form again after a database outage: 503 with `Retry-After`, what was typed, and
/// a notice that nothing was filed, with the hotline. The same form token, so that
/// sending it again files it once (or finds it, had the commit gone through unseen).
/// Files cannot be kept without the database: the notice asks for them again.
async fn outage_form(
    state: &AppState,
    lang: &RequestLang,
    form: &ParsedForm,
    values: FeedbackValues,
) -> AppResult<Response> {
    let t = lang.tr();
    let token = match form.get(TOKEN_FIELD) {
        Some(token) => token.to_string(),
        None => state.tokens.issue_now(FormKind::Feedback),
    };
    let hotline = outage::first_hotline(&state.reference.get()).unwrap_or_default();
    let mut notice = t.t1("notice-outage", "hotline", hotline);
    if !form.files.is_empty() {
        notice.push(' ');
        notice.push_str(&t.t("notice-outage-files"));
    }
    let body = form_page(state, lang, token, values, Vec::new(), Some(notice), None).await?;
    Ok(retry_later(page_no_store(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        body,
    )))
}

/// The one responder: the private page, or the form again (its files kept first, so
/// that it lists them).
async fn respond(
    state: &AppState,
    lang: &RequestLang,
    ip: std::net::IpAddr,
    form: &ParsedForm,
    values: FeedbackValues,
    outcome: FormOutcome,
) -> AppResult<Response> {
    let again = match outcome {
        FormOutcome::Filed { access_token } => {
            return Ok(Redirect::to(&format!("/t/{access_token}")).into_response());
        }
        FormOutcome::Again(again) => again,
    };
    let kept = again.keep_files && stash_for_citizen(state, ip, &again.key, form).await?;
    let mut notice = again.notice;
    if !kept && !form.files.is_empty() {
        // The citizen must attach them again: say so (security review, finding 3).
        let reattach = lang.tr().t("notice-files-not-kept");
        notice = Some(match notice {
            Some(n) => format!("{n} {reattach}"),
            None => reattach,
        });
    }
    let body = form_page(
        state,
        lang,
        again.token,
        values,
        again.errors,
        notice,
        Some(&again.key),
    )
    .await?;
    let mut res = page_no_store(again.status, lang, body);
    if let Some(secs) = again.retry_after_secs {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    Ok(res)
}

/// The steps of a submission, in order; the first that refuses decides.
async fn decide(
    state: &AppState,
    lang: &RequestLang,
    ip: std::net::IpAddr,
    form: &ParsedForm,
    values: &FeedbackValues,
) -> AppResult<FormOutcome> {
    let t = lang.tr();
    let now = Utc::now();
    // 1. The token. A bad or old one never refuses: the form comes back, fresh.
    let Sent {
        token,
        key,
        age_secs,
    } = match check_token(state, &t, form, now)? {
        Ok(sent) => sent,
        Err(again) => return Ok(again),
    };
    // 2. A body over the limit: keep what arrived, say why.
    if form.body_too_large {
        let mb = (state.upload_body_limit() / (1024 * 1024)) as i64;
        let notice = t.t1("notice-body-too-large", "mb", mb);
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        return Ok(Again::notice(status, token, key, notice));
    }
    // 3. The rate limit per address.
    if let Some(retry_after_secs) = submit_limited(state, ip).await? {
        return Ok(FormOutcome::Again(Again {
            status: StatusCode::TOO_MANY_REQUESTS,
            token,
            key,
            notice: Some(t.t("notice-rate-limited")),
            errors: Vec::new(),
            retry_after_secs: Some(retry_after_secs),
            keep_files: false,
        }));
    }
    // 4. Validation.
    let reference = state.reference.get();
    let keep = stash::chosen(form);
    let valid = match validate(state, &t, &reference, form, values, keep.len()) {
        Ok(valid) => valid,
        Err(errors) => {
            return Ok(FormOutcome::Again(Again {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token,
                key,
                notice: None,
                errors,
                retry_after_secs: None,
                keep_files: true,
            }));
        }
    };
    // 5. Store. A fast or honeypot filing is stored and flagged, never refused.
    let spam_reasons = spam_reasons(state, form, age_secs);
    let meta = FilingMeta {
        channel: Channel::Web,
        external_ref: None,
        external_ref_date: None,
        entered_by: None,
        lang: lang.lang.code().into(),
        idempotency_key: Some(key),
        suspected_spam: !spam_reasons.is_empty(),
        spam_reasons,
        received_at: now,
        keep_stashed: keep,
        skip_acknowledgement: false,
    };
    let exempt = state.is_exempt(ip);
    store(state, &t, &reference, form, &valid, &meta, exempt).await
}

/// A form's own valid token, its key (its issue time and nonce,
/// [`crate::domain::form_token::VerifiedToken::filing_key`]: the filing's idempotency
/// key and where its files are kept) and how long ago it was issued.
struct Sent {
    token: String,
    key: String,
    age_secs: i64,
}

/// The form's token, or the form again under a fresh one (expired or not valid).
fn check_token(
    state: &AppState,
    t: &Tr,
    form: &ParsedForm,
    now: DateTime<Utc>,
) -> AppResult<Result<Sent, FormOutcome>> {
    let token = form.get(TOKEN_FIELD).unwrap_or_default().to_string();
    let verified = state.tokens.verify(
        &token,
        FormKind::Feedback,
        now.timestamp(),
        state.cfg.security.form_token_max_age_secs,
    );
    match verified {
        Ok(v) => Ok(Ok(Sent {
            key: v.filing_key(),
            age_secs: v.age_secs,
            token,
        })),
        Err(e) => {
            let (fresh, fresh_key) = fresh_token(state, now)?;
            let notice_id = match e {
                TokenError::Expired { .. } => "notice-form-expired",
                _ => "notice-form-invalid",
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let again = Again::notice(status, fresh, fresh_key, t.t(notice_id));
            // A form of ours that waited too long keeps its files; a token that is not
            // ours does not.
            Ok(Err(match e {
                TokenError::Expired { .. } => again,
                _ => Again::without_files(again),
            }))
        }
    }
}

/// A fresh token for a form shown again, and its key.
fn fresh_token(state: &AppState, now: DateTime<Utc>) -> AppResult<(String, String)> {
    let fresh = state.tokens.issue_now(FormKind::Feedback);
    let max_age = state.cfg.security.form_token_max_age_secs;
    let key = state
        .tokens
        .verify(&fresh, FormKind::Feedback, now.timestamp(), max_age)
        .map(|v| v.filing_key())
        .map_err(|e| anyhow::anyhow!("a fresh token does not verify: {e}"))?;
    Ok((fresh, key))
}

/// When this address has filed often enough: the seconds until it may again.
async fn submit_limited(state: &AppState, ip: std::net::IpAddr) -> AppResult<Option<u32>> {
    if state.is_exempt(ip) {
        return Ok(None);
    }
    let mut conn = state.pool.get().await?;
    let decision = state
        .rate_limit(
            &mut conn,
            "submit",
            &address_subject(ip),
            state.cfg.limits.submit_per_ip,
        )
        .await?;
    Ok(match decision {
        Decision::Limited { retry_after_secs } => Some(retry_after_secs),
        Decision::Allowed => None,
    })
}

/// The fields' messages in form order, with the files' problems (refused files, and more
/// files than allowed counting the `kept` ones) just before the consent.
fn validate(
    state: &AppState,
    t: &Tr,
    reference: &Reference,
    form: &ParsedForm,
    values: &FeedbackValues,
    kept: usize,
) -> Result<ValidFeedback, Vec<(String, String)>> {
    let checked = reference.validate_feedback(values);
    let mut errors: Vec<(String, String)> = match &checked {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .iter()
            .map(|(name, e)| (name.to_string(), field_message(t, *e)))
            .collect(),
    };
    let max_mb = state.cfg.uploads.max_file_mb;
    let max_files = state.cfg.uploads.max_files;
    let mut file_errors: Vec<String> = form
        .refused
        .iter()
        .map(|r| file_message(t, &r.filename, r.reason, max_mb, max_files))
        .collect();
    if form.files.len() + kept > max_files {
        file_errors.push(file_message(t, "", FileRefusal::TooMany, max_mb, max_files));
    }
    if !file_errors.is_empty() {
        let at = errors
            .iter()
            .position(|(n, _)| n == "consent")
            .unwrap_or(errors.len());
        errors.insert(at, ("attachments".to_string(), file_errors.join(" ")));
    }
    match checked {
        Ok(valid) if errors.is_empty() => Ok(valid),
        _ => Err(errors),
    }
}

/// Why a filing looks automated: sent faster than a person fills the form, or with the
/// honeypot filled.
fn spam_reasons(state: &AppState, form: &ParsedForm, age_secs: i64) -> Vec<String> {
    let mut reasons = Vec::new();
    if age_secs < state.cfg.spam.min_fill_secs {
        reasons.push("fast".to_string());
    }
    if form.get(HONEYPOT).is_some_and(|v| !v.trim().is_empty()) {
        reasons.push("honeypot".to_string());
    }
    reasons
}

/// Files the PAKN. The same form with other content (a cached or edited form) comes back
/// as a new form, its files kept under the new key.
async fn store(
    state: &AppState,
    t: &Tr,
    reference: &Reference,
    form: &ParsedForm,
    valid: &ValidFeedback,
    meta: &FilingMeta,
    exempt: bool,
) -> AppResult<FormOutcome> {
    let files = form.checked_files();
    let ack = if exempt {
        Ack::NotCounted
    } else {
        let mut conn = state.pool.get().await?;
        count_acknowledgement(state, &mut conn, valid).await?
    };
    let meta = &FilingMeta {
        skip_acknowledgement: ack == Ack::OverLimit,
        ..meta.clone()
    };
    let outcome = filing::file_grouped(
        &state.filings,
        &state.pool,
        &state.cfg,
        reference,
        valid,
        &files,
        meta,
    )
    .await?;
    if ack == Ack::Counted && !matches!(outcome, FilingOutcome::Created { .. }) {
        // Nothing new was filed, so nothing was mailed: the count goes back.
        let (email, limit) = (
            valid.email.as_deref().unwrap_or_default(),
            mail_limit(state),
        );
        let mut conn = state.pool.get().await?;
        state
            .rate_limit_refund(&mut conn, MAIL_PER_RECIPIENT, email, limit)
            .await?;
    }
    if meta.skip_acknowledgement {
        tracing::info!("acknowledgement skipped: the address was mailed often enough");
    }
    Ok(match outcome {
        FilingOutcome::Created { access_token, .. } => {
            state.mail_wake.notify_one();
            tracing::info!("filed a PAKN");
            FormOutcome::Filed { access_token }
        }
        FilingOutcome::AlreadyFiled { access_token } => FormOutcome::Filed { access_token },
        FilingOutcome::TokenReused => {
            let (fresh, fresh_key) = fresh_token(state, meta.received_at)?;
            Again::notice(
                StatusCode::CONFLICT,
                fresh,
                fresh_key,
                t.t("notice-form-reused"),
            )
        }
    })
}

fn mail_limit(state: &AppState) -> crate::config::Limit {
    state.cfg.limits.mail_per_address
}

/// What becomes of a filing's acknowledgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ack {
    /// No email given, or sent from an address in `[limits] exempt` (a load generator,
    /// an office): it goes if there is an email, uncounted.
    NotCounted,
    /// Counted against the address's limit: it goes.
    Counted,
    /// The address was mailed often enough: the PAKN is filed without it.
    OverLimit,
}

/// Counts the acknowledgement a filing with an email would send against `[limits]
/// mail_per_address`, in the bucket forgotten codes count in too (security review,
/// finding 11). One statement on the filing's connection, only when an email was given
/// (and the sender is not exempt), so the filing benchmark's exempt load pays nothing.
async fn count_acknowledgement(
    state: &AppState,
    conn: &mut diesel_async::AsyncPgConnection,
    valid: &ValidFeedback,
) -> AppResult<Ack> {
    let Some(email) = valid.email.as_deref() else {
        return Ok(Ack::NotCounted);
    };
    let decision = state
        .rate_limit(conn, MAIL_PER_RECIPIENT, email, mail_limit(state))
        .await?;
    Ok(match decision {
        Decision::Allowed => Ack::Counted,
        Decision::Limited { .. } => Ack::OverLimit,
    })
}

/// As [`stash::keep_accepted`] for the public form, within `[limits] stash_per_ip` (per
/// IPv4 address or IPv6 /48) and the byte budgets: past them the files are not kept (the
/// form comes back without them and says to attach them again), so nobody can fill the
/// database with forms that are never sent right. Whether they were kept.
async fn stash_for_citizen(
    state: &AppState,
    ip: std::net::IpAddr,
    key: &str,
    form: &ParsedForm,
) -> AppResult<bool> {
    if form.files.is_empty() {
        return Ok(true);
    }
    if !state.is_exempt(ip) {
        let mut conn = state.pool.get().await?;
        let decision = state
            .rate_limit(
                &mut conn,
                "stash",
                &wide_address_subject(ip),
                state.cfg.limits.stash_per_ip,
            )
            .await?;
        if let Decision::Limited { .. } = decision {
            tracing::info!("files not kept: this address kept files often enough");
            return Ok(false);
        }
    }
    Ok(
        match stash::keep_accepted(state, Some(ip), key, form).await? {
            KeptFiles::Files(_) => true,
            KeptFiles::OverBudget => {
                tracing::info!("files not kept: over the stash's byte budget");
                false
            }
        },
    )
}
