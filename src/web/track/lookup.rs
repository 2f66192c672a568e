//! `GET /track` and `POST /track`: finding a PAKN by its code and the phone or email
//! given at filing.
//!
//! A malformed code, an unknown code and a wrong contact all get the same 404 page with
//! what was typed. Attempts are counted per (code, address) in Postgres, so someone
//! guessing contacts for one code is stopped, while the citizen, from their own address
//! and with their private link, is not. The contact is compared after normalisation
//! (phone digits, lower-case email) as SHA-256 digests in constant time. Success leads
//! (303) to the private link.

use std::net::IpAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use diesel_async::AsyncPgConnection;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::db::track::{self, LookupRow};
use crate::domain::form_token::{FormKind, TokenError};
use crate::domain::phone::Phone;
use crate::domain::tracking_code::TrackingCode;
use crate::web::kit::Fields;
use crate::web::kit::RequestLang;
use crate::web::kit::client_ip::ClientIp;
use crate::web::kit::error::AppResult;
use crate::web::kit::rate_limit::{Decision, address_subject};
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Chrome, page_no_store};

/// The rate-limit name of lookups (per code and address).
const LIMIT_NAME: &str = "track";
/// The bucket of every lookup from one address.
const LIMIT_PER_ADDRESS: &str = "track_ip";
/// Longest input kept from either field.
const MAX_CODE_CHARS: usize = 32;
const MAX_CONTACT_CHARS: usize = 254;

#[derive(Template, WebTemplate)]
#[template(path = "track_form.html")]
pub struct TrackForm {
    pub chrome: Chrome,
    pub token: String,
    pub code: String,
    pub contact: String,
    /// (CSS modifier, message) shown above the form.
    pub notice: Option<(&'static str, String)>,
}

fn form(
    state: &AppState,
    lang: &RequestLang,
    status: StatusCode,
    code: &str,
    contact: &str,
    notice: Option<(&'static str, &str)>,
) -> Response {
    let chrome = Chrome::new(state, lang, "/track");
    let notice = notice.map(|(class, id)| (class, chrome.t.t(id)));
    let body = TrackForm {
        token: state.tokens.issue_now(FormKind::Track),
        code: code.to_string(),
        contact: contact.to_string(),
        notice,
        chrome,
    };
    page_no_store(status, lang, body)
}

pub async fn show(State(state): State<SharedState>, lang: RequestLang) -> Response {
    form(&state, &lang, StatusCode::OK, "", "", None)
}

/// What the citizen typed as their contact, normalised: a phone in national digits or a
/// lower-case email. Anything else matches nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Contact {
    Phone(String),
    Email(String),
    Unusable,
}

fn normalise_contact(raw: &str) -> Contact {
    let raw = raw.trim();
    if raw.contains('@') {
        Contact::Email(raw.to_lowercase())
    } else {
        match Phone::parse(raw) {
            Ok(p) => Contact::Phone(p.as_str().to_string()),
            Err(_) => Contact::Unusable,
        }
    }
}

fn digest(domain: &[u8], value: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(domain);
    h.update(value.as_bytes());
    h.finalize().into()
}

/// Whether the contact matches the ticket's phone or email, in time independent of
/// where they differ (both comparisons always run, on fixed-length digests; "absent"
/// values get distinct domains so that two absences never match).
fn contact_matches(given: &Contact, row: &LookupRow) -> bool {
    let (phone_in, email_in) = match given {
        Contact::Phone(p) => (digest(b"phone|", p), digest(b"absent-given|", "")),
        Contact::Email(e) => (digest(b"absent-given|", ""), digest(b"email|", e)),
        Contact::Unusable => (digest(b"absent-given|", ""), digest(b"absent-given|", "")),
    };
    let phone_row = digest(b"phone|", &row.phone);
    let email_row = match &row.email {
        Some(e) => digest(b"email|", e),
        None => digest(b"absent-row|", ""),
    };
    bool::from(phone_in.ct_eq(&phone_row) | email_in.ct_eq(&email_row))
}

/// Compared against when the code matches nothing, so that a wrong code costs what a
/// wrong contact costs.
fn decoy() -> LookupRow {
    LookupRow {
        phone: "0000000000".into(),
        email: None,
        access_token: String::new(),
    }
}

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

pub async fn submit(
    State(state): State<SharedState>,
    lang: RequestLang,
    ClientIp(ip): ClientIp,
    fields: Fields,
) -> AppResult<Response> {
    let code_typed = clip(fields.get("code"), MAX_CODE_CHARS);
    let contact_typed = clip(fields.get("contact"), MAX_CONTACT_CHARS);
    let again = |status: StatusCode, notice: (&'static str, &str)| {
        form(
            &state,
            &lang,
            status,
            &code_typed,
            &contact_typed,
            Some(notice),
        )
    };
    if let Err(e) = state.tokens.verify(
        fields.get("form_token"),
        FormKind::Track,
        chrono::Utc::now().timestamp(),
        state.cfg.security.form_token_max_age_secs,
    ) {
        let id = match e {
            TokenError::Expired { .. } => "track-form-expired",
            _ => "track-form-invalid",
        };
        return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, ("alert", id)));
    }
    let code = TrackingCode::parse(&code_typed);
    let mut conn = state.pool.get().await?;
    if let Some(retry_after_secs) =
        limited(&state, &mut conn, ip, code.as_ref(), &code_typed).await?
    {
        drop(conn);
        tracing::info!("track lookup limited");
        let mut res = again(StatusCode::TOO_MANY_REQUESTS, ("alert", "track-limited"));
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        return Ok(res);
    }
    let row = match &code {
        Some(c) => track::lookup_by_code(&mut conn, c.as_str()).await?,
        None => None,
    };
    drop(conn);
    if let Some(row) = found(row, &contact_typed) {
        return Ok(Redirect::to(&format!("/t/{}", row.access_token)).into_response());
    }
    tracing::info!("track lookup found nothing");
    Ok(again(
        StatusCode::NOT_FOUND,
        ("alert alert-error", "track-not-found"),
    ))
}

/// Counts a lookup of (code, address) and says, once past the limit, the seconds until
/// the next may be tried. Keyed by the code as parsed (any spelling of one code counts
/// once) or, when malformed, as typed.
async fn limited(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    ip: IpAddr,
    code: Option<&TrackingCode>,
    code_typed: &str,
) -> AppResult<Option<u32>> {
    if state.is_exempt(ip) {
        return Ok(None);
    }
    // The address first, whatever the code: a flood of made-up codes stops here.
    let per_address = state
        .rate_limit(
            conn,
            LIMIT_PER_ADDRESS,
            &address_subject(ip),
            state.cfg.limits.track_per_ip,
        )
        .await?;
    if let Decision::Limited { retry_after_secs } = per_address {
        return Ok(Some(retry_after_secs));
    }
    let code_key = code
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|| code_typed.to_uppercase());
    let subject = format!("{code_key}|{}", address_subject(ip));
    let decision = state
        .rate_limit(
            conn,
            LIMIT_NAME,
            &subject,
            state.cfg.limits.track_per_code_ip,
        )
        .await?;
    Ok(match decision {
        Decision::Limited { retry_after_secs } => Some(retry_after_secs),
        Decision::Allowed => None,
    })
}

/// The row, when the contact typed matches it.
fn found(row: Option<LookupRow>, contact_typed: &str) -> Option<LookupRow> {
    let given = normalise_contact(contact_typed);
    let found = row.is_some();
    let row = row.unwrap_or_else(decoy);
    // Compared always (the decoy when no PAKN has the code), and combined without
    // short-circuit, so a wrong code and a wrong contact take the same time.
    let matches = contact_matches(&given, &row);
    (found & matches).then_some(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(email: Option<&str>) -> LookupRow {
        LookupRow {
            phone: "0983570009".into(),
            email: email.map(str::to_string),
            access_token: "x".into(),
        }
    }

    #[test]
    fn contacts_are_normalised_before_comparing() {
        let r = row(Some("hoa.nguyen@example.vn"));
        for typed in [
            "0983 570 009",
            "+84 983 570 009",
            "0983.570.009",
            " HOA.Nguyen@Example.VN ",
        ] {
            assert!(contact_matches(&normalise_contact(typed), &r), "{typed}");
        }
        for typed in ["0983570008", "hoa@example.vn", "", "abc", "@"] {
            assert!(!contact_matches(&normalise_contact(typed), &r), "{typed}");
        }
    }

    #[test]
    fn no_email_never_matches_an_absent_email() {
        let r = row(None);
        assert!(!contact_matches(&Contact::Unusable, &r));
        assert!(!contact_matches(&normalise_contact("x@y.vn"), &r));
        assert!(contact_matches(&normalise_contact("0983570009"), &r));
    }
}
