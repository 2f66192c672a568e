//! `/t/{access_token}`: the citizen's private page, reached by the link in the receipt
//! and in every mail. Right after filing it is the receipt: the tracking code, what
//! happens next, the reply deadline; it prints cleanly.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{Chrome, page};
use crate::db::tickets;
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::web::SharedState;
use crate::web::error::{AppError, AppResult};
use crate::web::i18n::RequestLang;

#[derive(Template, WebTemplate)]
#[template(path = "receipt.html")]
pub struct ReceiptPage {
    pub chrome: Chrome,
    pub code: String,
    pub title: String,
    pub status_label: String,
    pub status_explain: String,
    pub kind_label: String,
    pub field_name: String,
    pub unit_name: String,
    pub received: String,
    pub accept_due: String,
    pub reply_due: String,
    pub has_email: bool,
    pub private_url: String,
}

/// Access tokens are 43 URL-safe base64 characters; anything else is not looked up.
fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    Path(access_token): Path<String>,
) -> AppResult<Response> {
    if !plausible_token(&access_token) {
        return Err(AppError::NotFound);
    }
    let mut conn = state.pool.get().await?;
    let row = tickets::receipt_by_access_token(&mut conn, &access_token)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let t = lang.tr();
    let reference = state.reference.get();
    let status = Status::parse(&row.status).unwrap_or(Status::Submitted);
    let code = TrackingCode::parse(&row.code)
        .map(|c| c.display())
        .unwrap_or(row.code.clone());
    let path = format!("/t/{access_token}");
    let body = ReceiptPage {
        chrome: Chrome::new(&state, &lang, &path),
        code,
        title: row.title,
        status_label: t.t(&status.label_id()),
        status_explain: t.t(&status.explain_id()),
        kind_label: t.t(&format!("kind-{}", row.kind.replace('_', "-"))),
        field_name: reference
            .field(&row.field_code)
            .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
            .unwrap_or(row.field_code),
        unit_name: reference
            .unit(row.unit_id)
            .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
            .unwrap_or_default(),
        received: format_datetime(row.received_at),
        accept_due: format_date(row.accept_due),
        reply_due: format_date(row.reply_due),
        has_email: row.email.is_some(),
        private_url: format!(
            "{}{path}",
            state.cfg.server.public_url.trim_end_matches('/')
        ),
    };
    let mut res = page(&lang, body).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(res)
}
