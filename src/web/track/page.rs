//! `/t/{access_token}`: the citizen's private track page, reached by the link in the
//! receipt and in every mail, or by a lookup with code and contact. Right after filing
//! it reads as the receipt; later it shows where the PAKN stands: the status in plain
//! words, the public timeline, the reply deadline and whether it is kept, and the
//! official reply with its files (`/t/{access_token}/files/{id}`). No cookie, no script
//! needed; it prints cleanly; no cache keeps it and no link on it leaks its address.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::db::ratings::LatestAnswer;
use crate::db::tickets;
use crate::db::track::{self, ApprovedReply, PublicEvent, ReplyFile, TrackRow};
use crate::domain::attachment::{content_disposition, size_text};
use crate::domain::calendar::{DueState, due_state, format_date, format_datetime, local_date};
use crate::domain::form_token::FormKind;
use crate::domain::mail_state::{AckState, mask_address};
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::domain::workflow::{
    ActorKind, CitizenAction, RatingState, citizen_actions, citizen_may_reopen,
};
use crate::handling::filing;
use crate::handling::rating::Rating;
use crate::i18n::Tr;
use crate::mail::sight;
use crate::web::kit::RequestLang;
use crate::web::kit::attempt::{self, Attempt};
use crate::web::kit::error::{AppError, AppResult};
use crate::web::kit::event_details::{Reader, event_details};
use crate::web::kit::outage::first_hotline;
use crate::web::kit::{AppState, SharedState};
use crate::web::kit::{Chrome, page};
use crate::web::track::outcome::{EndedBox, QuestionBox, ended_box, question_box};

/// One entry of the public timeline.
pub struct EventView {
    pub at: String,
    pub what: String,
    pub who: String,
    pub body: Option<String>,
    /// Structured details (competent body, agency, reference, …) as (label, value).
    pub details: Vec<(String, String)>,
}

pub struct FileView {
    pub url: String,
    pub filename: String,
    pub size: String,
}

/// An official reply (approved, so sent).
pub struct ReplyView {
    pub number_symbol: String,
    pub date: String,
    pub signer: String,
    pub body: String,
    pub files: Vec<FileView>,
}

/// The citizen's forms on the page ([`CitizenAction`]): answering a request for
/// information, withdrawing, rating the answer.
#[derive(Debug, Clone, Default)]
pub struct CitizenPanel {
    /// The private link's path (forms post below it).
    pub path: String,
    pub form_token: String,
    /// What the citizen may do now ([`citizen_actions`]).
    pub offered: Vec<CitizenAction>,
    /// The PAKN was answered more than once: the form rates the latest answer.
    pub rates_latest_of_several: bool,
    /// The label of the latest answer's rating, once given.
    pub rated: Option<String>,
    /// "Not resolved" can still reopen the PAKN.
    pub may_reopen: bool,
    pub max_files: usize,
    pub attempt: Option<Attempt>,
    pub done: Option<String>,
}

impl CitizenPanel {
    pub fn any(&self) -> bool {
        !self.offered.is_empty()
            || self.rated.is_some()
            || self.done.is_some()
            || self.attempt.is_some()
    }

    /// Whether the form of `action` is shown.
    pub fn can(&self, action: CitizenAction) -> bool {
        self.offered.contains(&action)
    }

    /// Where the form of `action` posts.
    pub fn url(&self, action: CitizenAction) -> String {
        format!("{}/{action}", self.path)
    }

    /// The rating choices, in the form's order: (code, message id of the label).
    pub fn ratings(&self) -> impl Iterator<Item = (&'static str, String)> {
        Rating::ALL.into_iter().map(|r| (r.as_str(), r.label_id()))
    }

    /// What was typed in `name` of the form of `action` in a refused attempt.
    pub fn v(&self, action: CitizenAction, name: &str) -> &str {
        attempt::typed(&self.attempt, action.as_str(), name)
    }

    /// The message of a refused attempt whose form is no longer shown (e.g. a second
    /// rating): shown at the top of the section.
    pub fn general_error(&self) -> &str {
        self.attempt
            .as_ref()
            .filter(|a| CitizenAction::parse(&a.action).is_none_or(|action| !self.can(action)))
            .map(|a| a.error.as_str())
            .unwrap_or_default()
    }

    pub fn error(&self, action: CitizenAction) -> &str {
        attempt::error_of(&self.attempt, action.as_str())
    }
}

/// Where the reply deadline stands: a CSS modifier and its words.
pub struct DueNote {
    pub class: &'static str,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "track.html")]
pub struct TrackPage {
    pub chrome: Chrome,
    /// Nothing has happened yet but the filing: the page reads as the receipt.
    pub just_filed: bool,
    pub code: String,
    pub title: String,
    pub status: &'static str,
    pub status_label: String,
    pub status_explain: String,
    pub kind_label: String,
    pub field_name: String,
    pub unit_name: String,
    pub received: String,
    pub accept_due: String,
    pub reply_due: String,
    pub due_note: Option<DueNote>,
    pub needs_info_due: Option<String>,
    /// The reply deadline still means something: not for a PAKN that ended unanswered.
    pub show_reply_due: bool,
    /// The officer's question, while the PAKN waits for the citizen's information.
    pub question: Option<QuestionBox>,
    /// Why the PAKN ended unanswered and what the citizen can do now.
    pub ended: Option<EndedBox>,
    pub has_email: bool,
    /// An email was given but no acknowledgement went to it (the address was mailed
    /// often enough, security review finding 11): the receipt says so.
    pub ack_skipped: bool,
    /// What became of the acknowledgement: to be mailed, mailed, or refused for good.
    pub ack: Option<AckNotice>,
    pub private_url: String,
    pub events: Vec<EventView>,
    pub replies: Vec<ReplyView>,
    pub actions: CitizenPanel,
    /// The private link's own card: renewing it.
    pub link: LinkBox,
}

/// What the receipt and the track page say of the acknowledgement (issue 15, part 6).
#[derive(Debug, Clone)]
pub struct AckNotice {
    /// `pending`, `sent` or `failed`.
    pub state: &'static str,
    pub failed: bool,
    pub text: String,
    /// What to do when it failed.
    pub todo: Vec<String>,
}

/// The notice of an acknowledgement in `state` to `email` (shown masked, as the
/// private link's renewal does): `None` when none was queued.
fn ack_notice(state: &AppState, t: &Tr, ack: AckState, email: &str) -> Option<AckNotice> {
    let to = mask_address(email);
    let (code, failed) = match ack {
        AckState::None => return None,
        AckState::Pending => ("pending", false),
        AckState::Sent => ("sent", false),
        AckState::Failed => ("failed", true),
    };
    let mut todo = Vec::new();
    if failed {
        todo.push(t.t("receipt-ack-failed-keep"));
        todo.push(t.t("receipt-ack-failed-check"));
        todo.push(match first_hotline(&state.reference.get()) {
            Some(phone) => t.t1("receipt-ack-failed-hotline", "phone", phone),
            None => t.t("receipt-ack-failed-contact"),
        });
    }
    Some(AckNotice {
        state: code,
        failed,
        text: t.t1(&format!("receipt-ack-{code}"), "to", to),
        todo,
    })
}

/// The private link card's form ("a new private link") and its outcome.
#[derive(Debug, Clone, Default)]
pub struct LinkBox {
    /// `POST` here to renew the link.
    pub renew_url: String,
    /// This link was just made (no email at filing: it is shown, not mailed).
    pub renewed: bool,
    /// Why the renewal was refused (an expired form, too many renewals).
    pub error: Option<String>,
}

/// The action name of the renewal form in an [`Attempt`].
pub const RENEW_ACTION: &str = "new-link";

/// Access tokens are 43 URL-safe base64 characters; anything else is not looked up.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The headers of every private response: no cache keeps it, no referrer carries its
/// address away, no search engine lists it.
pub fn private_headers(res: &mut Response) {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
}

/// The label of a timeline event: `event-<code>` (the workflow's messages), or a generic
/// "update" for a code without one.
fn event_label(t: &Tr, code: &str) -> String {
    let id = format!("event-{}", code.replace('_', "-"));
    if t.has(&id) {
        t.t(&id)
    } else {
        t.t("track-event-update")
    }
}

fn due_note(
    state: &AppState,
    t: &Tr,
    row: &TrackRow,
    status: Status,
) -> AppResult<Option<DueNote>> {
    let reference = state.reference.get();
    if status.is_open() {
        let policy = state.cfg.deadline_policy();
        let (class, id) = match due_state(&reference.calendar, &policy, row.reply_due, Utc::now()) {
            DueState::OnTime => ("ontime", "track-due-on-time"),
            DueState::DueSoon => ("soon", "track-due-soon"),
            DueState::Overdue => ("overdue", "track-due-overdue"),
        };
        return Ok(Some(DueNote {
            class,
            label: t.t(id),
        }));
    }
    Ok(row.answered_at.map(|at| {
        if local_date(at) <= row.reply_due {
            DueNote {
                class: "ontime",
                label: t.t("track-answered-on-time"),
            }
        } else {
            DueNote {
                class: "overdue",
                label: t.t("track-answered-late"),
            }
        }
    }))
}

/// What the track page shows of a PAKN, read in two round trips (three when staff names
/// are shown).
struct Loaded {
    row: TrackRow,
    /// The answer a rating judges, once there is an answer.
    latest_answer: Option<LatestAnswer>,
    events: Vec<PublicEvent>,
    replies: Vec<ApprovedReply>,
    files: Vec<ReplyFile>,
    /// Staff names by id (only when `[privacy] show_staff_names`).
    names: Vec<(i32, String)>,
    /// Where the acknowledgement stands (none without an email).
    ack: AckState,
}

async fn load(state: &AppState, access_token: &str) -> AppResult<Option<Loaded>> {
    let mut conn = state.pool.get().await?;
    let Some(row) = track::by_access_token(&mut conn, access_token).await? else {
        return Ok(None);
    };
    // The rest in one round trip (pipelined on the connection): the timeline, the
    // approved replies with their ratings and files, and where the acknowledgement
    // stands.
    let (events, rated, files, ack) = {
        let shared = &*conn;
        let (mut c1, mut c2, mut c3, mut c4) = (shared, shared, shared, shared);
        let has_email = row.email.is_some();
        futures_util::try_join!(
            track::public_events(&mut c1, row.id),
            track::approved_replies(&mut c2, row.id),
            track::reply_files(&mut c3, row.id),
            async {
                if has_email {
                    sight::ack_state(&mut c4, row.id).await
                } else {
                    Ok(AckState::None)
                }
            },
        )?
    };
    // The answer a rating judges: the latest approved reply (a reopened PAKN answered
    // again is rated again; the earlier ratings stay in the timeline).
    let latest_answer = row
        .answered_at
        .and(rated.last())
        .map(|(reply, rating)| LatestAnswer {
            reply_id: reply.id,
            rating: rating.clone(),
        });
    let replies: Vec<ApprovedReply> = rated.into_iter().map(|(reply, _)| reply).collect();
    let names = if state.cfg.privacy.show_staff_names {
        let mut ids: Vec<i32> = events.iter().filter_map(|e| e.actor_id).collect();
        ids.sort_unstable();
        ids.dedup();
        tickets::user_names(&mut conn, &ids).await?
    } else {
        Vec::new()
    };
    Ok(Some(Loaded {
        row,
        latest_answer,
        events,
        replies,
        files,
        names,
        ack,
    }))
}

/// The track page with a refused action's message and values, or a confirmation.
pub async fn render_with(
    state: &AppState,
    lang: &RequestLang,
    access_token: &str,
    attempt: Option<Attempt>,
    done: Option<CitizenAction>,
    renewed: bool,
    http_status: StatusCode,
) -> AppResult<Option<Response>> {
    let Some(loaded) = load(state, access_token).await? else {
        return Ok(None);
    };
    let t = lang.tr();
    let path = format!("/t/{access_token}");
    let (link_error, attempt) = match attempt {
        Some(a) if a.action == RENEW_ACTION => (Some(a.error), None),
        other => (None, other),
    };
    let link = LinkBox {
        renew_url: format!("{path}/{RENEW_ACTION}"),
        renewed,
        error: link_error,
    };
    let actions = citizen_panel(state, &t, &loaded, &path, attempt, done);
    let mut body = track_page(state, lang, &t, loaded, path, actions)?;
    body.link = link;
    let mut res = page(lang, body);
    *res.status_mut() = http_status;
    private_headers(&mut res);
    Ok(Some(res))
}

/// Where the latest answer's rating stands.
fn rating_state(latest: Option<&LatestAnswer>) -> RatingState {
    match latest {
        None => RatingState::NoAnswer,
        Some(a) if a.rating.is_some() => RatingState::Rated,
        Some(_) => RatingState::Unrated,
    }
}

fn citizen_panel(
    state: &AppState,
    t: &Tr,
    loaded: &Loaded,
    path: &str,
    attempt: Option<Attempt>,
    done: Option<CitizenAction>,
) -> CitizenPanel {
    let row = &loaded.row;
    let latest = loaded.latest_answer.as_ref();
    let window_days = state.cfg.deadlines.reopen_window_days;
    CitizenPanel {
        path: path.to_string(),
        form_token: state.tokens.issue_now(FormKind::Citizen),
        offered: citizen_actions(row.status, row.answered_at.is_some(), rating_state(latest)),
        rates_latest_of_several: loaded.replies.len() > 1,
        rated: latest
            .and_then(|a| a.rating.as_deref())
            .and_then(Rating::parse)
            .map(|r| t.t(&r.label_id())),
        may_reopen: row
            .answered_at
            .is_some_and(|at| citizen_may_reopen(at, Utc::now(), window_days)),
        max_files: state.cfg.uploads.max_files,
        attempt,
        done: done.map(|d| t.t(&d.message_id("citizen-done"))),
    }
}

fn track_page(
    state: &AppState,
    lang: &RequestLang,
    t: &Tr,
    loaded: Loaded,
    path: String,
    actions: CitizenPanel,
) -> AppResult<TrackPage> {
    let reference = state.reference.get();
    let Loaded {
        row,
        events,
        replies,
        files,
        names,
        ack,
        ..
    } = loaded;
    let status = row.status;
    let show_names = state.cfg.privacy.show_staff_names;
    let needs_info_due = row
        .needs_info_due
        .filter(|_| status == Status::NeedsInfo)
        .map(format_date);
    Ok(TrackPage {
        actions,
        chrome: Chrome::new(state, lang, &path),
        just_filed: status == Status::Submitted && events.iter().all(|e| e.event == "submitted"),
        code: TrackingCode::parse(&row.code)
            .map(|c| c.display())
            .unwrap_or(row.code.clone()),
        status: status.as_str(),
        status_label: t.t(&status.label_id()),
        status_explain: t.t(&status.explain_id()),
        kind_label: t.t(&row.kind.message_id("kind")),
        field_name: reference
            .field(&row.field_code)
            .map(|f| t.pick(&f.name_vi, &f.name_en).to_string())
            .unwrap_or(row.field_code.clone()),
        unit_name: reference
            .unit(row.unit_id)
            .map(|u| t.pick(&u.name_vi, &u.name_en).to_string())
            .unwrap_or_default(),
        received: format_datetime(row.received_at),
        accept_due: format_date(row.accept_due),
        reply_due: format_date(row.reply_due),
        due_note: due_note(state, t, &row, status)?,
        needs_info_due: needs_info_due.clone(),
        show_reply_due: !status.is_terminal() || row.answered_at.is_some(),
        question: question_box(t, &state.cfg, status, &events, needs_info_due),
        ended: ended_box(t, &state.cfg, first_hotline(&reference), status, &events),
        has_email: row.email.is_some() && !ack_skipped(&events),
        ack_skipped: row.email.is_some() && ack_skipped(&events),
        ack: row
            .email
            .as_deref()
            .and_then(|email| ack_notice(state, t, ack, email)),
        private_url: format!(
            "{}{path}",
            state.cfg.server.public_url.trim_end_matches('/')
        ),
        events: events
            .iter()
            .map(|e| event_view(t, e, &names, show_names))
            .collect(),
        replies: replies
            .iter()
            .rev()
            .map(|r| reply_view(r, &files, &path))
            .collect(),
        title: row.title,
        link: LinkBox::default(),
    })
}

/// Whether the filing's acknowledgement was skipped (see `FilingMeta::skip_acknowledgement`).
fn ack_skipped(events: &[PublicEvent]) -> bool {
    events.iter().any(|e| {
        e.event == "submitted"
            && e.data.get(filing::ACKNOWLEDGEMENT).and_then(|v| v.as_str())
                == Some(filing::ACK_SKIPPED)
    })
}

/// Who an event is shown as: the citizen, the system, or staff (by name only when
/// configured).
fn event_view(t: &Tr, e: &PublicEvent, names: &[(i32, String)], show_names: bool) -> EventView {
    let who = match e.actor_kind {
        ActorKind::Citizen => t.t("track-actor-citizen"),
        ActorKind::System => t.t("track-actor-system"),
        ActorKind::Staff => e
            .actor_id
            .filter(|_| show_names)
            .and_then(|id| names.iter().find(|(i, _)| *i == id))
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| t.t("track-actor-staff")),
    };
    EventView {
        at: format_datetime(e.at),
        what: event_label(t, &e.event),
        who,
        body: e.body.clone().filter(|b| !b.trim().is_empty()),
        details: event_details(t, &e.data, Reader::Citizen),
    }
}

/// An approved reply with its files (downloads below the private link's `path`).
fn reply_view(r: &ApprovedReply, files: &[ReplyFile], path: &str) -> ReplyView {
    ReplyView {
        number_symbol: r.number_symbol.clone().unwrap_or_default(),
        date: r
            .reply_date
            .or(r.decided_at.map(local_date))
            .map(format_date)
            .unwrap_or_default(),
        signer: r.signer.clone().unwrap_or_default(),
        body: r.body.clone(),
        files: files
            .iter()
            .filter(|f| f.reply_id == r.id)
            .map(|f| FileView {
                url: format!("{path}/files/{}", f.id),
                filename: f.filename.clone(),
                size: size_text(i64::from(f.size_bytes)),
            })
            .collect(),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ShowQuery {
    /// The citizen action just carried out (shows its confirmation).
    done: Option<String>,
}

pub async fn show(
    State(state): State<SharedState>,
    lang: RequestLang,
    Path(access_token): Path<String>,
    Query(query): Query<ShowQuery>,
) -> AppResult<Response> {
    if !plausible_token(&access_token) {
        return Err(AppError::NotFound);
    }
    let done = query.done.as_deref().and_then(CitizenAction::parse);
    let renewed = query.done.as_deref() == Some(RENEW_ACTION);
    render_with(
        &state,
        &lang,
        &access_token,
        None,
        done,
        renewed,
        StatusCode::OK,
    )
    .await?
    .ok_or(AppError::NotFound)
}

/// `GET /t/{access_token}/files/{id}`: a file of the official reply, always as a
/// download. The citizen's own files, drafts' files and other tickets' files are 404.
pub async fn download(
    State(state): State<SharedState>,
    Path((access_token, id)): Path<(String, i64)>,
) -> AppResult<Response> {
    if !plausible_token(&access_token) {
        return Err(AppError::NotFound);
    }
    let mut conn = state.pool.get().await?;
    let (filename, content_type, data) = track::reply_file_data(&mut conn, &access_token, id)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let mut res = Response::new(Body::from(data));
    *res.status_mut() = StatusCode::OK;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&filename))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    private_headers(&mut res);
    Ok(res.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn unknown_event_codes_get_a_generic_label() {
        let t = Tr::new(Lang::Vi);
        assert_eq!(event_label(&t, "submitted"), t.t("event-submitted"));
        assert_eq!(event_label(&t, "no_such_event"), t.t("track-event-update"));
    }
}
