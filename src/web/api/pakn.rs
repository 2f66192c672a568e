//! `POST /api/v1/pakn`: a client files a PAKN on a citizen's behalf (JSON, or multipart
//! with files), through the same checks, routing and mail as the public form, received
//! on the client's channel, with its own reference; idempotent by its `idempotency_key`
//! (the same key with the same content gives the first PAKN again, with other content a
//! 409).
//! `GET /api/v1/pakn/{code}`: the status, public timeline and official replies of a PAKN
//! the client filed (any other code is a 404, as is an unknown one).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::caller::Caller;
use super::problem::{Common, FieldProblem, Problem, ProblemBody};
use crate::db::api_clients;
use crate::domain::attachment::{CheckedFile, FileRefusal};
use crate::domain::calendar::vn_offset;
use crate::domain::feedback::{FeedbackValues, FieldError};
use crate::domain::tracking_code::TrackingCode;
use crate::i18n::{Lang, Tr};
use crate::web::kit::api_client::{self, ClientFiling, ClientFilingError};
use crate::web::kit::detached::detached;
use crate::web::kit::messages::{field_message, file_message};
use crate::web::kit::upload::{self, RefusedFile, UploadError};
use crate::web::kit::{AppState, SharedState};

/// The scope that files PAKN and reads those filed.
pub const FILE: &str = "file";
/// The longest idempotency key a client may give.
const MAX_KEY_CHARS: usize = 200;

/// A filing as a client sends it: the public form's fields, and the client's reference.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FilingBody {
    /// The client's key for this filing (its own id of the PAKN serves well): sent again,
    /// it finds the first PAKN.
    pub idempotency_key: String,
    /// The PAKN's id in the client's system, and its date there.
    pub external_ref: Option<String>,
    pub external_ref_date: Option<NaiveDate>,
    pub submitter_kind: String,
    pub full_name: String,
    pub organization: String,
    pub representative: String,
    pub address: String,
    pub commune: String,
    pub phone: String,
    pub email: String,
    pub kind: String,
    pub content_category: String,
    pub field: String,
    pub procedure: String,
    pub dossier_code: String,
    pub subject_agency: String,
    pub title: String,
    pub content: String,
    pub proposal: String,
    pub consent: bool,
    pub publish_consent: bool,
}

impl FilingBody {
    fn values(self) -> FeedbackValues {
        FeedbackValues {
            submitter_kind: self.submitter_kind,
            full_name: self.full_name,
            organization: self.organization,
            representative: self.representative,
            address: self.address,
            commune: self.commune,
            phone: self.phone,
            email: self.email,
            kind: self.kind,
            content_category: self.content_category,
            field: self.field,
            procedure: self.procedure,
            dossier_code: self.dossier_code,
            subject_agency: self.subject_agency,
            title: self.title,
            content: self.content,
            proposal: self.proposal,
            consent: self.consent,
            publish_consent: self.publish_consent,
        }
    }
}

/// Where a filed PAKN is followed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Filed {
    pub code: String,
    pub href: String,
}

fn filed(status: StatusCode, code: &str) -> Response {
    let href = format!("/api/v1/pakn/{code}");
    let mut res = (
        status,
        Json(Filed {
            code: code.to_string(),
            href: href.clone(),
        }),
    )
        .into_response();
    if let Ok(v) = header::HeaderValue::from_str(&href) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// The most a JSON filing may weigh (the form's text fields are far smaller).
const MAX_JSON_BYTES: usize = 256 * 1024;

/// A filing as JSON, or as `multipart/form-data` with the JSON in the part `pakn` and the
/// files in the others (checked as the form's: types, sizes, count).
#[utoipa::path(
    post,
    path = "/api/v1/pakn",
    tag = "file",
    request_body(content(
        (FilingBody = "application/json"),
        (FilingParts = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Filed", body = Filed,
         headers(("Location" = String, description = "The PAKN's address in this API"))),
        (status = 200, description = "The same idempotency key and content again: the first PAKN", body = Filed),
        (status = 400, description = "Not the JSON expected", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "The client lacks the scope `file`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "The idempotency key came before with other content", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Larger than a filing may be", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Refused fields, each with its message in Vietnamese and English", body = ProblemBody, content_type = "application/problem+json"),
        Common,
    ),
    security(("bearer" = []))
)]
pub async fn file(
    State(state): State<SharedState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(p) = caller.needs(FILE) {
        return p.into_response();
    }
    let lang = caller.lang;
    let multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (json, files, refused) = if multipart {
        let form = match upload::read_upload(&state, None, &headers, body, "api filing").await {
            Ok(form) if !form.body_too_large => form,
            Ok(_) | Err(UploadError::TooLarge) => return too_large(lang).into_response(),
            Err(UploadError::NotAForm) => {
                return Problem::bad_json(lang, "not a multipart body").into_response();
            }
            Err(UploadError::Interrupted(_)) => {
                return Problem::bad_json(lang, "a malformed multipart body").into_response();
            }
        };
        let json = form.get("pakn").unwrap_or_default().as_bytes().to_vec();
        (json, form.checked_files(), form.refused)
    } else {
        match axum::body::to_bytes(body, MAX_JSON_BYTES).await {
            Ok(bytes) => (bytes.to_vec(), Vec::new(), Vec::new()),
            Err(_) => return too_large(lang).into_response(),
        }
    };
    // The rest runs to its end even if the client goes away (it may send again with
    // the same key and will find the PAKN).
    detached(async move {
        Ok(store(&state, &caller, &json, &files, &refused)
            .await
            .unwrap_or_else(IntoResponse::into_response))
    })
    .await
}

fn too_large(lang: Lang) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too-large",
        "api-problem-too-large",
        lang,
    )
}

async fn store(
    state: &AppState,
    caller: &Caller,
    json: &[u8],
    files: &[CheckedFile],
    refused_files: &[RefusedFile],
) -> Result<Response, Problem> {
    let lang = caller.lang;
    let body: FilingBody =
        serde_json::from_slice(json).map_err(|e| Problem::bad_json(lang, &e.to_string()))?;
    let key = body.idempotency_key.trim().to_string();
    let mut refused = Vec::new();
    if key.is_empty() {
        refused.push(("idempotency_key", FieldError::Required));
    } else if key.chars().count() > MAX_KEY_CHARS {
        refused.push(("idempotency_key", FieldError::TooLong(MAX_KEY_CHARS)));
    }
    let external_ref = body
        .external_ref
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let external_ref_date = body.external_ref_date;
    let uploads = &state.cfg.uploads;
    let file_problems: Vec<FieldProblem> = refused_files
        .iter()
        .map(|f| (f.filename.as_str(), f.reason))
        .chain((files.len() > uploads.max_files).then_some(("", FileRefusal::TooMany)))
        .map(|(name, reason)| {
            let say =
                |t: &Tr| file_message(t, name, reason, uploads.max_file_mb, uploads.max_files);
            FieldProblem {
                field: "files".to_string(),
                message_vi: say(&Tr::new(Lang::Vi)),
                message_en: say(&Tr::new(Lang::En)),
            }
        })
        .collect();
    let values = body.values();
    if !refused.is_empty() || !file_problems.is_empty() {
        if let Err(errors) = state.reference.get().validate_feedback(&values) {
            refused.extend(errors);
        }
        return Err(invalid(lang, &refused, file_problems));
    }
    let filing = ClientFiling {
        values,
        key: &key,
        external_ref,
        external_ref_date,
        files,
        lang,
    };
    match api_client::file_for(state, &caller.client, filing).await {
        Ok(done) if done.created => Ok(filed(StatusCode::CREATED, &done.code)),
        Ok(done) => Ok(filed(StatusCode::OK, &done.code)),
        Err(ClientFilingError::Invalid(errors)) => Err(invalid(lang, &errors, Vec::new())),
        Err(ClientFilingError::KeyReused) => Err(Problem::new(
            StatusCode::CONFLICT,
            "idempotency-key-reused",
            "api-problem-key-reused",
            lang,
        )),
        Err(ClientFilingError::Unavailable) => Err(Problem::busy(lang)),
    }
}

fn invalid(
    lang: Lang,
    refused: &[(&'static str, FieldError)],
    files: Vec<FieldProblem>,
) -> Problem {
    let (vi, en) = (Tr::new(Lang::Vi), Tr::new(Lang::En));
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-filing",
        "api-problem-invalid-filing",
        lang,
    );
    p.errors = refused
        .iter()
        .map(|(field, e)| FieldProblem {
            field: (*field).to_string(),
            message_vi: field_message(&vi, *e),
            message_en: field_message(&en, *e),
        })
        .chain(files)
        .collect();
    p
}

/// A step as the database aggregates it.
#[derive(Debug, Deserialize)]
struct EventJson {
    at: DateTime<Utc>,
    event: String,
    body: Option<String>,
}

/// One public step of a PAKN's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Step {
    pub at: DateTime<FixedOffset>,
    pub event: String,
    pub message: Option<String>,
}

/// An official reply.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Reply {
    pub body: String,
    pub number_symbol: Option<String>,
    pub reply_date: Option<NaiveDate>,
    pub signer: Option<String>,
}

/// A PAKN as its client reads it: no personal data.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Status {
    pub code: String,
    pub status: String,
    pub status_label_vi: String,
    pub status_label_en: String,
    pub received_at: DateTime<FixedOffset>,
    pub accept_due: NaiveDate,
    pub reply_due: NaiveDate,
    pub answered_at: Option<DateTime<FixedOffset>>,
    pub closed_at: Option<DateTime<FixedOffset>>,
    pub timeline: Vec<Step>,
    pub replies: Vec<Reply>,
}

/// The status, public timeline and official replies of a PAKN the client filed.
#[utoipa::path(
    get,
    path = "/api/v1/pakn/{code}",
    tag = "file",
    params(("code" = String, Path, description = "The tracking code the filing returned")),
    responses(
        (status = 200, description = "The PAKN", body = Status),
        (status = 403, description = "The client lacks the scope `file`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No PAKN of this client has this code", body = ProblemBody, content_type = "application/problem+json"),
        Common,
    ),
    security(("bearer" = []))
)]
pub async fn status(
    State(state): State<SharedState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Response, Problem> {
    caller.needs(FILE)?;
    let lang = caller.lang;
    let not_found = || Problem::not_found(lang);
    let code = TrackingCode::parse(&code).ok_or_else(not_found)?;
    let mut conn = state
        .pool
        .get()
        .await
        .map_err(|e| Problem::unavailable(lang, "reading a PAKN", e))?;
    let row = api_clients::filed_status(&mut conn, caller.client.id, code.as_str())
        .await
        .map_err(|e| Problem::unavailable(lang, "reading a PAKN", e))?
        .ok_or_else(not_found)?;
    drop(conn);
    let events: Vec<EventJson> = serde_json::from_value(row.events)
        .map_err(|e| Problem::unavailable(lang, "reading a PAKN's timeline", e))?;
    let replies: Vec<Reply> = serde_json::from_value(row.replies)
        .map_err(|e| Problem::unavailable(lang, "reading a PAKN's replies", e))?;
    let local = |t: DateTime<Utc>| t.with_timezone(&vn_offset());
    let (vi, en) = (Tr::new(Lang::Vi), Tr::new(Lang::En));
    let body = Status {
        code: row.code,
        status: row.status.as_str().to_string(),
        status_label_vi: vi.t(&row.status.label_id()),
        status_label_en: en.t(&row.status.label_id()),
        received_at: local(row.received_at),
        accept_due: row.accept_due,
        reply_due: row.reply_due,
        answered_at: row.answered_at.map(local),
        closed_at: row.closed_at.map(local),
        timeline: events
            .into_iter()
            .map(|e| Step {
                at: local(e.at),
                event: e.event,
                message: e.body,
            })
            .collect(),
        replies,
    };
    Ok(Json(body).into_response())
}

/// A filing with files: the JSON of [`FilingBody`] in the part `pakn`, the files in the
/// others (documentation only).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FilingParts {
    /// The filing, as JSON.
    pub pakn: String,
    /// Up to the form's count of files (PDF, images, office documents).
    #[schema(value_type = Vec<String>, format = Binary)]
    pub files: Vec<Vec<u8>>,
}
