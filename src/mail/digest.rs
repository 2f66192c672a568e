//! The digests' mails (issue 15, part 4), in Vietnamese, text and HTML, without a
//! ticket (not threaded under one PAKN): the daily one lists an officer's open PAKN
//! and their unit's unassigned ones; the weekly one gives a leader the previous week's
//! figures per unit. Codes, titles (not of a confidential PAKN), statuses and dates
//! only: never a citizen's name, phone, email or address.

use askama::Template;
use chrono::NaiveDate;

use super::outbox::OutgoingMail;
use crate::config::Config;
use crate::db::digests::{Item, WeekLine};
use crate::domain::calendar::format_date;
use crate::domain::digest::DigestKind;
use crate::i18n::{Lang, Tr};

/// One PAKN of a daily list, ready to show.
pub struct Line {
    pub code: String,
    /// `None`: confidential.
    pub title: Option<String>,
    pub status: String,
    pub accept_due: String,
    pub reply_due: String,
    /// Days past the reply due date (0: not overdue).
    pub days_late: i64,
    pub link: String,
}

/// A list of a daily digest: its heading and up to `max` lines, and how many more.
pub struct Section {
    pub heading: String,
    pub lines: Vec<Line>,
    pub more: i64,
    /// How many of the whole list are overdue.
    pub overdue: i64,
}

/// What the mails share: the words, the site, the links at the foot.
pub struct Frame {
    pub t: Tr,
    pub site: String,
    pub account: String,
    pub unsubscribe: String,
}

struct Daily<'a> {
    f: &'a Frame,
    greeting: String,
    intro: String,
    sections: &'a [Section],
    queue: String,
}

#[derive(Template)]
#[template(path = "mail/digest_daily.txt")]
struct DailyText<'a> {
    m: &'a Daily<'a>,
}

#[derive(Template)]
#[template(path = "mail/digest_daily.html")]
struct DailyHtml<'a> {
    m: &'a Daily<'a>,
}

/// A unit's row of a weekly digest.
pub struct UnitRow {
    pub name: String,
    pub line: WeekLine,
}

struct Weekly<'a> {
    f: &'a Frame,
    greeting: String,
    intro: String,
    rows: &'a [UnitRow],
    total: WeekLine,
    overview: String,
}

#[derive(Template)]
#[template(path = "mail/digest_weekly.txt")]
struct WeeklyText<'a> {
    m: &'a Weekly<'a>,
}

#[derive(Template)]
#[template(path = "mail/digest_weekly.html")]
struct WeeklyHtml<'a> {
    m: &'a Weekly<'a>,
}

fn base(cfg: &Config) -> &str {
    cfg.server.public_url.trim_end_matches('/')
}

/// The language of digests.
pub const LANG: Lang = Lang::Vi;

/// The frame of a mail to one staff member; `unsubscribe` is their one-click link.
pub fn frame(cfg: &Config, unsubscribe: String) -> Frame {
    Frame {
        t: Tr::new(LANG),
        site: LANG.pick(&cfg.site.name_vi, &cfg.site.name_en).to_string(),
        account: format!("{}/staff/account", base(cfg)),
        unsubscribe,
    }
}

/// An item as a line of the list, on `today`.
pub fn line(cfg: &Config, t: &Tr, item: &Item, today: NaiveDate) -> Line {
    Line {
        code: item.code.clone(),
        title: item.title.clone(),
        status: t.t(&item.status.message_id("status")),
        accept_due: format_date(item.accept_due),
        reply_due: format_date(item.reply_due),
        days_late: (today - item.reply_due).num_days().max(0),
        link: format!("{}/staff/tickets/{}", base(cfg), item.code),
    }
}

/// The daily digest of `name` on `today` (the sections are not all empty).
pub fn daily(
    cfg: &Config,
    frame: &Frame,
    to: &str,
    name: &str,
    today: NaiveDate,
    sections: &[Section],
) -> askama::Result<OutgoingMail> {
    let t = frame.t;
    let open: i64 = sections.iter().map(|s| s.lines.len() as i64 + s.more).sum();
    let overdue: i64 = sections.iter().map(|s| s.overdue).sum();
    let m = Daily {
        f: frame,
        greeting: t.t1("digest-greeting", "name", name.to_string()),
        intro: t.t1("digest-daily-intro", "date", format_date(today)),
        sections,
        queue: format!("{}/staff/tickets", base(cfg)),
    };
    let subject = t.tn(
        "digest-daily-subject",
        vec![
            ("date", format_date(today).into()),
            ("open", open.into()),
            ("overdue", overdue.into()),
        ],
    );
    Ok(mail(
        DigestKind::Daily,
        to,
        subject,
        DailyText { m: &m }.render()?,
        DailyHtml { m: &m }.render()?,
    ))
}

/// The weekly digest for the week `from`–`to`, the overdue counted on `today`.
pub fn weekly(
    cfg: &Config,
    frame: &Frame,
    to: &str,
    name: &str,
    (from, until, today): (NaiveDate, NaiveDate, NaiveDate),
    rows: &[UnitRow],
) -> askama::Result<OutgoingMail> {
    let t = frame.t;
    let mut total = WeekLine::default();
    for r in rows {
        total.received += r.line.received;
        total.on_time += r.line.on_time;
        total.late += r.line.late;
        total.overdue += r.line.overdue;
    }
    let m = Weekly {
        f: frame,
        greeting: t.t1("digest-greeting", "name", name.to_string()),
        intro: t.tn(
            "digest-weekly-intro",
            vec![
                ("from", format_date(from).into()),
                ("to", format_date(until).into()),
                ("today", format_date(today).into()),
            ],
        ),
        rows,
        total,
        overview: format!("{}/staff/overview", base(cfg)),
    };
    let subject = t.t2(
        "digest-weekly-subject",
        "from",
        format_date(from),
        "to",
        format_date(until),
    );
    Ok(mail(
        DigestKind::Weekly,
        to,
        subject,
        WeeklyText { m: &m }.render()?,
        WeeklyHtml { m: &m }.render()?,
    ))
}

fn mail(kind: DigestKind, to: &str, subject: String, text: String, html: String) -> OutgoingMail {
    OutgoingMail {
        kind: kind.mail_kind().into(),
        ticket_id: None,
        to: vec![to.to_string()],
        cc: Vec::new(),
        lang: LANG.code().into(),
        subject,
        body_text: text,
        body_html: Some(html),
        attachment_ids: Vec::new(),
    }
}
