//! The answer to a data-subject request, mailed to the requester when the contact they
//! gave is an email (in Vietnamese: the request form records no language).

use askama::Template;

use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::i18n::{Lang, Tr};

pub const KIND_PRIVACY_ANSWER: &str = "privacy_answer";

struct AnswerModel {
    t: Tr,
    intro: String,
    answer: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/privacy_answer.txt")]
struct AnswerText<'a> {
    m: &'a AnswerModel,
}

#[derive(Template)]
#[template(path = "mail/privacy_answer.html")]
struct AnswerHtml<'a> {
    m: &'a AnswerModel,
}

/// The answer `answer` to request `id`, to `to`.
pub fn privacy_answer(
    cfg: &Config,
    to: &str,
    id: i64,
    answer: &str,
) -> askama::Result<OutgoingMail> {
    let lang = Lang::Vi;
    let t = Tr::new(lang);
    let m = AnswerModel {
        t,
        intro: t.t1("mail-privacy-answer-intro", "id", id),
        answer: answer.to_string(),
        site: lang.pick(&cfg.site.name_vi, &cfg.site.name_en).to_string(),
    };
    Ok(OutgoingMail {
        kind: KIND_PRIVACY_ANSWER.into(),
        ticket_id: None,
        to: vec![to.to_string()],
        cc: Vec::new(),
        lang: lang.code().into(),
        subject: t.t1("mail-privacy-answer-subject", "id", id),
        body_text: AnswerText { m: &m }.render()?,
        body_html: Some(AnswerHtml { m: &m }.render()?),
        attachment_ids: Vec::new(),
    })
}
