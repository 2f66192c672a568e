//! `GET|POST /staff/tickets/{code}/publication`: the public copy of an answered PAKN.
//!
//! Officers of the ticket's unit and leaders review it (a draft masked from the title,
//! the content and proposal, and the approved reply when none is stored yet), edit it,
//! save it, publish it (the citizen is mailed the first time) and unpublish it; each
//! publication and unpublication is a public timeline event. Refused with a message
//! without the citizen's consent or an approved reply, and for refused, out-of-scope and
//! confidential PAKN. A copy that still holds the sender's own details never goes public;
//! other details of a personal shape (a phone number, an email) are pointed out.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::auth::StaffUser;
use crate::db::publication::{self as db, ApprovedReply, PublicAnswerRow};
use crate::db::tickets::{self, TicketRow};
use crate::domain::calendar::{format_date, local_date};
use crate::domain::masking::Kind;
use crate::domain::publication::{
    Copy, CopyError, Leftovers, Refusal, TEXT_MAX, TITLE_MAX, clean, draft, leftovers, may_publish,
};
use crate::domain::reference::Reference;
use crate::domain::tracking_code::TrackingCode;
use crate::handling::Context;
use crate::handling::publication::{
    self, Action, PublicationError, answered_on, facts, lang_of, masker_of,
};
use crate::i18n::Tr;
use crate::web::kit::RequestLang;
use crate::web::kit::detached;
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::page;
use crate::web::kit::ticket::visible_ticket;
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Fields, StaffChrome, check_csrf};

pub fn router() -> Router<SharedState> {
    Router::new().route("/staff/tickets/{code}/publication", get(show).post(act))
}

/// The ticket, if the user may handle its publication: 404 when they may not see it,
/// 403 when they may see but not act (inspectors).
async fn ticket_for(state: &AppState, user: &StaffUser, code: &str) -> AppResult<TicketRow> {
    let viewer = &user.access;
    let ticket = visible_ticket(state, viewer, code).await?;
    if !viewer.may_publish(ticket.unit_id) {
        return Err(AppError::Forbidden);
    }
    Ok(ticket)
}

/// What masking cannot know is personal but staff should look at again: the agency or
/// officer the PAKN is about, as the sender named them, wherever the copy still says it
/// (an agency may stay; a civil servant's name usually should not).
fn with_named_subject(mut left: Leftovers, t: &TicketRow, copy: &Copy) -> Leftovers {
    let Some(subject) = t
        .subject_agency
        .as_deref()
        .map(str::trim)
        .filter(|s| s.chars().count() >= 3)
    else {
        return left;
    };
    let words = |s: &str| format!(" {} ", crate::domain::fold::fold(s));
    let needle = words(subject);
    let named = [&copy.title, &copy.question, &copy.answer]
        .iter()
        .any(|text| words(text).contains(&needle));
    if named && !left.other.iter().any(|o| o == subject) {
        left.other.push(subject.to_string());
    }
    left
}

/// The first draft of the copy, masked.
fn first_draft(t: &TicketRow, reply: &ApprovedReply) -> Copy {
    draft(
        &masker_of(t),
        &t.title,
        &t.content,
        t.proposal.as_deref(),
        &Tr::new(lang_of(t)).t("label-proposal"),
        &reply.body,
    )
}

pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/publication.html")]
pub struct PublicationPage {
    pub chrome: StaffChrome,
    pub t: Tr,
    pub code: String,
    pub code_display: String,
    pub ticket_title: String,
    pub state_label: String,
    pub public_href: Option<String>,
    pub refusal: Option<String>,
    pub notice: Option<String>,
    pub errors: Vec<(&'static str, String)>,
    pub own_left: Option<String>,
    pub other_left: Vec<String>,
    pub editable: bool,
    pub published: bool,
    pub title: String,
    pub question: String,
    pub answer: String,
    pub title_max: usize,
    pub facts: Vec<Fact>,
}

impl PublicationPage {
    fn err(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
    }
}

/// Everything a render needs besides the request.
struct View<'a> {
    ticket: &'a TicketRow,
    reply: Option<&'a ApprovedReply>,
    row: Option<&'a PublicAnswerRow>,
    copy: Copy,
    errors: Vec<(&'static str, CopyError)>,
    own_left: Vec<Kind>,
    /// The refusal of the POST being answered (else the ticket's current one).
    refused: Option<Refusal>,
    notice: Option<&'static str>,
    status: StatusCode,
}

fn kind_label(t: Tr, k: Kind) -> String {
    t.t(match k {
        Kind::Name => "answers-kind-name",
        Kind::Organization => "answers-kind-organization",
        Kind::Address => "answers-kind-address",
        Kind::Phone => "answers-kind-phone",
        Kind::Email => "answers-kind-email",
        Kind::IdNumber => "answers-kind-id",
        Kind::Other => "answers-kind-other",
    })
}

/// How the copy stands on the public list, in words.
fn state_label(t: Tr, row: Option<&PublicAnswerRow>) -> String {
    let on = |at: Option<DateTime<Utc>>| at.map(local_date).map(format_date).unwrap_or_default();
    match row {
        None => t.t("answers-state-none"),
        Some(r) if r.is_published() => t.t1("answers-state-published", "date", on(r.published_at)),
        Some(r) if r.unpublished_at.is_some() => {
            t.t1("answers-state-unpublished", "date", on(r.unpublished_at))
        }
        Some(_) => t.t("answers-state-draft"),
    }
}

/// What the reviewer is shown beside the copy: the lĩnh vực, and the reply it answers
/// with (number, date, signer) and the date the public list will show.
fn facts_of(
    t: Tr,
    reference: &Reference,
    ticket: &TicketRow,
    reply: Option<&ApprovedReply>,
) -> Vec<Fact> {
    let mut facts = vec![Fact {
        label: t.t("label-field"),
        value: reference
            .field(&ticket.field_code)
            .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
            .unwrap_or(ticket.field_code.clone()),
    }];
    if let Some(r) = reply {
        let reply_line = [
            r.number_symbol.clone(),
            r.reply_date.map(format_date),
            r.signer.clone(),
        ];
        facts.push(Fact {
            label: t.t("answers-reply"),
            value: reply_line
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
        });
        facts.push(Fact {
            label: t.t("answers-answered-on"),
            value: format_date(answered_on(Some(r))),
        });
    }
    facts
}

/// The messages of the copy's refused fields.
fn error_messages(t: Tr, errors: &[(&'static str, CopyError)]) -> Vec<(&'static str, String)> {
    errors
        .iter()
        .map(|(name, e)| {
            let msg = match e {
                CopyError::Empty => t.t("answers-error-empty"),
                CopyError::TooLong => {
                    let max = if *name == "title" {
                        TITLE_MAX
                    } else {
                        TEXT_MAX
                    };
                    t.t1("answers-error-too-long", "max", max as i64)
                }
            };
            (*name, msg)
        })
        .collect()
}

/// The warning that the copy still holds the sender's own details, naming their kinds.
fn own_left_message(t: Tr, own: &[Kind]) -> Option<String> {
    (!own.is_empty()).then(|| {
        let kinds: Vec<String> = own.iter().map(|k| kind_label(t, *k)).collect();
        t.t1("answers-own-data-left", "kinds", kinds.join(", "))
    })
}

fn render(state: &AppState, lang: &RequestLang, user: &StaffUser, v: View<'_>) -> Response {
    let path = format!("/staff/tickets/{}/publication", v.ticket.code);
    let chrome = StaffChrome::new(state, lang, user, &path);
    let t = chrome.t;
    let verdict = match v.refused {
        Some(r) => Err(r),
        None => may_publish(&facts(v.ticket, v.reply)),
    };
    let left: Leftovers =
        with_named_subject(leftovers(&masker_of(v.ticket), &v.copy), v.ticket, &v.copy);
    // The kinds refused by the POST being answered, else those the copy holds now.
    let own = if v.own_left.is_empty() {
        &left.own
    } else {
        &v.own_left
    };
    let body = PublicationPage {
        t,
        code: v.ticket.code.clone(),
        code_display: TrackingCode::parse(&v.ticket.code)
            .map(|c| c.display())
            .unwrap_or(v.ticket.code.clone()),
        ticket_title: v.ticket.title.clone(),
        state_label: state_label(t, v.row),
        public_href: v
            .row
            .filter(|r| r.is_published() && verdict.is_ok())
            .map(|r| format!("/answers/{}", r.public_id)),
        refusal: verdict.err().map(|r| t.t(&r.message_id())),
        notice: v.notice.map(|id| t.t(id)),
        errors: error_messages(t, &v.errors),
        own_left: own_left_message(t, own),
        other_left: left.other,
        editable: verdict.is_ok(),
        published: v.row.is_some_and(PublicAnswerRow::is_published),
        title: v.copy.title,
        question: v.copy.question,
        answer: v.copy.answer,
        title_max: TITLE_MAX,
        facts: facts_of(t, &state.reference.get(), v.ticket, v.reply),
        chrome,
    };
    (v.status, page(lang, body)).into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn notice_id(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "saved" => "answers-done-saved",
        "published" => "answers-done-published",
        "updated" => "answers-done-updated",
        "unpublished" => "answers-done-unpublished",
        "not-published" => "answers-done-not-published",
        _ => return None,
    })
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let ticket = ticket_for(&state, &user, &code).await?;
    let (reply, row) = {
        let mut conn = state.pool.get().await?;
        (
            db::approved_reply(&mut conn, ticket.id).await?,
            db::for_ticket(&mut conn, ticket.id).await?,
        )
    };
    let verdict = may_publish(&facts(&ticket, reply.as_ref()));
    let copy = match (&row, &reply) {
        (Some(r), _) => Copy {
            title: r.title.clone(),
            question: r.question.clone(),
            answer: r.answer.clone(),
        },
        (None, Some(reply)) if verdict.is_ok() => first_draft(&ticket, reply),
        _ => Copy::default(),
    };
    Ok(render(
        &state,
        &lang,
        &user,
        View {
            ticket: &ticket,
            reply: reply.as_ref(),
            row: row.as_ref(),
            copy,
            errors: Vec::new(),
            own_left: Vec::new(),
            refused: None,
            notice: notice_id(q.done.as_deref()),
            status: StatusCode::OK,
        },
    ))
}

/// A POST refused by the use case, as the page shows it again.
struct Rejected {
    errors: Vec<(&'static str, CopyError)>,
    own_left: Vec<Kind>,
    refused: Option<Refusal>,
    status: StatusCode,
}

impl Rejected {
    /// The page's answer to a refusal; the errors that are no refusal stay errors.
    fn of(e: PublicationError) -> AppResult<Rejected> {
        let (errors, own_left, refused, status) = match e {
            PublicationError::Refused(r) => (Vec::new(), Vec::new(), Some(r), StatusCode::CONFLICT),
            PublicationError::Invalid(errors) => {
                (errors, Vec::new(), None, StatusCode::UNPROCESSABLE_ENTITY)
            }
            PublicationError::OwnDataLeft(kinds) => {
                (Vec::new(), kinds, None, StatusCode::UNPROCESSABLE_ENTITY)
            }
            PublicationError::NotAllowed => return Err(AppError::Forbidden),
            PublicationError::Database(e) => return Err(e.into()),
            PublicationError::Mail(e) => return Err(AppError::Internal(e)),
        };
        Ok(Rejected {
            errors,
            own_left,
            refused,
            status,
        })
    }
}

/// `POST`: saves, publishes or unpublishes the copy; runs to its end even if the client
/// goes away.
pub async fn act(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    fields: Fields,
) -> Response {
    detached(async move { act_detached(state, lang, user, code, fields).await }).await
}

async fn act_detached(
    state: SharedState,
    lang: RequestLang,
    user: StaffUser,
    code: String,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&user, fields.get("csrf"))?;
    let ticket = ticket_for(&state, &user, &code).await?;
    let action = Action::parse(fields.get("action")).ok_or(AppError::NotFound)?;
    let typed = Copy {
        title: fields.get("title").to_string(),
        question: fields.get("question").to_string(),
        answer: fields.get("answer").to_string(),
    };
    let refused = match carry_out(&state, &user, ticket.id, action, &typed).await? {
        Ok(done) => {
            let to = format!(
                "/staff/tickets/{}/publication?done={}",
                ticket.code,
                done.code()
            );
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => Rejected::of(e)?,
    };
    again(&state, &lang, &user, &ticket.code, &typed, refused).await
}

/// Runs the use case, and wakes the mail worker when it queued mail.
async fn carry_out(
    state: &AppState,
    user: &StaffUser,
    ticket_id: i64,
    action: Action,
    typed: &Copy,
) -> AppResult<Result<publication::Done, PublicationError>> {
    let reference = state.reference.get();
    let ctx = Context::now(&state.cfg, &reference);
    let mut conn = state.pool.get().await?;
    let result = publication::apply(&mut conn, &ctx, &user.access, ticket_id, action, typed).await;
    drop(conn);
    if result.as_ref().is_ok_and(|a| a.mails > 0) {
        state.mail_wake.notify_one();
    }
    Ok(result.map(|a| a.done))
}

/// Back to the page with what was typed (the ticket as it is now).
async fn again(
    state: &AppState,
    lang: &RequestLang,
    user: &StaffUser,
    code: &str,
    typed: &Copy,
    r: Rejected,
) -> AppResult<Response> {
    let (ticket, reply, row) = {
        let mut conn = state.pool.get().await?;
        let ticket = tickets::by_code(&mut conn, code)
            .await?
            .ok_or(AppError::NotFound)?;
        let reply = db::approved_reply(&mut conn, ticket.id).await?;
        let row = db::for_ticket(&mut conn, ticket.id).await?;
        (ticket, reply, row)
    };
    let (copy, _) = clean(&typed.title, &typed.question, &typed.answer);
    Ok(render(
        state,
        lang,
        user,
        View {
            ticket: &ticket,
            reply: reply.as_ref(),
            row: row.as_ref(),
            copy,
            errors: r.errors,
            own_left: r.own_left,
            refused: r.refused,
            notice: None,
            status: r.status,
        },
    ))
}
