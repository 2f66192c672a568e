//! The mail telling the citizen that the answer to their PAKN was published (domain.md:
//! email at each milestone … published). Queued by the publication in its transaction,
//! only when they gave an email, in their language. It carries the tracking code, the
//! link to the public copy and their private link: **none of the text they typed** (nor
//! the copy, which staff wrote from it).

use askama::Template;

use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};

pub const KIND_PUBLISHED: &str = "published";

/// What the mail is made of.
#[derive(Debug, Clone)]
pub struct Published<'a> {
    pub ticket_id: i64,
    pub code: &'a TrackingCode,
    pub access_token: &'a str,
    pub public_id: &'a str,
    pub lang: Lang,
    pub email: &'a str,
}

struct Model {
    t: Tr,
    intro: String,
    code: String,
    answer_url: String,
    private_url: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/published.txt")]
struct Text<'a> {
    m: &'a Model,
}

#[derive(Template)]
#[template(path = "mail/published.html")]
struct Html<'a> {
    m: &'a Model,
}

/// The mail to the citizen; `None` when the address is blank.
pub fn published(cfg: &Config, p: &Published<'_>) -> askama::Result<Option<OutgoingMail>> {
    let email = p.email.trim();
    if email.is_empty() {
        return Ok(None);
    }
    let t = Tr::new(p.lang);
    let base = cfg.server.public_url.trim_end_matches('/');
    let site = p
        .lang
        .pick(&cfg.site.name_vi, &cfg.site.name_en)
        .to_string();
    let code = p.code.display();
    let m = Model {
        t,
        intro: t.t2(
            "answers-mail-intro",
            "code",
            code.clone(),
            "site",
            site.clone(),
        ),
        code: code.clone(),
        answer_url: format!("{base}/answers/{}", p.public_id),
        private_url: format!("{base}/t/{}", p.access_token),
        site,
    };
    Ok(Some(OutgoingMail {
        kind: KIND_PUBLISHED.into(),
        ticket_id: Some(p.ticket_id),
        to: vec![email.to_string()],
        cc: Vec::new(),
        lang: p.lang.code().into(),
        subject: t.t1("answers-mail-subject", "code", code),
        body_text: Text { m: &m }.render()?,
        body_html: Some(Html { m: &m }.render()?),
        attachment_ids: Vec::new(),
    }))
}
