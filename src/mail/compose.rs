//! The mails of a filing, rendered from `templates/mail/` with the fluent messages:
//!
//! - the acknowledgement to the citizen (only when an email was given), in their
//!   language: the tracking code, dates, deadlines, the private link and how to track;
//!   **none of the text they typed**, so the form cannot be used to send a stranger's
//!   words from the department's address;
//! - the notification of the matched routing rule: one message To and Cc its contacts, in
//!   Vietnamese: a summary, the deadlines, the spam flag, a link to the staff page; never
//!   the attachments nor the citizen's phone, email or address.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::feedback::FeedbackKind;
use crate::domain::reference::Reference;
use crate::domain::reference::{Contact, Route};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};

pub const KIND_ACK: &str = "ack";
pub const KIND_NOTIFY: &str = "notify";

/// What the mails of a new ticket are made of.
#[derive(Debug, Clone)]
pub struct FiledTicket<'a> {
    pub ticket_id: i64,
    pub code: &'a TrackingCode,
    pub access_token: &'a str,
    pub lang: Lang,
    pub email: Option<&'a str>,
    pub title: &'a str,
    pub kind: FeedbackKind,
    pub category: &'a str,
    pub field: &'a str,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub suspected_spam: bool,
    pub spam_reasons: &'a [String],
}

struct AckModel {
    t: Tr,
    intro: String,
    code: String,
    received: String,
    accept_due: String,
    reply_due: String,
    private_url: String,
    track: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/ack.txt")]
struct AckText<'a> {
    m: &'a AckModel,
}

#[derive(Template)]
#[template(path = "mail/ack.html")]
struct AckHtml<'a> {
    m: &'a AckModel,
}

struct NotifyModel {
    t: Tr,
    intro: String,
    spam: Option<String>,
    code: String,
    title: String,
    kind: String,
    category: String,
    field: String,
    unit: String,
    received: String,
    accept_due: String,
    reply_due: String,
    staff_url: String,
    site: String,
}

#[derive(Template)]
#[template(path = "mail/notify.txt")]
struct NotifyText<'a> {
    m: &'a NotifyModel,
}

#[derive(Template)]
#[template(path = "mail/notify.html")]
struct NotifyHtml<'a> {
    m: &'a NotifyModel,
}

fn base_url(cfg: &Config) -> &str {
    cfg.server.public_url.trim_end_matches('/')
}

fn site_name(cfg: &Config, lang: Lang) -> String {
    lang.pick(&cfg.site.name_vi, &cfg.site.name_en).to_string()
}

/// Subject, text and HTML of a mail.
pub type Content = (String, String, String);

fn ack_content(cfg: &Config, ticket: &FiledTicket<'_>) -> askama::Result<Content> {
    let t = Tr::new(ticket.lang);
    let site = site_name(cfg, ticket.lang);
    let code = ticket.code.display();
    let m = AckModel {
        t,
        intro: t.t1("mail-ack-intro", "site", site.clone()),
        code: code.clone(),
        received: format_datetime(ticket.received_at),
        accept_due: format_date(ticket.accept_due),
        reply_due: format_date(ticket.reply_due),
        private_url: format!("{}/t/{}", base_url(cfg), ticket.access_token),
        track: t.t1("mail-ack-track", "url", format!("{}/track", base_url(cfg))),
        site,
    };
    Ok((
        t.t1("mail-ack-subject", "code", code),
        AckText { m: &m }.render()?,
        AckHtml { m: &m }.render()?,
    ))
}

/// The acknowledgement's recipient: the citizen's email, when they gave one.
fn ack_recipient(ticket: &FiledTicket<'_>) -> Option<String> {
    ticket
        .email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
}

/// The citizen's acknowledgement, when they gave an email.
pub fn acknowledgement(
    cfg: &Config,
    ticket: &FiledTicket<'_>,
) -> askama::Result<Option<OutgoingMail>> {
    let Some(email) = ack_recipient(ticket) else {
        return Ok(None);
    };
    let (subject, text, html) = ack_content(cfg, ticket)?;
    Ok(Some(OutgoingMail {
        kind: KIND_ACK.into(),
        ticket_id: Some(ticket.ticket_id),
        to: vec![email],
        cc: Vec::new(),
        lang: ticket.lang.code().into(),
        subject,
        body_text: text,
        body_html: Some(html),
        attachment_ids: Vec::new(),
    }))
}

/// To and Cc of the routing notification (duplicates removed; Cc moves to To when To is
/// empty); `None` when the rule names nobody with an email.
pub fn notify_recipients(route: &Route<'_>) -> Option<(Vec<String>, Vec<String>)> {
    let emails = |contacts: &[&Contact]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in contacts {
            if let Some(e) = c.email.as_deref().map(str::trim).filter(|e| !e.is_empty())
                && !out.iter().any(|o| o.eq_ignore_ascii_case(e))
            {
                out.push(e.to_string());
            }
        }
        out
    };
    let mut to = emails(&route.to);
    let mut cc: Vec<String> = emails(&route.cc)
        .into_iter()
        .filter(|c| !to.iter().any(|t| t.eq_ignore_ascii_case(c)))
        .collect();
    if to.is_empty() {
        std::mem::swap(&mut to, &mut cc);
    }
    (!to.is_empty()).then_some((to, cc))
}

fn notify_content(
    cfg: &Config,
    reference: &Reference,
    unit_name: &str,
    ticket: &FiledTicket<'_>,
) -> askama::Result<Content> {
    let lang = Lang::Vi;
    let t = Tr::new(lang);
    let code = ticket.code.display();
    let field = reference
        .field(ticket.field)
        .map(|f| f.name_vi.clone())
        .unwrap_or_else(|| ticket.field.to_string());
    let category = reference
        .category(ticket.category)
        .map(|c| c.name_vi.clone())
        .unwrap_or_else(|| ticket.category.to_string());
    let unit = unit_name.to_string();
    let spam = ticket.suspected_spam.then(|| {
        let reasons: Vec<String> = ticket
            .spam_reasons
            .iter()
            .map(|r| t.t(&format!("mail-spam-reason-{r}")))
            .collect();
        t.t1("mail-notify-spam", "reasons", reasons.join(", "))
    });
    let mut subject = t.t2(
        "mail-notify-subject",
        "code",
        code.clone(),
        "field",
        field.clone(),
    );
    if ticket.suspected_spam {
        subject = format!("{} {subject}", t.t("mail-notify-spam-tag"));
    }
    let m = NotifyModel {
        t,
        intro: t.t1("mail-notify-intro", "unit", unit.clone()),
        spam,
        code: code.clone(),
        title: ticket.title.to_string(),
        kind: t.t(&ticket.kind.message_id("kind")),
        category,
        field,
        unit,
        received: format_datetime(ticket.received_at),
        accept_due: format_date(ticket.accept_due),
        reply_due: format_date(ticket.reply_due),
        staff_url: format!("{}/staff/tickets/{code}", base_url(cfg)),
        site: site_name(cfg, lang),
    };
    Ok((
        subject,
        NotifyText { m: &m }.render()?,
        NotifyHtml { m: &m }.render()?,
    ))
}

/// The notification of the routing rule's contacts (`None` when it names nobody with an
/// email). Always in Vietnamese.
pub fn notification(
    cfg: &Config,
    reference: &Reference,
    route: &Route<'_>,
    ticket: &FiledTicket<'_>,
) -> askama::Result<Option<OutgoingMail>> {
    let Some((to, cc)) = notify_recipients(route) else {
        return Ok(None);
    };
    let (subject, text, html) = notify_content(cfg, reference, &route.unit.name_vi, ticket)?;
    Ok(Some(OutgoingMail {
        kind: KIND_NOTIFY.into(),
        ticket_id: Some(ticket.ticket_id),
        to,
        cc,
        lang: Lang::Vi.code().into(),
        subject,
        body_text: text,
        body_html: Some(html),
        attachment_ids: Vec::new(),
    }))
}

/// The mails of a new ticket without their content (recipients, kind, language): what
/// the filing queues; the worker renders them from the ticket with [`render_at_send`].
pub fn filing_stubs(route: &Route<'_>, ticket: &FiledTicket<'_>) -> Vec<OutgoingMail> {
    let stub = |kind: &str, to: Vec<String>, cc: Vec<String>, lang: Lang| OutgoingMail {
        kind: kind.into(),
        ticket_id: Some(ticket.ticket_id),
        to,
        cc,
        lang: lang.code().into(),
        subject: String::new(),
        body_text: String::new(),
        body_html: None,
        attachment_ids: Vec::new(),
    };
    let mut out = Vec::new();
    if let Some(email) = ack_recipient(ticket) {
        out.push(stub(KIND_ACK, vec![email], Vec::new(), ticket.lang));
    }
    if let Some((to, cc)) = notify_recipients(route) {
        out.push(stub(KIND_NOTIFY, to, cc, Lang::Vi));
    }
    out
}

/// Renders a queued filing mail of `kind` from its ticket, when the worker sends it.
pub fn render_at_send(
    cfg: &Config,
    reference: &Reference,
    kind: &str,
    row: &TicketForMail,
) -> anyhow::Result<Content> {
    let code = TrackingCode::parse(&row.code)
        .ok_or_else(|| anyhow::anyhow!("ticket {} has an invalid code", row.id))?;
    let ticket = FiledTicket {
        ticket_id: row.id,
        code: &code,
        access_token: &row.access_token,
        lang: Lang::parse(&row.lang).unwrap_or_default(),
        email: row.email.as_deref(),
        title: &row.title,
        kind: row.kind,
        category: &row.content_category,
        field: &row.field_code,
        received_at: row.received_at,
        accept_due: row.accept_due,
        reply_due: row.reply_due,
        suspected_spam: row.suspected_spam,
        spam_reasons: &row.spam_reasons,
    };
    match kind {
        KIND_ACK => Ok(ack_content(cfg, &ticket)?),
        KIND_NOTIFY => {
            let unit = reference
                .unit(row.unit_id)
                .map(|u| u.name_vi.clone())
                .unwrap_or_default();
            Ok(notify_content(cfg, reference, &unit, &ticket)?)
        }
        other => anyhow::bail!("no template renders a queued {other:?} mail"),
    }
}

/// What a filing mail is rendered from at send time.
#[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::db::schema::tickets)]
pub struct TicketForMail {
    pub id: i64,
    pub code: String,
    pub access_token: String,
    pub lang: String,
    pub email: Option<String>,
    pub title: String,
    pub kind: FeedbackKind,
    pub content_category: String,
    pub field_code: String,
    pub unit_id: i32,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub suspected_spam: bool,
    pub spam_reasons: Vec<String>,
}

/// Both mails of a new ticket.
pub fn filing_mails(
    cfg: &Config,
    reference: &Reference,
    route: &Route<'_>,
    ticket: &FiledTicket<'_>,
) -> askama::Result<Vec<OutgoingMail>> {
    Ok(acknowledgement(cfg, ticket)?
        .into_iter()
        .chain(notification(cfg, reference, route, ticket)?)
        .collect())
}
