//! The mails of a filing, rendered from `templates/mail/` with the fluent messages:
//!
//! - the acknowledgement to the citizen (only when an email was given), in their
//!   language: the tracking code, dates, deadlines, the private link and how to track;
//!   **none of the text they typed**, so the form cannot be used to send a stranger's
//!   words from the department's address;
//! - the new-PAKN notifications ([`super::notification`]): queued here as stubs (the
//!   rule's contacts without an account; the unit's staff accounts, filled in by the
//!   filing statement), rendered by the worker.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

use super::notification;
use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::reference::{Contact, Route};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};

pub const KIND_ACK: &str = "ack";

/// What the mails of a new ticket are made of.
#[derive(Debug, Clone)]
pub struct FiledTicket<'a> {
    pub ticket_id: i64,
    pub code: &'a TrackingCode,
    pub access_token: &'a str,
    pub lang: Lang,
    pub email: Option<&'a str>,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
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

/// To and Cc of the routing notification of the rule's contacts without a staff account
/// (a contact linked to one is mailed as staff); duplicates removed, Cc moves to To when To
/// is empty; `None` when the rule names nobody with an email.
pub fn notify_recipients(route: &Route<'_>) -> Option<(Vec<String>, Vec<String>)> {
    let emails = |contacts: &[&Contact]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in contacts.iter().filter(|c| c.user_id.is_none()) {
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

/// The staff accounts of the route's contacts (they are mailed as staff).
pub fn linked_accounts(route: &Route<'_>) -> Vec<i32> {
    let mut ids: Vec<i32> = route
        .to
        .iter()
        .chain(route.cc.iter())
        .filter_map(|c| c.user_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// A mail of `kind` about `ticket_id` queued without its content: the worker renders
/// it from the ticket when it sends it (an empty body is stored as none).
pub fn stub(
    kind: &str,
    ticket_id: i64,
    to: Vec<String>,
    cc: Vec<String>,
    lang: Lang,
) -> OutgoingMail {
    OutgoingMail {
        kind: kind.into(),
        ticket_id: Some(ticket_id),
        to,
        cc,
        lang: lang.code().into(),
        subject: String::new(),
        body_text: String::new(),
        body_html: None,
        attachment_ids: Vec::new(),
    }
}

/// The mails of a new ticket without their content (recipients, kind, language): what
/// the filing queues; the worker renders them from the ticket when it sends them. The
/// staff notifications go with no recipients: the filing statement fills them in from
/// the unit's accounts (`pakn_staff_recipients`) and drops those left empty.
pub fn filing_stubs(route: &Route<'_>, ticket: &FiledTicket<'_>) -> Vec<OutgoingMail> {
    let id = ticket.ticket_id;
    let mut out = Vec::new();
    if let Some(email) = ack_recipient(ticket) {
        out.push(stub(KIND_ACK, id, vec![email], Vec::new(), ticket.lang));
    }
    if let Some((to, cc)) = notify_recipients(route) {
        out.push(stub(notification::KIND_NOTIFY, id, to, cc, Lang::Vi));
    }
    for kind in [
        notification::KIND_NOTIFY_UNIT,
        notification::KIND_NOTIFY_STAFF,
    ] {
        out.push(stub(kind, id, Vec::new(), Vec::new(), Lang::Vi));
    }
    out
}

/// Renders a queued acknowledgement from its ticket, when the worker sends it.
pub fn render_ack(cfg: &Config, row: &notification::NotifiedTicket) -> anyhow::Result<Content> {
    let code = TrackingCode::parse(&row.code)
        .ok_or_else(|| anyhow::anyhow!("ticket {} has an invalid code", row.id))?;
    let ticket = FiledTicket {
        ticket_id: row.id,
        code: &code,
        access_token: &row.access_token,
        lang: Lang::parse(&row.lang).unwrap_or_default(),
        email: row.email.as_deref(),
        received_at: row.received_at,
        accept_due: row.accept_due,
        reply_due: row.reply_due,
    };
    Ok(ack_content(cfg, &ticket)?)
}
