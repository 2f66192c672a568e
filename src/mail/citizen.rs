//! Mails of the citizen's side, rendered whole when queued:
//!
//! - "Quên mã PAKN?": to an address typed by whoever asked, so it carries **no text
//!   anyone typed**: only the codes, the dates of filing and the private links (not the
//!   titles, which the filer typed);
//! - a data-subject request from the privacy page, to the admins who handle it.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};

pub const KIND_FORGOT: &str = "forgot_codes";
pub const KIND_PRIVACY_REQUEST: &str = "privacy_request";

fn base_url(cfg: &Config) -> &str {
    cfg.server.public_url.trim_end_matches('/')
}

fn site_name(cfg: &Config, lang: Lang) -> String {
    lang.pick(&cfg.site.name_vi, &cfg.site.name_en).to_string()
}

/// One PAKN in the "forgotten code" mail.
pub struct FiledItem {
    pub code: String,
    pub received: String,
    pub url: String,
}

struct ForgotModel {
    t: Tr,
    intro: String,
    items: Vec<FiledItem>,
    track: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/forgot.txt")]
struct ForgotText<'a> {
    m: &'a ForgotModel,
}

#[derive(Template)]
#[template(path = "mail/forgot.html")]
struct ForgotHtml<'a> {
    m: &'a ForgotModel,
}

/// The "forgotten code" mail listing `filed` = (code, private link token, filed at).
pub fn forgot_codes(
    cfg: &Config,
    lang: Lang,
    to: &str,
    filed: &[(String, String, DateTime<Utc>)],
) -> askama::Result<OutgoingMail> {
    let t = Tr::new(lang);
    let site = site_name(cfg, lang);
    let m = ForgotModel {
        t,
        intro: t.t1("mail-forgot-intro", "count", filed.len() as i64),
        items: filed
            .iter()
            .map(|(code, token, at)| FiledItem {
                code: TrackingCode::parse(code)
                    .map(|c| c.display())
                    .unwrap_or_else(|| code.clone()),
                received: format_datetime(*at),
                url: format!("{}/t/{token}", base_url(cfg)),
            })
            .collect(),
        track: t.t1("mail-ack-track", "url", format!("{}/track", base_url(cfg))),
        site,
    };
    Ok(OutgoingMail {
        kind: KIND_FORGOT.into(),
        ticket_id: None,
        to: vec![to.to_string()],
        cc: Vec::new(),
        lang: lang.code().into(),
        subject: t.t("mail-forgot-subject"),
        body_text: ForgotText { m: &m }.render()?,
        body_html: Some(ForgotHtml { m: &m }.render()?),
        attachment_ids: Vec::new(),
    })
}

/// What the admins are told about a data-subject request.
pub struct PrivacyRequestMail<'a> {
    pub id: i64,
    pub kind: &'a str,
    pub name: &'a str,
    pub contact: &'a str,
    pub body: &'a str,
    pub received_at: DateTime<Utc>,
    pub due_on: NaiveDate,
}

struct PrivacyModel {
    t: Tr,
    id: i64,
    kind: String,
    name: String,
    contact: String,
    body: String,
    received: String,
    due: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/privacy_request.txt")]
struct PrivacyText<'a> {
    m: &'a PrivacyModel,
}

#[derive(Template)]
#[template(path = "mail/privacy_request.html")]
struct PrivacyHtml<'a> {
    m: &'a PrivacyModel,
}

/// The notification of a data-subject request to the admins (in Vietnamese; staff
/// addresses, so the request's own words travel with it).
pub fn privacy_request(
    cfg: &Config,
    to: Vec<String>,
    req: &PrivacyRequestMail<'_>,
) -> askama::Result<OutgoingMail> {
    let lang = Lang::Vi;
    let t = Tr::new(lang);
    let due = format_date(req.due_on);
    let m = PrivacyModel {
        t,
        id: req.id,
        kind: t.t(&format!("privacy-kind-{}", req.kind)),
        name: req.name.to_string(),
        contact: req.contact.to_string(),
        body: req.body.to_string(),
        received: format_datetime(req.received_at),
        due: due.clone(),
        site: site_name(cfg, lang),
    };
    Ok(OutgoingMail {
        kind: KIND_PRIVACY_REQUEST.into(),
        ticket_id: None,
        to,
        cc: Vec::new(),
        lang: lang.code().into(),
        subject: t.t2("mail-privacy-subject", "id", req.id, "due", due),
        body_text: PrivacyText { m: &m }.render()?,
        body_html: Some(PrivacyHtml { m: &m }.render()?),
        attachment_ids: Vec::new(),
    })
}
