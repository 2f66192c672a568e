//! `GET|POST /staff/tickets/new`: staff enter a PAKN received by phone, email, post, in
//! person or forwarded by another system, with its channel, the external reference and
//! date, the receipt date, and themselves as the officer who took it. It is routed and
//! mailed like a web filing. `GET /staff/tickets/{code}/receipt`: the printable receipt
//! for the citizen.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};

use super::access::Viewer;
use crate::auth::StaffUser;
use crate::domain::calendar::{format_date, format_datetime, local_date, vn_offset};
use crate::domain::feedback::{self, FeedbackValues};
use crate::filing::{self, FilingMeta, FilingOutcome};
use crate::web::SharedState;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::{RequestLang, Tr};
use crate::web::public::feedback::field_message;
use crate::web::staff::{Fields, StaffChrome, check_csrf};

/// Channels staff enter (the web form files itself).
pub const CHANNELS: [&str; 6] = [
    "phone",
    "email",
    "post",
    "in_person",
    "national_portal",
    "provincial_committee",
];

pub struct Choice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/entry.html")]
pub struct EntryPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub v: FeedbackValues,
    pub channel: String,
    pub external_ref: String,
    pub external_ref_date: String,
    pub received_on: String,
    pub errors: Vec<(String, String)>,
    pub channels: Vec<Choice>,
    pub fields: Vec<Choice>,
    pub categories: Vec<Choice>,
}

impl EntryPage {
    pub fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m.as_str())
    }
}

#[allow(clippy::too_many_arguments)]
fn entry_page(
    state: &crate::web::AppState,
    lang: &RequestLang,
    user: &StaffUser,
    v: FeedbackValues,
    channel: &str,
    external_ref: &str,
    external_ref_date: &str,
    received_on: &str,
    errors: Vec<(String, String)>,
) -> EntryPage {
    let t = lang.tr();
    let reference = state.reference.get();
    EntryPage {
        chrome: StaffChrome::new(state, lang, user, "/staff/tickets/new"),
        t,
        channels: CHANNELS
            .iter()
            .map(|c| Choice {
                code: c.to_string(),
                name: t.t(&format!("channel-{}", c.replace('_', "-"))),
                selected: *c == channel,
            })
            .collect(),
        fields: reference
            .active_fields()
            .map(|f| Choice {
                code: f.code.clone(),
                name: t.pick(&f.name_vi, &f.name_en).to_string(),
                selected: f.code == v.field,
            })
            .collect(),
        categories: reference
            .active_categories()
            .map(|c| Choice {
                code: c.code.clone(),
                name: t.pick(&c.name_vi, &c.name_en).to_string(),
                selected: c.code == v.content_category,
            })
            .collect(),
        v,
        channel: channel.to_string(),
        external_ref: external_ref.to_string(),
        external_ref_date: external_ref_date.to_string(),
        received_on: received_on.to_string(),
        errors,
    }
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

pub async fn new_form(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
) -> AppResult<Response> {
    if !Viewer::of(&user).can_act() {
        return Err(AppError::NotFound);
    }
    let v = FeedbackValues {
        submitter_kind: "individual".into(),
        ..FeedbackValues::default()
    };
    let today = local_date(Utc::now()).format("%Y-%m-%d").to_string();
    Ok(entry_page(&state, &lang, &user, v, "phone", "", "", &today, Vec::new()).into_response())
}

pub async fn create(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&user, fields.get("csrf"))?;
    let viewer = Viewer::of(&user);
    if !viewer.can_act() {
        return Err(AppError::NotFound);
    }
    let t = lang.tr();
    let mut v = FeedbackValues::default();
    for name in feedback::FIELD_NAMES {
        v.set(name, fields.get(name).to_string());
    }
    // Staff read the processing notice to the citizen; the consent is theirs to record.
    v.consent = true;
    let channel = fields.get("channel").to_string();
    let external_ref = fields.get("external_ref").trim().to_string();
    let external_ref_date = fields.get("external_ref_date").trim().to_string();
    let received_on = fields.get("received_on").trim().to_string();
    let reference = state.reference.get();
    let checked = reference.validate_feedback(&v);
    let mut errors: Vec<(String, String)> = match &checked {
        Ok(_) => Vec::new(),
        Err(errs) => errs
            .iter()
            .map(|(n, e)| (n.to_string(), field_message(&t, *e)))
            .collect(),
    };
    if !CHANNELS.contains(&channel.as_str()) {
        errors.push(("channel".into(), t.t("err-choice")));
    }
    let ref_date = if external_ref_date.is_empty() {
        None
    } else {
        let d = parse_date(&external_ref_date);
        if d.is_none() {
            errors.push(("external_ref_date".into(), t.t("err-date")));
        }
        d
    };
    let now = Utc::now();
    let today = local_date(now);
    let received_at = match parse_date(&received_on) {
        Some(d) if d == today => now,
        Some(d) if d < today => {
            // A letter received on an earlier day counts from that day (noon, local).
            let noon = d.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
            vn_offset()
                .from_local_datetime(&noon)
                .single()
                .map(|l| l.to_utc())
                .unwrap_or(now)
        }
        _ => {
            errors.push(("received_on".into(), t.t("err-date")));
            now
        }
    };
    let valid = match checked {
        Ok(valid) if errors.is_empty() => valid,
        _ => {
            let page = entry_page(
                &state,
                &lang,
                &user,
                v,
                &channel,
                &external_ref,
                &external_ref_date,
                &received_on,
                errors,
            );
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let meta = FilingMeta {
        channel,
        external_ref: (!external_ref.is_empty()).then_some(external_ref),
        external_ref_date: ref_date,
        entered_by: Some(user.id),
        lang: "vi".into(),
        idempotency_key: None,
        suspected_spam: false,
        spam_reasons: Vec::new(),
        received_at,
        keep_stashed: Vec::new(),
    };
    let mut conn = state.pool.get().await?;
    let outcome = filing::file(&mut conn, &state.cfg, &reference, &valid, &[], &meta).await?;
    drop(conn);
    match outcome {
        FilingOutcome::Created { code, .. } => {
            state.mail_wake.notify_one();
            tracing::info!("staff entered a PAKN");
            Ok(Redirect::to(&format!("/staff/tickets/{}/receipt", code.as_str())).into_response())
        }
        other => Err(AppError::Internal(anyhow::anyhow!(
            "unexpected staff filing outcome {other:?}"
        ))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/entry_receipt.html")]
pub struct ReceiptPrint {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub code: String,
    pub title: String,
    pub channel: String,
    pub received: String,
    pub reply_due: String,
    pub private_url: String,
    pub track_url: String,
}

pub async fn receipt(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let viewer = Viewer::of(&user);
    let code =
        crate::domain::tracking_code::TrackingCode::parse(&code).ok_or(AppError::NotFound)?;
    let mut conn = state.pool.get().await?;
    let ticket = crate::db::tickets::by_code(&mut conn, code.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    // The officer who entered it prints the receipt even when it was routed elsewhere.
    if !(viewer.may_see(ticket.unit_id) || ticket.entered_by == Some(user.id)) {
        return Err(AppError::NotFound);
    }
    let t = lang.tr();
    let token = crate::db::tickets::access_token_of(&mut conn, ticket.id).await?;
    drop(conn);
    let base = state
        .cfg
        .server
        .public_url
        .trim_end_matches('/')
        .to_string();
    let page = ReceiptPrint {
        chrome: StaffChrome::new(&state, &lang, &user, "/staff/tickets"),
        t,
        code: crate::domain::tracking_code::TrackingCode::parse(&ticket.code)
            .map(|c| c.display())
            .unwrap_or(ticket.code.clone()),
        title: ticket.title.clone(),
        channel: t.t(&format!("channel-{}", ticket.channel.replace('_', "-"))),
        received: format_datetime(ticket.received_at),
        reply_due: format_date(ticket.reply_due),
        private_url: format!("{base}/t/{token}"),
        track_url: format!("{base}/track"),
    };
    Ok(page.into_response())
}
