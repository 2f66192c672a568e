//! `/api/v1/staff/pakn`: clients with the scope `staff` act as one staff account
//! (`pakn api-client add --scope staff --acts-as EMAIL`), whose roles and unit decide,
//! through the one access policy, what they read and which moves they make, through the
//! same move table and use cases as the web.
//!
//! - `GET /api/v1/staff/pakn?status=&limit=&cursor=`: the PAKN in reach, newest first, a
//!   page at a time; `next` is the address of the next page (an opaque cursor).
//! - `GET /api/v1/staff/pakn/{code}`: one PAKN.
//! - `POST /api/v1/staff/pakn/{code}/moves`: a move (`accept`, `ask_info`, `transfer`,
//!   `reject`, `out_of_scope`, `start_work`, `submit_draft` (alias `answer`), `approve`),
//!   answered with the PAKN after it.
//!
//! Both reads show the sender's details (unless the PAKN is confidential and the account
//! may not read it) and are recorded in the personal-data log under the account, with
//! the purpose `api`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};

use super::caller::Caller;
use super::problem::{Common, Problem, ProblemBody};
use crate::db::PooledConn;
use crate::db::api_staff::{self, After, StaffRow};
use crate::db::tickets::record_personal_data_views;
use crate::domain::access::Access;
use crate::domain::calendar::vn_offset;
use crate::domain::status::Status;
use crate::domain::tracking_code::TrackingCode;
use crate::handling::command::commands_for;
use crate::handling::{
    self, Classification, Command, Context, HandlingError, ReplyDocument, Step, Who,
};
use crate::i18n::{Lang, Tr};
use crate::web::kit::{AppState, SharedState, detached};

/// A page's default and largest size.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

/// The sender, as staff read it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Sender {
    pub full_name: Option<String>,
    pub organization: Option<String>,
    pub address: String,
    pub phone: String,
    pub email: Option<String>,
}

/// A PAKN as a staff client reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffPakn {
    pub code: String,
    pub status: String,
    pub status_label_vi: String,
    pub status_label_en: String,
    pub kind: String,
    pub channel: String,
    pub field_code: String,
    pub content_category: String,
    /// The handling unit's code.
    pub unit: String,
    pub assignee_id: Option<i32>,
    pub received_at: DateTime<FixedOffset>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub confidential: bool,
    pub external_ref: Option<String>,
    /// What it says and who sent it: absent for a confidential PAKN the account may not
    /// read.
    pub title: Option<String>,
    pub content: Option<String>,
    pub proposal: Option<String>,
    pub sender: Option<Sender>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffPage {
    pub items: Vec<StaffPakn>,
    /// The next page's address, absent on the last page.
    pub next: Option<String>,
}

fn pakn(state: &AppState, access: &Access, r: StaffRow) -> (StaffPakn, bool) {
    let reads = access.reads_content(r.unit_id, r.confidential);
    let (vi, en) = (Tr::new(Lang::Vi), Tr::new(Lang::En));
    let unit = state
        .reference
        .get()
        .unit(r.unit_id)
        .map(|u| u.code.clone())
        .unwrap_or_default();
    let p = StaffPakn {
        code: r.code,
        status: r.status.as_str().to_string(),
        status_label_vi: vi.t(&r.status.label_id()),
        status_label_en: en.t(&r.status.label_id()),
        kind: r.kind.as_str().to_string(),
        channel: r.channel.as_str().to_string(),
        field_code: r.field_code,
        content_category: r.content_category,
        unit,
        assignee_id: r.assignee_id,
        received_at: r.received_at.with_timezone(&vn_offset()),
        accept_due: r.accept_due,
        reply_due: r.reply_due,
        confidential: r.confidential,
        external_ref: r.external_ref,
        title: reads.then_some(r.title),
        content: reads.then_some(r.content),
        proposal: if reads { r.proposal } else { None },
        sender: reads.then_some(Sender {
            full_name: r.full_name,
            organization: r.organization,
            address: r.address,
            phone: r.phone,
            email: r.email,
        }),
    };
    (p, reads)
}

/// The list's parameters (read by hand, so that a malformed one is a problem detail).
#[derive(Debug, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only PAKN in this status (`submitted`, `accepted`, …).
    pub status: Option<String>,
    /// PAKN a page holds, 1 to 100 (50 when absent).
    pub limit: Option<i64>,
    /// Where the page starts: from the previous page's `next`.
    pub cursor: Option<String>,
}

impl ListQuery {
    fn parse(raw: Option<&str>, lang: Lang) -> Result<ListQuery, Problem> {
        let mut q = ListQuery::default();
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let v = v.trim().to_string();
            match k.as_ref() {
                "status" => q.status = Some(v),
                "cursor" => q.cursor = Some(v),
                "limit" if v.is_empty() => {}
                "limit" => {
                    q.limit = Some(
                        v.parse()
                            .map_err(|_| bad_query(lang, "limit", "api-err-limit"))?,
                    );
                }
                _ => {}
            }
        }
        Ok(q)
    }
}

fn bad_query(lang: Lang, field: &str, message_id: &str) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "bad-query",
        "api-problem-bad-query",
        lang,
    )
    .with_field(field, message_id)
}

/// `{micros}.{id}` of the last PAKN of a page, base64url.
fn cursor_of(r: &StaffRow) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{}", r.received_at.timestamp_micros(), r.id))
}

fn parse_cursor(s: &str) -> Option<After> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(s).ok()?).ok()?;
    let (micros, id) = raw.split_once('.')?;
    Some(After {
        received_at: DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?,
        id: id.parse().ok()?,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/staff/pakn",
    tag = "staff",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of PAKN, newest first", body = StaffPage),
        (status = 400, description = "A malformed parameter", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The client lacks the scope `staff` or its account", body = ProblemBody, content_type = "application/problem+json"),
        Common,
    ),
    security(("bearer" = []))
)]
pub async fn list(
    State(state): State<SharedState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let access = caller.staff(&state).await?;
    let lang = caller.lang;
    let q = ListQuery::parse(raw.as_deref(), lang)?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(Status::parse(s).ok_or_else(|| bad_query(lang, "status", "api-err-status"))?)
        }
    };
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad_query(lang, "limit", "api-err-limit"));
    }
    let after = match q.cursor.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => {
            Some(parse_cursor(c).ok_or_else(|| bad_query(lang, "cursor", "api-err-cursor"))?)
        }
    };
    let unavailable = |e: diesel::result::Error| Problem::unavailable(lang, "listing PAKN", e);
    let mut conn = connection(&state, lang).await?;
    let mut rows = api_staff::page(&mut conn, access.scope_unit(), status, after, limit + 1)
        .await
        .map_err(unavailable)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = more.then(|| rows.last().map(cursor_of)).flatten().map(|c| {
        let status = status
            .map(|s| format!("&status={}", s.as_str()))
            .unwrap_or_default();
        format!("/api/v1/staff/pakn?limit={limit}{status}&cursor={c}")
    });
    // The PAKN whose senders were shown, for the personal-data log.
    let mut shown = Vec::new();
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id;
        let (p, reads) = pakn(&state, &access, r);
        if reads {
            shown.push(id);
        }
        items.push(p);
    }
    record_personal_data_views(&mut conn, access.user_id, &shown, "api")
        .await
        .map_err(unavailable)?;
    Ok(Json(StaffPage { items, next }).into_response())
}

/// A connection for one call's reads and writes.
async fn connection(state: &AppState, lang: Lang) -> Result<PooledConn, Problem> {
    state
        .pool
        .get()
        .await
        .map_err(|e| Problem::unavailable(lang, "a connection", e))
}

/// The PAKN of `code` if the account may read it (any other is a 404).
async fn readable(
    conn: &mut AsyncPgConnection,
    access: &Access,
    lang: Lang,
    code: &str,
) -> Result<StaffRow, Problem> {
    let not_found = || Problem::not_found(lang);
    let code = TrackingCode::parse(code).ok_or_else(not_found)?;
    let row = api_staff::by_code(conn, code.as_str())
        .await
        .map_err(|e| Problem::unavailable(lang, "reading a PAKN", e))?
        .ok_or_else(not_found)?;
    if !access.may_read(row.unit_id) {
        return Err(not_found());
    }
    Ok(row)
}

/// Answers with the PAKN, its reading logged.
async fn shown(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    access: &Access,
    lang: Lang,
    row: StaffRow,
) -> Result<Response, Problem> {
    let id = row.id;
    let (p, reads) = pakn(state, access, row);
    if reads {
        record_personal_data_views(conn, access.user_id, &[id], "api")
            .await
            .map_err(|e| Problem::unavailable(lang, "logging a reading", e))?;
    }
    Ok(Json(p).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/staff/pakn/{code}",
    tag = "staff",
    params(("code" = String, Path, description = "The PAKN's tracking code")),
    responses(
        (status = 200, description = "The PAKN", body = StaffPakn),
        (status = 403, description = "The client lacks the scope `staff` or its account", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No PAKN in the account's reach has this code", body = ProblemBody, content_type = "application/problem+json"),
        Common,
    ),
    security(("bearer" = []))
)]
pub async fn one(
    State(state): State<SharedState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    let access = caller.staff(&state).await?;
    let mut conn = connection(&state, caller.lang).await?;
    let row = readable(&mut conn, &access, caller.lang, &code).await?;
    shown(&state, &mut conn, &access, caller.lang, row).await
}

/// A move as a client sends it: the action and what it carries.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct MoveBody {
    pub action: String,
    /// accept: the classification (the unit by its code, the handler by account id).
    pub field: String,
    pub kind: String,
    pub procedure: String,
    pub urgency: String,
    pub unit: String,
    pub assignee: Option<i32>,
    /// ask_info.
    pub question: String,
    /// reject, out_of_scope.
    pub reason: String,
    pub competent_body: String,
    /// transfer (and approve's date).
    pub agency: String,
    pub reference: String,
    pub date: Option<NaiveDate>,
    /// submit_draft / answer: the reply's text.
    pub body: String,
    /// approve: the official reply's number and signer.
    pub number_symbol: String,
    pub signer: String,
}

/// The step a body asks for; `None` for an unknown action.
fn step_of(state: &AppState, b: MoveBody) -> Option<Step> {
    Some(match b.action.as_str() {
        "accept" => Step::Accept(Classification {
            unit_id: state.reference.get().unit_by_code(&b.unit).map(|u| u.id),
            field_code: b.field,
            kind: b.kind,
            procedure: b.procedure,
            urgency: b.urgency,
            assignee_id: b.assignee,
        }),
        "ask_info" => Step::AskInfo {
            question: b.question,
        },
        "transfer" => Step::Transfer {
            agency: b.agency,
            reference: b.reference,
            date: b.date,
        },
        "reject" => Step::Reject { reason: b.reason },
        "out_of_scope" => Step::OutOfScope {
            reason: b.reason,
            competent_body: b.competent_body,
        },
        "start_work" => Step::StartWork,
        "submit_draft" | "answer" => Step::SubmitDraft {
            body: b.body,
            files: Vec::new(),
        },
        "approve" => Step::Approve(ReplyDocument {
            number_symbol: b.number_symbol,
            date: b.date,
            signer: b.signer,
        }),
        _ => return None,
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/staff/pakn/{code}/moves",
    tag = "staff",
    params(("code" = String, Path, description = "The PAKN's tracking code")),
    request_body(content = MoveBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Done: the PAKN after the move", body = StaffPakn),
        (status = 400, description = "Not the JSON expected", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The account may not make this move", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No PAKN in the account's reach has this code", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Refused by the move table or the use case, with why in both languages", body = ProblemBody, content_type = "application/problem+json"),
        Common,
    ),
    security(("bearer" = []))
)]
pub async fn moves(
    State(state): State<SharedState>,
    caller: Caller,
    Path(code): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let access = caller.staff(&state).await?;
    let lang = caller.lang;
    let body: MoveBody =
        serde_json::from_slice(&body).map_err(|e| Problem::bad_json(lang, &e.to_string()))?;
    let mut conn = connection(&state, lang).await?;
    let ticket = readable(&mut conn, &access, lang, &code).await?;
    let Some(step) = step_of(&state, body) else {
        return Err(refused(lang, "handling-err-unknown-action"));
    };
    // The rest runs to its end even if the client goes away.
    let done = detached(async move {
        let reference = state.reference.get();
        let ctx = Context::now(&state.cfg, &reference);
        let who = Who::Staff(access.clone());
        let commands = commands_for(ticket.status, Command::Move(step));
        let result = handling::perform_all(&mut conn, &ctx, ticket.id, &who, commands).await;
        let answer = match result {
            Ok(done) => {
                if done.mails > 0 {
                    state.mail_wake.notify_one();
                }
                match readable(&mut conn, &access, lang, &ticket.code).await {
                    Ok(row) => shown(&state, &mut conn, &access, lang, row).await,
                    Err(p) => Err(p),
                }
            }
            Err(HandlingError::NotAllowed) => Err(Problem::new(
                StatusCode::FORBIDDEN,
                "not-allowed",
                "api-problem-not-allowed",
                lang,
            )),
            Err(e) => match e.message_id() {
                Some(id) => Err(refused(lang, &id)),
                None => Err(Problem::unavailable(lang, "a move", e)),
            },
        };
        Ok(answer.unwrap_or_else(IntoResponse::into_response))
    })
    .await;
    Ok(done)
}

/// A 422 for a move the move table or the use case refused, with its reason in both
/// languages.
fn refused(lang: Lang, message_id: &str) -> Problem {
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "move-refused",
        "api-problem-move-refused",
        lang,
    )
    .with_field("action", message_id)
}
