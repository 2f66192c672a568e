//! The new-PAKN notification (issue 15): what the reader needs to act without logging in.
//!
//! Three audiences, each its own outbox row, rendered from the ticket when the worker
//! sends it:
//! - [`Audience::Contact`] (`notify`): the routing rule's contacts without a staff
//!   account: the substance and the deadlines, no staff link (they cannot open it), never
//!   the sender's details;
//! - [`Audience::Unit`] (`notify_unit`): the handling unit's officers and leaders, and
//!   the linked contacts' accounts of that unit: the staff link and, when
//!   `[mail] staff_personal_data`, the sender's name, phone, email and address (each
//!   recipient's view is recorded in the personal-data log);
//! - [`Audience::Staff`] (`notify_staff`): other staff accounts (the department's
//!   leaders when the unit has none of its own, linked contacts of other units): the
//!   staff link, no sender details.
//!
//! The same mail, with another first line, tells a unit that a PAKN was moved to it
//! ([`Occasion::Moved`]: `moved_unit`, `moved_staff`). A confidential PAKN's mail never
//! carries its title, content, proposal, file names or sender. Always in Vietnamese.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};

use crate::config::Config;
use crate::domain::attachment::size_text;
use crate::domain::calendar::{format_date, format_datetime};
use crate::domain::feedback::{Channel, FeedbackKind, SubmitterKind};
use crate::domain::reference::Reference;
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};

pub const KIND_NOTIFY: &str = "notify";
pub use crate::db::outbox::{KIND_NOTIFY_STAFF, KIND_NOTIFY_UNIT};
pub const KIND_MOVED_UNIT: &str = "moved_unit";
pub const KIND_MOVED_STAFF: &str = "moved_staff";

/// Who reads a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Contact,
    Unit,
    Staff,
}

/// Why it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occasion {
    /// A new PAKN was filed.
    Filed,
    /// A PAKN was moved to another handling unit.
    Moved,
}

/// The notification an outbox kind is, if it is one.
pub fn of_kind(kind: &str) -> Option<(Occasion, Audience)> {
    Some(match kind {
        KIND_NOTIFY => (Occasion::Filed, Audience::Contact),
        KIND_NOTIFY_UNIT => (Occasion::Filed, Audience::Unit),
        KIND_NOTIFY_STAFF => (Occasion::Filed, Audience::Staff),
        KIND_MOVED_UNIT => (Occasion::Moved, Audience::Unit),
        KIND_MOVED_STAFF => (Occasion::Moved, Audience::Staff),
        _ => return None,
    })
}

/// Whether a notification of `kind` about `ticket` carries the sender's details.
pub fn carries_sender(cfg: &Config, kind: &str, ticket: &NotifiedTicket) -> bool {
    cfg.mail.staff_personal_data
        && !ticket.confidential
        && of_kind(kind).is_some_and(|(_, a)| a == Audience::Unit)
}

/// What a filing's mails (the acknowledgement, the notifications) are rendered from at
/// send time.
#[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
#[diesel(table_name = crate::db::schema::tickets)]
pub struct NotifiedTicket {
    pub id: i64,
    pub code: String,
    /// The acknowledgement's private link and language (the worker renders both kinds
    /// of a filing's mail from one row).
    pub access_token: String,
    pub lang: String,
    pub channel: Channel,
    pub submitter_kind: SubmitterKind,
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub representative: Option<String>,
    pub address: String,
    pub commune: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub kind: FeedbackKind,
    pub content_category: String,
    pub field_code: String,
    pub procedure_name: Option<String>,
    pub title: String,
    pub content: String,
    pub proposal: Option<String>,
    pub unit_id: i32,
    pub routing_rule_id: Option<i32>,
    pub received_at: DateTime<Utc>,
    pub accept_due: NaiveDate,
    pub forward_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub suspected_spam: bool,
    pub spam_reasons: Vec<String>,
    pub confidential: bool,
}

/// A file the citizen sent, as the mail lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledFile {
    pub ticket_id: i64,
    pub filename: String,
    pub size_bytes: i32,
}

pub struct Line {
    pub label: String,
    pub value: String,
}

struct Model {
    t: Tr,
    site: String,
    intro: String,
    why: String,
    spam: Option<String>,
    code: String,
    facts: Vec<Line>,
    deadlines: Vec<Line>,
    confidential: Option<String>,
    title: Option<String>,
    content: Option<String>,
    proposal: Option<String>,
    files_label: String,
    files: Vec<String>,
    routing: String,
    sender: Vec<Line>,
    sender_note: Option<String>,
    staff_url: Option<String>,
    contact_note: Option<String>,
}

#[derive(Template)]
#[template(path = "mail/notify.txt")]
struct NotifyText<'a> {
    m: &'a Model,
}

#[derive(Template)]
#[template(path = "mail/notify.html")]
struct NotifyHtml<'a> {
    m: &'a Model,
}

/// Subject, text and HTML of the notification of `kind` about `ticket`.
pub fn render(
    cfg: &Config,
    reference: &Reference,
    kind: &str,
    ticket: &NotifiedTicket,
    files: &[FiledFile],
) -> anyhow::Result<super::compose::Content> {
    let (occasion, audience) =
        of_kind(kind).ok_or_else(|| anyhow::anyhow!("{kind:?} is not a notification"))?;
    let t = Tr::new(Lang::Vi);
    let code = TrackingCode::parse(&ticket.code)
        .map(|c| c.display())
        .unwrap_or_else(|| ticket.code.clone());
    let names = Names::of(reference, ticket);
    let m = model(
        cfg,
        reference,
        t,
        (occasion, audience),
        ticket,
        files,
        &code,
        &names,
    );
    let subject_id = match occasion {
        Occasion::Filed => "mail-notify-subject",
        Occasion::Moved => "staff-mail-moved-subject",
    };
    let mut subject = t.t2(subject_id, "code", code, "field", names.field.clone());
    if ticket.suspected_spam {
        subject = format!("{} {subject}", t.t("mail-notify-spam-tag"));
    }
    Ok((
        subject,
        NotifyText { m: &m }.render()?,
        NotifyHtml { m: &m }.render()?,
    ))
}

/// The reference names a notification shows.
struct Names {
    unit: String,
    unit_email: Option<String>,
    field: String,
    category: String,
}

impl Names {
    fn of(reference: &Reference, ticket: &NotifiedTicket) -> Names {
        let unit = reference.unit(ticket.unit_id);
        Names {
            unit: unit.map(|u| u.name_vi.clone()).unwrap_or_default(),
            unit_email: unit.and_then(|u| u.email.clone()),
            field: reference
                .field(&ticket.field_code)
                .map(|f| f.name_vi.clone())
                .unwrap_or_else(|| ticket.field_code.clone()),
            category: reference
                .category(&ticket.content_category)
                .map(|c| c.name_vi.clone())
                .unwrap_or_else(|| ticket.content_category.clone()),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn model(
    cfg: &Config,
    reference: &Reference,
    t: Tr,
    (occasion, audience): (Occasion, Audience),
    ticket: &NotifiedTicket,
    files: &[FiledFile],
    code: &str,
    names: &Names,
) -> Model {
    let base = cfg.server.public_url.trim_end_matches('/');
    let secret = ticket.confidential;
    let with_sender = carries_sender(cfg, kind_of(occasion, audience), ticket);
    let intro = match occasion {
        Occasion::Filed => t.t1("mail-notify-intro", "unit", names.unit.clone()),
        Occasion::Moved => t.t2(
            "staff-mail-moved-intro",
            "code",
            code.to_string(),
            "unit",
            names.unit.clone(),
        ),
    };
    let why = match audience {
        Audience::Contact => t.t("staff-mail-why-contact"),
        Audience::Unit => t.t1("staff-mail-why-unit", "unit", names.unit.clone()),
        Audience::Staff => t.t("staff-mail-why-staff"),
    };
    let ticket_files: Vec<&FiledFile> = files.iter().filter(|f| f.ticket_id == ticket.id).collect();
    Model {
        t,
        site: cfg.site.name_vi.clone(),
        intro,
        why,
        spam: spam_line(t, ticket),
        code: code.to_string(),
        facts: facts(t, ticket, names),
        deadlines: deadlines(t, ticket),
        confidential: secret.then(|| t.t("staff-mail-confidential")),
        title: (!secret).then(|| ticket.title.clone()),
        content: (!secret).then(|| ticket.content.clone()),
        proposal: ticket.proposal.clone().filter(|_| !secret),
        files_label: if ticket_files.is_empty() {
            t.t("staff-mail-no-files")
        } else {
            t.t1("staff-mail-files", "count", ticket_files.len().to_string())
        },
        files: if secret {
            Vec::new()
        } else {
            ticket_files
                .iter()
                .map(|f| format!("{} ({})", f.filename, size_text(i64::from(f.size_bytes))))
                .collect()
        },
        routing: routing_line(t, reference, ticket),
        sender: if with_sender {
            sender_lines(t, ticket)
        } else {
            Vec::new()
        },
        sender_note: (!with_sender).then(|| match audience {
            Audience::Contact => t.t("staff-mail-no-sender"),
            _ => t.t("mail-notify-privacy"),
        }),
        staff_url: (audience != Audience::Contact)
            .then(|| format!("{base}/staff/tickets/{}", ticket.code)),
        contact_note: (audience == Audience::Contact).then(|| match &names.unit_email {
            Some(email) => t.t2(
                "staff-mail-contact-unit-email",
                "unit",
                names.unit.clone(),
                "email",
                email.clone(),
            ),
            None => t.t1("staff-mail-contact-unit", "unit", names.unit.clone()),
        }),
    }
}

fn kind_of(occasion: Occasion, audience: Audience) -> &'static str {
    match (occasion, audience) {
        (Occasion::Filed, Audience::Contact) | (Occasion::Moved, Audience::Contact) => KIND_NOTIFY,
        (Occasion::Filed, Audience::Unit) => KIND_NOTIFY_UNIT,
        (Occasion::Filed, Audience::Staff) => KIND_NOTIFY_STAFF,
        (Occasion::Moved, Audience::Unit) => KIND_MOVED_UNIT,
        (Occasion::Moved, Audience::Staff) => KIND_MOVED_STAFF,
    }
}

fn spam_line(t: Tr, ticket: &NotifiedTicket) -> Option<String> {
    ticket.suspected_spam.then(|| {
        let reasons: Vec<String> = ticket
            .spam_reasons
            .iter()
            .map(|r| t.t(&format!("mail-spam-reason-{r}")))
            .collect();
        t.t1("mail-notify-spam", "reasons", reasons.join(", "))
    })
}

fn line(label: String, value: String) -> Line {
    Line { label, value }
}

fn facts(t: Tr, ticket: &NotifiedTicket, names: &Names) -> Vec<Line> {
    let mut out = vec![
        line(t.t("receipt-kind"), t.t(&ticket.kind.message_id("kind"))),
        line(t.t("mail-notify-category"), names.category.clone()),
        line(t.t("receipt-field"), names.field.clone()),
        line(
            t.t("staff-mail-channel"),
            t.t(&ticket.channel.message_id("channel")),
        ),
        line(t.t("receipt-unit"), names.unit.clone()),
        line(t.t("receipt-received"), format_datetime(ticket.received_at)),
    ];
    if let Some(p) = ticket.procedure_name.as_deref().filter(|p| !p.is_empty()) {
        out.push(line(t.t("staff-mail-procedure"), p.to_string()));
    }
    out
}

fn deadlines(t: Tr, ticket: &NotifiedTicket) -> Vec<Line> {
    vec![
        line(
            t.t("staff-mail-due-classify"),
            format_date(ticket.accept_due),
        ),
        line(
            t.t("staff-mail-due-forward"),
            format_date(ticket.forward_due),
        ),
        line(t.t("staff-mail-due-reply"), format_date(ticket.reply_due)),
    ]
}

/// The routing rule that chose the recipients, and whom it notifies.
fn routing_line(t: Tr, reference: &Reference, ticket: &NotifiedTicket) -> String {
    let Some(rule) = ticket
        .routing_rule_id
        .and_then(|id| reference.rules.iter().find(|r| r.id == id))
    else {
        return t.t("staff-mail-routing-default");
    };
    let titles = |ids: &[i32]| -> String {
        ids.iter()
            .filter_map(|id| reference.contact(*id))
            .map(|c| match &c.person_name {
                Some(p) => format!("{} ({p})", c.title_vi),
                None => c.title_vi.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut text = t.t2(
        "staff-mail-routing",
        "rule",
        rule.name.clone(),
        "to",
        titles(&rule.to),
    );
    if !rule.cc.is_empty() {
        text = format!(
            "{text} {}",
            t.t1("staff-mail-routing-cc", "cc", titles(&rule.cc))
        );
    }
    text
}

fn sender_lines(t: Tr, ticket: &NotifiedTicket) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |label: &str, value: Option<&str>| {
        if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
            out.push(line(t.t(label), v.to_string()));
        }
    };
    push(
        "staff-mail-sender-kind",
        Some(&t.t(&ticket.submitter_kind.message_id("submitter"))),
    );
    push("staff-mail-sender-name", ticket.full_name.as_deref());
    push("staff-mail-sender-org", ticket.organization.as_deref());
    push("staff-mail-sender-rep", ticket.representative.as_deref());
    push("staff-mail-sender-phone", Some(&ticket.phone));
    push("staff-mail-sender-email", ticket.email.as_deref());
    let address = match ticket.commune.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) => format!("{}, {c}", ticket.address),
        None => ticket.address.clone(),
    };
    push("staff-mail-sender-address", Some(&address));
    out
}
