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

    /// Whether the mail goes to staff.
    pub fn is_staff(&self) -> bool {
        matches!(self.audience, Audience::Staff(_))
    }

    /// The same notice without `email` among its staff recipients.
    pub fn without(mut self, email: &str) -> Notice {
        if let Audience::Staff(to) = &mut self.audience {
            to.retain(|a| !a.trim().eq_ignore_ascii_case(email.trim()));
        }
        self
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
        let Some(reader) = self.reader(ticket) else {
            return Ok(Vec::new());
        };
        let t = Tr::new(reader.lang);
        let code = TrackingCode::parse(&ticket.code)
            .map(|c| c.display())
            .unwrap_or_else(|| ticket.code.clone());
        let what = t.t(&format!("event-{}", event.replace('_', "-")));
        let link = Link::of(ctx, &reader, t, ticket, event, body);
        let m = UpdateModel {
            t,
            greeting: if reader.citizen {
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
            explain: if reader.citizen {
                t.t(&status.explain_id())
            } else {
                String::new()
            },
            text_label: t.t(&format!("handling-text-{}", event.replace('_', "-"))),
            text: link.text,
            lines: detail_lines(t, details, reader.citizen),
            reply_date: self
                .reply
                .as_ref()
                .map(|r| format_date(r.date))
                .unwrap_or_default(),
            reply: self.reply.clone(),
            link_intro: link.intro,
            link: link.url,
            button: link.button,
            extra: link.extra,
            site: reader
                .lang
                .pick(&ctx.cfg.site.name_vi, &ctx.cfg.site.name_en)
                .to_string(),
        };
        let subject = t.t2("mail-update-subject", "code", code, "what", what);
        Ok(vec![OutgoingMail {
            kind: kind_of(event),
            ticket_id: Some(ticket.id),
            to: reader.to,
            cc: Vec::new(),
            lang: reader.lang.code().to_string(),
            subject,
            body_text: UpdateText { m: &m }.render()?,
            body_html: Some(UpdateHtml { m: &m }.render()?),
            attachment_ids: if reader.citizen {
                self.files.clone()
            } else {
                Vec::new()
            },
        }])
    }

    /// Who reads the mail, in which language; `None` when nobody has an address.
    fn reader(&self, ticket: &LockedTicket) -> Option<Reader> {
        let (to, lang, citizen) = match &self.audience {
            Audience::Nobody => return None,
            Audience::Citizen => {
                let email = ticket
                    .email
                    .as_deref()
                    .map(str::trim)
                    .filter(|e| !e.is_empty())?;
                let lang = Lang::parse(&ticket.lang).unwrap_or_default();
                (vec![email.to_string()], lang, true)
            }
            Audience::Staff(to) => (to.clone(), Lang::Vi, false),
        };
        let mut to: Vec<String> = to.into_iter().filter(|a| !a.trim().is_empty()).collect();
        to.sort();
        to.dedup();
        (!to.is_empty()).then_some(Reader { to, lang, citizen })
    }
}

/// The addresses and language of one mail, and whether its reader is the citizen.
struct Reader {
    to: Vec<String>,
    lang: Lang,
    citizen: bool,
}

/// Where the mail sends its reader, and the words the reader is shown with it.
struct Link {
    url: String,
    intro: String,
    button: String,
    text: Option<String>,
    extra: Option<String>,
}

impl Link {
    fn of(
        ctx: &Context<'_>,
        reader: &Reader,
        t: Tr,
        ticket: &LockedTicket,
        event: &str,
        body: Option<&str>,
    ) -> Link {
        let base = ctx.cfg.server.public_url.trim_end_matches('/');
        if reader.citizen {
            return Link {
                url: format!("{base}/t/{}", ticket.access_token),
                intro: t.t("mail-ack-link"),
                button: t.t("mail-ack-button"),
                text: body.map(str::to_string),
                extra: (event == "approve").then(|| t.t("mail-update-rate")),
            };
        }
        // Staff mail carries staff words only (a return reason), never the citizen's.
        Link {
            url: format!("{base}/staff/tickets/{}", ticket.code),
            intro: t.t("mail-notify-link"),
            button: t.t("mail-notify-button"),
            text: if event == "return_draft" {
                body.map(str::to_string)
            } else {
                None
            },
            extra: None,
        }
    }
}

/// The step's facts worth a line of their own (competent body, transfer, due date,
/// duplicate), from its event details.
/// The event's details as lines of the mail. A citizen never gets the code of the PAKN
/// theirs duplicates: it is another citizen's key to the track lookup (security review,
/// finding 9).
fn detail_lines(t: Tr, details: &serde_json::Value, citizen: bool) -> Vec<Line> {
    let detail = |key: &str| {
        details
            .get(key)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let date = |key: &str| detail(key).and_then(|d| d.parse::<NaiveDate>().ok());
    let mut lines = Vec::new();
    let mut push = |label: &str, value: String| {
        lines.push(Line {
            label: t.t(label),
            value,
        })
    };
    if let Some(body) = detail("competent_body") {
        push("handling-competent-body", body);
    }
    if let Some(agency) = detail("agency") {
        push("handling-transfer-agency", agency);
        if let Some(r) = detail("reference") {
            push("handling-transfer-reference", r);
        }
        if let Some(d) = date("date") {
            push("handling-transfer-date", format_date(d));
        }
    }
    if let Some(d) = date("answer_by") {
        push("handling-answer-by", format_date(d));
    }
    if let Some(dup) = detail("duplicate_of") {
        if citizen {
            push("track-duplicate-of", t.t("track-duplicate-earlier"));
        } else {
            let shown = TrackingCode::parse(&dup)
                .map(|c| c.display())
                .unwrap_or(dup);
            push("handling-duplicate-of", shown);
        }
    }
    lines
}
