//! The public copy of an answered PAKN: saving it, publishing it (the citizen is mailed
//! the first time) and unpublishing it, each in one transaction that locks the ticket,
//! makes the checks again on the ticket as it is then (a change of status or
//! confidentiality never interleaves with a publication), stores the copy, writes the
//! public timeline event and queues the mail together.
//!
//! A copy that still holds the sender's own details never goes public
//! ([`PublicationError::OwnDataLeft`]); what else masking finds is for the reviewer to
//! judge, on the page.

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::Context;
use crate::db::publication::{self as db, ApprovedReply, CopyWrite, PublicAnswerRow};
use crate::db::tickets::{self, NewEvent, TicketRow};
use crate::domain::access::Access;
use crate::domain::calendar::local_date;
use crate::domain::masking::{Kind, Masker, PersonalData, search_text};
use crate::domain::publication::{
    Copy, CopyError, Facts, Refusal, clean, leftovers, may_publish, new_public_id,
};
use crate::domain::tracking_code::TrackingCode;
use crate::domain::workflow::ActorKind;
use crate::i18n::Lang;
use crate::mail;

/// What the reviewer asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Store the copy (a published copy is updated in place).
    Save,
    /// Store the copy and put it on the public list.
    Publish,
    /// Take the copy off the public list (it stays stored).
    Unpublish,
}

impl Action {
    /// The action of a form's `action` value.
    pub fn parse(s: &str) -> Option<Action> {
        match s {
            "save" => Some(Action::Save),
            "publish" => Some(Action::Publish),
            "unpublish" => Some(Action::Unpublish),
            _ => None,
        }
    }
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// A copy not (yet) public was stored.
    Saved,
    /// The public copy's text was replaced.
    Updated,
    Published,
    Unpublished,
    /// Unpublish asked of a copy that is not public: nothing to do.
    NotPublished,
}

impl Done {
    /// Its code in the page's `?done=` (and in the log).
    pub fn code(self) -> &'static str {
        match self {
            Done::Saved => "saved",
            Done::Updated => "updated",
            Done::Published => "published",
            Done::Unpublished => "unpublished",
            Done::NotPublished => "not-published",
        }
    }
}

/// A publication carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    pub done: Done,
    /// How many mails were queued (wake the worker when any).
    pub mails: usize,
}

/// Why a publication was not carried out. Nothing is written in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum PublicationError {
    /// This person may not publish this ticket's answer (the access policy says no).
    #[error("not allowed")]
    NotAllowed,
    /// The ticket cannot be published (no consent, no approved reply, confidential, …).
    #[error("publication refused: {0:?}")]
    Refused(Refusal),
    /// The copy's fields as typed are empty or too long: (field, why), in form order.
    #[error("invalid copy: {0:?}")]
    Invalid(Vec<(&'static str, CopyError)>),
    /// The copy still holds the sender's own details and would go public.
    #[error("the copy still holds the sender's details: {0:?}")]
    OwnDataLeft(Vec<Kind>),
    #[error("database: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("mail: {0:#}")]
    Mail(anyhow::Error),
}

/// What masking hides for this ticket: the sender's details and the tracking code.
pub fn masker_of(t: &TicketRow) -> Masker {
    let mut other = vec![t.code.clone()];
    if let Some(code) = TrackingCode::parse(&t.code) {
        other.push(code.display());
    }
    Masker::new(&PersonalData {
        full_name: t.full_name.clone(),
        organization: t.organization.clone(),
        representative: t.representative.clone(),
        address: Some(t.address.clone()),
        phone: Some(t.phone.clone()),
        email: t.email.clone(),
        other,
    })
}

/// What [`may_publish`] decides on.
pub fn facts(t: &TicketRow, reply: Option<&ApprovedReply>) -> Facts {
    Facts {
        status: t.status,
        publish_consent: t.publish_consent,
        confidential: t.confidential,
        has_approved_reply: reply.is_some(),
    }
}

/// The date the public list shows: the reply's date, else the day it was approved.
pub fn answered_on(reply: Option<&ApprovedReply>) -> NaiveDate {
    reply
        .and_then(|r| r.reply_date.or(r.decided_at.map(local_date)))
        .unwrap_or_else(|| local_date(Utc::now()))
}

/// The language the citizen filed in (their mail and the first draft's words).
pub fn lang_of(t: &TicketRow) -> Lang {
    Lang::parse(&t.lang).unwrap_or_default()
}

/// Carries out `action` on ticket `ticket_id`'s public copy for `who`, with the copy as
/// typed (`typed`, cleaned here), in one transaction.
pub async fn apply(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    who: &Access,
    ticket_id: i64,
    action: Action,
    typed: &Copy,
) -> Result<Applied, PublicationError> {
    let applied = conn
        .transaction::<Applied, PublicationError, _>(async |conn| {
            let t = db::lock_ticket(conn, ticket_id).await?;
            if !who.may_publish(t.unit_id) {
                return Err(PublicationError::NotAllowed);
            }
            let row = db::for_ticket(conn, t.id).await?;
            if action == Action::Unpublish {
                return unpublish(conn, ctx, who, &t, row.as_ref()).await;
            }
            let reply = db::approved_reply(conn, t.id).await?;
            let was_published = row.as_ref().is_some_and(PublicAnswerRow::is_published);
            let saved = store(conn, &t, reply.as_ref(), action, was_published, typed).await?;
            match (action, was_published) {
                (Action::Publish, false) => {
                    let answered = reply.as_ref().and_then(|r| r.decided_at);
                    publish(conn, ctx, who, (&t, answered), &saved).await
                }
                (_, true) => Ok(Applied {
                    done: Done::Updated,
                    mails: 0,
                }),
                _ => Ok(Applied {
                    done: Done::Saved,
                    mails: 0,
                }),
            }
        })
        .await?;
    if matches!(applied.done, Done::Published | Done::Unpublished) {
        let done = applied.done.code();
        tracing::info!(ticket_id, user_id = who.user_id, done, "publication");
    }
    Ok(applied)
}

/// Takes a public copy off the list, with its event; a copy not public is left alone.
async fn unpublish(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    who: &Access,
    t: &TicketRow,
    row: Option<&PublicAnswerRow>,
) -> Result<Applied, PublicationError> {
    let done = if row.is_some_and(PublicAnswerRow::is_published) {
        db::set_unpublished(conn, t.id).await?;
        event(conn, ctx, who, t, "unpublish", row, None).await?;
        Done::Unpublished
    } else {
        Done::NotPublished
    };
    Ok(Applied { done, mails: 0 })
}

/// The checks of a copy about to be stored (the ticket may be published, the fields are
/// right, and a copy that is or will be public holds none of the sender's details),
/// then the copy stored.
async fn store(
    conn: &mut AsyncPgConnection,
    t: &TicketRow,
    reply: Option<&ApprovedReply>,
    action: Action,
    was_published: bool,
    typed: &Copy,
) -> Result<PublicAnswerRow, PublicationError> {
    may_publish(&facts(t, reply)).map_err(PublicationError::Refused)?;
    let (copy, errors) = clean(&typed.title, &typed.question, &typed.answer);
    if !errors.is_empty() {
        return Err(PublicationError::Invalid(errors));
    }
    let left = leftovers(&masker_of(t), &copy);
    if (action == Action::Publish || was_published) && !left.own.is_empty() {
        return Err(PublicationError::OwnDataLeft(left.own));
    }
    let search = search_text(&[&copy.title, &copy.question, &copy.answer]);
    let new_id = new_public_id(&mut rand::rng());
    let write = CopyWrite {
        field_code: &t.field_code,
        title: &copy.title,
        question: &copy.question,
        answer: &copy.answer,
        answered_on: answered_on(reply),
        search_text: &search,
    };
    Ok(db::save(conn, t.id, &new_id, &write).await?)
}

/// Puts a stored copy on the public list, with its event; the citizen is mailed the
/// first time it goes public (a republication is not news to them).
async fn publish(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    who: &Access,
    (t, answered): (&TicketRow, Option<DateTime<Utc>>),
    saved: &PublicAnswerRow,
) -> Result<Applied, PublicationError> {
    let first_time = saved.published_at.is_none();
    let published = db::set_published(conn, t.id, who.user_id).await?;
    let on_time = if first_time {
        Some(super::report_facts::count_publication(conn, ctx, t, answered).await?)
    } else {
        None
    };
    event(conn, ctx, who, t, "publish", Some(&published), on_time).await?;
    let mails = if first_time {
        mail_citizen(conn, ctx, t, &published).await?
    } else {
        0
    };
    Ok(Applied {
        done: Done::Published,
        mails,
    })
}

/// Queues the citizen's "your answer is public" mail, when they gave an email.
async fn mail_citizen(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    t: &TicketRow,
    published: &PublicAnswerRow,
) -> Result<usize, PublicationError> {
    let Some(email) = t.email.as_deref() else {
        return Ok(0);
    };
    let code = TrackingCode::parse(&t.code).ok_or_else(|| {
        PublicationError::Mail(anyhow::anyhow!("ticket {} has an invalid code", t.id))
    })?;
    let access_token = tickets::access_token_of(conn, t.id).await?;
    let mail = mail::publication::published(
        ctx.cfg,
        &mail::publication::Published {
            ticket_id: t.id,
            code: &code,
            access_token: &access_token,
            public_id: &published.public_id,
            lang: lang_of(t),
            email,
        },
    )
    .map_err(|e| PublicationError::Mail(e.into()))?;
    let Some(mail) = mail else {
        return Ok(0);
    };
    mail::enqueue(conn, mail).await?;
    Ok(1)
}

/// The public timeline event of a publication or unpublication.
async fn event(
    conn: &mut AsyncPgConnection,
    ctx: &Context<'_>,
    who: &Access,
    t: &TicketRow,
    what: &str,
    row: Option<&PublicAnswerRow>,
    on_time: Option<bool>,
) -> diesel::QueryResult<usize> {
    let mut data = serde_json::json!({ "public_id": row.map(|r| r.public_id.as_str()) });
    // The first publication's timeliness, as the report aggregates counted it.
    if let Some(on_time) = on_time {
        data["on_time"] = serde_json::Value::Bool(on_time);
    }
    tickets::insert_events(
        conn,
        &[NewEvent {
            ticket_id: t.id,
            at: ctx.now,
            actor_kind: ActorKind::Staff,
            actor_id: Some(who.user_id),
            event: what,
            from_status: None,
            to_status: None,
            public: true,
            body: None,
            data,
        }],
    )
    .await
}
