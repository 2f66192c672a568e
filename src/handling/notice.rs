//! The mail a handling step causes, rendered when it is queued (in the same transaction):
//!
//! - to the citizen (when they gave an email), in their language, at each milestone:
//!   a request for information, a refusal, out of scope, a transfer, the official reply
//!   (with its files), a duplicate, a progress note, an expired request. It carries
//!   the staff's words (question, reason, reply) and a link to the private page, never
//!   the citizen's own text;
//! - to staff, in Vietnamese: the unit (its address and the handler) when the citizen
//!   answers, withdraws or reopens; the leaders when a draft waits for approval; the
//!   drafter when a draft is returned; the new handler when a ticket is given to them.
//!   A link to the staff page, no personal data.

use askama::Template;
use chrono::NaiveDate;

use crate::db::workflow::LockedTicket;
use crate::domain::calendar::format_date;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};
use crate::mail::OutgoingMail;

use super::Context;

#[derive(Debug, Clone)]
enum Audience {
    Nobody,
    Citizen,
    Staff(Vec<String>),
}

#[derive(Debug, Clone)]
struct Reply {
    body: String,
    number_symbol: String,
    date: NaiveDate,
    signer: String,
}

/// Who is told of a step, and what goes with it.
#[derive(Debug, Clone)]
pub struct Notice {
    audience: Audience,
    files: Vec<i64>,
    reply: Option<Reply>,
}

struct Line {
    label: String,
    value: String,
}

struct UpdateModel {
    t: Tr,
    site: String,
    greeting: String,
    intro: String,
    status: String,
    explain: String,
    text_label: String,
    text: Option<String>,
    lines: Vec<Line>,
    reply: Option<Reply>,
    reply_date: String,
    link_intro: String,
    link: String,
    button: String,
    extra: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/update.txt")]
struct UpdateText<'a> {
    m: &'a UpdateModel,
}

#[derive(Template)]
#[template(path = "mail/update.html")]
struct UpdateHtml<'a> {
    m: &'a UpdateModel,
}

/// The kind of outbox row of a handling mail (`update.<event>`).
pub fn kind_of(event: &str) -> String {
    format!("update.{event}")
}

impl Notice {
    pub fn none() -> Notice {
        Notice {
            audience: Audience::Nobody,
            files: Vec::new(),
            reply: None,
        }
    }

    pub fn citizen() -> Notice {
        Notice {
            audience: Audience::Citizen,
            ..Notice::none()
        }
    }

    pub fn staff(to: Vec<String>) -> Notice {
        Notice {
            audience: Audience::Staff(to),
            ..Notice::none()
        }
    }

    pub fn with_files(mut self, ids: Vec<i64>) -> Notice {
        self.files = ids;
        self
    }

    pub fn with_reply(
        mut self,
        body: String,
        number_symbol: String,
        date: NaiveDate,
        signer: String,
    ) -> Notice {
        self.reply = Some(Reply {
            body,
            number_symbol,
            date,
            signer,
        });
        self
    }

    /// The mails of one step (none when nobody is to be told or has an address).
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        &self,
        ctx: &Context<'_>,
        ticket: &LockedTicket,
        event: &str,
        status: Status,
        body: Option<&str>,
        details: &serde_json::Value,
    ) -> anyhow::Result<Vec<OutgoingMail>> {
        let (to, lang, for_citizen) = match &self.audience {
            Audience::Nobody => return Ok(Vec::new()),
            Audience::Citizen => {
                let Some(email) = ticket
                    .email
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                else {
                    return Ok(Vec::new());
                };
                let lang = Lang::parse(&ticket.lang).unwrap_or_default();
                (vec![email.to_string()], lang, true)
            }
            Audience::Staff(to) => (to.clone(), Lang::Vi, false),
        };
        let mut to: Vec<String> = to.into_iter().filter(|a| !a.trim().is_empty()).collect();
        to.sort();
        to.dedup();
        if to.is_empty() {
            return Ok(Vec::new());
        }
        let t = Tr::new(lang);
        let code = TrackingCode::parse(&ticket.code)
            .map(|c| c.display())
            .unwrap_or_else(|| ticket.code.clone());
        let what = t.t(&format!("event-{}", event.replace('_', "-")));
        let base = ctx.cfg.server.public_url.trim_end_matches('/');
        let site = lang
            .pick(&ctx.cfg.site.name_vi, &ctx.cfg.site.name_en)
            .to_string();
        let mut lines = Vec::new();
        let detail = |key: &str| {
            details
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        if let Some(body) = detail("competent_body") {
            lines.push(Line {
                label: t.t("handling-competent-body"),
                value: body,
            });
        }
        if let Some(agency) = detail("agency") {
            lines.push(Line {
                label: t.t("handling-transfer-agency"),
                value: agency,
            });
            if let Some(r) = detail("reference") {
                lines.push(Line {
                    label: t.t("handling-transfer-reference"),
                    value: r,
                });
            }
            if let Some(d) = detail("date").and_then(|d| d.parse::<NaiveDate>().ok()) {
                lines.push(Line {
                    label: t.t("handling-transfer-date"),
                    value: format_date(d),
                });
            }
        }
        if let Some(d) = detail("answer_by").and_then(|d| d.parse::<NaiveDate>().ok()) {
            lines.push(Line {
                label: t.t("handling-answer-by"),
                value: format_date(d),
            });
        }
        if let Some(dup) = detail("duplicate_of") {
            let shown = TrackingCode::parse(&dup)
                .map(|c| c.display())
                .unwrap_or(dup);
            lines.push(Line {
                label: t.t("handling-duplicate-of"),
                value: shown,
            });
        }
        let (link, link_intro, button, text, extra) = if for_citizen {
            let extra = (event == "approve").then(|| t.t("mail-update-rate"));
            (
                format!("{base}/t/{}", ticket.access_token),
                t.t("mail-ack-link"),
                t.t("mail-ack-button"),
                body.map(str::to_string),
                extra,
            )
        } else {
            // Staff mail carries staff words only (a return reason), never the citizen's.
            let staff_text = matches!(event, "return_draft").then(|| body.map(str::to_string));
            (
                format!("{base}/staff/tickets/{}", ticket.code),
                t.t("mail-notify-link"),
                t.t("mail-notify-button"),
                staff_text.flatten(),
                None,
            )
        };
        let m = UpdateModel {
            t,
            greeting: if for_citizen {
                t.t("mail-greeting")
            } else {
                String::new()
            },
            intro: t.t2(
                "mail-update-intro",
                "code",
                code.clone(),
                "what",
                what.clone(),
            ),
            status: t.t(&status.label_id()),
            explain: if for_citizen {
                t.t(&status.explain_id())
            } else {
                String::new()
            },
            text_label: t.t(&format!("handling-text-{}", event.replace('_', "-"))),
            text,
            lines,
            reply_date: self
                .reply
                .as_ref()
                .map(|r| format_date(r.date))
                .unwrap_or_default(),
            reply: self.reply.clone(),
            link_intro,
            link,
            button,
            extra,
            site,
        };
        let subject = t.t2("mail-update-subject", "code", code, "what", what);
        Ok(vec![OutgoingMail {
            kind: kind_of(event),
            ticket_id: Some(ticket.id),
            to,
            cc: Vec::new(),
            lang: lang.code().to_string(),
            subject,
            body_text: UpdateText { m: &m }.render()?,
            body_html: Some(UpdateHtml { m: &m }.render()?),
            attachment_ids: if for_citizen {
                self.files.clone()
            } else {
                Vec::new()
            },
        }])
    }
}
