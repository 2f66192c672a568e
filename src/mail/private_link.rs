//! The mail that carries a renewed private link to the email given at filing. It holds
//! no text anyone typed: the code, the new link, and who renewed it.

use askama::Template;

use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};

pub const KIND_NEW_LINK: &str = "new_link";

/// A renewed link to mail.
pub struct NewLink<'a> {
    pub ticket_id: i64,
    pub to: &'a str,
    pub code: &'a str,
    pub access_token: &'a str,
    /// Staff revoked the old link (rather than the citizen asking).
    pub by_staff: bool,
}

struct Model {
    t: Tr,
    intro: String,
    url: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/new_link.txt")]
struct Text<'a> {
    m: &'a Model,
}

#[derive(Template)]
#[template(path = "mail/new_link.html")]
struct Html<'a> {
    m: &'a Model,
}

pub fn new_link(cfg: &Config, lang: Lang, link: &NewLink<'_>) -> askama::Result<OutgoingMail> {
    let t = Tr::new(lang);
    let code = TrackingCode::parse(link.code)
        .map(|c| c.display())
        .unwrap_or_else(|| link.code.to_string());
    let intro_id = if link.by_staff {
        "mail-new-link-intro-staff"
    } else {
        "mail-new-link-intro-citizen"
    };
    let m = Model {
        t,
        intro: t.t1(intro_id, "code", code.clone()),
        url: format!(
            "{}/t/{}",
            cfg.server.public_url.trim_end_matches('/'),
            link.access_token
        ),
        site: lang.pick(&cfg.site.name_vi, &cfg.site.name_en).to_string(),
    };
    Ok(OutgoingMail {
        kind: KIND_NEW_LINK.into(),
        ticket_id: Some(link.ticket_id),
        to: vec![link.to.to_string()],
        cc: Vec::new(),
        lang: lang.code().into(),
        subject: t.t1("mail-new-link-subject", "code", code),
        body_text: Text { m: &m }.render()?,
        body_html: Some(Html { m: &m }.render()?),
        attachment_ids: Vec::new(),
    })
}
