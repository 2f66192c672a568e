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
use chrono::{NaiveDate, Utc};
use diesel_async::AsyncConnection;
use serde::Deserialize;

use crate::auth::StaffUser;
use crate::db::publication::{self as db, ApprovedReply, CopyWrite, PublicAnswerRow};
use crate::db::tickets::{self, NewEvent, TicketRow};
use crate::domain::calendar::{format_date, local_date};
use crate::domain::masking::{Kind, Masker, PersonalData, search_text};
use crate::domain::publication::{
    Copy, CopyError, Facts, Leftovers, Refusal, TEXT_MAX, TITLE_MAX, clean, draft, leftovers,
    may_publish, new_public_id,
};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};
use crate::mail;
use crate::web::kit::RequestLang;
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

/// What masking hides for this ticket: the sender's details and the tracking code.
fn masker_of(t: &TicketRow) -> Masker {
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

fn facts(t: &TicketRow, reply: Option<&ApprovedReply>) -> Facts {
    Facts {
        status: t.status,
        publish_consent: t.publish_consent,
        confidential: t.confidential,
        has_approved_reply: reply.is_some(),
    }
}

/// The date the public list shows: the reply's date, else the day it was approved.
fn answered_on(reply: Option<&ApprovedReply>) -> NaiveDate {
    reply
        .and_then(|r| r.reply_date.or(r.decided_at.map(local_date)))
        .unwrap_or_else(|| local_date(Utc::now()))
}

fn lang_of(t: &TicketRow) -> Lang {
    Lang::parse(&t.lang).unwrap_or_default()
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

fn render(state: &AppState, lang: &RequestLang, user: &StaffUser, v: View<'_>) -> Response {
    let path = format!("/staff/tickets/{}/publication", v.ticket.code);
    let chrome = StaffChrome::new(state, lang, user, &path);
    let t = chrome.t;
    let reference = state.reference.get();
    let verdict = match v.refused {
        Some(r) => Err(r),
        None => may_publish(&facts(v.ticket, v.reply)),
    };
    let published = v.row.is_some_and(PublicAnswerRow::is_published);
    let state_label = match v.row {
        None => t.t("answers-state-none"),
        Some(r) if r.is_published() => t.t1(
            "answers-state-published",
            "date",
            r.published_at
                .map(local_date)
                .map(format_date)
                .unwrap_or_default(),
        ),
        Some(r) if r.unpublished_at.is_some() => t.t1(
            "answers-state-unpublished",
            "date",
            r.unpublished_at
                .map(local_date)
                .map(format_date)
                .unwrap_or_default(),
        ),
        Some(_) => t.t("answers-state-draft"),
    };
    let left: Leftovers =
        with_named_subject(leftovers(&masker_of(v.ticket), &v.copy), v.ticket, &v.copy);
    let own: Vec<Kind> = if v.own_left.is_empty() {
        left.own.clone()
    } else {
        v.own_left.clone()
    };
    let mut facts = vec![Fact {
        label: t.t("label-field"),
        value: reference
            .field(&v.ticket.field_code)
            .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
            .unwrap_or(v.ticket.field_code.clone()),
    }];
    if let Some(r) = v.reply {
        facts.push(Fact {
            label: t.t("answers-reply"),
            value: [
                r.number_symbol.clone(),
                r.reply_date.map(format_date),
                r.signer.clone(),
            ]
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
    let body = PublicationPage {
        t,
        code: v.ticket.code.clone(),
        code_display: TrackingCode::parse(&v.ticket.code)
            .map(|c| c.display())
            .unwrap_or(v.ticket.code.clone()),
        ticket_title: v.ticket.title.clone(),
        state_label,
        public_href: v
            .row
            .filter(|r| r.is_published() && verdict.is_ok())
            .map(|r| format!("/answers/{}", r.public_id)),
        refusal: verdict.err().map(|r| t.t(&r.message_id())),
        notice: v.notice.map(|id| t.t(id)),
        errors: v
            .errors
            .iter()
            .map(|(name, e)| {
                let msg = match e {
                    CopyError::Empty => t.t("answers-error-empty"),
                    CopyError::TooLong => t.t1(
                        "answers-error-too-long",
                        "max",
                        if *name == "title" {
                            TITLE_MAX
                        } else {
                            TEXT_MAX
                        } as i64,
                    ),
                };
                (*name, msg)
            })
            .collect(),
        own_left: (!own.is_empty()).then(|| {
            t.t1(
                "answers-own-data-left",
                "kinds",
                own.iter()
                    .map(|k| kind_label(t, *k))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }),
        other_left: left.other,
        editable: verdict.is_ok(),
        published,
        title: v.copy.title,
        question: v.copy.question,
        answer: v.copy.answer,
        title_max: TITLE_MAX,
        facts,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Save,
    Publish,
    Unpublish,
}

/// How a POST ended.
enum Outcome {
    /// Done: redirect with this `done` code.
    Done(&'static str),
    Refused(Refusal),
    Invalid(Vec<(&'static str, CopyError)>),
    /// The copy still holds the sender's own details and would go public.
    OwnDataLeft(Vec<Kind>),
}

pub async fn act(
    State(state): State<SharedState>,
    lang: RequestLang,
    user: StaffUser,
    Path(code): Path<String>,
    fields: Fields,
) -> AppResult<Response> {
    check_csrf(&user, fields.get("csrf"))?;
    let ticket = ticket_for(&state, &user, &code).await?;
    let action = match fields.get("action") {
        "save" => Action::Save,
        "publish" => Action::Publish,
        "unpublish" => Action::Unpublish,
        _ => return Err(AppError::NotFound),
    };
    let typed = Copy {
        title: fields.get("title").to_string(),
        question: fields.get("question").to_string(),
        answer: fields.get("answer").to_string(),
    };
    // The rest runs to its end even if the client goes away.
    let task = {
        let (state, user, typed) = (state.clone(), user.clone(), typed.clone());
        let ticket_id = ticket.id;
        tokio::spawn(async move { apply(&state, &user, ticket_id, action, &typed).await })
    };
    let outcome = task
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("publication task failed: {e}")))??;
    let mut refused = None;
    let (errors, own_left, status) = match outcome {
        Outcome::Done(done) => {
            return Ok(Redirect::to(&format!(
                "/staff/tickets/{}/publication?done={done}",
                ticket.code
            ))
            .into_response());
        }
        Outcome::Refused(r) => {
            refused = Some(r);
            (Vec::new(), Vec::new(), StatusCode::CONFLICT)
        }
        Outcome::Invalid(errors) => (errors, Vec::new(), StatusCode::UNPROCESSABLE_ENTITY),
        Outcome::OwnDataLeft(kinds) => (Vec::new(), kinds, StatusCode::UNPROCESSABLE_ENTITY),
    };
    // Back to the page with what was typed (the ticket as it is now).
    let (ticket, reply, row) = {
        let mut conn = state.pool.get().await?;
        let ticket = tickets::by_code(&mut conn, &ticket.code)
            .await?
            .ok_or(AppError::NotFound)?;
        let reply = db::approved_reply(&mut conn, ticket.id).await?;
        let row = db::for_ticket(&mut conn, ticket.id).await?;
        (ticket, reply, row)
    };
    let (copy, _) = clean(&typed.title, &typed.question, &typed.answer);
    Ok(render(
        &state,
        &lang,
        &user,
        View {
            ticket: &ticket,
            reply: reply.as_ref(),
            row: row.as_ref(),
            copy,
            errors,
            own_left,
            refused,
            notice: None,
            status,
        },
    ))
}

/// One transaction: the ticket locked, the checks made again, the copy stored, the
/// event written and the mail queued together.
async fn apply(
    state: &AppState,
    user: &StaffUser,
    ticket_id: i64,
    action: Action,
    typed: &Copy,
) -> AppResult<Outcome> {
    let mut conn = state.pool.get().await?;
    let mut mailed = false;
    let outcome = conn
        .transaction::<Outcome, AppError, _>(async |conn| {
            let t = db::lock_ticket(conn, ticket_id).await?;
            let reply = db::approved_reply(conn, t.id).await?;
            let row = db::for_ticket(conn, t.id).await?;
            if action == Action::Unpublish {
                if !row.as_ref().is_some_and(PublicAnswerRow::is_published) {
                    return Ok(Outcome::Done("not-published"));
                }
                db::set_unpublished(conn, t.id).await?;
                event(conn, &t, user, "unpublish", row.as_ref()).await?;
                return Ok(Outcome::Done("unpublished"));
            }
            if let Err(r) = may_publish(&facts(&t, reply.as_ref())) {
                return Ok(Outcome::Refused(r));
            }
            let (copy, errors) = clean(&typed.title, &typed.question, &typed.answer);
            if !errors.is_empty() {
                return Ok(Outcome::Invalid(errors));
            }
            let was_published = row.as_ref().is_some_and(PublicAnswerRow::is_published);
            let left = leftovers(&masker_of(&t), &copy);
            if (action == Action::Publish || was_published) && !left.own.is_empty() {
                return Ok(Outcome::OwnDataLeft(left.own));
            }
            let search = search_text(&[&copy.title, &copy.question, &copy.answer]);
            let new_id = new_public_id(&mut rand::rng());
            let saved = db::save(
                conn,
                t.id,
                &new_id,
                &CopyWrite {
                    field_code: &t.field_code,
                    title: &copy.title,
                    question: &copy.question,
                    answer: &copy.answer,
                    answered_on: answered_on(reply.as_ref()),
                    search_text: &search,
                },
            )
            .await?;
            if action == Action::Save {
                return Ok(Outcome::Done(if was_published {
                    "updated"
                } else {
                    "saved"
                }));
            }
            if was_published {
                return Ok(Outcome::Done("updated"));
            }
            let first_time = saved.published_at.is_none();
            let published = db::set_published(conn, t.id, user.id).await?;
            event(conn, &t, user, "publish", Some(&published)).await?;
            if first_time && let Some(email) = t.email.as_deref() {
                let code = TrackingCode::parse(&t.code)
                    .ok_or_else(|| anyhow::anyhow!("ticket {} has an invalid code", t.id))?;
                let access_token = tickets::access_token_of(conn, t.id).await?;
                let mail = mail::publication::published(
                    &state.cfg,
                    &mail::publication::Published {
                        ticket_id: t.id,
                        code: &code,
                        access_token: &access_token,
                        public_id: &published.public_id,
                        lang: lang_of(&t),
                        email,
                    },
                )?;
                if let Some(mail) = mail {
                    mail::enqueue(conn, mail).await?;
                    mailed = true;
                }
            }
            Ok(Outcome::Done("published"))
        })
        .await?;
    drop(conn);
    if mailed {
        state.mail_wake.notify_one();
    }
    if let Outcome::Done(done @ ("published" | "unpublished")) = &outcome {
        tracing::info!(ticket_id, user_id = user.id, done, "publication");
    }
    Ok(outcome)
}

/// The public timeline event of a publication or unpublication.
async fn event(
    conn: &mut diesel_async::AsyncPgConnection,
    t: &TicketRow,
    user: &StaffUser,
    what: &str,
    row: Option<&PublicAnswerRow>,
) -> diesel::QueryResult<usize> {
    tickets::insert_events(
        conn,
        &[NewEvent {
            ticket_id: t.id,
            at: Utc::now(),
            actor_kind: crate::domain::workflow::ActorKind::Staff,
            actor_id: Some(user.id),
            event: what,
            from_status: None,
            to_status: None,
            public: true,
            body: None,
            data: serde_json::json!({ "public_id": row.map(|r| r.public_id.as_str()) }),
        }],
    )
    .await
}
